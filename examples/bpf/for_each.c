// for_each walks a hash map with bpf_for_each_map_elem, summing the values
// whose key is odd and stopping at the key 99.
#include "include/gbpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, __u64);
} values SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u64);
} result SEC(".maps");

struct walk {
	__u64 odd_sum;
	__u64 visited;
};

static long visit(void *map, __u32 *key, __u64 *value, struct walk *w)
{
	w->visited++;
	if (*key == 99)
		return 1;
	if (*key & 1)
		w->odd_sum += *value;
	*value += 1; /* values are writable */
	return 0;
}

SEC("xdp")
int walk_values(struct xdp_md *ctx)
{
	struct walk w = {};
	__u32 zero = 0, one = 1;

	long n = bpf_for_each_map_elem(&values, visit, &w, 0);
	bpf_map_update_elem(&result, &zero, &w.odd_sum, BPF_ANY);
	bpf_map_update_elem(&result, &one, &w.visited, BPF_ANY);
	return n;
}

char LICENSE[] SEC("license") = "GPL";
