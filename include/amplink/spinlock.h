/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/spinlock.h
 * @brief A cross-core lock that lives in shared memory.
 *
 * Two algorithms share one 64-byte layout; the side that initialises the lock
 * picks one, and both sides then call the same functions:
 *
 *  - AMP_SPINLOCK_TICKET: a fair ticket lock built on atomic
 *    read-modify-write (LDREX/STREX, LOCK XADD). Any number of cores. A
 *    waiter first polls for a free lock without queueing (so a waiter that is
 *    descheduled, as a Linux "core" can be, holds nobody up); after about a
 *    thousand polls it draws a ticket and is then served strictly in order,
 *    so no waiter starves. Needs an interconnect that makes exclusive
 *    accesses to the shared RAM atomic across cores (a global exclusive
 *    monitor).
 *  - AMP_SPINLOCK_PETERSON: Peterson's two-party lock, which needs only
 *    plain aligned 32-bit loads and stores plus full barriers. For exactly two
 *    parties, 0 and 1, e.g. the application core and a Cortex-M0 that has no
 *    exclusives, or a SoC whose shared SRAM has no global monitor. Under
 *    contention the two sides alternate.
 *
 * Like Zephyr's k_spin_lock(), taking the lock first masks the local core's
 * interrupts (amp_port_irq_lock()) and returns that key; unlocking releases
 * the cross-core lock, then restores interrupts with the key. Keep critical
 * sections short: the peer core spins meanwhile.
 *
 * Shared layout (little-endian u32 words, 64-byte aligned, 64 bytes, so it
 * fills a cache line of its own on every common core):
 *
 *   0x00 kind      AMP_SPINLOCK_TICKET / _PETERSON; 0 = not initialised
 *   0x04 holder    party + 1 of the current holder, 0 = free (debugging only)
 *   0x08 next      ticket: next ticket to hand out
 *   0x0c serving   ticket: ticket that may enter now
 *   0x10 want[0]   Peterson: party 0 wants or holds the lock
 *   0x14 want[1]   Peterson: party 1 wants or holds the lock
 *   0x18 turn      Peterson: the party that has priority on a tie
 *   0x1c reserved  zero
 *
 * Place it in memory both cores map non-cacheable (or coherent); the cache
 * maintenance calls around each access are a second line of defence, not a
 * substitute. Trust: a peer that shares a lock can always stall you by never
 * releasing it; use amp_spinlock_trylock() or amp_spinlock_lock_timeout() where
 * the peer may have died. Corrupt words never crash or overrun anything.
 */
#ifndef AMPLINK_SPINLOCK_H
#define AMPLINK_SPINLOCK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Size and alignment of struct amp_spinlock in shared memory. */
#define AMP_SPINLOCK_SIZE 64u

/** Largest party id a ticket lock records (Peterson: 0 and 1 only). */
#define AMP_SPINLOCK_MAX_PARTY 254u

/** The algorithm of a lock, chosen once by amp_spinlock_init(). */
enum amp_spinlock_kind {
	AMP_SPINLOCK_TICKET = 1,   /**< fair, any number of parties, needs atomics */
	AMP_SPINLOCK_PETERSON = 2, /**< two parties (0, 1), plain loads/stores only */
};

/** The lock as it sits in shared memory (see the layout above). Touch it only
 *  through the functions below. */
struct amp_spinlock {
	_Alignas(64) uint32_t kind;
	uint32_t holder;
	uint32_t next;
	uint32_t serving;
	uint32_t want[2];
	uint32_t turn;
	uint32_t reserved[9];
};

/**
 * @brief Initialise @p lock as free, using algorithm @p kind.
 *
 * Exactly one side calls this, before the other side uses the lock (typically
 * the side that created the region, or the devicetree "owner"). The kind word
 * is written last, after a barrier, so a peer that sees it sees a free lock.
 *
 * @param lock  the lock in shared memory; 64-byte aligned
 * @param kind  AMP_SPINLOCK_TICKET or AMP_SPINLOCK_PETERSON
 * @retval 0           initialised
 * @retval AMP_EINVAL  NULL, misaligned, or unknown @p kind
 * @retval AMP_ENOTSUP AMP_SPINLOCK_TICKET on a core without lock-free 32-bit
 *                     atomics (ARMv6-M: Cortex-M0/M0+), where only Peterson is built
 *
 * Context: any. Concurrency: nobody may use the lock meanwhile.
 * Lifetime: the lock is usable until its memory is unmapped.
 */
