/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Run two core programs as two processes (fork+exec) that share regions under
 * one AMPLINK_SHM_PREFIX, with a deadline; kill and reap them on every path.
 * Used by the two-core tests of tests/compat and tests/seed.
 */
#ifndef TWO_CORES_H
#define TWO_CORES_H

#include <stdbool.h>
#include <sys/types.h>

struct core_proc {
	const char *name; /* for messages */
	const char *bin;  /* program to exec */
	pid_t pid;        /* running, else 0 */
	int status;       /* waitpid status once finished */
	char log[512];    /* its stdout+stderr */
};

/* Directory of the region files ($AMPLINK_SHM_DIR, else /dev/shm). */
const char *two_cores_dir(void);

/* Remove every file of the directory whose name starts with @p prefix. */
void two_cores_remove(const char *prefix);

/* Start cores[first], wait @p delay_us, start the other one; wait for both at
 * most @p timeout_s seconds (then SIGKILL). Returns true if both exited 0;
 * otherwise prints the failing cores' output. Logs stay in the region
 * directory under @p prefix: read them, then two_cores_remove(prefix). */
bool two_cores_run(struct core_proc cores[2], const char *prefix, int first,
		   unsigned int delay_us, int timeout_s);

/* The output of a finished core (static buffer, valid until the next call). */
const char *two_cores_log(const struct core_proc *c);

/* True if the core's output contains @p needle. */
bool two_cores_log_has(const struct core_proc *c, const char *needle);

#endif /* TWO_CORES_H */
