/* SPDX-License-Identifier: Apache-2.0 */
#include "print.h"

#include <string.h>

static void hexs(char *dst, size_t cap, const uint8_t *b, uint32_t n)
{
	size_t o = 0;
	dst[0] = 0;
	for (uint32_t i = 0; i < n && o + 3 < cap; i++) {
		o += (size_t)snprintf(dst + o, cap - o, "%s%02x", i ? " " : "", b[i]);
	}
}

static void pbuf_json(struct amp_json *j, const struct amp_insp_pbuf *pb)
{
	amp_json_uint(j, "size", pb->cfg.size);
	amp_json_uint(j, "dcache_alignment", pb->cfg.dcache_align);
	amp_json_bool(j, "handshake_word", pb->cfg.handshake);
	amp_json_bool(j, "layout_ok", pb->layout_ok);
	if (!pb->layout_ok) {
		return;
	}
	amp_json_uint(j, "rd_idx_offset", pb->rd_off);
	if (pb->cfg.handshake) {
		amp_json_uint(j, "handshake_offset", pb->hs_off);
		amp_json_uint(j, "handshake", pb->handshake);
	} else {
		amp_json_null(j, "handshake_offset");
	}
	amp_json_uint(j, "wr_idx_offset", pb->wr_off);
	amp_json_uint(j, "data_offset", pb->data_off);
	amp_json_uint(j, "data_len", pb->data_len);
	amp_json_uint(j, "rd_idx", pb->rd_idx);
	amp_json_uint(j, "wr_idx", pb->wr_idx);
	amp_json_bool(j, "indices_valid", pb->idx_ok);
	if (!pb->idx_ok) {
		return;
	}
	amp_json_uint(j, "used", pb->used);
	amp_json_uint(j, "free", pb->free);
	amp_json_uint(j, "max_write", pb->max_write);
	amp_json_uint(j, "pending", pb->npackets);
	amp_json_arr(j, "packets");
	unsigned shown = pb->npackets < AMP_INSP_MAX_PACKETS ? pb->npackets : AMP_INSP_MAX_PACKETS;
	for (unsigned i = 0; i < shown; i++) {
		const struct amp_insp_packet *p = &pb->pkt[i];
		amp_json_obj(j, NULL);
		amp_json_uint(j, "index", p->hdr_idx);
		amp_json_uint(j, "offset", pb->data_off + p->hdr_idx);
		amp_json_uint(j, "len", p->len);
		amp_json_bool(j, "complete", p->complete);
		amp_json_bool(j, "wraps", p->wraps);
		amp_json_hex(j, "head", p->head, p->nhead);
		amp_json_end_obj(j);
	}
	amp_json_end_arr(j);
}

static void pbuf_text(FILE *out, const struct amp_insp_pbuf *pb, const char *name,
		      const char *indent)
{
	fprintf(out, "%spbuf \"%s\": %u bytes, dcache-alignment %u, %s\n", indent, name,
		pb->cfg.size, pb->cfg.dcache_align,
		pb->cfg.handshake ? "handshake word" : "no handshake word");
	if (!pb->layout_ok) {
		fprintf(out, "%s  (no valid layout)\n", indent);
		return;
	}
	fprintf(out, "%s  layout    rd_idx @0x%x", indent, pb->rd_off);
	if (pb->cfg.handshake) {
		fprintf(out, "  handshake @0x%x", pb->hs_off);
	}
	fprintf(out, "  wr_idx @0x%x  data @0x%x (%u bytes)\n", pb->wr_off, pb->data_off,
		pb->data_len);
	fprintf(out, "%s  indices   wr_idx %u  rd_idx %u%s\n", indent, pb->wr_idx, pb->rd_idx,
		pb->idx_ok ? "" : "  (INVALID)");
	if (!pb->idx_ok) {
		return;
	}
	fprintf(out, "%s  occupancy used %u  free %u  largest write now %u\n", indent, pb->used,
		pb->free, pb->max_write);
	fprintf(out, "%s  pending   %u packet%s\n", indent, pb->npackets,
		pb->npackets == 1 ? "" : "s");
	unsigned shown = pb->npackets < AMP_INSP_MAX_PACKETS ? pb->npackets : AMP_INSP_MAX_PACKETS;
	if (shown > 0) {
		fprintf(out, "%s    %-4s %-8s %-6s %s\n", indent, "#", "data[]", "len", "first bytes");
	}
	for (unsigned i = 0; i < shown; i++) {
		const struct amp_insp_packet *p = &pb->pkt[i];
		char hx[3 * AMP_INSP_HEAD_BYTES + 1];
		hexs(hx, sizeof(hx), p->head, p->nhead);
		fprintf(out, "%s    %-4u %-8u %-6u %s%s%s%s\n", indent, i, p->hdr_idx, p->len, hx,
			p->len > p->nhead && p->complete ? " ..." : "", p->wraps ? "  (wraps)" : "",
			p->complete ? "" : "  (INCOMPLETE)");
	}
	if (pb->more) {
		fprintf(out, "%s    ... (%u more)\n", indent, pb->npackets - AMP_INSP_MAX_PACKETS);
	}
}

