/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Decoders of amplink's shared-memory formats for `amplink inspect`.
 *
 * Every decoder reads from a private byte-buffer copy of the region (never
 * from a live mapping: the peer may change or truncate it underneath us) and
 * treats every byte as hostile: each value is range-checked before it is used
 * as an offset, and loops are bounded by the region size. A broken invariant
 * becomes a finding with the region-relative offset of the offending field;
 * decoding then continues as far as it safely can.
 *
 * Formats: Zephyr pbuf (one region), ICMsg (two pbuf regions plus the v2
 * handshake words and the v1 magic packet) and RPMsg over Zephyr static vrings
 * (one region: status byte, buffer pool, two virtio split rings).
 */
#ifndef AMP_INSPECT_DECODE_H
#define AMP_INSPECT_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AMP_INSP_MAX_FINDINGS 64
#define AMP_INSP_MAX_PACKETS 256
#define AMP_INSP_HEAD_BYTES 16
#define AMP_INSP_MAX_VRING 256 /* descriptors shown per ring */
#define AMP_INSP_MAX_NS 32

/** One broken invariant. */
struct amp_insp_finding {
	int region;          /**< index of the region (0 or 1) */
	uint32_t offset;     /**< byte offset of the offending field in that region */
	char code[32];       /**< stable identifier, e.g. "wr_idx_misaligned" */
	char text[160];      /**< human explanation */
};

struct amp_insp_findings {
	unsigned n;
	unsigned dropped; /**< findings beyond AMP_INSP_MAX_FINDINGS */
	struct amp_insp_finding f[AMP_INSP_MAX_FINDINGS];
};

/** Add a finding (printf-style explanation). */
void amp_insp_add(struct amp_insp_findings *fs, int region, uint32_t offset, const char *code,
		  const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 5, 6)))
#endif
	;

/** True if a finding with @p code exists (at @p offset unless offset is UINT32_MAX). */
bool amp_insp_has(const struct amp_insp_findings *fs, const char *code, uint32_t offset);

/* ---- pbuf ---------------------------------------------------------------- */

struct amp_insp_pbuf_cfg {
	uint32_t size;         /**< region size */
	uint32_t dcache_align; /**< A */
	bool handshake;        /**< H */
};

struct amp_insp_packet {
	uint32_t hdr_idx;   /**< index of the header in data[] */
	uint32_t len;       /**< payload length from the header */
	uint16_t reserved;  /**< header bytes 2..3 */
	uint32_t nhead;     /**< bytes in head[] */
	uint8_t head[AMP_INSP_HEAD_BYTES];
	bool wraps;         /**< payload continues at data[0] */
	bool complete;      /**< all payload bytes lie inside the occupied part */
};

struct amp_insp_pbuf {
	struct amp_insp_pbuf_cfg cfg;
	int region;            /**< region index used for findings */
	bool layout_ok;        /**< false: the configuration cannot describe a pbuf */
	uint32_t rd_off, hs_off, wr_off, data_off, data_len; /**< hs_off = 0 when no handshake */
	uint32_t rd_idx, wr_idx, handshake;
	bool idx_ok;           /**< both indices aligned and in range */
	uint32_t used;         /**< occupied bytes */
	uint32_t free;         /**< Zephyr's free count (len - used - 4) */
	uint32_t max_write;    /**< largest payload a write would accept now */
	unsigned npackets;     /**< pending packets found (complete or not) */
	bool more;             /**< more packets than AMP_INSP_MAX_PACKETS */
	struct amp_insp_packet pkt[AMP_INSP_MAX_PACKETS];
	/* Packet at data[0] (what ICMsg's magic detection looks at). */
	bool first_valid;
	uint32_t first_len;
	uint8_t first_head[AMP_INSP_HEAD_BYTES];
	uint32_t first_nhead;
};

/** Compute the layout; returns false (with a finding) if @p cfg is unusable. */
bool amp_insp_pbuf_layout(struct amp_insp_pbuf *out, const struct amp_insp_pbuf_cfg *cfg,
			  int region, struct amp_insp_findings *fs);

/** Decode one pbuf region. @p buf holds @p buflen bytes (less than cfg->size is a finding). */
void amp_insp_pbuf_decode(struct amp_insp_pbuf *out, const struct amp_insp_pbuf_cfg *cfg,
			  const uint8_t *buf, size_t buflen, int region,
			  struct amp_insp_findings *fs);

/* ---- ICMsg --------------------------------------------------------------- */

enum amp_insp_unbound { AMP_INSP_UNBOUND_DISABLE, AMP_INSP_UNBOUND_ENABLE, AMP_INSP_UNBOUND_DETECT };

