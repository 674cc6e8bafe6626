/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RPMsg transport, one process: host and remote on one region with a loopback
 * mailbox. Layout formula, binding in both start orders with several
 * endpoints, error codes, back-pressure and the event-driven wait for a
 * buffer, zero copy (get/send/drop, counted holds), drops and counters,
 * deregistration from a callback, host restart detection, batching.
 */
#include <amplink/errno.h>
#include <amplink/ipc.h>
#include <amplink/mbox_loopback.h>
#include <amplink/rpmsg.h>

#include "backends/rpmsg/rpmsg_internal.h" /* to forge messages as a hostile peer */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REGION 0x8000u
#define PHYS 0x60000000ull
#define NEP 4

struct ep {
	struct amp_ipc_ept ept;
	struct amp_ipc_ept_cfg cfg;
	char name[16];
	int bound, unbound, errors, rx;
	size_t last_len;
	uint8_t last[512];
	int hold;              /* hold this many times in the next callback */
	void *held;
	bool deregister_in_cb;
};

struct side {
	struct amp_rpmsg rp;
	struct amp_rpmsg_cfg cfg;
	struct amp_ipc_instance inst;
	struct ep ep[NEP];
};

struct pair {
	uint8_t *region;
	struct amp_mbox mb_h, mb_r;
	struct amp_mbox_loopback lb;
	struct amp_mbox_loopback_cfg lbc;
	struct side h, r;
};

static void cb_bound(void *p)
{
	((struct ep *)p)->bound++;
}
static void cb_unbound(void *p)
{
	((struct ep *)p)->unbound++;
}
static void cb_error(const char *m, void *p)
{
	(void)m;
	((struct ep *)p)->errors++;
}
static void cb_received(const void *d, size_t len, void *p)
{
	struct ep *e = p;
	e->rx++;
	e->last_len = len;
	memcpy(e->last, d, len < sizeof(e->last) ? len : sizeof(e->last));
	while (e->hold > 0) {
		assert_int_equal(amp_ipc_hold_rx_buffer(&e->ept, (void *)(uintptr_t)d), 0);
		e->held = (void *)(uintptr_t)d;
		e->hold--;
	}
	if (e->deregister_in_cb) {
		assert_int_equal(amp_ipc_deregister_endpoint(&e->ept), 0);
	}
}

static void side_init(struct pair *p, struct side *s, enum amp_rpmsg_role role, struct amp_mbox *mb)
{
	memset(&s->cfg, 0, sizeof(s->cfg));
	s->cfg.role = role;
	s->cfg.shm = p->region;
	s->cfg.shm_phys = PHYS;
	s->cfg.shm_size = REGION;
	s->cfg.mbox = mb;
	s->cfg.tx_channel = role == AMP_RPMSG_ROLE_HOST ? 0 : 1;
	s->cfg.rx_channel = role == AMP_RPMSG_ROLE_HOST ? 1 : 0;
	s->cfg.name = role == AMP_RPMSG_ROLE_HOST ? "host" : "remote";
	assert_int_equal(amp_rpmsg_init(&s->rp, &s->cfg, &s->inst), 0);
	for (int i = 0; i < NEP; i++) {
		struct ep *e = &s->ep[i];
		memset(e, 0, sizeof(*e));
		snprintf(e->name, sizeof(e->name), "svc%d", i);
		e->cfg.name = e->name;
		e->cfg.cb = (struct amp_ipc_cb){ cb_bound, cb_unbound, cb_received, cb_error };
		e->cfg.priv = e;
	}
}

static struct pair *pair_new(enum amp_mbox_loopback_mode mode)
{
	struct pair *p = calloc(1, sizeof(*p));
	assert_non_null(p);
	p->region = aligned_alloc(4096, REGION);
	assert_non_null(p->region);
	memset(p->region, 0xa5, REGION);
	p->lbc.num_channels = 2;
	p->lbc.a_tx_mask = 1;
	p->lbc.b_tx_mask = 2;
	p->lbc.mode = mode;
	assert_int_equal(amp_mbox_loopback_init(&p->lb, &p->mb_h, &p->mb_r, &p->lbc), 0);
	side_init(p, &p->h, AMP_RPMSG_ROLE_HOST, &p->mb_h);
	side_init(p, &p->r, AMP_RPMSG_ROLE_REMOTE, &p->mb_r);
	return p;
}

static void pair_free(struct pair *p)
{
	free(p->region);
	free(p);
}

/* deferred mode: run both sides until quiet */
static void pump(struct pair *p)
{
	for (int i = 0; i < 50; i++) {
		int n = amp_mbox_poll(&p->mb_h) + amp_mbox_poll(&p->mb_r);
		if (n == 0) {
			break;
		}
	}
}

static void reg_all(struct side *s)
{
	for (int i = 0; i < NEP; i++) {
		assert_int_equal(amp_ipc_register_endpoint(&s->inst, &s->ep[i].ept, &s->ep[i].cfg), 0);
	}
}

