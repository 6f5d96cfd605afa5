/* A fixture for the provenance test, written for it: a small open-addressing
 * hash table of counters, in C, as a reference file the checker indexes.
 */
#include <stdint.h>

#define SLOTS 64

struct slot {
	uint64_t key;
	uint64_t count;
	int used;
};

static struct slot table[SLOTS];

/* Mix the bits of the key so that nearby keys land in distant slots, then
 * probe linearly from the home slot until the key or a free slot is found.
 */
static uint64_t mix(uint64_t key)
{
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	key *= 0xc4ceb9fe1a85ec53ULL;
	key ^= key >> 33;
	return key;
}

int count_key(uint64_t key, uint64_t delta)
{
	uint64_t home = mix(key) & (SLOTS - 1);
	uint64_t probe;

	for (probe = 0; probe < SLOTS; probe++) {
		struct slot *s = &table[(home + probe) & (SLOTS - 1)];

		if (!s->used) {
			s->used = 1;
			s->key = key;
			s->count = delta;
			return 0;
		}
		if (s->key == key) {
			s->count += delta;
			return 0;
		}
	}
	/* The table is full: the caller drops the event and counts the drop. */
	return -1;
}

uint64_t total(void)
{
	uint64_t sum = 0;
	int i;

	for (i = 0; i < SLOTS; i++)
		if (table[i].used)
			sum += table[i].count;
	return sum;
}
