// hash_counter keeps per-source-address packet and byte counts in a hash
// map. A packet with TOS 0xff deletes its source's entry.
#include "include/gbpf.h"

struct stats {
	__u64 packets;
	__u64 bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct stats);
} sources SEC(".maps");

SEC("xdp")
int count_sources(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;

	__u32 key = ip->saddr;
	if (ip->tos == 0xff) {
		bpf_map_delete_elem(&sources, &key);
		return XDP_DROP;
	}
	struct stats *s = bpf_map_lookup_elem(&sources, &key);
	if (s) {
		__sync_fetch_and_add(&s->packets, 1);
		__sync_fetch_and_add(&s->bytes, data_end - data);
		return XDP_PASS;
	}
	struct stats init = { .packets = 1, .bytes = data_end - data };
	if (bpf_map_update_elem(&sources, &key, &init, BPF_NOEXIST) != 0)
		return XDP_ABORTED;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
