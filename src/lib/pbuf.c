/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pbuf: Zephyr-compatible single-producer/single-consumer packet ring.
 * The wire format and the rules are in docs/SPEC-pbuf.md; this file follows
 * that document step by step.
 *
 * Trust model: the peer owns half of the words in the region. Every word the
 * peer writes (its index, a packet header) is loaded exactly once into a
 * local, checked, and only the checked local is used afterwards. Our own
 * index lives in private memory (struct amp_pbuf) and the shared copy of it
 * is only ever written, never read back.
 */
#include "amp_log.h"

#include <amplink/errno.h>
#include <amplink/pbuf.h>
#include <amplink/port.h>

#include <string.h>

#if defined(__BYTE_ORDER__) && (__BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__)
#error "pbuf: shared indices are little-endian; a big-endian core needs byte swapping here"
#endif

/* Header bytes: big-endian u16 length, then two reserved bytes written as 0. */
#define AMP_PBUF_HDR_SIZE 4u

_Static_assert(AMP_PBUF_IDX_SIZE == 4, "index word is 4 bytes");
_Static_assert(AMP_PBUF_WR_IDX_OFFSET(0u, 0) == 4u, "layout A=0 H=0");
_Static_assert(AMP_PBUF_WR_IDX_OFFSET(0u, 1) == 8u, "layout A=0 H=1");
_Static_assert(AMP_PBUF_WR_IDX_OFFSET(32u, 1) == 32u, "layout A=32 H=1");
_Static_assert(AMP_PBUF_DATA_OFFSET(8u, 1) == 12u, "layout A=8 H=1");
_Static_assert(AMP_PBUF_DATA_LEN(2048u, 0u, 0) == 2040u, "layout 2048/0/0");

/*
 * Data[] is written and read with plain memcpy for speed. The pointer loses
 * its volatile qualifier through uintptr_t; ordering against the index words
 * comes from the acquire/release fences, which are also compiler barriers.
 */
static uint8_t *amp_pbuf_plain(volatile uint8_t *p)
{
	return (uint8_t *)(uintptr_t)p;
}

/* Bytes between rd and wr going forward (both < len, so no overflow). */
static uint32_t amp_pbuf_occupied(uint32_t len, uint32_t wr, uint32_t rd)
{
	return (wr >= rd) ? (wr - rd) : (len - (rd - wr));
}

/*
 * Index of the packet after one of payload @p plen whose header is at @p at.
 * Callers only advance over packets that fit (plen + 4 <= len - 4), so the
 * padded step is below len and one subtraction wraps it. Written so that no
 * intermediate exceeds len: no 64-bit arithmetic for regions up to 4 GiB.
 */
static uint32_t amp_pbuf_advance(uint32_t len, uint32_t at, uint32_t plen)
{
	const uint32_t step = AMP_PBUF_HDR_SIZE + ((plen + 3u) & ~3u);
	const uint32_t room = len - at; /* > 0: at < len */
	return step >= room ? step - room : at + step;
}

static bool amp_pbuf_pow2_or_zero(uint32_t v)
{
	return (v & (v - 1u)) == 0u;
}

int amp_pbuf_cfg_check(const struct amp_pbuf_cfg *cfg)
{
	if (cfg == NULL || cfg->region == NULL) {
		return AMP_EINVAL;
	}
	const uint32_t a = cfg->dcache_align;
	if (!amp_pbuf_pow2_or_zero(a)) {
		/* Zephyr does not reject this itself; no cache line has such a size. */
		return AMP_EINVAL;
	}
	const uint32_t base_align = a > AMP_PBUF_IDX_SIZE ? a : AMP_PBUF_IDX_SIZE;
	if (((uintptr_t)cfg->region & (base_align - 1u)) != 0u) {
		return AMP_EINVAL;
	}
	/*
	 * Zephyr places wr_idx exactly MAX(A, 4) bytes after rd_idx. With the
	 * handshake word the layout puts it at MAX(A, 8), so the two agree only
	 * when A >= 8: a handshake with A of 0 or 4 is rejected, as Zephyr does.
	 */
	const uint32_t wr_off = AMP_PBUF_WR_IDX_OFFSET(a, cfg->handshake);
	if (wr_off != base_align) {
		return AMP_EINVAL;
	}
	const uint64_t data_off = (uint64_t)wr_off + AMP_PBUF_IDX_SIZE;
	if ((cfg->size % AMP_PBUF_IDX_SIZE) != 0u ||
	    (uint64_t)cfg->size < data_off + AMP_PBUF_MIN_DATA_LEN) {
		return AMP_EINVAL;
	}
	return 0;
}

