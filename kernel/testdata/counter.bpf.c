// SPDX-License-Identifier: Apache-2.0
//
// A tracepoint program for the kernel package's tests: counts
// sys_enter_getppid in an array map. Rebuild with
//   clang -O2 -g -target bpf -fdebug-compilation-dir=. -c counter.bpf.c -o counter.bpf.o
typedef unsigned int __u32;
typedef unsigned long long __u64;

#define SEC(name) __attribute__((section(name), used))
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;

struct {
	__uint(type, 2); /* BPF_MAP_TYPE_ARRAY */
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} counter SEC(".maps");

SEC("tracepoint/syscalls/sys_enter_getppid")
int count(void *ctx)
{
	__u32 key = 0;
	__u64 *n = bpf_map_lookup_elem(&counter, &key);

	if (n)
		__sync_fetch_and_add(n, 1);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
