/*
 * fnv1a: the FNV-1a 64-bit hash of the size bytes at mem (byte loads, xor,
 * 64-bit multiply). Returns the hash.
 */
#include "workload.h"

const uint64_t workload_mem_size = 65536;

uint64_t workload(uint8_t *mem, uint64_t size)
{
	uint64_t h = 0xcbf29ce484222325;

	for (uint64_t i = 0; i < size; i++) {
		h ^= mem[i];
		h *= 0x100000001b3;
	}
	return h;
}
