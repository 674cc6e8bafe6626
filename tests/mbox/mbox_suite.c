/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The MBOX/IPM semantics every driver must show (see mbox_suite.h).
 */
#include "mbox_suite.h"

#include <amplink/errno.h>
#include <amplink/port.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

const struct mbox_env *mbox_env;

/* What the callbacks saw. Written by the delivering context, read by the test
 * after `count` (acquire). */
struct rec {
	int count;
	int not_in_isr;
	uint32_t channel;
	uint32_t id;
	int had_msg;
	size_t size;
	uint8_t data[64];
	struct amp_mbox *dev;
	/* reply: send this back on reply_channel from the callback */
	struct amp_mbox *reply_dev;
	uint32_t reply_channel;
	int reply_left;
	int reply_err;
};

static struct rec rec_b;
static struct rec rec_a;
static struct amp_mbox *A;
static struct amp_mbox *B;

static int rec_count(const struct rec *r)
{
	return __atomic_load_n(&r->count, __ATOMIC_ACQUIRE);
}

static void on_msg(struct amp_mbox *mbox, uint32_t channel, void *user_data,
		   const struct amp_mbox_msg *msg)
{
	struct rec *r = user_data;
	if (!amp_port_in_isr()) {
		r->not_in_isr++;
	}
	r->dev = mbox;
	r->channel = channel;
	r->had_msg = msg != NULL;
	r->size = 0;
	if (msg != NULL && msg->size <= sizeof(r->data)) {
		r->size = msg->size;
		memcpy(r->data, msg->data, msg->size);
	}
	if (r->reply_left > 0) {
		r->reply_left--;
		int err = amp_mbox_send(r->reply_dev, r->reply_channel, NULL);
		if (err != 0) {
			r->reply_err = err;
		}
	}
	__atomic_fetch_add(&r->count, 1, __ATOMIC_RELEASE);
}

static void on_ipm(struct amp_mbox *mbox, void *user_data, uint32_t id, volatile void *data)
{
	struct rec *r = user_data;
	if (!amp_port_in_isr()) {
		r->not_in_isr++;
	}
	r->dev = mbox;
	r->id = id;
	r->had_msg = data != NULL;
	if (data != NULL) {
		memcpy(r->data, (const void *)(uintptr_t)data, 4);
	}
	__atomic_fetch_add(&r->count, 1, __ATOMIC_RELEASE);
}

/* Wait (bounded) until @p r has seen @p n callbacks, then check that no more
 * arrive. */
static void expect_count(struct amp_mbox *rx, struct rec *r, int n)
{
	uint64_t start = amp_port_now_ns();
	while (rec_count(r) < n && amp_port_now_ns() - start < 3000000000ull) {
		mbox_env->settle(rx);
		if (rec_count(r) < n) {
			amp_port_sleep_us(100);
		}
	}
	if (mbox_env->async) {
		amp_port_sleep_us(10000);
	}
	mbox_env->settle(rx);
	assert_int_equal(rec_count(r), n);
}

static int open_pair(void **state, int mtu, uint8_t ipm_mode)
{
	(void)state;
	memset(&rec_a, 0, sizeof(rec_a));
	memset(&rec_b, 0, sizeof(rec_b));
	int ret = mbox_env->open(&A, &B, mtu, ipm_mode);
	return ret == 0 ? 0 : -1;
}

static int setup_signal(void **state)
{
	return open_pair(state, 0, AMP_MBOX_IPM_ID_IS_CHANNEL);
}

static int setup_data(void **state)
{
	return open_pair(state, 16, AMP_MBOX_IPM_ID_IS_CHANNEL);
}

static int setup_ipm_data(void **state)
{
	return open_pair(state, 16, AMP_MBOX_IPM_ID_IN_DATA);
}

static int teardown(void **state)
{
	(void)state;
	mbox_env->close();
	return 0;
}

/* ---- validation --------------------------------------------------------- */