static void test_layout_formula(void **state)
{
	(void)state;
	struct amp_rpmsg_layout l;
	assert_int_equal(amp_rpmsg_layout_compute(&l, 0x8000, 512, 4), 0);
	assert_int_equal(l.num_desc, 16);
	assert_int_equal(l.pool_off, 4);
	assert_int_equal(l.pool_size, 16384);
	assert_int_equal(l.vring1_off, 16388);
	assert_int_equal(l.vring0_off, 16820);
	assert_int_equal(l.vring_bytes, 430);
	/* defaults are 512 / 4 */
	struct amp_rpmsg_layout d;
	assert_int_equal(amp_rpmsg_layout_compute(&d, 0x8000, 0, 0), 0);
	assert_memory_equal(&l, &d, sizeof(l));
	/* the recorded cases */
	assert_int_equal(amp_rpmsg_layout_compute(&l, 8704, 512, 4), 0);
	assert_int_equal(l.num_desc, 8);
	assert_int_equal(l.vring1_off, 0x2004);
	assert_int_equal(l.vring0_off, 0x20e4);
	assert_int_equal(amp_rpmsg_layout_compute(&l, 8704, 512, 32), 0);
	assert_int_equal(l.num_desc, 4);
	assert_int_equal(l.pool_off, 32);
	assert_int_equal(l.vring1_off, 0x1020);
	assert_int_equal(l.vring0_off, 0x10c0);
	assert_int_equal(amp_rpmsg_layout_compute(&l, 2048, 128, 4), 0);
	assert_int_equal(l.num_desc, 4);
	assert_int_equal(l.vring1_off, 0x404);
	assert_int_equal(l.vring0_off, 0x47c);
	/* rejects */
	assert_int_equal(amp_rpmsg_layout_compute(NULL, 0x8000, 512, 4), AMP_EINVAL);
	assert_int_equal(amp_rpmsg_layout_compute(&l, 0x8000, 512, 6), AMP_EINVAL);
	assert_int_equal(amp_rpmsg_layout_compute(&l, 0x8000, 510, 4), AMP_EINVAL);
	assert_int_equal(amp_rpmsg_layout_compute(&l, 0x8000, 32, 4), AMP_EINVAL);
	assert_int_equal(amp_rpmsg_layout_compute(&l, 600, 512, 4), AMP_ENOMEM);
	assert_int_equal(amp_rpmsg_layout_compute(&l, 4, 512, 4), AMP_ENOMEM);
}

static void test_init_rejects(void **state)
{
	(void)state;
	static uint8_t mem[4096] __attribute__((aligned(8)));
	struct amp_rpmsg rp;
	struct amp_ipc_instance inst;
	struct amp_rpmsg_cfg c = { .shm = mem, .shm_phys = 0x1000, .shm_size = sizeof(mem) };
	assert_int_equal(amp_rpmsg_init(&rp, &c, &inst), 0);
	assert_ptr_equal(inst.backend, &rp);
	assert_int_equal(amp_rpmsg_init(NULL, &c, &inst), AMP_EINVAL);
	c.shm = mem + 2;
	assert_int_equal(amp_rpmsg_init(&rp, &c, &inst), AMP_EINVAL);
	c.shm = mem;
	c.shm_phys = 0x1002; /* not aligned to MEM_ALIGNMENT */
	assert_int_equal(amp_rpmsg_init(&rp, &c, &inst), AMP_EINVAL);
	c.shm_phys = 0x1000;
	c.role = 7;
	assert_int_equal(amp_rpmsg_init(&rp, &c, &inst), AMP_EINVAL);
	c.role = AMP_RPMSG_ROLE_HOST;
	c.shm_size = 100;
	assert_int_equal(amp_rpmsg_init(&rp, &c, &inst), AMP_ENOMEM);
	/* a ring larger than the build supports */
	static uint8_t big[AMP_VRING_NUM_MAX * 2 * 200] __attribute__((aligned(8)));
	struct amp_rpmsg_cfg cb = { .shm = big, .shm_size = sizeof(big), .buffer_size = 64 };
	assert_int_equal(amp_rpmsg_init(&rp, &cb, &inst), AMP_ERANGE);
}

static void check_traffic(struct pair *p)
{
	for (int i = 0; i < NEP; i++) {
		char msg[64];
		int len = snprintf(msg, sizeof(msg), "to remote %d", i);
		assert_int_equal(amp_ipc_send(&p->h.ep[i].ept, msg, (size_t)len), len);
		pump(p);
		assert_int_equal(p->r.ep[i].last_len, (size_t)len);
		assert_memory_equal(p->r.ep[i].last, msg, (size_t)len);
		len = snprintf(msg, sizeof(msg), "to host %d!", i);
		assert_int_equal(amp_ipc_send(&p->r.ep[i].ept, msg, (size_t)len), len);
		pump(p);
		assert_int_equal(p->h.ep[i].last_len, (size_t)len);
		assert_memory_equal(p->h.ep[i].last, msg, (size_t)len);
	}
}

static void test_bind_remote_opens_first(void **state)
{
	(void)state;
	struct pair *p = pair_new(AMP_MBOX_LOOPBACK_DEFERRED);
	memset(p->region, 0, 4); /* status 0: no host yet */
	assert_int_equal(amp_ipc_open_instance(&p->r.inst), 0); /* does not wait */
	assert_false(amp_rpmsg_link_up(&p->r.rp));
	assert_int_equal(amp_rpmsg_wait_link(&p->r.rp, AMP_MSEC(20)), AMP_ETIMEDOUT);
	reg_all(&p->r);
	assert_int_equal(amp_ipc_send(&p->r.ep[0].ept, "x", 1), AMP_EBUSY);
	/* not open: registration refused */
	for (int i = 0; i < NEP; i++) {
		assert_int_equal(amp_ipc_register_endpoint(&p->h.inst, &p->h.ep[i].ept, &p->h.ep[i].cfg),
				 AMP_EBUSY);
		assert_null(p->h.ep[i].ept.instance);
	}
	assert_int_equal(amp_ipc_open_instance(&p->h.inst), 0);
	assert_int_equal(amp_ipc_open_instance(&p->h.inst), AMP_EALREADY);
	pump(p); /* hello doorbell -> remote sees DRIVER_OK and announces */
	assert_true(amp_rpmsg_link_up(&p->r.rp));
	assert_int_equal(amp_rpmsg_wait_link(&p->r.rp, AMP_NO_WAIT), 0);
	reg_all(&p->h); /* announcements were cached */
	pump(p);
	for (int i = 0; i < NEP; i++) {
		assert_int_equal(p->h.ep[i].bound, 1);
		assert_int_equal(p->r.ep[i].bound, 1);
	}
	check_traffic(p);
	struct amp_rpmsg_stats st;
	amp_rpmsg_get_stats(&p->h.rp, &st);
	assert_int_equal(st.rx_protocol_errors + st.rx_dropped_unknown_addr + st.ns_malformed, 0);
	pair_free(p);
}

