// legacy_maps defines its maps the old way, as struct bpf_map_def in the
// "maps" section (before BTF-defined maps), and counts packets by
// EtherType and by length class.
#include "include/gbpf.h"

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

struct bpf_map_def SEC("maps") by_protocol = {
	.type = BPF_MAP_TYPE_HASH,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 16,
};

struct bpf_map_def SEC("maps") by_size = {
	.type = BPF_MAP_TYPE_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 4,
};

SEC("socket")
int classify_legacy(struct __sk_buff *skb)
{
	__u32 proto = skb->protocol, size = skb->len < 64 ? 0 : skb->len < 128 ? 1 : skb->len < 1024 ? 2 : 3;
	__u64 one = 1, *n = bpf_map_lookup_elem(&by_protocol, &proto);

	if (n)
		__sync_fetch_and_add(n, 1);
	else
		bpf_map_update_elem(&by_protocol, &proto, &one, BPF_ANY);
	n = bpf_map_lookup_elem(&by_size, &size);
	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