static int amp_pbuf_init_common(struct amp_pbuf *pb, const struct amp_pbuf_cfg *cfg)
{
	if (pb == NULL || amp_pbuf_cfg_check(cfg) != 0) {
		return AMP_EINVAL;
	}
	volatile uint8_t *base = (volatile uint8_t *)cfg->region;
	const uint32_t wr_off = AMP_PBUF_WR_IDX_OFFSET(cfg->dcache_align, cfg->handshake);

	pb->cfg = cfg;
	pb->rd_idx_loc = (volatile uint32_t *)(volatile void *)base;
	pb->handshake_loc = cfg->handshake
		? (volatile uint32_t *)(volatile void *)(base + AMP_PBUF_IDX_SIZE) : NULL;
	pb->wr_idx_loc = (volatile uint32_t *)(volatile void *)(base + wr_off);
	pb->data_loc = base + wr_off + AMP_PBUF_IDX_SIZE;
	pb->len = cfg->size - wr_off - AMP_PBUF_IDX_SIZE;
	pb->rd_idx = 0;
	pb->wr_idx = 0;
	return 0;
}

int amp_pbuf_tx_init(struct amp_pbuf *pb, const struct amp_pbuf_cfg *cfg)
{
	int rc = amp_pbuf_init_common(pb, cfg);
	if (rc != 0) {
		return rc;
	}
	/* The writer resets both indices: an empty ring from the reader's view too. */
	*pb->wr_idx_loc = 0;
	*pb->rd_idx_loc = 0;
	amp_port_mb();
	amp_port_dcache_clean(pb->wr_idx_loc, sizeof(uint32_t));
	amp_port_dcache_clean(pb->rd_idx_loc, sizeof(uint32_t));
	return 0;
}

int amp_pbuf_rx_init(struct amp_pbuf *pb, const struct amp_pbuf_cfg *cfg)
{
	return amp_pbuf_init_common(pb, cfg);
}

static bool amp_pbuf_ready(const struct amp_pbuf *pb)
{
	return pb != NULL && pb->cfg != NULL && pb->len >= AMP_PBUF_MIN_DATA_LEN;
}

/*
 * Load the index the peer owns: invalidate, barrier, one load, then check it.
 * Misalignment is Zephyr's -EINVAL; an index past the end is a corruption
 * Zephyr would follow, we refuse it.
 *
 * @p acquire adds a barrier after the load. The reader needs it: its loads of
 * the header and payload must not be satisfied before the load of wr_idx. The
 * writer does not: its stores into the ring depend on the loaded rd_idx
 * through the free-space check, and no CPU makes a store visible before the
 * branch it depends on is resolved (the argument of the Linux kernel's
 * circular-buffer producer).
 */
static int amp_pbuf_load_peer_idx(const struct amp_pbuf *pb, volatile uint32_t *loc,
				  const char *what, bool acquire, uint32_t *out)
{
	amp_port_dcache_invalidate(loc, sizeof(uint32_t));
	amp_port_acquire_fence();
	const uint32_t v = *loc;
	if (acquire) {
		amp_port_acquire_fence();
	}
	if ((v % AMP_PBUF_IDX_SIZE) != 0u) {
		AMP_LOGW("pbuf %p: peer %s 0x%x misaligned", (void *)pb->cfg->region,
			 what, (unsigned)v);
		return AMP_EINVAL;
	}
	if (v >= pb->len) {
		AMP_LOGW("pbuf %p: peer %s 0x%x out of range (len 0x%x)",
			 (void *)pb->cfg->region, what, (unsigned)v, (unsigned)pb->len);
		return AMP_EPROTO;
	}
	*out = v;
	return 0;
}

/* Free bytes for header + payload, keeping the one always-empty slot. */
static int amp_pbuf_free_bytes(struct amp_pbuf *pb, uint32_t *free_out)
{
	uint32_t rd;
	int rc = amp_pbuf_load_peer_idx(pb, pb->rd_idx_loc, "rd_idx", false, &rd);
	if (rc != 0) {
		return rc;
	}
	/* rd and wr are both aligned and < len, so occupied <= len - 4. */
	*free_out = pb->len - amp_pbuf_occupied(pb->len, pb->wr_idx, rd) - AMP_PBUF_IDX_SIZE;
	pb->rd_idx = rd; /* the writer's view of the reader (see amp_pbuf_write) */
	return 0;
}

