// legacy.c: an object in the shape of samples/bpf and other loaders of
// libbpf's early days: struct bpf_map_def in the "maps" section, section
// names libbpf once matched by prefix ("socket1", "xdp_count"), no BTF.
// build.sh also writes legacy_nosize.o, the same object with every
// program and map symbol of size 0, as clang before version 8 wrote them.
typedef unsigned int __u32;
typedef unsigned long long __u64;

struct bpf_map_def {
	unsigned int type;
	unsigned int key_size;
	unsigned int value_size;
	unsigned int max_entries;
	unsigned int map_flags;
};

#define SEC(s) __attribute__((section(s), used))

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;

struct bpf_map_def SEC("maps") counts = {
	.type = 2, /* BPF_MAP_TYPE_ARRAY */
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 4,
};

struct bpf_map_def SEC("maps") totals = {
	.type = 1, /* BPF_MAP_TYPE_HASH */
	.key_size = sizeof(__u32),
	.value_size = sizeof(__u64),
	.max_entries = 16,
};

SEC("socket1") int count_socket(void *skb)
{
	__u32 key = 0;
	__u64 *v = bpf_map_lookup_elem(&counts, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 0;
}

SEC("xdp_count") int count_xdp(void *ctx)
{
	__u32 key = 1;
	__u64 *v = bpf_map_lookup_elem(&totals, &key);
	if (v)
		__sync_fetch_and_add(v, 1);
	return 2;
}

char _license[] SEC("license") = "GPL";
