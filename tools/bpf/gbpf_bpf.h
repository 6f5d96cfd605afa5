/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The few types, map-definition macros and helper declarations that gbpf's
 * tool programs use, so that they build with nothing but clang. Helper ids
 * follow Linux's numbering (include/uapi/linux/bpf.h).
 */
#ifndef GBPF_BPF_H
#define GBPF_BPF_H

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef unsigned int __u32;
typedef unsigned long long __u64;
typedef signed int __s32;
typedef signed long long __s64;

#define SEC(name) __attribute__((section(name), used))
#define __always_inline inline __attribute__((always_inline))

/* BTF-defined maps, as libbpf and cilium/ebpf read them from ".maps". */
#define __uint(name, val) int (*name)[val]
#define __type(name, val) typeof(val) *name

enum {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
};

enum {
	BPF_ANY = 0,
	BPF_NOEXIST = 1,
	BPF_EXIST = 2,
};

static void *(*bpf_map_lookup_elem)(void *map, const void *key) = (void *)1;
static long (*bpf_map_update_elem)(void *map, const void *key, const void *value, __u64 flags) = (void *)2;
static long (*bpf_map_delete_elem)(void *map, const void *key) = (void *)3;
static __u64 (*bpf_ktime_get_ns)(void) = (void *)5;

#define TASK_COMM_LEN 16

/* The fields every tracepoint record starts with. */
struct trace_common {
	__u16 common_type;
	__u8 common_flags;
	__u8 common_preempt_count;
	__s32 common_pid;
};

/*
 * log2 histograms: slot 0 counts 0, slot i counts [2^(i-1), 2^i). The Go
 * package hist reads this layout.
 */
#define LOG2_SLOTS 65

struct log2_hist {
	__u64 slots[LOG2_SLOTS];
};

/* log2_slot returns the slot of v: the number of bits needed to hold it. */
static __always_inline __u32 log2_slot(__u64 v)
{
	__u32 n = 0;

	if (v >= (1ULL << 32)) { v >>= 32; n += 32; }
	if (v >= (1ULL << 16)) { v >>= 16; n += 16; }
	if (v >= (1ULL << 8)) { v >>= 8; n += 8; }
	if (v >= (1ULL << 4)) { v >>= 4; n += 4; }
	if (v >= (1ULL << 2)) { v >>= 2; n += 2; }
	if (v >= 2) { v >>= 1; n += 1; }
	return n + (__u32)v;
}

/*
 * hist_add counts v in the log2 histogram of key in map hists, creating it
 * from the zeroed value *zero when missing (a histogram is too large for
 * the 512-byte stack).
 */
static __always_inline void hist_add(void *hists, const void *key, const struct log2_hist *zero, __u64 v)
{
	struct log2_hist *h = bpf_map_lookup_elem(hists, key);
	__u32 slot;

	if (!h) {
		bpf_map_update_elem(hists, key, zero, BPF_NOEXIST);
		h = bpf_map_lookup_elem(hists, key);
		if (!h)
			return;
	}
	slot = log2_slot(v);
	if (slot >= LOG2_SLOTS)
		slot = LOG2_SLOTS - 1;
	__sync_fetch_and_add(&h->slots[slot], 1);
}

#endif
