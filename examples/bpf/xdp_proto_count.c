// xdp_proto_count counts packets and bytes by IP protocol, and packets by
// EtherType, then lets every packet pass.
#include "include/gbpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} proto_packets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} proto_bytes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u16);
	__type(value, __u64);
} ethertypes SEC(".maps");

static __always_inline void count_ethertype(__u16 proto)
{
	__u64 one = 1, *v = bpf_map_lookup_elem(&ethertypes, &proto);
	if (v)
		__sync_fetch_and_add(v, 1);
	else
		bpf_map_update_elem(&ethertypes, &proto, &one, BPF_NOEXIST);
}

SEC("xdp")
int count_protocols(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 proto;

	if ((void *)(eth + 1) > data_end)
		return XDP_PASS;
	count_ethertype(bpf_ntohs(eth->h_proto));

	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > data_end)
			return XDP_PASS;
		proto = ip->protocol;
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);
		if ((void *)(ip6 + 1) > data_end)
			return XDP_PASS;
		proto = ip6->nexthdr;
	} else {
		return XDP_PASS;
	}

	__u64 *packets = bpf_map_lookup_elem(&proto_packets, &proto);
	if (packets)
		__sync_fetch_and_add(packets, 1);
	__u64 *bytes = bpf_map_lookup_elem(&proto_bytes, &proto);
	if (bytes)
		*bytes += data_end - data;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
