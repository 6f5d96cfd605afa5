/*
 * prime: the primes below 2500 by trial division (64-bit multiply and
 * modulo), leaving the divisor loop at the first divisor found or once
 * d*d > n. Returns h over the primes p in increasing order, h = h*31 + p.
 */
#include "workload.h"

const uint64_t workload_mem_size = 0;

uint64_t workload(uint8_t *mem, uint64_t size)
{
	uint64_t h = 0;
	uint64_t first = 2;

	(void)mem;
	(void)size;
	OPAQUE(first); /* no folding at compile time */
	for (uint64_t n = first; n < 2500; n++) {
		for (uint64_t d = 2;; d++) {
			if (d * d > n) {
				h = h * 31 + n;
				break;
			}
			if (n % d == 0)
				break;
		}
	}
	return h;
}
