// dump prints the Linux kernel's verifier selftests (the test cases of
// tools/testing/selftests/bpf/verifier/*.c) as JSON lines, one per case,
// for gbpf's differential test. It is compiled by that test against the
// kernel sources of Debian's linux-source package; nothing of those
// sources is part of gbpf. The test writes cases.h, which defines the
// selftests' own macros (taken from their test_verifier.c) and includes
// each case file into an array of struct bpf_test named after the file.
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <linux/btf.h>
#include <linux/bpf_perf_event.h>
#include <linux/if_ether.h>
#include <linux/filter.h>

#ifndef offsetofend
#define offsetofend(type, field) (offsetof(type, field) + sizeof(((type *)0)->field))
#endif

#define DUMP_MAX_INSNS 4096
#define DUMP_MAX_FIXUPS 20
#define DUMP_MAX_RUNS 4
#define DUMP_DATA_LEN 64

// The fields a case may name; their meaning is the selftests'.
struct bpf_test {
	const char *descr;
	struct bpf_insn insns[DUMP_MAX_INSNS];
	struct bpf_insn expected_insns[64];
	struct bpf_insn unexpected_insns[64];
	struct {
		const char *kfunc;
		int insn_idx;
	} fixup_kfunc_btf_id[DUMP_MAX_FIXUPS];
	int fixup_map_hash_8b[DUMP_MAX_FIXUPS], fixup_map_hash_48b[DUMP_MAX_FIXUPS],
		fixup_map_hash_16b[DUMP_MAX_FIXUPS], fixup_map_array_48b[DUMP_MAX_FIXUPS],
		fixup_map_sockmap[DUMP_MAX_FIXUPS], fixup_map_sockhash[DUMP_MAX_FIXUPS],
		fixup_map_xskmap[DUMP_MAX_FIXUPS], fixup_map_stacktrace[DUMP_MAX_FIXUPS],
		fixup_prog1[DUMP_MAX_FIXUPS], fixup_prog2[DUMP_MAX_FIXUPS],
		fixup_map_in_map[DUMP_MAX_FIXUPS], fixup_cgroup_storage[DUMP_MAX_FIXUPS],
		fixup_percpu_cgroup_storage[DUMP_MAX_FIXUPS], fixup_map_spin_lock[DUMP_MAX_FIXUPS],
		fixup_map_array_ro[DUMP_MAX_FIXUPS], fixup_map_array_wo[DUMP_MAX_FIXUPS],
		fixup_map_array_small[DUMP_MAX_FIXUPS], fixup_sk_storage_map[DUMP_MAX_FIXUPS],
		fixup_map_event_output[DUMP_MAX_FIXUPS], fixup_map_reuseport_array[DUMP_MAX_FIXUPS],
		fixup_map_ringbuf[DUMP_MAX_FIXUPS], fixup_map_timer[DUMP_MAX_FIXUPS],
		fixup_map_kptr[DUMP_MAX_FIXUPS];
	const char *errstr, *errstr_unpriv;
	uint32_t insn_processed;
	int prog_len;
	enum { UNDEF, ACCEPT, REJECT, VERBOSE_ACCEPT } result, result_unpriv;
	enum bpf_prog_type prog_type;
	uint8_t flags;
	void (*fill_helper)(struct bpf_test *self);
	int runs;
	union {
		struct {
			uint32_t retval, retval_unpriv;
			union {
				__u8 data[DUMP_DATA_LEN];
				__u64 data64[DUMP_DATA_LEN / 8];
			};
		};
		struct {
			uint32_t retval, retval_unpriv;
			union {
				__u8 data[DUMP_DATA_LEN];
				__u64 data64[DUMP_DATA_LEN / 8];
			};
		} retvals[DUMP_MAX_RUNS];
	};
	enum bpf_attach_type expected_attach_type;
	const char *kfunc;
	struct bpf_func_info func_info[8];
	int func_info_cnt;
	char btf_strings[256];
	__u32 btf_types[256];
};

