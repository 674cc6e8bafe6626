/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Soak (label "soak", not part of `make test`): an initiator ping-pongs
 * numbered data messages through a Linux mailbox while the parent kills the
 * responder at random moments (before, inside or after its handler) and
 * starts a new one, hundreds of times. The initiator must reach its count,
 * every pong must carry the number of an outstanding or earlier ping (earlier
 * = a harmless duplicate after a re-send or a redelivery), and nothing may
 * hang.
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
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#define ROUND_TRIPS 300000
#define KILLS 300
#define STALL_NS 20000000000ull

static char region_name[64];
static struct amp_mbox dev;
static struct amp_mbox_linux drv;
static struct amp_mbox_linux_cfg cfg;

static void make_cfg(int side)
{
	memset(&cfg, 0, sizeof(cfg));
	cfg.shm.name = region_name;
	cfg.side = (uint8_t)side;
	cfg.num_channels = 2;
	cfg.tx_mask = side == 0 ? 0x1 : 0x2;
	cfg.rx_mask = side == 0 ? 0x2 : 0x1;
	cfg.mtu = 4;
	cfg.wait = AMP_MBOX_LINUX_WAIT_ADAPTIVE;
	cfg.spin_us = 20;
}

static uint32_t seq_of(const struct amp_mbox_msg *msg)
{
	uint32_t v = UINT32_MAX;
	if (msg != NULL && msg->size == 4) {
		memcpy(&v, msg->data, 4);
	}
	return v;
}

/* ---- responder: echo every numbered ping ------------------------------------ */

static void echo_cb(struct amp_mbox *mbox, uint32_t channel, void *user_data,
		    const struct amp_mbox_msg *msg)
{
	(void)channel;
	(void)user_data;
	if (msg == NULL) {
		return;
	}
	uint64_t start = amp_port_now_ns();
	while (amp_mbox_send(mbox, 1, msg) == AMP_EBUSY &&
	       amp_port_now_ns() - start < 1000000000ull) {
		amp_port_cpu_relax();
	}
}

static int responder(void)
{
	make_cfg(1);
	if (amp_mbox_linux_init(&dev, &drv, &cfg) < 0) {
		return 10;
	}
	amp_mbox_register_callback(&dev, 0, echo_cb, NULL);
	amp_mbox_set_enabled(&dev, 0, true);
	for (;;) {
		pause(); /* until killed */
	}
}

/* ---- initiator: numbered pings, re-sent when an answer is overdue ------------- */

static uint32_t expected;
static int pongs, duplicates, bad;
static struct amp_event got;

static void pong_cb(struct amp_mbox *mbox, uint32_t channel, void *user_data,
		    const struct amp_mbox_msg *msg)
{
	(void)mbox;
	(void)channel;
	(void)user_data;
	uint32_t s = seq_of(msg);
	uint32_t want = __atomic_load_n(&expected, __ATOMIC_ACQUIRE);
	if (s == want) {
		__atomic_store_n(&expected, want + 1, __ATOMIC_RELEASE);
		pongs++;
		amp_port_event_post(&got);
	} else if (s < want) {
		duplicates++;
	} else {
		bad++;
	}
}

static int initiator(void)
{
	make_cfg(0);
	amp_port_event_init(&got);
	if (amp_mbox_linux_init(&dev, &drv, &cfg) < 0) {
		return 10;
	}
	amp_mbox_register_callback(&dev, 1, pong_cb, NULL);
	amp_mbox_set_enabled(&dev, 1, true);
	int resends = 0;
	for (uint32_t k = 0; k < ROUND_TRIPS; k++) {
		struct amp_mbox_msg m = { .data = &k, .size = 4 };
		uint64_t start = amp_port_now_ns();
		bool sent = false;
		while (__atomic_load_n(&expected, __ATOMIC_ACQUIRE) == k) {
			if (amp_port_now_ns() - start > STALL_NS) {
				fprintf(stderr, "initiator: stuck at %u\n", (unsigned)k);
				return 11;
			}
			if (!sent || amp_port_event_wait(&got, AMP_MSEC(50)) == AMP_ETIMEDOUT) {
				/* First send, or overdue: (re)send. EBUSY = the
				 * ping still sits in the slot, which a new
				 * responder will get; keep waiting. */
				int ret = amp_mbox_send(&dev, 0, &m);
				if (ret == 0) {
					resends += sent;
					sent = true;
				} else if (ret != AMP_EBUSY) {
					return 12;
				}
			}
		}
	}
	amp_mbox_linux_deinit(&dev);
	printf("initiator: %d round trips, %d re-sends, %d duplicates, %d bad\n", pongs, resends,
	       duplicates, bad);
	fflush(stdout);
	return bad == 0 && pongs == ROUND_TRIPS ? 0 : 13;
}

/* ---- parent ----------------------------------------------------------------------- */

static pid_t start(int (*fn)(void))
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		alarm(280);
		_exit(fn());
	}
	return pid;
}

static void t_soak_responder_killed(void **state)
{
	(void)state;
	snprintf(region_name, sizeof(region_name), "amp-mbox-soak-%d", (int)getpid());
	struct amp_shm_cfg sc = { .name = region_name, .size = AMP_MBOX_LINUX_REGION_SIZE };
	amp_shm_remove(&sc);
	srand((unsigned)getpid());
	pid_t ini = start(initiator);
	assert_true(ini > 0);
	int st = -1, kills = 0;
	pid_t resp = -1;
	bool ini_done = false;
	while (!ini_done) {
		resp = start(responder);
		assert_true(resp > 0);
		/* Let it live 0..20 ms, fewer once the kill budget is spent. */
		uint32_t life = kills < KILLS ? (uint32_t)(rand() % 20000) : 100000u;
		amp_port_sleep_us(life);
		ini_done = waitpid(ini, &st, WNOHANG) == ini;
		kill(resp, SIGKILL);
		waitpid(resp, NULL, 0);
		kills++;
		if (kills > KILLS + 3000) {
			kill(ini, SIGKILL);
			waitpid(ini, &st, 0);
			break;
		}
	}
	amp_shm_remove(&sc);
	printf("soak: responder killed %d times\n", kills);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_soak_responder_killed),
	};
	return cmocka_run_group_tests_name("mbox linux soak", tests, NULL, NULL);
}
