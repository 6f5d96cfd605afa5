// perf_output sends the first bytes of every packet, with its length, to
// user space through a perf event array on the current CPU.
#include "include/gbpf.h"

struct sample {
	__u32 len;
	__u32 cpu;
	__u8 head[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
} samples SEC(".maps");

SEC("xdp")
int sample_packets(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct sample s = {};

	if (data + sizeof(s.head) > data_end)
		return XDP_PASS;
	s.len = data_end - data;
	s.cpu = bpf_get_smp_processor_id();
	__builtin_memcpy(s.head, data, sizeof(s.head));
	if (bpf_perf_event_output(ctx, &samples, BPF_F_CURRENT_CPU, &s, sizeof(s)) < 0)
		return XDP_ABORTED;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
