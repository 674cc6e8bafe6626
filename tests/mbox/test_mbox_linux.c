/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Linux shared-memory doorbell, both sides in one process (one doorbell thread
 * serves both): the shared MBOX/IPM semantics, plus what is specific to this
 * driver: interrupt lock, hostile region contents, configuration checks,
 * several devices on one thread, wake-ups only for sleeping receivers.
 * Two-process behaviour is in test_mbox_linux_2p.c.
 */
#include "mbox_suite.h"

#include "drivers/mbox/linux/mbox_linux_layout.h"

#include <amplink/errno.h>
#include <amplink/mbox_linux.h>
#include <amplink/port.h>
#include <amplink/shm.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static char region_name[64];
static int region_seq;
static struct amp_mbox dev_a, dev_b;
static struct amp_mbox_linux drv_a, drv_b;
static struct amp_mbox_linux_cfg cfg_a, cfg_b;
static enum amp_mbox_linux_wait wait_mode = AMP_MBOX_LINUX_WAIT_IRQ;

static void make_cfgs(int mtu, uint8_t ipm_mode)
{
	snprintf(region_name, sizeof(region_name), "amp-mbox-t-%d-%d", (int)getpid(), region_seq++);
	memset(&cfg_a, 0, sizeof(cfg_a));
	cfg_a.shm.name = region_name;
	cfg_a.shm.size = AMP_MBOX_LINUX_REGION_SIZE;
	cfg_a.side = 0;
	cfg_a.num_channels = 4;
	cfg_a.tx_mask = 0x5;
	cfg_a.rx_mask = 0xa;
	cfg_a.mtu = mtu;
	cfg_a.wait = wait_mode;
	cfg_a.ipm_mode = ipm_mode;
	cfg_a.ipm_tx_channel = 0;
	cfg_b = cfg_a;
	cfg_b.side = 1;
	cfg_b.tx_mask = 0xa;
	cfg_b.rx_mask = 0x5;
	cfg_b.ipm_tx_channel = 1;
}

static int lx_open(struct amp_mbox **a, struct amp_mbox **b, int mtu, uint8_t ipm_mode)
{
	make_cfgs(mtu, ipm_mode);
	amp_shm_remove(&cfg_a.shm);
	int ret = amp_mbox_linux_init(&dev_a, &drv_a, &cfg_a);
	if (ret < 0) {
		return ret;
	}
	ret = amp_mbox_linux_init(&dev_b, &drv_b, &cfg_b);
	if (ret < 0) {
		amp_mbox_linux_deinit(&dev_a);
		return ret;
	}
	*a = &dev_a;
	*b = &dev_b;
	return 0;
}

/* Idempotent, so that it can also clean up after a failed assertion. */
static void lx_close(void)
{
	if (dev_a.driver != NULL) {
		amp_mbox_linux_deinit(&dev_a);
	}
	if (dev_b.driver != NULL) {
		amp_mbox_linux_deinit(&dev_b);
	}
	if (cfg_a.shm.name != NULL) {
		amp_shm_remove(&cfg_a.shm);
	}
}

static int close_all(void **state)
{
	(void)state;
	lx_close();
	return 0;
}

static void lx_settle(struct amp_mbox *rx)
{
	(void)rx;
}

static const struct mbox_env env_irq = {
	.name = "linux-irq",
	.open = lx_open,
	.close = lx_close,
	.settle = lx_settle,
	.async = true,
	.ipm_wait_completes = true,
};

static const struct mbox_env env_poll = {
	.name = "linux-poll",
	.open = lx_open,
	.close = lx_close,
	.settle = lx_settle,
	.async = true,
	.ipm_wait_completes = true,
};

/* ---- driver specifics ------------------------------------------------------ */

static int hits;
static int hits_not_isr;

static void count_cb(struct amp_mbox *mbox, uint32_t channel, void *user_data,
		     const struct amp_mbox_msg *msg)
{
	(void)mbox;
	(void)channel;
	(void)user_data;
	(void)msg;
	if (!amp_port_in_isr()) {
		hits_not_isr++;
	}
	__atomic_fetch_add(&hits, 1, __ATOMIC_RELEASE);
}

static int wait_hits(int n)
{
	uint64_t start = amp_port_now_ns();
	while (__atomic_load_n(&hits, __ATOMIC_ACQUIRE) < n &&
	       amp_port_now_ns() - start < 3000000000ull) {
		amp_port_sleep_us(100);
	}
	return __atomic_load_n(&hits, __ATOMIC_ACQUIRE);
}

