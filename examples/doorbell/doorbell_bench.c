/* SPDX-License-Identifier: Apache-2.0 */
/*
 * doorbell-bench: the amplink doorbell against the ordinary Linux mechanisms,
 * measured in one run with one method (pingpong.h): two processes, pinned to
 * two different CPUs when there are at least two, round trips timed by the
 * initiator. Variants run in interleaved rounds so that a change in machine
 * load hits all of them alike; each figure is the median over the rounds of
 * that round's median (and its p99).
 *
 *   amplink irq      vs  raw futex ping-pong        (target: within 1.1x)
 *   amplink adaptive vs  raw futex ping-pong        (informational)
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
		}
	}
	uint64_t m[V_COUNT] = { 0 }, p[V_COUNT] = { 0 };
	for (int v = 0; v < V_COUNT; v++) {
		if (!want[v]) {
			continue;
		}
		uint64_t a[MAX_ROUNDS], b[MAX_ROUNDS];
		memcpy(a, med[v], sizeof(uint64_t) * (size_t)rounds);
		memcpy(b, p99[v], sizeof(uint64_t) * (size_t)rounds);
		qsort(a, (size_t)rounds, sizeof(uint64_t), cmp_u64);
		qsort(b, (size_t)rounds, sizeof(uint64_t), cmp_u64);
		m[v] = a[rounds / 2];
		p[v] = b[rounds / 2];
	}
	printf("\n%-28s %12s %12s   %s\n", "round trip", "median us", "p99 us", "ratio (median)");
	for (int v = 0; v < V_COUNT; v++) {
		if (!want[v]) {
			continue;
		}
		printf("%-28s %12.3f %12.3f", v_name[v], (double)m[v] / 1000.0, (double)p[v] / 1000.0);
		int base = v == V_POLL ? V_SPIN : V_FUTEX;
		if (v >= V_IRQ && m[base] > 0) {
			double ratio = (double)m[v] / (double)m[base];
			printf("   %.2fx %s", ratio, v == V_POLL ? "cache-line" : "raw futex");
			if (v == V_IRQ) {
				printf(" (target <= 1.10x: %s)", ratio <= 1.10 ? "met" : "NOT met");
			} else if (v == V_POLL) {
				printf(" (target <= 1.50x: %s)", ratio <= 1.50 ? "met" : "NOT met");
			}
		}
		printf("\n");
	}
	return 0;
}
