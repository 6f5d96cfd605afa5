// iproute2.c: an object for tc's loader (iproute2): struct bpf_elf_map
// maps with an id, pinning and a map-in-map whose inner map is named by
// inner_id and placed at inner_idx, in sections tc names on its command
// line ("ingress", "egress"), so that the type comes from --type.
typedef unsigned int __u32;

struct bpf_elf_map {
	__u32 type;
	__u32 size_key;
	__u32 size_value;
	__u32 max_elem;
	__u32 flags;
	__u32 id;
	__u32 pinning;
	__u32 inner_id;
	__u32 inner_idx;
};

#define SEC(s) __attribute__((section(s), used))
#define PIN_GLOBAL_NS 2
#define MAP_INNER_ID 42

static void *(*map_lookup_elem)(void *map, const void *key) = (void *)1;

struct bpf_elf_map SEC("maps") map_inner = {
	.type = 2, /* BPF_MAP_TYPE_ARRAY */
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.id = MAP_INNER_ID,
	.inner_idx = 1,
	.pinning = PIN_GLOBAL_NS,
	.max_elem = 1,
};

struct bpf_elf_map SEC("maps") map_outer = {
	.type = 12, /* BPF_MAP_TYPE_ARRAY_OF_MAPS */
	.size_key = sizeof(__u32),
	.size_value = sizeof(__u32),
	.inner_id = MAP_INNER_ID,
	.pinning = PIN_GLOBAL_NS,
	.max_elem = 2,
};

SEC("egress") int emain(void *skb)
{
	int key = 1, *val;
	void *inner = map_lookup_elem(&map_outer, &key);
	if (inner) {
		key = 0;
		val = map_lookup_elem(inner, &key);
		if (val)
			__sync_fetch_and_add(val, 1);
	}
	return 0;
}

char __license[] SEC("license") = "GPL";
