/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ICMsg in one process: two instances over two in-memory regions and a
 * loopback mailbox. Binding in every profile pairing, traffic of every size
 * (zero-copy and wrapped), amplink's deliberate deviations (EMSGSIZE,
 * ENOTCONN), close/reset/rebind, send_wait, bursts, a corrupt peer, the service
 * adapter, and the golden-vector replay (icmsg_vectors.c).
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include <amplink/errno.h>
#include <amplink/icmsg.h>
#include <amplink/ipc.h>
#include <amplink/mbox_loopback.h>
#include <amplink/port.h>

#include "icmsg_tests.h"

#define REGION 512u

struct peer {
	struct amp_icmsg ic;
	struct amp_icmsg_cfg cfg;
	struct amp_ipc_ept_cfg ecfg;
	int bound, unbound, errors, nrx;
	size_t last_len;
	uint8_t last[REGION];
	uint32_t seq;       /* next expected sequence number */
	int bad;            /* corrupted / out-of-order messages */
	uint8_t bounce[REGION];
};

static uint8_t *mem;
static struct amp_mbox_loopback mlb;
static struct amp_mbox mba, mbb;
static struct amp_mbox_loopback_cfg mcfg;
static struct peer pa, pb;

static void on_bound(void *p) { ((struct peer *)p)->bound++; }
static void on_unbound(void *p) { ((struct peer *)p)->unbound++; }
static void on_error(const char *m, void *p) { (void)m; ((struct peer *)p)->errors++; }
static void on_received(const void *d, size_t len, void *p)
{
	struct peer *pe = p;
	pe->nrx++;
	pe->last_len = len;
	memcpy(pe->last, d, len);
	/* Messages of >= 4 bytes carry a sequence number and a pattern. */
	if (len >= 4) {
		uint32_t s;
		memcpy(&s, d, 4);
		if (s != pe->seq) {
			pe->bad++;
		}
		pe->seq = s + 1;
		for (size_t i = 4; i < len; i++) {
			if (((const uint8_t *)d)[i] != (uint8_t)(s + i)) {
				pe->bad++;
				break;
			}
		}
	}
}

static void fill_msg(uint8_t *buf, size_t len, uint32_t seq)
{
	memcpy(buf, &seq, 4);
	for (size_t i = 4; i < len; i++) {
		buf[i] = (uint8_t)(seq + i);
	}
}

static void make_peer(struct peer *p, uint8_t *tx, uint8_t *rx, struct amp_mbox *m, uint32_t txch,
		      enum amp_icmsg_profile prof, uint32_t align, uint32_t peer_max, bool bounce)
{
	memset(p, 0, sizeof(*p));
	p->cfg = (struct amp_icmsg_cfg){
		.name = txch == 0 ? "A" : "B",
		.tx_region = tx, .tx_size = REGION, .rx_region = rx, .rx_size = REGION,
		.mbox = m, .tx_channel = txch, .rx_channel = 1u - txch,
		.profile = prof, .dcache_align = align, .peer_max_msg = peer_max,
		.rx_buf = bounce ? p->bounce : NULL, .rx_buf_size = bounce ? REGION : 0,
	};
	p->ecfg = (struct amp_ipc_ept_cfg){
		.name = "ep",
		.cb = { on_bound, on_unbound, on_received, on_error },
		.priv = p,
	};
	assert_int_equal(amp_icmsg_init(&p->ic, &p->cfg), 0);
}

static void pair(enum amp_icmsg_profile pa_prof, enum amp_icmsg_profile pb_prof, uint32_t align,
		 uint32_t peer_max, bool bounce, enum amp_mbox_loopback_mode mode)
{
	free(mem);
	mem = aligned_alloc(64, 2 * REGION);
	assert_non_null(mem);
	memset(mem, 0, 2 * REGION);
	mcfg = (struct amp_mbox_loopback_cfg){
		.num_channels = 2, .a_tx_mask = 1u, .b_tx_mask = 2u, .mode = mode,
	};
	assert_int_equal(amp_mbox_loopback_init(&mlb, &mba, &mbb, &mcfg), 0);
	make_peer(&pa, mem, mem + REGION, &mba, 0, pa_prof, align, peer_max, bounce);
	make_peer(&pb, mem + REGION, mem, &mbb, 1, pb_prof, align, peer_max, bounce);
}

static int teardown(void **state)
{
	(void)state;
	free(mem);
	mem = NULL;
	return 0;
}

static void open_both(void)
{
	assert_int_equal(amp_icmsg_open(&pa.ic, &pa.ecfg), 0);
	assert_int_equal(amp_icmsg_open(&pb.ic, &pb.ecfg), 0);
	/* Immediate mailbox: everything happened inside the calls; process
	 * anyway to prove it is idempotent. */
	amp_icmsg_process(&pa.ic);
	amp_icmsg_process(&pb.ic);
	assert_int_equal(pa.bound, 1);
	assert_int_equal(pb.bound, 1);
}

