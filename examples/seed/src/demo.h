/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the two cores of the seed example agree on: the messages they
 * exchange on "my_endpoint" and how they use the seed's shared_ram region.
 */
#ifndef SEED_DEMO_H
#define SEED_DEMO_H

#include <stdint.h>

/* Pings the app core sends; the net core answers each with "pong <n>". */
#define DEMO_PINGS 5u

/* The k_spinlock lives at the start of the uncached demo_lock region; in
 * shared_ram (cacheable) are a counter both cores increment under it, on a
 * cache line of its own, and a data block the app core writes and the net
 * core checks. */
#define DEMO_COUNTER_OFF 64u
#define DEMO_BLOCK_OFF 4096u
#define DEMO_BLOCK_LEN 16384u

/* Increments each core makes under the cross-core lock. */
#define DEMO_LOCK_ROUNDS 20000u

/* Payload bytes of the zero-copy message (after its "zc " tag). */
#define DEMO_ZC_LEN 400u

/* Bound on every wait of the story (milliseconds). */
#define DEMO_WAIT_MS 10000

#if defined(__GNUC__)
#define DEMO_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DEMO_PRINTF(f, a)
#endif

/* Byte i of the data block for a given seed (both cores compute it). */
static inline uint8_t demo_pattern(uint32_t seed, uint32_t i)
{
	uint32_t x = (seed ^ (i * 2654435761u)) + (i >> 7);

	return (uint8_t)(x ^ (x >> 13) ^ (x >> 24));
}

#endif /* SEED_DEMO_H */
