/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Two processes, one stream of 16 KiB messages through a ring that holds three
 * of them: the sender blocks in amp_icmsg_send_wait() on a full ring over and
 * over. Between two amplink cores every such wait must end on the reader's
 * space doorbell, never on the sender's bounded re-check (1 ms): a missed
 * wake-up costs a millisecond per message, so the stream has to run at least
 * ten times faster than that, and (stats.space_timeouts) almost no wait may
 * end on the re-check. A lost wake-up tends to repeat at every refill
 * once the two cores fall into step, so it slows a whole attempt; a loaded
 * machine slows one attempt now and then: three of four attempts must make
 * the rate. The reader's doorbell in irq and in poll mode.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <amplink/errno.h>
#include <amplink/icmsg.h>
#include <amplink/mbox_linux.h>
#include <amplink/port.h>
#include <amplink/shm.h>

#define MSG 16384u
#define ALIGN 8u
/* Three 16 KiB packets (header included) fit, a fourth does not. */
#define REGION (3u * (MSG + 4u) + 4u + 16u + 256u)
#define COUNT 2000u
#define ATTEMPTS 4
#define GOOD_NEEDED 3
#define MIN_RATE 10000.0 /* messages/s: ten times one per re-check period */
/* Waits for space that ended on the re-check instead of a doorbell: only a
 * reader kept off its CPU for over 1 ms causes one with a correct wake-up. */
#define MAX_TIMEOUTS (COUNT / 50u)

static char base[48];
static enum amp_mbox_linux_wait wait_mode;

struct core {
	int id;
	char rname[2][64], mname[64];
	struct amp_shm_cfg rcfg[2];
	struct amp_shm reg[2];
	struct amp_mbox_linux_cfg mcfg;
	struct amp_mbox mbox;
	struct amp_mbox_linux drv;
	struct amp_icmsg_cfg icfg;
	struct amp_icmsg ic;
	struct amp_ipc_ept_cfg ecfg;
	volatile int bound;
	volatile uint32_t rx_count, rx_bad;
	uint8_t rxbuf[MSG];
};

static void on_bound(void *p)
{
	__atomic_store_n(&((struct core *)p)->bound, 1, __ATOMIC_SEQ_CST);
}

static void on_received(const void *d, size_t len, void *p)
{
	struct core *c = p;
	const uint8_t *b = d;
	const uint32_t n = c->rx_count;
	if (len != MSG || b[0] != (uint8_t)n || b[MSG - 1] != (uint8_t)(n >> 8)) {
		c->rx_bad++;
	}
	__atomic_store_n(&c->rx_count, n + 1u, __ATOMIC_SEQ_CST);
}

