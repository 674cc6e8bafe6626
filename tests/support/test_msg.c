/* SPDX-License-Identifier: Apache-2.0 */
/* Self-checking test messages; see test_msg.h. */
#include "test_msg.h"

#include <string.h>

static uint32_t amp_test_mix(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352du;
	x ^= x >> 15;
	x *= 0x846ca68bu;
	x ^= x >> 16;
	return x;
}

size_t amp_test_msg_len(uint32_t seq, uint32_t max)
{
	return 1u + amp_test_mix(seq * 2654435761u + 17u) % max;
}

void amp_test_msg_fill(uint8_t *b, size_t len, uint32_t seq)
{
	const uint8_t s = (uint8_t)amp_test_mix(seq);
	for (size_t k = 0; k < len; k++) {
		b[k] = (uint8_t)(s + k * 13u + (k >> 8));
	}
	if (len >= 4) {
		memcpy(b, &seq, 4);
	}
	if (len >= 8) {
		uint32_t sum = 0x811c9dc5u;
		for (size_t k = 0; k < len - 4; k++) {
			sum = (sum ^ b[k]) * 16777619u;
		}
		memcpy(b + len - 4, &sum, 4);
	}
}

bool amp_test_msg_check(const uint8_t *d, size_t len, uint32_t seq, uint32_t max)
{
	uint8_t want[70000];
	const size_t wlen = amp_test_msg_len(seq, max);
	if (len != wlen || wlen > sizeof(want)) {
		return false;
	}
	amp_test_msg_fill(want, wlen, seq);
	return memcmp(d, want, len) == 0;
}
