/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Child-process helpers for two-process tests (header-only, test code).
 *
 * A child runs one function and _exit()s with its result, so it never returns
 * into cmocka. Children die with the test program (PR_SET_PDEATHSIG), and the
 * parent always reaps them: amp_proc_wait() kills a child that overstays its
 * time, so a hung child fails the test instead of hanging it.
 */
#ifndef AMP_TEST_PROC_H
#define AMP_TEST_PROC_H

#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Exit code a child uses to say "cannot test this here" (as automake does). */
#define AMP_PROC_SKIP 77
/* Status amp_proc_wait() reports for a child killed by a signal or timeout. */
#define AMP_PROC_KILLED (-1)

static inline uint64_t amp_proc_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Seconds after which a child kills itself should the parent's bounded wait
 * fail too; long (soak) runs raise it. */
static unsigned amp_proc_backstop_s = 60;

/* Forks; the child runs fn(arg) and exits with its return value (0..255).
 * Returns the child's pid, or -1. */
static inline pid_t amp_proc_spawn(int (*fn)(void *), void *arg)
{
	pid_t parent = getpid();
	fflush(NULL);
	pid_t pid = fork();
	if (pid != 0) {
		return pid;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent) {
		_exit(AMP_PROC_KILLED & 0xff);
	}
	alarm(amp_proc_backstop_s);
	_exit(fn(arg) & 0xff);
}

/* Waits up to timeout_ms for pid; kills and reaps it if it overstays.
 * Returns its exit code, or AMP_PROC_KILLED if it died by a signal or timed out. */
static inline int amp_proc_wait(pid_t pid, unsigned timeout_ms)
{
	if (pid <= 0) {
		return AMP_PROC_KILLED;
	}
	uint64_t deadline = amp_proc_now_ms() + timeout_ms;
	for (;;) {
		int status;
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid) {
			return WIFEXITED(status) ? WEXITSTATUS(status) : AMP_PROC_KILLED;
		}
		if (r < 0 && errno != EINTR) {
			return AMP_PROC_KILLED;
		}
		if (amp_proc_now_ms() >= deadline) {
			fprintf(stderr, "child %ld overstayed %u ms: killed\n", (long)pid, timeout_ms);
			kill(pid, SIGKILL);
			while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
			}
			return AMP_PROC_KILLED;
		}
		struct timespec ts = { 0, 2 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
}

/* Kills and reaps every pid in pids[0..n) that is still running (error paths). */
static inline void amp_proc_kill_all(const pid_t *pids, int n)
{
	for (int i = 0; i < n; i++) {
		if (pids[i] > 0) {
			kill(pids[i], SIGKILL);
			while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR) {
			}
		}
	}
}

#endif /* AMP_TEST_PROC_H */
