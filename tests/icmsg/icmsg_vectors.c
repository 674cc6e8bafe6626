/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Golden-vector replay of ../shared/vectors/icmsg: two amplink ICMsg instances
 * A and B over two regions (a2b, b2a) and a deferred loopback mailbox execute
 * the recorded steps in order; after every step both regions must equal the
 * recorded image byte for byte, and return values, states and events (bound,
 * unbound, received, doorbells) must match.
 *
 * Mapping of the recorded sides onto amplink profiles:
 *   v1, v2-disable -> AMP_ICMSG_V1 (identical bytes; v2-disable rings once more
 *                     at open, at bound and at close, which is exactly what
 *                     amplink's V1 profile does, so its doorbells are compared;
 *                     a frozen-v1 side rings from a 1 ms timer instead — the
 *                     "notify_work" steps, replayed with amp_icmsg_bond_notify()
 *                     — so its doorbell events are not compared)
 *   v2-enable      -> AMP_ICMSG_V2
 *   v2-detect      -> AMP_ICMSG_DETECT
 * A "work item=mbox_work" step is one Zephyr work item = one unit of
 * amp_icmsg_process_budget(ic, 1).
 *
 * Deliberate deviations (asserted, not skipped):
 *  0. after a receive pass that freed space of a nearly full ring amplink rings
 *     the writer (Zephyr never does); such rings are counted in
 *     stats.space_rings and are the only doorbells allowed beyond the
 *     recording.
 *  1. send while the peer is disconnected: Zephyr returns len and drops the
 *     data; amplink returns AMP_ENOTCONN. Neither writes a byte, so the image
 *     is still compared.
 *  2. send longer than the peer's receive buffer (128): Zephyr writes it and
 *     the peer's ring is stuck for good; amplink refuses with AMP_EMSGSIZE and
 *     writes nothing (the image must equal the one before the step). From then
 *     on that region legitimately differs from the recording, so it is no
 *     longer compared; instead the receiver must get exactly the messages
 *     amplink accepted, in order — including the ones the reference lost.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <amplink/errno.h>
#include <amplink/icmsg.h>
#include <amplink/mbox_loopback.h>

#include "icmsg_tests.h"
#include "vectors.h"

#define MAX_RX 64

struct rx_rec {
	size_t len;
	uint8_t data[256];
};

struct vside {
	const char *kind; /* v1 / v2-disable / v2-enable / v2-detect */
	struct amp_icmsg ic;
	struct amp_icmsg_cfg cfg;
	struct amp_ipc_ept_cfg ecfg;
	struct amp_mbox *mbox;
	int init_ret;
	int bound;
	int unbound;
	int nrx;
	struct rx_rec rx[MAX_RX];
	/* deviation 2: messages amplink accepted while the region is not compared */
	long accepted[MAX_RX];
	int naccepted;
	int nchecked;
};

static void cb_bound(void *priv) { ((struct vside *)priv)->bound++; }
static void cb_unbound(void *priv) { ((struct vside *)priv)->unbound++; }
static void cb_received(const void *data, size_t len, void *priv)
{
	struct vside *s = priv;
	assert_true(s->nrx < MAX_RX);
	assert_true(len <= sizeof(s->rx[0].data));
	s->rx[s->nrx].len = len;
	memcpy(s->rx[s->nrx].data, data, len);
	s->nrx++;
}

static enum amp_icmsg_profile profile_of(const char *kind)
{
	if (strcmp(kind, "v1") == 0 || strcmp(kind, "v2-disable") == 0) {
		return AMP_ICMSG_V1;
	}
	if (strcmp(kind, "v2-enable") == 0) {
		return AMP_ICMSG_V2;
	}
	assert_string_equal(kind, "v2-detect");
	return AMP_ICMSG_DETECT;
}

static int state_of(const char *name)
{
	static const struct {
		const char *name;
		int st;
	} map[] = {
		{ "OFF", AMP_ICMSG_OFF },
		{ "BUSY", AMP_ICMSG_INIT_V1 },
		{ "READY", AMP_ICMSG_CONNECTED_V1 },
		{ "INITIALIZING_SID_DISABLED", AMP_ICMSG_INIT_V1 },
		{ "INITIALIZING_SID_ENABLED", AMP_ICMSG_INIT_V2 },
		{ "INITIALIZING_SID_DETECT", AMP_ICMSG_INIT_DETECT },
		{ "CONNECTED_SID_DISABLED", AMP_ICMSG_CONNECTED_V1 },
		{ "CONNECTED_SID_ENABLED", AMP_ICMSG_CONNECTED_V2 },
		{ "DISCONNECTED", AMP_ICMSG_DISCONNECTED },
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(map[i].name, name) == 0) {
			return map[i].st;
		}
	}
	fail_msg("unknown state name %s", name);
	return -1;
}

