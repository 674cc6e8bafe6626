/* SPDX-License-Identifier: Apache-2.0 */
/* Naive reference model of pbuf; see pbuf_model.h. */
#include "pbuf_model.h"

#include <amplink/errno.h>

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint8_t *data(struct pbuf_model *m)
{
	return m->mem + m->wr_off + 4u;
}

static uint32_t ring_dist(const struct pbuf_model *m, uint32_t from, uint32_t to)
{
	return (to + m->len - from) % m->len;
}

static uint32_t padded(uint32_t n)
{
	return (n + 3u) / 4u * 4u;
}

/* The peer's index: 0 ok, or the error the spec assigns. */
static int peer_idx(const struct pbuf_model *m, uint32_t v)
{
	if (v % 4u != 0u) {
		return AMP_EINVAL;
	}
	return v < m->len ? 0 : AMP_EPROTO;
}

void model_tx_init(struct pbuf_model *m)
{
	m->wr = 0;
	m->rd = 0;
	m->seen_rd = 0;
	put_le32(m->mem, 0);
	put_le32(m->mem + m->wr_off, 0);
}

void model_rx_init(struct pbuf_model *m)
{
	m->wr = 0;
	m->rd = 0;
}

int model_write_space(struct pbuf_model *m)
{
	uint32_t rd = le32(m->mem);
	int e = peer_idx(m, rd);
	if (e != 0) {
		return e;
	}
	m->seen_rd = rd;
	uint32_t free_b = m->len - ring_dist(m, rd, m->wr) - 4u;
	if (free_b <= 4u) {
		return 0;
	}
	return free_b - 4u > 65535u ? 65535 : (int)(free_b - 4u);
}

int model_write(struct pbuf_model *m, const uint8_t *src, uint32_t n)
{
	if (n == 0u || n > 65535u) {
		return AMP_EINVAL;
	}
	/* The space known from the last read of rd_idx first; the shared index
	 * only when that is not enough. */
	uint32_t free_b = m->len - ring_dist(m, m->seen_rd, m->wr) - 4u;
	if (n + 4u > free_b) {
		uint32_t rd = le32(m->mem);
		int e = peer_idx(m, rd);
		if (e != 0) {
			return e;
		}
		m->seen_rd = rd;
		free_b = m->len - ring_dist(m, rd, m->wr) - 4u;
		if (n + 4u > free_b) {
			return AMP_ENOMEM;
		}
	}
	uint8_t *d = data(m);
	d[m->wr] = (uint8_t)(n >> 8);
	d[m->wr + 1u] = (uint8_t)n;
	d[m->wr + 2u] = 0;
	d[m->wr + 3u] = 0;
	for (uint32_t k = 0; k < n; k++) {
		d[(m->wr + 4u + k) % m->len] = src[k];
	}
	m->wr = (m->wr + 4u + padded(n)) % m->len;
	put_le32(m->mem + m->wr_off, m->wr);
	return (int)n;
}

int model_read(struct pbuf_model *m, uint8_t *out, uint32_t maxlen, int zc)
{
	uint32_t wr = le32(m->mem + m->wr_off);
	int e = peer_idx(m, wr);
	if (e != 0) {
		return e;
	}
	if (wr == m->rd) {
		return 0;
	}
	const uint8_t *d = data(m);
	uint32_t n = (uint32_t)d[m->rd] << 8 | d[m->rd + 1u];
	if (zc) {
		if (n == 0u) {
			return AMP_EPROTO;
		}
		return ring_dist(m, m->rd, wr) < n + 4u ? AMP_EAGAIN : (int)n;
	}
	if (out == NULL) {
		return (int)n;
	}
	if (n > maxlen) {
		return AMP_ENOMEM;
	}
	if (ring_dist(m, m->rd, wr) < n + 4u) {
		return AMP_EAGAIN;
	}
	for (uint32_t k = 0; k < n; k++) {
		out[k] = d[(m->rd + 4u + k) % m->len];
	}
	m->rd = (m->rd + 4u + padded(n)) % m->len;
	put_le32(m->mem, m->rd);
	return (int)n;
}

int model_release(struct pbuf_model *m, uint32_t n)
{
	int rc = model_read(m, NULL, 0, 1);
	if (rc < 0) {
		return rc;
	}
	if (rc == 0 || (uint32_t)rc != n) {
		return AMP_EINVAL;
	}
	m->rd = (m->rd + 4u + padded(n)) % m->len;
	put_le32(m->mem, m->rd);
	return 0;
}

int model_initial_buf(struct pbuf_model *m, uint32_t *off, uint32_t *n)
{
	if (m->rd != 0u) {
		return AMP_EINVAL;
	}
	uint32_t wr = le32(m->mem + m->wr_off);
	if (wr == 0u || wr >= m->len || wr > 65535u) {
		return AMP_EINVAL;
	}
	const uint8_t *d = data(m);
	uint32_t l = (uint32_t)d[0] << 8 | d[1];
	if (l + 4u > wr) {
		return AMP_EINVAL;
	}
	*off = m->wr_off + 8u;
	*n = l;
	return 0;
}

void model_handshake_write(struct pbuf_model *m, uint32_t v)
{
	if (m->has_hs) {
		put_le32(m->mem + 4, v);
	}
}
