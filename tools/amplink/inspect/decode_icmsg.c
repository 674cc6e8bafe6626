/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ICMsg decoder: two pbuf regions plus the binding state.
 *
 * Region 0 is written by side A and read by side B (a2b), region 1 the
 * reverse. v1 (`unbound = disable`) binds on the 13-byte magic packet each
 * side writes first into its TX ring; v2 (`enable`/`detect`) binds through the
 * handshake word each side writes into its RX region (offset 4): low half =
 * the session it requests, high half = the peer session it acknowledges.
 */
#include "decode.h"
#include "bytes.h"

#include <string.h>

const uint8_t amp_insp_icmsg_magic[13] = { 0x45, 0x6d, 0x31, 0x6c, 0x31, 0x4b, 0x30,
					   0x72, 0x6e, 0x33, 0x6c, 0x69, 0x34 };

static enum amp_insp_magic magic_state(const struct amp_insp_pbuf *pb)
{
	if (!pb->first_valid || pb->first_len < sizeof(amp_insp_icmsg_magic) ||
	    pb->first_nhead < sizeof(amp_insp_icmsg_magic) ||
	    memcmp(pb->first_head, amp_insp_icmsg_magic, sizeof(amp_insp_icmsg_magic)) != 0) {
		return AMP_INSP_MAGIC_ABSENT;
	}
	if (pb->idx_ok && pb->npackets > 0 && pb->pkt[0].hdr_idx == 0) {
		return AMP_INSP_MAGIC_PENDING;
	}
	return AMP_INSP_MAGIC_CONSUMED;
}

void amp_insp_icmsg_decode(struct amp_insp_icmsg *out, const struct amp_insp_icmsg_cfg *cfg,
			   const uint8_t *a2b, size_t a2b_len, const uint8_t *b2a, size_t b2a_len,
			   struct amp_insp_findings *fs)
{
	memset(out, 0, sizeof(*out));
	out->cfg = *cfg;
	out->has_handshake = cfg->unbound != AMP_INSP_UNBOUND_DISABLE;
	struct amp_insp_pbuf_cfg pc = {
		.size = cfg->size, .dcache_align = cfg->dcache_align,
		.handshake = out->has_handshake,
	};
	if (cfg->unbound == AMP_INSP_UNBOUND_DETECT && cfg->dcache_align < 8) {
		amp_insp_add(fs, 0, 0, "config_invalid",
			     "unbound = \"detect\" needs dcache-alignment >= 8");
	}
	amp_insp_pbuf_decode(&out->dir[0], &pc, a2b, a2b_len, 0, fs);
	amp_insp_pbuf_decode(&out->dir[1], &pc, b2a, b2a_len, 1, fs);

	for (int d = 0; d < 2; d++) {
		out->magic[d] = magic_state(&out->dir[d]);
		const struct amp_insp_pbuf *pb = &out->dir[d];
		unsigned shown = pb->npackets < AMP_INSP_MAX_PACKETS ? pb->npackets
								     : AMP_INSP_MAX_PACKETS;
		for (unsigned i = 0; cfg->rx_buffer_size != 0 && i < shown; i++) {
			if (pb->pkt[i].complete && pb->pkt[i].len > cfg->rx_buffer_size) {
				out->oversize++;
				amp_insp_add(fs, d, pb->data_off + pb->pkt[i].hdr_idx,
					     "packet_exceeds_rx_buffer",
					     "%u-byte packet is larger than the receiver's %u-byte "
					     "buffer: a Zephyr peer never consumes it, the ring stalls",
					     pb->pkt[i].len, cfg->rx_buffer_size);
			}
		}
	}
	/* v1 binding leaves no flag in memory: a side is bound once it has read the
	 * peer's magic, the first packet after the peer's TX init. Once the ring has
	 * wrapped the magic bytes are gone, so "reader moved past data[0]" counts too. */
	bool past[2];
	for (int d = 0; d < 2; d++) {
		past[d] = out->magic[d] == AMP_INSP_MAGIC_CONSUMED ||
			  (out->dir[d].idx_ok && out->magic[d] != AMP_INSP_MAGIC_PENDING &&
			   out->dir[d].rd_idx != 0);
	}
	out->bound_v1 = past[0] && past[1];

	if (out->has_handshake && out->dir[0].layout_ok && out->dir[1].layout_ok) {
		/* A writes the word of the region it reads (1), B of region 0. */
		uint32_t wa = out->dir[1].handshake;
		uint32_t wb = out->dir[0].handshake;
		out->sid[0] = (uint16_t)(wa & 0xffff);
		out->ack[0] = (uint16_t)(wa >> 16);
		out->sid[1] = (uint16_t)(wb & 0xffff);
		out->ack[1] = (uint16_t)(wb >> 16);
		for (int s = 0; s < 2; s++) {
			if (out->sid[s] == 0 && out->ack[s] != 0) {
				amp_insp_add(fs, 1 - s, out->dir[1 - s].hs_off, "handshake_inconsistent",
					     "side %c acknowledges session %u without requesting one "
					     "(closing writes 0 to both halves)",
					     s == 0 ? 'A' : 'B', out->ack[s]);
			}
		}
		out->bound_v2 = out->sid[0] != 0 && out->sid[1] != 0 && out->ack[0] == out->sid[1] &&
				out->ack[1] == out->sid[0];
		if (out->sid[0] != 0 && out->sid[1] != 0) {
			out->bound_v1 = false; /* both sides speak v2: magic rules do not apply */
		}
	}
}
