// SPDX-License-Identifier: Apache-2.0
//
// biolatency: block I/O latency as a log2 histogram, from issue (or, with
// queued, from insert) to completion, optionally per disk and per set of
// request flags (the tracepoints' rwbs string). The same object runs in the
// kernel and, on copied records, in gbpf's runtime, where bpf_ktime_get_ns
// returns the record's timestamp.
#include "block.h"

struct config {
	__u32 filter_dev;
	__u32 targ_dev;
	__u32 per_disk;
	__u32 per_flag;
	__u32 ms;
	__u32 queued;
	__u32 extension;
};

/* The total and the number of latencies, for -e (bcc's extension). */
struct extension {
	__u64 total;
	__u64 count;
};

struct start_key {
	__u32 dev;
	__u32 pad;
	__u64 sector;
};

struct hist_key {
	__u32 dev;
	__u32 pad;
	char rwbs[8];
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
	__type(key, struct start_key);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, struct hist_key);
	__type(value, struct log2_hist);
} hists SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct extension);
} extension SEC(".maps");

static __always_inline int trace_start(__u32 dev, __u64 sector, int issue)
{
	struct start_key key = {};
	struct config *cfg;
	__u32 idx = 0;
	__u64 ts;

	cfg = bpf_map_lookup_elem(&config, &idx);
	if (!cfg)
		return 0;
	if (cfg->filter_dev && dev != cfg->targ_dev)
		return 0;
	/* With queued time, insert starts the clock and issue keeps it. */
	if (!issue && !cfg->queued)
		return 0;
	key.dev = dev;
	key.sector = sector;
	ts = bpf_ktime_get_ns();
	bpf_map_update_elem(&start, &key, &ts, issue && cfg->queued ? BPF_NOEXIST : BPF_ANY);
	return 0;
}

SEC("tracepoint/block/block_rq_insert")
int block_rq_insert(struct block_rq_args *ctx)
{
	return trace_start(ctx->dev, ctx->sector, 0);
}

SEC("tracepoint/block/block_rq_issue")
int block_rq_issue(struct block_rq_args *ctx)
{
	return trace_start(ctx->dev, ctx->sector, 1);
}

SEC("tracepoint/block/block_rq_complete")
int block_rq_complete(struct block_rq_complete_args *ctx)
{
	struct start_key skey = {};
	struct hist_key hkey = {};
	struct log2_hist *z;
	struct config *cfg;
	__u64 *tsp, now;
	__s64 delta;
	__u32 idx = 0;
	int i;

	cfg = bpf_map_lookup_elem(&config, &idx);
	z = bpf_map_lookup_elem(&zero, &idx);
	if (!cfg || !z)
		return 0;
	skey.dev = ctx->dev;
	skey.sector = ctx->sector;
	tsp = bpf_map_lookup_elem(&start, &skey);
	if (!tsp)
		return 0;
	now = bpf_ktime_get_ns();
	delta = (__s64)(now - *tsp);
	bpf_map_delete_elem(&start, &skey);
	if (delta < 0)
		return 0;
	if (cfg->per_disk)
		hkey.dev = ctx->dev;
	if (cfg->per_flag) {
#pragma unroll
		for (i = 0; i < 8; i++)
			hkey.rwbs[i] = ctx->rwbs[i];
	}
	if (cfg->ms)
		delta /= 1000000;
	else
		delta /= 1000;
	hist_add(&hists, &hkey, z, delta);
	if (cfg->extension) {
		struct extension *e = bpf_map_lookup_elem(&extension, &idx);

		if (e) {
			__sync_fetch_and_add(&e->total, delta);
			__sync_fetch_and_add(&e->count, 1);
		}
	}
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