static void t_invalid_args(void **state)
{
	(void)state;
	assert_int_equal(amp_mbox_send(NULL, 0, NULL), AMP_EINVAL);
	assert_int_equal(amp_mbox_send(A, 4, NULL), AMP_EINVAL);   /* out of range */
	assert_int_equal(amp_mbox_send(A, 31, NULL), AMP_EINVAL);
	assert_int_equal(amp_mbox_send(A, 32, NULL), AMP_EINVAL);
	assert_int_equal(amp_mbox_send(A, UINT32_MAX, NULL), AMP_EINVAL);
	assert_int_equal(amp_mbox_send(A, 1, NULL), AMP_EINVAL);   /* inbound on A */
	assert_int_equal(amp_mbox_send(B, 0, NULL), AMP_EINVAL);   /* inbound on B */
	assert_int_equal(amp_mbox_register_callback(NULL, 0, on_msg, NULL), AMP_EINVAL);
	assert_int_equal(amp_mbox_register_callback(B, 1, on_msg, NULL), AMP_EINVAL); /* outbound */
	assert_int_equal(amp_mbox_register_callback(B, 4, on_msg, NULL), AMP_EINVAL);
	assert_int_equal(amp_mbox_set_enabled(NULL, 0, true), AMP_EINVAL);
	assert_int_equal(amp_mbox_set_enabled(B, 1, true), AMP_EINVAL);
	assert_int_equal(amp_mbox_set_enabled(B, 4, true), AMP_EINVAL);
	assert_int_equal(amp_mbox_mtu(NULL), AMP_EINVAL);
	assert_int_equal(amp_mbox_mtu(A), 0);
	assert_int_equal(amp_mbox_max_channels(A), 4);
	assert_int_equal(amp_mbox_max_channels(NULL), 0);
	assert_int_equal(amp_mbox_send(A, 0, NULL), 0);
	assert_int_equal(amp_mbox_send(A, 2, NULL), 0);
}

static void t_emsgsize_signalling(void **state)
{
	(void)state;
	uint8_t byte = 1;
	struct amp_mbox_msg one = { .data = &byte, .size = 1 };
	struct amp_mbox_msg none = { .data = NULL, .size = 0 };
	struct amp_mbox_msg bad = { .data = NULL, .size = 1 };
	assert_int_equal(amp_mbox_send(A, 0, &one), AMP_EMSGSIZE);
	assert_int_equal(amp_mbox_send(A, 0, &bad), AMP_EINVAL);
	assert_int_equal(amp_mbox_register_callback(B, 0, on_msg, &rec_b), 0);
	assert_int_equal(amp_mbox_set_enabled(B, 0, true), 0);
	/* An empty message on a signalling device is a plain signal. */
	assert_int_equal(amp_mbox_send(A, 0, &none), 0);
	expect_count(B, &rec_b, 1);
	assert_false(rec_b.had_msg);
}

static void t_emsgsize_data(void **state)
{
	(void)state;
	uint8_t buf[17] = { 0 };
	struct amp_mbox_msg big = { .data = buf, .size = 17 };
	assert_int_equal(amp_mbox_mtu(A), 16);
	assert_int_equal(amp_mbox_send(A, 0, &big), AMP_EMSGSIZE);
	big.size = 16;
	assert_int_equal(amp_mbox_send(A, 0, &big), 0);
}

static void t_ealready(void **state)
{
	(void)state;
	assert_int_equal(amp_mbox_set_enabled(B, 0, false), AMP_EALREADY);
	assert_int_equal(amp_mbox_set_enabled(B, 0, true), 0);
	assert_int_equal(amp_mbox_set_enabled(B, 0, true), AMP_EALREADY);
	assert_int_equal(amp_mbox_set_enabled(B, 0, false), 0);
	assert_int_equal(amp_mbox_set_enabled(B, 0, false), AMP_EALREADY);
}

/* ---- delivery ------------------------------------------------------------ */

