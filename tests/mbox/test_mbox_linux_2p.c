/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Linux doorbell between two processes ("cores"), each opening the mailbox
 * region itself: ping-pong in every wait mode, data integrity under
 * ping-pong, start order either way, a receiver that dies (the sender must not
 * hang) and a receiver that restarts (it gets what was left pending).
 *
 * Every child has an alarm() backstop; the parent kills and reaps every child
 * on every path (the group teardown runs after a failed assertion too).
 */
#define _GNU_SOURCE
#include <amplink/errno.h>
#include <amplink/mbox_linux.h>
#include <amplink/port.h>
#include <amplink/shm.h>

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define CHILD_ALARM_S 25
#define REAP_TIMEOUT_MS 25000

/* ---- child bookkeeping ------------------------------------------------------ */

static pid_t children[4];
static int nchildren;

static pid_t spawn(int (*fn)(const void *), const void *arg)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		alarm(CHILD_ALARM_S);
		_exit(fn(arg));
	}
	if (pid > 0 && nchildren < 4) {
		children[nchildren++] = pid;
	}
	return pid;
}

static void forget(pid_t pid)
{
	for (int i = 0; i < nchildren; i++) {
		if (children[i] == pid) {
			children[i] = children[--nchildren];
			return;
		}
	}
}

/* Exit status of @p pid, or -1 (after killing it) if it did not finish in time. */
static int reap(pid_t pid, int timeout_ms)
{
	uint64_t start = amp_port_now_ns();
	for (;;) {
		int st;
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid) {
			forget(pid);
			if (WIFEXITED(st)) {
				return WEXITSTATUS(st);
			}
			return 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
		}
		if (r < 0 || amp_port_now_ns() - start > (uint64_t)timeout_ms * 1000000u) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			forget(pid);
			return -1;
		}
		amp_port_sleep_us(1000);
	}
}

static int kill_all(void **state)
{
	(void)state;
	while (nchildren > 0) {
		pid_t pid = children[0];
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		forget(pid);
	}
	return 0;
}

/* ---- configuration --------------------------------------------------------- */

static char region_name[64];
static int region_seq;

static void new_region(void)
{
	snprintf(region_name, sizeof(region_name), "amp-mbox-2p-%d-%d", (int)getpid(), region_seq++);
	struct amp_shm_cfg c = { .name = region_name, .size = AMP_MBOX_LINUX_REGION_SIZE };
	amp_shm_remove(&c);
}

static void remove_region(void)
{
	struct amp_shm_cfg c = { .name = region_name, .size = AMP_MBOX_LINUX_REGION_SIZE };
	amp_shm_remove(&c);
}

/* Side 0 (initiator) sends on channel 0 and receives on 1; side 1 mirrors. */
static void make_cfg(struct amp_mbox_linux_cfg *c, int side, enum amp_mbox_linux_wait wait, int mtu)
{
	memset(c, 0, sizeof(*c));
	c->shm.name = region_name;
	c->side = (uint8_t)side;
	c->num_channels = 2;
	c->tx_mask = side == 0 ? 0x1 : 0x2;
	c->rx_mask = side == 0 ? 0x2 : 0x1;
	c->mtu = mtu;
	c->wait = wait;
	c->spin_us = 20;
}

struct pp_args {
	enum amp_mbox_linux_wait wait;
	int n;        /* round trips */
	int mtu;      /* 0: signals; 4: sequence numbers checked both ways */
	int delay_ms; /* sleep before opening */
};

/* ---- ping-pong cores ---------------------------------------------------------- */

static struct amp_mbox dev;
static struct amp_mbox_linux drv;
static struct amp_mbox_linux_cfg cfg;
static int pp_count;
static int pp_n;
static int pp_bad;
static struct amp_event pp_done;

/* Send, retrying while the peer is still inside the callback that emptied
 * nothing yet (data mode), for at most a second. */