/* Deferred mailbox: deliver what is pending both ways, rounds enough for a
 * handshake. */
static void pump(void)
{
	for (int k = 0; k < 4; k++) {
		amp_mbox_poll(&mba);
		amp_mbox_poll(&mbb);
	}
}

/* Deferred mailbox: open both ends and let them bond. */
static void open_both_deferred(void)
{
	assert_int_equal(amp_icmsg_open(&pa.ic, &pa.ecfg), 0);
	assert_int_equal(amp_icmsg_open(&pb.ic, &pb.ecfg), 0);
	pump();
}

static void test_init_args(void **state)
{
	(void)state;
	pair(AMP_ICMSG_V2, AMP_ICMSG_V2, 8, 0, false, AMP_MBOX_LOOPBACK_IMMEDIATE);
	struct amp_icmsg ic;
	struct amp_icmsg_cfg c = pa.cfg;
	assert_int_equal(amp_icmsg_init(NULL, &c), AMP_EINVAL);
	assert_int_equal(amp_icmsg_init(&ic, NULL), AMP_EINVAL);
	c.rx_size = 32; /* ring of 12 bytes: the magic would not fit */
	assert_int_equal(amp_icmsg_init(&ic, &c), AMP_EINVAL);
	c = pa.cfg;
	c.rx_region = NULL;
	assert_int_equal(amp_icmsg_init(&ic, &c), AMP_EINVAL);
	c = pa.cfg;
	c.mbox = NULL;
	assert_int_equal(amp_icmsg_init(&ic, &c), AMP_EINVAL);
	c = pa.cfg;
	c.dcache_align = 0; /* handshake word needs >= 8, as in Zephyr */
	assert_int_equal(amp_icmsg_init(&ic, &c), AMP_EINVAL);
	assert_int_equal(amp_icmsg_open(&ic, &pa.ecfg), AMP_EINVAL); /* failed init */
	c.profile = AMP_ICMSG_V1;
	assert_int_equal(amp_icmsg_init(&ic, &c), 0); /* v1 without handshake is fine */
	c = pa.cfg;
	c.peer_max_msg = REGION; /* more than the ring can carry */
	assert_int_equal(amp_icmsg_init(&ic, &c), AMP_EINVAL);
	c = pa.cfg;
	c.rx_buf_size = 64; /* size without a buffer */
	assert_int_equal(amp_icmsg_init(&ic, &c), AMP_EINVAL);
	c = pa.cfg;
	c.tx_size = 13;
	assert_int_equal(amp_icmsg_init(&ic, &c), AMP_EINVAL);
	c = pa.cfg;
	c.profile = (enum amp_icmsg_profile)7;
	assert_int_equal(amp_icmsg_init(&ic, &c), AMP_EINVAL);

	assert_int_equal(amp_icmsg_open(NULL, &pa.ecfg), AMP_EINVAL);
	assert_int_equal(amp_icmsg_open(&pa.ic, NULL), AMP_EINVAL);
	assert_int_equal(amp_icmsg_close(NULL), AMP_EINVAL);
	assert_int_equal(amp_icmsg_close(&pa.ic), AMP_EALREADY);
	assert_int_equal(amp_icmsg_send(NULL, "x", 1), AMP_EINVAL);
	assert_int_equal(amp_icmsg_send(&pa.ic, NULL, 1), AMP_EINVAL);
	assert_int_equal(amp_icmsg_send(&pa.ic, "x", 1), AMP_EBUSY);
	assert_int_equal(amp_icmsg_process(NULL), AMP_EINVAL);
	assert_int_equal(amp_icmsg_process_budget(NULL, 1), AMP_EINVAL);
	assert_int_equal(amp_icmsg_bond_notify(NULL), AMP_EINVAL);
	assert_int_equal(amp_icmsg_wait_bound(NULL, 0), AMP_EINVAL);
	assert_int_equal(amp_icmsg_wait_bound(&pa.ic, 0), AMP_EBUSY);
	assert_int_equal(amp_icmsg_state(NULL), AMP_EINVAL);
	assert_int_equal(amp_icmsg_max_msg(NULL), AMP_EINVAL);
	assert_int_equal(amp_icmsg_get_stats(NULL, NULL), AMP_EINVAL);
	assert_null(amp_icmsg_instance(NULL));
	assert_int_equal(amp_icmsg_max_msg(&pa.ic), AMP_ICMSG_PEER_MAX_MSG_DEFAULT);
}

/* Every size from 1 to the ring maximum, each way, in every profile pairing. */
static void traffic_all_sizes(void)
{
	static uint8_t buf[REGION];
	const int max = amp_icmsg_max_msg(&pa.ic);
	assert_true(max > 4);
	for (int len = 4; len <= max; len++) {
		fill_msg(buf, (size_t)len, pb.seq);
		assert_int_equal(amp_icmsg_send(&pa.ic, buf, (size_t)len), len);
		fill_msg(buf, (size_t)len, pa.seq);
		assert_int_equal(amp_icmsg_send(&pb.ic, buf, (size_t)len), len);
	}
	assert_int_equal(pa.bad, 0);
	assert_int_equal(pb.bad, 0);
	assert_int_equal(pa.nrx, max - 3);
	assert_int_equal(pb.nrx, max - 3);
	assert_int_equal(pa.errors + pb.errors, 0);
}