static void test_bind_host_first_immediate(void **state)
{
	(void)state;
	struct pair *p = pair_new(AMP_MBOX_LOOPBACK_IMMEDIATE);
	assert_int_equal(amp_ipc_open_instance(&p->h.inst), 0);
	reg_all(&p->h);
	assert_int_equal(amp_ipc_open_instance(&p->r.inst), 0);
	reg_all(&p->r);
	for (int i = 0; i < NEP; i++) {
		assert_int_equal(p->h.ep[i].bound, 1);
		assert_int_equal(p->r.ep[i].bound, 1);
		assert_int_equal(amp_ipc_get_tx_buffer_size(&p->h.ep[i].ept), 496);
	}
	check_traffic(p);
	pair_free(p);
}

static struct pair *bound_pair(enum amp_mbox_loopback_mode mode)
{
	struct pair *p = pair_new(mode);
	assert_int_equal(amp_ipc_open_instance(&p->h.inst), 0);
	assert_int_equal(amp_ipc_open_instance(&p->r.inst), 0);
	reg_all(&p->h);
	reg_all(&p->r);
	pump(p);
	for (int i = 0; i < NEP; i++) {
		assert_int_equal(p->h.ep[i].bound, 1);
		assert_int_equal(p->r.ep[i].bound, 1);
	}
	return p;
}

static void test_error_codes(void **state)
{
	(void)state;
	struct pair *p = bound_pair(AMP_MBOX_LOOPBACK_IMMEDIATE);
	uint8_t big[600] = { 0 };
	assert_int_equal(amp_ipc_send(&p->h.ep[0].ept, big, 0), AMP_EBADMSG);
	assert_int_equal(amp_ipc_send(&p->h.ep[0].ept, big, 497), AMP_EMSGSIZE);
	assert_int_equal(amp_ipc_send(&p->r.ep[0].ept, big, 497), AMP_EMSGSIZE);
	assert_int_equal(amp_ipc_send(&p->h.ep[0].ept, big, 496), 496);
	/* close with endpoints registered */
	assert_int_equal(amp_ipc_close_instance(&p->h.inst), AMP_EBUSY);
	/* duplicate name, too many, empty name */
	struct ep extra[AMP_RPMSG_MAX_ENDPOINTS];
	memset(extra, 0, sizeof(extra));
	struct amp_ipc_ept_cfg dup = { .name = "svc0" };
	struct amp_ipc_ept de = { 0 };
	assert_int_equal(amp_ipc_register_endpoint(&p->h.inst, &de, &dup), AMP_EEXIST);
	struct amp_ipc_ept_cfg empty = { .name = "" };
	assert_int_equal(amp_ipc_register_endpoint(&p->h.inst, &de, &empty), AMP_EINVAL);
	struct amp_ipc_ept_cfg longname = { .name = "0123456789012345678901234567890123" };
	assert_int_equal(amp_ipc_register_endpoint(&p->h.inst, &de, &longname), AMP_EINVAL);
	char names[AMP_RPMSG_MAX_ENDPOINTS][8];
	struct amp_ipc_ept_cfg ecfg[AMP_RPMSG_MAX_ENDPOINTS];
	int ok = 0;
	for (int i = 0; i < AMP_RPMSG_MAX_ENDPOINTS; i++) {
		snprintf(names[i], sizeof(names[i]), "x%d", i);
		ecfg[i] = (struct amp_ipc_ept_cfg){ .name = names[i] };
		int r = amp_ipc_register_endpoint(&p->h.inst, &extra[i].ept, &ecfg[i]);
		if (r == 0) {
			ok++;
		} else {
			assert_int_equal(r, AMP_ENOMEM);
		}
	}
	assert_int_equal(ok, AMP_RPMSG_MAX_ENDPOINTS - NEP);
	/* an unbound endpoint cannot send */
	assert_int_equal(amp_ipc_send(&extra[0].ept, "a", 1), AMP_EBUSY);
	void *buf;
	uint32_t sz = 0;
	assert_int_equal(amp_ipc_get_tx_buffer(&extra[0].ept, &buf, &sz, AMP_NO_WAIT), AMP_EBUSY);
	for (int i = 0; i < ok; i++) {
		assert_int_equal(amp_ipc_deregister_endpoint(&extra[i].ept), 0);
	}
	assert_int_equal(amp_ipc_send(&extra[0].ept, "a", 1), AMP_ENOENT);
	pair_free(p);
}

struct waiter {
	struct amp_ipc_ept *ept;
	int64_t timeout;
	int ret;
	uint64_t ns;
	void *buf;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	uint32_t sz = 0;
	uint64_t t0 = amp_port_now_ns();
	w->ret = amp_ipc_get_tx_buffer(w->ept, &w->buf, &sz, w->timeout);
	w->ns = amp_port_now_ns() - t0;
	return NULL;
}

