/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The service semantics end to end over the loopback transport: binding by
 * name in either order, copying and zero-copy sends, held receive buffers,
 * deregistration and unbound, deferred delivery and ordering.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>
#include <cmocka.h>

#include <amplink/errno.h>
#include <amplink/ipc.h>
#include <amplink/loopback.h>
#include <amplink/port.h>

struct side {
	int bound;
	int unbound;
	int received;
	size_t last_len;
	uint8_t last[AMP_LOOPBACK_BUF_SIZE];
	const void *last_ptr;
	struct amp_ipc_ept *ept; /* for callbacks that act on their endpoint */
	int hold_next;           /* hold the next received buffer */
	int hold_ret;
	int echo;                /* send every message back */
	uint32_t seq_expect;
	int seq_errors;
};

static void on_bound(void *priv) { ((struct side *)priv)->bound++; }
static void on_unbound(void *priv) { ((struct side *)priv)->unbound++; }
static void on_received(const void *data, size_t len, void *priv)
{
	struct side *s = priv;
	s->received++;
	s->last_len = len;
	s->last_ptr = data;
	memcpy(s->last, data, len);
	if (len == 4) {
		uint32_t v;
		memcpy(&v, data, 4);
		if (v != s->seq_expect) {
			s->seq_errors++;
		}
		s->seq_expect = v + 1;
	}
	if (s->hold_next) {
		s->hold_next = 0;
		s->hold_ret = amp_ipc_hold_rx_buffer(s->ept, (void *)(uintptr_t)data);
	}
	if (s->echo) {
		assert_int_equal(amp_ipc_send(s->ept, data, len), (int)len);
	}
}

static struct amp_loopback lb_a, lb_b;
static struct side sa, sb;
static struct amp_ipc_ept ea, eb;
static struct amp_ipc_ept_cfg ca, cb;

static void make_cfg(struct amp_ipc_ept_cfg *c, const char *name, struct side *s)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->cb.bound = on_bound;
	c->cb.unbound = on_unbound;
	c->cb.received = on_received;
	c->priv = s;
}

static int setup_cfg(const struct amp_loopback_cfg *cfg_b)
{
	memset(&sa, 0, sizeof(sa));
	memset(&sb, 0, sizeof(sb));
	memset(&ea, 0, sizeof(ea));
	memset(&eb, 0, sizeof(eb));
	sa.ept = &ea;
	sb.ept = &eb;
	make_cfg(&ca, "ep0", &sa);
	make_cfg(&cb, "ep0", &sb);
	assert_int_equal(amp_loopback_init_pair(&lb_a, NULL, &lb_b, cfg_b), 0);
	assert_int_equal(amp_ipc_open_instance(amp_loopback_instance(&lb_a)), 0);
	assert_int_equal(amp_ipc_open_instance(&lb_b.inst), 0);
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return setup_cfg(NULL);
}

static void bind_both(void)
{
	assert_int_equal(amp_ipc_register_endpoint(&lb_a.inst, &ea, &ca), 0);
	assert_int_equal(amp_ipc_register_endpoint(&lb_b.inst, &eb, &cb), 0);
	assert_int_equal(sa.bound, 1);
	assert_int_equal(sb.bound, 1);
}

static void test_init_args(void **state)
{
	(void)state;
	assert_int_equal(amp_loopback_init_pair(NULL, NULL, &lb_b, NULL), AMP_EINVAL);
	assert_int_equal(amp_loopback_init_pair(&lb_a, NULL, &lb_a, NULL), AMP_EINVAL);
	assert_null(amp_loopback_instance(NULL));
	assert_int_equal(amp_loopback_process(NULL), AMP_EINVAL);
}

