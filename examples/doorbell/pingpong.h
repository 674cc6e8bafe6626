/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Doorbell ping-pong between two processes, shared by doorbell-demo and
 * doorbell-bench: one method for every variant (amplink doorbell in each wait
 * mode, raw futex, raw cache line), so that their figures compare.
 *
 * Method: the initiator timestamps each ping and the arrival of its pong; the
 * first `warmup` round trips are not recorded. Each side may be pinned to a
 * CPU (the doorbell thread inherits the pinning of its process).
 */
#ifndef AMP_EXAMPLE_PINGPONG_H
#define AMP_EXAMPLE_PINGPONG_H

#include <amplink/mbox_linux.h>

#include <stdint.h>

enum pp_kind {
	PP_AMPLINK, /* amplink Linux doorbell, in pp_opts.wait mode */
	PP_FUTEX,   /* raw futex ping-pong on one shared word */
	PP_SPIN,    /* raw cache-line ping-pong: both sides spin on one word */
};

struct pp_opts {
	enum pp_kind kind;
	enum amp_mbox_linux_wait wait;
	int count;       /* recorded round trips */
	int warmup;      /* unrecorded round trips first */
	int cpu[2];      /* CPU of initiator / responder, -1 = not pinned */
	const char *region; /* mailbox region name (PP_AMPLINK) */
	uint32_t spin_us;   /* ADAPTIVE spin */
};

struct pp_result {
	int done;            /* round trips recorded */
	uint64_t median_ns;
	uint64_t p99_ns;
	uint64_t mean_ns;
	uint64_t min_ns;
	uint64_t wakes[2];   /* PP_AMPLINK: futex wakes issued by each side */
	uint64_t sleeps[2];  /* times each side really slept (futex wait returned 0 /
			      * doorbell thread went to sleep) */
	uint64_t total_ns;   /* wall time of the recorded part */
};

/* Run both sides as two child processes; 0 or a negative AMP_E* / -1. */
int pp_run(const struct pp_opts *o, struct pp_result *r);

/* One side in the calling process (for running the two sides by hand):
 * side 0 initiates and fills @p r, side 1 answers. */
int pp_side(const struct pp_opts *o, int side, struct pp_result *r);

/* Number of CPUs this process may run on. */
int pp_cpus(void);

#endif /* AMP_EXAMPLE_PINGPONG_H */