static int send_retry(uint32_t channel, const struct amp_mbox_msg *msg)
{
	uint64_t start = amp_port_now_ns();
	int ret;
	while ((ret = amp_mbox_send(&dev, channel, msg)) == AMP_EBUSY &&
	       amp_port_now_ns() - start < 1000000000ull) {
		amp_port_cpu_relax();
	}
	return ret;
}

static uint32_t msg_seq(const struct amp_mbox_msg *msg)
{
	uint32_t v = 0;
	if (msg != NULL && msg->size == 4) {
		memcpy(&v, msg->data, 4);
	}
	return v;
}

static void responder_cb(struct amp_mbox *mbox, uint32_t channel, void *user_data,
			 const struct amp_mbox_msg *msg)
{
	(void)mbox;
	(void)channel;
	(void)user_data;
	if (!amp_port_in_isr()) {
		pp_bad++;
	}
	if (cfg.mtu > 0) {
		/* Data mode: no coalescing, every ping carries the next number. */
		if (msg == NULL || msg_seq(msg) != (uint32_t)pp_count) {
			pp_bad++;
		}
		if (send_retry(1, msg) != 0) {
			pp_bad++;
		}
	} else if (send_retry(1, NULL) != 0) {
		pp_bad++;
	}
	if (__atomic_add_fetch(&pp_count, 1, __ATOMIC_RELEASE) == pp_n) {
		amp_port_event_post(&pp_done);
	}
}

static void initiator_cb(struct amp_mbox *mbox, uint32_t channel, void *user_data,
			 const struct amp_mbox_msg *msg)
{
	(void)mbox;
	(void)channel;
	(void)user_data;
	if (!amp_port_in_isr()) {
		pp_bad++;
	}
	if (cfg.mtu > 0 && (msg == NULL || msg_seq(msg) != (uint32_t)pp_count)) {
		pp_bad++;
	}
	int c = __atomic_add_fetch(&pp_count, 1, __ATOMIC_RELEASE);
	if (c == pp_n) {
		amp_port_event_post(&pp_done);
		return;
	}
	uint32_t seq = (uint32_t)c;
	struct amp_mbox_msg m = { .data = &seq, .size = 4 };
	if (send_retry(0, cfg.mtu > 0 ? &m : NULL) != 0) {
		pp_bad++;
	}
}

static int core_run(const struct pp_args *a, int side)
{
	if (a->delay_ms > 0) {
		amp_port_sleep_us((uint32_t)a->delay_ms * 1000u);
	}
	make_cfg(&cfg, side, a->wait, a->mtu);
	pp_n = a->n;
	pp_count = 0;
	pp_bad = 0;
	amp_port_event_init(&pp_done);
	int ret = amp_mbox_linux_init(&dev, &drv, &cfg);
	if (ret < 0) {
		fprintf(stderr, "side %d: init: %s\n", side, amp_strerror(ret));
		return 10;
	}
	if (side == 1) {
		ret = amp_mbox_register_callback(&dev, 0, responder_cb, NULL);
		ret = ret == 0 ? amp_mbox_set_enabled(&dev, 0, true) : ret;
	} else {
		ret = amp_mbox_register_callback(&dev, 1, initiator_cb, NULL);
		ret = ret == 0 ? amp_mbox_set_enabled(&dev, 1, true) : ret;
		if (ret == 0) {
			/* The first ping may reach a peer that does not exist yet:
			 * it stays pending in the region until the peer enables. */
			uint32_t seq = 0;
			struct amp_mbox_msg m = { .data = &seq, .size = 4 };
			ret = amp_mbox_send(&dev, 0, a->mtu > 0 ? &m : NULL);
		}
	}
	if (ret < 0) {
		fprintf(stderr, "side %d: setup: %s\n", side, amp_strerror(ret));
		return 11;
	}
	ret = amp_port_event_wait(&pp_done, AMP_MSEC(20000));
	int count = __atomic_load_n(&pp_count, __ATOMIC_ACQUIRE);
	/* The responder's last reply must reach the initiator before it closes;
	 * closing never takes back what was sent. */
	amp_mbox_linux_deinit(&dev);
	if (ret < 0 || count != a->n || pp_bad != 0) {
		fprintf(stderr, "side %d: %d of %d round trips, %d bad\n", side, count, a->n, pp_bad);
		return 12;
	}
	return 0;
}

