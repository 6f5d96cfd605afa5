// Test object for progfile: two programs in sections of their own and a
// bpf-to-bpf call, built with
//
//	clang -target bpf -O2 -g0 -c prog.c -o prog.o
typedef unsigned int u32;

static __attribute__((noinline)) u32 twice(u32 x) { return x * 2; }

__attribute__((section("xdp"), used)) int xdp_prog(void *ctx)
{
	return 2;
}

__attribute__((section("tc"), used)) int tc_prog(void *ctx)
{
	volatile u32 v = 21;
	return twice(v);
}

__attribute__((section("license"), used)) char _license[] = "GPL";
