// array_stats is a socket filter that counts packets and bytes in an array
// and keeps every packet whole.
#include "include/gbpf.h"

enum { STAT_PACKETS, STAT_BYTES, STAT_IPV4, STAT_MAX };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void add(__u32 idx, __u64 n)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &idx);
	if (v)
		__sync_fetch_and_add(v, n);
}

SEC("socket")
int socket_stats(struct __sk_buff *skb)
{
	add(STAT_PACKETS, 1);
	add(STAT_BYTES, skb->len);
	if (skb->protocol == bpf_htons(ETH_P_IP))
		add(STAT_IPV4, 1);
	return skb->len;
}

char LICENSE[] SEC("license") = "GPL";
