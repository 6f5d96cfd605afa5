// current_task records who triggered each event: process and thread ids,
// user and group ids and the command name, keyed by thread id.
#include "include/gbpf.h"

struct task_info {
	__u32 pid;
	__u32 tgid;
	__u32 uid;
	__u32 gid;
	char comm[16];
	__u64 events;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 128);
	__type(key, __u32);
	__type(value, struct task_info);
} tasks SEC(".maps");

SEC("kprobe/do_sys_openat2")
int who(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 uid_gid = bpf_get_current_uid_gid();
	__u32 tid = (__u32)pid_tgid;
	struct task_info *t = bpf_map_lookup_elem(&tasks, &tid);

	if (t) {
		t->events++;
		return 0;
	}
	struct task_info info = {
		.pid = tid,
		.tgid = pid_tgid >> 32,
		.uid = (__u32)uid_gid,
		.gid = uid_gid >> 32,
		.events = 1,
	};
	if (bpf_get_current_comm(info.comm, sizeof(info.comm)))
		return 1;
	bpf_map_update_elem(&tasks, &tid, &info, BPF_NOEXIST);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
