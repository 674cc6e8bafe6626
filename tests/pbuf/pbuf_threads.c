/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Writer and reader on two threads at once: every message must arrive
 * exactly once, in order, intact, through many wrap-arounds, using both the
 * copying and the zero-copy read. Bounded by a wall-clock deadline.
 */
#define _POSIX_C_SOURCE 200809L
#include "pbuf_tests.h"

#include <amplink/errno.h>
#include <amplink/pbuf.h>

#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

/* Whole test, all configurations: well inside the 60 s CTest timeout even on
 * a loaded machine under ASan. */
#define DEADLINE_S 25.0

struct shared_run {
	struct amp_pbuf_cfg cfg;
	struct amp_pbuf tx;
	struct amp_pbuf rx;
	double deadline;
	int writer_rc;
	uint32_t written;
	uint32_t msgs;
	_Atomic int stop; /* the reader gave up: the writer must not wait for it */
};

static double mono_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Message i: length from i, first 4 bytes the sequence number, then a pattern. */
static size_t msg_len(uint32_t i, uint32_t maxp)
{
	uint32_t l = 4u + (i * 2654435761u >> 7) % (maxp - 3u);
	return l;
}

static void msg_fill(uint8_t *b, size_t n, uint32_t i)
{
	memcpy(b, &i, 4);
	for (size_t k = 4; k < n; k++) {
		b[k] = (uint8_t)(i + k * 7u);
	}
}

static void *writer(void *arg)
{
	struct shared_run *s = arg;
	const uint32_t maxp = s->tx.len - 8u;
	uint8_t *b = malloc(maxp);
	s->writer_rc = 0;
	for (uint32_t i = 0; i < s->msgs && b != NULL; i++) {
		size_t n = msg_len(i, maxp);
		msg_fill(b, n, i);
		int rc;
		while ((rc = amp_pbuf_write(&s->tx, b, n)) == AMP_ENOMEM) {
			if (mono_s() > s->deadline || s->stop) {
				s->writer_rc = AMP_ETIMEDOUT;
				free(b);
				return NULL;
			}
			sched_yield();
		}
		if (rc != (int)n) {
			s->writer_rc = rc < 0 ? rc : AMP_EBADMSG;
			break;
		}
		s->written = i + 1u;
	}
	free(b);
	return NULL;
}

static void run_concurrent(uint32_t size, uint32_t align, bool hs, uint32_t msgs, double deadline)
{
	struct shared_run *s = calloc(1, sizeof(*s));
	assert_non_null(s);
	void *mem = NULL;
	assert_int_equal(posix_memalign(&mem, 64, size), 0);
	s->cfg.region = mem;
	s->cfg.size = size;
	s->cfg.dcache_align = align;
	s->cfg.handshake = hs;
	assert_int_equal(amp_pbuf_tx_init(&s->tx, &s->cfg), 0);
	assert_int_equal(amp_pbuf_rx_init(&s->rx, &s->cfg), 0);
	s->deadline = deadline;
	s->msgs = msgs;

	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, writer, s), 0);
	const uint32_t maxp = s->rx.len - 8u;
	uint8_t *b = malloc(maxp), *w = malloc(maxp);
	assert_non_null(b);
	assert_non_null(w);
	uint32_t got = 0;
	int bad = 0;
	while (got < msgs && bad == 0 && mono_s() < s->deadline) {
		size_t want = msg_len(got, maxp);
		int rc;
		if (got % 3u == 2u) {
			const volatile uint8_t *p1, *p2;
			size_t n1, n2;
			rc = amp_pbuf_read_peek(&s->rx, &p1, &n1, &p2, &n2);
			if (rc > 0) {
				for (size_t k = 0; k < n1; k++) {
					b[k] = p1[k];
				}
				for (size_t k = 0; k < n2; k++) {
					b[n1 + k] = p2[k];
				}
				if (amp_pbuf_read_release(&s->rx, (size_t)rc) != 0) {
					bad = 1;
				}
			}
		} else {
			rc = amp_pbuf_read(&s->rx, b, maxp);
		}
		if (rc == 0) {
			sched_yield();
			continue;
		}
		msg_fill(w, want, got);
		if (rc != (int)want || memcmp(b, w, want) != 0) {
			fprintf(stderr, "pbuf threads: message %u: rc %d want %zu\n", got, rc, want);
			bad = 1;
			break;
		}
		got++;
	}
	s->stop = 1;
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(bad, 0);
	assert_int_equal(s->writer_rc, 0);
	assert_int_equal(got, msgs);
	assert_int_equal(amp_pbuf_read(&s->rx, b, maxp), 0);
	free(b);
	free(w);
	free(mem);
	free(s);
}

void test_pbuf_threads(void **state)
{
	(void)state;
	const double deadline = mono_s() + DEADLINE_S;
	run_concurrent(64, 0, false, 20000, deadline); /* tiny ring: constant full/empty edges */
	run_concurrent(256, 8, true, 50000, deadline);
	run_concurrent(4096, 64, false, 100000, deadline);
}