int amp_pbuf_write(struct amp_pbuf *pb, const void *data, size_t len)
{
	if (!amp_pbuf_ready(pb) || data == NULL || len == 0u || len > AMP_PBUF_MAX_PACKET) {
		return AMP_EINVAL;
	}
	const uint32_t plen = (uint32_t)len;
	/* The reader only ever frees space, so the read index we saw last gives
	 * a lower bound of the free space without touching the line the reader
	 * keeps writing; only when that is not enough is the index read again. */
	uint32_t free_bytes =
		pb->len - amp_pbuf_occupied(pb->len, pb->wr_idx, pb->rd_idx) - AMP_PBUF_IDX_SIZE;
	if (free_bytes < plen + AMP_PBUF_HDR_SIZE) {
		int rc = amp_pbuf_free_bytes(pb, &free_bytes);
		if (rc != 0) {
			return rc;
		}
		if (free_bytes < plen + AMP_PBUF_HDR_SIZE) {
			return AMP_ENOMEM;
		}
	}

	const uint32_t blen = pb->len;
	const uint32_t wr = pb->wr_idx;
	uint8_t *const d = amp_pbuf_plain(pb->data_loc);
	const uint8_t hdr[AMP_PBUF_HDR_SIZE] = { (uint8_t)(plen >> 8), (uint8_t)plen, 0u, 0u };

	/* The header never wraps: wr is 4-aligned and len is a multiple of 4. */
	memcpy(&d[wr], hdr, sizeof(hdr));
	amp_port_dcache_clean(&d[wr], sizeof(hdr));

	uint32_t pos = wr + AMP_PBUF_HDR_SIZE;
	if (pos >= blen) {
		pos -= blen;
	}
	const uint32_t first = (blen - pos < plen) ? blen - pos : plen;
	memcpy(&d[pos], data, first);
	amp_port_dcache_clean(&d[pos], first);
	if (first < plen) {
		memcpy(&d[0], (const uint8_t *)data + first, plen - first);
		amp_port_dcache_clean(&d[0], plen - first);
	}

	/* Publish: data first, then the index the reader acts on. */
	const uint32_t next = amp_pbuf_advance(blen, wr, plen);
	pb->wr_idx = next;
	amp_port_release_fence();
	*pb->wr_idx_loc = next;
	/* ...and the index before whatever follows (the doorbell). */
	amp_port_release_fence();
	amp_port_dcache_clean(pb->wr_idx_loc, sizeof(uint32_t));
	return (int)plen;
}

int amp_pbuf_write_space(struct amp_pbuf *pb)
{
	if (!amp_pbuf_ready(pb)) {
		return AMP_EINVAL;
	}
	uint32_t free_bytes;
	int rc = amp_pbuf_free_bytes(pb, &free_bytes);
	if (rc != 0) {
		return rc;
	}
	if (free_bytes <= AMP_PBUF_HDR_SIZE) {
		return 0;
	}
	uint32_t space = free_bytes - AMP_PBUF_HDR_SIZE;
	return (int)(space > AMP_PBUF_MAX_PACKET ? AMP_PBUF_MAX_PACKET : space);
}

/* The packet at the private rd index, as one load of wr_idx describes it. */
struct amp_pbuf_pkt {
	uint32_t plen;     /**< payload length the header claims */
	uint32_t occupied; /**< bytes the writer has published from rd on */
};

/*
 * Load wr_idx once and read the header at rd. Returns 1 when there is a
 * packet, 0 when the ring is empty, or the error for a corrupt wr_idx. The
 * claimed length is not checked here: Zephyr's callers check it in a fixed
 * order (peek, then buffer size, then fill) and so do ours.
 */