static void t_disabled_then_enabled(void **state)
{
	(void)state;
	assert_int_equal(amp_mbox_register_callback(B, 2, on_msg, &rec_b), 0);
	assert_int_equal(amp_mbox_send(A, 2, NULL), 0);
	expect_count(B, &rec_b, 0);
	assert_int_equal(amp_mbox_set_enabled(B, 2, true), 0);
	expect_count(B, &rec_b, 1);
	assert_int_equal(rec_b.channel, 2);
	assert_ptr_equal(rec_b.dev, B);
	/* Enabled: the next one arrives on its own. */
	assert_int_equal(amp_mbox_send(A, 2, NULL), 0);
	expect_count(B, &rec_b, 2);
	/* Disabled again: held back again. */
	assert_int_equal(amp_mbox_set_enabled(B, 2, false), 0);
	assert_int_equal(amp_mbox_send(A, 2, NULL), 0);
	expect_count(B, &rec_b, 2);
	assert_int_equal(amp_mbox_set_enabled(B, 2, true), 0);
	expect_count(B, &rec_b, 3);
}

static void t_coalesce(void **state)
{
	(void)state;
	assert_int_equal(amp_mbox_register_callback(B, 0, on_msg, &rec_b), 0);
	for (int i = 0; i < 5; i++) {
		assert_int_equal(amp_mbox_send(A, 0, NULL), 0);
	}
	assert_int_equal(amp_mbox_set_enabled(B, 0, true), 0);
	expect_count(B, &rec_b, 1); /* five rings while disabled: one interrupt */
}

static void t_callback_in_isr(void **state)
{
	(void)state;
	assert_int_equal(amp_mbox_register_callback(B, 0, on_msg, &rec_b), 0);
	assert_int_equal(amp_mbox_register_callback(A, 1, on_msg, &rec_a), 0);
	assert_int_equal(amp_mbox_set_enabled(B, 0, true), 0);
	assert_int_equal(amp_mbox_set_enabled(A, 1, true), 0);
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(amp_mbox_send(A, 0, NULL), 0);
		expect_count(B, &rec_b, i);
		assert_int_equal(amp_mbox_send(B, 1, NULL), 0);
		expect_count(A, &rec_a, i);
	}
	assert_int_equal(rec_b.not_in_isr, 0);
	assert_int_equal(rec_a.not_in_isr, 0);
	assert_false(amp_port_in_isr());
}

static void t_reply_from_callback(void **state)
{
	(void)state;
	/* B answers every ring on channel 1, from its callback (ISR context). */
	rec_b.reply_dev = B;
	rec_b.reply_channel = 1;
	rec_b.reply_left = 3;
	assert_int_equal(amp_mbox_register_callback(B, 0, on_msg, &rec_b), 0);
	assert_int_equal(amp_mbox_register_callback(A, 1, on_msg, &rec_a), 0);
	assert_int_equal(amp_mbox_set_enabled(B, 0, true), 0);
	assert_int_equal(amp_mbox_set_enabled(A, 1, true), 0);
	for (int i = 1; i <= 3; i++) {
		assert_int_equal(amp_mbox_send(A, 0, NULL), 0);
		expect_count(B, &rec_b, i);
		expect_count(A, &rec_a, i);
	}
	assert_int_equal(rec_b.reply_err, 0);
}

static void t_unregistered_kept_pending(void **state)
{
	(void)state;
	assert_int_equal(amp_mbox_set_enabled(B, 0, true), 0);
	assert_int_equal(amp_mbox_send(A, 0, NULL), 0);
	expect_count(B, &rec_b, 0); /* enabled but nobody to call */
	assert_int_equal(amp_mbox_register_callback(B, 0, on_msg, &rec_b), 0);
	expect_count(B, &rec_b, 1);
	assert_int_equal(amp_mbox_register_callback(B, 0, NULL, NULL), 0);
	assert_int_equal(amp_mbox_send(A, 0, NULL), 0);
	expect_count(B, &rec_b, 1);
	assert_int_equal(amp_mbox_register_callback(B, 0, on_msg, &rec_b), 0);
	expect_count(B, &rec_b, 2);
}

