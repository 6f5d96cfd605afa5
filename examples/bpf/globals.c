// globals keeps its state in global variables: a .rodata threshold the
// loader sets before load, a .data counter with an initial value and .bss
// totals.
#include "include/gbpf.h"

const volatile __u32 min_len = 60;
const volatile __u8 verdict_small = XDP_DROP;
__u64 packets = 1000;
__u64 small_packets;
__u64 total_bytes;
char last_head[8];

SEC("xdp")
int classify(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 len = data_end - data;

	__sync_fetch_and_add(&packets, 1);
	total_bytes += len;
	if (data + sizeof(last_head) <= data_end)
		__builtin_memcpy(last_head, data, sizeof(last_head));
	if (len < min_len) {
		small_packets++;
		return verdict_small;
	}
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
