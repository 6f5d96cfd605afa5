// loop sums the squares 0² + 1² + ... + (n-1)² with bpf_loop, n taken from
// the packet length, and stops early when the sum passes a limit.
#include "include/gbpf.h"

struct loop_ctx {
	__u64 sum;
	__u64 limit;
	__u32 iterations;
};

static long square(__u32 index, void *data)
{
	struct loop_ctx *c = data;

	c->sum += (__u64)index * index;
	c->iterations++;
	return c->sum > c->limit; /* 1 stops the loop */
}

SEC("xdp")
int sum_squares(struct xdp_md *ctx)
{
	struct loop_ctx c = { .limit = 100000 };
	__u32 n = ctx->data_end - ctx->data;

	long done = bpf_loop(n, square, &c, 0);
	if (done < 0)
		return 0;
	return (__u32)(c.sum * 1000 + c.iterations) ^ (done << 24);
}

char LICENSE[] SEC("license") = "GPL";