static void t_data_and_ebusy(void **state)
{
	(void)state;
	uint8_t m1[16], m2[3] = { 7, 8, 9 };
	for (int i = 0; i < 16; i++) {
		m1[i] = (uint8_t)(0xa0 + i);
	}
	struct amp_mbox_msg msg1 = { .data = m1, .size = sizeof(m1) };
	struct amp_mbox_msg msg2 = { .data = m2, .size = sizeof(m2) };
	assert_int_equal(amp_mbox_register_callback(B, 0, on_msg, &rec_b), 0);
	assert_int_equal(amp_mbox_send(A, 0, &msg1), 0);
	/* Not taken yet (B disabled): the slot is full. */
	assert_int_equal(amp_mbox_send(A, 0, &msg2), AMP_EBUSY);
	/* A signal without data coalesces and is fine. */
	assert_int_equal(amp_mbox_send(A, 0, NULL), 0);
	/* Another channel has its own slot. */
	assert_int_equal(amp_mbox_send(A, 2, &msg2), 0);
	assert_int_equal(amp_mbox_set_enabled(B, 0, true), 0);
	expect_count(B, &rec_b, 1);
	assert_true(rec_b.had_msg);
	assert_int_equal(rec_b.size, 16);
	assert_memory_equal(rec_b.data, m1, 16);
	/* Taken: the slot is free again. */
	assert_int_equal(amp_mbox_send(A, 0, &msg2), 0);
	expect_count(B, &rec_b, 2);
	assert_int_equal(rec_b.size, 3);
	assert_memory_equal(rec_b.data, m2, 3);
	/* Zero-length data message, and a bare signal in data mode. */
	struct amp_mbox_msg empty = { .data = NULL, .size = 0 };
	assert_int_equal(amp_mbox_send(A, 0, &empty), 0);
	expect_count(B, &rec_b, 3);
	assert_true(rec_b.had_msg);
	assert_int_equal(rec_b.size, 0);
	assert_int_equal(amp_mbox_send(A, 0, NULL), 0);
	expect_count(B, &rec_b, 4);
	assert_false(rec_b.had_msg);
}

/* ---- IPM ------------------------------------------------------------------ */

static void t_ipm_id_in_data(void **state)
{
	(void)state;
	assert_int_equal(amp_ipm_max_id_val_get(A), 0xffffffffu);
	assert_int_equal(amp_ipm_max_data_size_get(A), 12);
	amp_ipm_register_callback(B, on_ipm, &rec_b);
	assert_int_equal(amp_ipm_set_enabled(B, 1), 0);
	assert_int_equal(amp_ipm_set_enabled(B, 1), 0); /* no EALREADY for IPM */
	/* The seed's "send a 32-bit value to the remote core". */
	assert_int_equal(amp_ipm_send(A, 0, 0x12345678, NULL, 0), 0);
	expect_count(B, &rec_b, 1);
	assert_int_equal(rec_b.id, 0x12345678);
	assert_false(rec_b.had_msg);
	assert_int_equal(rec_b.not_in_isr, 0);
	uint8_t payload[4] = { 1, 2, 3, 4 };
	assert_int_equal(amp_ipm_send(A, 0, 0xdeadbeef, payload, 4), 0);
	expect_count(B, &rec_b, 2);
	assert_int_equal(rec_b.id, 0xdeadbeef);
	assert_true(rec_b.had_msg);
	assert_memory_equal(rec_b.data, payload, 4);
	/* The other direction: B's IPM channel is 1. */
	amp_ipm_register_callback(A, on_ipm, &rec_a);
	assert_int_equal(amp_ipm_set_enabled(A, 1), 0);
	assert_int_equal(amp_ipm_send(B, 0, 42, NULL, 0), 0);
	expect_count(A, &rec_a, 1);
	assert_int_equal(rec_a.id, 42);
}

