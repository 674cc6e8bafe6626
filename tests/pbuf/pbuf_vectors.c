/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Golden-vector replay for pbuf: every case folder under vectors/pbuf is run
 * step by step; after every step the return value and the whole region must
 * equal what Zephyr's pbuf produced. No case name is hard-coded.
 *
 * Deliberate differences from Zephyr's return codes: none. (amplink returns
 * AMP_EPROTO for a peer index >= len, which Zephyr does not check; no vector
 * exercises that, the unit tests do.)
 */
#define _POSIX_C_SOURCE 200809L /* posix_memalign */
#include "pbuf_tests.h"

#include <amplink/errno.h>
#include <amplink/pbuf.h>
#include "vectors.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct replay {
	struct amp_vec_case vc;
	struct amp_pbuf_cfg cfg;
	struct amp_pbuf tx;
	struct amp_pbuf rx;
	uint8_t *region;
	size_t size;
};

static void check_ret(const struct amp_vec_record *r, long got, const char *cname)
{
	bool is_void = false;
	long want = amp_vec_ret(amp_vec_get(r, "ret"), &is_void);
	assert_false(is_void);
	if (want != got) {
		fprintf(stderr, "%s step %d %s %s: want ret %ld got %ld\n", cname, r->n, r->actor,
			r->call, want, got);
	}
	assert_int_equal(want, got);
}

static void check_void(const struct amp_vec_record *r)
{
	bool is_void = false;
	(void)amp_vec_ret(amp_vec_get(r, "ret"), &is_void);
	assert_true(is_void);
}

/* Layout keys of the case against our macros. */
static void check_layout(const struct replay *rp)
{
	const struct amp_vec_case *vc = &rp->vc;
	const uint32_t a = rp->cfg.dcache_align;
	const bool hs = rp->cfg.handshake;
	assert_int_equal(amp_vec_param_long(vc, "rd_idx_offset", -1), 0);
	assert_int_equal(amp_vec_param_long(vc, "handshake_offset", -1), hs ? 4 : -1);
	assert_int_equal(amp_vec_param_long(vc, "wr_idx_offset", -1), AMP_PBUF_WR_IDX_OFFSET(a, hs));
	assert_int_equal(amp_vec_param_long(vc, "data_offset", -1), AMP_PBUF_DATA_OFFSET(a, hs));
	assert_int_equal(amp_vec_param_long(vc, "data_len", -1),
			 AMP_PBUF_DATA_LEN(rp->cfg.size, a, hs));
	long max_payload = amp_vec_param_long(vc, "max_payload", -1);
	if (max_payload >= 0) {
		assert_int_equal(max_payload, AMP_PBUF_DATA_LEN(rp->cfg.size, a, hs) - 8);
	}
}

static void do_read(struct replay *rp, const struct amp_vec_record *r)
{
	const char *bufarg = amp_vec_get(r, "buf");
	long maxlen = amp_vec_get_long(r, "maxlen", -1);
	assert_true(maxlen >= 0);
	if (bufarg != NULL && strcmp(bufarg, "NULL") == 0) {
		check_ret(r, amp_pbuf_read(&rp->rx, NULL, (size_t)maxlen), rp->vc.name);
		return;
	}
	/* Exactly maxlen bytes, so ASan catches a read that writes past it. */
	uint8_t *buf = malloc(maxlen > 0 ? (size_t)maxlen : 1u);
	assert_non_null(buf);
	int ret = amp_pbuf_read(&rp->rx, buf, (size_t)maxlen);
	check_ret(r, ret, rp->vc.name);
	const char *got = amp_vec_get(r, "got");
	if (ret > 0) {
		assert_non_null(got);
		assert_true(strncmp(got, "msg", 3) == 0);
		uint8_t *want = malloc((size_t)ret);
		assert_non_null(want);
		amp_vec_payload(want, (size_t)ret, strtol(got + 3, NULL, 10));
		assert_memory_equal(want, buf, (size_t)ret);
		free(want);
	} else {
		assert_null(got);
	}
	free(buf);
}

static void do_write(struct replay *rp, const struct amp_vec_record *r)
{
	long len = amp_vec_get_long(r, "len", -1);
	const char *msg = amp_vec_get(r, "msg");
	assert_true(len >= 0);
	assert_non_null(msg);
	uint8_t *buf = malloc(len > 0 ? (size_t)len : 1u);
	assert_non_null(buf);
	if (strcmp(msg, "none") != 0) {
		amp_vec_payload(buf, (size_t)len, strtol(msg, NULL, 10));
	}
	check_ret(r, amp_pbuf_write(&rp->tx, buf, (size_t)len), rp->vc.name);
	free(buf);
}

static void do_initial_buf(struct replay *rp, const struct amp_vec_record *r)
{
	const volatile uint8_t *data = NULL;
	size_t len = 0;
	int ret = amp_pbuf_get_initial_buf(&rp->rx, &data, &len);
	check_ret(r, ret, rp->vc.name);
	if (ret == 0) {
		assert_int_equal((long)len, amp_vec_get_long(r, "out_len", -1));
		assert_int_equal((long)((const volatile uint8_t *)data - rp->region),
				 amp_vec_get_long(r, "out_offset", -1));
	}
}

