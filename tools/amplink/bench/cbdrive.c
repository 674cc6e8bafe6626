/* SPDX-License-Identifier: Apache-2.0 */
#include "cbdrive.h"

#include <amplink/errno.h>

#include <string.h>

void bench_cb_init(struct bench_cb *c, struct bench_job *j)
{
	c->job = j;
	amp_port_event_init(&c->done);
}

void bench_cb_rtt_arm(struct bench_cb *c, uint64_t n, uint64_t *samples)
{
	c->samples = samples;
	c->rtt_i = 0;
	c->fin = 0;
	c->rtt_n = n;
	c->t_prev = bench_now();
}

bool bench_cb_rtt_reply(struct bench_cb *c, const void *data, size_t len)
{
	struct bench_job *j = c->job;
	uint64_t now = bench_now();
	memcpy(j->rbuf, data, len < BENCH_MAX_SIZE ? len : BENCH_MAX_SIZE);
	if (__atomic_load_n(&c->fin, __ATOMIC_ACQUIRE) != 0) {
		return false;
	}
	if (c->samples != NULL) {
		c->samples[c->rtt_i] = now - c->t_prev;
	}
	c->t_prev = now;
	uint64_t i = c->rtt_i + 1;
	if (i == c->rtt_n || (j->deadline != 0 && (i & 63) == 0 && now > j->deadline)) {
		/* Last round trip of the phase: B has echoed exactly i messages. */
		j->sent = i;
		__atomic_store_n(&j->ctl->stop_at, i, __ATOMIC_RELEASE);
		__atomic_store_n(&c->rtt_i, i, __ATOMIC_RELEASE);
		__atomic_store_n(&c->fin, 1, __ATOMIC_RELEASE);
		amp_port_event_post(&c->done);
		return false;
	}
	__atomic_store_n(&c->rtt_i, i, __ATOMIC_RELEASE);
	return true;
}

void bench_cb_rtt_sent(struct bench_cb *c, int rc)
{
	if (rc < 0) {
		c->error = rc;
		__atomic_store_n(&c->fin, 1, __ATOMIC_RELEASE);
		amp_port_event_post(&c->done);
	}
}

/* Bounded: the harness's watchdog ends a hung run; the event only spares the
 * main thread from spinning, a stale post just costs one more check. */
int bench_cb_rtt_wait(struct bench_cb *c)
{
	for (int i = 0; i < 36000; i++) {
		if (__atomic_load_n(&c->fin, __ATOMIC_ACQUIRE) >= 1) {
			return c->error;
		}
		if (c->error != 0) {
			return c->error;
		}
		(void)amp_port_event_wait(&c->done, AMP_MSEC(100));
	}
	return AMP_ETIMEDOUT;
}

void bench_cb_count(struct bench_cb *c)
{
	struct bench_job *j = c->job;
	/* Only this thread counts: t_last is written before the count that
	 * reaches the target is published. */
	uint64_t n = c->rx_count + 1;
	/* The end of a phase: the count asked for, or where A stopped early (A
	 * publishes stop_at before it sends the last message). */
	uint64_t stop = __atomic_load_n(&j->ctl->stop_at, __ATOMIC_ACQUIRE);
	bool end = n == __atomic_load_n(&c->target, __ATOMIC_ACQUIRE) ||
		   (stop != UINT64_MAX && n == c->phase_base + stop);
	if (end) {
		c->t_last = bench_now();
	}
	__atomic_store_n(&c->rx_count, n, __ATOMIC_RELEASE);
	if (end) {
		amp_port_event_post(&c->done);
	}
}

void bench_cb_arm(struct bench_cb *c, uint64_t n)
{
	c->phase_base = __atomic_load_n(&c->rx_count, __ATOMIC_ACQUIRE);
	__atomic_store_n(&c->target, c->phase_base + n, __ATOMIC_RELEASE);
}

int bench_cb_wait_phase(struct bench_cb *c)
{
	struct bench_job *j = c->job;
	for (int k = 0; k < 36000; k++) { /* the harness watchdog ends a real hang */
		uint64_t want = __atomic_load_n(&c->target, __ATOMIC_ACQUIRE);
		uint64_t stop = __atomic_load_n(&j->ctl->stop_at, __ATOMIC_ACQUIRE);
		if (stop != UINT64_MAX && c->phase_base + stop < want) {
			want = c->phase_base + stop;
		}
		if (__atomic_load_n(&c->rx_count, __ATOMIC_ACQUIRE) >= want || c->error != 0) {
			return c->error;
		}
		(void)amp_port_event_wait(&c->done, AMP_MSEC(100));
	}
	return AMP_ETIMEDOUT;
}

struct amp_mbox_linux_cfg bench_cb_doorbell(const struct bench_job *j, const char *name,
					    bool is_a, enum amp_mbox_linux_wait mode)
{
	if (j->kind == BK_TPUT && is_a) {
		mode = AMP_MBOX_LINUX_WAIT_IRQ;
	}
	return (struct amp_mbox_linux_cfg){
		.shm = { .name = name, .size = AMP_MBOX_LINUX_REGION_SIZE },
		.side = is_a ? 0 : 1,
		.num_channels = 2,
		.tx_mask = is_a ? 1u : 2u,
		.rx_mask = is_a ? 2u : 1u,
		.mtu = 0,
		.wait = mode,
		.spin_us = 50,
	};
}

int bench_cb_recv(struct bench_cb *c, uint64_t *t_last)
{
	int rc = bench_cb_wait_phase(c);
	*t_last = c->t_last;
	return rc;
}
