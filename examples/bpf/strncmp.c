// strncmp classifies UDP payloads by their first bytes with bpf_strncmp
// against constant strings.
#include "include/gbpf.h"

static const char get[] = "GET ";
static const char post[] = "POST";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __u64);
} methods SEC(".maps");

SEC("xdp")
int match_method(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	char buf[5] = {};
	__u32 idx = 2;

	char *payload = (void *)(udp + 1);
	if ((void *)(payload + 4) > data_end)
		return XDP_PASS;
	__builtin_memcpy(buf, payload, 4);
	long rget = bpf_strncmp(buf, sizeof(buf), get);
	if (rget == 0)
		idx = 0;
	else if (bpf_strncmp(buf, sizeof(buf), post) == 0)
		idx = 1;
	__u64 *n = bpf_map_lookup_elem(&methods, &idx);
	if (n)
		__sync_fetch_and_add(n, 1);
	/* The sign of the comparison with "GET " tells the order. */
	return rget < 0 ? 10 : rget > 0 ? 20 : XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
