/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `amplink bench`: two processes ("cores"), one measurement method for every
 * mechanism. A cell = one mechanism x mode x message size x kind (round trip
 * or one-way throughput). The harness forks the second core for each cell,
 * pins both, runs a warm-up and several repetitions, and collects the figures;
 * the mechanisms only say how to send, echo and receive.
 */
#ifndef AMP_BENCH_H
#define AMP_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BENCH_MAX_REPS 16
#define BENCH_MAX_SIZE 65536u

enum bench_kind { BK_RTT = 0, BK_TPUT = 1 };

/* Transport counters of one side over a whole cell (warm-up included). */
struct bench_counters {
	bool valid;
	uint64_t msgs;        /* messages written by this side */
	uint64_t doorbells;   /* doorbells rung */
	uint64_t wakes;       /* doorbells that had to wake a sleeping peer (system calls) */
	uint64_t sleeps;      /* times this side's doorbell thread went to sleep */
	uint64_t full;        /* sends refused for lack of room / buffers */
	uint64_t space_rings; /* ICMsg: "space freed" doorbells */
};

/* Control page shared by the two processes (anonymous MAP_SHARED, before fork). */
struct bench_ctl {
	_Alignas(64) volatile uint32_t phase;   /* A: current phase (1 = warm-up, 2.. reps, ~0 = stop) */
	volatile uint64_t count;                /* A: messages in this phase */
	_Alignas(64) volatile uint32_t b_phase; /* B: phase it has entered */
	volatile uint32_t b_done;               /* B: phase it has finished */
	volatile uint64_t t_end;                /* B: time of its last receive in the phase */
	volatile int32_t b_error;               /* B: negative on failure */
	volatile uint32_t b_ready;              /* B: set up and waiting */
	_Alignas(64) volatile uint64_t stop_at; /* A: the phase ends after this many messages
						 * (set before the last one is sent) */
	struct bench_counters b_counters;       /* B: its counters, written before it exits */
	_Alignas(64) volatile uint32_t word;    /* cache-line / futex ping-pong word */
	_Alignas(64) uint8_t scratch[64];
};

struct bench_job;

uint64_t bench_now(void);

/* A mechanism. Functions returning int: 0 or a negative error. */
struct bench_impl {
	const char *transport; /* "cacheline", "ring", "futex", "pipe", "unix-stream", ... */
	const char *mode;      /* "spin", "irq", "poll", "adaptive", "-" */
	bool local;            /* single process (memcpy) */
	bool sized;            /* figures depend on the message size */
	size_t max_size;       /* largest message (0 = BENCH_MAX_SIZE) */
	int (*setup)(struct bench_job *j);    /* parent, before fork */
	int (*a_init)(struct bench_job *j);   /* core A, after fork */
	int (*b_init)(struct bench_job *j);   /* core B, after fork */
	/* core B, optional: prepare for a phase of n messages before core A may start */
	int (*b_arm)(struct bench_job *j, uint64_t n);
	int (*a_rtt)(struct bench_job *j, uint64_t n, uint64_t *samples);
	int (*b_echo)(struct bench_job *j, uint64_t n);
	int (*a_send)(struct bench_job *j, uint64_t n);
	int (*b_recv)(struct bench_job *j, uint64_t n, uint64_t *t_last);
	/* optional: this side's transport counters (called before *_fini) */
	void (*counters)(struct bench_job *j, struct bench_counters *out);
	void (*a_fini)(struct bench_job *j);
	void (*b_fini)(struct bench_job *j);
	void (*teardown)(struct bench_job *j); /* parent, after the child exited */
};

struct bench_job {
	const struct bench_impl *impl;
	enum bench_kind kind;
	size_t size;
	unsigned reps;
	double duration;  /* seconds per cell (warm-up excluded), when count == 0 */
	uint64_t count;   /* messages per repetition, 0 = from duration */
	int cpu_a, cpu_b; /* -1: not pinned */
	struct bench_ctl *ctl;
	char tag[96];     /* unique prefix for region names */
	void *priv;       /* mechanism state (may live in shared memory) */
	uint8_t *buf;     /* private message buffer of the running side */
	uint8_t *rbuf;    /* private receive buffer */
	int is_b;
	uint64_t deadline; /* A: stop the phase early after this time (ns; 0 = never) */
	uint64_t sent;     /* A: messages (round trips) the phase really had */
};

/* One measured cell. */
struct bench_fig {
	char id[64];
	const struct bench_impl *impl; /* what measured it (for re-measuring) */
	const char *transport, *mode;
	enum bench_kind kind;
	size_t size;
	bool ok;
	char error[96];
	/* round trip, ns */
	double med, p99, p999, max;
	/* throughput */
	double msgs_s, mb_s;
	double spread_pct; /* (max - min) / median of the per-repetition figures */
	unsigned reps;
	uint64_t samples;
	double cl_before, cl_after; /* cache-line round trip around the cell (ns, 0 = not taken) */
	bool placement_changed;
	unsigned redone;
	struct bench_counters ca, cb; /* transport counters of core A and core B */
	/* RTT histogram source (kept for --plot) */
	uint64_t *raw;
	uint64_t nraw;
};

/*
 * A phase has a time budget, so a machine that slows down mid-run cannot make
 * a cell last minutes. Core A's loops call bench_a_last(j, i) before sending
 * message i: when it returns true, message i is the last one of the phase and
 * the peer has been told so (ctl->stop_at) before it is sent. Core B's loops
 * stop once bench_b_stop(j, received) says so.
 */
static inline bool bench_a_last(struct bench_job *j, uint64_t i)
{
	if ((i & 63) != 63 || j->deadline == 0) {
		return false;
	}
	if (bench_now() <= j->deadline) {
		return false;
	}
	j->sent = i + 1;
	if (j->ctl != NULL) {
		__atomic_store_n(&j->ctl->stop_at, i + 1, __ATOMIC_RELEASE);
	}
	return true;
}

static inline bool bench_b_stop(const struct bench_job *j, uint64_t received)
{
	return received >= __atomic_load_n(&j->ctl->stop_at, __ATOMIC_ACQUIRE);
}

/* Runs one cell; fills @p f. */
int bench_run(const struct bench_impl *impl, enum bench_kind kind, size_t size, unsigned reps,
	      double duration, uint64_t count, int cpu_a, int cpu_b, bool keep_raw,
	      struct bench_fig *f);

/* Helpers for mechanisms. */
/* One step of a spin wait (lets the sibling hyperthread run). */
static inline void bench_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ volatile("" ::: "memory");
#endif
}

void bench_fill(uint8_t *b, size_t n, uint64_t seq);
int bench_pick_cpus(int *a, int *b);
void bench_pin(int cpu);

/* Baselines and transports. */
extern const struct bench_impl bench_cacheline, bench_ring, bench_futex, bench_pipe,
	bench_unix_stream, bench_unix_seqpacket, bench_memcpy;
/* amplink transports available in this build (NULL-terminated). */
extern const struct bench_impl *const bench_amplink_impls[];

#endif /* AMP_BENCH_H */
