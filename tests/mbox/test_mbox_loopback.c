/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Generic mailbox layer and the loopback pair: the shared MBOX/IPM semantics
 * in immediate and deferred mode, plus what only the generic layer or only the
 * loopback can show (missing driver ops, no nesting, stepping by poll).
 */
#include "mbox_suite.h"

#include <amplink/errno.h>
#include <amplink/mbox_loopback.h>
#include <amplink/port.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

static struct amp_mbox_loopback lb;
static struct amp_mbox dev_a, dev_b;
static struct amp_mbox_loopback_cfg lb_cfg;

static int lb_open(struct amp_mbox **a, struct amp_mbox **b, int mtu, uint8_t ipm_mode,
		   enum amp_mbox_loopback_mode mode)
{
	memset(&lb_cfg, 0, sizeof(lb_cfg));
	lb_cfg.num_channels = 4;
	lb_cfg.a_tx_mask = 0x5;
	lb_cfg.b_tx_mask = 0xa;
	lb_cfg.mtu = mtu;
	lb_cfg.mode = mode;
	lb_cfg.ipm_mode = ipm_mode;
	lb_cfg.ipm_tx_channel_a = 0;
	lb_cfg.ipm_tx_channel_b = 1;
	*a = &dev_a;
	*b = &dev_b;
	return amp_mbox_loopback_init(&lb, &dev_a, &dev_b, &lb_cfg);
}

static int lb_open_immediate(struct amp_mbox **a, struct amp_mbox **b, int mtu, uint8_t ipm_mode)
{
	return lb_open(a, b, mtu, ipm_mode, AMP_MBOX_LOOPBACK_IMMEDIATE);
}

static int lb_open_deferred(struct amp_mbox **a, struct amp_mbox **b, int mtu, uint8_t ipm_mode)
{
	return lb_open(a, b, mtu, ipm_mode, AMP_MBOX_LOOPBACK_DEFERRED);
}

static void lb_close(void)
{
}

static void lb_settle_none(struct amp_mbox *rx)
{
	(void)rx;
}

static void lb_settle_poll(struct amp_mbox *rx)
{
	assert_true(amp_mbox_poll(rx) >= 0);
}

static const struct mbox_env env_immediate = {
	.name = "loopback-immediate",
	.open = lb_open_immediate,
	.close = lb_close,
	.settle = lb_settle_none,
	.async = false,
	.ipm_wait_completes = true,
};

static const struct mbox_env env_deferred = {
	.name = "loopback-deferred",
	.open = lb_open_deferred,
	.close = lb_close,
	.settle = lb_settle_poll,
	.async = false,
	.ipm_wait_completes = false,
};

/* ---- generic layer alone ------------------------------------------------- */

static int fake_send_calls;

static int fake_send(struct amp_mbox *mbox, uint32_t channel, const struct amp_mbox_msg *msg)
{
	(void)mbox;
	(void)channel;
	(void)msg;
	fake_send_calls++;
	return 0;
}

static void fake_device(struct amp_mbox *m, const struct amp_mbox_ops *ops, uint32_t rx_mask)
{
	memset(m, 0, sizeof(*m));
	m->ops = ops;
	m->name = "fake";
	m->num_channels = 2;
	m->tx_mask = 0x1;
	m->rx_mask = rx_mask;
	m->ipm_max_id = 1;
}

static void t_missing_ops(void **state)
{
	(void)state;
	static const struct amp_mbox_ops none = { 0 };
	static const struct amp_mbox_ops send_only = { .send = fake_send };
	struct amp_mbox m;
	fake_device(&m, &none, 0x2);
	assert_int_equal(amp_mbox_send(&m, 0, NULL), AMP_ENOSYS);
	assert_int_equal(amp_mbox_set_enabled(&m, 1, true), AMP_ENOSYS);
	assert_int_equal(amp_mbox_poll(&m), AMP_ENOTSUP);
	assert_int_equal(amp_ipm_set_enabled(&m, 1), AMP_ENOSYS);
	assert_int_equal(amp_ipm_send(&m, 0, 0, NULL, 0), AMP_ENOSYS);
	fake_device(&m, NULL, 0x2);
	assert_int_equal(amp_mbox_send(&m, 0, NULL), AMP_ENOSYS);
	/* Without tx_busy, IPM wait cannot wait: sent is all it knows. */
	fake_device(&m, &send_only, 0);
	fake_send_calls = 0;
	assert_int_equal(amp_ipm_send(&m, 1, 0, NULL, 0), 0);
	assert_int_equal(fake_send_calls, 1);
	/* No inbound channel at all. */
	assert_int_equal(amp_ipm_set_enabled(&m, 1), AMP_EINVAL);
	/* Validation happens before the driver is called. */
	assert_int_equal(amp_mbox_send(&m, 1, NULL), AMP_EINVAL);
	assert_int_equal(fake_send_calls, 1);
}

