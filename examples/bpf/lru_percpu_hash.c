// lru_percpu_hash sums bytes per destination port in an LRU per-CPU hash.
#include "include/gbpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_PERCPU_HASH);
	__uint(max_entries, 16);
	__type(key, __u16);
	__type(value, __u64);
} port_bytes SEC(".maps");

SEC("xdp")
int bytes_by_port(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);

	if ((void *)(udp + 1) > data_end || ip->protocol != IPPROTO_UDP)
		return XDP_PASS;
	__u16 port = bpf_ntohs(udp->dest);
	__u64 len = data_end - data;
	__u64 *v = bpf_map_lookup_elem(&port_bytes, &port);
	if (v)
		*v += len;
	else
		bpf_map_update_elem(&port_bytes, &port, &len, BPF_ANY);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
