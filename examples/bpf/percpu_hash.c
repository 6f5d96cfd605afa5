// percpu_hash counts packets by EtherType in a per-CPU hash map and records
// which CPU saw each packet last.
#include "include/gbpf.h"

struct counter {
	__u64 packets;
	__u32 last_cpu;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 32);
	__type(key, __u16);
	__type(value, struct counter);
} by_ethertype SEC(".maps");

SEC("xdp")
int count_percpu(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	__u16 key = bpf_ntohs(eth->h_proto);
	struct counter *c = bpf_map_lookup_elem(&by_ethertype, &key);
	if (!c) {
		struct counter init = {};
		bpf_map_update_elem(&by_ethertype, &key, &init, BPF_NOEXIST);
		c = bpf_map_lookup_elem(&by_ethertype, &key);
		if (!c)
			return XDP_ABORTED;
	}
	c->packets++;
	c->last_cpu = bpf_get_smp_processor_id();
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
