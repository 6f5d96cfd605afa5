// ringbuf sends one event per packet to user space through a BPF ring
// buffer: reserved and submitted for IPv4, copied with ringbuf_output for
// other EtherTypes, reserved then discarded for ARP. It records what
// ringbuf_query reports.
#include "include/gbpf.h"

struct event {
	__u32 len;
	__u16 ethertype;
	__u8 protocol;
	__u8 kind;
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} ring_state SEC(".maps");

static __always_inline void set_state(__u32 idx, __u64 v)
{
	bpf_map_update_elem(&ring_state, &idx, &v, BPF_ANY);
}

SEC("xdp")
int packet_events(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 len = data_end - data;

	if ((void *)(eth + 1) > data_end)
		return XDP_ABORTED;
	if (eth->h_proto == bpf_htons(ETH_P_ARP)) {
		struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (e)
			bpf_ringbuf_discard(e, 0);
		return XDP_DROP;
	}
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		if ((void *)(ip + 1) > data_end)
			return XDP_DROP;
		struct event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
		if (!e)
			return XDP_ABORTED;
		e->len = len;
		e->ethertype = ETH_P_IP;
		e->protocol = ip->protocol;
		e->kind = 1;
		bpf_ringbuf_submit(e, 0);
	} else {
		struct event e = { .len = len, .ethertype = bpf_ntohs(eth->h_proto), .kind = 2 };
		if (bpf_ringbuf_output(&events, &e, sizeof(e), 0))
			return XDP_ABORTED;
	}
	set_state(0, bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA));
	set_state(1, bpf_ringbuf_query(&events, BPF_RB_RING_SIZE));
	set_state(2, bpf_ringbuf_query(&events, BPF_RB_PROD_POS));
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
