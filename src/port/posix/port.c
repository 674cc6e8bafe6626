/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The posix port: Linux processes and threads.
 *
 * Shared memory between processes on one host is cache-coherent, so cache
 * maintenance is a no-op here; barriers are real. "Interrupts" are played by
 * each process's doorbell thread (drivers/mbox/linux): irq_lock holds it off
 * with a nesting lock (below) and in_isr is a thread-local flag it sets while it
 * runs callbacks.
 */
#define _GNU_SOURCE
/* This file defines the out-of-line maintenance functions as well. */
#define AMP_PORT_DCACHE_OUT_OF_LINE 1
#include "cache_emu_internal.h"

#include <amplink/errno.h>
#include <amplink/port.h>
#include <amplink/port_posix.h>

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

void amp_port_mb(void)
{
#if defined(__x86_64__)
	/* A locked read-modify-write of a stack word orders every earlier load
	 * and store before every later one on ordinary write-back memory (all
	 * a Linux process shares), at a quarter of MFENCE's cost on current
	 * cores; the Linux kernel's smp_mb() is the same instruction.
	 * Non-temporal stores are fenced by whoever issues them (glibc's
	 * memcpy ends such loops with SFENCE). */
	__asm__ volatile("lock addl $0, -4(%%rsp)" ::: "memory", "cc");
#else
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
#endif
}

void amp_port_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
	__asm__ volatile("yield" ::: "memory");
#else
	__asm__ volatile("" ::: "memory");
#endif
}

/* Both the gated entry points (called by the inline maintenance of code built
 * with AMP_PORT_DCACHE_GATED, only while the emulator is on) and the plain
 * out-of-line functions (code built without it) end here. @p caller is the
 * code that asked, named in the emulator's hazard reports. */
static void amp_posix_clean(const volatile void *addr, size_t len, const void *caller)
{
	if (amp_cemu_is_on()) {
		amp_cemu_clean(addr, len, caller);
	}
}

static void amp_posix_invalidate(const volatile void *addr, size_t len, const void *caller)
{
	if (amp_cemu_is_on()) {
		amp_cemu_invalidate(addr, len, caller);
	}
}

void amp_port_dcache_clean_gated(const volatile void *addr, size_t len)
{
	amp_posix_clean(addr, len, __builtin_return_address(0));
}

void amp_port_dcache_invalidate_gated(const volatile void *addr, size_t len)
{
	amp_posix_invalidate(addr, len, __builtin_return_address(0));
}

/* Coherent host: nothing to write back, unless the non-coherent cache
 * emulator (cache_emu.c) is on; off, this is one predictable branch. */
void amp_port_dcache_clean(const volatile void *addr, size_t len)
{
	amp_posix_clean(addr, len, __builtin_return_address(0));
}

void amp_port_dcache_invalidate(const volatile void *addr, size_t len)
{
	amp_posix_invalidate(addr, len, __builtin_return_address(0));
}

/* ---- interrupts ------------------------------------------------------- */

/*
 * The "interrupt mask" of a process: a lock word shared by its threads plus a
 * per-thread nesting depth, so a nested lock (a callback sending, a send from
 * inside an irq-locked section) costs no atomic at all and the outermost pair
 * costs one compare-and-swap and one exchange on an uncontended word. Word:
 * 0 free, 1 held, 2 held with (possible) sleepers. Only the outermost unlock
 * of the owning thread releases it, so callbacks never run concurrently with
 * an irq-locked section of another thread of this process.
 */
static uint32_t amp_posix_irq_word;
static _Thread_local uint32_t amp_posix_irq_depth;
static _Thread_local bool amp_posix_isr_flag;

