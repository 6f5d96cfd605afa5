// types.c declares the kinds of C types whose BTF the bpftool package
// prints: its object (types.o, built with clang -g -O2 -target bpf -c) and
// bpftool 7.1's dumps of it (types.btf.*, and of its .data map loaded in
// the kernel, types.data.*) are the package's golden files.
typedef unsigned int u32;
typedef unsigned long long u64;
typedef signed char s8;

enum color { RED, GREEN = 5, BLUE = -1 };
enum big { HUGE = 0x100000000ULL };
enum { ANON_A = 1, ANON_B = 2 };

struct list;
struct node {
	struct node *next;
	struct list *owner;
	const volatile u32 *cv;
	int (*cmp)(const struct node *, const struct node *);
	void (*callbacks[2])(void);
	char name[8];
	int matrix[2][3];
};

struct bits {
	unsigned int a : 3;
	unsigned int b : 5;
	int c : 7;
	unsigned long long wide : 40;
	_Bool flag;
	union {
		u32 word;
		unsigned char bytes[4];
	} u;
	struct {
		short x, y;
	} point;
	enum color col;
	s8 tiny;
};

struct __attribute__((packed)) packed {
	char c;
	u64 v;
};

struct gap {
	char c;
	long l __attribute__((aligned(16)));
};

typedef struct node node_t;
typedef int (*handler_t)(void *ctx, u32 len);

struct node global_node = {.name = "head", .matrix = {{1, 2, 3}, {4, 5, 6}}};
struct bits global_bits = {.a = 5, .b = 17, .c = -3, .wide = 0xabcdef1234ULL, .flag = 1, .u = {.word = 0x01020304}, .point = {-2, 7}, .col = BLUE, .tiny = -5};
struct packed global_packed = {.c = 'x', .v = 42};
struct gap global_gap;
node_t *global_ptr;
handler_t global_handler;
enum big global_big = HUGE;
int anon_value = ANON_B;
char message[16] = "hi\tthere";

__attribute__((section("socket"), used)) int read_globals(void *ctx)
{
	return global_node.matrix[1][2] + global_bits.a + message[0] + anon_value + global_packed.c +
	       (global_ptr != 0) + (global_gap.c == 0) + (global_handler != 0) + (global_big == HUGE);
}

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