static void open_signal_pair(void)
{
	struct amp_mbox *a, *b;
	assert_int_equal(lx_open(&a, &b, 0, 0), 0);
	hits = 0;
	hits_not_isr = 0;
	assert_int_equal(amp_mbox_register_callback(&dev_b, 0, count_cb, NULL), 0);
	assert_int_equal(amp_mbox_set_enabled(&dev_b, 0, true), 0);
}

static void t_irq_lock_holds_off(void **state)
{
	(void)state;
	open_signal_pair();
	/* No assertion while the lock is held: a failure would leave it held. */
	uint32_t key = amp_port_irq_lock();
	int sent = amp_mbox_send(&dev_a, 0, NULL);
	amp_port_sleep_us(20000);
	int early = __atomic_load_n(&hits, __ATOMIC_ACQUIRE);
	amp_port_irq_unlock(key);
	assert_int_equal(sent, 0);
	assert_int_equal(early, 0);
	assert_int_equal(wait_hits(1), 1);
	assert_int_equal(hits_not_isr, 0);
	lx_close();
}

static void t_poll_from_thread(void **state)
{
	(void)state;
	open_signal_pair();
	/* amp_mbox_poll() delivers from the caller, still "in ISR". */
	uint32_t key = amp_port_irq_lock();
	int sent = amp_mbox_send(&dev_a, 0, NULL);
	int ran = amp_mbox_poll(&dev_b);
	amp_port_irq_unlock(key);
	assert_int_equal(sent, 0);
	assert_int_equal(ran, 1);
	assert_int_equal(__atomic_load_n(&hits, __ATOMIC_ACQUIRE), 1);
	assert_int_equal(hits_not_isr, 0);
	assert_false(amp_port_in_isr());
	lx_close();
}

static void t_hostile_length(void **state)
{
	(void)state;
	struct amp_mbox *a, *b;
	assert_int_equal(lx_open(&a, &b, 8, 0), 0);
	hits = 0;
	assert_int_equal(amp_mbox_register_callback(&dev_b, 0, count_cb, NULL), 0);
	assert_int_equal(amp_mbox_set_enabled(&dev_b, 0, true), 0);
	/* Side 0 goes away and a hostile incarnation of it (played through
	 * side 1's mapping) leaves a full slot claiming 1000 bytes. */
	assert_int_equal(amp_mbox_linux_deinit(&dev_a), 0);
	struct amp_mbox_linux_region *r = drv_b.region;
	struct amp_mbox_linux_slot *slot = &r->side[1].slot[0];
	__atomic_store_n(&slot->len, 1000u, __ATOMIC_RELAXED);
	__atomic_store_n(&slot->state, AMP_MBOX_LINUX_SLOT_FULL, __ATOMIC_RELEASE);
	__atomic_fetch_add(&r->side[1].bell.ring[0], 1u, __ATOMIC_SEQ_CST);
	__atomic_fetch_add(&r->side[1].bell.seq, 1u, __ATOMIC_SEQ_CST);
	amp_mbox_linux_irq_kick();
	struct amp_mbox_linux_stats st;
	uint64_t start = amp_port_now_ns();
	do {
		amp_port_sleep_us(200);
		assert_int_equal(amp_mbox_linux_stats(&dev_b, &st), 0);
	} while (st.proto_errors == 0 && amp_port_now_ns() - start < 3000000000ull);
	assert_int_equal(st.proto_errors, 1);
	assert_int_equal(__atomic_load_n(&hits, __ATOMIC_ACQUIRE), 0);
	/* Dropped and freed: a well-formed side 0 gets through afterwards. */
	assert_int_equal(amp_mbox_linux_init(&dev_a, &drv_a, &cfg_a), 0);
	uint8_t d[8] = { 1 };
	struct amp_mbox_msg m = { .data = d, .size = 8 };
	assert_int_equal(amp_mbox_send(&dev_a, 0, &m), 0);
	assert_int_equal(wait_hits(1), 1);
	/* Stray rings on channels that are not inbound are ignored. */
	assert_int_equal(amp_mbox_linux_deinit(&dev_a), 0);
	for (int ch = 4; ch < AMP_MBOX_MAX_CHANNELS; ch++) {
		__atomic_fetch_add(&r->side[1].bell.ring[ch], 7u, __ATOMIC_SEQ_CST);
	}
	__atomic_fetch_add(&r->side[1].bell.seq, 1u, __ATOMIC_SEQ_CST);
	assert_int_equal(amp_mbox_linux_init(&dev_a, &drv_a, &cfg_a), 0);
	assert_int_equal(amp_mbox_send(&dev_a, 0, NULL), 0);
	assert_int_equal(wait_hits(2), 2);
	lx_close();
}

