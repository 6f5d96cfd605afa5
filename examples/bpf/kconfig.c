// kconfig reads the kernel version and two options of the kernel's
// configuration from __kconfig externs, which the loader fills in, and
// reports them through arrays.
#include "include/gbpf.h"

extern unsigned int LINUX_KERNEL_VERSION __kconfig;
extern int CONFIG_HZ __kconfig;
extern bool CONFIG_BPF_SYSCALL __kconfig;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2);
	__type(key, __u32);
	__type(value, __u32);
} config SEC(".maps");

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

	__u32 one = 1, hz = CONFIG_HZ, bpf = CONFIG_BPF_SYSCALL;

	bpf_map_update_elem(&version, &zero, &v, BPF_ANY);
	bpf_map_update_elem(&config, &zero, &hz, BPF_ANY);
	bpf_map_update_elem(&config, &one, &bpf, BPF_ANY);
	return v >= (5 << 16) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
