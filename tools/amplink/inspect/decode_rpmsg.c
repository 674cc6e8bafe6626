/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RPMsg over Zephyr's static vrings: status byte, buffer pool, vring 1
 * (host -> remote) and vring 0 (remote -> host), per zephyr-ipc-spec §6 and
 * openamp-rpmsg §1-2. Descriptor addresses are the addresses both cores see
 * (cfg->addr + offset); anything else is reported, never followed.
 */
#include "decode.h"
#include "bytes.h"

#include <string.h>

#define VRING_DESC_F_NEXT 1u
#define VRING_DESC_F_WRITE 2u
#define VRING_DESC_F_INDIRECT 4u
#define RPMSG_HDR 16u
#define RPMSG_NS_ADDR 53u
#define RPMSG_NS_LEN 40u
#define MAX_DESC 32768u

static uint64_t ru64(uint64_t x, uint64_t a)
{
	return a <= 1 ? x : (x + a - 1) / a * a;
}

static uint64_t vring_size(uint64_t n, uint64_t a)
{
	return ru64(16 * n + 2 * (3 + n), a) + 6 + 8 * n;
}

static uint64_t shm_size(uint64_t n, uint64_t b, uint64_t ma)
{
	return 2 * (ru64(b * n, ma) + ru64(vring_size(n, ma), ma));
}

bool amp_insp_rpmsg_layout(struct amp_insp_rpmsg *out, const struct amp_insp_rpmsg_cfg *cfg,
			   struct amp_insp_findings *fs)
{
	memset(out, 0, sizeof(*out));
	out->cfg = *cfg;
	uint64_t ma = cfg->mem_align;
	uint64_t b = cfg->buffer_size;
	if (ma == 0 || (ma & (ma - 1)) != 0 || ma > 4096) {
		amp_insp_add(fs, 0, 0, "config_invalid",
			     "memory alignment %u is not a power of two <= 4096", cfg->mem_align);
		return false;
	}
	if (b <= RPMSG_HDR || b > (1u << 20)) {
		amp_insp_add(fs, 0, 0, "config_invalid", "buffer size %u is not in 17..1048576",
			     cfg->buffer_size);
		return false;
	}
	out->status_size = (uint32_t)ma;
	if (cfg->size <= ma) {
		amp_insp_add(fs, 0, 0, "layout_no_fit", "region of %u bytes holds no vrings",
			     cfg->size);
		return false;
	}
	uint64_t avail = cfg->size - ma;
	uint64_t k = 0;
	while (k + 1 <= MAX_DESC && shm_size(k + 1, b, ma) < avail) {
		k++;
	}
	if (k == 0) {
		amp_insp_add(fs, 0, 0, "layout_no_fit",
			     "region of %u bytes is too small for one %u-byte buffer per direction",
			     cfg->size, cfg->buffer_size);
		return false;
	}
	uint64_t n = 1;
	while (n * 2 <= k) {
		n *= 2;
	}
	uint64_t base = cfg->addr;
	uint64_t p = ru64(base + ma, ma) - base;
	uint64_t vq = ru64(b * n, ma);
	uint64_t r = p + 2 * vq;
	uint64_t t = ru64(base + r + vring_size(n, ma), ma) - base;
	out->num_desc = (uint32_t)n;
	out->vring_bytes = (uint32_t)vring_size(n, ma);
	out->pool_off = (uint32_t)p;
	out->pool_size = (uint32_t)(2 * vq);
	out->used_shm_size = (uint32_t)shm_size(n, b, ma);
	out->ring[1].off = (uint32_t)r;
	out->ring[0].off = (uint32_t)t;
	for (int i = 0; i < 2; i++) {
		uint64_t off = out->ring[i].off;
		out->ring[i].avail_off = (uint32_t)(off + 16 * n);
		out->ring[i].used_off =
			(uint32_t)(ru64(base + off + 16 * n + 6 + 2 * n, ma) - base);
	}
	if (t + vring_size(n, ma) > cfg->size) {
		amp_insp_add(fs, 0, 0, "layout_no_fit", "vring 0 ends beyond the region");
		return false;
	}
	out->layout_ok = true;
	return true;
}

struct ctx {
	struct amp_insp_rpmsg *out;
	const uint8_t *buf;
	size_t len;
	struct amp_insp_findings *fs;
};

static uint32_t desc_off(const struct ctx *c, int ring, uint32_t d)
{
	return c->out->ring[ring].off + 16 * d;
}