void amp_insp_print_pbuf(FILE *out, struct amp_json *j, const struct amp_insp_pbuf *pb,
			 const struct amp_insp_where *w)
{
	if (j != NULL) {
		amp_json_str(j, "format", "pbuf");
		amp_json_obj(j, "pbuf");
		amp_json_str(j, "region", w->name[0]);
		pbuf_json(j, pb);
		amp_json_end_obj(j);
		return;
	}
	pbuf_text(out, pb, w->name[0], "");
}

static const char *magic_name(enum amp_insp_magic m)
{
	switch (m) {
	case AMP_INSP_MAGIC_PENDING:
		return "pending";
	case AMP_INSP_MAGIC_CONSUMED:
		return "consumed";
	default:
		return "absent";
	}
}

static const char *unbound_name(enum amp_insp_unbound u)
{
	switch (u) {
	case AMP_INSP_UNBOUND_ENABLE:
		return "enable";
	case AMP_INSP_UNBOUND_DETECT:
		return "detect";
	default:
		return "disable";
	}
}

static const char *icmsg_summary(const struct amp_insp_icmsg *ic)
{
	if (ic->has_handshake && ic->bound_v2) {
		return "bound (v2 sessions mutually acknowledged)";
	}
	if (ic->bound_v1) {
		return "bound (v1: both magic packets consumed)";
	}
	if (ic->has_handshake && ic->sid[0] == 0 && ic->sid[1] == 0 &&
	    (ic->magic[0] != AMP_INSP_MAGIC_ABSENT || ic->magic[1] != AMP_INSP_MAGIC_ABSENT)) {
		return "not bound (v1 magic exchange in progress)";
	}
	return "not bound";
}

