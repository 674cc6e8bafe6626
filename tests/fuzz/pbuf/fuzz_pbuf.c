/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for pbuf. The input plays the peer core: it interleaves
 * arbitrary stores into the words the peer owns (rd_idx, wr_idx, handshake,
 * packet headers, data) with our writer and reader calls.
 *
 * Checked on every call:
 *  - no out-of-bounds access: the region is an exactly sized heap block and
 *    every caller buffer is exactly the size we claim (ASan);
 *  - every return value is one the header documents for that function;
 *  - the private indices stay 4-aligned and < len;
 *  - a read never returns more than maxlen, zero-copy pieces lie in data[];
 *  - while the peer has not interfered since the last init, the ring is an
 *    exact FIFO of what we wrote (a model queue says what comes out);
 *  - always, even after corruption: return values, outputs and every byte of
 *    the region equal those of a naive second implementation (pbuf_model.c)
 *    run on a shadow copy of the region.
 * Each input is a finite list of operations, so nothing can loop.
 *
 * Input: byte 0 = configuration (bits 0-2 alignment, bit 3 handshake, bits 4-7
 * data length), then operations: one opcode byte (low six bits mod 14 = the
 * operation, bits 6-7 its flags) followed by its little-endian arguments.
 */
#define _POSIX_C_SOURCE 200809L /* setenv, posix_memalign */
#include <amplink/errno.h>
#include <amplink/pbuf.h>
#include "pbuf_model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(cond)                                                                        \
	do {                                                                                   \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "fuzz_pbuf: %s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                            \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

struct input {
	const uint8_t *p;
	size_t n;
};

static uint32_t take(struct input *in, unsigned bytes)
{
	uint32_t v = 0;
	for (unsigned i = 0; i < bytes; i++) {
		v |= (uint32_t)(in->n ? (in->n--, *in->p++) : 0u) << (8 * i);
	}
	return v;
}

/* Model of what the ring holds while the peer has behaved. */
#define QMAX 4096
struct model {
	bool clean;
	uint32_t qlen[QMAX];
	uint8_t qseed[QMAX];
	unsigned head, tail;
	uint8_t next_seed;
};

static void fill(uint8_t *b, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++) {
		b[i] = (uint8_t)(seed + i * 13u);
	}
}

static bool is_err(int rc, int a, int b, int c, int d)
{
	return rc == a || rc == b || rc == c || rc == d;
}

static void check_private(const struct amp_pbuf *tx, const struct amp_pbuf *rx, uint32_t len)
{
	CHECK(tx->len == len && rx->len == len);
	CHECK(tx->wr_idx % 4u == 0u && tx->wr_idx < len);
	CHECK(rx->rd_idx % 4u == 0u && rx->rd_idx < len);
}

static void in_data(const struct amp_pbuf *pb, const volatile uint8_t *p, size_t n)
{
	if (n == 0u) {
		return;
	}
	CHECK(p >= pb->data_loc && p + n <= pb->data_loc + pb->len);
	/* Touch every byte so ASan sees a stray pointer. */
	uint8_t acc = 0;
	for (size_t i = 0; i < n; i++) {
		acc ^= p[i];
	}
	(void)acc;
}