static void test_open_register_rules(void **state)
{
	(void)state;
	struct amp_loopback x, y;
	struct amp_ipc_ept e = { 0 };
	assert_int_equal(amp_loopback_init_pair(&x, NULL, &y, NULL), 0);
	assert_int_equal(amp_ipc_register_endpoint(&x.inst, &e, &ca), AMP_EBUSY); /* not open */
	assert_int_equal(amp_ipc_close_instance(&x.inst), AMP_EALREADY);
	assert_int_equal(amp_ipc_open_instance(&x.inst), 0);
	assert_int_equal(amp_ipc_open_instance(&x.inst), AMP_EALREADY);

	struct amp_ipc_ept_cfg bad = ca;
	bad.name = "";
	assert_int_equal(amp_ipc_register_endpoint(&x.inst, &e, &bad), AMP_EINVAL);
	bad.name = NULL;
	assert_int_equal(amp_ipc_register_endpoint(&x.inst, &e, &bad), AMP_EINVAL);
	bad.name = "a-name-that-is-much-longer-than-31-chars";
	assert_int_equal(amp_ipc_register_endpoint(&x.inst, &e, &bad), AMP_EINVAL);
	assert_null(e.instance);

	assert_int_equal(amp_ipc_register_endpoint(&x.inst, &e, &ca), 0);
	assert_int_equal(amp_ipc_register_endpoint(&x.inst, &e, &ca), AMP_EALREADY);
	assert_ptr_equal(e.instance, &x.inst);
	struct amp_ipc_ept e2 = { 0 };
	struct amp_ipc_ept_cfg dup = ca;
	assert_int_equal(amp_ipc_register_endpoint(&x.inst, &e2, &dup), AMP_EEXIST);

	/* Slots run out. */
	static struct amp_ipc_ept more[AMP_LOOPBACK_MAX_EPTS];
	static struct amp_ipc_ept_cfg mcfg[AMP_LOOPBACK_MAX_EPTS];
	static char names[AMP_LOOPBACK_MAX_EPTS][8];
	int ok = 0, nomem = 0;
	for (int i = 0; i < AMP_LOOPBACK_MAX_EPTS; i++) {
		names[i][0] = 'n';
		names[i][1] = (char)('0' + i);
		mcfg[i] = ca;
		mcfg[i].name = names[i];
		int r = amp_ipc_register_endpoint(&x.inst, &more[i], &mcfg[i]);
		if (r == 0) {
			ok++;
		} else {
			assert_int_equal(r, AMP_ENOMEM);
			nomem++;
		}
	}
	assert_int_equal(ok, AMP_LOOPBACK_MAX_EPTS - 1);
	assert_int_equal(nomem, 1);
	assert_int_equal(amp_ipc_close_instance(&x.inst), AMP_EBUSY);
	for (int i = 0; i < AMP_LOOPBACK_MAX_EPTS - 1; i++) {
		assert_int_equal(amp_ipc_deregister_endpoint(&more[i]), 0);
	}
	assert_int_equal(amp_ipc_deregister_endpoint(&e), 0);
	assert_int_equal(amp_ipc_close_instance(&x.inst), 0);
}

static void test_bind_either_order(void **state)
{
	(void)state;
	/* B first, then A. */
	assert_int_equal(amp_ipc_register_endpoint(&lb_b.inst, &eb, &cb), 0);
	assert_int_equal(sb.bound, 0);
	assert_int_equal(amp_ipc_send(&eb, "x", 1), AMP_EBUSY);
	assert_int_equal(amp_ipc_register_endpoint(&lb_a.inst, &ea, &ca), 0);
	assert_int_equal(sa.bound, 1);
	assert_int_equal(sb.bound, 1);
	assert_int_equal(amp_ipc_send(&ea, "hello", 5), 5);
	assert_int_equal(sb.received, 1);
	assert_memory_equal(sb.last, "hello", 5);
	assert_int_equal(amp_ipc_send(&eb, "hi", 2), 2);
	assert_int_equal(sa.received, 1);
	assert_int_equal(sa.last_len, 2);
}

static void test_multiple_endpoints(void **state)
{
	(void)state;
	struct side s1 = { 0 }, s2 = { 0 };
	struct amp_ipc_ept e1 = { 0 }, e2 = { 0 };
	struct amp_ipc_ept_cfg c1, c2;
	make_cfg(&c1, "ep1", &s1);
	make_cfg(&c2, "ep1", &s2);
	bind_both();
	assert_int_equal(amp_ipc_register_endpoint(&lb_a.inst, &e1, &c1), 0);
	assert_int_equal(s1.bound, 0); /* no partner named ep1 yet */
	assert_int_equal(amp_ipc_register_endpoint(&lb_b.inst, &e2, &c2), 0);
	assert_int_equal(s1.bound, 1);
	assert_int_equal(s2.bound, 1);
	assert_int_equal(amp_ipc_send(&e1, "one", 3), 3);
	assert_int_equal(amp_ipc_send(&ea, "zero", 4), 4);
	assert_int_equal(s2.received, 1);
	assert_int_equal(sb.received, 1);
	assert_memory_equal(s2.last, "one", 3);
	assert_memory_equal(sb.last, "zero", 4);
	assert_int_equal(amp_ipc_get_tx_buffer_size(&e1), AMP_LOOPBACK_BUF_SIZE);
}

static void test_send_limits(void **state)
{
	(void)state;
	static uint8_t big[AMP_LOOPBACK_BUF_SIZE + 1];
	bind_both();
	assert_int_equal(amp_ipc_send(&ea, big, 0), AMP_ENODATA);
	assert_int_equal(amp_ipc_send(&ea, big, sizeof(big)), AMP_EMSGSIZE);
	assert_int_equal(amp_ipc_send(&ea, big, sizeof(big) - 1), (int)sizeof(big) - 1);
	assert_int_equal(sb.received, 1);
}

