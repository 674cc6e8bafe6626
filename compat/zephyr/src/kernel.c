/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Kernel services of the compatibility layer: sleeping, time, semaphores,
 * mutexes, spinlocks and printk, all over the amplink port.
 */
#if defined(__linux__)
#define _GNU_SOURCE
#endif

#include <amplink/port.h>
#include <amplink/spinlock.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <zephyr/kernel.h>
#include <zephyr/spinlock.h>

#if defined(__linux__)
#include <sched.h>
#endif
#if defined(AMP_PORT_BAREMETAL)
#include <amplink/port_baremetal.h>
#endif

#ifndef CONFIG_AMP_CORE_ID
#define CONFIG_AMP_CORE_ID 0
#endif

int32_t k_msleep(int32_t ms)
{
	if (ms > 0) {
		amp_port_sleep_us((uint32_t)ms * 1000u);
	}
	return 0;
}

int32_t k_usleep(int32_t us)
{
	if (us > 0) {
		amp_port_sleep_us((uint32_t)us);
	}
	return 0;
}

int32_t k_sleep(k_timeout_t t)
{
	if (t.ticks < 0) {
		for (;;) {
			amp_port_sleep_us(1000000u);
		}
	}
	for (int64_t left = t.ticks; left > 0; left -= 1000000) {
		amp_port_sleep_us(left > 1000000 ? 1000000u : (uint32_t)left);
	}
	return 0;
}

void k_busy_wait(uint32_t us)
{
	uint64_t end = amp_port_now_ns() + (uint64_t)us * 1000u;

	while (amp_port_now_ns() < end) {
		amp_port_cpu_relax();
	}
}

int64_t k_uptime_get(void)
{
	static uint64_t origin;

	if (origin == 0) {
		origin = amp_port_now_ns();
	}
	return (int64_t)((amp_port_now_ns() - origin) / 1000000u);
}

uint32_t k_uptime_get_32(void)
{
	return (uint32_t)k_uptime_get();
}

void k_yield(void)
{
#if defined(__linux__)
	sched_yield();
#endif
}

bool k_is_in_isr(void)
{
	return amp_port_in_isr();
}

