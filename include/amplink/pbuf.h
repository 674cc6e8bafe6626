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
 * stays free, so the largest payload is min(len - 8, 65535).
 * The full specification, with worked examples, is docs/SPEC-pbuf.md.
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
	uint32_t dcache_align;   /**< A: 0 (none) or a power of two (1 and 2 act as 4) */
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
	uint32_t rd_idx;                  /**< reader: its own index; writer: the reader's, as read last */
	uint32_t wr_idx;                  /**< private copy (the writer's own index) */
};

/**
 * @brief Check a configuration as Zephyr's pbuf does at init.
 *
 * Rules: @p cfg and its region non-NULL; dcache_align 0 or a power of two;
 * region aligned to MAX(A, 4); size a multiple of 4 leaving a data area of at
 * least AMP_PBUF_MIN_DATA_LEN bytes; and wr_idx exactly MAX(A, 4) bytes after
 * rd_idx, which with a handshake word means A >= 8 (A of 0 or 4 is rejected).
 *
 * @param cfg configuration to check
 * @retval 0          valid
 * @retval AMP_EINVAL invalid (Zephyr's -EINVAL); also a non-power-of-two A,
 *                    which Zephyr does not reject itself
 *
 * Context: any. Concurrency: reentrant. Lifetime: reads @p cfg only during the call.
 */
int amp_pbuf_cfg_check(const struct amp_pbuf_cfg *cfg);

/**
 * @brief Initialise the writer side.
 *
 * Private indices become 0 and both shared indices are set to 0 (then
 * flushed), so the ring reads as empty to the reader. data[] is not cleared.
 *
 * @param pb  state to initialise
 * @param cfg configuration (see amp_pbuf_cfg_check())
 * @retval 0          done
 * @retval AMP_EINVAL @p pb NULL or invalid configuration (nothing written)
 *
 * Context: any. Concurrency: not concurrently with any other call on @p pb.
 * Lifetime: @p cfg and its region must outlive @p pb.
 */
int amp_pbuf_tx_init(struct amp_pbuf *pb, const struct amp_pbuf_cfg *cfg);

/**
 * @brief Initialise the reader side: private indices 0; writes nothing shared.
 *
 * @param pb  state to initialise
 * @param cfg configuration (see amp_pbuf_cfg_check())
 * @retval 0          done
 * @retval AMP_EINVAL @p pb NULL or invalid configuration
 *
 * Context: any. Concurrency: not concurrently with any other call on @p pb.
 * Lifetime: @p cfg and its region must outlive @p pb.
 */
int amp_pbuf_rx_init(struct amp_pbuf *pb, const struct amp_pbuf_cfg *cfg);

/**
 * @brief Write one packet of @p len bytes (header, payload, then publish wr_idx).
 *
 * @param pb   writer state
 * @param data payload
 * @param len  payload length, 1..65535
 * @return @p len on success
 * The shared rd_idx is read only when the space known from the last read is
 * not enough (the reader only frees space), so a corrupt value is reported by
 * the first write that needs it, and never followed.
 * @retval AMP_EINVAL  NULL or uninitialised @p pb, NULL @p data, @p len 0 or
 *                     > 65535, or the shared rd_idx is misaligned (Zephyr's
 *                     code for that case)
 * @retval AMP_EPROTO  the shared rd_idx is out of range (>= len): corrupt peer
 * @retval AMP_ENOMEM  not enough free space (nothing written)
 *
 * Context: any. Concurrency: one writer per pbuf; concurrent with the reader.
 * Lifetime: @p data is only read during the call.
 */
int amp_pbuf_write(struct amp_pbuf *pb, const void *data, size_t len);

/**
 * @brief Read one packet into @p buf, or peek its length.
 *
 * A zero-length header (never produced by a correct writer) is consumed and
 * returns 0, exactly as Zephyr does.
 *
 * @param pb      reader state
 * @param buf     destination, or NULL to return the next packet's length
 *                without consuming it; the length is the header's claim and is
 *                not checked against what was published (as Zephyr)
 * @param maxlen  size of @p buf
 * @return payload length (0 if the ring is empty)
 * @retval AMP_EINVAL  NULL or uninitialised @p pb, or the shared wr_idx is misaligned
 * @retval AMP_EPROTO  shared wr_idx out of range (>= len): corrupt peer
 * @retval AMP_ENOMEM  the packet is longer than @p maxlen (nothing consumed)
 * @retval AMP_EAGAIN  the header claims more bytes than the writer published
 *                     (nothing consumed)
 *
 * Context: any. Concurrency: one reader per pbuf; concurrent with the writer.
 * Lifetime: @p buf is only written during the call.
 */
