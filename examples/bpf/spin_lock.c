// spin_lock keeps a packet count and a byte sum consistent under a
// bpf_spin_lock in the map value, so that concurrent runs never tear them.
#include "include/gbpf.h"

struct totals {
	struct bpf_spin_lock lock;
	__u32 pad;
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct totals);
} totals SEC(".maps");

SEC("xdp")
int add_locked(struct xdp_md *ctx)
{
	__u32 zero = 0;
	struct totals *t = bpf_map_lookup_elem(&totals, &zero);
	if (!t)
		return XDP_ABORTED;
	__u64 len = ctx->data_end - ctx->data;
	bpf_spin_lock(&t->lock);
	t->packets++;
	t->bytes += len;
	bpf_spin_unlock(&t->lock);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