void printk(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
#if defined(AMP_PORT_BAREMETAL)
	{
		/* the board console, without newlib's stdio */
		char line[160];
		int n = amp_bm_vsnprintf(line, sizeof(line), fmt, ap);

		if (n > 0) {
			amp_bm_console_write(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
		}
	}
#else
	vprintf(fmt, ap);
	fflush(stdout);
#endif
	va_end(ap);
}

/* ---- semaphores -------------------------------------------------------- */

int k_sem_init(struct k_sem *sem, unsigned int initial_count, unsigned int limit)
{
	if (sem == NULL || limit == 0 || initial_count > limit) {
		return -EINVAL;
	}
	sem->count = initial_count;
	sem->limit = limit;
	amp_port_event_init(&sem->ev);
	return 0;
}

static bool sem_try(struct k_sem *sem)
{
	uint32_t c = __atomic_load_n(&sem->count, __ATOMIC_ACQUIRE);

	while (c > 0) {
		if (__atomic_compare_exchange_n(&sem->count, &c, c - 1, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE)) {
			return true;
		}
	}
	return false;
}

int k_sem_take(struct k_sem *sem, k_timeout_t timeout)
{
	uint64_t deadline;

	if (sem == NULL) {
		return -EINVAL;
	}
	if (sem_try(sem)) {
		return 0;
	}
	if (timeout.ticks == 0) {
		return -EBUSY;
	}
	deadline = amp_port_now_ns() + (uint64_t)timeout.ticks * 1000u;
	for (;;) {
		int64_t left_us = AMP_FOREVER;

		if (timeout.ticks > 0) {
			uint64_t now = amp_port_now_ns();

			if (now >= deadline) {
				return -EAGAIN;
			}
			left_us = (int64_t)((deadline - now + 999u) / 1000u);
		}
		/* The event latches a give that lands between the try and the
		 * wait, so no wake-up is lost. */
		(void)amp_port_event_wait(&sem->ev, left_us);
		if (sem_try(sem)) {
			return 0;
		}
	}
}

void k_sem_give(struct k_sem *sem)
{
	uint32_t c;

	if (sem == NULL) {
		return;
	}
	c = __atomic_load_n(&sem->count, __ATOMIC_ACQUIRE);
	while (c < sem->limit &&
	       !__atomic_compare_exchange_n(&sem->count, &c, c + 1, false, __ATOMIC_ACQ_REL,
					    __ATOMIC_ACQUIRE)) {
	}
	amp_port_event_post(&sem->ev);
}

unsigned int k_sem_count_get(struct k_sem *sem)
{
	return sem == NULL ? 0u : __atomic_load_n(&sem->count, __ATOMIC_ACQUIRE);
}

void k_sem_reset(struct k_sem *sem)
{
	if (sem != NULL) {
		__atomic_store_n(&sem->count, 0u, __ATOMIC_RELEASE);
	}
}

/* ---- mutexes ----------------------------------------------------------- */

/* Identity of the calling thread: the address of a thread-local byte on
 * Linux; a single thread on bare metal. */
static uintptr_t current_thread(void)
{
#if defined(__linux__)
	static _Thread_local char self;

	return (uintptr_t)&self;
#else
	return 1u;
#endif
}

int k_mutex_init(struct k_mutex *mutex)
{
	if (mutex == NULL) {
		return -EINVAL;
	}
	mutex->owner = 0;
	mutex->lock_count = 0;
	return 0;
}

int k_mutex_lock(struct k_mutex *mutex, k_timeout_t timeout)
{
	uintptr_t me = current_thread();
	uint64_t deadline;

	if (mutex == NULL) {
		return -EINVAL;
	}
	if (__atomic_load_n(&mutex->owner, __ATOMIC_ACQUIRE) == me) {
		mutex->lock_count++;
		return 0;
	}
	deadline = amp_port_now_ns() + (uint64_t)(timeout.ticks > 0 ? timeout.ticks : 0) * 1000u;
	for (unsigned int spins = 0;; spins++) {
		uintptr_t expect = 0;

		if (__atomic_compare_exchange_n(&mutex->owner, &expect, me, false, __ATOMIC_ACQUIRE,
						__ATOMIC_RELAXED)) {
			mutex->lock_count = 1;
			return 0;
		}
		if (timeout.ticks == 0) {
			return -EBUSY;
		}
		if (timeout.ticks > 0 && amp_port_now_ns() >= deadline) {
			return -EAGAIN;
		}
		/* Short sections are the rule: spin a little, then back off. */
		if (spins < 100u) {
			amp_port_cpu_relax();
		} else {
			amp_port_sleep_us(50);
		}
	}
}

int k_mutex_unlock(struct k_mutex *mutex)
{
	if (mutex == NULL || mutex->lock_count == 0) {
		return -EINVAL;
	}
	if (__atomic_load_n(&mutex->owner, __ATOMIC_ACQUIRE) != current_thread()) {
		return -EPERM;
	}
	if (--mutex->lock_count == 0) {
		__atomic_store_n(&mutex->owner, (uintptr_t)0, __ATOMIC_RELEASE);
	}
	return 0;
}

/* ---- spinlocks ----------------------------------------------------------- */

/* A zeroed struct amp_spinlock is a free ticket lock except for its kind word;
 * claim the kind atomically so any core may be first, and nobody re-initialises
 * a lock that is in use. */
static void spin_adopt(struct k_spinlock *l)
{
	uint32_t zero = 0;

	if (__atomic_load_n(&l->lock.kind, __ATOMIC_ACQUIRE) == 0) {
		(void)__atomic_compare_exchange_n(&l->lock.kind, &zero, (uint32_t)AMP_SPINLOCK_TICKET,
						  false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
		amp_port_dcache_clean(&l->lock.kind, sizeof(l->lock.kind));
	}
}

k_spinlock_key_t k_spin_lock(struct k_spinlock *l)
{
	k_spinlock_key_t k;

	spin_adopt(l);
	k.key = amp_spinlock_lock(&l->lock, CONFIG_AMP_CORE_ID);
	return k;
}

int k_spin_trylock(struct k_spinlock *l, k_spinlock_key_t *k)
{
	uint32_t key = 0;
	int rc;

	if (l == NULL || k == NULL) {
		return -EINVAL;
	}
	spin_adopt(l);
	rc = amp_spinlock_trylock(&l->lock, CONFIG_AMP_CORE_ID, &key);
	if (rc != 0) {
		return -EBUSY;
	}
	k->key = key;
	return 0;
}

void k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key)
{
	amp_spinlock_unlock(&l->lock, CONFIG_AMP_CORE_ID, key.key);
}
