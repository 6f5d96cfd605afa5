// queue_stack pushes each packet's length onto a queue and a stack; the
// drain program pops one value from each and returns their difference, and
// peek_both returns the sum of the values at the heads without removing them.
#include "include/gbpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 8);
	__type(value, __u32);
} fifo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_STACK);
	__uint(max_entries, 8);
	__type(value, __u32);
} lifo SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} full_errors SEC(".maps");

SEC("xdp")
int push(struct xdp_md *ctx)
{
	__u32 len = ctx->data_end - ctx->data, zero = 0;

	if (bpf_map_push_elem(&fifo, &len, 0) == -E2BIG) {
		__u64 *n = bpf_map_lookup_elem(&full_errors, &zero);
		if (n)
			__sync_fetch_and_add(n, 1);
	}
	/* The stack overwrites its oldest value when full. */
	bpf_map_push_elem(&lifo, &len, BPF_EXIST);
	return XDP_PASS;
}

SEC("xdp")
int drain(struct xdp_md *ctx)
{
	__u32 a = 0, b = 0;

	if (bpf_map_pop_elem(&fifo, &a) || bpf_map_pop_elem(&lifo, &b))
		return 1000;
	return 2000 + b - a;
}

SEC("xdp")
int peek_both(struct xdp_md *ctx)
{
	__u32 a = 0, b = 0;

	if (bpf_map_peek_elem(&fifo, &a) == -ENOENT)
		return 0;
	bpf_map_peek_elem(&lifo, &b);
	return a + b;
}

char LICENSE[] SEC("license") = "GPL";