static void test_deregister_unbinds(void **state)
{
	(void)state;
	bind_both();
	assert_int_equal(amp_ipc_deregister_endpoint(&eb), 0);
	assert_int_equal(sa.unbound, 1);
	assert_int_equal(sb.unbound, 0);
	assert_int_equal(amp_ipc_send(&eb, "x", 1), AMP_ENOENT);
	assert_int_equal(amp_ipc_send(&ea, "x", 1), AMP_EBUSY);
	/* Register again: bound again. */
	assert_int_equal(amp_ipc_register_endpoint(&lb_b.inst, &eb, &cb), 0);
	assert_int_equal(sa.bound, 2);
	assert_int_equal(sb.bound, 2);
	assert_int_equal(amp_ipc_send(&ea, "x", 1), 1);
	assert_int_equal(sb.received, 1);
}

static void test_nocopy(void **state)
{
	(void)state;
	void *buf[AMP_LOOPBACK_NUM_BUFS + 1];
	uint32_t size = 0;
	bind_both();

	size = AMP_LOOPBACK_BUF_SIZE + 1;
	assert_int_equal(amp_ipc_get_tx_buffer(&ea, &buf[0], &size, AMP_NO_WAIT), AMP_ENOMEM);
	assert_int_equal(size, AMP_LOOPBACK_BUF_SIZE);

	size = 0;
	assert_int_equal(amp_ipc_get_tx_buffer(&ea, &buf[0], &size, AMP_NO_WAIT), 0);
	assert_int_equal(size, AMP_LOOPBACK_BUF_SIZE);
	memcpy(buf[0], "zero-copy", 9);
	assert_int_equal(amp_ipc_send_nocopy(&ea, buf[0], 9), 9);
	assert_int_equal(sb.received, 1);
	assert_memory_equal(sb.last, "zero-copy", 9);
	assert_ptr_equal(sb.last_ptr, buf[0]); /* the receiver saw the very same buffer */
	/* Sent: it is no longer ours to send or drop. */
	assert_int_equal(amp_ipc_send_nocopy(&ea, buf[0], 9), AMP_ENXIO);
	assert_int_equal(amp_ipc_drop_tx_buffer(&ea, buf[0]), AMP_EALREADY);

	/* Drop, then the second drop says EALREADY (Zephyr's API test). */
	size = 16;
	assert_int_equal(amp_ipc_get_tx_buffer(&ea, &buf[0], &size, AMP_NO_WAIT), 0);
	assert_int_equal(amp_ipc_drop_tx_buffer(&ea, buf[0]), 0);
	assert_int_equal(amp_ipc_drop_tx_buffer(&ea, buf[0]), AMP_EALREADY);
	assert_int_equal(amp_ipc_drop_tx_buffer(&ea, "not ours"), AMP_ENXIO);
	assert_int_equal(amp_ipc_send_nocopy(&ea, "not ours", 3), AMP_ENXIO);
	/* B cannot send A's buffer. */
	assert_int_equal(amp_ipc_get_tx_buffer(&ea, &buf[0], &size, AMP_NO_WAIT), 0);
	assert_int_equal(amp_ipc_send_nocopy(&eb, buf[0], 3), AMP_ENXIO);
	assert_int_equal(amp_ipc_send_nocopy(&ea, buf[0], AMP_LOOPBACK_BUF_SIZE + 1), AMP_EINVAL);
	assert_int_equal(amp_ipc_drop_tx_buffer(&ea, buf[0]), 0);

	/* Exhaust the pool. */
	int n = 0;
	for (;;) {
		size = 0;
		int r = amp_ipc_get_tx_buffer(&ea, &buf[n], &size, AMP_NO_WAIT);
		if (r != 0) {
			assert_int_equal(r, AMP_ENOBUFS);
			break;
		}
		n++;
		assert_true(n <= AMP_LOOPBACK_NUM_BUFS);
	}
	assert_int_equal(n, AMP_LOOPBACK_NUM_BUFS);
	assert_int_equal(amp_ipc_send(&ea, "x", 1), AMP_ENOMEM);
	uint64_t t0 = amp_port_now_ns();
	assert_int_equal(amp_ipc_get_tx_buffer(&ea, &buf[n], &size, AMP_USEC(2000)), AMP_ETIMEDOUT);
	assert_true(amp_port_now_ns() - t0 >= 2000000u);
	for (int i = 0; i < n; i++) {
		assert_int_equal(amp_ipc_drop_tx_buffer(&ea, buf[i]), 0);
	}
	assert_int_equal(amp_ipc_send(&ea, "x", 1), 1);
}

