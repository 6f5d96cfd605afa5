// subprog has two programs sharing one map and calling shared functions:
// a static bpf-to-bpf call, a global function and a nested call.
#include "include/gbpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} shared SEC(".maps");

static __noinline __u64 fold(__u64 x)
{
	return (x * 31) ^ (x >> 3);
}

static __noinline __u64 checksum(const __u8 *p, __u32 n)
{
	__u64 h = 7;
	for (__u32 i = 0; i < 32 && i < n; i++)
		h = fold(h + p[i]);
	return h;
}

__noinline int add_to(__u32 idx, __u64 v)
{
	__u64 *slot = bpf_map_lookup_elem(&shared, &idx);
	if (!slot)
		return -1;
	__sync_fetch_and_add(slot, v);
	return 0;
}

SEC("xdp")
int first(struct xdp_md *ctx)
{
	__u8 buf[32] = {};
	__u32 n = ctx->data_end - ctx->data;
	if (n > sizeof(buf))
		n = sizeof(buf);
	void *data = (void *)(long)ctx->data;
	if (data + sizeof(buf) <= (void *)(long)ctx->data_end)
		__builtin_memcpy(buf, data, sizeof(buf));
	__u64 h = checksum(buf, n);
	add_to(0, h & 0xffff);
	return (__u32)h & 0x7fffffff;
}

SEC("xdp")
int second(struct xdp_md *ctx)
{
	add_to(1, fold(ctx->data_end - ctx->data));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