static const uint32_t aligns[8] = { 0, 4, 8, 16, 32, 64, 8, 0 };

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	/* Every corrupt value is logged; a fuzzer produces millions of them. */
	setenv("AMP_LOG_LEVEL", "-1", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	const uint32_t c = take(&in, 1);
	const uint32_t a = aligns[c & 7u];
	const bool hs = (c & 8u) && a >= 8u;
	/* Data areas from 12 bytes (header-in-last-slot corner) to ~1 KiB. */
	const uint32_t len = 12u + 4u * ((c >> 4) * 17u % 250u);
	const uint32_t rsize = AMP_PBUF_DATA_OFFSET(a, hs) + len;

	void *mem = NULL;
	if (posix_memalign(&mem, 64, rsize) != 0) {
		return 0;
	}
	uint8_t *region = mem;
	memset(region, 0xa5, rsize);
	struct amp_pbuf_cfg cfg = { .region = region, .size = rsize, .dcache_align = a, .handshake = hs };
	struct amp_pbuf tx, rx;
	CHECK(amp_pbuf_tx_init(&tx, &cfg) == 0);
	CHECK(amp_pbuf_rx_init(&rx, &cfg) == 0);
	CHECK(tx.len == len);
	const uint32_t wr_off = AMP_PBUF_WR_IDX_OFFSET(a, hs);

	static struct model m;
	memset(&m, 0, sizeof(m));
	m.clean = true;

	uint8_t *shadow = malloc(rsize);
	CHECK(shadow != NULL);
	memcpy(shadow, region, rsize);
	struct pbuf_model pm = { .mem = shadow, .size = rsize, .wr_off = wr_off, .len = len,
				 .has_hs = hs };
	memset(shadow, 0xa5, rsize);
	model_tx_init(&pm);
	model_rx_init(&pm);
	CHECK(memcmp(shadow, region, rsize) == 0);

	while (in.n > 0u) {
		const uint32_t op = take(&in, 1);
		/* Low six bits pick the operation, the top two are its flags. */
		switch ((op & 0x3fu) % 14u) {
		case 0:
		case 1: { /* our writer */
			uint32_t n = take(&in, 2);
			if (op & 0x80u) {
				n %= len; /* mostly sizes that can fit */
			}
			if (op & 0x40u) {
				n = 65536u; /* one past the largest packet */
			}
			uint8_t *b = malloc(n ? n : 1u);
			CHECK(b != NULL);
			if (n <= len) { /* larger never fits: skip the fill, keep the exact size */
				fill(b, n, m.next_seed);
			}
			int space = amp_pbuf_write_space(&tx);
			CHECK(space == model_write_space(&pm));
			int rc = amp_pbuf_write(&tx, b, n);
			CHECK(rc == model_write(&pm, b, n));
			free(b);
			if (rc >= 0) {
				CHECK(rc == (int)n && n >= 1u && n <= 65535u);
			} else {
				CHECK(is_err(rc, AMP_EINVAL, AMP_EPROTO, AMP_ENOMEM, AMP_ENOMEM));
			}
			if (n == 0u || n > 65535u) {
				CHECK(rc == AMP_EINVAL);
			}
			if (m.clean && n >= 1u && n <= 65535u) {
				CHECK(space >= 0);
				CHECK((rc > 0) == (n <= (uint32_t)space));
			}
			if (rc > 0 && m.clean) {
				CHECK(m.tail - m.head < QMAX);
				m.qlen[m.tail % QMAX] = n;
				m.qseed[m.tail % QMAX] = m.next_seed;
				m.tail++;
			}
			m.next_seed++;
			break;
		}
		case 2:
		case 3: { /* our reader */
			uint32_t maxlen = take(&in, 2);
			if (op & 0x80u) {
				maxlen = len;
			}
			uint8_t *b = malloc(maxlen ? maxlen : 1u);
			CHECK(b != NULL);
			uint8_t *mb = malloc(maxlen ? maxlen : 1u);
			CHECK(mb != NULL);
			int rc = amp_pbuf_read(&rx, b, maxlen);
			CHECK(rc == model_read(&pm, mb, maxlen, 0));
			if (rc > 0) {
				CHECK(memcmp(b, mb, (size_t)rc) == 0);
			}
			free(mb);
			if (rc >= 0) {
				CHECK((uint32_t)rc <= maxlen);
			} else {
				CHECK(is_err(rc, AMP_EINVAL, AMP_EPROTO, AMP_ENOMEM, AMP_EAGAIN));
			}
			if (m.clean) {
				if (m.head == m.tail) {
					CHECK(rc == 0);
				} else if (m.qlen[m.head % QMAX] > maxlen) {
					CHECK(rc == AMP_ENOMEM);
				} else {
					uint32_t n = m.qlen[m.head % QMAX];
					CHECK(rc == (int)n);
					uint8_t *w = malloc(n);
					CHECK(w != NULL);
					fill(w, n, m.qseed[m.head % QMAX]);
					CHECK(memcmp(w, b, n) == 0);
					free(w);
					m.head++;
				}
			}
			free(b);
			break;
		}
		case 4: { /* peek the length */
			uint32_t maxlen = take(&in, 2);
			int rc = amp_pbuf_read(&rx, NULL, maxlen);
			CHECK(rc == model_read(&pm, NULL, maxlen, 0));
			CHECK((rc >= 0 && rc <= 65535) || rc == AMP_EINVAL || rc == AMP_EPROTO);
			if (m.clean) {
				CHECK(rc == (m.head == m.tail ? 0 : (int)m.qlen[m.head % QMAX]));
			}
			break;
		}
		case 5: { /* zero copy */
			const volatile uint8_t *p1, *p2;
			size_t n1, n2;
			int rc = amp_pbuf_read_peek(&rx, &p1, &n1, &p2, &n2);
			CHECK(rc == model_read(&pm, NULL, 0, 1));
			if (rc > 0) {
				CHECK(n1 + n2 == (size_t)rc && n1 > 0u && (uint32_t)rc <= len - 8u);
				in_data(&rx, p1, n1);
				in_data(&rx, p2, n2);
				CHECK((n2 == 0u) == (p2 == NULL));
			} else {
				CHECK(rc == 0 || is_err(rc, AMP_EINVAL, AMP_EPROTO, AMP_EAGAIN, AMP_EAGAIN));
				CHECK(p1 == NULL && p2 == NULL && n1 == 0u && n2 == 0u);
			}
			if (m.clean) {
				CHECK(rc == (m.head == m.tail ? 0 : (int)m.qlen[m.head % QMAX]));
			}
			uint32_t sel = take(&in, 1);
			size_t rel = (sel & 1u) ? (size_t)(rc > 0 ? rc : 0) : (size_t)take(&in, 2);
			if (sel & 2u) {
				int rr = amp_pbuf_read_release(&rx, rel);
				CHECK(rr == model_release(&pm, (uint32_t)(rel > 0xffffffffu ? 0xffffffffu : rel)));
				CHECK(rr == 0 || is_err(rr, AMP_EINVAL, AMP_EPROTO, AMP_EAGAIN, AMP_EAGAIN));
				if (m.clean && rr == 0) {
					CHECK(m.head != m.tail && m.qlen[m.head % QMAX] == rel);
					m.head++;
				}
			}
			break;
		}
		case 6: {
			int rc = amp_pbuf_write_space(&tx);
			CHECK(rc == model_write_space(&pm));
			CHECK((rc >= 0 && (uint32_t)rc <= len - 8u) || rc == AMP_EINVAL ||
			      rc == AMP_EPROTO);
			break;
		}
		case 7: {
			const volatile uint8_t *p = NULL;
			size_t n = 0;
			int rc = amp_pbuf_get_initial_buf(&rx, &p, &n);
			uint32_t moff = 0, mn = 0;
			CHECK(rc == model_initial_buf(&pm, &moff, &mn));
			CHECK(rc == 0 || rc == AMP_EINVAL);
			if (rc == 0) {
				CHECK((size_t)(p - region) == moff && n == mn);
				CHECK(p == rx.data_loc + 4);
				in_data(&rx, p, n);
			}
			break;
		}
		case 8: { /* handshake words: ours and the peer's */
			uint32_t v = take(&in, 4);
			amp_pbuf_handshake_write(&rx, v);
			model_handshake_write(&pm, v);
			CHECK(amp_pbuf_handshake_read(&tx) == (hs ? v : 0u));
			break;
		}
		case 9: /* peer stores rd_idx (mostly aligned, sometimes anything) */
		case 10: { /* peer stores wr_idx */
			uint32_t v = take(&in, 4);
			if (op & 0x80u) {
				v = (v % (len + 8u)) & ~3u;
			}
			uint32_t off = ((op & 0x3fu) % 14u) == 9u ? 0u : wr_off;
			memcpy(region + off, &v, 4);
			memcpy(shadow + off, &v, 4);
			m.clean = false;
			break;
		}
		case 11: { /* peer rewrites a packet header somewhere in data[] */
			uint32_t at = (take(&in, 2) % (len / 4u)) * 4u;
			uint32_t v = take(&in, 2);
			uint8_t *d = region + AMP_PBUF_DATA_OFFSET(a, hs) + at;
			d[0] = (uint8_t)(v >> 8);
			d[1] = (uint8_t)v;
			memcpy(shadow + (d - region), d, 2);
			m.clean = false;
			break;
		}
		case 12: { /* peer scribbles on any byte of the region */
			uint32_t at = take(&in, 2) % rsize;
			region[at] = (uint8_t)take(&in, 1);
			shadow[at] = region[at];
			m.clean = false; /* data bytes too: the model checks contents */
			break;
		}
		default: /* both sides restart */
			CHECK(amp_pbuf_tx_init(&tx, &cfg) == 0);
			CHECK(amp_pbuf_rx_init(&rx, &cfg) == 0);
			model_tx_init(&pm);
			model_rx_init(&pm);
			m.clean = true;
			m.head = m.tail = 0;
			break;
		}
		check_private(&tx, &rx, len);
		CHECK(tx.wr_idx == pm.wr && rx.rd_idx == pm.rd);
		CHECK(memcmp(shadow, region, rsize) == 0);
		if (m.clean) {
			/* Private and shared indices agree while nobody interferes. */
			uint32_t srd, swr;
			memcpy(&srd, region, 4);
			memcpy(&swr, region + wr_off, 4);
			CHECK(srd == rx.rd_idx && swr == tx.wr_idx);
		}
	}
	free(shadow);
	free(region);
	return 0;
}