static void test_v2_bind_and_traffic(void **state)
{
	(void)state;
	pair(AMP_ICMSG_V2, AMP_ICMSG_V2, 8, AMP_ICMSG_RING_MAX_MSG(REGION, 8, 1), true,
	     AMP_MBOX_LOOPBACK_IMMEDIATE);
	assert_int_equal(amp_icmsg_open(&pa.ic, &pa.ecfg), 0);
	assert_int_equal(amp_icmsg_state(&pa.ic), AMP_ICMSG_INIT_V2);
	assert_int_equal(amp_icmsg_send(&pa.ic, "abcd", 4), AMP_EBUSY);
	assert_int_equal(amp_icmsg_open(&pb.ic, &pb.ecfg), 0);
	assert_int_equal(pa.bound, 1);
	assert_int_equal(pb.bound, 1);
	assert_int_equal(amp_icmsg_state(&pa.ic), AMP_ICMSG_CONNECTED_V2);
	traffic_all_sizes();
	struct amp_icmsg_stats st;
	assert_int_equal(amp_icmsg_get_stats(&pb.ic, &st), 0);
	assert_int_equal(st.rx_msgs, (uint64_t)pb.nrx);
	assert_int_equal(st.proto_errors, 0);
}

static void test_profiles_bind(void **state)
{
	(void)state;
	static const enum amp_icmsg_profile combos[][2] = {
		{ AMP_ICMSG_V1, AMP_ICMSG_V1 },         { AMP_ICMSG_DETECT, AMP_ICMSG_V1 },
		{ AMP_ICMSG_V1, AMP_ICMSG_DETECT },     { AMP_ICMSG_DETECT, AMP_ICMSG_DETECT },
		{ AMP_ICMSG_DETECT, AMP_ICMSG_V2 },     { AMP_ICMSG_V2, AMP_ICMSG_DETECT },
	};
	for (size_t i = 0; i < sizeof(combos) / sizeof(combos[0]); i++) {
		for (int order = 0; order < 2; order++) {
			pair(combos[i][0], combos[i][1], 8, 100, true, AMP_MBOX_LOOPBACK_IMMEDIATE);
			struct peer *first = order ? &pb : &pa, *second = order ? &pa : &pb;
			assert_int_equal(amp_icmsg_open(&first->ic, &first->ecfg), 0);
			assert_int_equal(amp_icmsg_open(&second->ic, &second->ecfg), 0);
			assert_int_equal(pa.bound, 1);
			assert_int_equal(pb.bound, 1);
			const bool v1 = combos[i][0] == AMP_ICMSG_V1 || combos[i][1] == AMP_ICMSG_V1;
			assert_int_equal(amp_icmsg_state(&pa.ic),
					 v1 ? AMP_ICMSG_CONNECTED_V1 : AMP_ICMSG_CONNECTED_V2);
			traffic_all_sizes();
		}
	}
	/* enable against v1 never binds (wire-incompatible, as in Zephyr). */
	pair(AMP_ICMSG_V2, AMP_ICMSG_V1, 8, 0, false, AMP_MBOX_LOOPBACK_IMMEDIATE);
	assert_int_equal(amp_icmsg_open(&pa.ic, &pa.ecfg), 0);
	assert_int_equal(amp_icmsg_open(&pb.ic, &pb.ecfg), 0);
	for (int k = 0; k < 5; k++) {
		amp_icmsg_process(&pa.ic);
		amp_icmsg_process(&pb.ic);
		amp_icmsg_bond_notify(&pb.ic);
	}
	assert_int_equal(pa.bound + pb.bound, 0);
	assert_int_equal(amp_icmsg_wait_bound(&pa.ic, 2000), AMP_ETIMEDOUT);
}

static void test_limits(void **state)
{
	(void)state;
	static uint8_t buf[REGION];
	pair(AMP_ICMSG_V1, AMP_ICMSG_V1, 0, 0, false, AMP_MBOX_LOOPBACK_IMMEDIATE);
	open_both();
	assert_int_equal(amp_icmsg_send(&pa.ic, buf, 0), AMP_ENODATA);
	/* Default peer limit 128: a 129-byte send would stall a Zephyr peer. */
	fill_msg(buf, 129, 0);
	assert_int_equal(amp_icmsg_send(&pa.ic, buf, 129), AMP_EMSGSIZE);
	assert_int_equal(amp_icmsg_send(&pa.ic, buf, 70000), AMP_EMSGSIZE);
	assert_int_equal(amp_icmsg_send(&pa.ic, buf, 128), 128);
	assert_int_equal(pb.nrx, 1);
	assert_int_equal(amp_icmsg_open(&pa.ic, &pa.ecfg), AMP_EALREADY); /* v1 */
	/* Through the service: same limit. */
	assert_int_equal(amp_icmsg_max_msg(&pa.ic), 128);
}

