// lru_hash remembers the most recent sources in an LRU hash map of four
// entries; the least recently used source is evicted first.
#include "include/gbpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} recent SEC(".maps");

SEC("xdp")
int remember(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end)
		return XDP_PASS;
	__u32 key = bpf_ntohl(ip->saddr);
	__u64 *seen = bpf_map_lookup_elem(&recent, &key);
	if (seen) {
		(*seen)++;
		return XDP_PASS;
	}
	__u64 one = 1;
	bpf_map_update_elem(&recent, &key, &one, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
