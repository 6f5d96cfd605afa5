/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Records of the block tracepoints, laid out as tracefs describes them
 * (events/block/<name>/format). The Go side checks these offsets against
 * the running kernel's format files before it uses a program.
 */
#ifndef GBPF_BLOCK_H
#define GBPF_BLOCK_H

#include "gbpf_bpf.h"

/* block_rq_issue and block_rq_insert */
struct block_rq_args {
	struct trace_common common; /* 0 */
	__u32 dev;                  /* 8 */
	__u32 pad;
	__u64 sector;               /* 16 */
	__u32 nr_sector;            /* 24 */
	__u32 bytes;                /* 28 */
	__u16 ioprio;               /* 32 */
	char rwbs[10];              /* 34 */
	char comm[TASK_COMM_LEN];   /* 44 */
	__u32 cmd_loc;              /* 60: __data_loc char[] cmd */
};

/* block_rq_complete */
struct block_rq_complete_args {
	struct trace_common common; /* 0 */
	__u32 dev;                  /* 8 */
	__u32 pad;
	__u64 sector;               /* 16 */
	__u32 nr_sector;            /* 24 */
	__s32 error;                /* 28 */
	__u16 ioprio;               /* 32 */
	char rwbs[10];              /* 34 */
	__u32 cmd_loc;              /* 44: __data_loc char[] cmd */
};

#endif
