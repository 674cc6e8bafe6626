/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `amplink inspect` against the golden vectors: every image of every pbuf,
 * ICMsg and RPMsg case is decoded and compared with what the case's header
 * keys and steps say the memory holds (layout offsets, indices, pending
 * packets and their payloads, binding, buffers in flight, name service); then
 * every image with random bytes changed goes through every decoder.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "inspect_util.h"

/* ---- pbuf ------------------------------------------------------------------ */

struct model_pkt {
	uint32_t idx, len;
	long msg;
};

static uint32_t adv(uint32_t idx, uint32_t len, uint32_t data_len)
{
	uint32_t p = (idx + 4) % data_len;
	uint32_t n = (p + len + 3) / 4 * 4;
	return n >= data_len ? n - data_len : n;
}


static void check_pbuf_case(const char *name)
{
	struct amp_vec_case c;
	assert_int_equal(amp_vec_load(&c, "pbuf", name), 0);
	struct amp_insp_pbuf_cfg cfg = {
		.size = (uint32_t)amp_vec_param_long(&c, "region_size", 0),
		.dcache_align = (uint32_t)amp_vec_param_long(&c, "dcache_alignment", 0),
		.handshake = amp_vec_param_long(&c, "handshake", 0) != 0,
	};
	bool valid = amp_vec_param_long(&c, "valid_config", 1) != 0;
	uint32_t rd_off = (uint32_t)amp_vec_param_long(&c, "rd_idx_offset", 0);
	long hs_off = amp_vec_param_long(&c, "handshake_offset", -1);
	uint32_t wr_off = (uint32_t)amp_vec_param_long(&c, "wr_idx_offset", 0);
	uint32_t data_off = (uint32_t)amp_vec_param_long(&c, "data_offset", 0);
	uint32_t data_len = (uint32_t)amp_vec_param_long(&c, "data_len", 0);

	struct model_pkt q[512];
	unsigned qh = 0, qn = 0;
	uint32_t fill = (uint32_t)amp_vec_param_long(&c, "initial_fill", 0) & 0xffu;
	/* Nobody writes the handshake word before the reader does: initial fill. */
	uint32_t wr = 0, rd = 0, shared_rd = 0, shared_wr = 0, hs = fill * 0x01010101u;
	unsigned checked = 0;

	for (int i = 0; i < c.nrec; i++) {
		const struct amp_vec_record *r = &c.rec[i];
		if (r->is_event) {
			continue;
		}
		bool isvoid = false;
		long ret = amp_vec_ret(amp_vec_get(r, "ret"), &isvoid);
		if (strcmp(r->call, "pbuf_tx_init") == 0 && ret == 0) {
			wr = rd = shared_rd = shared_wr = 0;
			qh = qn = 0;
		} else if (strcmp(r->call, "pbuf_write") == 0 && ret > 0) {
			q[(qh + qn) % 512] = (struct model_pkt){ wr, (uint32_t)ret,
								 amp_vec_get_long(r, "msg", -1) };
			qn++;
			wr = adv(wr, (uint32_t)ret, data_len);
			shared_wr = wr;
		} else if (strcmp(r->call, "pbuf_read") == 0 && ret > 0 &&
			   amp_vec_get(r, "buf") == NULL) {
			assert_true(qn > 0);
			rd = adv(rd, q[qh % 512].len, data_len);
			qh++;
			qn--;
			shared_rd = rd;
		} else if (strcmp(r->call, "pbuf_handshake_write") == 0) {
			hs = (uint32_t)amp_vec_get_long(r, "value", 0);
		} else if (strcmp(r->call, "poke32") == 0) {
			uint32_t off = (uint32_t)amp_vec_get_long(r, "offset", 0);
			uint32_t v = (uint32_t)amp_vec_get_long(r, "value", 0);
			if (off == rd_off) {
				shared_rd = v;
			} else if (off == wr_off) {
				shared_wr = v;
			} else {
				fail_msg("%s: unexpected poke32 offset %u", name, off);
			}
		} else if (strcmp(r->call, "poke16be") == 0) {
			uint32_t off = (uint32_t)amp_vec_get_long(r, "offset", 0);
			uint32_t v = (uint32_t)amp_vec_get_long(r, "value", 0);
			bool found = false;
			for (unsigned k = 0; k < qn; k++) {
				struct model_pkt *p = &q[(qh + k) % 512];
				if (data_off + p->idx == off) {
					p->len = v;
					found = true;
				}
			}
			assert_true(found);
		}

		size_t isz = 0;
		uint8_t *img = amp_vec_image(&c, amp_vec_get(r, "image"), &isz);
		assert_non_null(img);
		memset(&fs, 0, sizeof(fs));
		amp_insp_pbuf_decode(&pb_out, &cfg, img, isz, 0, &fs);
		checked++;

		if (!valid) {
			/* The reference refused this configuration: the decoder must say so. */
			assert_true(amp_insp_has(&fs, "config_invalid", UINT32_MAX));
			free(img);
			continue;
		}
		assert_true(pb_out.layout_ok);
		assert_int_equal(pb_out.rd_off, rd_off);
		assert_int_equal(pb_out.wr_off, wr_off);
		assert_int_equal(pb_out.data_off, data_off);
		assert_int_equal(pb_out.data_len, data_len);
		if (hs_off >= 0) {
			assert_int_equal(pb_out.hs_off, (uint32_t)hs_off);
			assert_int_equal(pb_out.handshake, hs);
		}
		assert_int_equal(pb_out.rd_idx, shared_rd);
		assert_int_equal(pb_out.wr_idx, shared_wr);

		unsigned expect_findings = 0;
		if (shared_rd % 4 != 0) {
			assert_true(amp_insp_has(&fs, "rd_idx_misaligned", rd_off));
			expect_findings++;
		}
		if (shared_wr % 4 != 0) {
			assert_true(amp_insp_has(&fs, "wr_idx_misaligned", wr_off));
			expect_findings++;
		}
		if (expect_findings == 0) {
			uint32_t occ = wr >= rd ? wr - rd : data_len - (rd - wr);
			assert_true(pb_out.idx_ok);
			assert_int_equal(pb_out.used, occ);
			assert_int_equal(pb_out.free, data_len - occ - 4);
			/* Walk the model's packets: a header claiming more than is left
			 * (a poked length) must be reported at its offset, and ends the walk. */
			uint32_t left = occ;
			unsigned k;
			for (k = 0; k < qn && k < AMP_INSP_MAX_PACKETS; k++) {
				const struct model_pkt *p = &q[(qh + k) % 512];
				assert_int_equal(pb_out.pkt[k].hdr_idx, p->idx);
				assert_int_equal(pb_out.pkt[k].len, p->len);
				if (p->len + 4 > left) {
					assert_false(pb_out.pkt[k].complete);
					assert_true(amp_insp_has(&fs, "packet_len_exceeds_used",
								 data_off + p->idx));
					expect_findings++;
					k++;
					break;
				}
				uint8_t want[AMP_INSP_HEAD_BYTES];
				assert_true(pb_out.pkt[k].complete);
				payload(want, sizeof(want), p->msg);
				assert_memory_equal(pb_out.pkt[k].head, want, pb_out.pkt[k].nhead);
				left -= (p->len + 3) / 4 * 4 + 4;
			}
			assert_int_equal(pb_out.npackets, k);
		}
		if (fs.n != expect_findings) {
			dump_findings(name);
		}
		assert_int_equal(fs.n, expect_findings);
		free(img);
	}
	assert_true(checked > 0);
	amp_vec_free(&c);
}