static void test_wrapped_without_bounce_buffer(void **state)
{
	(void)state;
	static uint8_t buf[REGION];
	const uint32_t max = AMP_ICMSG_RING_MAX_MSG(REGION, 0, 0);
	pair(AMP_ICMSG_V1, AMP_ICMSG_V1, 0, max, false, AMP_MBOX_LOOPBACK_IMMEDIATE);
	open_both();
	/* Sizes chosen so that some packets wrap: those cannot be passed in place
	 * and are dropped with an error; the rest arrive; nothing blocks. */
	int sent = 0;
	for (uint32_t len = 100; len < 400; len += 37) {
		fill_msg(buf, len, (uint32_t)sent);
		assert_int_equal(amp_icmsg_send(&pa.ic, buf, len), (int)len);
		sent++;
	}
	struct amp_icmsg_stats st;
	amp_icmsg_get_stats(&pb.ic, &st);
	assert_true(st.rx_dropped > 0);
	assert_int_equal(st.rx_dropped + st.rx_msgs, (uint64_t)sent);
	assert_int_equal((uint64_t)pb.errors, st.rx_dropped);
	assert_int_equal(pb.nrx, (int)st.rx_msgs);
}

static void test_close_unbound_rebind(void **state)
{
	(void)state;
	pair(AMP_ICMSG_V2, AMP_ICMSG_V2, 8, 0, false, AMP_MBOX_LOOPBACK_IMMEDIATE);
	open_both();
	assert_int_equal(amp_icmsg_send(&pa.ic, "abcd", 4), 4);
	assert_int_equal(amp_icmsg_close(&pb.ic), 0);
	assert_int_equal(pa.unbound, 1);
	assert_int_equal(amp_icmsg_state(&pa.ic), AMP_ICMSG_DISCONNECTED);
	/* Deviation from Zephyr: not a silent success. */
	assert_int_equal(amp_icmsg_send(&pa.ic, "abcd", 4), AMP_ENOTCONN);
	assert_int_equal(amp_icmsg_send(&pb.ic, "abcd", 4), AMP_EBUSY);
	assert_int_equal(amp_icmsg_wait_bound(&pa.ic, 0), AMP_ENOTCONN);
	/* Rebind: both open again (either order). */
	assert_int_equal(amp_icmsg_open(&pb.ic, &pb.ecfg), 0);
	assert_int_equal(pa.bound, 1);
	assert_int_equal(amp_icmsg_open(&pa.ic, &pa.ecfg), 0);
	assert_int_equal(pa.bound, 2);
	assert_int_equal(pb.bound, 2);
	pa.seq = pb.seq = 0;
	pa.bad = pb.bad = 0; /* "abcd" above is not a sequenced message */
	pa.nrx = pb.nrx = 0;
	traffic_all_sizes();
	/* Re-open while bound drops the session on both sides and binds anew. */
	assert_int_equal(amp_icmsg_open(&pa.ic, &pa.ecfg), 0);
	assert_int_equal(pb.unbound, 1);
	assert_int_equal(amp_icmsg_open(&pb.ic, &pb.ecfg), 0);
	assert_int_equal(pa.bound, 3);
	assert_int_equal(pb.bound, 3);
}

static void test_peer_reset(void **state)
{
	(void)state;
	static uint8_t buf[64];
	pair(AMP_ICMSG_DETECT, AMP_ICMSG_DETECT, 8, 0, false, AMP_MBOX_LOOPBACK_DEFERRED);
	open_both_deferred();
	assert_int_equal(pa.bound + pb.bound, 2);
	/* B writes two messages, then "reboots" before A read them. */
	fill_msg(buf, 20, 0);
	assert_int_equal(amp_icmsg_send(&pb.ic, buf, 20), 20);
	fill_msg(buf, 20, 1);
	assert_int_equal(amp_icmsg_send(&pb.ic, buf, 20), 20);
	(void)amp_mbox_set_enabled(&mbb, 0, false);
	assert_int_equal(amp_icmsg_init(&pb.ic, &pb.cfg), 0);
	assert_int_equal(amp_icmsg_open(&pb.ic, &pb.ecfg), 0);
	amp_mbox_poll(&mba);
	/* A restarted peer may reset its ring at any moment, so what the old
	 * incarnation left is not trusted: dropped, as in Zephyr, then unbound. */
	assert_int_equal(pa.nrx, 0);
	assert_int_equal(pa.unbound, 1);
	assert_int_equal(amp_icmsg_send(&pa.ic, buf, 4), AMP_ENOTCONN);
	assert_int_equal(amp_icmsg_open(&pa.ic, &pa.ecfg), 0);
	pump();
	assert_int_equal(pa.bound, 2);
	assert_int_equal(pb.bound, 2);
	fill_msg(buf, 30, 0);
	assert_int_equal(amp_icmsg_send(&pa.ic, buf, 30), 30);
	amp_mbox_poll(&mbb);
	assert_int_equal(pb.nrx, 1);
	assert_int_equal(pb.bad, 0);
}

