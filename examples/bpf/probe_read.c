// probe_read copies memory that a kprobe's arguments point at. The first
// argument is an offset into the context itself (memory the runtime owns);
// the second is an address that nothing owns, so the read fails with
// -EFAULT and zeroes the destination.
#include "include/gbpf.h"

struct result {
	char copied[16];
	char str[16];
	__u64 bad[2];
	__s64 ret_ok;
	__s64 ret_bad;
	__s64 ret_str;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct result);
} results SEC(".maps");

SEC("kprobe/vfs_read")
int read_args(struct pt_regs *ctx)
{
	__u32 zero = 0;
	struct result *r = bpf_map_lookup_elem(&results, &zero);
	if (!r)
		return 1;
	unsigned long off = PT_REGS_PARM1(ctx) & 0xff;
	const char *src = (const char *)ctx + off;

	r->ret_ok = bpf_probe_read_kernel(r->copied, sizeof(r->copied), src);
	r->ret_str = bpf_probe_read_kernel_str(r->str, sizeof(r->str), src);
	r->bad[0] = r->bad[1] = 0x5555;
	r->ret_bad = bpf_probe_read_user(r->bad, sizeof(r->bad), (void *)PT_REGS_PARM2(ctx));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