static void t_ipm_errors(void **state)
{
	(void)state;
	uint8_t big[13] = { 0 };
	assert_int_equal(amp_ipm_send(NULL, 0, 1, NULL, 0), AMP_EINVAL);
	assert_int_equal(amp_ipm_send(A, 0, 1, big, 13), AMP_EMSGSIZE);
	assert_int_equal(amp_ipm_send(A, 0, 1, big, -1), AMP_EINVAL);
	assert_int_equal(amp_ipm_send(A, 0, 1, NULL, 2), AMP_EINVAL);
	assert_int_equal(amp_ipm_send(A, 0, 1, big, 12), 0);
	/* B has not taken it (not enabled): Zephyr's -EBUSY. */
	assert_int_equal(amp_ipm_send(A, 0, 2, NULL, 0), AMP_EBUSY);
	amp_ipm_register_callback(B, on_ipm, &rec_b);
	assert_int_equal(amp_ipm_set_enabled(B, 1), 0);
	expect_count(B, &rec_b, 1);
	assert_int_equal(rec_b.id, 1);
	assert_int_equal(amp_ipm_send(A, 0, 2, NULL, 0), 0);
	expect_count(B, &rec_b, 2);
	assert_int_equal(rec_b.id, 2);
	/* Disable stops delivery again. */
	assert_int_equal(amp_ipm_set_enabled(B, 0), 0);
	assert_int_equal(amp_ipm_send(A, 0, 3, NULL, 0), 0);
	expect_count(B, &rec_b, 2);
	assert_int_equal(amp_ipm_set_enabled(B, 1), 0);
	expect_count(B, &rec_b, 3);
	assert_int_equal(rec_b.id, 3);
}

static void t_ipm_wait(void **state)
{
	(void)state;
	amp_ipm_register_callback(B, on_ipm, &rec_b);
	assert_int_equal(amp_ipm_set_enabled(B, 1), 0);
	int ret = amp_ipm_send(A, 1, 0x12345678, NULL, 0);
	if (mbox_env->ipm_wait_completes) {
		assert_int_equal(ret, 0);
		/* "Taken" means the handler ran. */
		assert_int_equal(rec_count(&rec_b), 1);
		assert_int_equal(rec_b.id, 0x12345678);
	} else {
		assert_int_equal(ret, AMP_ETIMEDOUT);
		expect_count(B, &rec_b, 1);
	}
}

static void t_ipm_id_is_channel(void **state)
{
	(void)state;
	assert_int_equal(amp_ipm_max_id_val_get(A), 3);
	assert_int_equal(amp_ipm_max_data_size_get(A), 16);
	assert_int_equal(amp_ipm_send(A, 0, 4, NULL, 0), AMP_EINVAL);  /* > max id */
	assert_int_equal(amp_ipm_send(A, 0, 1, NULL, 0), AMP_EINVAL);  /* inbound on A */
	amp_ipm_register_callback(B, on_ipm, &rec_b);
	assert_int_equal(amp_ipm_set_enabled(B, 1), 0);
	assert_int_equal(amp_ipm_send(A, 0, 2, NULL, 0), 0);
	expect_count(B, &rec_b, 1);
	assert_int_equal(rec_b.id, 2);
	assert_false(rec_b.had_msg);
	uint8_t d[4] = { 9, 8, 7, 6 };
	assert_int_equal(amp_ipm_send(A, 0, 0, d, 4), 0);
	expect_count(B, &rec_b, 2);
	assert_int_equal(rec_b.id, 0);
	assert_true(rec_b.had_msg);
	assert_memory_equal(rec_b.data, d, 4);
}

