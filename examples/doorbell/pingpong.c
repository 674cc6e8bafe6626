/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Ping-pong variants for doorbell-demo and doorbell-bench (see pingpong.h).
 */
#define _GNU_SOURCE
#include "pingpong.h"

#include <amplink/errno.h>
#include <amplink/mbox.h>
#include <amplink/port.h>
#include <amplink/shm.h>

#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PP_TIMEOUT_MS 60000

int pp_cpus(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		return 1;
	}
	return CPU_COUNT(&set);
}

/* The n-th CPU this process may use (so pinning respects a restricted set). */
static int pp_nth_cpu(int n)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		return -1;
	}
	for (int c = 0, seen = 0; c < CPU_SETSIZE; c++) {
		if (CPU_ISSET(c, &set) && seen++ == n) {
			return c;
		}
	}
	return -1;
}

static void pp_pin(int cpu_index)
{
	int cpu = cpu_index >= 0 ? pp_nth_cpu(cpu_index) : -1;
	if (cpu < 0) {
		return;
	}
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static int pp_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : (x > y ? 1 : 0);
}

static void pp_summarise(uint64_t *rtt, int n, struct pp_result *r)
{
	r->done = n;
	if (n <= 0) {
		return;
	}
	uint64_t sum = 0;
	for (int i = 0; i < n; i++) {
		sum += rtt[i];
	}
	qsort(rtt, (size_t)n, sizeof(rtt[0]), pp_cmp);
	r->min_ns = rtt[0];
	r->median_ns = rtt[n / 2];
	r->p99_ns = rtt[(int)((int64_t)n * 99 / 100) < n ? (int)((int64_t)n * 99 / 100) : n - 1];
	r->mean_ns = sum / (uint64_t)n;
}

/* ---- amplink doorbell -------------------------------------------------------- */

static struct {
	struct amp_mbox dev;
	struct amp_mbox_linux drv;
	struct amp_mbox_linux_cfg cfg;
	struct amp_event done;
	uint64_t *rtt;
	int total, warmup, count;
	uint64_t t_sent;
	int errors;
} pp;

static void pp_initiator_cb(struct amp_mbox *mbox, uint32_t channel, void *user_data,
			    const struct amp_mbox_msg *msg)
{
	(void)channel;
	(void)user_data;
	(void)msg;
	uint64_t now = amp_port_now_ns();
	int i = pp.count++;
	if (i >= pp.warmup) {
		pp.rtt[i - pp.warmup] = now - pp.t_sent;
	}
	if (pp.count == pp.total) {
		amp_port_event_post(&pp.done);
		return;
	}
	pp.t_sent = amp_port_now_ns();
	if (amp_mbox_send(mbox, 0, NULL) != 0) {
		pp.errors++;
	}
}

static void pp_responder_cb(struct amp_mbox *mbox, uint32_t channel, void *user_data,
			    const struct amp_mbox_msg *msg)
{
	(void)channel;
	(void)user_data;
	(void)msg;
	if (amp_mbox_send(mbox, 1, NULL) != 0) {
		pp.errors++;
	}
	if (++pp.count == pp.total) {
		amp_port_event_post(&pp.done);
	}
}

static int pp_amplink_side(const struct pp_opts *o, int side, struct pp_result *r)
{
	memset(&pp.cfg, 0, sizeof(pp.cfg));
	pp.cfg.shm.name = o->region;
	pp.cfg.side = (uint8_t)side;
	pp.cfg.num_channels = 2;
	pp.cfg.tx_mask = side == 0 ? 0x1 : 0x2;
	pp.cfg.rx_mask = side == 0 ? 0x2 : 0x1;
	pp.cfg.wait = o->wait;
	pp.cfg.spin_us = o->spin_us;
	pp.total = o->count + o->warmup;
	pp.warmup = o->warmup;
	pp.count = 0;
	pp.errors = 0;
	amp_port_event_init(&pp.done);
	if (side == 0) {
		pp.rtt = calloc((size_t)o->count, sizeof(uint64_t));
		if (pp.rtt == NULL) {
			return AMP_ENOMEM;
		}
	}
	int ret = amp_mbox_linux_init(&pp.dev, &pp.drv, &pp.cfg);
	if (ret < 0) {
		fprintf(stderr, "doorbell: cannot open mailbox %s: %s\n", o->region, amp_strerror(ret));
		free(pp.rtt);
		pp.rtt = NULL;
		return ret;
	}
	amp_mbox_register_callback(&pp.dev, side == 0 ? 1 : 0,
				   side == 0 ? pp_initiator_cb : pp_responder_cb, NULL);
	amp_mbox_set_enabled(&pp.dev, side == 0 ? 1 : 0, true);
	uint64_t start = amp_port_now_ns();
	if (side == 0) {
		pp.t_sent = amp_port_now_ns();
		amp_mbox_send(&pp.dev, 0, NULL);
	}
	ret = amp_port_event_wait(&pp.done, AMP_MSEC(PP_TIMEOUT_MS));
	uint64_t elapsed = amp_port_now_ns() - start;
	struct amp_mbox_linux_stats st;
	amp_mbox_linux_stats(&pp.dev, &st);
	amp_mbox_linux_deinit(&pp.dev);
	if (r != NULL) {
		r->wakes[side] = st.wakes;
		r->sleeps[side] = st.sleeps;
		r->total_ns = elapsed;
	}
	if (side == 0 && r != NULL) {
		pp_summarise(pp.rtt, pp.count > pp.warmup ? pp.count - pp.warmup : 0, r);
	}
	free(pp.rtt);
	pp.rtt = NULL;
	if (ret < 0 || pp.errors != 0) {
		fprintf(stderr, "doorbell: side %d: %d of %d round trips, %d send errors\n", side,
			pp.count, pp.total, pp.errors);
		return ret < 0 ? ret : AMP_EIO;
	}
	return 0;
}

