// lpm_trie drops packets whose destination falls in a blocked prefix: the
// longest matching prefix in an LPM trie decides, and every decision is
// counted per prefix rule.
#include "include/gbpf.h"

struct lpm_key {
	__u32 prefixlen;
	__u32 addr;
};

struct rule {
	__u32 id;
	__u32 action;
};

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 64);
	__type(key, struct lpm_key);
	__type(value, struct rule);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} rules SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

SEC("xdp")
int filter_prefix(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	struct lpm_key key = { .prefixlen = 32, .addr = ip->daddr };
	struct rule *r = bpf_map_lookup_elem(&rules, &key);
	if (!r)
		return XDP_PASS;
	__u32 id = r->id;
	__u64 *n = bpf_map_lookup_elem(&hits, &id);
	if (n)
		__sync_fetch_and_add(n, 1);
	return r->action;
}

char LICENSE[] SEC("license") = "GPL";