#include "cases.h"

static void str(const char *key, const char *s)
{
	printf(",\"%s\":\"", key);
	for (; s && *s; s++) {
		unsigned char c = *s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void fixups(const char *key, const int *at)
{
	if (!at[0])
		return;
	printf(",\"%s\":[", key);
	for (int i = 0; i < DUMP_MAX_FIXUPS && at[i]; i++)
		printf("%s%d", i ? "," : "", at[i]);
	putchar(']');
}

static int length(const struct bpf_insn *insns)
{
	int n = DUMP_MAX_INSNS;
	while (n > 0 && !memcmp(&insns[n - 1], &(struct bpf_insn){0}, sizeof(struct bpf_insn)))
		n--;
	return n;
}

static void dump(const char *file, const struct bpf_test *t)
{
	printf("{\"file\":\"%s\"", file);
	str("name", t->descr);
	printf(",\"insns\":\"");
	const unsigned char *b = (const unsigned char *)t->insns;
	int n = t->prog_len ? t->prog_len : length(t->insns);
	for (int i = 0; i < n * 8; i++)
		printf("%02x", b[i]);
	putchar('"');
	printf(",\"prog_type\":%d,\"result\":%d,\"result_unpriv\":%d,\"flags\":%d",
	       t->prog_type, t->result, t->result_unpriv, t->flags);
	printf(",\"expected_attach_type\":%d,\"runs\":%d", t->expected_attach_type, t->runs);
	printf(",\"retval\":%u,\"retval_unpriv\":%u", t->retval, t->retval_unpriv);
	if (t->errstr)
		str("errstr", t->errstr);
	if (t->errstr_unpriv)
		str("errstr_unpriv", t->errstr_unpriv);
	printf(",\"data\":\"");
	for (int i = 0; i < DUMP_DATA_LEN; i++)
		printf("%02x", t->data[i]);
	putchar('"');
	printf(",\"needs\":\"%s%s%s%s\"", t->fill_helper ? "generator " : "",
	       t->kfunc || t->fixup_kfunc_btf_id[0].kfunc ? "kfunc " : "",
	       t->func_info_cnt || t->btf_types[0] ? "btf " : "",
	       t->expected_insns[0].code || t->unexpected_insns[0].code ? "" : "");
	fixups("hash_8b", t->fixup_map_hash_8b);
	fixups("hash_48b", t->fixup_map_hash_48b);
	fixups("hash_16b", t->fixup_map_hash_16b);
	fixups("array_48b", t->fixup_map_array_48b);
	fixups("sockmap", t->fixup_map_sockmap);
	fixups("sockhash", t->fixup_map_sockhash);
	fixups("xskmap", t->fixup_map_xskmap);
	fixups("stacktrace", t->fixup_map_stacktrace);
	fixups("prog1", t->fixup_prog1);
	fixups("prog2", t->fixup_prog2);
	fixups("map_in_map", t->fixup_map_in_map);
	fixups("cgroup_storage", t->fixup_cgroup_storage);
	fixups("percpu_cgroup_storage", t->fixup_percpu_cgroup_storage);
	fixups("spin_lock", t->fixup_map_spin_lock);
	fixups("array_ro", t->fixup_map_array_ro);
	fixups("array_wo", t->fixup_map_array_wo);
	fixups("array_small", t->fixup_map_array_small);
	fixups("sk_storage", t->fixup_sk_storage_map);
	fixups("event_output", t->fixup_map_event_output);
	fixups("reuseport_array", t->fixup_map_reuseport_array);
	fixups("ringbuf", t->fixup_map_ringbuf);
	fixups("timer", t->fixup_map_timer);
	fixups("kptr", t->fixup_map_kptr);
	printf("}\n");
}

int main(void)
{
	for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++)
		for (size_t i = 0; i < files[f].n; i++)
			dump(files[f].name, &files[f].tests[i]);
	return 0;
}