/* ---- raw baselines -------------------------------------------------------------- */

static long pp_futex(uint32_t *w, int op, uint32_t v)
{
	return syscall(SYS_futex, w, op, v, NULL, NULL, 0);
}

/* Wait until *w == want: spin (PP_SPIN) or sleep on the futex (PP_FUTEX),
 * counting the waits that really slept. */
static int pp_raw_wait(uint32_t *w, uint32_t want, enum pp_kind kind, uint64_t deadline,
		       uint64_t *slept)
{
	for (;;) {
		uint32_t v = __atomic_load_n(w, __ATOMIC_ACQUIRE);
		if (v == want) {
			return 0;
		}
		if (kind == PP_FUTEX) {
			if (pp_futex(w, FUTEX_WAIT, v) == 0) {
				(*slept)++;
			}
		} else {
			amp_port_cpu_relax();
		}
		if (amp_port_now_ns() > deadline) {
			return AMP_ETIMEDOUT;
		}
	}
}

static int pp_raw_side(const struct pp_opts *o, int side, struct pp_result *r)
{
	char name[AMP_SHM_NAME_MAX + 1];
	snprintf(name, sizeof(name), "%s-raw", o->region);
	struct amp_shm_cfg sc = { .name = name, .size = 4096 };
	struct amp_shm shm;
	int ret = amp_shm_open(&shm, &sc);
	if (ret < 0) {
		return ret;
	}
	uint32_t *w = shm.base;
	int total = o->count + o->warmup;
	uint64_t *rtt = side == 0 ? calloc((size_t)o->count, sizeof(uint64_t)) : NULL;
	uint64_t deadline = amp_port_now_ns() + (uint64_t)PP_TIMEOUT_MS * 1000000u;
	uint64_t start = amp_port_now_ns();
	uint64_t slept = 0;
	ret = 0;
	/* The word counts half round trips: odd = ping outstanding. The region
	 * starts zeroed; whichever side comes first waits for the other. */
	for (int i = 0; i < total && ret == 0; i++) {
		uint32_t ping = 2u * (uint32_t)i + 1u, pong = ping + 1u;
		if (side == 0) {
			uint64_t t0 = amp_port_now_ns();
			__atomic_store_n(w, ping, __ATOMIC_RELEASE);
			if (o->kind == PP_FUTEX) {
				pp_futex(w, FUTEX_WAKE, 1);
			}
			ret = pp_raw_wait(w, pong, o->kind, deadline, &slept);
			if (i >= o->warmup && rtt != NULL) {
				rtt[i - o->warmup] = amp_port_now_ns() - t0;
			}
		} else {
			ret = pp_raw_wait(w, ping, o->kind, deadline, &slept);
			__atomic_store_n(w, pong, __ATOMIC_RELEASE);
			if (o->kind == PP_FUTEX) {
				pp_futex(w, FUTEX_WAKE, 1);
			}
		}
	}
	if (r != NULL) {
		r->sleeps[side] = slept;
		r->total_ns = amp_port_now_ns() - start;
		if (side == 0 && rtt != NULL && ret == 0) {
			pp_summarise(rtt, o->count, r);
		}
	}
	free(rtt);
	amp_shm_close(&shm);
	return ret;
}

int pp_side(const struct pp_opts *o, int side, struct pp_result *r)
{
	pp_pin(o->cpu[side]);
	if (o->kind == PP_AMPLINK) {
		return pp_amplink_side(o, side, r);
	}
	return pp_raw_side(o, side, r);
}

int pp_run(const struct pp_opts *o, struct pp_result *r)
{
	char raw[AMP_SHM_NAME_MAX + 1];
	snprintf(raw, sizeof(raw), "%s-raw", o->region);
	struct amp_shm_cfg mb = { .name = o->region, .size = AMP_MBOX_LINUX_REGION_SIZE };
	struct amp_shm_cfg rw = { .name = raw, .size = 4096 };
	amp_shm_remove(&mb);
	amp_shm_remove(&rw);

	struct pp_result *shared = mmap(NULL, sizeof(*shared) * 2, PROT_READ | PROT_WRITE,
					MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (shared == MAP_FAILED) {
		return AMP_ENOMEM;
	}
	memset(shared, 0, sizeof(*shared) * 2);
	pid_t pid[2];
	fflush(NULL);
	for (int side = 0; side < 2; side++) {
		pid[side] = fork();
		if (pid[side] == 0) {
			alarm(PP_TIMEOUT_MS / 1000 + 10);
			_exit(pp_side(o, side, &shared[side]) == 0 ? 0 : 1);
		}
	}
	int ok = pid[0] > 0 && pid[1] > 0;
	for (int left = (pid[0] > 0) + (pid[1] > 0); left > 0; left--) {
		int st = 0;
		pid_t done = waitpid(-1, &st, 0);
		if (done < 0) {
			break;
		}
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			/* One side failed: the other would only wait for it. */
			ok = 0;
			for (int side = 0; side < 2; side++) {
				if (pid[side] > 0 && pid[side] != done) {
					kill(pid[side], SIGKILL);
				}
			}
		}
	}
	*r = shared[0];
	r->wakes[1] = shared[1].wakes[1];
	r->sleeps[1] = shared[1].sleeps[1];
	munmap(shared, sizeof(*shared) * 2);
	amp_shm_remove(&mb);
	amp_shm_remove(&rw);
	return ok ? 0 : -1;
}