static void t_null_queries(void **state)
{
	(void)state;
	assert_int_equal(amp_mbox_poll(NULL), AMP_EINVAL);
	assert_int_equal(amp_ipm_max_data_size_get(NULL), AMP_EINVAL);
	assert_int_equal(amp_ipm_max_id_val_get(NULL), 0);
	assert_int_equal(amp_ipm_set_enabled(NULL, 1), AMP_EINVAL);
	assert_int_equal(amp_mbox_ready_mask(NULL), 0);
	assert_false(amp_mbox_dispatch(NULL, 0, NULL));
	amp_ipm_register_callback(NULL, NULL, NULL); /* must not crash */
}

static void t_init_rejects_bad_cfg(void **state)
{
	(void)state;
	struct amp_mbox a, b;
	struct amp_mbox_loopback_cfg c = { .num_channels = 4, .a_tx_mask = 1, .b_tx_mask = 2 };
	assert_int_equal(amp_mbox_loopback_init(NULL, &a, &b, &c), AMP_EINVAL);
	assert_int_equal(amp_mbox_loopback_init(&lb, &a, &a, &c), AMP_EINVAL);
	assert_int_equal(amp_mbox_loopback_init(&lb, &a, &b, NULL), AMP_EINVAL);
	c.num_channels = 0;
	assert_int_equal(amp_mbox_loopback_init(&lb, &a, &b, &c), AMP_EINVAL);
	c.num_channels = 33;
	assert_int_equal(amp_mbox_loopback_init(&lb, &a, &b, &c), AMP_EINVAL);
	c.num_channels = 1;
	assert_int_equal(amp_mbox_loopback_init(&lb, &a, &b, &c), AMP_EINVAL); /* mask bit 1 */
	c.num_channels = 4;
	c.mtu = AMP_MBOX_LOOPBACK_MTU_MAX + 1;
	assert_int_equal(amp_mbox_loopback_init(&lb, &a, &b, &c), AMP_EINVAL);
	c.mtu = 2;
	c.ipm_mode = AMP_MBOX_IPM_ID_IN_DATA; /* needs 4 bytes for the id */
	assert_int_equal(amp_mbox_loopback_init(&lb, &a, &b, &c), AMP_EINVAL);
	c.mtu = 8;
	c.ipm_tx_channel_a = 1; /* not outbound on A */
	assert_int_equal(amp_mbox_loopback_init(&lb, &a, &b, &c), AMP_EINVAL);
	c.ipm_tx_channel_a = 0;
	c.ipm_tx_channel_b = 1;
	c.mode = (enum amp_mbox_loopback_mode)7;
	assert_int_equal(amp_mbox_loopback_init(&lb, &a, &b, &c), AMP_EINVAL);
	c.mode = AMP_MBOX_LOOPBACK_DEFERRED;
	assert_int_equal(amp_mbox_loopback_init(&lb, &a, &b, &c), 0);
	/* Both directions on one channel number. */
	c.a_tx_mask = 3;
	c.b_tx_mask = 3;
	assert_int_equal(amp_mbox_loopback_init(&lb, &a, &b, &c), 0);
	assert_int_equal(a.rx_mask, 3);
}

/* ---- loopback specifics --------------------------------------------------- */

static int depth, max_depth, pingpong_left;
static struct amp_mbox *pp_a, *pp_b;

static void pp_cb(struct amp_mbox *mbox, uint32_t channel, void *user_data,
		  const struct amp_mbox_msg *msg)
{
	(void)channel;
	(void)user_data;
	(void)msg;
	depth++;
	if (depth > max_depth) {
		max_depth = depth;
	}
	assert_true(amp_port_in_isr());
	if (pingpong_left > 0) {
		pingpong_left--;
		/* Reply: A answers on 0, B answers on 1. */
		assert_int_equal(amp_mbox_send(mbox, mbox == pp_a ? 0 : 1, NULL), 0);
	}
	depth--;
}

