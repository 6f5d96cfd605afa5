/*
 * sum_loop: a pure 64-bit ALU loop, no memory. 50000 iterations of
 * x = x*0x5851f42d + i; x ^= x >> 29; acc = rotl(acc, 5) ^ x.
 * Returns acc.
 */
#include "workload.h"

const uint64_t workload_mem_size = 0;

uint64_t workload(uint8_t *mem, uint64_t size)
{
	uint64_t acc = 0;
	uint64_t x = 0x9e3779b97f4a7c15;

	(void)mem;
	(void)size;
	OPAQUE(x); /* no folding at compile time */
	for (uint64_t i = 0; i < 50000; i++) {
		x = x * 0x5851f42d + i;
		x ^= x >> 29;
		acc = ((acc << 5) | (acc >> 59)) ^ x;
	}
	return acc;
}