static void t_region_checks(void **state)
{
	(void)state;
	struct amp_mbox_linux_cfg bad;
	make_cfgs(0, 0);
	amp_shm_remove(&cfg_a.shm);
	assert_int_equal(amp_mbox_linux_init(NULL, &drv_a, &cfg_a), AMP_EINVAL);
	assert_int_equal(amp_mbox_linux_init(&dev_a, NULL, &cfg_a), AMP_EINVAL);
	assert_int_equal(amp_mbox_linux_init(&dev_a, &drv_a, NULL), AMP_EINVAL);
	bad = cfg_a;
	bad.side = 2;
	assert_int_equal(amp_mbox_linux_init(&dev_a, &drv_a, &bad), AMP_EINVAL);
	bad = cfg_a;
	bad.num_channels = 33;
	assert_int_equal(amp_mbox_linux_init(&dev_a, &drv_a, &bad), AMP_EINVAL);
	bad = cfg_a;
	bad.tx_mask = 0x10;
	assert_int_equal(amp_mbox_linux_init(&dev_a, &drv_a, &bad), AMP_EINVAL);
	bad = cfg_a;
	bad.mtu = AMP_MBOX_LINUX_MTU_MAX + 1;
	assert_int_equal(amp_mbox_linux_init(&dev_a, &drv_a, &bad), AMP_EINVAL);
	bad = cfg_a;
	bad.ipm_mode = AMP_MBOX_IPM_ID_IN_DATA; /* needs mtu >= 4 */
	assert_int_equal(amp_mbox_linux_init(&dev_a, &drv_a, &bad), AMP_EINVAL);
	bad = cfg_a;
	bad.shm.size = 4096;
	assert_int_equal(amp_mbox_linux_init(&dev_a, &drv_a, &bad), AMP_EINVAL);
	bad = cfg_a;
	bad.wait = (enum amp_mbox_linux_wait)9;
	assert_int_equal(amp_mbox_linux_init(&dev_a, &drv_a, &bad), AMP_EINVAL);
	assert_int_equal(amp_mbox_linux_deinit(NULL), AMP_EINVAL);

	/* The peer set the region up with another MTU: refused, not guessed. */
	assert_int_equal(amp_mbox_linux_init(&dev_a, &drv_a, &cfg_a), 0);
	bad = cfg_b;
	bad.mtu = 8;
	assert_int_equal(amp_mbox_linux_init(&dev_b, &drv_b, &bad), AMP_EINVAL);
	assert_int_equal(amp_mbox_linux_deinit(&dev_a), 0);
	assert_int_equal(amp_mbox_linux_deinit(&dev_a), AMP_EINVAL); /* closed already */

	/* A region full of something else. */
	struct amp_shm shm;
	struct amp_shm_cfg sc = cfg_a.shm;
	assert_int_equal(amp_shm_open(&shm, &sc), 0);
	memset(shm.base, 0x5a, sc.size);
	assert_int_equal(amp_mbox_linux_init(&dev_a, &drv_a, &cfg_a), AMP_EPROTO);
	/* Right magic, unknown version. */
	memset(shm.base, 0, sc.size);
	struct amp_mbox_linux_hdr *h = shm.base;
	h->magic = AMP_MBOX_LINUX_MAGIC;
	h->geometry = 0x77 | (4u << 8);
	assert_int_equal(amp_mbox_linux_init(&dev_a, &drv_a, &cfg_a), AMP_EPROTO);
	amp_shm_close(&shm);
	amp_shm_remove(&cfg_a.shm);
}

/* Several mailboxes in one process: one thread serves them all, including
 * while it sleeps on all of them at once. */
enum { N = 3 };
static struct amp_mbox tx[N], rx[N];
static struct amp_mbox_linux dtx[N], drx[N];
static struct amp_mbox_linux_cfg ctx[N], crx[N];
static char names[N][64];

