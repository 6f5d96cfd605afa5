// kprobe_args sums the arguments of a probed function per process: the
// kprobe context is x86-64's struct pt_regs.
#include "include/gbpf.h"

struct args {
	__u64 calls;
	__u64 flags_or;
	__u64 size_sum;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct args);
} per_pid SEC(".maps");

SEC("kprobe/vfs_write")
int record_args(struct pt_regs *ctx)
{
	__u32 pid = bpf_get_current_pid_tgid() >> 32;
	struct args *a = bpf_map_lookup_elem(&per_pid, &pid);
	if (!a) {
		struct args init = {};
		bpf_map_update_elem(&per_pid, &pid, &init, BPF_NOEXIST);
		a = bpf_map_lookup_elem(&per_pid, &pid);
		if (!a)
			return 0;
	}
	a->calls++;
	a->flags_or |= PT_REGS_PARM2(ctx);
	a->size_sum += PT_REGS_PARM3(ctx);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
