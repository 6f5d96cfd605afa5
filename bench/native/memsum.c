/*
 * memsum: the sum of the 64-bit little-endian words of the buffer (a word
 * is read only while its end offset is <= size), 16 passes, with
 * sum ^= sum >> 17 after each pass. Returns sum.
 */
#include "workload.h"

const uint64_t workload_mem_size = 65536;

uint64_t workload(uint8_t *mem, uint64_t size)
{
	uint64_t sum = 0;

	for (uint64_t pass = 0; pass < 16; pass++) {
		const uint8_t *p = mem;

		for (uint64_t end = 8; end <= size; end += 8, p += 8)
			sum += load64(p);
		sum ^= sum >> 17;
	}
	return sum;
}
