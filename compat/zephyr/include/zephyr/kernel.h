/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file zephyr/kernel.h
 * @brief The part of Zephyr's kernel API that IPC code uses (amplink
 * compatibility layer): timeouts, sleeping, uptime, semaphores, mutexes,
 * spinlocks and printk.
 *
 * Timeouts count microseconds (one "tick" is 1 us). Semaphores and mutexes
 * are for threads of one core (one process on Linux); k_sem_give() may be
 * called from IPC callbacks (interrupt context). Cross-core exclusion is
 * k_spinlock (zephyr/spinlock.h).
 */
#ifndef AMP_ZEPHYR_KERNEL_H
#define AMP_ZEPHYR_KERNEL_H

#include <amplink/port.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zephyr/spinlock.h>
#include <zephyr/sys/printk.h>
#include <zephyr/sys/util.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A timeout: microseconds, 0 = no wait, -1 = forever. */
typedef struct {
	int64_t ticks;
} k_timeout_t;

#define K_NO_WAIT ((k_timeout_t){0})
#define K_FOREVER ((k_timeout_t){-1})
#define K_USEC(us) ((k_timeout_t){(int64_t)(us)})
#define K_MSEC(ms) ((k_timeout_t){(int64_t)(ms) * 1000})
#define K_SECONDS(s) ((k_timeout_t){(int64_t)(s) * 1000000})
#define K_TIMEOUT_EQ(a, b) ((a).ticks == (b).ticks)

/** @brief The timeout in amplink's microsecond convention (AMP_NO_WAIT / AMP_FOREVER / us). */
static inline int64_t k_timeout_to_us(k_timeout_t t)
{
	return t.ticks < 0 ? AMP_FOREVER : t.ticks;
}

/** @brief Sleep @p ms milliseconds; returns 0. Context: thread. */
int32_t k_msleep(int32_t ms);
/** @brief Sleep @p us microseconds; returns 0. Context: thread. */
int32_t k_usleep(int32_t us);
/** @brief Sleep for @p t (K_FOREVER sleeps forever); returns 0. Context: thread. */
int32_t k_sleep(k_timeout_t t);
/** @brief Busy-wait @p us microseconds. Context: any. */
void k_busy_wait(uint32_t us);
/** @brief Milliseconds since start-up (monotonic). Context: any. */
int64_t k_uptime_get(void);
/** @brief Low 32 bits of k_uptime_get(). Context: any. */
uint32_t k_uptime_get_32(void);
/** @brief Let other threads run. Context: thread. */
void k_yield(void);
/** @brief True in interrupt context (an IPC or mailbox callback). */
bool k_is_in_isr(void);

/** A counting semaphore. Any number of givers; one waiter at a time. */
struct k_sem {
	volatile uint32_t count;
	uint32_t limit;
	struct amp_event ev;
};

#define Z_SEM_INITIALIZER(obj, initial, lim) {(initial), (lim), {0}}
#define K_SEM_DEFINE(name, initial, lim) struct k_sem name = Z_SEM_INITIALIZER(name, initial, lim)
#define K_SEM_MAX_LIMIT UINT32_MAX

/**
 * @brief Initialise a semaphore.
 * @retval 0 done  @retval -EINVAL limit 0 or initial > limit
 */
int k_sem_init(struct k_sem *sem, unsigned int initial_count, unsigned int limit);
/**
 * @brief Take one unit, waiting up to @p timeout.
 * @retval 0 taken  @retval -EBUSY K_NO_WAIT and none available
 * @retval -EAGAIN the timeout expired
 * Context: thread (ISR only with K_NO_WAIT).
 */
int k_sem_take(struct k_sem *sem, k_timeout_t timeout);
/** @brief Give one unit (saturates at the limit). Context: any, ISR included. */
void k_sem_give(struct k_sem *sem);
/** @brief Units available now. Context: any. */
unsigned int k_sem_count_get(struct k_sem *sem);
/** @brief Set the count to zero. Context: any. */
void k_sem_reset(struct k_sem *sem);

/** A recursive mutex for the threads of one core. */
struct k_mutex {
	volatile uintptr_t owner; /**< 0 = free */
	uint32_t lock_count;
};

#define Z_MUTEX_INITIALIZER(obj) {0, 0}
#define K_MUTEX_DEFINE(name) struct k_mutex name = Z_MUTEX_INITIALIZER(name)

/** @brief Initialise a mutex (unlocked); returns 0. */
int k_mutex_init(struct k_mutex *mutex);
/**
 * @brief Lock (recursively), waiting up to @p timeout.
 * @retval 0 locked  @retval -EBUSY K_NO_WAIT and held elsewhere
 * @retval -EAGAIN the timeout expired
 * Context: thread.
 */
int k_mutex_lock(struct k_mutex *mutex, k_timeout_t timeout);
/**
 * @brief Unlock once.
 * @retval 0 done  @retval -EINVAL not locked  @retval -EPERM locked by another thread
 */
int k_mutex_unlock(struct k_mutex *mutex);

#ifdef __cplusplus
}
#endif
#endif /* AMP_ZEPHYR_KERNEL_H */