static void test_backpressure_and_wait(void **state)
{
	(void)state;
	struct pair *p = bound_pair(AMP_MBOX_LOOPBACK_DEFERRED);
	uint32_t n = p->h.rp.layout.num_desc;
	/* the remote does not run: exactly n messages fit, then ENOMEM at once */
	uint32_t sent = 0;
	for (;;) {
		uint64_t t0 = amp_port_now_ns();
		int r = amp_ipc_send(&p->h.ep[0].ept, "m", 1);
		assert_true(amp_port_now_ns() - t0 < 100000000ull);
		if (r < 0) {
			assert_int_equal(r, AMP_ENOMEM);
			break;
		}
		sent++;
	}
	assert_int_equal(sent, n); /* every transmit buffer, then no more */
	void *buf;
	uint32_t sz = 0;
	assert_int_equal(amp_ipc_get_tx_buffer(&p->h.ep[0].ept, &buf, &sz, AMP_NO_WAIT), AMP_ENOBUFS);
	uint64_t t0 = amp_port_now_ns();
	assert_int_equal(amp_ipc_get_tx_buffer(&p->h.ep[0].ept, &buf, &sz, AMP_MSEC(30)),
			 AMP_ETIMEDOUT);
	assert_true(amp_port_now_ns() - t0 >= 25000000ull);
	/* a waiter is woken by the remote returning buffers (an event, not polling) */
	struct waiter w = { .ept = &p->h.ep[0].ept, .timeout = AMP_MSEC(5000) };
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, wait_thread, &w), 0);
	amp_port_sleep_us(20000);
	assert_int_equal(amp_rpmsg_process(&p->r.rp), (int)sent); /* remote consumes, rings the host */
	pump(p);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(w.ret, 0);
	assert_true(w.ns < 2000000000ull);
	assert_int_equal(amp_ipc_send_nocopy(&p->h.ep[0].ept, w.buf, 3), 3);
	pump(p);
	assert_int_equal(p->r.ep[0].rx, (int)sent + 1);
	/* remote side runs out the same way */
	sent = 0;
	while (amp_ipc_send(&p->r.ep[1].ept, "r", 1) > 0) {
		sent++;
	}
	assert_true(sent >= n - 2);
	struct amp_rpmsg_stats st;
	amp_rpmsg_get_stats(&p->r.rp, &st);
	assert_true(st.tx_no_buffer >= 1);
	pump(p);
	assert_int_equal(amp_ipc_send(&p->r.ep[1].ept, "r", 1), 1);
	pair_free(p);
}

static void test_zero_copy(void **state)
{
	(void)state;
	struct pair *p = bound_pair(AMP_MBOX_LOOPBACK_IMMEDIATE);
	struct amp_ipc_ept *h0 = &p->h.ep[0].ept, *h1 = &p->h.ep[1].ept;
	void *b1, *b2;
	uint32_t sz = 1000;
	assert_int_equal(amp_ipc_get_tx_buffer(h0, &b1, &sz, AMP_NO_WAIT), AMP_ENOMEM);
	assert_int_equal(sz, 496);
	sz = 0;
	assert_int_equal(amp_ipc_get_tx_buffer(h0, &b1, &sz, AMP_NO_WAIT), 0);
	assert_int_equal(sz, 496);
	sz = 10;
	assert_int_equal(amp_ipc_get_tx_buffer(h0, &b2, &sz, AMP_NO_WAIT), 0);
	assert_ptr_not_equal(b1, b2);
	/* not this endpoint's buffer / not a buffer */
	assert_int_equal(amp_ipc_send_nocopy(h1, b1, 4), AMP_ENXIO);
	assert_int_equal(amp_ipc_drop_tx_buffer(h1, b1), AMP_ENXIO);
	assert_int_equal(amp_ipc_send_nocopy(h0, (uint8_t *)b1 + 1, 4), AMP_ENXIO);
	assert_int_equal(amp_ipc_send_nocopy(h0, b1, 497), AMP_EINVAL);
	memcpy(b1, "zero-copy", 9);
	assert_int_equal(amp_ipc_send_nocopy(h0, b1, 9), 9);
	assert_int_equal(p->r.ep[0].last_len, 9);
	assert_memory_equal(p->r.ep[0].last, "zero-copy", 9);
	assert_int_equal(amp_ipc_send_nocopy(h0, b1, 9), AMP_ENXIO); /* already sent */
	assert_int_equal(amp_ipc_drop_tx_buffer(h0, b2), 0);
	assert_int_equal(amp_ipc_drop_tx_buffer(h0, b2), AMP_EALREADY);
	/* the dropped buffer is reused */
	void *b3;
	sz = 0;
	assert_int_equal(amp_ipc_get_tx_buffer(h0, &b3, &sz, AMP_NO_WAIT), 0);
	assert_ptr_equal(b3, b2);
	assert_int_equal(amp_ipc_drop_tx_buffer(h0, b3), 0);

	/* counted holds on the remote */
	struct ep *re = &p->r.ep[2];
	re->hold = 2;
	assert_int_equal(amp_ipc_send(&p->h.ep[2].ept, "held", 4), 4);
	assert_non_null(re->held);
	assert_memory_equal(re->held, "held", 4);
	assert_int_equal(amp_ipc_release_rx_buffer(&p->r.ep[3].ept, re->held), AMP_ENXIO);
	assert_int_equal(amp_ipc_release_rx_buffer(&re->ept, re->held), 0);
	assert_int_equal(amp_ipc_release_rx_buffer(&re->ept, re->held), 0);
	assert_int_equal(amp_ipc_release_rx_buffer(&re->ept, re->held), AMP_EALREADY);
	assert_int_equal(amp_ipc_hold_rx_buffer(&re->ept, re->held), AMP_ENXIO); /* outside callback */
	/* and on the host, with traffic continuing while held */
	struct ep *he = &p->h.ep[3];
	he->hold = 1;
	assert_int_equal(amp_ipc_send(&p->r.ep[3].ept, "hostheld", 8), 8);
	void *hh = he->held;
	for (int i = 0; i < 40; i++) {
		assert_int_equal(amp_ipc_send(&p->r.ep[3].ept, "more", 4), 4);
	}
	assert_memory_equal(hh, "hostheld", 8);
	assert_int_equal(amp_ipc_release_rx_buffer(&he->ept, hh), 0);
	assert_int_equal(he->rx, 41);
	pair_free(p);
}