static void test_pbuf_vectors(void **state)
{
	(void)state;
	char **names;
	int n = amp_vec_list("pbuf", &names);
	assert_true(n >= 19);
	for (int i = 0; i < n; i++) {
		check_pbuf_case(names[i]);
		free(names[i]);
	}
	free(names);
}

/* ---- ICMsg ----------------------------------------------------------------- */

static bool state_connected(const char *s)
{
	return s != NULL && (strcmp(s, "READY") == 0 || strncmp(s, "CONNECTED", 9) == 0);
}

static void check_icmsg_case(const char *name)
{
	struct amp_vec_case c;
	assert_int_equal(amp_vec_load(&c, "icmsg", name), 0);
	const char *a_hs = amp_vec_param(&c, "handshake.A_writes");
	const char *b_hs = amp_vec_param(&c, "handshake.B_writes");
	bool hs = (a_hs && strcmp(a_hs, "none") != 0) || (b_hs && strcmp(b_hs, "none") != 0);
	const char *side_a = amp_vec_param(&c, "side.A");
	struct amp_insp_icmsg_cfg cfg = {
		.size = (uint32_t)amp_vec_param_long(&c, "region_size", 0),
		.dcache_align = (uint32_t)amp_vec_param_long(&c, "dcache_alignment", 0),
		.unbound = !hs ? AMP_INSP_UNBOUND_DISABLE
			   : (side_a && strstr(side_a, "detect")) ? AMP_INSP_UNBOUND_DETECT
								   : AMP_INSP_UNBOUND_ENABLE,
		.rx_buffer_size = (uint32_t)amp_vec_param_long(&c, "rx_buffer_size", 0),
	};
	uint32_t off1 = (uint32_t)amp_vec_param_long(&c, "region.1.offset", 0);
	bool invalid = cfg.unbound != AMP_INSP_UNBOUND_DISABLE && cfg.dcache_align < 8;
	unsigned prev_pending[2] = { 0, 0 };
	const char *prev_image = NULL;
	bool oversize_seen = false;

	for (int i = 0; i < c.nrec; i++) {
		const struct amp_vec_record *r = &c.rec[i];
		if (r->is_event) {
			continue;
		}
		size_t isz = 0;
		const char *image = amp_vec_get(r, "image");
		uint8_t *img = amp_vec_image(&c, image, &isz);
		assert_non_null(img);
		assert_true(isz >= 2 * cfg.size);
		memset(&fs, 0, sizeof(fs));
		amp_insp_icmsg_decode(&ic_out, &cfg, img, off1, img + off1, isz - off1, &fs);
		if (invalid) {
			assert_true(amp_insp_has(&fs, "config_invalid", UINT32_MAX));
			free(img);
			continue;
		}
		/* Events of this step. */
		int received[2] = { 0, 0 }; /* by direction */
		bool bound_ev = false, unbound_ev = false;
		for (int k = i + 1; k < c.nrec && c.rec[k].is_event && c.rec[k].n == r->n; k++) {
			const struct amp_vec_record *e = &c.rec[k];
			int dir = strcmp(e->actor, "A") == 0 ? 1 : 0; /* A receives from b2a */
			if (strcmp(e->call, "received") == 0) {
				received[dir]++;
			} else if (strcmp(e->call, "bound") == 0) {
				bound_ev = true;
			} else if (strcmp(e->call, "unbound") == 0) {
				unbound_ev = true;
			}
		}
		int sdir = strcmp(r->actor, "A") == 0 ? 0 : 1;
		bool changed = prev_image == NULL || strcmp(prev_image, image) != 0;
		bool isvoid = false;
		long ret = amp_vec_ret(amp_vec_get(r, "ret"), &isvoid);
		const char *st = amp_vec_get(r, "state");
		if (strcmp(r->call, "send") == 0 && ret > 0 && changed) {
			/* A send that wrote: one more packet, carrying exactly this message. */
			const struct amp_insp_pbuf *pb = &ic_out.dir[sdir];
			assert_int_equal(pb->npackets, prev_pending[sdir] + 1);
			const struct amp_insp_packet *p = &pb->pkt[pb->npackets - 1];
			uint8_t want[AMP_INSP_HEAD_BYTES];
			payload(want, sizeof(want), amp_vec_get_long(r, "msg", -1));
			assert_int_equal(p->len, (uint32_t)ret);
			assert_memory_equal(p->head, want, p->nhead);
		}
		if (strcmp(r->call, "work") == 0 && !bound_ev && !unbound_ev &&
		    (received[0] || received[1]) && state_connected(st)) {
			int d = received[0] ? 0 : 1;
			assert_int_equal(ic_out.dir[d].npackets + (unsigned)received[d],
					 prev_pending[d]);
		}
		if (strcmp(r->call, "open") == 0 && st != NULL &&
		    (strcmp(st, "BUSY") == 0 || strcmp(st, "INITIALIZING_SID_DISABLED") == 0)) {
			/* v1 open: a fresh ring holding the magic packet, unread. */
			assert_int_equal(ic_out.magic[sdir], AMP_INSP_MAGIC_PENDING);
		}
		if (bound_ev && st != NULL && strcmp(st, "CONNECTED_SID_ENABLED") == 0) {
			/* Bound in v2 means both sessions acknowledged; the other side may
			 * not have processed it yet, but the words already agree. */
			assert_true(ic_out.bound_v2);
		}
		if (amp_insp_has(&fs, "packet_exceeds_rx_buffer", UINT32_MAX)) {
			oversize_seen = true;
		}
		for (unsigned k = 0; k < fs.n; k++) {
			if (strcmp(fs.f[k].code, "packet_exceeds_rx_buffer") != 0) {
				dump_findings(name);
				fail_msg("%s step %d: unexpected finding %s", name, r->n, fs.f[k].code);
			}
		}
		prev_pending[0] = ic_out.dir[0].npackets;
		prev_pending[1] = ic_out.dir[1].npackets;
		prev_image = image;
		if (i + 1 == c.nrec || (i + 1 < c.nrec && strcmp(c.rec[i + 1].call, "end") == 0)) {
			/* nothing */
		}
		free(img);
	}
	/* Final binding state as the header states it. */
	const char *fin = amp_vec_param(&c, "final_state");
	if (!invalid && fin != NULL) {
		char a[64] = "", b[64] = "";
		sscanf(fin, "A=%63s B=%63s", a, b);
		bool both = state_connected(a) && state_connected(b);
		if (both) {
			bool v2 = strcmp(a, "CONNECTED_SID_ENABLED") == 0;
			if (!(v2 ? ic_out.bound_v2 : ic_out.bound_v1)) {
				fail_msg("%s: final state %s but decoded v1 %d v2 %d magic %d/%d", name,
					 fin, ic_out.bound_v1, ic_out.bound_v2, ic_out.magic[0],
					 ic_out.magic[1]);
			}
		} else if (strstr(name, "incompatible") != NULL) {
			assert_false(ic_out.bound_v1);
			assert_false(ic_out.bound_v2);
		}
	}
	assert_int_equal(oversize_seen, strstr(name, "oversize") != NULL);
	amp_vec_free(&c);
}

