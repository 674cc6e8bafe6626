/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file zephyr/spinlock.h
 * @brief k_spinlock over amplink's cross-core lock (amplink compatibility layer).
 *
 * As in Zephyr, a zero-initialised `struct k_spinlock` is a free lock and
 * k_spin_lock() masks local interrupts before taking it. Unlike Zephyr's
 * single-core build, the lock also excludes the other core when the object
 * lives in memory both cores map (e.g. at the start of a `reserved-memory`
 * region from the devicetree): it is amplink's 64-byte ticket lock
 * (amplink/spinlock.h), which the first locker initialises atomically from
 * all-zero memory. Each core records its id (CONFIG_AMP_CORE_ID) as holder
 * for debuggers and `amplink inspect`.
 *
 * Place shared locks on a 64-byte boundary. Not recursive.
 */
#ifndef AMP_ZEPHYR_SPINLOCK_H
#define AMP_ZEPHYR_SPINLOCK_H

#include <amplink/spinlock.h>

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** A spinlock; all-zero = free. 64 bytes, 64-byte aligned. */
struct k_spinlock {
	struct amp_spinlock lock;
};

/** The local interrupt key k_spin_lock() returns. */
typedef struct {
	uint32_t key;
} k_spinlock_key_t;

/**
 * @brief Mask local interrupts and take @p l (waits while another core or
 * context holds it).
 * Context: any, ISR included. Concurrency: one holder across all cores.
 */
k_spinlock_key_t k_spin_lock(struct k_spinlock *l);

/**
 * @brief Take @p l only if free.
 * @retval 0 taken (*k set)  @retval -EBUSY held elsewhere
 */
int k_spin_trylock(struct k_spinlock *l, k_spinlock_key_t *k);

/** @brief Release @p l and restore local interrupts with @p key. Context: any. */
void k_spin_unlock(struct k_spinlock *l, k_spinlock_key_t key);

#ifdef __cplusplus
}
#endif
#endif /* AMP_ZEPHYR_SPINLOCK_H */
