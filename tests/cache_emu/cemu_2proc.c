/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "cemu_2proc.h"

#include <amplink/port.h>

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct cemu_board *cemu_board;

bool cemu_barrier(int id, uint32_t phase, int timeout_ms)
{
	__atomic_store_n(&cemu_board->done[id], phase, __ATOMIC_SEQ_CST);
	const uint64_t until = cemu_ms() + (uint64_t)timeout_ms;
	while (__atomic_load_n(&cemu_board->done[1 - id], __ATOMIC_SEQ_CST) < phase) {
		if (cemu_ms() > until) {
			return false;
		}
		usleep(1000);
	}
	return true;
}

uint64_t cemu_ms(void)
{
	return amp_port_now_ns() / 1000000u;
}

void cemu_name(char *buf, size_t len, const char *tag)
{
	static unsigned n;
	snprintf(buf, len, "cemu-%d-%u-%s", (int)getpid(), n++, tag);
}

void cemu_print(const char *what, const struct cemu_result res[2])
{
	for (int i = 0; i < 2; i++) {
		const struct cemu_result *r = &res[i];
		print_message("[%s] core %d: rc %d sent %u received %u bad %u errors %u | "
			      "clean %llu inval %llu wb %llu fetch %llu evict %llu dropped %llu "
			      "hazards %llu (discard %llu clobber %llu)%s%s\n",
			      what, i, r->rc, r->sent, r->received, r->bad, r->errors,
			      (unsigned long long)r->emu.clean_calls,
			      (unsigned long long)r->emu.invalidate_calls,
			      (unsigned long long)r->emu.lines_written_back,
			      (unsigned long long)r->emu.lines_fetched,
			      (unsigned long long)r->emu.evictions,
			      (unsigned long long)r->emu.dropped_calls,
			      (unsigned long long)r->emu.hazards, (unsigned long long)r->emu.discards,
			      (unsigned long long)r->emu.clobbers, r->note[0] ? " | " : "", r->note);
	}
}

struct cemu_child {
	pid_t pid;
	int fd;
};

static struct cemu_child cemu_spawn(int id, cemu_role_fn role, const void *arg,
				    const struct amp_cache_emu_cfg *emu, int timeout_ms)
{
	int p[2];
	assert_int_equal(pipe(p), 0);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(p[0]);
		alarm((unsigned)(timeout_ms / 1000 + 10)); /* never outlive the test */
		static struct cemu_result res;
		memset(&res, 0, sizeof(res));
		if (emu != NULL) {
			struct amp_cache_emu_cfg c = *emu;
			c.seed = c.seed * 2u + (uint64_t)id; /* different draws per core */
			if (amp_cache_emu_enable(&c) != 0) {
				_exit(3);
			}
		} else if (amp_cache_emu_disable() != 0) {
			_exit(3);
		}
		role(id, arg, &res);
		(void)amp_cache_emu_get_stats(&res.emu);
		if (write(p[1], &res, sizeof(res)) != (ssize_t)sizeof(res)) {
			_exit(4);
		}
		_exit(0);
	}
	close(p[1]);
	return (struct cemu_child){ .pid = pid, .fd = p[0] };
}

static bool cemu_collect(struct cemu_child *ch, uint64_t deadline, struct cemu_result *res)
{
	size_t got = 0;
	while (got < sizeof(*res)) {
		uint64_t now = cemu_ms();
		if (now >= deadline) {
			return false;
		}
		struct pollfd pfd = { .fd = ch->fd, .events = POLLIN };
		int r = poll(&pfd, 1, (int)(deadline - now));
		if (r < 0 && errno == EINTR) {
			continue;
		}
		if (r <= 0) {
			return false;
		}
		ssize_t n = read(ch->fd, (uint8_t *)res + got, sizeof(*res) - got);
		if (n <= 0) {
			return false; /* exited without a report */
		}
		got += (size_t)n;
	}
	return true;
}

int cemu_run_pair(cemu_role_fn role, const void *arg, const struct amp_cache_emu_cfg *emu,
		  int timeout_ms, struct cemu_result res[2])
{
	if (cemu_board == NULL) {
		void *b = mmap(NULL, sizeof(*cemu_board), PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		assert_true(b != MAP_FAILED);
		cemu_board = b;
	}
	memset((void *)cemu_board, 0, sizeof(*cemu_board));
	struct cemu_child ch[2];
	for (int i = 0; i < 2; i++) {
		ch[i] = cemu_spawn(i, role, arg, emu, timeout_ms);
	}
	const uint64_t deadline = cemu_ms() + (uint64_t)timeout_ms;
	int rc = 0;
	for (int i = 0; i < 2; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		if (!cemu_collect(&ch[i], deadline, &res[i])) {
			memset(&res[i], 0, sizeof(res[i]));
			res[i].rc = -1;
			snprintf(res[i].note, sizeof(res[i].note), "no report (timeout or crash)");
			rc = -1;
		}
	}
	for (int i = 0; i < 2; i++) {
		/* A child that reported is exiting; one that did not is killed. */
		int status = 0;
		if (res[i].rc == -1) {
			kill(ch[i].pid, SIGKILL);
		}
		uint64_t until = cemu_ms() + 5000u;
		while (waitpid(ch[i].pid, &status, WNOHANG) == 0) {
			if (cemu_ms() > until) {
				kill(ch[i].pid, SIGKILL);
				(void)waitpid(ch[i].pid, &status, 0);
				break;
			}
			usleep(2000);
		}
		close(ch[i].fd);
	}
	return rc;
}