/* Check descriptor @p d of @p ring (once) and return whether its buffer may be read. */
static bool check_desc(const struct ctx *c, int ring, uint32_t d, bool live, uint8_t *checked)
{
	const struct amp_insp_rpmsg *o = c->out;
	uint32_t off = desc_off(c, ring, d);
	uint64_t addr = amp_insp_le64(c->buf, c->len, off);
	uint32_t len = amp_insp_le32(c->buf, c->len, (uint64_t)off + 8);
	uint16_t flags = amp_insp_le16(c->buf, c->len, (uint64_t)off + 12);
	uint16_t next = amp_insp_le16(c->buf, c->len, (uint64_t)off + 14);
	if (checked[d] & (1u << ring)) {
		return checked[d] & (4u << ring);
	}
	checked[d] |= (uint8_t)(1u << ring);
	if (!live && addr == 0 && len == 0) {
		return false; /* never used */
	}
	uint64_t pool = o->cfg.addr + o->pool_off;
	uint64_t pool_end = pool + o->pool_size;
	bool ok = true;
	if (addr < pool || addr >= pool_end || len > pool_end - addr) {
		bool in_region = addr >= o->cfg.addr && addr - o->cfg.addr < o->cfg.size &&
				 len <= o->cfg.size - (addr - o->cfg.addr);
		amp_insp_add(c->fs, 0, off, in_region ? "desc_outside_pool" : "desc_outside_region",
			     "vring%d desc[%u] addr 0x%llx len %u is %s", ring, d,
			     (unsigned long long)addr, len,
			     in_region ? "outside the buffer pool" : "outside the shared region");
		ok = false;
	} else if ((addr - pool) % o->cfg.buffer_size != 0) {
		amp_insp_add(c->fs, 0, off, "desc_not_buffer_start",
			     "vring%d desc[%u] addr 0x%llx is not the start of a %u-byte buffer",
			     ring, d, (unsigned long long)addr, o->cfg.buffer_size);
	}
	if (len > o->cfg.buffer_size) {
		amp_insp_add(c->fs, 0, off + 8, "desc_len_exceeds_buffer",
			     "vring%d desc[%u] len %u is larger than the %u-byte buffers", ring, d,
			     len, o->cfg.buffer_size);
	}
	if ((flags & VRING_DESC_F_INDIRECT) != 0) {
		amp_insp_add(c->fs, 0, off + 12, "desc_flags_invalid",
			     "vring%d desc[%u] is indirect; rpmsg never uses indirect descriptors",
			     ring, d);
	}
	if ((flags & VRING_DESC_F_NEXT) != 0 && next >= o->num_desc) {
		amp_insp_add(c->fs, 0, off + 14, "desc_next_out_of_range",
			     "vring%d desc[%u] chains to descriptor %u of %u", ring, d, next,
			     o->num_desc);
	}
	if (ok) {
		checked[d] |= (uint8_t)(4u << ring);
	}
	return ok;
}

static void read_msg(const struct ctx *c, int ring, uint16_t d, struct amp_insp_rpmsg_msg *m,
		     bool readable)
{
	const struct amp_insp_rpmsg *o = c->out;
	uint32_t off = desc_off(c, ring, d);
	memset(m, 0, sizeof(*m));
	m->desc = d;
	m->addr = amp_insp_le64(c->buf, c->len, off);
	if (!readable) {
		return;
	}
	uint64_t b = m->addr - o->cfg.addr;
	m->src = amp_insp_le32(c->buf, c->len, b);
	m->dst = amp_insp_le32(c->buf, c->len, b + 4);
	m->reserved = amp_insp_le32(c->buf, c->len, b + 8);
	m->len = amp_insp_le16(c->buf, c->len, b + 12);
	m->flags = amp_insp_le16(c->buf, c->len, b + 14);
	m->hdr_ok = true;
	uint32_t room = o->cfg.buffer_size - RPMSG_HDR;
	uint32_t n = m->len < room ? m->len : room;
	m->nhead = n < AMP_INSP_HEAD_BYTES ? n : AMP_INSP_HEAD_BYTES;
	for (uint32_t k = 0; k < m->nhead; k++) {
		m->head[k] = amp_insp_u8(c->buf, c->len, b + RPMSG_HDR + k);
	}
}

static void check_msg(const struct ctx *c, const struct amp_insp_rpmsg_msg *m)
{
	const struct amp_insp_rpmsg *o = c->out;
	if (!m->hdr_ok) {
		return;
	}
	uint32_t off = (uint32_t)(m->addr - o->cfg.addr);
	if (m->len > o->cfg.buffer_size - RPMSG_HDR) {
		amp_insp_add(c->fs, 0, off + 12, "rpmsg_len_exceeds_buffer",
			     "message in desc[%u] claims %u payload bytes; a %u-byte buffer holds %u",
			     m->desc, m->len, o->cfg.buffer_size, o->cfg.buffer_size - RPMSG_HDR);
	}
}

