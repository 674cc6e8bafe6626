/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A second, deliberately naive pbuf written straight from docs/SPEC-pbuf.md:
 * byte-at-a-time, modular arithmetic, its own shadow copy of the region. The
 * fuzzer runs it beside the real one and requires identical return values
 * and identical region bytes after every operation, including after the peer
 * corrupted the region.
 */
#ifndef AMP_PBUF_MODEL_H
#define AMP_PBUF_MODEL_H

#include <stddef.h>
#include <stdint.h>

struct pbuf_model {
	uint8_t *mem;    /* shadow region */
	uint32_t size;   /* region size */
	uint32_t wr_off; /* offset of wr_idx */
	uint32_t len;    /* data[] length */
	int has_hs;
	uint32_t wr;     /* writer's private index */
	uint32_t rd;     /* reader's private index */
	uint32_t seen_rd; /* writer: rd_idx as it read it last (spec §5.1 step 2) */
};

void model_tx_init(struct pbuf_model *m);
void model_rx_init(struct pbuf_model *m);
int model_write(struct pbuf_model *m, const uint8_t *src, uint32_t n);
/* @p out NULL = peek; @p zc: zero-copy rules (no size check, L = 0 is EPROTO, nothing consumed). */
int model_read(struct pbuf_model *m, uint8_t *out, uint32_t maxlen, int zc);
int model_release(struct pbuf_model *m, uint32_t n);
int model_write_space(struct pbuf_model *m);
int model_initial_buf(struct pbuf_model *m, uint32_t *off, uint32_t *n);
void model_handshake_write(struct pbuf_model *m, uint32_t v);

#endif
