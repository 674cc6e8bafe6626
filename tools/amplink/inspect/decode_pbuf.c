/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pbuf decoder: indices, occupancy and the pending packets of one region.
 * Layout and rules: zephyr-ipc-spec §2 (rd_idx at 0, optional handshake word
 * at 4, wr_idx at W = max(A, H ? 8 : 4), data[] at W + 4; big-endian packet
 * length; one 4-byte slot always free).
 */
#include "decode.h"
#include "bytes.h"

#include <string.h>

static bool is_pow2(uint32_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

bool amp_insp_pbuf_layout(struct amp_insp_pbuf *out, const struct amp_insp_pbuf_cfg *cfg,
			  int region, struct amp_insp_findings *fs)
{
	memset(out, 0, sizeof(*out));
	out->cfg = *cfg;
	out->region = region;
	uint32_t a = cfg->dcache_align;
	uint32_t w = a > (cfg->handshake ? 8u : 4u) ? a : (cfg->handshake ? 8u : 4u);
	out->rd_off = 0;
	out->hs_off = cfg->handshake ? 4 : 0;
	out->wr_off = w;
	out->data_off = w + 4;
	if (a != 0 && (!is_pow2(a) || a < 4)) {
		amp_insp_add(fs, region, 0, "config_invalid",
			     "dcache-alignment %u is not 0 or a power of two >= 4", a);
	}
	if (cfg->handshake && a < 8) {
		amp_insp_add(fs, region, 4, "config_invalid",
			     "a handshake word needs dcache-alignment >= 8 (Zephyr rejects %u)", a);
	}
	if (cfg->size % 4 != 0 || (uint64_t)cfg->size < (uint64_t)w + 4 + 12) {
		amp_insp_add(fs, region, 0, "config_invalid",
			     "region of %u bytes cannot hold a pbuf with dcache-alignment %u",
			     cfg->size, a);
		return false;
	}
	out->data_len = cfg->size - w - 4;
	out->layout_ok = true;
	return true;
}

/* Copy up to AMP_INSP_HEAD_BYTES payload bytes starting at data index @p idx. */
static uint32_t copy_head(uint8_t *dst, const uint8_t *buf, size_t buflen, uint32_t data_off,
			  uint32_t data_len, uint32_t idx, uint32_t len)
{
	uint32_t n = len < AMP_INSP_HEAD_BYTES ? len : AMP_INSP_HEAD_BYTES;
	for (uint32_t k = 0; k < n; k++) {
		dst[k] = amp_insp_u8(buf, buflen, (uint64_t)data_off + ((uint64_t)idx + k) % data_len);
	}
	return n;
}

void amp_insp_pbuf_decode(struct amp_insp_pbuf *out, const struct amp_insp_pbuf_cfg *cfg,
			  const uint8_t *buf, size_t buflen, int region,
			  struct amp_insp_findings *fs)
{
	if (!amp_insp_pbuf_layout(out, cfg, region, fs)) {
		return;
	}
	if (buflen < cfg->size) {
		amp_insp_add(fs, region, (uint32_t)buflen, "region_truncated",
			     "only %zu of %u bytes available; the rest reads as 0", buflen,
			     cfg->size);
	}
	const uint32_t len = out->data_len;
	const uint32_t doff = out->data_off;
	/* Each shared word is loaded exactly once, then checked. */
	uint32_t rd = amp_insp_le32(buf, buflen, out->rd_off);
	uint32_t wr = amp_insp_le32(buf, buflen, out->wr_off);
	out->rd_idx = rd;
	out->wr_idx = wr;
	out->handshake = cfg->handshake ? amp_insp_le32(buf, buflen, out->hs_off) : 0;

	bool ok = true;
	if (rd % 4 != 0) {
		amp_insp_add(fs, region, out->rd_off, "rd_idx_misaligned",
			     "rd_idx %u is not a multiple of 4 (writer returns EINVAL)", rd);
		ok = false;
	} else if (rd >= len) {
		amp_insp_add(fs, region, out->rd_off, "rd_idx_out_of_range",
			     "rd_idx %u is beyond the %u-byte data area", rd, len);
		ok = false;
	}
	if (wr % 4 != 0) {
		amp_insp_add(fs, region, out->wr_off, "wr_idx_misaligned",
			     "wr_idx %u is not a multiple of 4 (reader returns EINVAL)", wr);
		ok = false;
	} else if (wr >= len) {
		amp_insp_add(fs, region, out->wr_off, "wr_idx_out_of_range",
			     "wr_idx %u is beyond the %u-byte data area", wr, len);
		ok = false;
	}

	/* The packet at data[0], as ICMsg's v1 detection sees it (no rd condition here). */
	if (wr % 4 == 0 && wr > 0 && wr < len) {
		uint32_t l0 = amp_insp_be16(buf, buflen, doff);
		if (l0 + 4 <= wr) {
			out->first_valid = true;
			out->first_len = l0;
			out->first_nhead = copy_head(out->first_head, buf, buflen, doff, len, 4, l0);
		}
	}

	out->idx_ok = ok;
	if (!ok) {
		return;
	}
	uint32_t occ = rd > wr ? len - (rd - wr) : wr - rd;
	out->used = occ;
	out->free = len - occ - 4; /* occ <= len - 4 always: the indices differ by a multiple of 4 */
	out->max_write = out->free >= 4 ? out->free - 4 : 0;
	if (out->max_write > 65535) {
		out->max_write = 65535;
	}

	uint32_t idx = rd;
	uint32_t remaining = occ;
	/* Every iteration consumes at least 4 occupied bytes: bounded by len / 4. */
	while (remaining > 0) {
		uint32_t hdr_off = doff + idx;
		uint32_t plen = amp_insp_be16(buf, buflen, hdr_off);
		struct amp_insp_packet tmp;
		struct amp_insp_packet *p = out->npackets < AMP_INSP_MAX_PACKETS
						    ? &out->pkt[out->npackets]
						    : &tmp;
		memset(p, 0, sizeof(*p));
		p->hdr_idx = idx;
		p->len = plen;
		p->reserved = amp_insp_be16(buf, buflen, (uint64_t)hdr_off + 2);
		uint32_t pay = (idx + 4) % len;
		p->wraps = (uint64_t)pay + plen > len;
		p->complete = plen + 4 <= remaining;
		uint32_t shown = p->complete ? plen : (remaining >= 4 ? remaining - 4 : 0);
		p->nhead = copy_head(p->head, buf, buflen, doff, len, pay, shown);
		if (out->npackets < AMP_INSP_MAX_PACKETS) {
			out->npackets++;
		} else {
			out->more = true;
			out->npackets++;
		}
		if (plen == 0) {
			amp_insp_add(fs, region, hdr_off, "packet_len_zero",
				     "packet at data[%u] has length 0 (writers never emit it)", idx);
		}
		if (!p->complete) {
			amp_insp_add(fs, region, hdr_off, "packet_len_exceeds_used",
				     "packet at data[%u] claims %u bytes but only %u are occupied "
				     "after its header (reader returns EAGAIN)",
				     idx, plen, remaining - 4);
			break;
		}
		uint32_t next = amp_insp_round_up(pay + plen, 4);
		if (next >= len) {
			next -= len;
		}
		uint32_t step = next >= idx ? next - idx : len - (idx - next);
		if (step == 0 || step > remaining) {
			/* Cannot happen for plen + 4 <= remaining; keeps the loop bounded anyway. */
			break;
		}
		remaining -= step;
		idx = next;
	}
}