static int amp_pbuf_locate(struct amp_pbuf *pb, struct amp_pbuf_pkt *pkt)
{
	uint32_t wr;
	int rc = amp_pbuf_load_peer_idx(pb, pb->wr_idx_loc, "wr_idx", true, &wr);
	if (rc != 0) {
		return rc;
	}
	const uint32_t rd = pb->rd_idx;
	if (rd == wr) {
		return 0;
	}
	volatile uint8_t *hdr = &pb->data_loc[rd];
	amp_port_dcache_invalidate(hdr, AMP_PBUF_HDR_SIZE);
	pkt->plen = ((uint32_t)hdr[0] << 8) | (uint32_t)hdr[1];
	pkt->occupied = amp_pbuf_occupied(pb->len, wr, rd);
	return 1;
}

/* A header claiming more than the writer published: Zephyr's -EAGAIN. */
static int amp_pbuf_check_fill(const struct amp_pbuf *pb, const struct amp_pbuf_pkt *pkt)
{
	if (pkt->occupied < pkt->plen + AMP_PBUF_HDR_SIZE) {
		AMP_LOGW("pbuf %p: packet of %u bytes but only %u published",
			 (void *)pb->cfg->region, (unsigned)pkt->plen, (unsigned)pkt->occupied);
		return AMP_EAGAIN;
	}
	return 0;
}

/* Split the payload of the packet at rd into the part up to the end of data[]
 * and the wrapped rest. */
static void amp_pbuf_payload(const struct amp_pbuf *pb, uint32_t plen, uint32_t *pos,
			     uint32_t *first)
{
	uint32_t p = pb->rd_idx + AMP_PBUF_HDR_SIZE;
	if (p >= pb->len) {
		p -= pb->len;
	}
	*pos = p;
	*first = (pb->len - p < plen) ? pb->len - p : plen;
}

/* Give the slot back to the writer: loads done, then publish rd. */
static void amp_pbuf_consume(struct amp_pbuf *pb, uint32_t plen)
{
	const uint32_t next = amp_pbuf_advance(pb->len, pb->rd_idx, plen);
	pb->rd_idx = next;
	amp_port_release_fence();
	*pb->rd_idx_loc = next;
	amp_port_release_fence();
	amp_port_dcache_clean(pb->rd_idx_loc, sizeof(uint32_t));
}

int amp_pbuf_read(struct amp_pbuf *pb, void *buf, size_t maxlen)
{
	if (!amp_pbuf_ready(pb)) {
		return AMP_EINVAL;
	}
	struct amp_pbuf_pkt pkt;
	int rc = amp_pbuf_locate(pb, &pkt);
	if (rc <= 0) {
		return rc;
	}
	if (buf == NULL) {
		/* Zephyr's peek reports the claimed length unchecked. */
		return (int)pkt.plen;
	}
	if (pkt.plen > maxlen) {
		return AMP_ENOMEM;
	}
	rc = amp_pbuf_check_fill(pb, &pkt);
	if (rc != 0) {
		return rc;
	}
	const uint32_t plen = pkt.plen;
	uint32_t pos, first;
	amp_pbuf_payload(pb, plen, &pos, &first);
	const uint8_t *d = amp_pbuf_plain(pb->data_loc);
	amp_port_dcache_invalidate(&d[pos], first);
	memcpy(buf, &d[pos], first);
	if (first < plen) {
		amp_port_dcache_invalidate(&d[0], plen - first);
		memcpy((uint8_t *)buf + first, &d[0], plen - first);
	}
	/* A zero-length header (never written by a correct writer) is consumed
	 * and reported as 0, exactly as Zephyr does. */
	amp_pbuf_consume(pb, plen);
	return (int)plen;
}

/*
 * The zero-copy path has no Zephyr counterpart, so it may be stricter: a
 * zero-length header would read as "empty" and wedge the ring silently, so it
 * is reported as corruption instead.
 */
static int amp_pbuf_locate_strict(struct amp_pbuf *pb, struct amp_pbuf_pkt *pkt)
{
	int rc = amp_pbuf_locate(pb, pkt);
	if (rc <= 0) {
		return rc;
	}
	if (pkt->plen == 0u) {
		AMP_LOGW("pbuf %p: zero-length packet header",
			 (void *)pb->cfg->region);
		return AMP_EPROTO;
	}
	rc = amp_pbuf_check_fill(pb, pkt);
	return rc != 0 ? rc : 1;
}

