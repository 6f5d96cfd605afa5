// map_in_map picks a per-protocol counter map out of an array of maps and a
// per-port map out of a hash of maps.
#include "include/gbpf.h"

struct inner {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
};

struct inner tcp_counts SEC(".maps");
struct inner udp_counts SEC(".maps");
struct inner port_counts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 2);
	__type(key, __u32);
	__array(values, struct inner);
} by_proto SEC(".maps") = {
	.values = { [0] = &tcp_counts, [1] = &udp_counts },
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH_OF_MAPS);
	__uint(max_entries, 8);
	__type(key, __u16);
	__array(values, struct inner);
} by_port SEC(".maps");

SEC("xdp")
int count_nested(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *l4 = (void *)(ip + 1);
	__u32 outer, zero = 0, one = 1;

	if ((void *)(l4 + 1) > data_end)
		return XDP_PASS;
	if (ip->protocol == IPPROTO_TCP)
		outer = 0;
	else if (ip->protocol == IPPROTO_UDP)
		outer = 1;
	else
		return XDP_PASS;

	void *m = bpf_map_lookup_elem(&by_proto, &outer);
	if (!m)
		return XDP_ABORTED;
	__u64 *v = bpf_map_lookup_elem(m, &zero);
	if (v)
		__sync_fetch_and_add(v, 1);

	__u16 port = bpf_ntohs(l4->dest);
	m = bpf_map_lookup_elem(&by_port, &port);
	if (!m)
		return XDP_PASS;
	v = bpf_map_lookup_elem(m, &one);
	if (v)
		__sync_fetch_and_add(v, data_end - data);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
