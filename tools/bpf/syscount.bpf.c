// SPDX-License-Identifier: Apache-2.0
//
// syscount: counts syscalls:sys_enter_getppid per syscall number, the event
// that `gbpf tools overhead` drives at a high rate. (A tracepoint program
// may not read the common_ fields, so the key is __syscall_nr.)
#include "gbpf_bpf.h"

struct sys_enter_args {
	struct trace_common common; /* 0 */
	__s32 syscall_nr;           /* 8 */
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int sys_enter_getppid(struct sys_enter_args *ctx)
{
	__u32 nr = ctx->syscall_nr;
	__u64 one = 1, *n;

	n = bpf_map_lookup_elem(&counts, &nr);
	if (n) {
		__sync_fetch_and_add(n, 1);
		return 0;
	}
	bpf_map_update_elem(&counts, &nr, &one, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