static void t_immediate_does_not_nest(void **state)
{
	(void)state;
	assert_int_equal(lb_open_immediate(&pp_a, &pp_b, 0, 0), 0);
	assert_int_equal(amp_mbox_register_callback(pp_b, 0, pp_cb, NULL), 0);
	assert_int_equal(amp_mbox_register_callback(pp_a, 1, pp_cb, NULL), 0);
	assert_int_equal(amp_mbox_set_enabled(pp_b, 0, true), 0);
	assert_int_equal(amp_mbox_set_enabled(pp_a, 1, true), 0);
	depth = max_depth = 0;
	pingpong_left = 1000;
	assert_int_equal(amp_mbox_send(pp_a, 0, NULL), 0);
	/* 1000 replies ran inside the one send, one level deep. */
	assert_int_equal(pingpong_left, 0);
	assert_int_equal(max_depth, 1);
	assert_int_equal(lb.delivered[0] + lb.delivered[1], 1001);
	assert_false(amp_port_in_isr());
}

static void t_deferred_steps(void **state)
{
	(void)state;
	assert_int_equal(lb_open_deferred(&pp_a, &pp_b, 0, 0), 0);
	assert_int_equal(amp_mbox_register_callback(pp_b, 0, pp_cb, NULL), 0);
	assert_int_equal(amp_mbox_register_callback(pp_a, 1, pp_cb, NULL), 0);
	assert_int_equal(amp_mbox_set_enabled(pp_b, 0, true), 0);
	assert_int_equal(amp_mbox_set_enabled(pp_a, 1, true), 0);
	pingpong_left = 3;
	assert_int_equal(amp_mbox_send(pp_a, 0, NULL), 0);
	assert_int_equal(lb.delivered[1], 0); /* nothing until polled */
	assert_int_equal(amp_mbox_poll(pp_a), 0); /* nothing for A yet */
	assert_int_equal(amp_mbox_poll(pp_b), 1);
	assert_int_equal(amp_mbox_poll(pp_b), 0);
	assert_int_equal(amp_mbox_poll(pp_a), 1);
	assert_int_equal(amp_mbox_poll(pp_b), 1);
	assert_int_equal(amp_mbox_poll(pp_a), 1);
	assert_int_equal(pingpong_left, 0);
	assert_int_equal(amp_mbox_poll(pp_b), 0);
	assert_int_equal(amp_mbox_poll(pp_a), 0);
	assert_int_equal(lb.delivered[0], 2);
	assert_int_equal(lb.delivered[1], 2);
}

static void t_irq_lock_excludes_delivery(void **state)
{
	(void)state;
	/* Delivery in immediate mode is "an interrupt": it takes the port's
	 * interrupt lock, which the same thread may already hold (nesting). */
	assert_int_equal(lb_open_immediate(&pp_a, &pp_b, 0, 0), 0);
	assert_int_equal(amp_mbox_register_callback(pp_b, 0, pp_cb, NULL), 0);
	assert_int_equal(amp_mbox_set_enabled(pp_b, 0, true), 0);
	pingpong_left = 0;
	uint32_t key = amp_port_irq_lock();
	assert_int_equal(amp_mbox_send(pp_a, 0, NULL), 0);
	amp_port_irq_unlock(key);
	assert_int_equal(lb.delivered[1], 1);
}

int main(void)
{
	static const struct CMUnitTest generic[] = {
		cmocka_unit_test(t_missing_ops),
		cmocka_unit_test(t_null_queries),
		cmocka_unit_test(t_init_rejects_bad_cfg),
		cmocka_unit_test(t_immediate_does_not_nest),
		cmocka_unit_test(t_deferred_steps),
		cmocka_unit_test(t_irq_lock_excludes_delivery),
	};
	int failed = cmocka_run_group_tests_name("mbox generic + loopback", generic, NULL, NULL);
	size_t n;
	const struct CMUnitTest *suite = mbox_suite_tests(&n);
	mbox_env = &env_immediate;
	failed += _cmocka_run_group_tests(env_immediate.name, suite, n, NULL, NULL);
	mbox_env = &env_deferred;
	failed += _cmocka_run_group_tests(env_deferred.name, suite, n, NULL, NULL);
	return failed;
}