static void test_icmsg_vectors(void **state)
{
	(void)state;
	char **names;
	int n = amp_vec_list("icmsg", &names);
	assert_true(n >= 14);
	for (int i = 0; i < n; i++) {
		check_icmsg_case(names[i]);
		free(names[i]);
	}
	free(names);
}

/* ---- RPMsg ----------------------------------------------------------------- */

static void check_rpmsg_case(const char *name)
{
	struct amp_vec_case c;
	assert_int_equal(amp_vec_load(&c, "rpmsg_static_vrings", name), 0);
	long base = amp_vec_param_long(&c, "region_base", 0);
	struct amp_insp_rpmsg_cfg cfg = {
		.size = (uint32_t)amp_vec_param_long(&c, "region_size", 0),
		.addr = (uint64_t)base,
		.buffer_size = (uint32_t)amp_vec_param_long(&c, "buffer_size", 0),
		.mem_align = (uint32_t)amp_vec_param_long(&c, "mem_alignment", 0),
	};
	unsigned prev_out1 = 0, prev_host = 0;
	bool host_opened = false, ns_create_seen = false;
	for (int i = 0; i < c.nrec; i++) {
		const struct amp_vec_record *r = &c.rec[i];
		if (r->is_event) {
			continue;
		}
		size_t isz = 0;
		uint8_t *img = amp_vec_image(&c, amp_vec_get(r, "image"), &isz);
		assert_non_null(img);
		memset(&fs, 0, sizeof(fs));
		amp_insp_rpmsg_decode(&rp_out, &cfg, img, isz, &fs);
		if (fs.n != 0) {
			dump_findings(name);
		}
		assert_int_equal(fs.n, 0);
		assert_true(rp_out.layout_ok);
		assert_int_equal(rp_out.num_desc, amp_vec_param_long(&c, "num_desc", 0));
		assert_int_equal(rp_out.pool_off, amp_vec_param_long(&c, "pool_addr", 0) - base);
		assert_int_equal(rp_out.pool_size, amp_vec_param_long(&c, "pool_size", 0));
		assert_int_equal(rp_out.ring[1].off, amp_vec_param_long(&c, "vring1_addr", 0) - base);
		assert_int_equal(rp_out.ring[0].off, amp_vec_param_long(&c, "vring0_addr", 0) - base);
		assert_int_equal(rp_out.vring_bytes, amp_vec_param_long(&c, "vring_bytes", 0));
		assert_int_equal(rp_out.used_shm_size, amp_vec_param_long(&c, "used_shm_size", 0));

		bool isvoid = false;
		long ret = amp_vec_ret(amp_vec_get(r, "ret"), &isvoid);
		bool is_host = strcmp(r->actor, "host") == 0;
		int received = 0;
		for (int k = i + 1; k < c.nrec && c.rec[k].is_event && c.rec[k].n == r->n; k++) {
			if (strcmp(c.rec[k].call, "received") == 0) {
				received++;
			}
		}
		if (is_host && strcmp(r->call, "open_instance") == 0) {
			host_opened = true;
		}
		if (host_opened) {
			assert_int_equal(rp_out.status & 0x04, 0x04); /* DRIVER_OK */
			/* Every host receive buffer is somewhere: with the remote or the host. */
			assert_int_equal(rp_out.host_rx_free + rp_out.host_rx_owned,
					 rp_out.num_desc);
		}
		if (strcmp(r->call, "send") == 0 && ret > 0) {
			uint8_t want[AMP_INSP_HEAD_BYTES];
			payload(want, sizeof(want), amp_vec_get_long(r, "msg", -1));
			const struct amp_insp_rpmsg_msg *m;
			if (is_host) {
				/* One more message in flight to the remote, and it is this one. */
				assert_int_equal(rp_out.ring[1].outstanding, prev_out1 + 1);
				assert_int_equal(rp_out.remote_tx_owned, prev_out1 + 1);
				m = &rp_out.ring[1].pending[rp_out.ring[1].npending - 1];
			} else {
				assert_int_equal(rp_out.host_rx_owned, prev_host + 1);
				m = &rp_out.ring[0].pending[rp_out.ring[0].npending - 1];
			}
			assert_true(m->hdr_ok);
			assert_int_equal(m->len, (uint32_t)ret);
			assert_memory_equal(m->head, want, m->nhead);
		} else if (strcmp(r->call, "send") == 0) {
			assert_int_equal(rp_out.ring[1].outstanding, prev_out1);
		}
		if (strcmp(r->call, "work") == 0 && received > 0) {
			/* The receive work item drains its ring and hands the buffers back. */
			if (is_host) {
				assert_int_equal(rp_out.host_rx_owned, 0);
			} else {
				assert_int_equal(rp_out.ring[1].outstanding, 0);
			}
		}
		for (unsigned k = 0; k < rp_out.nns; k++) {
			if (strcmp(rp_out.ns[k].name, "ep0") == 0 && rp_out.ns[k].flags == 0 &&
			    rp_out.ns[k].addr == 1024 && rp_out.ns[k].ring == 0) {
				ns_create_seen = true;
			}
		}
		prev_out1 = rp_out.ring[1].outstanding;
		prev_host = rp_out.host_rx_owned;
		free(img);
	}
	/* The remote announced ep0 at address 1024 through the name service. */
	assert_true(ns_create_seen);
	amp_vec_free(&c);
}

