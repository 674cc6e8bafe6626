/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RPMsg and vring compiled with features switched off (amplink/config.h; the
 * switches come from tests/rpmsg/CMakeLists.txt). Built twice:
 *  - RP_CONFIG_BOTH_ROLES: no event index, no zero copy, no statistics, no
 *    log calls, no restart detection. Host and remote in one process over a
 *    loopback mailbox still bind by name service and exchange messages in
 *    both directions; what was compiled out is refused with AMP_ENOTSUP.
 *  - remote only (AMP_CONFIG_RPMSG_HOST=0): the host role and the vring
 *    driver side are refused, the remote role initialises and opens.
 */
#include <amplink/config.h>
#include <amplink/errno.h>
#include <amplink/ipc.h>
#include <amplink/mbox_loopback.h>
#include <amplink/rpmsg.h>
#include <amplink/vring.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#define REGION 0x8000u
#define PHYS 0x60000000ull

struct ep {
	struct amp_ipc_ept ept;
	struct amp_ipc_ept_cfg cfg;
	int bound, rx;
	size_t last_len;
	uint8_t last[256];
	void *last_ptr;
};

struct side {
	struct amp_rpmsg rp;
	struct amp_rpmsg_cfg cfg;
	struct amp_ipc_instance inst;
	struct ep ep;
};

static void cb_bound(void *p)
{
	((struct ep *)p)->bound++;
}

static void cb_received(const void *d, size_t len, void *p)
{
	struct ep *e = p;
	e->rx++;
	e->last_len = len;
	e->last_ptr = (void *)(uintptr_t)d;
	memcpy(e->last, d, len < sizeof(e->last) ? len : sizeof(e->last));
	/* Holding needs the zero-copy calls: refused, the buffer is recycled. */
	assert_int_equal(amp_ipc_hold_rx_buffer(&e->ept, e->last_ptr), AMP_ENOTSUP);
}

static void side_cfg(struct side *s, uint8_t *region, enum amp_rpmsg_role role,
		     struct amp_mbox *mb)
{
	memset(s, 0, sizeof(*s));
	s->cfg.role = role;
	s->cfg.shm = region;
	s->cfg.shm_phys = PHYS;
	s->cfg.shm_size = REGION;
	s->cfg.mbox = mb;
	s->cfg.tx_channel = role == AMP_RPMSG_ROLE_HOST ? 0 : 1;
	s->cfg.rx_channel = role == AMP_RPMSG_ROLE_HOST ? 1 : 0;
	s->ep.cfg.name = "cfg-test";
	s->ep.cfg.cb.bound = cb_bound;
	s->ep.cfg.cb.received = cb_received;
	s->ep.cfg.priv = &s->ep;
}

static uint8_t *region_new(void)
{
	uint8_t *r = aligned_alloc(4096, REGION);
	assert_non_null(r);
	memset(r, 0xa5, REGION);
	return r;
}

#ifdef RP_CONFIG_BOTH_ROLES

_Static_assert(!AMP_CONFIG_RPMSG_EVENT_IDX && !AMP_CONFIG_RPMSG_NOCOPY && !AMP_CONFIG_STATS &&
		       !AMP_CONFIG_RPMSG_RESTART && AMP_CONFIG_LOG_LEVEL < 0,
	       "built with the switches of tests/rpmsg/CMakeLists.txt");

static void test_event_idx_refused(void **state)
{
	(void)state;
	uint8_t *region = region_new();
	struct side *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	side_cfg(s, region, AMP_RPMSG_ROLE_REMOTE, NULL);
	s->cfg.event_idx = true;
	assert_int_equal(amp_rpmsg_init(&s->rp, &s->cfg, &s->inst), AMP_ENOTSUP);
	s->cfg.event_idx = false;
	assert_int_equal(amp_rpmsg_init(&s->rp, &s->cfg, &s->inst), 0);

	struct amp_vring vr;
	struct amp_vring_cfg vc = { .mem = region, .num = 4, .align = 16, .role = AMP_VRING_DRIVER,
				    .event_idx = true, .pool = region + 0x1000,
				    .pool_phys = PHYS + 0x1000, .pool_size = 0x1000 };
	assert_int_equal(amp_vring_init(&vr, &vc), AMP_ENOTSUP);
	vc.event_idx = false;
	assert_int_equal(amp_vring_init(&vr, &vc), 0);
	free(s);
	free(region);
}

static void pump(struct amp_mbox *a, struct amp_mbox *b)
{
	for (int i = 0; i < 50; i++) {
		if (amp_mbox_poll(a) + amp_mbox_poll(b) == 0) {
			break;
		}
	}
}