static void test_unknown_addr_and_deregister_in_cb(void **state)
{
	(void)state;
	struct pair *p = bound_pair(AMP_MBOX_LOOPBACK_DEFERRED);
	/* host endpoint goes away; the remote has not heard yet and keeps sending */
	assert_int_equal(amp_ipc_deregister_endpoint(&p->h.ep[0].ept), 0);
	assert_int_equal(amp_ipc_send(&p->r.ep[0].ept, "lost", 4), 4);
	amp_mbox_poll(&p->mb_h); /* host: message for a dead address */
	struct amp_rpmsg_stats st;
	amp_rpmsg_get_stats(&p->h.rp, &st);
	assert_int_equal(st.rx_dropped_unknown_addr, 1);
	pump(p); /* remote gets the destroy */
	assert_int_equal(p->r.ep[0].unbound, 1);
	assert_int_equal(amp_ipc_send(&p->r.ep[0].ept, "x", 1), AMP_EBUSY);
	/* re-registering on the host binds again (the announcement is remembered) */
	assert_int_equal(amp_ipc_register_endpoint(&p->h.inst, &p->h.ep[0].ept, &p->h.ep[0].cfg), 0);
	pump(p);
	assert_int_equal(p->h.ep[0].bound, 2);
	assert_int_equal(p->r.ep[0].bound, 2);
	assert_int_equal(amp_ipc_send(&p->r.ep[0].ept, "back", 4), 4);
	pump(p);
	assert_int_equal(p->h.ep[0].rx, 1);

	/* deregistering from inside the endpoint's own callback */
	p->h.ep[1].deregister_in_cb = true;
	assert_int_equal(amp_ipc_send(&p->r.ep[1].ept, "one", 3), 3);
	assert_int_equal(amp_ipc_send(&p->r.ep[1].ept, "two", 3), 3);
	pump(p);
	assert_int_equal(p->h.ep[1].rx, 1);
	assert_null(p->h.ep[1].ept.instance);
	amp_rpmsg_get_stats(&p->h.rp, &st);
	assert_int_equal(st.rx_dropped_unknown_addr, 2);
	/* the remote destroys: the host gets unbound */
	assert_int_equal(amp_ipc_deregister_endpoint(&p->r.ep[2].ept), 0);
	pump(p);
	assert_int_equal(p->h.ep[2].unbound, 1);
	pair_free(p);
}

static void host_reopen(struct pair *p)
{
	for (int i = 0; i < NEP; i++) {
		if (p->h.ep[i].ept.instance != NULL) {
			assert_int_equal(amp_ipc_deregister_endpoint(&p->h.ep[i].ept), 0);
		}
	}
	assert_int_equal(amp_ipc_close_instance(&p->h.inst), 0);
	assert_int_equal(amp_ipc_close_instance(&p->h.inst), AMP_EALREADY);
	assert_int_equal(amp_ipc_open_instance(&p->h.inst), 0);
	reg_all(&p->h);
}

static void test_host_restart(void **state)
{
	(void)state;
	struct pair *p = bound_pair(AMP_MBOX_LOOPBACK_DEFERRED);
	/* restart 1: the remote runs between close and open (sees status 0) */
	for (int i = 0; i < NEP; i++) {
		assert_int_equal(amp_ipc_deregister_endpoint(&p->h.ep[i].ept), 0);
	}
	pump(p);
	assert_int_equal(amp_ipc_close_instance(&p->h.inst), 0);
	pump(p);
	assert_false(amp_rpmsg_link_up(&p->r.rp));
	assert_true(p->r.ep[0].errors >= 1);
	assert_int_equal(amp_ipc_open_instance(&p->h.inst), 0);
	reg_all(&p->h);
	pump(p);
	for (int i = 0; i < NEP; i++) {
		assert_int_equal(p->h.ep[i].bound, 2);
		assert_int_equal(p->r.ep[i].bound, 2);
	}
	check_traffic(p);
	/* restart 2: closed and reopened before the remote looks (indices reset) */
	host_reopen(p);
	pump(p);
	struct amp_rpmsg_stats st;
	amp_rpmsg_get_stats(&p->r.rp, &st);
	assert_int_equal(st.peer_resets, 2);
	for (int i = 0; i < NEP; i++) {
		assert_int_equal(p->r.ep[i].unbound, 2);
		assert_int_equal(p->h.ep[i].bound, 3);
		assert_int_equal(p->r.ep[i].bound, 3);
	}
	check_traffic(p);
	pair_free(p);
}

static void test_batching(void **state)
{
	(void)state;
	struct pair *p = bound_pair(AMP_MBOX_LOOPBACK_DEFERRED);
	uint32_t before = p->lb.sent[0];
	amp_rpmsg_batch_begin(&p->h.rp);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(amp_ipc_send(&p->h.ep[i % NEP].ept, "b", 1), 1);
	}
	assert_int_equal(p->lb.sent[0], before);
	assert_int_equal(amp_rpmsg_batch_end(&p->h.rp), 1);
	assert_int_equal(amp_rpmsg_batch_end(&p->h.rp), AMP_EINVAL);
	assert_int_equal(p->lb.sent[0], before + 1);
	pump(p);
	int total = 0;
	for (int i = 0; i < NEP; i++) {
		total += p->r.ep[i].rx;
	}
	assert_int_equal(total, 10);
	/* returning buffers does not ring the host (it asked not to be told) */
	uint32_t rsent = p->lb.sent[1];
	assert_int_equal(amp_rpmsg_process(&p->r.rp), 0);
	assert_int_equal(p->lb.sent[1], rsent);
	pair_free(p);
}