static int core_initiator(const void *arg)
{
	return core_run(arg, 0);
}

static int core_responder(const void *arg)
{
	return core_run(arg, 1);
}

static void pingpong(struct pp_args a0, struct pp_args a1)
{
	new_region();
	pid_t p0 = spawn(core_initiator, &a0);
	pid_t p1 = spawn(core_responder, &a1);
	assert_true(p0 > 0 && p1 > 0);
	int s0 = reap(p0, REAP_TIMEOUT_MS);
	int s1 = reap(p1, REAP_TIMEOUT_MS);
	remove_region();
	assert_int_equal(s0, 0);
	assert_int_equal(s1, 0);
}

static void t_pingpong_irq(void **state)
{
	(void)state;
	struct pp_args a = { .wait = AMP_MBOX_LINUX_WAIT_IRQ, .n = 1000 };
	pingpong(a, a);
}

static void t_pingpong_adaptive(void **state)
{
	(void)state;
	struct pp_args a = { .wait = AMP_MBOX_LINUX_WAIT_ADAPTIVE, .n = 1000 };
	pingpong(a, a);
}

static void t_pingpong_poll(void **state)
{
	(void)state;
	/* Two spinning processes on a shared, loaded machine: keep it short. */
	struct pp_args a = { .wait = AMP_MBOX_LINUX_WAIT_POLL, .n = 200 };
	pingpong(a, a);
}

static void t_pingpong_mixed_modes(void **state)
{
	(void)state;
	struct pp_args a0 = { .wait = AMP_MBOX_LINUX_WAIT_POLL, .n = 200 };
	struct pp_args a1 = { .wait = AMP_MBOX_LINUX_WAIT_IRQ, .n = 200 };
	pingpong(a0, a1);
}

static void t_pingpong_data_sequence(void **state)
{
	(void)state;
	struct pp_args a = { .wait = AMP_MBOX_LINUX_WAIT_IRQ, .n = 1000, .mtu = 4 };
	pingpong(a, a);
}

static void t_initiator_starts_first(void **state)
{
	(void)state;
	struct pp_args a0 = { .wait = AMP_MBOX_LINUX_WAIT_IRQ, .n = 50 };
	struct pp_args a1 = a0;
	a1.delay_ms = 150;
	pingpong(a0, a1);
}

static void t_responder_starts_first(void **state)
{
	(void)state;
	struct pp_args a0 = { .wait = AMP_MBOX_LINUX_WAIT_IRQ, .n = 50, .mtu = 4 };
	struct pp_args a1 = a0;
	a0.delay_ms = 150;
	pingpong(a0, a1);
}

/* ---- a receiver that dies, and one that comes back ----------------------------- */

static int ready_pipe[2];
static int restarted_got;

static void restarted_cb(struct amp_mbox *mbox, uint32_t channel, void *user_data,
			 const struct amp_mbox_msg *msg)
{
	(void)mbox;
	(void)channel;
	(void)user_data;
	if (msg != NULL && msg->size == 4 && msg_seq(msg) == 0xc0ffee) {
		__atomic_store_n(&restarted_got, 1, __ATOMIC_RELEASE);
	} else {
		__atomic_store_n(&restarted_got, -1, __ATOMIC_RELEASE);
	}
}

/* Handler that never returns: its process gets killed inside it. */
static void hang_cb(struct amp_mbox *mbox, uint32_t channel, void *user_data,
		    const struct amp_mbox_msg *msg)
{
	(void)mbox;
	(void)channel;
	(void)user_data;
	(void)msg;
	char c = 'h';
	if (write(ready_pipe[1], &c, 1) != 1) {
		_exit(13);
	}
	for (;;) {
		pause();
	}
}

