/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/pbuf.h
 * @brief pbuf: the single-producer/single-consumer packet ring of Zephyr's ICMsg,
 * byte-compatible with Zephyr.
 *
 * One pbuf occupies one shared region and carries packets in one direction.
 * Layout (offsets from the region start; A = dcache alignment, H = handshake
 * word present, W = max(A, H ? 8 : 4)):
 *
 *   0        u32 rd_idx      written by the reader
 *   4        u32 handshake   written by the reader (only if H)
 *   W        u32 wr_idx      written by the writer
 *   W+4      data[len]       written by the writer; len = size - W - 4
 *
 * A packet is a 4-byte header (payload length as big-endian u16, then two
 * zero bytes) followed by the payload, padded so the next packet starts on a
 * 4-byte boundary; the payload may wrap to data[0]. One 4-byte slot always
 * stays free, so the largest payload is len - 8.
 *
 * Each side keeps a private copy of its own index and never trusts the shared
 * copy of it. Every value read from the peer (its index, the packet length) is
 * loaded once, checked, then used; violations are reported, never followed.
 * Error codes match Zephyr's where Zephyr defines them (so golden vectors
 * replay byte for byte), with AMP_EPROTO for peer corruption Zephyr does not
 * detect.
 */
#ifndef AMPLINK_PBUF_H
#define AMPLINK_PBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Size of an index word, the packet header, and the alignment of packets. */
#define AMP_PBUF_IDX_SIZE 4
/** Smallest valid data area. */
#define AMP_PBUF_MIN_DATA_LEN 12
/** Largest payload the wire format can express. */
#define AMP_PBUF_MAX_PACKET 65535u

/** Offset of wr_idx for dcache alignment @p a and handshake flag @p hs. */
#define AMP_PBUF_WR_IDX_OFFSET(a, hs) ((a) > ((hs) ? 8u : 4u) ? (a) : ((hs) ? 8u : 4u))
/** Offset of data[] in the region. */
#define AMP_PBUF_DATA_OFFSET(a, hs) (AMP_PBUF_WR_IDX_OFFSET(a, hs) + 4u)
/** Length of data[] in a region of @p size bytes. */
#define AMP_PBUF_DATA_LEN(size, a, hs) ((size) - AMP_PBUF_DATA_OFFSET(a, hs))

/** Immutable configuration of one pbuf (both sides must agree on all fields). */
struct amp_pbuf_cfg {
	void *region;            /**< start of the shared region (this core's view) */
	uint32_t size;           /**< region size in bytes, multiple of 4 */
	uint32_t dcache_align;   /**< A: 0 (none), or a power of two >= 4 */
	bool handshake;          /**< H: reserve the handshake word (ICMsg v2) */
};

/** One side's private state of a pbuf (caller-owned). */
struct amp_pbuf {
	const struct amp_pbuf_cfg *cfg;
	volatile uint32_t *rd_idx_loc;    /**< shared rd_idx */
	volatile uint32_t *handshake_loc; /**< shared handshake word, or NULL */
	volatile uint32_t *wr_idx_loc;    /**< shared wr_idx */
	volatile uint8_t *data_loc;       /**< shared data[] */
	uint32_t len;                     /**< length of data[] */
	uint32_t rd_idx;                  /**< private copy (the reader's own index) */
	uint32_t wr_idx;                  /**< private copy (the writer's own index) */
};

/**
 * @brief Check a configuration as Zephyr does (alignments, sizes, and the
 * handshake word needing A >= 8).
 * @retval 0 valid  @retval AMP_EINVAL invalid
 * Context: any.
 */
int amp_pbuf_cfg_check(const struct amp_pbuf_cfg *cfg);

/**
 * @brief Initialise the writer side: private indices 0, and both shared indices
 * set to 0 (and flushed). data[] is not cleared.
 * @retval 0 done  @retval AMP_EINVAL NULL or invalid configuration
 * Context: any. Lifetime: @p cfg must outlive @p pb.
 */
int amp_pbuf_tx_init(struct amp_pbuf *pb, const struct amp_pbuf_cfg *cfg);

/**
 * @brief Initialise the reader side: private indices 0; writes nothing shared.
 * @retval 0 done  @retval AMP_EINVAL NULL or invalid configuration
 */
int amp_pbuf_rx_init(struct amp_pbuf *pb, const struct amp_pbuf_cfg *cfg);

/**
 * @brief Write one packet of @p len bytes.
 * @return @p len on success
 * @retval AMP_EINVAL  NULL argument, len 0 or len > 65535, or the shared rd_idx
 *                     is misaligned (Zephyr's code for that case)
 * @retval AMP_EPROTO  the shared rd_idx is out of range (>= len): corrupt peer
 * @retval AMP_ENOMEM  not enough free space (nothing written)
 * Context: any. Concurrency: one writer.
 */
int amp_pbuf_write(struct amp_pbuf *pb, const void *data, size_t len);

/**
 * @brief Read one packet into @p buf, or peek its length.
 * @param buf     destination, or NULL to return the next packet's length without consuming it
 * @param maxlen  size of @p buf
 * @return payload length (0 if the ring is empty)
 * @retval AMP_EINVAL  NULL pb, or the shared wr_idx is misaligned
 * @retval AMP_EPROTO  shared wr_idx out of range: corrupt peer
 * @retval AMP_ENOMEM  the packet is longer than @p maxlen (nothing consumed)
 * @retval AMP_EAGAIN  the header claims more bytes than are in the ring
 * Context: any. Concurrency: one reader.
 */
int amp_pbuf_read(struct amp_pbuf *pb, void *buf, size_t maxlen);

/**
 * @brief Zero-copy read: locate the next packet without copying it.
 *
 * On success *first/*first_len cover the payload up to the end of data[] and
 * *second/*second_len the wrapped remainder (NULL/0 if none). The packet stays
 * in the ring until amp_pbuf_read_release().
 * @return payload length, 0 if empty, or the errors of amp_pbuf_read() (except ENOMEM)
 */
int amp_pbuf_read_peek(struct amp_pbuf *pb, const volatile uint8_t **first, size_t *first_len,
		       const volatile uint8_t **second, size_t *second_len);

/** @brief Consume the packet located by amp_pbuf_read_peek() (of payload @p len).
 *  @retval 0 done  @retval AMP_EINVAL no such packet */
int amp_pbuf_read_release(struct amp_pbuf *pb, size_t len);

/** @brief Free bytes available for the next packet's payload (0 if none), or a
 *  negative error as amp_pbuf_write() would report for a corrupt rd_idx. */
int amp_pbuf_write_space(struct amp_pbuf *pb);

/** @brief Read the handshake word of this pbuf (invalidate, barrier, load).
 *  Returns 0 when the pbuf has no handshake word. */
uint32_t amp_pbuf_handshake_read(struct amp_pbuf *pb);

/** @brief Write the handshake word (store, barrier, flush). No-op without one. */
void amp_pbuf_handshake_write(struct amp_pbuf *pb, uint32_t value);

/**
 * @brief Zephyr's pbuf_get_initial_buf(): look at the first packet the writer
 * placed at data[0] without consuming it (used to detect a v1 ICMsg peer).
 * @retval 0 found; *data/*len describe it (*data points into data[])
 * @retval AMP_EINVAL the private rd_idx is not 0, or no complete first packet
 */
int amp_pbuf_get_initial_buf(struct amp_pbuf *pb, const volatile uint8_t **data, size_t *len);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_PBUF_H */
