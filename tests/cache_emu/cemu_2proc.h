/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Two-process harness of the cache-emulator tests: forks two "cores" that run
 * a role function, each with its own emulated caches, and collects a result
 * record from each over a pipe. Children are killed and reaped on every path;
 * alarm() is their backstop. Also the message format shared by the streams.
 */
#ifndef CEMU_2PROC_H
#define CEMU_2PROC_H

#include <amplink/cache_emu.h>
#include "test_msg.h" /* the stream's self-checking messages */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** What one core reports back. */
struct cemu_result {
	int rc;                 /* 0 = the role ran to its end (not: "data was right") */
	uint32_t sent;
	uint32_t received;
	uint32_t bad;           /* wrong length/content/sequence */
	uint32_t errors;        /* transport errors (negative returns, error callbacks) */
	uint32_t known;         /* hazards of a known, reported issue (test-defined) */
	struct amp_cache_emu_stats emu;
	char note[160];
};

/** A small board both cores see coherently (not a region: plain shared
 *  anonymous memory set up by the harness), for "I am done" flags. */
struct cemu_board {
	volatile uint32_t done[2];
};

/** The board of the running pair (valid in the children). */
extern struct cemu_board *cemu_board;

/** Barrier: core @p id reached @p phase (1, 2, ...); waits up to @p timeout_ms
 *  for the other core to reach it too; true if it did. */
bool cemu_barrier(int id, uint32_t phase, int timeout_ms);

/** A role: core @p id (0 or 1) of a pair; fills @p res; runs in the child. */
typedef void (*cemu_role_fn)(int id, const void *arg, struct cemu_result *res);

/**
 * Runs @p role in two children (core 0 and core 1) with the emulator enabled
 * as @p emu says (NULL = off). Returns 0 when both reported within
 * @p timeout_ms, else -1 (children killed, results with rc = -1).
 */
int cemu_run_pair(cemu_role_fn role, const void *arg, const struct amp_cache_emu_cfg *emu,
		  int timeout_ms, struct cemu_result res[2]);

/** Unique region name "cemu-<pid>-<n>-<tag>" into @p buf. */
void cemu_name(char *buf, size_t len, const char *tag);

/** Prints both results as one line each (cmocka's print_message). */
void cemu_print(const char *what, const struct cemu_result res[2]);

/** Monotonic milliseconds. */
uint64_t cemu_ms(void);

#endif /* CEMU_2PROC_H */
