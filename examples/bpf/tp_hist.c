// tp_hist builds a log2 histogram of the byte counts that read(2) returns,
// from syscalls:sys_exit_read tracepoint records.
#include "include/gbpf.h"

#define MAX_SLOTS 32

/* The record of syscalls:sys_exit_read (see its format file). */
struct sys_exit_read {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
	__s32 __syscall_nr;
	__s32 pad;
	__s64 ret;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
} hist SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} errors SEC(".maps");

static __noinline __u32 log2l(__u64 v)
{
	__u32 r = 0;
	if (v >> 32) { v >>= 32; r += 32; }
	if (v >> 16) { v >>= 16; r += 16; }
	if (v >> 8) { v >>= 8; r += 8; }
	if (v >> 4) { v >>= 4; r += 4; }
	if (v >> 2) { v >>= 2; r += 2; }
	if (v >> 1) { r += 1; }
	return r;
}

SEC("tracepoint/syscalls/sys_exit_read")
int read_sizes(struct sys_exit_read *ctx)
{
	__u32 zero = 0, slot;
	__u64 *count;

	if (ctx->ret < 0) {
		count = bpf_map_lookup_elem(&errors, &zero);
		if (count)
			__sync_fetch_and_add(count, 1);
		return 0;
	}
	/* Slot 0 counts zero-byte reads, slot k counts [2^(k-1), 2^k). */
	slot = ctx->ret == 0 ? 0 : log2l(ctx->ret) + 1;
	if (slot >= MAX_SLOTS)
		slot = MAX_SLOTS - 1;
	count = bpf_map_lookup_elem(&hist, &slot);
	if (count)
		__sync_fetch_and_add(count, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