/* The restarted peer resets its ring before we notice the restart: nothing of
 * the reset ring may be read as data, nor reported as corruption. */
static void test_peer_reset_ring_already_reset(void **state)
{
	(void)state;
	static uint8_t buf[64];
	pair(AMP_ICMSG_V2, AMP_ICMSG_V2, 8, 0, false, AMP_MBOX_LOOPBACK_DEFERRED);
	open_both_deferred();
	for (uint32_t i = 0; i < 5; i++) {
		fill_msg(buf, 40, i);
		assert_int_equal(amp_icmsg_send(&pb.ic, buf, 40), 40);
	}
	amp_mbox_poll(&mba);
	assert_int_equal(pa.nrx, 5);
	fill_msg(buf, 40, 5);
	assert_int_equal(amp_icmsg_send(&pb.ic, buf, 40), 40);
	(void)amp_mbox_set_enabled(&mbb, 0, false);
	assert_int_equal(amp_icmsg_init(&pb.ic, &pb.cfg), 0);
	assert_int_equal(amp_icmsg_open(&pb.ic, &pb.ecfg), 0);
	amp_icmsg_process(&pb.ic); /* takes A's old session for a new one: resets b2a */
	amp_icmsg_process(&pa.ic);
	assert_int_equal(pa.nrx, 5);
	assert_int_equal(pa.errors, 0);
	assert_int_equal(pa.unbound, 1);
	/* Rebind and talk. */
	assert_int_equal(amp_icmsg_open(&pa.ic, &pa.ecfg), 0);
	pump();
	assert_int_equal(pa.bound, 2);
	pa.seq = 0;
	fill_msg(buf, 40, 0);
	assert_int_equal(amp_icmsg_send(&pb.ic, buf, 40), 40);
	amp_mbox_poll(&mba);
	assert_int_equal(pa.nrx, 6);
	assert_int_equal(pa.bad, 0);
}

static void v1_restart_b_and_check(void)
{
	static uint8_t buf[64];
	(void)amp_mbox_set_enabled(&mbb, 0, false);
	assert_int_equal(amp_icmsg_init(&pb.ic, &pb.cfg), 0);
	int bound_a = pa.bound;
	assert_int_equal(amp_icmsg_open(&pb.ic, &pb.ecfg), 0);
	pump();
	assert_int_equal(pa.unbound, 1);
	assert_int_equal(pa.bound, bound_a + 1); /* re-bonded by itself */
	assert_int_equal(pb.bound, 2);           /* the new B bound too */
	struct amp_icmsg_stats st;
	amp_icmsg_get_stats(&pa.ic, &st);
	assert_int_equal(st.peer_resets, 1);
	pa.seq = pb.seq = 0;
	pa.bad = pb.bad = 0;
	const int nra = pa.nrx, nrb = pb.nrx;
	for (uint32_t i = 0; i < 20; i++) {
		fill_msg(buf, 4u + i, i);
		assert_int_equal(amp_icmsg_send(&pa.ic, buf, 4u + i), (int)(4u + i));
		assert_int_equal(amp_icmsg_send(&pb.ic, buf, 4u + i), (int)(4u + i));
		amp_mbox_poll(&mba);
		amp_mbox_poll(&mbb);
	}
	assert_int_equal(pa.nrx - nra, 20);
	assert_int_equal(pb.nrx - nrb, 20);
	assert_int_equal(pa.bad + pb.bad, 0);
	assert_int_equal(pa.errors, 0);
}

/* v1 has no sessions; amplink still notices a restarted v1 peer (it
 * re-initialises its ring) and bonds again by itself. */
static void test_v1_peer_restart(void **state)
{
	(void)state;
	static uint8_t buf[512];
	pair(AMP_ICMSG_V1, AMP_ICMSG_V1, 0, 0, false, AMP_MBOX_LOOPBACK_DEFERRED);
	open_both_deferred();
	assert_int_equal(pa.bound + pb.bound, 2);
	fill_msg(buf, 40, 0);
	assert_int_equal(amp_icmsg_send(&pb.ic, buf, 40), 40);
	assert_int_equal(amp_icmsg_send(&pa.ic, buf, 40), 40); /* A's ring: more than the magic */
	amp_mbox_poll(&mba);
	amp_mbox_poll(&mbb);
	assert_int_equal(pa.nrx, 1);
	assert_int_equal(pb.nrx, 1);
	v1_restart_b_and_check();

	/* Again, with A's read position exactly at 0 when B restarts (the reset
	 * then cannot be seen in the read index, only as the bare magic). */
	pair(AMP_ICMSG_V1, AMP_ICMSG_V1, 0, 480, false, AMP_MBOX_LOOPBACK_DEFERRED);
	open_both_deferred();
	/* data[] is 504 bytes; the magic took 20, a 480-byte message 484. */
	fill_msg(buf, 480, 0);
	assert_int_equal(amp_icmsg_send(&pb.ic, buf, 480), 480);
	amp_mbox_poll(&mba);
	assert_int_equal(pa.nrx, 1);
	assert_int_equal(pa.ic.rx.rd_idx, 0);
	v1_restart_b_and_check();
}

