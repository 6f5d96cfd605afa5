/*
 * sort: copies the 32-bit little-endian words 0..255 of the buffer to words
 * 256..511 (so that every run does the same work), insertion-sorts that
 * copy in place (unsigned, ascending) and returns h over the sorted words,
 * h = h*31 + w. Returns 0 if the buffer is shorter than 2048 bytes.
 */
#include "workload.h"

const uint64_t workload_mem_size = 2048;

uint64_t workload(uint8_t *mem, uint64_t size)
{
	uint8_t *a = mem + 1024;
	uint64_t h = 0;

	if (size < 2048)
		return 0;
	for (int i = 0; i < 256; i++)
		store32(a + 4 * i, load32(mem + 4 * i));
	for (int i = 1; i < 256; i++) {
		uint32_t w = load32(a + 4 * i);
		int j = i;

		for (; j != 0; j--) {
			uint32_t prev = load32(a + 4 * (j - 1));

			if (prev <= w)
				break;
			store32(a + 4 * j, prev);
		}
		store32(a + 4 * j, w);
	}
	for (int i = 0; i < 256; i++)
		h = h * 31 + load32(a + 4 * i);
	return h;
}
