/*
 * workload.h: what each native benchmark workload provides to driver.c.
 *
 * Each workload file is the plain-C version of one program of the shared
 * benchmark suite (its *.data file): the same constants, the same loop
 * bounds and the same result. driver.c runs it and times it.
 */
#ifndef GBPF_NATIVE_WORKLOAD_H
#define GBPF_NATIVE_WORKLOAD_H

#include <stdint.h>
#include <string.h>

/*
 * workload runs the program once on the size bytes at mem (mem is NULL and
 * size 0 when the workload uses no memory) and returns its r0.
 */
uint64_t workload(uint8_t *mem, uint64_t size);

/* workload_mem_size is the workload's buffer size: its "-- mem-size". */
extern const uint64_t workload_mem_size;

/*
 * OPAQUE(x) makes the compiler forget what it knows about x's value,
 * without emitting an instruction, so that it cannot compute a result at
 * compile time or move work out of a loop.
 */
#define OPAQUE(x) __asm__ volatile("" : "+r"(x))

/* load64 reads the little-endian 64-bit word at p. */
static inline uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* load32 reads the little-endian 32-bit word at p. */
static inline uint32_t load32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

/* store32 writes v at p as a little-endian 32-bit word. */
static inline void store32(uint8_t *p, uint32_t v)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	memcpy(p, &v, sizeof v);
}

#endif
