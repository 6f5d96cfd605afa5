/*
 * calls: a loop that calls a small function 100000 times (the cost of a
 * call): acc = mix(i, acc) for i = 0..99999. Returns acc.
 */
#include "workload.h"

const uint64_t workload_mem_size = 0;

/*
 * mix is the callee. It stays a real call, as in the BPF program: the
 * workload measures calls, and an inlined body would measure none.
 */
__attribute__((noinline)) static uint64_t mix(uint64_t i, uint64_t acc)
{
	return (acc ^ i) * 0x2f + (acc >> 3);
}

uint64_t workload(uint8_t *mem, uint64_t size)
{
	uint64_t acc = 0;

	(void)mem;
	(void)size;
	OPAQUE(acc); /* no folding at compile time */
	for (uint64_t i = 0; i < 100000; i++)
		acc = mix(i, acc);
	return acc;
}