int amp_pbuf_read_peek(struct amp_pbuf *pb, const volatile uint8_t **first, size_t *first_len,
		       const volatile uint8_t **second, size_t *second_len)
{
	if (!amp_pbuf_ready(pb) || first == NULL || first_len == NULL || second == NULL ||
	    second_len == NULL) {
		return AMP_EINVAL;
	}
	*first = NULL;
	*second = NULL;
	*first_len = 0;
	*second_len = 0;
	struct amp_pbuf_pkt pkt;
	int rc = amp_pbuf_locate_strict(pb, &pkt);
	if (rc <= 0) {
		return rc;
	}
	uint32_t pos, n1;
	amp_pbuf_payload(pb, pkt.plen, &pos, &n1);
	amp_port_dcache_invalidate(&pb->data_loc[pos], n1);
	*first = &pb->data_loc[pos];
	*first_len = n1;
	if (n1 < pkt.plen) {
		amp_port_dcache_invalidate(&pb->data_loc[0], pkt.plen - n1);
		*second = &pb->data_loc[0];
		*second_len = pkt.plen - n1;
	}
	amp_port_acquire_fence();
	return (int)pkt.plen;
}

int amp_pbuf_read_release(struct amp_pbuf *pb, size_t len)
{
	if (!amp_pbuf_ready(pb)) {
		return AMP_EINVAL;
	}
	/* Stateless: locate the packet again and require the length the caller
	 * saw, so a release can never move rd past what the writer published. */
	struct amp_pbuf_pkt pkt;
	int rc = amp_pbuf_locate_strict(pb, &pkt);
	if (rc < 0) {
		return rc;
	}
	if (rc == 0 || pkt.plen != len) {
		return AMP_EINVAL;
	}
	amp_pbuf_consume(pb, pkt.plen);
	return 0;
}

uint32_t amp_pbuf_handshake_read(struct amp_pbuf *pb)
{
	if (pb == NULL || pb->handshake_loc == NULL) {
		return 0;
	}
	/* Loads only on both sides: the packet loads before it complete first
	 * (a reader's "load, then check the session"), and whatever the caller
	 * loads next depends on this one. No store-to-load ordering is needed,
	 * so acquire fences do instead of full barriers (one per packet). */
	amp_port_dcache_invalidate(pb->handshake_loc, sizeof(uint32_t));
	amp_port_acquire_fence();
	const uint32_t v = *pb->handshake_loc;
	amp_port_acquire_fence();
	return v;
}

void amp_pbuf_handshake_write(struct amp_pbuf *pb, uint32_t value)
{
	if (pb == NULL || pb->handshake_loc == NULL) {
		return;
	}
	/* The word shares its cache line with rd_idx, which the peer writes
	 * when it (re)initialises its writer side. Fetch the line first, so
	 * the write-back below carries the peer's rd_idx instead of putting a
	 * stale copy back (which would wedge the restarted peer's ring). */
	amp_port_dcache_invalidate(pb->handshake_loc, sizeof(uint32_t));
	amp_port_mb();
	*pb->handshake_loc = value;
	amp_port_mb();
	amp_port_dcache_clean(pb->handshake_loc, sizeof(uint32_t));
}

int amp_pbuf_get_initial_buf(struct amp_pbuf *pb, const volatile uint8_t **data, size_t *len)
{
	if (!amp_pbuf_ready(pb) || data == NULL || len == NULL || pb->rd_idx != 0u) {
		return AMP_EINVAL;
	}
	amp_port_dcache_invalidate(pb->wr_idx_loc, sizeof(uint32_t));
	amp_port_mb();
	const uint32_t wr = *pb->wr_idx_loc;
	amp_port_mb();
	/* Nothing written yet (0), or not a plausible first packet's end. */
	if (wr == 0u || wr >= pb->len || wr > AMP_PBUF_MAX_PACKET) {
		return AMP_EINVAL;
	}
	volatile uint8_t *hdr = pb->data_loc;
	amp_port_dcache_invalidate(hdr, AMP_PBUF_HDR_SIZE);
	amp_port_mb();
	const uint32_t plen = ((uint32_t)hdr[0] << 8) | (uint32_t)hdr[1];
	if (plen + AMP_PBUF_HDR_SIZE > wr) {
		return AMP_EINVAL;
	}
	amp_port_dcache_invalidate(&pb->data_loc[AMP_PBUF_HDR_SIZE], plen);
	amp_port_mb();
	*data = &pb->data_loc[AMP_PBUF_HDR_SIZE];
	*len = plen;
	return 0;
}