static int close_many(void **state)
{
	(void)state;
	for (int i = 0; i < N; i++) {
		if (tx[i].driver != NULL) {
			amp_mbox_linux_deinit(&tx[i]);
		}
		if (rx[i].driver != NULL) {
			amp_mbox_linux_deinit(&rx[i]);
		}
		if (ctx[i].shm.name != NULL) {
			amp_shm_remove(&ctx[i].shm);
		}
	}
	return 0;
}

static void t_many_devices(void **state)
{
	(void)state;
	hits = 0;
	for (int i = 0; i < N; i++) {
		snprintf(names[i], sizeof(names[i]), "amp-mbox-many-%d-%d", (int)getpid(), i);
		memset(&ctx[i], 0, sizeof(ctx[i]));
		ctx[i].shm.name = names[i];
		ctx[i].num_channels = 1;
		ctx[i].tx_mask = 1;
		ctx[i].wait = i == 2 ? AMP_MBOX_LINUX_WAIT_ADAPTIVE : AMP_MBOX_LINUX_WAIT_IRQ;
		crx[i] = ctx[i];
		crx[i].side = 1;
		crx[i].tx_mask = 0;
		crx[i].rx_mask = 1;
		amp_shm_remove(&ctx[i].shm);
		assert_int_equal(amp_mbox_linux_init(&tx[i], &dtx[i], &ctx[i]), 0);
		assert_int_equal(amp_mbox_linux_init(&rx[i], &drx[i], &crx[i]), 0);
		assert_int_equal(amp_mbox_register_callback(&rx[i], 0, count_cb, NULL), 0);
		assert_int_equal(amp_mbox_set_enabled(&rx[i], 0, true), 0);
	}
	for (int round = 0; round < 20; round++) {
		for (int i = N - 1; i >= 0; i--) {
			amp_port_sleep_us(300); /* let the thread fall asleep */
			assert_int_equal(amp_mbox_send(&tx[i], 0, NULL), 0);
			assert_int_equal(wait_hits(round * N + (N - i)), round * N + (N - i));
		}
	}
	/* A live device cannot be initialised again. */
	assert_int_equal(amp_mbox_linux_init(&rx[1], &drx[1], &crx[1]), AMP_EBUSY);
	/* Closing one leaves the others served. */
	assert_int_equal(amp_mbox_linux_deinit(&rx[0]), 0);
	assert_int_equal(amp_mbox_send(&tx[1], 0, NULL), 0);
	assert_int_equal(wait_hits(20 * N + 1), 20 * N + 1);
	for (int i = 0; i < N; i++) {
		if (i != 0) {
			assert_int_equal(amp_mbox_linux_deinit(&rx[i]), 0);
		}
		assert_int_equal(amp_mbox_linux_deinit(&tx[i]), 0);
		amp_shm_remove(&ctx[i].shm);
	}
}

/* The process-wide table has room for AMP_MBOX_LINUX_MAX_DEVICES. */
static struct amp_mbox full_dev[AMP_MBOX_LINUX_MAX_DEVICES + 1];
static struct amp_mbox_linux full_drv[AMP_MBOX_LINUX_MAX_DEVICES + 1];
static struct amp_mbox_linux_cfg full_cfg;
static char full_name[64];

static int close_full(void **state)
{
	(void)state;
	for (int i = 0; i <= AMP_MBOX_LINUX_MAX_DEVICES; i++) {
		if (full_dev[i].driver != NULL) {
			amp_mbox_linux_deinit(&full_dev[i]);
		}
	}
	if (full_cfg.shm.name != NULL) {
		amp_shm_remove(&full_cfg.shm);
	}
	return 0;
}

static void t_table_full(void **state)
{
	(void)state;
	snprintf(full_name, sizeof(full_name), "amp-mbox-full-%d", (int)getpid());
	memset(&full_cfg, 0, sizeof(full_cfg));
	full_cfg.shm.name = full_name;
	full_cfg.num_channels = 1;
	full_cfg.tx_mask = 1;
	amp_shm_remove(&full_cfg.shm);
	/* Many devices may map one region (senders only here). */
	for (int i = 0; i < AMP_MBOX_LINUX_MAX_DEVICES; i++) {
		assert_int_equal(amp_mbox_linux_init(&full_dev[i], &full_drv[i], &full_cfg), 0);
	}
	assert_int_equal(amp_mbox_linux_init(&full_dev[AMP_MBOX_LINUX_MAX_DEVICES],
					     &full_drv[AMP_MBOX_LINUX_MAX_DEVICES], &full_cfg),
			 AMP_ENOMEM);
	assert_null(full_dev[AMP_MBOX_LINUX_MAX_DEVICES].driver);
	/* One closes: there is room again. */
	assert_int_equal(amp_mbox_linux_deinit(&full_dev[3]), 0);
	assert_int_equal(amp_mbox_linux_init(&full_dev[AMP_MBOX_LINUX_MAX_DEVICES],
					     &full_drv[AMP_MBOX_LINUX_MAX_DEVICES], &full_cfg),
			 0);
	assert_int_equal(amp_mbox_send(&full_dev[AMP_MBOX_LINUX_MAX_DEVICES], 0, NULL), 0);
}