static int core_run(int id)
{
	static struct core c;
	memset(&c, 0, sizeof(c));
	c.id = id;
	for (int i = 0; i < 2; i++) {
		snprintf(c.rname[i], sizeof(c.rname[i]), "%s-%d", base, i);
		c.rcfg[i] = (struct amp_shm_cfg){ .name = c.rname[i], .size = REGION };
		if (amp_shm_open(&c.reg[i], &c.rcfg[i]) != 0) {
			return 2;
		}
	}
	snprintf(c.mname, sizeof(c.mname), "%s-mbox", base);
	c.mcfg = (struct amp_mbox_linux_cfg){
		.shm = { .name = c.mname, .size = AMP_MBOX_LINUX_REGION_SIZE },
		.side = (uint8_t)id,
		.num_channels = 2,
		.tx_mask = 1u << id,
		.rx_mask = 1u << (1 - id),
		/* The mode under test is the reader's; the writer sleeps on its
		 * doorbell (a spinning doorbell thread beside a spinning reader
		 * would starve one of them on a loaded 2-CPU machine, and the
		 * waits would end on the re-check for want of a CPU). */
		.wait = id == 1 ? wait_mode : AMP_MBOX_LINUX_WAIT_IRQ,
	};
	if (amp_mbox_linux_init(&c.mbox, &c.drv, &c.mcfg) != 0) {
		return 3;
	}
	c.icfg = (struct amp_icmsg_cfg){
		.name = id == 0 ? "sender" : "receiver",
		.tx_region = c.reg[id].base,
		.tx_size = REGION,
		.rx_region = c.reg[1 - id].base,
		.rx_size = REGION,
		.mbox = &c.mbox,
		.tx_channel = (uint32_t)id,
		.rx_channel = (uint32_t)(1 - id),
		.profile = AMP_ICMSG_V2,
		.dcache_align = ALIGN,
		.peer_max_msg = MSG,
		.rx_buf = c.rxbuf,
		.rx_buf_size = sizeof(c.rxbuf),
	};
	c.ecfg = (struct amp_ipc_ept_cfg){
		.name = "ep",
		.cb = { .bound = on_bound, .received = on_received },
		.priv = &c,
	};
	if (amp_icmsg_init(&c.ic, &c.icfg) != 0 || amp_icmsg_open(&c.ic, &c.ecfg) != 0 ||
	    amp_icmsg_wait_bound(&c.ic, AMP_MSEC(10000)) != 0) {
		return 4;
	}
	int rc = 0;
	if (id == 0) {
		static uint8_t msg[MSG];
		int good = 0;
		uint64_t timeouts0 = 0;
		for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
			const uint64_t t0 = amp_port_now_ns();
			for (uint32_t i = 0; i < COUNT; i++) {
				const uint32_t n = (uint32_t)attempt * COUNT + i;
				msg[0] = (uint8_t)n;
				msg[MSG - 1] = (uint8_t)(n >> 8);
				if (amp_icmsg_send_wait(&c.ic, msg, MSG, AMP_MSEC(5000)) != (int)MSG) {
					fprintf(stderr, "sender: message %u not sent\n", n);
					return 5;
				}
			}
			const double secs = (double)(amp_port_now_ns() - t0) / 1e9;
			const double rate = COUNT / secs;
			struct amp_icmsg_stats st;
			amp_icmsg_get_stats(&c.ic, &st);
			const uint64_t timeouts = st.space_timeouts - timeouts0;
			timeouts0 = st.space_timeouts;
			printf("%s doorbell, attempt %d: %u x 16 KiB in %.3f s = %.0f msg/s, "
			       "%llu waits ended on the re-check\n",
			       wait_mode == AMP_MBOX_LINUX_WAIT_POLL ? "poll" : "irq", attempt + 1,
			       COUNT, secs, rate, (unsigned long long)timeouts);
			fflush(stdout);
			good += rate >= MIN_RATE && timeouts <= MAX_TIMEOUTS;
		}
		rc = good >= GOOD_NEEDED ? 0 : 6;
		/* Let the receiver drain before the session goes away. */
		amp_port_sleep_us(100000);
	} else {
		for (int t = 0; t < 30000; t++) {
			const uint32_t n = __atomic_load_n(&c.rx_count, __ATOMIC_SEQ_CST);
			if (n == ATTEMPTS * COUNT) {
				break;
			}
			amp_port_sleep_us(1000);
		}
		rc = c.rx_bad == 0 && c.rx_count == ATTEMPTS * COUNT ? 0 : 7;
		if (rc != 0) {
			fprintf(stderr, "receiver: %u messages, %u bad\n", c.rx_count, c.rx_bad);
		}
	}
	(void)amp_icmsg_close(&c.ic);
	(void)amp_mbox_linux_deinit(&c.mbox);
	amp_shm_close(&c.reg[0]);
	amp_shm_close(&c.reg[1]);
	return rc;
}

static void remove_regions(void)
{
	char n[80];
	for (int i = 0; i < 3; i++) {
		if (i < 2) {
			snprintf(n, sizeof(n), "%s-%d", base, i);
		} else {
			snprintf(n, sizeof(n), "%s-mbox", base);
		}
		struct amp_shm_cfg cfg = { .name = n, .size = 1 };
		(void)amp_shm_remove(&cfg);
	}
}

static int reap(pid_t pid, int timeout_ms)
{
	int status = 0;
	for (int t = 0; t < timeout_ms; t += 5) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			return WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status);
		}
		usleep(5000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 99;
}

static void run_mode(enum amp_mbox_linux_wait mode)
{
	static int counter;
	snprintf(base, sizeof(base), "icsp-%d-%d", (int)getpid(), counter++);
	remove_regions();
	wait_mode = mode;
	pid_t pid[2];
	for (int id = 0; id < 2; id++) {
		fflush(stdout);
		fflush(stderr);
		pid[id] = fork();
		assert_true(pid[id] >= 0);
		if (pid[id] == 0) {
			alarm(60); /* backstop: never outlive the test */
			_exit(core_run(id));
		}
	}
	const int ra = reap(pid[0], 50000);
	const int rb = reap(pid[1], ra == 0 ? 10000 : 1);
	remove_regions();
	assert_int_equal(ra, 0);
	assert_int_equal(rb, 0);
}

static void test_space_wakeup_irq(void **state)
{
	(void)state;
	run_mode(AMP_MBOX_LINUX_WAIT_IRQ);
}

static void test_space_wakeup_poll(void **state)
{
	(void)state;
	run_mode(AMP_MBOX_LINUX_WAIT_POLL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_space_wakeup_irq),
		cmocka_unit_test(test_space_wakeup_poll),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