static void test_event_idx_pair(void **state)
{
	(void)state;
	struct pair *p = pair_new(AMP_MBOX_LOOPBACK_IMMEDIATE);
	p->h.cfg.event_idx = true;
	p->r.cfg.event_idx = true;
	side_init(p, &p->h, AMP_RPMSG_ROLE_HOST, &p->mb_h);
	side_init(p, &p->r, AMP_RPMSG_ROLE_REMOTE, &p->mb_r);
	p->h.cfg.event_idx = true;
	p->r.cfg.event_idx = true;
	assert_int_equal(amp_rpmsg_init(&p->h.rp, &p->h.cfg, &p->h.inst), 0);
	assert_int_equal(amp_rpmsg_init(&p->r.rp, &p->r.cfg, &p->r.inst), 0);
	assert_int_equal(amp_ipc_open_instance(&p->h.inst), 0);
	assert_int_equal(amp_ipc_open_instance(&p->r.inst), 0);
	reg_all(&p->h);
	reg_all(&p->r);
	for (int k = 0; k < 200; k++) {
		check_traffic(p);
	}
	assert_int_equal(p->r.ep[3].rx, 200);
	pair_free(p);
}

/* The remote side publishes an arbitrary message (what a buggy or hostile
 * peer could put on the ring). */
static int forge(struct pair *p, uint32_t src, uint32_t dst, const void *payload, uint32_t len)
{
	uint32_t key = amp_port_irq_lock();
	int r = amp_rpmsg_send_raw(&p->r.rp, src, dst, payload, len);
	amp_port_irq_unlock(key);
	return r;
}

static void ns_msg(struct amp_rpmsg_ns_msg *m, const char *name, uint32_t addr, uint32_t flags)
{
	memset(m, 0, sizeof(*m));
	strncpy(m->name, name, sizeof(m->name));
	m->addr = addr;
	m->flags = flags;
}

static void test_hostile_messages(void **state)
{
	(void)state;
	struct pair *p = bound_pair(AMP_MBOX_LOOPBACK_DEFERRED);
	struct amp_rpmsg_stats st;
	uint32_t h0 = p->h.rp.ept[0].addr, r0 = p->r.rp.ept[0].addr;
	struct amp_rpmsg_ns_msg m;

	/* header length beyond the buffer */
	assert_int_equal(forge(p, r0, h0, "abcd", 4), 4);
	/* find the message the remote just put on vring 0 and corrupt its length */
	uint16_t used = *p->r.rp.tx.used_idx;
	uint32_t id = p->r.rp.tx.used_ring[2u * ((used - 1u) & p->r.rp.tx.mask)];
	uint8_t *msg = p->r.rp.pool + p->r.rp.tx.sh[id].off;
	uint16_t bad_len = 497;
	memcpy(msg + 12, &bad_len, 2);
	/* source ANY, unknown destination */
	assert_int_equal(forge(p, AMP_RPMSG_ADDR_ANY, h0, "x", 1), 1);
	assert_int_equal(forge(p, r0, 9999, "x", 1), 1);
	/* name service: wrong length, ANY address, bad flags, empty name */
	ns_msg(&m, "svcA", 2000, 0);
	assert_int_equal(forge(p, 2000, 53, &m, 39), 39);
	ns_msg(&m, "svcA", AMP_RPMSG_ADDR_ANY, 0);
	assert_int_equal(forge(p, 2000, 53, &m, 40), 40);
	ns_msg(&m, "svcA", 2000, 2);
	assert_int_equal(forge(p, 2000, 53, &m, 40), 40);
	ns_msg(&m, "", 2000, 0);
	assert_int_equal(forge(p, 2000, 53, &m, 40), 40);
	pump(p);
	amp_rpmsg_get_stats(&p->h.rp, &st);
	assert_int_equal(st.rx_dropped_bad_header, 2);
	assert_int_equal(st.rx_dropped_unknown_addr, 1);
	assert_int_equal(st.ns_malformed, 4);
	assert_int_equal(p->h.ep[0].rx, 0);
	/* bytes after the NUL are ignored; the name binds once registered on the host */
	ns_msg(&m, "late", 2001, 0);
	memset(m.name + 5, 0x77, sizeof(m.name) - 5);
	assert_int_equal(forge(p, 2001, 53, &m, 40), 40);
	pump(p);
	struct ep late;
	memset(&late, 0, sizeof(late));
	late.cfg = (struct amp_ipc_ept_cfg){ .name = "late",
		.cb = { cb_bound, cb_unbound, cb_received, cb_error }, .priv = &late };
	assert_int_equal(amp_ipc_register_endpoint(&p->h.inst, &late.ept, &late.cfg), 0);
	assert_int_equal(late.bound, 1);
	assert_int_equal(p->h.rp.ept[NEP].dest, 2001);
	/* a flood of announcements is capped */
	for (int i = 0; i < AMP_RPMSG_NS_CACHE_MAX + 4; i++) {
		char nm[16];
		snprintf(nm, sizeof(nm), "flood%d", i);
		ns_msg(&m, nm, 3000u + (uint32_t)i, 0);
		int r = forge(p, 3000u + (uint32_t)i, 53, &m, 40);
		if (r < 0) {
			pump(p);
			assert_int_equal(forge(p, 3000u + (uint32_t)i, 53, &m, 40), 40);
		}
	}
	pump(p);
	amp_rpmsg_get_stats(&p->h.rp, &st);
	assert_true(st.ns_cache_full >= 4);
	assert_int_equal(st.rx_protocol_errors, 0);
	/* traffic still flows */
	check_traffic(p);
	pair_free(p);
}

