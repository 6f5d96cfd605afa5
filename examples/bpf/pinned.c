// pinned counts packets in a map pinned by name (LIBBPF_PIN_BY_NAME):
// every collection loaded with the same pin path shares the counter, in
// the kernel through a bpffs, in gbpf's runtime through its pin registry.
#include "include/gbpf.h"

/* libbpf's values of the pinning attribute */
#define LIBBPF_PIN_BY_NAME 1

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} shared_packets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} own_packets SEC(".maps");

SEC("xdp")
int count_pinned(struct xdp_md *ctx)
{
	__u32 key = 0;
	__u64 *shared = bpf_map_lookup_elem(&shared_packets, &key);
	__u64 *own = bpf_map_lookup_elem(&own_packets, &key);

	if (!shared || !own)
		return XDP_ABORTED;
	__sync_fetch_and_add(shared, 1);
	__sync_fetch_and_add(own, 1);
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
