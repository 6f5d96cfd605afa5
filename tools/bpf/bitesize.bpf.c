// SPDX-License-Identifier: Apache-2.0
//
// bitesize: block I/O sizes as a log2 histogram of kbytes per process name,
// counted at block:block_rq_issue. The same object runs in the kernel and,
// on copied records, in gbpf's runtime.
#include "block.h"

struct config {
	__u32 filter_comm;
	__u32 filter_dev;
	__u32 targ_dev;
	__u32 pad;
	char comm[TASK_COMM_LEN];
};

struct hist_key {
	char comm[TASK_COMM_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct config);
} config SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct log2_hist);
} zero SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct hist_key);
	__type(value, struct log2_hist);
} hists SEC(".maps");

SEC("tracepoint/block/block_rq_issue")
int block_rq_issue(struct block_rq_args *ctx)
{
	struct hist_key key = {};
	struct log2_hist *z;
	struct config *cfg;
	__u32 idx = 0;
	int i;

	cfg = bpf_map_lookup_elem(&config, &idx);
	z = bpf_map_lookup_elem(&zero, &idx);
	if (!cfg || !z)
		return 0;
	if (cfg->filter_dev && ctx->dev != cfg->targ_dev)
		return 0;
#pragma unroll
	for (i = 0; i < TASK_COMM_LEN; i++) {
		key.comm[i] = ctx->comm[i];
		if (cfg->filter_comm && key.comm[i] != cfg->comm[i])
			return 0;
		if (!key.comm[i])
			break;
	}
	hist_add(&hists, &key, z, ctx->bytes / 1024);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