struct amp_insp_icmsg_cfg {
	uint32_t size;          /**< size of each region */
	uint32_t dcache_align;
	enum amp_insp_unbound unbound;
	uint32_t rx_buffer_size; /**< peer's largest receivable packet (0 = unknown) */
};

enum amp_insp_magic { AMP_INSP_MAGIC_ABSENT, AMP_INSP_MAGIC_PENDING, AMP_INSP_MAGIC_CONSUMED };

/** One side's view. Region 0 is written by side A (read by B), region 1 by B. */
struct amp_insp_icmsg {
	struct amp_insp_icmsg_cfg cfg;
	struct amp_insp_pbuf dir[2];   /**< [0] = A->B, [1] = B->A */
	enum amp_insp_magic magic[2];  /**< magic packet in each direction */
	bool has_handshake;
	/* v2 handshake: side A writes the word of region 1 (it reads it), B of region 0. */
	uint16_t sid[2];   /**< [0] = A's requested session, [1] = B's */
	uint16_t ack[2];   /**< [0] = A's ack of B's session, [1] = B's ack of A's */
	bool bound_v2;     /**< both sessions requested and mutually acknowledged */
	bool bound_v1;     /**< both magics consumed */
	unsigned oversize; /**< pending packets longer than rx_buffer_size */
};

void amp_insp_icmsg_decode(struct amp_insp_icmsg *out, const struct amp_insp_icmsg_cfg *cfg,
			   const uint8_t *a2b, size_t a2b_len, const uint8_t *b2a, size_t b2a_len,
			   struct amp_insp_findings *fs);

/** The 13-byte ICMsg bonding magic. */
extern const uint8_t amp_insp_icmsg_magic[13];

/* ---- RPMsg static vrings ------------------------------------------------- */

struct amp_insp_rpmsg_cfg {
	uint32_t size;          /**< region size */
	uint64_t addr;          /**< address both cores see the region at (descriptors hold these) */
	uint32_t buffer_size;   /**< zephyr,buffer-size (default 512) */
	uint32_t mem_align;     /**< CONFIG_IPC_SERVICE_STATIC_VRINGS_MEM_ALIGNMENT (default 4) */
};

struct amp_insp_rpmsg_msg {
	uint16_t desc;         /**< descriptor index */
	uint64_t addr;         /**< descriptor address */
	uint32_t src, dst, reserved;
	uint16_t len, flags;
	uint32_t nhead;
	uint8_t head[AMP_INSP_HEAD_BYTES];
	bool hdr_ok;           /**< buffer inside the region, header readable */
};

struct amp_insp_vring {
	uint32_t off;           /**< offset of the ring in the region */
	uint32_t avail_off, used_off;
	uint16_t avail_flags, avail_idx, used_event;
	uint16_t used_flags, used_idx, avail_event;
	uint16_t outstanding;   /**< avail_idx - used_idx: buffers the device (remote) holds */
	bool idx_ok;
	unsigned nbufs;         /**< distinct descriptors pointing into the pool */
	unsigned npending;      /**< messages waiting for the reader of this ring */
	struct amp_insp_rpmsg_msg pending[AMP_INSP_MAX_VRING];
};

struct amp_insp_ns {
	char name[33];
	uint32_t addr, flags;
	uint16_t desc;
	int ring;
};

struct amp_insp_rpmsg {
	struct amp_insp_rpmsg_cfg cfg;
	bool layout_ok;
	uint32_t status_size, num_desc, vring_bytes;
	uint32_t pool_off, pool_size, used_shm_size;
	uint8_t status;
	struct amp_insp_vring ring[2]; /**< [0] = vring0 remote->host, [1] = vring1 host->remote */
	unsigned host_rx_free;   /**< vring0: empty buffers posted to the remote */
	unsigned host_rx_owned;  /**< vring0: filled buffers with the host (unread or held) */
	unsigned host_tx_owned;  /**< vring1: transmit buffers back with the host */
	unsigned remote_tx_owned;/**< vring1: host messages the remote has not returned */
	unsigned nns;
	struct amp_insp_ns ns[AMP_INSP_MAX_NS];
};

/** Zephyr's static-vrings layout for @p cfg; false (with a finding) if it does not fit. */
bool amp_insp_rpmsg_layout(struct amp_insp_rpmsg *out, const struct amp_insp_rpmsg_cfg *cfg,
			   struct amp_insp_findings *fs);

void amp_insp_rpmsg_decode(struct amp_insp_rpmsg *out, const struct amp_insp_rpmsg_cfg *cfg,
			   const uint8_t *buf, size_t buflen, struct amp_insp_findings *fs);

#endif /* AMP_INSPECT_DECODE_H */
