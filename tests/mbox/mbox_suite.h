/* SPDX-License-Identifier: Apache-2.0 */
/*
 * MBOX/IPM semantics tests shared by every driver: each test program supplies
 * an environment that opens a pair of devices wired back to back and makes
 * pending signals run, and runs the same tests on it.
 *
 * Pair layout: 4 channels; A sends on 0 and 2 and receives on 1 and 3; B is the
 * mirror image. With IPM ID_IN_DATA, A's IPM channel is 0 and B's is 1.
 */
#ifndef AMP_TEST_MBOX_SUITE_H
#define AMP_TEST_MBOX_SUITE_H

#include <amplink/mbox.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct CMUnitTest;

struct mbox_env {
	const char *name;
	/* Open a fresh pair with this MTU and IPM mode; 0 or an AMP_E* code. */
	int (*open)(struct amp_mbox **a, struct amp_mbox **b, int mtu, uint8_t ipm_mode);
	void (*close)(void);
	/* Give pending signals for @p rx a chance to run (poll, or nothing). */
	void (*settle)(struct amp_mbox *rx);
	/* Delivery happens in another thread: "nothing arrived" needs a pause. */
	bool async;
	/* amp_ipm_send(wait=1) can complete (someone takes the message meanwhile). */
	bool ipm_wait_completes;
};

/* The environment the suite runs against (set before running the group). */
extern const struct mbox_env *mbox_env;

/* The shared tests, and their number. */
const struct CMUnitTest *mbox_suite_tests(size_t *count);

#endif /* AMP_TEST_MBOX_SUITE_H */