/* A peer that closes after writing: its messages arrive before `unbound`. */
static void test_peer_close_delivers_pending(void **state)
{
	(void)state;
	static uint8_t buf[300];
	pair(AMP_ICMSG_V2, AMP_ICMSG_V2, 8, 300, true, AMP_MBOX_LOOPBACK_DEFERRED);
	open_both_deferred();
	fill_msg(buf, 300, 0);
	assert_int_equal(amp_icmsg_send(&pa.ic, buf, 300), 300);
	fill_msg(buf, 8, 1);
	assert_int_equal(amp_icmsg_send(&pa.ic, buf, 8), 8);
	assert_int_equal(amp_icmsg_close(&pa.ic), 0);
	amp_mbox_poll(&mbb);
	assert_int_equal(pb.nrx, 2);
	assert_int_equal(pb.bad, 0);
	assert_int_equal(pb.unbound, 1);
	assert_int_equal(amp_icmsg_state(&pb.ic), AMP_ICMSG_DISCONNECTED);
}

struct mt_sender {
	struct peer *p;
	uint8_t id;
	uint32_t n;
	int err;
};

static uint32_t mt_next[2];
static int mt_bad;

static void mt_received(const void *d, size_t len, void *priv)
{
	(void)priv;
	const uint8_t *b = d;
	uint32_t seq;
	if (len < 5 || b[0] > 1) {
		mt_bad++;
		return;
	}
	memcpy(&seq, b + 1, 4);
	if (seq != mt_next[b[0]]) {
		mt_bad++;
	}
	mt_next[b[0]] = seq + 1;
	for (size_t i = 5; i < len; i++) {
		if (b[i] != (uint8_t)(seq ^ i)) {
			mt_bad++;
			break;
		}
	}
}

static void *mt_send(void *arg)
{
	struct mt_sender *s = arg;
	uint8_t buf[128];
	for (uint32_t seq = 0; seq < s->n; seq++) {
		size_t len = 5u + (seq * 7u + s->id) % 100u;
		buf[0] = s->id;
		memcpy(buf + 1, &seq, 4);
		for (size_t i = 5; i < len; i++) {
			buf[i] = (uint8_t)(seq ^ i);
		}
		int r = amp_icmsg_send_wait(&s->p->ic, buf, len, AMP_MSEC(5000));
		if (r != (int)len) {
			s->err = r;
			break;
		}
	}
	return NULL;
}

/* Two threads send on one instance at once: the local lock keeps every
 * message whole and each thread's messages in order. */
static void test_concurrent_senders(void **state)
{
	(void)state;
	pair(AMP_ICMSG_V2, AMP_ICMSG_V2, 8, 0, false, AMP_MBOX_LOOPBACK_IMMEDIATE);
	pb.ecfg.cb.received = mt_received;
	open_both();
	mt_next[0] = mt_next[1] = 0;
	mt_bad = 0;
	struct mt_sender s[2] = { { &pa, 0, 20000, 0 }, { &pa, 1, 20000, 0 } };
	pthread_t th[2];
	for (int i = 0; i < 2; i++) {
		assert_int_equal(pthread_create(&th[i], NULL, mt_send, &s[i]), 0);
	}
	for (int i = 0; i < 2; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(s[i].err, 0);
	}
	assert_int_equal(mt_bad, 0);
	assert_int_equal(mt_next[0], 20000);
	assert_int_equal(mt_next[1], 20000);
}

static void *drain_later(void *arg)
{
	(void)arg;
	amp_port_sleep_us(5000);
	amp_mbox_poll(&mbb); /* B's "interrupt": drains and rings A for space */
	amp_port_sleep_us(2000);
	amp_mbox_poll(&mba); /* A's "interrupt": wakes the waiting sender */
	return NULL;
}

