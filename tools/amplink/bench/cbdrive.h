/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Traffic driven from a transport's receive callbacks, for the amplink
 * mechanisms of `amplink bench` (ICMsg, RPMsg): the doorbell thread plays the
 * interrupt, as in a Zephyr application. Core A's callback timestamps each
 * reply and asks for the next message; core B's callback counts what it
 * received; the main threads only wait for the callbacks' progress. The
 * transport keeps the sends (they differ), this keeps the bookkeeping (it
 * does not).
 */
#ifndef AMP_BENCH_CBDRIVE_H
#define AMP_BENCH_CBDRIVE_H

#include "bench.h"

#include <amplink/mbox_linux.h>
#include <amplink/port.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bench_cb {
	struct bench_job *job;
	uint64_t *samples;
	volatile uint64_t rtt_i, fin;
	uint64_t phase_base; /* B: messages received before this phase */
	uint64_t rtt_n, t_prev;
	volatile uint64_t rx_count, target, t_last;
	volatile int error;
	struct amp_event done;
};

/* In the process that runs side @p j, before any callback can run. */
void bench_cb_init(struct bench_cb *c, struct bench_job *j);

/* Core A, with the callbacks locked out: a round-trip phase of @p n messages
 * starts now (the caller sends the first one). */
void bench_cb_rtt_arm(struct bench_cb *c, uint64_t n, uint64_t *samples);

/* Core A's receive callback: records the reply; true when the caller must
 * send the next message and report it with bench_cb_rtt_sent(). */
bool bench_cb_rtt_reply(struct bench_cb *c, const void *data, size_t len);
void bench_cb_rtt_sent(struct bench_cb *c, int rc);

/* Core A: wait for the end of the round-trip phase. */
int bench_cb_rtt_wait(struct bench_cb *c);

/* Core B's receive callback, after the message was copied out (and echoed):
 * counts it, and wakes the main thread at the end of the phase. */
void bench_cb_count(struct bench_cb *c);

/* Core B: the count that ends the next phase of @p n messages (before core A
 * may start), and the wait for it (or for where A stopped early). */
void bench_cb_arm(struct bench_cb *c, uint64_t n);
int bench_cb_wait_phase(struct bench_cb *c);

/* The Linux doorbell of side A (@p is_a) or B: A rings channel 0, B channel 1,
 * both in @p mode, except the sender of a throughput cell: it only waits for
 * "space freed" rings, so it sleeps whatever the mode under test. */
struct amp_mbox_linux_cfg bench_cb_doorbell(const struct bench_job *j, const char *name,
					    bool is_a, enum amp_mbox_linux_wait mode);

/* Core B's receive phase: bench_cb_wait_phase() and the time of its last
 * receive. */
int bench_cb_recv(struct bench_cb *c, uint64_t *t_last);

#endif /* AMP_BENCH_CBDRIVE_H */