static void t_mbox_cb_takes_precedence(void **state)
{
	(void)state;
	struct rec ipm_rec;
	memset(&ipm_rec, 0, sizeof(ipm_rec));
	amp_ipm_register_callback(B, on_ipm, &ipm_rec);
	assert_int_equal(amp_mbox_register_callback(B, 2, on_msg, &rec_b), 0);
	assert_int_equal(amp_ipm_set_enabled(B, 1), 0);
	uint8_t d[4] = { 0x78, 0x56, 0x34, 0x12 };
	struct amp_mbox_msg m = { .data = d, .size = 4 };
	assert_int_equal(amp_mbox_send(A, 2, &m), 0); /* channel 2: own callback */
	expect_count(B, &rec_b, 1);
	assert_int_equal(amp_mbox_send(A, 0, &m), 0); /* channel 0: the IPM callback */
	expect_count(B, &ipm_rec, 1);
	assert_int_equal(ipm_rec.id, 0x12345678);
	assert_int_equal(rec_count(&rec_b), 1);
}

static void t_ipm_short_message_dropped(void **state)
{
	(void)state;
	amp_ipm_register_callback(B, on_ipm, &rec_b);
	assert_int_equal(amp_ipm_set_enabled(B, 1), 0);
	uint8_t d[2] = { 1, 2 };
	struct amp_mbox_msg m = { .data = d, .size = 2 };
	assert_int_equal(amp_mbox_send(A, 0, &m), 0);
	assert_int_equal(amp_mbox_send(A, 2, NULL), 0);
	expect_count(B, &rec_b, 0);
	/* The channel still works afterwards, once the receiver has dropped the
	 * bad message (on an asynchronous driver that may take a moment). */
	int ret;
	uint64_t start = amp_port_now_ns();
	while ((ret = amp_ipm_send(A, 0, 77, NULL, 0)) == AMP_EBUSY &&
	       amp_port_now_ns() - start < 3000000000ull) {
		mbox_env->settle(B);
		amp_port_sleep_us(100);
	}
	assert_int_equal(ret, 0);
	expect_count(B, &rec_b, 1);
	assert_int_equal(rec_b.id, 77);
}

static const struct CMUnitTest mbox_tests[] = {
	cmocka_unit_test_setup_teardown(t_invalid_args, setup_signal, teardown),
	cmocka_unit_test_setup_teardown(t_emsgsize_signalling, setup_signal, teardown),
	cmocka_unit_test_setup_teardown(t_emsgsize_data, setup_data, teardown),
	cmocka_unit_test_setup_teardown(t_ealready, setup_signal, teardown),
	cmocka_unit_test_setup_teardown(t_disabled_then_enabled, setup_signal, teardown),
	cmocka_unit_test_setup_teardown(t_coalesce, setup_signal, teardown),
	cmocka_unit_test_setup_teardown(t_callback_in_isr, setup_signal, teardown),
	cmocka_unit_test_setup_teardown(t_reply_from_callback, setup_signal, teardown),
	cmocka_unit_test_setup_teardown(t_unregistered_kept_pending, setup_signal, teardown),
	cmocka_unit_test_setup_teardown(t_data_and_ebusy, setup_data, teardown),
	cmocka_unit_test_setup_teardown(t_ipm_id_in_data, setup_ipm_data, teardown),
	cmocka_unit_test_setup_teardown(t_ipm_errors, setup_ipm_data, teardown),
	cmocka_unit_test_setup_teardown(t_ipm_wait, setup_ipm_data, teardown),
	cmocka_unit_test_setup_teardown(t_ipm_id_is_channel, setup_data, teardown),
	cmocka_unit_test_setup_teardown(t_mbox_cb_takes_precedence, setup_ipm_data, teardown),
	cmocka_unit_test_setup_teardown(t_ipm_short_message_dropped, setup_ipm_data, teardown),
};

const struct CMUnitTest *mbox_suite_tests(size_t *count)
{
	*count = sizeof(mbox_tests) / sizeof(mbox_tests[0]);
	return mbox_tests;
}