void amp_insp_print_icmsg(FILE *out, struct amp_json *j, const struct amp_insp_icmsg *ic,
			  const struct amp_insp_where *w)
{
	static const char *const dir_name[2] = { "A->B", "B->A" };
	if (j != NULL) {
		amp_json_str(j, "format", "icmsg");
		amp_json_obj(j, "icmsg");
		amp_json_str(j, "unbound", unbound_name(ic->cfg.unbound));
		amp_json_uint(j, "region_size", ic->cfg.size);
		amp_json_uint(j, "dcache_alignment", ic->cfg.dcache_align);
		amp_json_bool(j, "bound", ic->bound_v1 || (ic->has_handshake && ic->bound_v2));
		amp_json_bool(j, "bound_v1", ic->bound_v1);
		amp_json_bool(j, "bound_v2", ic->bound_v2);
		amp_json_str(j, "state", icmsg_summary(ic));
		if (ic->has_handshake) {
			amp_json_obj(j, "handshake");
			amp_json_uint(j, "A_session", ic->sid[0]);
			amp_json_uint(j, "A_acks", ic->ack[0]);
			amp_json_uint(j, "B_session", ic->sid[1]);
			amp_json_uint(j, "B_acks", ic->ack[1]);
			amp_json_end_obj(j);
		}
		amp_json_arr(j, "directions");
		for (int d = 0; d < 2; d++) {
			amp_json_obj(j, NULL);
			amp_json_str(j, "direction", dir_name[d]);
			amp_json_str(j, "region", w->name[d]);
			amp_json_str(j, "magic", magic_name(ic->magic[d]));
			pbuf_json(j, &ic->dir[d]);
			amp_json_end_obj(j);
		}
		amp_json_end_arr(j);
		amp_json_end_obj(j);
		return;
	}
	fprintf(out, "ICMsg, unbound = \"%s\", two regions of %u bytes, dcache-alignment %u\n",
		unbound_name(ic->cfg.unbound), ic->cfg.size, ic->cfg.dcache_align);
	fprintf(out, "  state     %s\n", icmsg_summary(ic));
	if (ic->has_handshake) {
		for (int s = 0; s < 2; s++) {
			char peer = s == 0 ? 'B' : 'A';
			fprintf(out, "  side %c    requests session %u; ", s == 0 ? 'A' : 'B', ic->sid[s]);
			if (ic->sid[s] == 0) {
				fprintf(out, "closed or not opened; ");
			}
			if (ic->ack[s] == 0) {
				fprintf(out, "acknowledges nothing\n");
			} else if (ic->ack[s] == ic->sid[1 - s]) {
				fprintf(out, "acknowledges %c's session %u\n", peer, ic->ack[s]);
			} else {
				fprintf(out, "acknowledges session %u (stale: %c now requests %u)\n",
					ic->ack[s], peer, ic->sid[1 - s]);
			}
		}
	}
	for (int d = 0; d < 2; d++) {
		fprintf(out, "  %s     magic packet %s\n", dir_name[d], magic_name(ic->magic[d]));
		pbuf_text(out, &ic->dir[d], w->name[d], "    ");
	}
}

static void msg_text(FILE *out, const struct amp_insp_rpmsg_msg *m)
{
	if (!m->hdr_ok) {
		fprintf(out, "      desc[%u] addr 0x%llx (unreadable)\n", m->desc,
			(unsigned long long)m->addr);
		return;
	}
	char hx[3 * AMP_INSP_HEAD_BYTES + 1];
	hexs(hx, sizeof(hx), m->head, m->nhead);
	fprintf(out, "      desc[%u] addr 0x%llx src %u dst %u len %u flags 0x%x  %s%s\n", m->desc,
		(unsigned long long)m->addr, m->src, m->dst, m->len, m->flags, hx,
		m->len > m->nhead ? " ..." : "");
}

static void msg_json(struct amp_json *j, const struct amp_insp_rpmsg_msg *m)
{
	amp_json_obj(j, NULL);
	amp_json_uint(j, "desc", m->desc);
	amp_json_uint(j, "addr", m->addr);
	amp_json_bool(j, "readable", m->hdr_ok);
	if (m->hdr_ok) {
		amp_json_uint(j, "src", m->src);
		amp_json_uint(j, "dst", m->dst);
		amp_json_uint(j, "reserved", m->reserved);
		amp_json_uint(j, "len", m->len);
		amp_json_uint(j, "flags", m->flags);
		amp_json_hex(j, "head", m->head, m->nhead);
	}
	amp_json_end_obj(j);
}

static void status_text(char *dst, size_t cap, uint8_t s)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} bits[] = { { 1, "ACKNOWLEDGE" }, { 2, "DRIVER" }, { 4, "DRIVER_OK" },
		     { 8, "FEATURES_OK" }, { 0x40, "NEEDS_RESET" }, { 0x80, "FAILED" } };
	size_t o = 0;
	dst[0] = 0;
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
		if (s & bits[i].bit) {
			o += (size_t)snprintf(dst + o, cap - o, "%s%s", o ? "|" : "", bits[i].name);
		}
	}
	if (o == 0) {
		snprintf(dst, cap, "reset (host not started)");
	}
}

