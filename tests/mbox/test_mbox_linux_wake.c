/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Wake-ups of a sleeping receiver (irq mode) by several sender threads of
 * one process: busy pauses between rings let the receiver fall asleep again
 * and again, and with more senders than CPUs the scheduler preempts a sender
 * anywhere in a send, including between its ring and its look at the
 * receiver's "sleeping" flag (the window of the lost wake-up fixed in layout
 * version 3). Every ring must be answered: a watchdog fails the test as soon
 * as the receiver lags a second behind. This test did not reproduce that old
 * bug on our VM in a few runs; the million-message ICMsg soak did, about one
 * run in four, and passes since the fix.
 */
#define _GNU_SOURCE
#include <amplink/errno.h>
#include <amplink/mbox_linux.h>
#include <amplink/port.h>
#include <amplink/shm.h>

#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define SENDERS 4
#define RINGS_PER_SENDER 30000u
#define LAG_NS 1000000000ull

/* Shared between the two processes (an anonymous shared mapping). */
struct shared {
	uint32_t rung;  /* rings made so far (bumped before each ring) */
	uint32_t seen;  /* the receiver's last look at `rung` */
	uint32_t ready; /* the receiver is up */
	uint32_t stop;  /* the receiver may leave */
};

static struct shared *sh;
static char region_name[64];

static struct amp_mbox_linux_cfg make_cfg(int side)
{
	return (struct amp_mbox_linux_cfg){
		.shm = { .name = region_name, .size = AMP_MBOX_LINUX_REGION_SIZE },
		.side = (uint8_t)side,
		.num_channels = 1,
		.tx_mask = side == 0 ? 1u : 0u,
		.rx_mask = side == 1 ? 1u : 0u,
		.wait = AMP_MBOX_LINUX_WAIT_IRQ,
	};
}

static void on_ring(struct amp_mbox *mbox, uint32_t channel, void *user_data,
		    const struct amp_mbox_msg *msg)
{
	(void)mbox;
	(void)channel;
	(void)user_data;
	(void)msg;
	__atomic_store_n(&sh->seen, __atomic_load_n(&sh->rung, __ATOMIC_ACQUIRE),
			 __ATOMIC_RELEASE);
}

static int receiver(void)
{
	static struct amp_mbox dev;
	static struct amp_mbox_linux drv;
	static struct amp_mbox_linux_cfg cfg;
	cfg = make_cfg(1);
	if (amp_mbox_linux_init(&dev, &drv, &cfg) != 0 ||
	    amp_mbox_register_callback(&dev, 0, on_ring, NULL) != 0 ||
	    amp_mbox_set_enabled(&dev, 0, true) != 0) {
		return 1;
	}
	__atomic_store_n(&sh->ready, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&sh->stop, __ATOMIC_ACQUIRE) == 0) {
		amp_port_sleep_us(1000);
	}
	return amp_mbox_linux_deinit(&dev) == 0 ? 0 : 1;
}

static struct amp_mbox tx_dev;

static void *sender(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	for (uint32_t i = 0; i < RINGS_PER_SENDER; i++) {
		__atomic_fetch_add(&sh->rung, 1u, __ATOMIC_ACQ_REL);
		if (amp_mbox_send(&tx_dev, 0, NULL) != 0) {
			return (void *)1;
		}
		/* Busy pauses long enough for the receiver to fall asleep: the
		 * senders stay runnable, so with more of them than CPUs the
		 * scheduler preempts them anywhere, also between a ring and the
		 * look at the flag. */
		seed = seed * 1103515245u + 12345u;
		const uint64_t until = amp_port_now_ns() + 20000u + (seed >> 16) % 40000u;
		while (amp_port_now_ns() < until) {
			amp_port_cpu_relax();
		}
	}
	return NULL;
}

/* Fails as soon as the receiver lags a second behind the rings. */
static bool receiver_keeps_up(uint32_t target)
{
	uint32_t last_seen = __atomic_load_n(&sh->seen, __ATOMIC_ACQUIRE);
	uint64_t since = amp_port_now_ns();
	for (;;) {
		uint32_t seen = __atomic_load_n(&sh->seen, __ATOMIC_ACQUIRE);
		uint32_t rung = __atomic_load_n(&sh->rung, __ATOMIC_ACQUIRE);
		if (seen == target) {
			return true;
		}
		if (seen != last_seen || seen == rung) {
			last_seen = seen;
			since = amp_port_now_ns();
		} else if (amp_port_now_ns() - since > LAG_NS) {
			fprintf(stderr, "receiver stuck: %u rings made, it last saw %u\n", rung, seen);
			return false;
		}
		amp_port_sleep_us(200);
	}
}

static void t_every_ring_wakes_a_sleeping_receiver(void **state)
{
	(void)state;
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	assert_true(sh != MAP_FAILED);
	memset(sh, 0, sizeof(*sh));
	snprintf(region_name, sizeof(region_name), "amp-mbox-wake-%d", (int)getpid());
	struct amp_shm_cfg rcfg = { .name = region_name };
	(void)amp_shm_remove(&rcfg);

	pid_t pid = fork(); /* before any device: the doorbell thread is per process */
	assert_true(pid >= 0);
	if (pid == 0) {
		_exit(receiver());
	}
	while (__atomic_load_n(&sh->ready, __ATOMIC_ACQUIRE) == 0) {
		amp_port_sleep_us(1000);
	}
	static struct amp_mbox_linux tx_drv;
	static struct amp_mbox_linux_cfg tx_cfg;
	tx_cfg = make_cfg(0);
	assert_int_equal(amp_mbox_linux_init(&tx_dev, &tx_drv, &tx_cfg), 0);

	pthread_t th[SENDERS];
	for (uintptr_t k = 0; k < SENDERS; k++) {
		assert_int_equal(pthread_create(&th[k], NULL, sender, (void *)(k + 1u)), 0);
	}
	bool ok = receiver_keeps_up(SENDERS * RINGS_PER_SENDER);
	for (int k = 0; k < SENDERS; k++) {
		void *r;
		pthread_join(th[k], &r);
		assert_null(r);
	}
	struct amp_mbox_linux_stats st;
	assert_int_equal(amp_mbox_linux_stats(&tx_dev, &st), 0);
	print_message("%u rings, %llu of them woke the sleeping receiver\n",
		      SENDERS * RINGS_PER_SENDER, (unsigned long long)st.wakes);

	__atomic_store_n(&sh->stop, 1, __ATOMIC_RELEASE);
	int status = 0;
	if (!ok) {
		kill(pid, SIGKILL);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(amp_mbox_linux_deinit(&tx_dev), 0);
	(void)amp_shm_remove(&rcfg);
	munmap(sh, sizeof(*sh));
	assert_true(ok);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_true(st.wakes > 1000u); /* the receiver really slept between rings */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_every_ring_wakes_a_sleeping_receiver),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