static void amp_posix_irq_acquire(void)
{
	if (amp_posix_irq_depth++ != 0) {
		return;
	}
	uint32_t c = 0;
	if (__atomic_compare_exchange_n(&amp_posix_irq_word, &c, 1, false, __ATOMIC_ACQUIRE,
					__ATOMIC_RELAXED)) {
		return;
	}
	/* Contended: a short spin (the holder is usually a pass of a few
	 * microseconds), then sleep on the word marked "sleepers". */
	for (int i = 0; i < 100; i++) {
		amp_port_cpu_relax();
		c = 0;
		if (__atomic_load_n(&amp_posix_irq_word, __ATOMIC_RELAXED) == 0 &&
		    __atomic_compare_exchange_n(&amp_posix_irq_word, &c, 1, false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			return;
		}
	}
	while (__atomic_exchange_n(&amp_posix_irq_word, 2, __ATOMIC_ACQUIRE) != 0) {
		syscall(SYS_futex, &amp_posix_irq_word, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0);
	}
}

static void amp_posix_irq_release(void)
{
	if (--amp_posix_irq_depth != 0) {
		return;
	}
	if (__atomic_exchange_n(&amp_posix_irq_word, 0, __ATOMIC_RELEASE) == 2) {
		syscall(SYS_futex, &amp_posix_irq_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	}
}

uint32_t amp_port_irq_lock(void)
{
	amp_posix_irq_acquire();
	return 1;
}

void amp_port_irq_unlock(uint32_t key)
{
	(void)key;
	amp_posix_irq_release();
}

bool amp_port_in_isr(void)
{
	return amp_posix_isr_flag;
}

void amp_posix_isr_enter(void)
{
	amp_posix_irq_acquire();
	amp_posix_isr_flag = true;
}

void amp_posix_isr_exit(void)
{
	amp_posix_isr_flag = false;
	amp_posix_irq_release();
}

/* ---- time ------------------------------------------------------------- */

uint64_t amp_port_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void amp_port_sleep_us(uint32_t us)
{
	struct timespec ts = { .tv_sec = us / 1000000u, .tv_nsec = (long)(us % 1000000u) * 1000 };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
	}
}

/* ---- events: a latching word + a process-shared futex ------------------ */

static long amp_futex(volatile uint32_t *word, int op, uint32_t val, const struct timespec *ts)
{
	return syscall(SYS_futex, word, op, val, ts, NULL, 0);
}

void amp_port_event_init(struct amp_event *ev)
{
	__atomic_store_n(&ev->word, 0, __ATOMIC_RELEASE);
}

int amp_port_event_wait(struct amp_event *ev, int64_t timeout_us)
{
	uint64_t deadline = 0;
	if (timeout_us > 0) {
		deadline = amp_port_now_ns() + (uint64_t)timeout_us * 1000u;
	}
	for (;;) {
		if (__atomic_exchange_n(&ev->word, 0, __ATOMIC_ACQ_REL) != 0) {
			return 0;
		}
		if (timeout_us == AMP_NO_WAIT) {
			return AMP_ETIMEDOUT;
		}
		struct timespec ts, *tsp = NULL;
		if (timeout_us > 0) {
			uint64_t now = amp_port_now_ns();
			if (now >= deadline) {
				return AMP_ETIMEDOUT;
			}
			uint64_t left = deadline - now;
			ts.tv_sec = (time_t)(left / 1000000000u);
			ts.tv_nsec = (long)(left % 1000000000u);
			tsp = &ts;
		}
		/* Sleeps only while the word is still 0: a post in between makes
		 * the kernel return EAGAIN at once. */
		amp_futex(&ev->word, FUTEX_WAIT, 0, tsp);
	}
}

void amp_port_event_post(struct amp_event *ev)
{
	if (__atomic_exchange_n(&ev->word, 1, __ATOMIC_ACQ_REL) == 0) {
		amp_futex(&ev->word, FUTEX_WAKE, 1, NULL);
	}
}

/* ---- diagnostics ------------------------------------------------------ */

static int amp_posix_log_level(void)
{
	static int level = -1;
	if (level < 0) {
		const char *env = getenv("AMP_LOG_LEVEL");
		level = env ? atoi(env) : AMP_LOG_WRN;
	}
	return level;
}

void amp_port_log(int level, const char *fmt, ...)
{
	static const char *const names[] = { "ERR", "WRN", "INF", "DBG" };
	if (level > amp_posix_log_level()) {
		return;
	}
	char line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "amplink[%d] %s: %s\n", (int)getpid(),
		names[level < 0 ? 0 : (level > 3 ? 3 : level)], line);
}

void amp_port_assert_failed(const char *file, int line, const char *expr)
{
	fprintf(stderr, "amplink[%d] assertion failed: %s at %s:%d\n", (int)getpid(), expr, file,
		line);
	abort();
}
