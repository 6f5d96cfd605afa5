// kconfig reads the kernel version from a __kconfig extern, which the
// loader fills in, and reports it through an array.
#include "include/gbpf.h"

extern unsigned int LINUX_KERNEL_VERSION __kconfig;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} version SEC(".maps");

SEC("xdp")
int kernel_version(struct xdp_md *ctx)
{
	__u32 zero = 0, v = LINUX_KERNEL_VERSION;

	bpf_map_update_elem(&version, &zero, &v, BPF_ANY);
	return v >= (5 << 16) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