static void test_rpmsg_vectors(void **state)
{
	(void)state;
	char **names;
	int n = amp_vec_list("rpmsg_static_vrings", &names);
	assert_true(n >= 4);
	for (int i = 0; i < n; i++) {
		check_rpmsg_case(names[i]);
		free(names[i]);
	}
	free(names);
}

static uint32_t lcg(uint32_t *x)
{
	*x = *x * 1664525u + 1013904223u;
	return *x >> 8;
}

static void mutate_family(const char *family, uint32_t *rng)
{
	char **names;
	int n = amp_vec_list(family, &names);
	for (int i = 0; i < n; i++) {
		struct amp_vec_case c;
		assert_int_equal(amp_vec_load(&c, family, names[i]), 0);
		const char *last = NULL;
		for (int r = 0; r < c.nrec; r++) {
			const char *img_name = amp_vec_get(&c.rec[r], "image");
			if (c.rec[r].is_event || img_name == NULL ||
			    (last != NULL && strcmp(last, img_name) == 0)) {
				continue;
			}
			last = img_name;
			size_t sz;
			uint8_t *img = amp_vec_image(&c, img_name, &sz);
			assert_non_null(img);
			uint8_t *w = malloc(sz);
			for (int k = 0; k < 40; k++) {
				memcpy(w, img, sz);
				unsigned flips = 1 + lcg(rng) % 8;
				for (unsigned f = 0; f < flips; f++) {
					w[lcg(rng) % sz] = (uint8_t)lcg(rng);
				}
				struct amp_insp_pbuf_cfg pc = { .size = (uint32_t)sz, .dcache_align = lcg(rng) % 2 ? 8 : 0,
								.handshake = lcg(rng) % 2 };
				memset(&fs, 0, sizeof(fs));
				amp_insp_pbuf_decode(&pb_out, &pc, w, sz, 0, &fs);
				struct amp_insp_icmsg_cfg ic = { .size = (uint32_t)(sz / 2) & ~3u, .dcache_align = 8,
								 .unbound = (enum amp_insp_unbound)(lcg(rng) % 3),
								 .rx_buffer_size = 128 };
				memset(&fs, 0, sizeof(fs));
				amp_insp_icmsg_decode(&ic_out, &ic, w, sz / 2, w + sz / 2, sz - sz / 2, &fs);
				struct amp_insp_rpmsg_cfg rc = { .size = (uint32_t)sz, .addr = 0x20070000,
								 .buffer_size = lcg(rng) % 2 ? 512 : 128,
								 .mem_align = 4 };
				memset(&fs, 0, sizeof(fs));
				amp_insp_rpmsg_decode(&rp_out, &rc, w, sz, &fs);
			}
			free(w);
			free(img);
		}
		amp_vec_free(&c);
		free(names[i]);
	}
	free(names);
}

static void test_mutations(void **state)
{
	(void)state;
	uint32_t rng = 12345;
	mutate_family("pbuf", &rng);
	mutate_family("icmsg", &rng);
	mutate_family("rpmsg_static_vrings", &rng);
}

/* Live route: a region file in $AMPLINK_SHM_DIR, named with --shm. */
int main(int argc, char **argv)
{
	amplink_bin = argc > 1 ? argv[1] : "amplink";
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pbuf_vectors),
		cmocka_unit_test(test_icmsg_vectors),
		cmocka_unit_test(test_rpmsg_vectors),
		cmocka_unit_test(test_mutations),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