static void test_send_wait(void **state)
{
	(void)state;
	static uint8_t buf[128];
	pair(AMP_ICMSG_V2, AMP_ICMSG_V2, 8, 0, false, AMP_MBOX_LOOPBACK_DEFERRED);
	open_both_deferred();
	assert_int_equal(pa.bound + pb.bound, 2);
	int n = 0;
	for (;;) {
		fill_msg(buf, 100, (uint32_t)n);
		int r = amp_icmsg_send(&pa.ic, buf, 100);
		if (r == AMP_ENOMEM) {
			break;
		}
		assert_int_equal(r, 100);
		n++;
	}
	assert_true(n >= 3);
	fill_msg(buf, 100, (uint32_t)n);
	uint64_t t0 = amp_port_now_ns();
	assert_int_equal(amp_icmsg_send_wait(&pa.ic, buf, 100, AMP_USEC(3000)), AMP_ETIMEDOUT);
	assert_true(amp_port_now_ns() - t0 >= 3000000u);
	assert_int_equal(amp_icmsg_send_wait(&pa.ic, buf, 100, AMP_NO_WAIT), AMP_ENOMEM);

	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, drain_later, NULL), 0);
	assert_int_equal(amp_icmsg_send_wait(&pa.ic, buf, 100, AMP_MSEC(5000)), 100);
	pthread_join(th, NULL);
	amp_mbox_poll(&mbb);
	assert_int_equal(pb.nrx, n + 1);
	assert_int_equal(pb.bad, 0);
	struct amp_icmsg_stats st;
	amp_icmsg_get_stats(&pb.ic, &st);
	assert_true(st.space_rings >= 1); /* the reader rang because it freed a full ring */
}

/* A burst writes a valid ring, rings once at the end, refuses to wait inside
 * and rejects misuse. */
static void test_burst(void **state)
{
	(void)state;
	static uint8_t buf[128];
	pair(AMP_ICMSG_V2, AMP_ICMSG_V2, 8, 0, false, AMP_MBOX_LOOPBACK_DEFERRED);
	open_both_deferred();
	assert_int_equal(amp_icmsg_burst_end(&pa.ic), AMP_EINVAL);
	assert_int_equal(amp_icmsg_burst_begin(NULL), AMP_EINVAL);
	struct amp_icmsg_stats before, after;
	amp_icmsg_get_stats(&pa.ic, &before);

	assert_int_equal(amp_icmsg_burst_begin(&pa.ic), 0);
	assert_int_equal(amp_icmsg_burst_begin(&pa.ic), AMP_EALREADY);
	for (uint32_t i = 0; i < 3; i++) {
		fill_msg(buf, 20, i);
		assert_int_equal(amp_icmsg_send(&pa.ic, buf, 20), 20);
	}
	amp_icmsg_get_stats(&pa.ic, &after);
	assert_int_equal(after.notifies, before.notifies); /* nothing rung yet */
	amp_mbox_poll(&mbb);
	assert_int_equal(pb.nrx, 0); /* and so nothing delivered */
	assert_int_equal(amp_icmsg_burst_end(&pa.ic), 1);
	amp_icmsg_get_stats(&pa.ic, &after);
	assert_int_equal(after.notifies, before.notifies + 1); /* one doorbell for three */
	amp_mbox_poll(&mbb);
	assert_int_equal(pb.nrx, 3);
	assert_int_equal(pb.bad, 0);

	/* An empty burst rings nothing. */
	assert_int_equal(amp_icmsg_burst_begin(&pa.ic), 0);
	assert_int_equal(amp_icmsg_burst_end(&pa.ic), 0);

	/* Full inside a burst: no waiting, whatever the timeout. */
	uint32_t n = 3;
	assert_int_equal(amp_icmsg_burst_begin(&pa.ic), 0);
	for (;;) {
		fill_msg(buf, 100, n);
		int r = amp_icmsg_send(&pa.ic, buf, 100);
		if (r == AMP_ENOMEM) {
			break;
		}
		assert_int_equal(r, 100);
		n++;
	}
	uint64_t t0 = amp_port_now_ns();
	assert_int_equal(amp_icmsg_send_wait(&pa.ic, buf, 100, AMP_MSEC(2000)), AMP_ENOMEM);
	assert_true(amp_port_now_ns() - t0 < 1000000000u);
	assert_int_equal(amp_icmsg_burst_end(&pa.ic), 1);
	amp_mbox_poll(&mbb);
	assert_int_equal(pb.nrx, (int)n);
	assert_int_equal(pb.bad, 0);
	/* After the burst the lock is free again: the peer's replies get in. */
	fill_msg(buf, 8, 0);
	assert_int_equal(amp_icmsg_send(&pb.ic, buf, 8), 8);
	amp_mbox_poll(&mba);
	assert_int_equal(pa.nrx, 1);
}

