// printk formats with trace_printk (to the host's trace writer) and with
// snprintf (into a map value).
#include "include/gbpf.h"

struct input {
	__s32 a;
	__u32 b;
	__u64 c;
	char name[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, char[128]);
} formatted SEC(".maps");

static const char snfmt[] = "a=%d b=%u c=%llx name=%s ch=%c pct=%% neg=%i";

SEC("raw")
int format(struct input *in)
{
	__u32 zero = 0;
	__s32 a = in->a;
	__u32 b = in->b;
	__u64 c = in->c;
	char name[16];

	__builtin_memcpy(name, in->name, sizeof(name));
	name[15] = 0;
	bpf_printk("a=%d b=%u c=%llx", a, b, c);
	bpf_printk("hex=%x lx=%lx", b, c);
	bpf_printk("name=%s", name);

	char *out = bpf_map_lookup_elem(&formatted, &zero);
	if (!out)
		return -1;
	__u64 args[6] = { a, b, c, (__u64)(long)name, 'Z', -5 };
	return bpf_snprintf(out, 128, snfmt, args, sizeof(args));
}

char LICENSE[] SEC("license") = "GPL";
