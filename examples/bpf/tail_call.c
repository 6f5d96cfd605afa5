// tail_call dispatches packets to per-protocol programs through a program
// array, and chains a program into itself to show the limit of 33 tail
// calls.
#include "include/gbpf.h"

enum { SLOT_TCP, SLOT_UDP, SLOT_CHAIN };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} calls SEC(".maps");

static __always_inline void bump(__u32 idx)
{
	__u64 *v = bpf_map_lookup_elem(&calls, &idx);
	if (v)
		__sync_fetch_and_add(v, 1);
}

SEC("xdp")
int handle_tcp(struct xdp_md *ctx)
{
	bump(0);
	return XDP_PASS;
}

SEC("xdp")
int handle_udp(struct xdp_md *ctx)
{
	bump(1);
	return XDP_DROP;
}

int chain(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, int(void *));
} jump_table SEC(".maps") = {
	.values = { [SLOT_CHAIN] = (void *)&chain },
};

SEC("xdp")
int chain(struct xdp_md *ctx)
{
	bump(2);
	bpf_tail_call(ctx, &jump_table, SLOT_CHAIN);
	/* Reached only when the tail call fails: after 33 of them. */
	bump(3);
	return XDP_TX;
}

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__array(values, int(void *));
} dispatch_table SEC(".maps") = {
	.values = {
		[SLOT_TCP] = (void *)&handle_tcp,
		[SLOT_UDP] = (void *)&handle_udp,
	},
};

SEC("xdp")
int dispatch(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end)
		return XDP_ABORTED;
	if (ip->protocol == IPPROTO_TCP)
		bpf_tail_call(ctx, &dispatch_table, SLOT_TCP);
	else if (ip->protocol == IPPROTO_UDP)
		bpf_tail_call(ctx, &dispatch_table, SLOT_UDP);
	/* No program for this protocol (or an empty slot). */
	return XDP_PASS + 100;
}

char LICENSE[] SEC("license") = "GPL";