static void note_ns(const struct ctx *c, int ring, const struct amp_insp_rpmsg_msg *m)
{
	struct amp_insp_rpmsg *o = c->out;
	if (!m->hdr_ok || m->dst != RPMSG_NS_ADDR) {
		return;
	}
	uint64_t b = m->addr - o->cfg.addr + RPMSG_HDR;
	if (m->len != RPMSG_NS_LEN) {
		amp_insp_add(c->fs, 0, (uint32_t)(b - RPMSG_HDR + 12), "ns_len_invalid",
			     "name-service message in desc[%u] is %u bytes, not 40", m->desc,
			     m->len);
		return;
	}
	struct amp_insp_ns ns;
	memset(&ns, 0, sizeof(ns));
	for (int k = 0; k < 32; k++) {
		uint8_t ch = amp_insp_u8(c->buf, c->len, b + (uint64_t)k);
		if (ch == 0) {
			break;
		}
		ns.name[k] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	ns.addr = amp_insp_le32(c->buf, c->len, b + 32);
	ns.flags = amp_insp_le32(c->buf, c->len, b + 36);
	ns.desc = m->desc;
	ns.ring = ring;
	for (unsigned i = 0; i < o->nns; i++) {
		if (strcmp(o->ns[i].name, ns.name) == 0 && o->ns[i].addr == ns.addr &&
		    o->ns[i].flags == ns.flags) {
			return;
		}
	}
	if (o->nns < AMP_INSP_MAX_NS) {
		o->ns[o->nns++] = ns;
	}
}

static void decode_ring(const struct ctx *c, int ring, uint8_t *checked)
{
	struct amp_insp_rpmsg *o = c->out;
	struct amp_insp_vring *v = &o->ring[ring];
	const uint32_t n = o->num_desc;
	v->avail_flags = amp_insp_le16(c->buf, c->len, v->avail_off);
	v->avail_idx = amp_insp_le16(c->buf, c->len, (uint64_t)v->avail_off + 2);
	v->used_event = amp_insp_le16(c->buf, c->len, (uint64_t)v->avail_off + 4 + 2 * n);
	v->used_flags = amp_insp_le16(c->buf, c->len, v->used_off);
	v->used_idx = amp_insp_le16(c->buf, c->len, (uint64_t)v->used_off + 2);
	v->avail_event = amp_insp_le16(c->buf, c->len, (uint64_t)v->used_off + 4 + 8 * n);
	v->outstanding = (uint16_t)(v->avail_idx - v->used_idx);
	v->idx_ok = v->outstanding <= n;
	if (!v->idx_ok) {
		amp_insp_add(c->fs, 0, v->used_off + 2, "vring_idx_inconsistent",
			     "vring%d used.idx %u vs avail.idx %u: %u buffers outstanding, ring has %u",
			     ring, v->used_idx, v->avail_idx, v->outstanding, n);
	}
	uint8_t live[MAX_DESC / 8];
	memset(live, 0, (n + 7) / 8);
	/* Avail entries published so far (the ring holds at most n). */
	uint32_t na = v->avail_idx < n ? v->avail_idx : n;
	for (uint32_t k = 1; k <= na; k++) {
		uint32_t slot = (uint16_t)(v->avail_idx - k) & (n - 1);
		uint32_t eoff = v->avail_off + 4 + 2 * slot;
		uint16_t d = amp_insp_le16(c->buf, c->len, eoff);
		if (d >= n) {
			amp_insp_add(c->fs, 0, eoff, "avail_entry_out_of_range",
				     "vring%d avail.ring[%u] = %u, beyond %u descriptors", ring, slot,
				     d, n);
			continue;
		}
		live[d / 8] |= (uint8_t)(1u << (d % 8));
	}
	uint32_t nu = v->used_idx < n ? v->used_idx : n;
	for (uint32_t k = 1; k <= nu; k++) {
		uint32_t slot = (uint16_t)(v->used_idx - k) & (n - 1);
		uint32_t eoff = v->used_off + 4 + 8 * slot;
		uint32_t id = amp_insp_le32(c->buf, c->len, eoff);
		uint32_t ulen = amp_insp_le32(c->buf, c->len, (uint64_t)eoff + 4);
		if (id >= n) {
			amp_insp_add(c->fs, 0, eoff, "used_id_out_of_range",
				     "vring%d used.ring[%u].id = %u, beyond %u descriptors", ring,
				     slot, id, n);
			continue;
		}
		if (ulen > o->cfg.buffer_size) {
			amp_insp_add(c->fs, 0, eoff + 4, "used_len_exceeds_buffer",
				     "vring%d used.ring[%u].len = %u, buffers are %u bytes", ring,
				     slot, ulen, o->cfg.buffer_size);
		}
		live[id / 8] |= (uint8_t)(1u << (id % 8));
	}
	for (uint32_t d = 0; d < n; d++) {
		bool is_live = (live[d / 8] >> (d % 8)) & 1u;
		bool readable = check_desc(c, ring, d, is_live, checked);
		if (readable) {
			v->nbufs++;
			struct amp_insp_rpmsg_msg m;
			read_msg(c, ring, (uint16_t)d, &m, true);
			note_ns(c, ring, &m);
		}
		if (is_live) {
			uint16_t fl = amp_insp_le16(c->buf, c->len, (uint64_t)desc_off(c, ring, d) + 12);
			bool want_write = ring == 0;
			if (((fl & VRING_DESC_F_WRITE) != 0) != want_write) {
				amp_insp_add(c->fs, 0, desc_off(c, ring, d) + 12, "desc_flags_invalid",
					     "vring%d desc[%u] flags 0x%x: %s", ring, d, fl,
					     want_write ? "receive buffers must be device-writable"
							: "transmit buffers must not be device-writable");
			}
		}
	}
	if (!v->idx_ok) {
		return;
	}
	/* Messages waiting for their reader. */
	if (ring == 1) {
		o->remote_tx_owned = v->outstanding;
		o->host_tx_owned = v->nbufs > v->outstanding ? v->nbufs - v->outstanding : 0;
		for (uint32_t k = 0; k < v->outstanding && v->npending < AMP_INSP_MAX_VRING; k++) {
			uint32_t slot = (uint16_t)(v->used_idx + k) & (n - 1);
			uint16_t d = amp_insp_le16(c->buf, c->len, (uint64_t)v->avail_off + 4 + 2 * slot);
			if (d >= n) {
				continue;
			}
			struct amp_insp_rpmsg_msg *m = &v->pending[v->npending++];
			read_msg(c, ring, d, m, check_desc(c, ring, d, true, checked));
			check_msg(c, m);
		}
	} else {
		o->host_rx_free = v->outstanding;
		uint32_t held = v->nbufs > v->outstanding ? v->nbufs - v->outstanding : 0;
		if (held > v->used_idx) {
			held = v->used_idx;
		}
		o->host_rx_owned = held;
		for (uint32_t k = held; k > 0 && v->npending < AMP_INSP_MAX_VRING; k--) {
			uint32_t slot = (uint16_t)(v->used_idx - k) & (n - 1);
			uint32_t id = amp_insp_le32(c->buf, c->len, (uint64_t)v->used_off + 4 + 8 * slot);
			if (id >= n) {
				continue;
			}
			struct amp_insp_rpmsg_msg *m = &v->pending[v->npending++];
			read_msg(c, ring, (uint16_t)id, m, check_desc(c, ring, id, true, checked));
			check_msg(c, m);
		}
	}
}

void amp_insp_rpmsg_decode(struct amp_insp_rpmsg *out, const struct amp_insp_rpmsg_cfg *cfg,
			   const uint8_t *buf, size_t buflen, struct amp_insp_findings *fs)
{
	if (!amp_insp_rpmsg_layout(out, cfg, fs)) {
		return;
	}
	if (buflen < cfg->size) {
		amp_insp_add(fs, 0, (uint32_t)buflen, "region_truncated",
			     "only %zu of %u bytes available; the rest reads as 0", buflen,
			     cfg->size);
	}
	struct ctx c = { .out = out, .buf = buf, .len = buflen < cfg->size ? buflen : cfg->size,
			 .fs = fs };
	out->status = amp_insp_u8(buf, c.len, 0);
	if (out->status & 0x30) {
		amp_insp_add(fs, 0, 0, "status_unknown_bits",
			     "status byte 0x%02x has bits no virtio driver sets", out->status);
	}
	if (out->status & 0x80) {
		amp_insp_add(fs, 0, 0, "status_failed", "status byte 0x%02x: driver FAILED",
			     out->status);
	}
	static uint8_t checked[MAX_DESC];
	memset(checked, 0, out->num_desc);
	decode_ring(&c, 1, checked);
	decode_ring(&c, 0, checked);
}