static void *release_later(void *arg)
{
	void **held = arg;
	amp_port_sleep_us(2000);
	assert_int_equal(amp_ipc_release_rx_buffer(&eb, *held), 0);
	return NULL;
}

static void test_hold_release(void **state)
{
	(void)state;
	bind_both();
	sb.hold_next = 1;
	assert_int_equal(amp_ipc_send(&ea, "held", 4), 4);
	assert_int_equal(sb.hold_ret, 0);
	void *held = (void *)(uintptr_t)sb.last_ptr;
	/* Held after the callback: content stays valid. */
	assert_memory_equal(held, "held", 4);
	assert_int_equal(amp_ipc_hold_rx_buffer(&ea, held), AMP_ENXIO); /* not A's rx buffer */
	assert_int_equal(amp_ipc_release_rx_buffer(&ea, held), AMP_ENXIO);
	assert_int_equal(amp_ipc_release_rx_buffer(&eb, "nope"), AMP_ENXIO);

	/* Fill the rest of A's pool with held buffers, then a timed get waits
	 * for a release from another thread. */
	for (int i = 1; i < AMP_LOOPBACK_NUM_BUFS; i++) {
		sb.hold_next = 1;
		assert_int_equal(amp_ipc_send(&ea, "held", 4), 4);
		assert_int_equal(sb.hold_ret, 0);
	}
	void *d;
	uint32_t size = 0;
	assert_int_equal(amp_ipc_get_tx_buffer(&ea, &d, &size, AMP_NO_WAIT), AMP_ENOBUFS);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, release_later, &held), 0);
	assert_int_equal(amp_ipc_get_tx_buffer(&ea, &d, &size, AMP_MSEC(2000)), 0);
	assert_ptr_equal(d, held);
	pthread_join(th, NULL);
	assert_int_equal(amp_ipc_release_rx_buffer(&eb, held), AMP_EALREADY);
	assert_int_equal(amp_ipc_drop_tx_buffer(&ea, d), 0);
	/* Deregistering B gives its held buffers back. */
	assert_int_equal(amp_ipc_deregister_endpoint(&eb), 0);
	assert_int_equal(amp_ipc_register_endpoint(&lb_b.inst, &eb, &cb), 0);
	for (int i = 0; i < AMP_LOOPBACK_NUM_BUFS; i++) {
		size = 0;
		assert_int_equal(amp_ipc_get_tx_buffer(&ea, &d, &size, AMP_NO_WAIT), 0);
	}
}

static void test_deferred_order(void **state)
{
	(void)state;
	static const struct amp_loopback_cfg deferred = { .name = "b", .deferred = true };
	setup_cfg(&deferred);
	bind_both();
	for (uint32_t i = 0; i < AMP_LOOPBACK_NUM_BUFS; i++) {
		assert_int_equal(amp_ipc_send(&ea, &i, 4), 4);
	}
	assert_int_equal(amp_ipc_send(&ea, "x", 1), AMP_ENOMEM); /* all queued */
	assert_int_equal(sb.received, 0);
	assert_int_equal(amp_loopback_process(&lb_b), AMP_LOOPBACK_NUM_BUFS);
	assert_int_equal(sb.received, AMP_LOOPBACK_NUM_BUFS);
	assert_int_equal(sb.seq_errors, 0);
	assert_int_equal(amp_loopback_process(&lb_b), 0);
}

static void test_ping_pong_bounded_recursion(void **state)
{
	(void)state;
	bind_both();
	/* Both echo: each message bounces; stop after a while by turning echo off
	 * from the counting side. Recursion must not grow with the bounce count. */
	sb.echo = 1;
	sa.echo = 0;
	for (uint32_t i = 0; i < 1000; i++) {
		assert_int_equal(amp_ipc_send(&ea, &i, 4), 4);
	}
	assert_int_equal(sb.received, 1000);
	assert_int_equal(sa.received, 1000);
	assert_int_equal(sa.seq_errors, 0);
	assert_int_equal(sb.seq_errors, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_args),
		cmocka_unit_test_setup(test_open_register_rules, setup),
		cmocka_unit_test_setup(test_bind_either_order, setup),
		cmocka_unit_test_setup(test_multiple_endpoints, setup),
		cmocka_unit_test_setup(test_send_limits, setup),
		cmocka_unit_test_setup(test_deregister_unbinds, setup),
		cmocka_unit_test_setup(test_nocopy, setup),
		cmocka_unit_test_setup(test_hold_release, setup),
		cmocka_unit_test(test_deferred_order),
		cmocka_unit_test_setup(test_ping_pong_bounded_recursion, setup),
	};
	return cmocka_run_group_tests_name("loopback", tests, NULL, NULL);
}