static void side_init(struct vside *s, const struct amp_vec_case *c, uint8_t *tx, uint8_t *rx,
		      uint32_t size, struct amp_mbox *mbox, uint32_t tx_ch)
{
	s->cfg = (struct amp_icmsg_cfg){
		.name = "vec",
		.tx_region = tx,
		.tx_size = size,
		.rx_region = rx,
		.rx_size = size,
		.mbox = mbox,
		.tx_channel = tx_ch,
		.rx_channel = 1u - tx_ch,
		.profile = profile_of(s->kind),
		.dcache_align = (uint32_t)amp_vec_param_long(c, "dcache_alignment", 0),
		.peer_max_msg = 0, /* default 128 = the recorded rx_buffer_size */
	};
	assert_int_equal(amp_vec_param_long(c, "rx_buffer_size", 0), AMP_ICMSG_PEER_MAX_MSG_DEFAULT);
	s->ecfg = (struct amp_ipc_ept_cfg){
		.name = "ep",
		.cb = { .bound = cb_bound, .unbound = cb_unbound, .received = cb_received },
		.priv = s,
	};
	s->mbox = mbox;
	s->init_ret = amp_icmsg_init(&s->ic, &s->cfg);
}

static bool region_equal(const uint8_t *want, const uint8_t *got, size_t size, const char *what)
{
	return amp_vec_compare(want, got, size, what);
}

