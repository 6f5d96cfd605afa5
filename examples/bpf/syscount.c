// syscount counts system calls by number, the way libbpf-tools' syscount
// does: vmlinux-style types read through CO-RE, options in .rodata that the
// loader sets before load, a hash map and atomic adds.
#include "include/gbpf.h"

typedef int pid_t;

/* vmlinux.h-style definitions: their layout is the compiler's guess, and
 * the loader relocates every access against the target kernel's BTF. */
struct trace_entry {
	unsigned short type;
	unsigned char flags;
	unsigned char preempt_count;
	int pid;
} __attribute__((preserve_access_index));

struct trace_event_raw_sys_enter {
	struct trace_entry ent;
	long id;
	unsigned long args[6];
	char __data[0];
} __attribute__((preserve_access_index));

struct data_t {
	__u64 count;
	__u64 arg0_sum;
};

const volatile pid_t filter_pid = 0;
const volatile bool count_by_process = false;
const volatile __u32 max_syscall = 512;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct data_t);
} data SEC(".maps");

static struct data_t zero;

SEC("tracepoint/raw_syscalls/sys_enter")
int sys_enter(struct trace_event_raw_sys_enter *args)
{
	pid_t pid = BPF_CORE_READ(args, ent.pid);
	__u32 key;
	struct data_t *val;

	if (filter_pid && pid != filter_pid)
		return 0;
	key = BPF_CORE_READ(args, id);
	if (key >= max_syscall)
		return 0;
	if (count_by_process)
		key = pid;

	val = bpf_map_lookup_elem(&data, &key);
	if (!val) {
		bpf_map_update_elem(&data, &key, &zero, BPF_NOEXIST);
		val = bpf_map_lookup_elem(&data, &key);
		if (!val)
			return 0;
	}
	__sync_fetch_and_add(&val->count, 1);
	if (bpf_core_field_exists(args->args))
		__sync_fetch_and_add(&val->arg0_sum, BPF_CORE_READ(args, args[0]));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