static void test_corrupt_rings(void **state)
{
	(void)state;
	struct pair *p = bound_pair(AMP_MBOX_LOOPBACK_DEFERRED);
	/* the remote's used index on vring 0 jumps: the host stops the link */
	*p->r.rp.tx.used_idx = (uint16_t)(*p->r.rp.tx.used_idx + 100u);
	assert_int_equal(amp_rpmsg_process(&p->h.rp), AMP_EPROTO);
	struct amp_rpmsg_stats st;
	amp_rpmsg_get_stats(&p->h.rp, &st);
	assert_int_equal(st.rx_protocol_errors, 1);
	for (int i = 0; i < NEP; i++) {
		assert_int_equal(p->h.ep[i].errors, 1);
		assert_int_equal(p->h.ep[i].unbound, 1);
	}
	assert_int_equal(amp_ipc_send(&p->h.ep[0].ept, "x", 1), AMP_EBUSY);
	assert_int_equal(amp_rpmsg_process(&p->h.rp), 0); /* stays stopped, no loop */
	/* the host re-opens; the remote notices and everything binds again */
	host_reopen(p);
	pump(p);
	for (int i = 0; i < NEP; i++) {
		assert_int_equal(p->h.ep[i].bound, 2);
		assert_int_equal(p->r.ep[i].bound, 2);
	}
	check_traffic(p);
	/* now the host corrupts vring 1's avail ring: a head out of range */
	assert_int_equal(amp_ipc_send(&p->h.ep[1].ept, "y", 1), 1);
	uint16_t a = *p->h.rp.tx.avail_idx;
	p->h.rp.tx.avail_ring[(a - 1u) & p->h.rp.tx.mask] = 0x7777;
	assert_int_equal(amp_rpmsg_process(&p->r.rp), AMP_EPROTO);
	amp_rpmsg_get_stats(&p->r.rp, &st);
	assert_int_equal(st.rx_protocol_errors, 1);
	assert_int_equal(p->r.ep[1].unbound, 2);
	assert_int_equal(amp_ipc_send(&p->r.ep[1].ept, "z", 1), AMP_EBUSY);
	/* and recovers when the host restarts */
	host_reopen(p);
	pump(p);
	assert_true(amp_rpmsg_link_up(&p->r.rp));
	check_traffic(p);
	pair_free(p);
}

/* Another thread deregisters an endpoint while its callback runs. */
struct slowcb {
	struct pair *p;
	volatile int in_cb, done_cb, calls;
};
static struct slowcb g_slow;

static void slow_received(const void *d, size_t len, void *priv)
{
	(void)d;
	(void)len;
	(void)priv;
	g_slow.calls++;
	g_slow.in_cb = 1;
	amp_port_sleep_us(30000);
	g_slow.done_cb = 1;
}

static void *slow_sender(void *arg)
{
	struct pair *p = arg;
	(void)amp_ipc_send(&p->r.ep[0].ept, "slow", 4); /* immediate mode: runs the host callback */
	return NULL;
}

static void test_deregister_from_other_thread(void **state)
{
	(void)state;
	struct pair *p = bound_pair(AMP_MBOX_LOOPBACK_IMMEDIATE);
	memset(&g_slow, 0, sizeof(g_slow));
	p->h.ep[0].cfg.cb.received = slow_received;
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, slow_sender, p), 0);
	while (!g_slow.in_cb) {
		amp_port_sleep_us(500);
	}
	assert_int_equal(amp_ipc_deregister_endpoint(&p->h.ep[0].ept), 0);
	assert_int_equal(g_slow.done_cb, 1); /* waited for the running callback */
	assert_int_equal(pthread_join(th, NULL), 0);
	/* the host's destroy reached the remote: it is unbound, nothing more arrives */
	assert_int_equal(p->r.ep[0].unbound, 1);
	assert_int_equal(amp_ipc_send(&p->r.ep[0].ept, "after", 5), AMP_EBUSY);
	assert_int_equal(g_slow.calls, 1);
	pair_free(p);
}

/* The remote restarts (fresh RAM, same shared memory) while the host stays up. */
static void test_remote_restart(void **state)
{
	(void)state;
	struct pair *p = bound_pair(AMP_MBOX_LOOPBACK_DEFERRED);
	check_traffic(p);
	/* reboot: the remote's state is gone, its mailbox channel starts disabled */
	(void)amp_mbox_set_enabled(&p->mb_r, 0, false);
	side_init(p, &p->r, AMP_RPMSG_ROLE_REMOTE, &p->mb_r);
	assert_int_equal(amp_ipc_open_instance(&p->r.inst), 0);
	reg_all(&p->r);
	assert_false(amp_rpmsg_link_up(&p->r.rp)); /* stale rings: not used */
	assert_int_equal(p->region[0] & AMP_RPMSG_STATUS_NEEDS_RESET, AMP_RPMSG_STATUS_NEEDS_RESET);
	pump(p); /* host re-initialises, remote comes up and announces, host binds */
	assert_true(amp_rpmsg_link_up(&p->r.rp));
	struct amp_rpmsg_stats st;
	amp_rpmsg_get_stats(&p->h.rp, &st);
	assert_int_equal(st.peer_resets, 1);
	for (int i = 0; i < NEP; i++) {
		assert_int_equal(p->h.ep[i].unbound, 1);
		assert_int_equal(p->h.ep[i].errors, 1);
		assert_int_equal(p->h.ep[i].bound, 2);
		assert_int_equal(p->r.ep[i].bound, 1);
	}
	check_traffic(p);
	pair_free(p);
}

/* Several threads send at once, each on its own endpoint, copy and zero copy;
 * every message must arrive once, in order, intact. */