enum receiver_mode { RECEIVER_DIES, RECEIVER_RESTARTED, RECEIVER_HANGS_IN_HANDLER };

/* Opens side 1, enables, says "ready", then sleeps until killed (DIES, or
 * HANGS_IN_HANDLER once a message arrives), or waits for the message a
 * previous incarnation missed (RESTARTED). */
static int core_receiver(const void *arg)
{
	enum receiver_mode mode = *(const enum receiver_mode *)arg;
	bool restarted = mode == RECEIVER_RESTARTED;
	make_cfg(&cfg, 1, AMP_MBOX_LINUX_WAIT_IRQ, 4);
	if (amp_mbox_linux_init(&dev, &drv, &cfg) < 0) {
		return 10;
	}
	amp_mbox_register_callback(&dev, 0,
				   restarted ? restarted_cb
					     : (mode == RECEIVER_DIES ? responder_cb : hang_cb),
				   NULL);
	pp_n = 1 << 30;
	amp_mbox_set_enabled(&dev, 0, true);
	if (!restarted) {
		char c = 'r';
		if (write(ready_pipe[1], &c, 1) != 1) {
			return 11;
		}
		for (;;) {
			pause(); /* the doorbell thread sleeps on the futex meanwhile */
		}
	}
	uint64_t start = amp_port_now_ns();
	while (__atomic_load_n(&restarted_got, __ATOMIC_ACQUIRE) == 0 &&
	       amp_port_now_ns() - start < 5000000000ull) {
		amp_port_sleep_us(1000);
	}
	int got = __atomic_load_n(&restarted_got, __ATOMIC_ACQUIRE);
	amp_mbox_linux_deinit(&dev);
	return got == 1 ? 0 : 12;
}

/* Sends into a dead receiver: nothing blocks, the full slot says EBUSY, and
 * at most one futex wake goes to the dead sleeper. */
static int core_sender_to_dead(const void *arg)
{
	(void)arg;
	make_cfg(&cfg, 0, AMP_MBOX_LINUX_WAIT_IRQ, 4);
	if (amp_mbox_linux_init(&dev, &drv, &cfg) < 0) {
		return 10;
	}
	uint64_t start = amp_port_now_ns();
	uint32_t v = 0xc0ffee;
	struct amp_mbox_msg m = { .data = &v, .size = 4 };
	int rc = 0;
	if (amp_mbox_send(&dev, 0, &m) != 0) {
		rc = 11;
	}
	for (int i = 0; i < 10000 && rc == 0; i++) {
		if (amp_mbox_send(&dev, 0, &m) != AMP_EBUSY) {
			rc = 12;
		}
		if (amp_mbox_send(&dev, 0, NULL) != 0) {
			rc = 13;
		}
	}
	if (amp_ipm_send(&dev, 1, 0, NULL, 0) != AMP_ETIMEDOUT) {
		rc = 14; /* a signal nobody takes: the bounded wait gives up */
	}
	uint64_t elapsed = amp_port_now_ns() - start;
	struct amp_mbox_linux_stats st;
	amp_mbox_linux_stats(&dev, &st);
	if (rc == 0 && st.wakes > 1) {
		rc = 15;
	}
	if (rc == 0 && elapsed > 3000000000ull) {
		rc = 16;
	}
	amp_mbox_linux_deinit(&dev);
	if (rc != 0) {
		fprintf(stderr, "sender: rc %d, wakes %llu, %llu ms\n", rc,
			(unsigned long long)st.wakes, (unsigned long long)(elapsed / 1000000u));
	}
	return rc;
}