static void test_corrupt_peer(void **state)
{
	(void)state;
	pair(AMP_ICMSG_V2, AMP_ICMSG_V2, 8, 0, false, AMP_MBOX_LOOPBACK_DEFERRED);
	open_both_deferred();
	assert_int_equal(amp_icmsg_send(&pa.ic, "abcdefgh", 8), 8);
	/* A's write index (a2b region, offset 8 with alignment 8) out of range. */
	volatile uint32_t *wr = (volatile uint32_t *)(void *)(mem + 8);
	const uint32_t good = *wr;
	*wr = 0x7ffffff0u;
	amp_mbox_poll(&mbb);
	amp_icmsg_process(&pb.ic);
	assert_int_equal(pb.nrx, 0);
	assert_int_equal(pb.errors, 1); /* reported once, not per pass */
	/* A zero-length packet header. */
	*wr = good;
	mem[12] = 0;
	mem[13] = 0;
	amp_icmsg_process(&pb.ic);
	assert_int_equal(pb.nrx, 0);
	/* A header claiming more than was published. */
	mem[12] = 0x01;
	amp_icmsg_process(&pb.ic);
	assert_int_equal(pb.nrx, 0);
	/* Repaired: delivered. */
	mem[12] = 0;
	mem[13] = 8;
	amp_icmsg_process(&pb.ic);
	assert_int_equal(pb.nrx, 1);
	/* A corrupt read index in A's tx ring: the send that needs it reports it.
	 * (The writer re-reads the index only when the space it saw last is not
	 * enough, so fill the ring first.) */
	while (amp_icmsg_send(&pa.ic, "abcdefgh", 8) == 8) {
	}
	volatile uint32_t *rd = (volatile uint32_t *)(void *)mem;
	*rd = 3;
	assert_int_equal(amp_icmsg_send(&pa.ic, "x", 1), AMP_EINVAL);
	*rd = 0x100000u;
	assert_int_equal(amp_icmsg_send(&pa.ic, "x", 1), AMP_EPROTO);
	assert_true(pa.errors >= 1);
}

static void test_service_adapter(void **state)
{
	(void)state;
	pair(AMP_ICMSG_V2, AMP_ICMSG_V2, 8, 200, false, AMP_MBOX_LOOPBACK_IMMEDIATE);
	struct amp_ipc_instance *ia = amp_icmsg_instance(&pa.ic);
	struct amp_ipc_instance *ib = amp_icmsg_instance(&pb.ic);
	struct amp_ipc_ept ea = { 0 }, eb = { 0 };
	assert_int_equal(amp_ipc_open_instance(ia), 0); /* no open step: 0, as Zephyr */
	assert_int_equal(amp_ipc_register_endpoint(ia, &ea, &pa.ecfg), 0);
	assert_int_equal(amp_ipc_register_endpoint(ib, &eb, &pb.ecfg), 0);
	assert_int_equal(pa.bound + pb.bound, 2);
	assert_int_equal(amp_ipc_send(&ea, "hello", 5), 5);
	assert_int_equal(pb.nrx, 1);
	assert_memory_equal(pb.last, "hello", 5);
	assert_int_equal(amp_ipc_get_tx_buffer_size(&ea), 200);
	void *d;
	uint32_t sz = 0;
	assert_int_equal(amp_ipc_get_tx_buffer(&ea, &d, &sz, 0), AMP_ENOTSUP);
	assert_int_equal(amp_ipc_hold_rx_buffer(&ea, pb.last), AMP_ENOTSUP);
	/* Rebind by registering again. */
	assert_int_equal(amp_ipc_register_endpoint(ia, &ea, &pa.ecfg), 0);
	assert_int_equal(pb.unbound, 1);
	assert_int_equal(amp_ipc_register_endpoint(ib, &eb, &pb.ecfg), 0);
	assert_int_equal(pa.bound, 2);
	assert_int_equal(amp_ipc_deregister_endpoint(&eb), 0);
	assert_int_equal(pa.unbound, 1);
	assert_int_equal(amp_ipc_send(&eb, "x", 1), AMP_ENOENT);
	assert_int_equal(amp_ipc_send(&ea, "x", 1), AMP_ENOTCONN);
	assert_int_equal(amp_ipc_deregister_endpoint(&ea), 0);
	assert_int_equal(amp_ipc_close_instance(ia), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_init_args, teardown),
		cmocka_unit_test_teardown(test_v2_bind_and_traffic, teardown),
		cmocka_unit_test_teardown(test_profiles_bind, teardown),
		cmocka_unit_test_teardown(test_limits, teardown),
		cmocka_unit_test_teardown(test_wrapped_without_bounce_buffer, teardown),
		cmocka_unit_test_teardown(test_close_unbound_rebind, teardown),
		cmocka_unit_test_teardown(test_peer_reset, teardown),
		cmocka_unit_test_teardown(test_peer_reset_ring_already_reset, teardown),
		cmocka_unit_test_teardown(test_peer_close_delivers_pending, teardown),
		cmocka_unit_test_teardown(test_v1_peer_restart, teardown),
		cmocka_unit_test_teardown(test_send_wait, teardown),
		cmocka_unit_test_teardown(test_concurrent_senders, teardown),
		cmocka_unit_test_teardown(test_burst, teardown),
		cmocka_unit_test_teardown(test_corrupt_peer, teardown),
		cmocka_unit_test_teardown(test_service_adapter, teardown),
		cmocka_unit_test(icmsg_test_vectors),
	};
	return cmocka_run_group_tests_name("icmsg", tests, NULL, NULL);
}
