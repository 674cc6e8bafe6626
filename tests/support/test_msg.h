/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Self-checking test messages shared by the two-process tests: message number
 * `seq` has a length derived from seq (1..max), carries seq in its first four
 * bytes and an FNV-1a checksum of the rest in its last four, so a lost,
 * repeated, reordered or corrupted message is recognised by the receiver alone.
 */
#ifndef AMP_TEST_MSG_H
#define AMP_TEST_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Length of message @p seq: 1..@p max bytes. */
size_t amp_test_msg_len(uint32_t seq, uint32_t max);

/** Fill @p b with the @p len bytes of message @p seq. */
void amp_test_msg_fill(uint8_t *b, size_t len, uint32_t seq);

/** True if @p d / @p len is exactly message @p seq (of a stream with limit @p max). */
bool amp_test_msg_check(const uint8_t *d, size_t len, uint32_t seq, uint32_t max);

#endif /* AMP_TEST_MSG_H */
