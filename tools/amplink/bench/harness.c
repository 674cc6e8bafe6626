/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The measurement method shared by every mechanism: fork the second core,
 * pin both, warm up, size the repetitions from the warm-up speed (or take
 * --count), run the repetitions with a handshake in between, and reduce the
 * samples to figures. A watchdog (alarm) turns a hang into a failed cell.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PHASE_STOP 0xffffffffu
#define WARMUP_RTT 1000u
#define WARMUP_TPUT 2000u
#define AMP_BENCH_ENODATA (-61)

uint64_t bench_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void bench_fill(uint8_t *b, size_t n, uint64_t seq)
{
	for (size_t i = 0; i < n; i++) {
		b[i] = (uint8_t)(seq * 31 + i);
	}
}

int bench_pick_cpus(int *a, int *b)
{
	cpu_set_t set;
	*a = *b = -1;
	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		return 0;
	}
	int n = 0;
	for (int c = 0; c < CPU_SETSIZE && n < 2; c++) {
		if (CPU_ISSET(c, &set)) {
			if (n == 0) {
				*a = c;
			} else {
				*b = c;
			}
			n++;
		}
	}
	if (n < 2) {
		*a = *b = -1;
	}
	return n;
}

void bench_pin(int cpu)
{
	if (cpu < 0) {
		return;
	}
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

/* Wait until *p == v (spin briefly, then sleep in small steps). */
static bool wait_eq(volatile uint32_t *p, uint32_t v, double timeout_s, volatile int32_t *err)
{
	uint64_t deadline = bench_now() + (uint64_t)(timeout_s * 1e9);
	for (unsigned i = 0;; i++) {
		if (__atomic_load_n(p, __ATOMIC_ACQUIRE) == v) {
			return true;
		}
		if (err != NULL && *err != 0) {
			return false;
		}
		if (i < 2000) {
			bench_relax();
			continue;
		}
		if (bench_now() > deadline) {
			return false;
		}
		struct timespec ts = { 0, 20000 };
		nanosleep(&ts, NULL);
	}
}

static pid_t watchdog_child;

static void watchdog(int sig)
{
	(void)sig;
	static const char msg[] = "amplink bench: a measurement hung; aborting\n";
	if (watchdog_child > 0) {
		kill(watchdog_child, SIGKILL);
	}
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
		/* nothing more to do */
	}
	_exit(1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static double pct(const uint64_t *s, uint64_t n, double p)
{
	if (n == 0) {
		return 0;
	}
	uint64_t i = (uint64_t)(p * (double)(n - 1) + 0.5);
	return (double)s[i < n ? i : n - 1];
}

static double median_d(double *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		for (unsigned k = i; k > 0 && v[k - 1] > v[k]; k--) {
			double t = v[k];
			v[k] = v[k - 1];
			v[k - 1] = t;
		}
	}
	return n == 0 ? 0 : (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2);
}

static void child_main(struct bench_job *j)
{
	struct bench_ctl *c = j->ctl;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	bench_pin(j->cpu_b);
	j->is_b = 1;
	int rc = j->impl->b_init ? j->impl->b_init(j) : 0;
	if (rc != 0) {
		c->b_error = rc;
		_exit(1);
	}
	__atomic_store_n(&c->b_ready, 1, __ATOMIC_RELEASE);
	uint32_t last = 0;
	for (;;) {
		uint32_t p;
		/* The parent's watchdog bounds this wait. */
		while ((p = __atomic_load_n(&c->phase, __ATOMIC_ACQUIRE)) == last) {
			struct timespec ts = { 0, 10000 };
			nanosleep(&ts, NULL);
		}
		if (p == PHASE_STOP) {
			break;
		}
		last = p;
		uint64_t n = c->count;
		uint64_t t = 0;
		rc = j->impl->b_arm ? j->impl->b_arm(j, n) : 0;
		if (rc != 0) {
			c->b_error = rc;
			_exit(1);
		}
		__atomic_store_n(&c->b_phase, p, __ATOMIC_RELEASE);
		rc = j->kind == BK_RTT ? j->impl->b_echo(j, n) : j->impl->b_recv(j, n, &t);
		if (rc != 0) {
			c->b_error = rc;
			_exit(1);
		}
		c->t_end = t;
		__atomic_store_n(&c->b_done, p, __ATOMIC_RELEASE);
	}
	if (j->impl->counters) {
		j->impl->counters(j, &c->b_counters);
	}
	if (j->impl->b_fini) {
		j->impl->b_fini(j);
	}
	_exit(0);
}

static void fail(struct bench_fig *f, const char *what, int rc)
{
	f->ok = false;
	snprintf(f->error, sizeof(f->error), "%s (%d)", what, rc);
}

static int run_local(struct bench_job *j, struct bench_fig *f)
{
	const struct bench_impl *im = j->impl;
	if (im->a_init && im->a_init(j) != 0) {
		fail(f, "init", -1);
		return -1;
	}
	uint64_t w = j->count ? (j->count < 1000 ? j->count : 1000) : 20000;
	uint64_t t0 = bench_now();
	im->a_send(j, w);
	double per = (double)(bench_now() - t0) / (double)w;
	uint64_t n = j->count;
	if (n == 0) {
		n = (uint64_t)(j->duration * 1e9 / j->reps / (per > 1 ? per : 1));
		n = n < 100 ? 100 : (n > 50000000 ? 50000000 : n);
	}
	double v[BENCH_MAX_REPS] = { 0 };
	for (unsigned r = 0; r < j->reps; r++) {
		t0 = bench_now();
		j->sent = n;
		j->deadline = j->count ? 0 : t0 + (uint64_t)(3.0 * j->duration / j->reps * 1e9);
		im->a_send(j, n);
		double dt = (double)(bench_now() - t0) / 1e9;
		v[r] = (double)j->sent / (dt > 0 ? dt : 1e-9);
	}
	double lo = v[0], hi = v[0];
	for (unsigned r = 1; r < j->reps; r++) {
		lo = v[r] < lo ? v[r] : lo;
		hi = v[r] > hi ? v[r] : hi;
	}
	f->msgs_s = median_d(v, j->reps);
	f->mb_s = f->msgs_s * (double)j->size / 1e6;
	f->spread_pct = f->msgs_s > 0 ? (hi - lo) / f->msgs_s * 100 : 0;
	f->samples = n * j->reps;
	if (im->a_fini) {
		im->a_fini(j);
	}
	f->ok = true;
	return 0;
}

int bench_run(const struct bench_impl *impl, enum bench_kind kind, size_t size, unsigned reps,
	      double duration, uint64_t count, int cpu_a, int cpu_b, bool keep_raw,
	      struct bench_fig *f)
{
	memset(f, 0, sizeof(*f));
	f->impl = impl;
	f->transport = impl->transport;
	f->mode = impl->mode;
	f->kind = kind;
	f->size = impl->sized ? size : 0;
	f->reps = reps;
	if (impl->sized) {
		snprintf(f->id, sizeof(f->id), "%s.%s.%s.%zu", kind == BK_RTT ? "rtt" : "tput",
			 impl->transport, impl->mode, size);
	} else {
		snprintf(f->id, sizeof(f->id), "%s.%s.%s", kind == BK_RTT ? "rtt" : "tput",
			 impl->transport, impl->mode);
	}
	if (reps == 0 || reps > BENCH_MAX_REPS) {
		reps = reps == 0 ? 1 : BENCH_MAX_REPS;
		f->reps = reps;
	}

	static struct bench_job job;
	struct bench_job *j = &job;
	memset(j, 0, sizeof(*j));
	j->impl = impl;
	j->kind = kind;
	j->size = size;
	j->reps = reps;
	j->duration = duration;
	j->count = count;
	j->cpu_a = cpu_a;
	j->cpu_b = cpu_b;
	static unsigned seq;
	snprintf(j->tag, sizeof(j->tag), "amplink-bench-%d-%u", (int)getpid(), seq++);
	j->buf = aligned_alloc(64, BENCH_MAX_SIZE);
	j->rbuf = aligned_alloc(64, BENCH_MAX_SIZE);
	if (j->buf == NULL || j->rbuf == NULL) {
		fail(f, "out of memory", -12);
		free(j->buf);
		free(j->rbuf);
		return -1;
	}
	bench_fill(j->buf, BENCH_MAX_SIZE, 1);
	memset(j->rbuf, 0, BENCH_MAX_SIZE);
	if (impl->local) {
		bench_pin(cpu_a);
		if (impl->setup && impl->setup(j) != 0) {
			fail(f, "setup", -1);
		} else {
			run_local(j, f);
		}
		if (impl->teardown) {
			impl->teardown(j);
		}
		free(j->buf);
		free(j->rbuf);
		return f->ok ? 0 : -1;
	}

	j->ctl = mmap(NULL, sizeof(struct bench_ctl), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (j->ctl == MAP_FAILED) {
		fail(f, "mmap", -errno);
		free(j->buf);
		free(j->rbuf);
		return -1;
	}
	memset(j->ctl, 0, sizeof(*j->ctl));
	struct bench_ctl *c = j->ctl;
	uint64_t *samples = NULL;
	int rc = impl->setup ? impl->setup(j) : 0;
	if (rc != 0) {
		fail(f, "setup", rc);
		goto out_unmap;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fail(f, "fork", -errno);
		goto out_teardown;
	}
	if (pid == 0) {
		child_main(j);
	}
	watchdog_child = pid;
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = watchdog;
	sigaction(SIGALRM, &sa, NULL);
	/* The watchdog only catches hangs: --count runs get a millisecond per message. */
	double lim = 30 + (count != 0 ? (double)count * (reps + 1) / 1000.0 : 4 * duration * reps);
	unsigned limit = (unsigned)(lim > 3600 ? 3600 : lim);
	alarm(limit);
	bench_pin(cpu_a);
	rc = impl->a_init ? impl->a_init(j) : 0;
	if (rc != 0) {
		fail(f, "init", rc);
		goto out_stop;
	}
	if (!wait_eq(&c->b_ready, 1, 10, &c->b_error)) {
		fail(f, "the second core did not start", c->b_error);
		goto out_stop;
	}

	uint64_t warm = kind == BK_RTT ? WARMUP_RTT : WARMUP_TPUT;
	if (count != 0 && count < warm) {
		warm = count;
	}
	double vrep[BENCH_MAX_REPS] = { 0 };
	uint64_t n = 0;
	uint64_t nsamp = 0;
	for (unsigned p = 1; p <= reps + 1; p++) {
		uint64_t cnt = p == 1 ? warm : n;
		c->count = cnt;
		__atomic_store_n(&c->stop_at, UINT64_MAX, __ATOMIC_RELEASE);
		__atomic_store_n(&c->phase, p, __ATOMIC_RELEASE);
		if (!wait_eq(&c->b_phase, p, 10, &c->b_error)) {
			fail(f, "the second core stopped", c->b_error);
			goto out_stop;
		}
		uint64_t t0 = bench_now();
		/* Budget: warm-up 1 s; a repetition three times its share of --duration.
		 * --count is honoured exactly. */
		j->sent = cnt;
		j->deadline = count != 0 ? 0
			      : t0 + (uint64_t)((p == 1 ? 1.0 : 3.0 * duration / reps + 0.02) * 1e9);
		if (kind == BK_RTT) {
			rc = impl->a_rtt(j, cnt, p == 1 ? NULL : samples + nsamp);
		} else {
			rc = impl->a_send(j, cnt);
		}
		if (rc != 0) {
			fail(f, kind == BK_RTT ? "round trip failed" : "send failed", rc);
			goto out_stop;
		}
		if (!wait_eq(&c->b_done, p, 10 + duration * 4, &c->b_error)) {
			fail(f, "the second core did not finish", c->b_error);
			goto out_stop;
		}
		uint64_t t1 = kind == BK_RTT ? bench_now() : c->t_end;
		double dt = t1 > t0 ? (double)(t1 - t0) : 1.0;
		cnt = j->sent < cnt ? j->sent : cnt;
		if (cnt == 0) {
			fail(f, "no message went through", AMP_BENCH_ENODATA);
			goto out_stop;
		}
		if (p == 1) {
			double per = dt / (double)cnt;
			n = count;
			if (n == 0) {
				n = (uint64_t)(duration * 1e9 / reps / per);
				uint64_t cap = kind == BK_RTT ? 1000000 : 20000000;
				n = n < 20 ? 20 : (n > cap ? cap : n);
			}
			if (kind == BK_RTT) {
				samples = malloc(sizeof(uint64_t) * n * reps);
				if (samples == NULL) {
					fail(f, "out of memory", -12);
					goto out_stop;
				}
			}
			continue;
		}
		if (kind == BK_RTT) {
			uint64_t *s = samples + nsamp;
			qsort(s, cnt, sizeof(*s), cmp_u64);
			vrep[p - 2] = pct(s, cnt, 0.5);
			nsamp += cnt;
		} else {
			vrep[p - 2] = (double)cnt / (dt / 1e9);
		}
	}
	double lo = vrep[0], hi = vrep[0];
	for (unsigned r = 1; r < reps; r++) {
		lo = vrep[r] < lo ? vrep[r] : lo;
		hi = vrep[r] > hi ? vrep[r] : hi;
	}
	double mid = median_d(vrep, reps);
	f->spread_pct = mid > 0 ? (hi - lo) / mid * 100 : 0;
	if (kind == BK_RTT) {
		qsort(samples, nsamp, sizeof(*samples), cmp_u64);
		f->med = pct(samples, nsamp, 0.5);
		f->p99 = pct(samples, nsamp, 0.99);
		f->p999 = pct(samples, nsamp, 0.999);
		f->max = (double)samples[nsamp - 1];
		f->samples = nsamp;
		if (keep_raw) {
			f->raw = samples;
			f->nraw = nsamp;
			samples = NULL;
		}
	} else {
		f->msgs_s = mid;
		f->mb_s = mid * (double)size / 1e6;
		f->samples = n * reps;
	}
	f->ok = true;

out_stop:
	__atomic_store_n(&c->phase, PHASE_STOP, __ATOMIC_RELEASE);
	/* Core B shuts down first, so A (the host) does not look like a reset to it. */
	{
		int st = 0;
		uint64_t deadline = bench_now() + 5000000000ull;
		while (waitpid(pid, &st, WNOHANG) == 0) {
			if (bench_now() > deadline) {
				kill(pid, SIGKILL);
				waitpid(pid, &st, 0);
				break;
			}
			struct timespec ts = { 0, 1000000 };
			nanosleep(&ts, NULL);
		}
		if (f->ok && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
			fail(f, "the second core failed", c->b_error);
		}
	}
	if (impl->counters) {
		impl->counters(j, &f->ca);
		f->cb = c->b_counters;
	}
	if (impl->a_fini) {
		impl->a_fini(j);
	}
	alarm(0);
	watchdog_child = 0;
out_teardown:
	if (impl->teardown) {
		impl->teardown(j);
	}
out_unmap:
	free(samples);
	munmap(j->ctl, sizeof(struct bench_ctl));
	free(j->buf);
	free(j->rbuf);
	return f->ok ? 0 : -1;
}