static void t_receiver_dies_then_restarts(void **state)
{
	(void)state;
	new_region();
	assert_int_equal(pipe(ready_pipe), 0);
	static const enum receiver_mode dies = RECEIVER_DIES;
	pid_t r = spawn(core_receiver, &dies);
	close(ready_pipe[1]); /* so a child that fails gives EOF, not a hang */
	assert_true(r > 0);
	char c = 0;
	assert_int_equal(read(ready_pipe[0], &c, 1), 1);
	amp_port_sleep_us(20000); /* let its doorbell thread fall asleep */
	kill(r, SIGKILL);
	assert_int_equal(reap(r, REAP_TIMEOUT_MS), 128 + SIGKILL);
	close(ready_pipe[0]);

	pid_t s = spawn(core_sender_to_dead, NULL);
	assert_true(s > 0);
	assert_int_equal(reap(s, REAP_TIMEOUT_MS), 0);

	/* A new incarnation of the receiver gets the message left in its slot. */
	static const enum receiver_mode restarted = RECEIVER_RESTARTED;
	pid_t r2 = spawn(core_receiver, &restarted);
	assert_true(r2 > 0);
	assert_int_equal(reap(r2, REAP_TIMEOUT_MS), 0);
	remove_region();
}

/* Sends one data message and leaves. */
static int core_sender_one(const void *arg)
{
	(void)arg;
	make_cfg(&cfg, 0, AMP_MBOX_LINUX_WAIT_IRQ, 4);
	if (amp_mbox_linux_init(&dev, &drv, &cfg) < 0) {
		return 10;
	}
	uint32_t v = 0xc0ffee;
	struct amp_mbox_msg m = { .data = &v, .size = 4 };
	int rc = amp_mbox_send(&dev, 0, &m) == 0 ? 0 : 11;
	amp_mbox_linux_deinit(&dev);
	return rc;
}

/* The receiver dies inside its handler: the message it was handling is
 * delivered again to its next incarnation. */
static void t_receiver_dies_in_handler(void **state)
{
	(void)state;
	new_region();
	assert_int_equal(pipe(ready_pipe), 0);
	static const enum receiver_mode hangs = RECEIVER_HANGS_IN_HANDLER;
	pid_t r = spawn(core_receiver, &hangs);
	close(ready_pipe[1]); /* EOF instead of a hang if the receiver fails */
	assert_true(r > 0);
	char c = 0;
	assert_int_equal(read(ready_pipe[0], &c, 1), 1);
	assert_int_equal(c, 'r');
	pid_t s = spawn(core_sender_one, NULL);
	assert_true(s > 0);
	assert_int_equal(reap(s, REAP_TIMEOUT_MS), 0);
	assert_int_equal(read(ready_pipe[0], &c, 1), 1);
	assert_int_equal(c, 'h');
	kill(r, SIGKILL);
	assert_int_equal(reap(r, REAP_TIMEOUT_MS), 128 + SIGKILL);
	close(ready_pipe[0]);

	static const enum receiver_mode restarted = RECEIVER_RESTARTED;
	pid_t r2 = spawn(core_receiver, &restarted);
	assert_true(r2 > 0);
	assert_int_equal(reap(r2, REAP_TIMEOUT_MS), 0);
	remove_region();
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(t_pingpong_irq, kill_all),
		cmocka_unit_test_teardown(t_pingpong_adaptive, kill_all),
		cmocka_unit_test_teardown(t_pingpong_poll, kill_all),
		cmocka_unit_test_teardown(t_pingpong_mixed_modes, kill_all),
		cmocka_unit_test_teardown(t_pingpong_data_sequence, kill_all),
		cmocka_unit_test_teardown(t_initiator_starts_first, kill_all),
		cmocka_unit_test_teardown(t_responder_starts_first, kill_all),
		cmocka_unit_test_teardown(t_receiver_dies_then_restarts, kill_all),
		cmocka_unit_test_teardown(t_receiver_dies_in_handler, kill_all),
	};
	return cmocka_run_group_tests_name("mbox linux, two processes", tests, NULL, NULL);
}
