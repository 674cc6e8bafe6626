/* SPDX-License-Identifier: Apache-2.0 */
/*
 * doorbell-bench: the amplink doorbell against the ordinary Linux mechanisms,
 * measured in one run with one method (pingpong.h): two processes, pinned to
 * two different CPUs when there are at least two, round trips timed by the
 * initiator. Variants run in interleaved rounds so that a change in machine
 * load hits all of them alike; each figure is the median over the rounds of
 * that round's median (and its p99), and each ratio the median of the
 * per-round ratios. "sleeps/rt" says how often the two sides really slept
 * per round trip (2 = both sides, every time): a raw futex ping-pong can fall
 * into a regime where each side is still inside its own FUTEX_WAKE when the
 * answer arrives, so nobody sleeps and it measures system-call overhead, not
 * a wake-up; the irq ratio is taken only over rounds where both slept alike.
 *
 *   amplink irq      vs  raw futex ping-pong        (target: within 1.1x)
 *   amplink adaptive         (informational: spins SPIN_US before sleeping)
 *   amplink poll     vs  raw cache-line ping-pong   (target: within 1.5x)
 *
 *   doorbell-bench [-n COUNT] [-r ROUNDS] [-s SPIN_US] [-o VARIANTS]
 *
 * VARIANTS is a comma-separated subset of spin,futex,irq,adaptive,poll (a
 * ratio is printed only when its baseline ran too).
 */
#define _GNU_SOURCE
#include "pingpong.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { V_SPIN, V_FUTEX, V_IRQ, V_ADAPTIVE, V_POLL, V_COUNT };

static const char *const v_key[V_COUNT] = { "spin", "futex", "irq", "adaptive", "poll" };

static const char *const v_name[V_COUNT] = {
	"raw cache-line ping-pong", "raw futex ping-pong", "amplink doorbell, irq",
	"amplink doorbell, adaptive", "amplink doorbell, poll",
};

#define MAX_ROUNDS 9

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : (x > y ? 1 : 0);
}

static int cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : (x > y ? 1 : 0);
}

int main(int argc, char **argv)
{
	int count = 10000, rounds = 5;
	uint32_t spin_us = 50;
	bool want[V_COUNT] = { true, true, true, true, true };
	int c;
	while ((c = getopt(argc, argv, "n:r:s:o:h")) != -1) {
		switch (c) {
		case 'n':
			count = atoi(optarg);
			break;
		case 'r':
			rounds = atoi(optarg);
			break;
		case 's':
			spin_us = (uint32_t)atoi(optarg);
			break;
		case 'o':
			for (int v = 0; v < V_COUNT; v++) {
				want[v] = strstr(optarg, v_key[v]) != NULL;
			}
			break;
		default:
			fprintf(stderr, "usage: doorbell-bench [-n COUNT] [-r ROUNDS] [-s SPIN_US] "
					"[-o spin,futex,irq,adaptive,poll]\n");
			return c == 'h' ? 0 : 2;
		}
	}
	if (count < 10 || rounds < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "doorbell-bench: COUNT >= 10, 1 <= ROUNDS <= %d\n", MAX_ROUNDS);
		return 2;
	}
	int cpus = pp_cpus();
	char region[64];
	snprintf(region, sizeof(region), "amp-doorbell-bench-%d", (int)getpid());
	struct pp_opts o = { .count = count, .warmup = count / 10, .region = region,
			     .spin_us = spin_us, .cpu = { -1, -1 } };
	if (cpus >= 2) {
		o.cpu[0] = 0;
		o.cpu[1] = 1;
	}
	printf("doorbell-bench: %d round trips x %d rounds per variant, %d CPUs usable, %s\n",
	       count, rounds, cpus,
	       cpus >= 2 ? "sides pinned to two different CPUs" : "both sides on one CPU");

	uint64_t med[V_COUNT][MAX_ROUNDS], p99[V_COUNT][MAX_ROUNDS];
	double spr[V_COUNT][MAX_ROUNDS]; /* sleeps per round trip, both sides together */
	for (int round = 0; round < rounds; round++) {
		for (int v = 0; v < V_COUNT; v++) {
			if (!want[v]) {
				continue;
			}
			o.kind = v == V_SPIN ? PP_SPIN : (v == V_FUTEX ? PP_FUTEX : PP_AMPLINK);
			o.wait = v == V_POLL ? AMP_MBOX_LINUX_WAIT_POLL
					     : (v == V_ADAPTIVE ? AMP_MBOX_LINUX_WAIT_ADAPTIVE
								: AMP_MBOX_LINUX_WAIT_IRQ);
			struct pp_result r;
			memset(&r, 0, sizeof(r));
			if (pp_run(&o, &r) != 0 || r.done != count) {
				fprintf(stderr, "doorbell-bench: %s failed\n", v_name[v]);
				return 1;
			}
			med[v][round] = r.median_ns;
			p99[v][round] = r.p99_ns;
			spr[v][round] = (double)(r.sleeps[0] + r.sleeps[1]) /
					(double)(o.count + o.warmup);
		}
	}
	printf("\n%-28s %10s %10s %9s   %s\n", "round trip", "median us", "p99 us", "sleeps/rt",
	       "ratio (median)");
	for (int v = 0; v < V_COUNT; v++) {
		if (!want[v]) {
			continue;
		}
		uint64_t a[MAX_ROUNDS], b[MAX_ROUNDS];
		double sl[MAX_ROUNDS];
		memcpy(a, med[v], sizeof(uint64_t) * (size_t)rounds);
		memcpy(b, p99[v], sizeof(uint64_t) * (size_t)rounds);
		memcpy(sl, spr[v], sizeof(double) * (size_t)rounds);
		qsort(a, (size_t)rounds, sizeof(uint64_t), cmp_u64);
		qsort(b, (size_t)rounds, sizeof(uint64_t), cmp_u64);
		qsort(sl, (size_t)rounds, sizeof(double), cmp_dbl);
		printf("%-28s %10.3f %10.3f %9.2f", v_name[v], (double)a[rounds / 2] / 1000.0,
		       (double)b[rounds / 2] / 1000.0, sl[rounds / 2]);
		int base = v == V_POLL ? V_SPIN : V_FUTEX;
		if ((v == V_IRQ || v == V_POLL) && want[base]) {
			/* Ratios per round, from rounds where both sides of the
			 * comparison behaved alike: a raw futex ping-pong whose
			 * wakers are slower than the answers never sleeps (each
			 * FUTEX_WAKE finds no waiter), and then it is no sleep/wake
			 * figure to hold the irq mode against. */
			double ratio[MAX_ROUNDS];
			int used = 0;
			for (int round = 0; round < rounds; round++) {
				bool alike = v != V_IRQ ||
					     ((spr[v][round] >= 1.0) == (spr[base][round] >= 1.0));
				if (alike && med[base][round] > 0) {
					ratio[used++] = (double)med[v][round] / (double)med[base][round];
				}
			}
			if (used == 0) {
				printf("   (no round where %s slept like it)", v_name[base]);
			} else {
				qsort(ratio, (size_t)used, sizeof(double), cmp_dbl);
				double r = ratio[used / 2];
				printf("   %.2fx %s", r, v == V_POLL ? "cache-line" : "raw futex");
				if (v == V_IRQ || v == V_POLL) {
					double target = v == V_IRQ ? 1.10 : 1.50;
					printf(" (target <= %.2fx: %s", target, r <= target ? "met" : "NOT met");
					if (used < rounds) {
						printf("; %d of %d rounds alike", used, rounds);
					}
					printf(")");
				}
			}
		}
		printf("\n");
	}
	return 0;
}
