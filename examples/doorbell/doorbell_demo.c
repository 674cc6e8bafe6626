/* SPDX-License-Identifier: Apache-2.0 */
/*
 * doorbell-demo: two "cores" (processes) ring an amplink doorbell back and
 * forth and report the round-trip time.
 *
 *   doorbell-demo [-n COUNT] [-m irq|adaptive|poll]
 *       forks the second core itself;
 *   doorbell-demo -r initiator|responder -R REGION [-n COUNT] [-m MODE]
 *       runs one core, for starting the two by hand (in either order).
 */
#define _GNU_SOURCE
#include "pingpong.h"

#include <amplink/errno.h>
#include <amplink/shm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(void)
{
	fprintf(stderr, "usage: doorbell-demo [-n COUNT] [-m irq|adaptive|poll]\n"
			"       doorbell-demo -r initiator|responder -R REGION [-n COUNT] [-m MODE]\n");
}

static int parse_mode(const char *s, enum amp_mbox_linux_wait *w)
{
	if (strcmp(s, "irq") == 0) {
		*w = AMP_MBOX_LINUX_WAIT_IRQ;
	} else if (strcmp(s, "adaptive") == 0) {
		*w = AMP_MBOX_LINUX_WAIT_ADAPTIVE;
	} else if (strcmp(s, "poll") == 0) {
		*w = AMP_MBOX_LINUX_WAIT_POLL;
	} else {
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct pp_opts o = { .kind = PP_AMPLINK, .wait = AMP_MBOX_LINUX_WAIT_IRQ, .count = 10000,
			     .cpu = { -1, -1 } };
	const char *mode = "irq";
	const char *role = NULL;
	char region[64];
	snprintf(region, sizeof(region), "amp-doorbell-demo-%d", (int)getpid());
	o.region = region;
	int c;
	while ((c = getopt(argc, argv, "n:m:r:R:h")) != -1) {
		switch (c) {
		case 'n':
			o.count = atoi(optarg);
			break;
		case 'm':
			mode = optarg;
			if (parse_mode(optarg, &o.wait) != 0) {
				usage();
				return 2;
			}
			break;
		case 'r':
			role = optarg;
			break;
		case 'R':
			o.region = optarg;
			break;
		default:
			usage();
			return c == 'h' ? 0 : 2;
		}
	}
	if (o.count < 1 || o.count > 10000000) {
		usage();
		return 2;
	}
	o.warmup = o.count >= 1000 ? 100 : 0;

	struct pp_result r;
	memset(&r, 0, sizeof(r));
	int ret;
	if (role == NULL) {
		ret = pp_run(&o, &r);
	} else if (strcmp(role, "initiator") == 0) {
		ret = pp_side(&o, 0, &r);
		/* The responder has answered everything, so it has the region
		 * mapped already: the name can go. */
		struct amp_shm_cfg sc = { .name = o.region, .size = AMP_MBOX_LINUX_REGION_SIZE };
		amp_shm_remove(&sc);
	} else if (strcmp(role, "responder") == 0) {
		ret = pp_side(&o, 1, &r);
		if (ret == 0) {
			printf("doorbell-demo: answered %d rings\n", o.count + o.warmup);
		}
		return ret == 0 ? 0 : 1;
	} else {
		usage();
		return 2;
	}
	if (ret != 0 || r.done != o.count) {
		fprintf(stderr, "doorbell-demo: failed (%d of %d round trips)\n", r.done, o.count);
		return 1;
	}
	printf("doorbell-demo: %d round trips between two processes (%s mode)\n", r.done, mode);
	printf("  round trip: median %.2f us, p99 %.2f us (min %.2f, mean %.2f)\n",
	       (double)r.median_ns / 1000.0, (double)r.p99_ns / 1000.0, (double)r.min_ns / 1000.0,
	       (double)r.mean_ns / 1000.0);
	if (role == NULL) {
		printf("  futex wakes issued: %llu by the initiator, %llu by the responder\n",
		       (unsigned long long)r.wakes[0], (unsigned long long)r.wakes[1]);
	} else {
		printf("  futex wakes issued by this side: %llu\n", (unsigned long long)r.wakes[0]);
	}
	return 0;
}
