/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bounds-checked little/big-endian loads from a byte buffer. Every load takes
 * the buffer length and returns 0 for bytes outside it, so a decoder bug can
 * show a wrong value but can never read out of bounds.
 */
#ifndef AMP_INSPECT_BYTES_H
#define AMP_INSPECT_BYTES_H

#include <stddef.h>
#include <stdint.h>

static inline uint8_t amp_insp_u8(const uint8_t *b, size_t n, uint64_t off)
{
	return off < n ? b[off] : 0;
}

static inline uint16_t amp_insp_le16(const uint8_t *b, size_t n, uint64_t off)
{
	return (uint16_t)(amp_insp_u8(b, n, off) | (amp_insp_u8(b, n, off + 1) << 8));
}

static inline uint16_t amp_insp_be16(const uint8_t *b, size_t n, uint64_t off)
{
	return (uint16_t)((amp_insp_u8(b, n, off) << 8) | amp_insp_u8(b, n, off + 1));
}

static inline uint32_t amp_insp_le32(const uint8_t *b, size_t n, uint64_t off)
{
	return (uint32_t)amp_insp_le16(b, n, off) | ((uint32_t)amp_insp_le16(b, n, off + 2) << 16);
}

static inline uint64_t amp_insp_le64(const uint8_t *b, size_t n, uint64_t off)
{
	return (uint64_t)amp_insp_le32(b, n, off) | ((uint64_t)amp_insp_le32(b, n, off + 4) << 32);
}

static inline uint32_t amp_insp_round_up(uint32_t x, uint32_t a)
{
	return a <= 1 ? x : (uint32_t)(((uint64_t)x + a - 1) / a * a);
}

#endif /* AMP_INSPECT_BYTES_H */
