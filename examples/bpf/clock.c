// clock samples the clocks, the random source and the CPU and NUMA node
// into an array, one slot per helper.
#include "include/gbpf.h"

enum { MONO, BOOT, JIFFIES, RAND1, RAND2, CPU, NODE, SLOTS };

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} samples SEC(".maps");

static __always_inline void put(__u32 idx, __u64 v)
{
	bpf_map_update_elem(&samples, &idx, &v, BPF_ANY);
}

SEC("raw")
int sample(void *ctx)
{
	put(MONO, bpf_ktime_get_ns());
	put(BOOT, bpf_ktime_get_boot_ns());
	put(JIFFIES, bpf_jiffies64());
	put(RAND1, bpf_get_prandom_u32());
	put(RAND2, bpf_get_prandom_u32());
	put(CPU, bpf_get_smp_processor_id());
	put(NODE, bpf_get_numa_node_id());
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