#define MT_MSGS 20000
static volatile uint32_t mt_next[NEP];
static volatile int mt_bad;

static void mt_received(const void *d, size_t len, void *priv)
{
	struct ep *e = priv;
	uint32_t seq;
	memcpy(&seq, d, 4);
	int idx = e->name[3] - '0';
	if (seq != mt_next[idx] || len != 4u + seq % 200u) {
		mt_bad++;
	}
	for (size_t k = 4; k < len; k++) {
		if (((const uint8_t *)d)[k] != (uint8_t)(seq + k)) {
			mt_bad++;
			break;
		}
	}
	mt_next[idx] = seq + 1;
}

struct mt_arg {
	struct pair *p;
	int ep;
	int fails;
};

static void *mt_sender(void *argp)
{
	struct mt_arg *a = argp;
	struct amp_ipc_ept *e = &a->p->h.ep[a->ep].ept;
	uint8_t buf[256];
	for (uint32_t seq = 0; seq < MT_MSGS; seq++) {
		uint32_t len = 4u + seq % 200u;
		memcpy(buf, &seq, 4);
		for (uint32_t k = 4; k < len; k++) {
			buf[k] = (uint8_t)(seq + k);
		}
		if (seq % 3u == 0) {
			void *p = NULL;
			uint32_t sz = len;
			if (amp_ipc_get_tx_buffer(e, &p, &sz, AMP_MSEC(2000)) != 0 ||
			    (memcpy(p, buf, len), amp_ipc_send_nocopy(e, p, len)) != (int)len) {
				a->fails++;
			}
			continue;
		}
		int r;
		while ((r = amp_ipc_send(e, buf, len)) == AMP_ENOMEM) {
			amp_port_cpu_relax();
		}
		if (r != (int)len) {
			a->fails++;
		}
	}
	return NULL;
}

static void test_concurrent_senders(void **state)
{
	(void)state;
	struct pair *p = bound_pair(AMP_MBOX_LOOPBACK_IMMEDIATE);
	for (int i = 0; i < NEP; i++) {
		mt_next[i] = 0;
	}
	mt_bad = 0;
	for (int i = 0; i < NEP; i++) {
		p->r.ep[i].cfg.cb.received = mt_received;
	}
	pthread_t th[NEP];
	struct mt_arg args[NEP];
	for (int i = 0; i < NEP; i++) {
		args[i] = (struct mt_arg){ .p = p, .ep = i };
		assert_int_equal(pthread_create(&th[i], NULL, mt_sender, &args[i]), 0);
	}
	for (int i = 0; i < NEP; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(args[i].fails, 0);
		assert_int_equal(mt_next[i], MT_MSGS);
	}
	assert_int_equal(mt_bad, 0);
	struct amp_rpmsg_stats st;
	amp_rpmsg_get_stats(&p->r.rp, &st);
	assert_int_equal(st.rx_protocol_errors + st.rx_dropped_bad_header + st.rx_dropped_unknown_addr, 0);
	pair_free(p);
}

/* No mailbox at all: both sides poll with amp_rpmsg_process(). */
static void test_no_doorbells(void **state)
{
	(void)state;
	struct pair *p = pair_new(AMP_MBOX_LOOPBACK_DEFERRED);
	memset(p->region, 0, 4);
	side_init(p, &p->h, AMP_RPMSG_ROLE_HOST, NULL);
	side_init(p, &p->r, AMP_RPMSG_ROLE_REMOTE, NULL);
	p->h.cfg.poll = p->r.cfg.poll = true;
	assert_int_equal(amp_ipc_open_instance(&p->r.inst), 0);
	reg_all(&p->r);
	assert_int_equal(amp_ipc_open_instance(&p->h.inst), 0);
	assert_int_equal(amp_rpmsg_wait_link(&p->r.rp, AMP_MSEC(200)), 0); /* finds DRIVER_OK itself */
	assert_true(amp_rpmsg_process(&p->h.rp) >= 0); /* announcements cached */
	reg_all(&p->h);
	assert_int_equal(amp_rpmsg_process(&p->r.rp), 0);
	assert_int_equal(amp_rpmsg_process(&p->h.rp), 0);
	for (int i = 0; i < NEP; i++) {
		assert_int_equal(p->h.ep[i].bound, 1);
		assert_int_equal(p->r.ep[i].bound, 1);
		assert_int_equal(amp_ipc_send(&p->h.ep[i].ept, "poll", 4), 4);
	}
	assert_int_equal(amp_rpmsg_process(&p->r.rp), NEP);
	assert_int_equal(p->r.ep[3].rx, 1);
	struct amp_rpmsg_stats st;
	amp_rpmsg_get_stats(&p->h.rp, &st);
	assert_true(st.tx_notifies > 0); /* decisions are counted even without a device */
	pair_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_formula),
		cmocka_unit_test(test_init_rejects),
		cmocka_unit_test(test_bind_remote_opens_first),
		cmocka_unit_test(test_bind_host_first_immediate),
		cmocka_unit_test(test_error_codes),
		cmocka_unit_test(test_backpressure_and_wait),
		cmocka_unit_test(test_zero_copy),
		cmocka_unit_test(test_unknown_addr_and_deregister_in_cb),
		cmocka_unit_test(test_host_restart),
		cmocka_unit_test(test_batching),
		cmocka_unit_test(test_event_idx_pair),
		cmocka_unit_test(test_hostile_messages),
		cmocka_unit_test(test_corrupt_rings),
		cmocka_unit_test(test_deregister_from_other_thread),
		cmocka_unit_test(test_no_doorbells),
		cmocka_unit_test(test_remote_restart),
		cmocka_unit_test(test_concurrent_senders),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