static int wake_check_result = 0;

static void deinit_in_cb(struct amp_mbox *mbox, uint32_t channel, void *user_data,
			 const struct amp_mbox_msg *msg)
{
	(void)channel;
	(void)user_data;
	(void)msg;
	wake_check_result = amp_mbox_linux_deinit(mbox);
	__atomic_fetch_add(&hits, 1, __ATOMIC_RELEASE);
}

static void t_deinit_from_callback_refused(void **state)
{
	(void)state;
	struct amp_mbox *a, *b;
	assert_int_equal(lx_open(&a, &b, 0, 0), 0);
	hits = 0;
	assert_int_equal(amp_mbox_register_callback(&dev_b, 0, deinit_in_cb, NULL), 0);
	assert_int_equal(amp_mbox_set_enabled(&dev_b, 0, true), 0);
	assert_int_equal(amp_mbox_send(&dev_a, 0, NULL), 0);
	assert_int_equal(wait_hits(1), 1);
	assert_int_equal(wake_check_result, AMP_EBUSY);
	lx_close();
}

/* A sender makes a system call only when the receiver sleeps: in poll mode
 * never; in irq mode at most once per sleep. */
static void t_wakes_only_sleepers(void **state)
{
	(void)state;
	for (int mode = 0; mode < 2; mode++) {
		wait_mode = mode == 0 ? AMP_MBOX_LINUX_WAIT_POLL : AMP_MBOX_LINUX_WAIT_IRQ;
		open_signal_pair();
		for (int i = 1; i <= 50; i++) {
			assert_int_equal(amp_mbox_send(&dev_a, 0, NULL), 0);
			assert_int_equal(wait_hits(i), i);
		}
		struct amp_mbox_linux_stats sa, sb;
		assert_int_equal(amp_mbox_linux_stats(&dev_a, &sa), 0);
		assert_int_equal(amp_mbox_linux_stats(&dev_b, &sb), 0);
		assert_int_equal(amp_mbox_linux_stats(NULL, &sa), AMP_EINVAL);
		assert_int_equal(sa.sent, 50);
		assert_int_equal(sb.delivered, 50);
		if (mode == 0) {
			assert_int_equal(sa.wakes, 0);
			assert_int_equal(sb.sleeps, 0);
		} else {
			assert_true(sa.wakes <= sb.sleeps);
			assert_true(sa.wakes >= 1);
		}
		lx_close();
	}
	wait_mode = AMP_MBOX_LINUX_WAIT_IRQ;
}

int main(void)
{
	static const struct CMUnitTest specific[] = {
		cmocka_unit_test_teardown(t_irq_lock_holds_off, close_all),
		cmocka_unit_test_teardown(t_poll_from_thread, close_all),
		cmocka_unit_test_teardown(t_hostile_length, close_all),
		cmocka_unit_test_teardown(t_region_checks, close_all),
		cmocka_unit_test_teardown(t_many_devices, close_many),
		cmocka_unit_test_teardown(t_table_full, close_full),
		cmocka_unit_test_teardown(t_deinit_from_callback_refused, close_all),
		cmocka_unit_test_teardown(t_wakes_only_sleepers, close_all),
	};
	int failed = cmocka_run_group_tests_name("mbox linux driver", specific, NULL, NULL);
	size_t n;
	const struct CMUnitTest *suite = mbox_suite_tests(&n);
	mbox_env = &env_irq;
	wait_mode = AMP_MBOX_LINUX_WAIT_IRQ;
	failed += _cmocka_run_group_tests(env_irq.name, suite, n, NULL, NULL);
	mbox_env = &env_poll;
	wait_mode = AMP_MBOX_LINUX_WAIT_POLL;
	failed += _cmocka_run_group_tests(env_poll.name, suite, n, NULL, NULL);
	return failed;
}
