#ifndef __VMLINUX_H__
#define __VMLINUX_H__

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)
#endif

struct list;

typedef unsigned int u32;

struct node {
	struct node *next;
	struct list *owner;
	volatile const u32 *cv;
	int (*cmp)(const struct node *, const struct node *);
	void (*callbacks[2])(void);
	char name[8];
	int matrix[2][3];
};

enum color {
	RED = 0,
	GREEN = 5,
	BLUE = 4294967295,
};

typedef signed char s8;

struct bits {
	unsigned int a: 3;
	unsigned int b: 5;
	int c: 7;
	unsigned long long wide: 40;
	_Bool flag;
	union {
		u32 word;
		unsigned char bytes[4];
	} u;
	struct {
		short x;
		short y;
	} point;
	enum color col;
	s8 tiny;
};

typedef unsigned long long u64;

struct packed {
	char c;
	u64 v;
} __attribute__((packed));

enum big {
	HUGE = 0,
};

typedef struct node node_t;

struct gap {
	char c;
	long: 64;
	long l;
	long: 64;
};

typedef int (*handler_t)(void *, u32);

#ifndef BPF_NO_PRESERVE_ACCESS_INDEX
#pragma clang attribute pop
#endif

#endif /* __VMLINUX_H__ */