int amp_spinlock_init(struct amp_spinlock *lock, enum amp_spinlock_kind kind);

/**
 * @brief Mask local interrupts, then wait until this core holds @p lock.
 *
 * Waits without limit, like k_spin_lock(): while the peer holds the lock, and
 * also while the lock is not initialised yet or its kind word is corrupt
 * (reported once per call). Not recursive: taking a lock this core already
 * holds deadlocks. After about a thousand polls a waiter calls
 * amp_port_sleep_us(0) once per thousand polls: a no-op on bare metal, a
 * yield on Linux where the party it waits for may be descheduled.
 *
 * @param lock   an initialised lock
 * @param party  this core's id: 0 or 1 for Peterson, 0..AMP_SPINLOCK_MAX_PARTY
 *               for ticket (recorded in `holder` for debugging); each core
 *               sharing a lock uses a different id
 * @return the amp_port_irq_lock() key, to hand to amp_spinlock_unlock()
 *
 * Context: any, ISR included. Concurrency: at most one holder across all
 * cores; ticket lock hands it out in request order, Peterson alternates under
 * contention. @p party above AMP_SPINLOCK_MAX_PARTY is a programming error
 * (amp_port_assert_failed()); above 1 on a Peterson lock it is reported and
 * waited on like a corrupt kind, because the kind word is shared.
 */
uint32_t amp_spinlock_lock(struct amp_spinlock *lock, unsigned int party);

/**
 * @brief Take @p lock only if that needs no waiting.
 *
 * On success local interrupts stay masked, as after amp_spinlock_lock(); on
 * failure they are restored before returning.
 *
 * @param lock        an initialised lock
 * @param party       as for amp_spinlock_lock()
 * @param[out] key    the irq key, set on success only
 * @retval 0           this core now holds the lock
 * @retval AMP_EBUSY   held by another party, or (Peterson) both sides tried at
 *                     the same instant and this side yielded
 * @retval AMP_EINVAL  NULL argument or bad @p party
 * @retval AMP_EPROTO  the kind word is not a valid kind (not initialised, or
 *                     corrupted by the peer)
 * @retval AMP_ENOTSUP a ticket lock, on a core built without the ticket kind
 *
 * Context: any. Concurrency: as amp_spinlock_lock().
 */
int amp_spinlock_trylock(struct amp_spinlock *lock, unsigned int party, uint32_t *key);

/**
 * @brief Like amp_spinlock_lock() but gives up after @p timeout_us.
 *
 * Retries amp_spinlock_trylock(), so a ticket lock loses its fairness for this
 * caller (it may be overtaken) but never blocks the queue behind it.
 *
 * @param lock        an initialised lock
 * @param party       as for amp_spinlock_lock()
 * @param timeout_us  AMP_NO_WAIT, AMP_FOREVER or microseconds
 * @param[out] key    the irq key, set on success only
 * @retval 0              this core now holds the lock
 * @retval AMP_ETIMEDOUT  still held (or never initialised) when time ran out
 * @retval AMP_EINVAL     NULL argument or bad @p party
 * @retval AMP_ENOTSUP    a ticket lock, on a core built without the ticket kind
 *
 * Context: any; time is read with amp_port_now_ns(). Concurrency: as
 * amp_spinlock_lock().
 */
int amp_spinlock_lock_timeout(struct amp_spinlock *lock, unsigned int party, int64_t timeout_us,
			      uint32_t *key);

/**
 * @brief Release @p lock, then restore local interrupts with @p key.
 *
 * @param lock   a lock this core holds
 * @param party  the id it was taken with
 * @param key    the key its lock call returned; nested locks unlock in reverse
 *               order
 *
 * Context: any. A `holder` word naming someone else is reported (the lock is
 * still released: only the caller knows it holds it).
 */
void amp_spinlock_unlock(struct amp_spinlock *lock, unsigned int party, uint32_t key);

/**
 * @brief Who holds @p lock right now, for debuggers and `amplink inspect`.
 * @retval >=0         the holder's party id (a snapshot; may change at once)
 * @retval AMP_ENOENT  free
 * @retval AMP_EINVAL  NULL
 * @retval AMP_EPROTO  not initialised, or holder/kind words corrupt
 * Context: any. Concurrency: read-only, never waits.
 */
int amp_spinlock_holder(const struct amp_spinlock *lock);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_SPINLOCK_H */