void amp_insp_print_rpmsg(FILE *out, struct amp_json *j, const struct amp_insp_rpmsg *rp,
			  const struct amp_insp_where *w)
{
	static const char *const ring_name[2] = { "vring0 (remote->host)", "vring1 (host->remote)" };
	char st[96];
	status_text(st, sizeof(st), rp->status);
	if (j != NULL) {
		amp_json_str(j, "format", "rpmsg");
		amp_json_obj(j, "rpmsg");
		amp_json_str(j, "region", w->name[0]);
		amp_json_uint(j, "region_size", rp->cfg.size);
		amp_json_uint(j, "region_addr", rp->cfg.addr);
		amp_json_uint(j, "buffer_size", rp->cfg.buffer_size);
		amp_json_uint(j, "mem_alignment", rp->cfg.mem_align);
		amp_json_bool(j, "layout_ok", rp->layout_ok);
		if (rp->layout_ok) {
			amp_json_uint(j, "num_desc", rp->num_desc);
			amp_json_uint(j, "pool_offset", rp->pool_off);
			amp_json_uint(j, "pool_size", rp->pool_size);
			amp_json_uint(j, "vring_bytes", rp->vring_bytes);
			amp_json_uint(j, "used_shm_size", rp->used_shm_size);
			amp_json_uint(j, "status", rp->status);
			amp_json_str(j, "status_text", st);
			amp_json_uint(j, "host_rx_free", rp->host_rx_free);
			amp_json_uint(j, "host_rx_owned", rp->host_rx_owned);
			amp_json_uint(j, "host_tx_owned", rp->host_tx_owned);
			amp_json_uint(j, "remote_tx_owned", rp->remote_tx_owned);
			amp_json_arr(j, "vrings");
			for (int r = 0; r < 2; r++) {
				const struct amp_insp_vring *v = &rp->ring[r];
				amp_json_obj(j, NULL);
				amp_json_uint(j, "index", (unsigned)r);
				amp_json_uint(j, "offset", v->off);
				amp_json_uint(j, "avail_offset", v->avail_off);
				amp_json_uint(j, "used_offset", v->used_off);
				amp_json_uint(j, "avail_flags", v->avail_flags);
				amp_json_uint(j, "avail_idx", v->avail_idx);
				amp_json_uint(j, "used_flags", v->used_flags);
				amp_json_uint(j, "used_idx", v->used_idx);
				amp_json_uint(j, "outstanding", v->outstanding);
				amp_json_uint(j, "buffers", v->nbufs);
				amp_json_arr(j, "pending");
				for (unsigned i = 0; i < v->npending; i++) {
					msg_json(j, &v->pending[i]);
				}
				amp_json_end_arr(j);
				amp_json_end_obj(j);
			}
			amp_json_end_arr(j);
			amp_json_arr(j, "name_service");
			for (unsigned i = 0; i < rp->nns; i++) {
				amp_json_obj(j, NULL);
				amp_json_str(j, "name", rp->ns[i].name);
				amp_json_uint(j, "addr", rp->ns[i].addr);
				amp_json_str(j, "what", rp->ns[i].flags == 0 ? "create"
						       : rp->ns[i].flags == 1 ? "destroy" : "unknown");
				amp_json_str(j, "announced_by", rp->ns[i].ring == 0 ? "remote" : "host");
				amp_json_end_obj(j);
			}
			amp_json_end_arr(j);
		}
		amp_json_end_obj(j);
		return;
	}
	fprintf(out, "RPMsg static vrings \"%s\": %u bytes at 0x%llx, %u-byte buffers, alignment %u\n",
		w->name[0], rp->cfg.size, (unsigned long long)rp->cfg.addr, rp->cfg.buffer_size,
		rp->cfg.mem_align);
	if (!rp->layout_ok) {
		fprintf(out, "  (no valid layout)\n");
		return;
	}
	fprintf(out, "  layout    status @0x0  pool @0x%x (%u bytes)  vring1 @0x%x  vring0 @0x%x  "
		     "%u descriptors per ring\n",
		rp->pool_off, rp->pool_size, rp->ring[1].off, rp->ring[0].off, rp->num_desc);
	fprintf(out, "  status    0x%02x %s\n", rp->status, st);
	for (int r = 1; r >= 0; r--) {
		const struct amp_insp_vring *v = &rp->ring[r];
		fprintf(out, "  %s @0x%x\n", ring_name[r], v->off);
		fprintf(out, "    avail idx %u flags 0x%x   used idx %u flags 0x%x   outstanding %u%s\n",
			v->avail_idx, v->avail_flags, v->used_idx, v->used_flags, v->outstanding,
			v->idx_ok ? "" : " (INVALID)");
		if (r == 1) {
			fprintf(out, "    buffers   %u transmit buffers: %u with the remote, %u with the host\n",
				v->nbufs, rp->remote_tx_owned, rp->host_tx_owned);
			fprintf(out, "    in flight %u message%s for the remote\n", v->npending,
				v->npending == 1 ? "" : "s");
		} else {
			fprintf(out, "    buffers   %u receive buffers: %u empty with the remote, %u with the host\n",
				v->nbufs, rp->host_rx_free, rp->host_rx_owned);
			fprintf(out, "    in flight %u message%s for the host (unread or held)\n",
				v->npending, v->npending == 1 ? "" : "s");
		}
		for (unsigned i = 0; i < v->npending; i++) {
			msg_text(out, &v->pending[i]);
		}
	}
	fprintf(out, "  name service (%u seen)\n", rp->nns);
	for (unsigned i = 0; i < rp->nns; i++) {
		fprintf(out, "    %-32s addr %u  %s, announced by the %s\n", rp->ns[i].name,
			rp->ns[i].addr,
			rp->ns[i].flags == 0 ? "create" : rp->ns[i].flags == 1 ? "destroy" : "unknown",
			rp->ns[i].ring == 0 ? "remote" : "host");
	}
}