/* Replays one case; returns normally on success, fails the test otherwise. */
static void replay_case(const char *name)
{
	struct amp_vec_case c;
	assert_int_equal(amp_vec_load(&c, "icmsg", name), 0);

	const uint32_t size = (uint32_t)amp_vec_param_long(&c, "region_size", 0);
	const size_t image_size = (size_t)amp_vec_param_long(&c, "image_size", 0);
	assert_int_equal(image_size, 2u * size);
	assert_int_equal(amp_vec_param_long(&c, "region.0.offset", -1), 0);
	assert_int_equal(amp_vec_param_long(&c, "region.1.offset", -1), (long)size);
	uint8_t *mem = aligned_alloc(64, image_size);
	assert_non_null(mem);
	memset(mem, (int)amp_vec_param_long(&c, "initial_fill", 0), image_size);
	uint8_t *a2b = mem, *b2a = mem + size;

	static struct amp_mbox_loopback mlb;
	static struct amp_mbox mba, mbb;
	static const struct amp_mbox_loopback_cfg mcfg = {
		.num_channels = 2, .a_tx_mask = 1u << 0, .b_tx_mask = 1u << 1,
		.mode = AMP_MBOX_LOOPBACK_DEFERRED,
	};
	assert_int_equal(amp_mbox_loopback_init(&mlb, &mba, &mbb, &mcfg), 0);

	static struct vside sides[2];
	memset(sides, 0, sizeof(sides));
	struct vside *A = &sides[0], *B = &sides[1];
	A->kind = amp_vec_param(&c, "side.A");
	B->kind = amp_vec_param(&c, "side.B");
	assert_non_null(A->kind);
	assert_non_null(B->kind);
	side_init(A, &c, a2b, b2a, size, &mba, 0);
	side_init(B, &c, b2a, a2b, size, &mbb, 1);

	bool compare_region[2] = { true, true }; /* a2b, b2a */
	uint8_t *prev = malloc(image_size);
	assert_non_null(prev);
	uint8_t payload[300];
	int deviations = 0;

	for (int i = 0; i < c.nrec; i++) {
		const struct amp_vec_record *r = &c.rec[i];
		if (r->is_event) {
			continue; /* consumed together with their step below */
		}
		struct vside *s = strcmp(r->actor, "A") == 0 ? A : B;
		struct vside *peer = s == A ? B : A;
		const int sidx = s == A ? 0 : 1;
		assert_true(strcmp(r->actor, "A") == 0 || strcmp(r->actor, "B") == 0);
		memcpy(prev, mem, image_size);
		const int bound0[2] = { A->bound, B->bound };
		const int unbound0[2] = { A->unbound, B->unbound };
		const int nrx0[2] = { A->nrx, B->nrx };
		const uint32_t sent0[2] = { mlb.sent[0], mlb.sent[1] };
		const uint64_t space0[2] = { A->ic.stats.space_rings, B->ic.stats.space_rings };

		bool is_void = false;
		const long want_ret = amp_vec_ret(amp_vec_get(r, "ret"), &is_void);
		long got_ret = 0;
		bool oversize = false;

		if (strcmp(r->call, "open") == 0) {
			got_ret = s->init_ret != 0 ? s->init_ret : amp_icmsg_open(&s->ic, &s->ecfg);
		} else if (strcmp(r->call, "close") == 0) {
			got_ret = amp_icmsg_close(&s->ic);
		} else if (strcmp(r->call, "send") == 0) {
			const long msg = amp_vec_get_long(r, "msg", -1);
			const size_t len = (size_t)amp_vec_get_long(r, "len", -1);
			assert_true(len <= sizeof(payload));
			amp_vec_payload(payload, len, msg);
			got_ret = amp_icmsg_send(&s->ic, payload, len);
			if (got_ret == (long)len && len > 0 && !compare_region[sidx]) {
				peer->accepted[peer->naccepted++] = msg;
			}
			oversize = len > AMP_ICMSG_PEER_MAX_MSG_DEFAULT;
		} else if (strcmp(r->call, "reset") == 0) {
			/* RAM state lost, doorbell channel disabled, shared memory untouched. */
			(void)amp_mbox_set_enabled(s->mbox, s->cfg.rx_channel, false);
			s->init_ret = amp_icmsg_init(&s->ic, &s->cfg);
			assert_int_equal(s->init_ret, 0);
		} else if (strcmp(r->call, "work") == 0) {
			const char *item = amp_vec_get(r, "item");
			if (strcmp(item, "mbox_work") == 0) {
				got_ret = amp_icmsg_process_budget(&s->ic, 1);
				assert_true(got_ret == 0 || got_ret == 1);
			} else {
				assert_string_equal(item, "notify_work");
				got_ret = amp_icmsg_bond_notify(&s->ic);
				assert_true(got_ret >= 0);
			}
		} else {
			fail_msg("%s step %d: unknown call %s", name, r->n, r->call);
		}

		/* Return value. */
		if (!is_void) {
			if (want_ret > 0 && oversize) {
				/* Deviation 2. */
				assert_int_equal(got_ret, AMP_EMSGSIZE);
				assert_memory_equal(prev, mem, image_size);
				compare_region[sidx] = false;
				deviations++;
			} else if (want_ret > 0 && got_ret == AMP_ENOTCONN) {
				/* Deviation 1: only where the side really is disconnected. */
				assert_int_equal(amp_icmsg_state(&s->ic), AMP_ICMSG_DISCONNECTED);
				assert_string_equal(amp_vec_get(r, "state"), "DISCONNECTED");
				assert_memory_equal(prev, mem, image_size);
				deviations++;
			} else if (got_ret != want_ret) {
				fail_msg("%s step %d (%s %s): ret %ld, reference %ld", name, r->n, r->actor,
					 r->call, got_ret, want_ret);
			}
		}

		/* State after the step. */
		const char *st = amp_vec_get(r, "state");
		if (st != NULL && amp_icmsg_state(&s->ic) != state_of(st)) {
			fail_msg("%s step %d (%s %s): state %d, reference %s", name, r->n, r->actor,
				 r->call, amp_icmsg_state(&s->ic), st);
		}

		/* Images. */
		size_t img_size = 0;
		uint8_t *img = amp_vec_image(&c, amp_vec_get(r, "image"), &img_size);
		assert_non_null(img);
		assert_int_equal(img_size, image_size);
		char what[128];
		for (int reg = 0; reg < 2; reg++) {
			if (!compare_region[reg]) {
				continue;
			}
			snprintf(what, sizeof(what), "%s step %d %s region %s", name, r->n, r->actor,
				 reg == 0 ? "a2b" : "b2a");
			if (!region_equal(img + reg * size, mem + reg * size, size, what)) {
				fail_msg("%s: image mismatch", what);
			}
		}
		free(img);

		/* Events of this step. */
		int want_bound[2] = { 0, 0 }, want_unbound[2] = { 0, 0 };
		int want_rx[2] = { 0, 0 }, want_sends[2] = { 0, 0 };
		for (int j = i + 1; j < c.nrec && c.rec[j].is_event && c.rec[j].n == r->n; j++) {
			const struct amp_vec_record *e = &c.rec[j];
			if (strcmp(e->actor, "A") != 0 && strcmp(e->actor, "B") != 0) {
				continue; /* "zephyr assert_failed": the reference's own asserts */
			}
			const int ei = strcmp(e->actor, "A") == 0 ? 0 : 1;
			struct vside *es = &sides[ei];
			if (strcmp(e->call, "bound") == 0) {
				want_bound[ei]++;
			} else if (strcmp(e->call, "unbound") == 0) {
				want_unbound[ei]++;
			} else if (strcmp(e->call, "received") == 0) {
				const int k = nrx0[ei] + want_rx[ei]++;
				assert_true(k < es->nrx);
				const size_t len = (size_t)amp_vec_get_long(e, "len", -1);
				const long msg = amp_vec_get_long(e, "msg", -1);
				assert_true(msg >= 0);
				assert_int_equal(es->rx[k].len, len);
				amp_vec_payload(payload, len, msg);
				assert_memory_equal(es->rx[k].data, payload, len);
			} else if (strcmp(e->call, "mbox_send") == 0) {
				want_sends[ei]++;
				const long ch = amp_vec_get_long(e, "ch", -1);
				assert_int_equal(ch, ei); /* A rings on 0, B on 1 */
				/* delivered=1 <=> the receiver had its channel enabled. */
				const long dl = amp_vec_get_long(e, "delivered", -1);
				if (strcmp(es->kind, "v1") != 0) {
					struct amp_mbox *rxm = ei == 0 ? &mbb : &mba;
					assert_int_equal(dl, (rxm->enabled_mask >> ch) & 1u);
				}
			} else {
				fail_msg("%s step %d: unknown event %s", name, r->n, e->call);
			}
		}
		for (int k = 0; k < 2; k++) {
			struct vside *ks = &sides[k];
			assert_int_equal(ks->bound - bound0[k], want_bound[k]);
			assert_int_equal(ks->unbound - unbound0[k], want_unbound[k]);
			const int other = 1 - k;
			if (compare_region[other]) {
				assert_int_equal(ks->nrx - nrx0[k], want_rx[k]);
			}
			/* Doorbells: exact for every side except the frozen v1 (timer),
			 * plus amplink's "space freed" rings, which it counts. */
			if (strcmp(ks->kind, "v1") != 0) {
				const int extra = (int)(ks->ic.stats.space_rings - space0[k]);
				if ((int)(mlb.sent[k] - sent0[k]) != want_sends[k] + extra) {
					fail_msg("%s step %d: side %c rang %u times, reference %d", name,
						 r->n, "AB"[k], mlb.sent[k] - sent0[k], want_sends[k]);
				}
			}
		}
	}

	/* Deviation 2: the receiver got exactly what amplink accepted, in order. */
	for (int k = 0; k < 2; k++) {
		struct vside *ks = &sides[k];
		if (ks->naccepted == 0) {
			continue;
		}
		assert_true(ks->nrx >= ks->naccepted);
		for (int m = 0; m < ks->naccepted; m++) {
			const struct rx_rec *rr = &ks->rx[ks->nrx - ks->naccepted + m];
			amp_vec_payload(payload, rr->len, ks->accepted[m]);
			assert_memory_equal(rr->data, payload, rr->len);
		}
	}
	if (strstr(name, "oversize") != NULL) {
		assert_true(deviations >= 1);
	}
	free(prev);
	free(mem);
	amp_vec_free(&c);
}

void icmsg_test_vectors(void **state)
{
	(void)state;
	char **names = NULL;
	const int n = amp_vec_list("icmsg", &names);
	assert_true(n >= 14); /* the README lists 14 cases */
	for (int i = 0; i < n; i++) {
		print_message("[ vector   ] icmsg/%s\n", names[i]);
		replay_case(names[i]);
		free(names[i]);
	}
	free(names);
}