static void do_poke(struct replay *rp, const struct amp_vec_record *r)
{
	long off = amp_vec_get_long(r, "offset", -1);
	unsigned long value = (unsigned long)amp_vec_get_long(r, "value", -1);
	check_void(r);
	if (strcmp(r->call, "poke32") == 0) {
		assert_true(off >= 0 && (size_t)off + 4u <= rp->size);
		for (int i = 0; i < 4; i++) {
			rp->region[off + i] = (uint8_t)(value >> (8 * i));
		}
	} else if (strcmp(r->call, "poke16be") == 0) {
		assert_true(off >= 0 && (size_t)off + 2u <= rp->size);
		rp->region[off] = (uint8_t)(value >> 8);
		rp->region[off + 1] = (uint8_t)value;
	} else {
		fail_msg("unknown test step %s", r->call);
	}
}

static void run_step(struct replay *rp, const struct amp_vec_record *r)
{
	const bool tx = strcmp(r->actor, "tx") == 0;
	const bool rx = strcmp(r->actor, "rx") == 0;
	if (strcmp(r->actor, "test") == 0) {
		do_poke(rp, r);
	} else if (tx && strcmp(r->call, "pbuf_tx_init") == 0) {
		check_ret(r, amp_pbuf_tx_init(&rp->tx, &rp->cfg), rp->vc.name);
	} else if (rx && strcmp(r->call, "pbuf_rx_init") == 0) {
		check_ret(r, amp_pbuf_rx_init(&rp->rx, &rp->cfg), rp->vc.name);
	} else if (tx && strcmp(r->call, "pbuf_write") == 0) {
		do_write(rp, r);
	} else if (rx && strcmp(r->call, "pbuf_read") == 0) {
		do_read(rp, r);
	} else if (rx && strcmp(r->call, "pbuf_get_initial_buf") == 0) {
		do_initial_buf(rp, r);
	} else if (rx && strcmp(r->call, "pbuf_handshake_write") == 0) {
		check_void(r);
		amp_pbuf_handshake_write(&rp->rx, (uint32_t)amp_vec_get_long(r, "value", 0));
	} else if (tx && strcmp(r->call, "pbuf_handshake_read") == 0) {
		check_ret(r, (long)amp_pbuf_handshake_read(&rp->tx), rp->vc.name);
	} else {
		fail_msg("%s: unknown step %d %s %s", rp->vc.name, r->n, r->actor, r->call);
	}
}

static void replay_case(void **state)
{
	const char *name = *state;
	struct replay rp;
	memset(&rp, 0, sizeof(rp));
	assert_int_equal(amp_vec_load(&rp.vc, "pbuf", name), 0);

	long size = amp_vec_param_long(&rp.vc, "region_size", -1);
	long align = amp_vec_param_long(&rp.vc, "dcache_alignment", -1);
	long hs = amp_vec_param_long(&rp.vc, "handshake", -1);
	long fill = amp_vec_param_long(&rp.vc, "initial_fill", -1);
	long valid = amp_vec_param_long(&rp.vc, "valid_config", -1);
	assert_true(size > 0 && align >= 0 && (hs == 0 || hs == 1) && fill >= 0 && fill <= 255);
	assert_true(valid == 0 || valid == 1);
	assert_int_equal(amp_vec_param_long(&rp.vc, "image_size", -1), size);
	assert_int_equal(amp_vec_param_long(&rp.vc, "regions", -1), 1);

	/* Exactly sized and aligned to MAX(A, 64), as a devicetree region would be. */
	size_t memalign = align > 64 ? (size_t)align : 64u;
	void *mem = NULL;
	assert_int_equal(posix_memalign(&mem, memalign, (size_t)size), 0);
	rp.region = mem;
	rp.size = (size_t)size;
	memset(rp.region, (int)fill, rp.size);
	rp.cfg.region = rp.region;
	rp.cfg.size = (uint32_t)size;
	rp.cfg.dcache_align = (uint32_t)align;
	rp.cfg.handshake = hs == 1;
	check_layout(&rp);
	assert_int_equal(amp_pbuf_cfg_check(&rp.cfg), valid ? 0 : AMP_EINVAL);

	int steps = 0;
	for (int i = 0; i < rp.vc.nrec; i++) {
		const struct amp_vec_record *r = &rp.vc.rec[i];
		if (r->is_event) {
			continue;
		}
		assert_int_equal(r->n, steps);
		run_step(&rp, r);
		const char *img = amp_vec_get(r, "image");
		assert_non_null(img);
		size_t isz = 0;
		uint8_t *want = amp_vec_image(&rp.vc, img, &isz);
		assert_non_null(want);
		assert_int_equal(isz, rp.size);
		char what[128];
		snprintf(what, sizeof(what), "%s step %d (%s)", name, r->n, img);
		bool same = amp_vec_compare(want, rp.region, rp.size, what);
		free(want);
		assert_true(same);
		steps++;
	}
	assert_int_equal(steps, amp_vec_param_long(&rp.vc, "steps", -1));
	free(rp.region);
	amp_vec_free(&rp.vc);
}

int pbuf_run_vector_tests(void)
{
	char **names = NULL;
	int n = amp_vec_list("pbuf", &names);
	if (n <= 0) {
		fprintf(stderr, "pbuf vectors: no cases found under %s/pbuf\n", amp_vec_root());
		return 1;
	}
	struct CMUnitTest *tests = calloc((size_t)n, sizeof(*tests));
	if (tests == NULL) {
		return 1;
	}
	for (int i = 0; i < n; i++) {
		tests[i].name = names[i];
		tests[i].test_func = replay_case;
		tests[i].initial_state = names[i];
	}
	int failed = _cmocka_run_group_tests("pbuf_vectors", tests, (size_t)n, NULL, NULL);
	for (int i = 0; i < n; i++) {
		free(names[i]);
	}
	free(names);
	free(tests);
	return failed;
}