void amp_insp_print_findings(FILE *out, struct amp_json *j, const struct amp_insp_findings *fs,
			     const struct amp_insp_where *w)
{
	if (j != NULL) {
		amp_json_arr(j, "findings");
		for (unsigned i = 0; i < fs->n; i++) {
			const struct amp_insp_finding *f = &fs->f[i];
			int r = f->region == 1 ? 1 : 0;
			amp_json_obj(j, NULL);
			amp_json_str(j, "code", f->code);
			amp_json_str(j, "region", w->name[r]);
			amp_json_uint(j, "offset", f->offset);
			if (w->has_addr[r]) {
				amp_json_uint(j, "address", w->addr[r] + f->offset);
			}
			amp_json_str(j, "text", f->text);
			amp_json_end_obj(j);
		}
		amp_json_end_arr(j);
		amp_json_uint(j, "findings_dropped", fs->dropped);
		return;
	}
	if (fs->n == 0) {
		fprintf(out, "findings: none\n");
		return;
	}
	fprintf(out, "findings: %u\n", fs->n + fs->dropped);
	for (unsigned i = 0; i < fs->n; i++) {
		const struct amp_insp_finding *f = &fs->f[i];
		int r = f->region == 1 ? 1 : 0;
		fprintf(out, "  %s +0x%04x", w->name[r], f->offset);
		if (w->has_addr[r]) {
			fprintf(out, " (0x%llx)", (unsigned long long)(w->addr[r] + f->offset));
		}
		fprintf(out, "  %s: %s\n", f->code, f->text);
	}
	if (fs->dropped) {
		fprintf(out, "  ... %u more\n", fs->dropped);
	}
}