static void test_exchange_without_features(void **state)
{
	(void)state;
	uint8_t *region = region_new();
	struct amp_mbox mb_h, mb_r;
	struct amp_mbox_loopback lb;
	struct amp_mbox_loopback_cfg lbc = { .num_channels = 2, .a_tx_mask = 1, .b_tx_mask = 2,
					     .mode = AMP_MBOX_LOOPBACK_DEFERRED };
	assert_int_equal(amp_mbox_loopback_init(&lb, &mb_h, &mb_r, &lbc), 0);
	struct side *h = calloc(1, sizeof(*h)), *r = calloc(1, sizeof(*r));
	assert_non_null(h);
	assert_non_null(r);
	side_cfg(h, region, AMP_RPMSG_ROLE_HOST, &mb_h);
	side_cfg(r, region, AMP_RPMSG_ROLE_REMOTE, &mb_r);
	assert_int_equal(amp_rpmsg_init(&h->rp, &h->cfg, &h->inst), 0);
	assert_int_equal(amp_rpmsg_init(&r->rp, &r->cfg, &r->inst), 0);
	assert_int_equal(amp_ipc_open_instance(&h->inst), 0);
	assert_int_equal(amp_ipc_open_instance(&r->inst), 0);
	assert_int_equal(amp_ipc_register_endpoint(&r->inst, &r->ep.ept, &r->ep.cfg), 0);
	assert_int_equal(amp_ipc_register_endpoint(&h->inst, &h->ep.ept, &h->ep.cfg), 0);
	pump(&mb_h, &mb_r);
	assert_int_equal(h->ep.bound, 1);
	assert_int_equal(r->ep.bound, 1);

	/* Zero copy was compiled out: refused before the transport is asked. */
	void *buf = NULL;
	uint32_t size = 16;
	assert_int_equal(amp_ipc_get_tx_buffer(&h->ep.ept, &buf, &size, AMP_NO_WAIT), AMP_ENOTSUP);
	assert_int_equal(amp_ipc_send_nocopy(&h->ep.ept, region, 4), AMP_ENOTSUP);
	assert_int_equal(amp_ipc_drop_tx_buffer(&h->ep.ept, region), AMP_ENOTSUP);
	assert_int_equal(amp_ipc_release_rx_buffer(&h->ep.ept, region), AMP_ENOTSUP);

	/* Twice the buffers of a ring each way: recycling works. */
	const int rounds = 2 * (int)h->rp.layout.num_desc;
	for (int i = 0; i < rounds; i++) {
		uint8_t msg[64];
		size_t len = 1u + (size_t)(i * 7) % sizeof(msg);
		for (size_t k = 0; k < len; k++) {
			msg[k] = (uint8_t)(i + k * 3u);
		}
		assert_int_equal(amp_ipc_send(&h->ep.ept, msg, len), (int)len);
		pump(&mb_h, &mb_r);
		assert_int_equal(r->ep.rx, i + 1);
		assert_int_equal(r->ep.last_len, len);
		assert_memory_equal(r->ep.last, msg, len);
		msg[0] ^= 0xffu;
		assert_int_equal(amp_ipc_send(&r->ep.ept, msg, len), (int)len);
		pump(&mb_h, &mb_r);
		assert_int_equal(h->ep.rx, i + 1);
		assert_memory_equal(h->ep.last, msg, len);
	}

	/* No statistics: counters stay 0 except the two the transport needs. */
	struct amp_rpmsg_stats st;
	assert_int_equal(amp_rpmsg_get_stats(&h->rp, &st), 0);
	assert_int_equal(st.tx_msgs, 0);
	assert_int_equal(st.tx_no_buffer, 0);
	assert_int_equal(st.rx_msgs, rounds);
	assert_true(st.tx_notifies > 0);

	assert_int_equal(amp_ipc_deregister_endpoint(&r->ep.ept), 0);
	assert_int_equal(amp_ipc_deregister_endpoint(&h->ep.ept), 0);
	assert_int_equal(amp_ipc_close_instance(&r->inst), 0);
	assert_int_equal(amp_ipc_close_instance(&h->inst), 0);
	free(h);
	free(r);
	free(region);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_idx_refused),
		cmocka_unit_test(test_exchange_without_features),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#else /* remote only */

_Static_assert(!AMP_CONFIG_RPMSG_HOST && AMP_CONFIG_RPMSG_REMOTE,
	       "built with the switches of tests/rpmsg/CMakeLists.txt");

static void test_host_role_refused(void **state)
{
	(void)state;
	uint8_t *region = region_new();
	struct side *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	side_cfg(s, region, AMP_RPMSG_ROLE_HOST, NULL);
	assert_int_equal(amp_rpmsg_init(&s->rp, &s->cfg, &s->inst), AMP_ENOTSUP);
	/* An unknown role is still a plain configuration error. */
	s->cfg.role = (enum amp_rpmsg_role)7;
	assert_int_equal(amp_rpmsg_init(&s->rp, &s->cfg, &s->inst), AMP_EINVAL);

	struct amp_vring vr;
	struct amp_vring_cfg vc = { .mem = region, .num = 4, .align = 16, .role = AMP_VRING_DRIVER,
				    .pool = region + 0x1000, .pool_phys = PHYS + 0x1000,
				    .pool_size = 0x1000 };
	assert_int_equal(amp_vring_init(&vr, &vc), AMP_ENOTSUP);
	vc.role = AMP_VRING_DEVICE;
	assert_int_equal(amp_vring_init(&vr, &vc), 0);
	free(s);
	free(region);
}

static void test_remote_opens(void **state)
{
	(void)state;
	uint8_t *region = region_new();
	memset(region, 0, REGION); /* no host yet: status byte 0 */
	struct side *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	side_cfg(s, region, AMP_RPMSG_ROLE_REMOTE, NULL);
	assert_int_equal(amp_rpmsg_init(&s->rp, &s->cfg, &s->inst), 0);
	assert_int_equal(amp_ipc_open_instance(&s->inst), 0);
	assert_int_equal(amp_ipc_register_endpoint(&s->inst, &s->ep.ept, &s->ep.cfg), 0);
	assert_false(amp_rpmsg_link_up(&s->rp));
	assert_int_equal(amp_rpmsg_wait_link(&s->rp, AMP_NO_WAIT), AMP_ETIMEDOUT);
	assert_int_equal(amp_ipc_send(&s->ep.ept, "x", 1), AMP_EBUSY);
	assert_int_equal(amp_ipc_deregister_endpoint(&s->ep.ept), 0);
	assert_int_equal(amp_ipc_close_instance(&s->inst), 0);
	free(s);
	free(region);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_role_refused),
		cmocka_unit_test(test_remote_opens),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

#endif