int amp_pbuf_read(struct amp_pbuf *pb, void *buf, size_t maxlen);

/**
 * @brief Zero-copy read: locate the next packet without copying it.
 *
 * On success the first piece (pointer, length) covers the payload up to the
 * end of data[] and the second piece the wrapped remainder (NULL, 0 if none);
 * both are cache-invalidated. The packet stays in the ring until
 * amp_pbuf_read_release(). Calling again before the release locates the same
 * packet.
 *
 * @param pb         reader state
 * @param first      receives the first piece
 * @param first_len  receives its length
 * @param second     receives the wrapped piece or NULL
 * @param second_len receives its length or 0
 * @return payload length (> 0), 0 if the ring is empty (pieces NULL, 0)
 * @retval AMP_EINVAL  NULL argument, uninitialised @p pb, or the shared wr_idx is misaligned
 * @retval AMP_EPROTO  shared wr_idx out of range, or a zero-length header: corrupt peer
 * @retval AMP_EAGAIN  the header claims more bytes than the writer published
 *
 * Context: any. Concurrency: one reader per pbuf.
 * Lifetime: the pieces stay valid until amp_pbuf_read_release(); they point
 * into shared memory the peer could (if hostile) still modify.
 */
int amp_pbuf_read_peek(struct amp_pbuf *pb, const volatile uint8_t **first, size_t *first_len,
		       const volatile uint8_t **second, size_t *second_len);

/**
 * @brief Consume the packet located by amp_pbuf_read_peek().
 *
 * The packet is located again (one more load of wr_idx) and must still have
 * payload length @p len; only then rd_idx advances past it.
 *
 * @param pb  reader state
 * @param len the payload length amp_pbuf_read_peek() returned
 * @retval 0          done
 * @retval AMP_EINVAL no such packet (ring empty or length differs), NULL or
 *                    uninitialised @p pb, or the shared wr_idx is misaligned
 * @retval AMP_EPROTO shared wr_idx out of range or zero-length header: corrupt peer
 * @retval AMP_EAGAIN the header claims more bytes than the writer published
 *
 * Context: any. Concurrency: one reader per pbuf. Lifetime: invalidates the
 * pieces returned by amp_pbuf_read_peek().
 */
int amp_pbuf_read_release(struct amp_pbuf *pb, size_t len);

/**
 * @brief Largest payload the next amp_pbuf_write() would accept now.
 *
 * @param pb writer state
 * @return free payload bytes (0 if none; at most AMP_PBUF_MAX_PACKET)
 * @retval AMP_EINVAL NULL or uninitialised @p pb, or the shared rd_idx is misaligned
 * @retval AMP_EPROTO the shared rd_idx is out of range: corrupt peer
 *
 * Context: any. Concurrency: writer side only.
 * Lifetime: none.
 */
int amp_pbuf_write_space(struct amp_pbuf *pb);

/**
 * @brief Read the handshake word of this pbuf (invalidate, barrier, load).
 *
 * @param pb either side's state (ICMsg v2: the writer reads the word its peer,
 *           the reader of this pbuf, wrote)
 * @return the word; 0 when @p pb is NULL or the pbuf has no handshake word
 *
 * Context: any. Concurrency: any number of readers. Lifetime: none.
 */
uint32_t amp_pbuf_handshake_read(struct amp_pbuf *pb);

/**
 * @brief Write the handshake word (store, barrier, flush).
 *
 * No-op when @p pb is NULL or the pbuf has no handshake word.
 *
 * @param pb    reader-side state (the word sits on the reader's cache line)
 * @param value the word to store
 *
 * Context: any. Concurrency: one writer of the word (the reader of this pbuf).
 * Lifetime: none.
 */
void amp_pbuf_handshake_write(struct amp_pbuf *pb, uint32_t value);

/**
 * @brief Zephyr's pbuf_get_initial_buf(): look at the first packet the writer
 * placed at data[0] without consuming it (used to detect a v1 ICMsg peer).
 *
 * Requires 0 < wr_idx < len, wr_idx <= 65535 and the header at data[0] to
 * claim at most wr_idx - 4 bytes, as Zephyr does.
 *
 * @param pb   reader state, before anything was read (private rd_idx 0)
 * @param data receives a pointer to the payload (data[4], invalidated)
 * @param len  receives the payload length
 * @retval 0          found
 * @retval AMP_EINVAL NULL argument, the private rd_idx is not 0, or no
 *                    complete first packet (also for a corrupt wr_idx)
 *
 * Context: any. Concurrency: reader side only.
 * Lifetime: *data stays valid until the packet is consumed.
 */
int amp_pbuf_get_initial_buf(struct amp_pbuf *pb, const volatile uint8_t **data, size_t *len);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_PBUF_H */
