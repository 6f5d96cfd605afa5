/*
 * driver.c runs one native benchmark workload (linked in from its own file)
 * a number of times on the suite's buffer and prints the result and the
 * least thread CPU time of one run:
 *
 *	usage: WORKLOAD [RUNS]
 *	result=0x3babf55f4ea33e81 mem-size=0 best-us=104.512 runs=20
 *
 * Every run must return the same result; the program fails otherwise.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "workload.h"

/* sink keeps each run's result alive. */
static volatile uint64_t sink;

/* thread_cpu_ns returns the calling thread's CPU time in nanoseconds. */
static int64_t thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) {
		perror("clock_gettime");
		exit(2);
	}
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	/* Called through a volatile pointer: no run can be merged or hoisted. */
	uint64_t (*volatile run)(uint8_t *, uint64_t) = workload;
	long runs = 1;
	uint8_t *mem = NULL;
	uint64_t result = 0;
	int64_t best = -1;

	if (argc > 2) {
		fprintf(stderr, "usage: %s [RUNS]\n", argv[0]);
		return 2;
	}
	if (argc == 2) {
		char *end;

		errno = 0;
		runs = strtol(argv[1], &end, 10);
		if (errno != 0 || *end != '\0' || end == argv[1] || runs < 1) {
			fprintf(stderr, "%s: bad run count '%s'\n", argv[0], argv[1]);
			return 2;
		}
	}
	if (workload_mem_size > 0) {
		mem = malloc(workload_mem_size);
		if (mem == NULL) {
			perror("malloc");
			return 2;
		}
		for (uint64_t i = 0; i < workload_mem_size; i++)
			mem[i] = (uint8_t)((i * 31 + 7) & 0xff);
	}
	for (long r = 0; r < runs; r++) {
		uint8_t *m = mem;
		uint64_t size = workload_mem_size;
		int64_t start, t;
		uint64_t r0;

		OPAQUE(m);
		OPAQUE(size);
		start = thread_cpu_ns();
		r0 = run(m, size);
		t = thread_cpu_ns() - start;
		sink = r0;
		if (r == 0)
			result = r0;
		else if (r0 != result) {
			fprintf(stderr, "%s: run %ld returned 0x%016" PRIx64 ", run 0 returned 0x%016" PRIx64 "\n",
				argv[0], r, r0, result);
			return 1;
		}
		if (best < 0 || t < best)
			best = t;
	}
	printf("result=0x%016" PRIx64 " mem-size=%" PRIu64 " best-us=%.3f runs=%ld\n",
	       result, workload_mem_size, (double)best / 1000, runs);
	free(mem);
	return 0;
}
