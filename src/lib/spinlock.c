/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cross-core spinlocks in shared memory: a ticket lock and Peterson's lock.
 *
 * Memory ordering. Every shared word is accessed with relaxed 32-bit atomics
 * (plain aligned LDR/STR on Cortex-M, so the Peterson path needs no exclusive
 * instructions) and the ordering comes from explicit amp_port_mb() full
 * barriers (DMB on Arm, MFENCE on x86). A full barrier is heavier than the
 * acquire/release a ticket lock strictly needs, but it also orders accesses to
 * device and non-cacheable memory, which C11 orderings do not promise, and it
 * keeps one rule for both algorithms: barrier after taking, barrier before
 * releasing. Each barrier below says which reordering it forbids.
 *
 * Cache maintenance. The lock should live in non-cacheable memory. In case it
 * does not, every write to a word is followed by a clean of that word and every
 * read of a word the peer writes is preceded by an invalidate, so the peer's
 * view is current; on coherent hosts both are no-ops.
 */
#include "amp_log.h"

#include <amplink/errno.h>
#include <amplink/port.h>
#include <amplink/spinlock.h>

#include <stdbool.h>

_Static_assert(sizeof(struct amp_spinlock) == AMP_SPINLOCK_SIZE, "lock is one 64-byte line");
_Static_assert(_Alignof(struct amp_spinlock) == AMP_SPINLOCK_SIZE, "lock is line aligned");
_Static_assert(offsetof(struct amp_spinlock, kind) == 0x00, "layout");
_Static_assert(offsetof(struct amp_spinlock, holder) == 0x04, "layout");
_Static_assert(offsetof(struct amp_spinlock, next) == 0x08, "layout");
_Static_assert(offsetof(struct amp_spinlock, serving) == 0x0c, "layout");
_Static_assert(offsetof(struct amp_spinlock, want) == 0x10, "layout");
_Static_assert(offsetof(struct amp_spinlock, turn) == 0x18, "layout");
_Static_assert(offsetof(struct amp_spinlock, reserved) == 0x1c, "layout");
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the shared lock words are little-endian; big-endian cores need byte swaps"
#endif

/* The ticket lock needs a lock-free 32-bit read-modify-write. Cores without
 * exclusives (Cortex-M0/M0+, ARMv6-M) would need a library emulation that is
 * not atomic against the other core anyway, so there the ticket kind is
 * compiled out and only Peterson remains. */
#if defined(__GCC_ATOMIC_INT_LOCK_FREE) && __GCC_ATOMIC_INT_LOCK_FREE == 2
#define AMP_SPINLOCK_HAVE_TICKET 1
#else
#define AMP_SPINLOCK_HAVE_TICKET 0
#endif

/* Polls between two looks at the clock in amp_spinlock_lock_timeout(). */
#define AMP_SPINLOCK_POLLS_PER_CLOCK 64u

/* Spins after which a waiter gives its CPU away once (~50 us of PAUSE on a
 * current x86). Real cores are never descheduled, but on Linux each "core" is
 * a process: when the party we wait for is preempted on our CPU, pure spinning
 * burns the rest of our time slice per hand-over, and a zero sleep lets it run
 * (on bare metal the sleep is a no-op). The sleep is not free (timer slack
 * makes it up to ~50 us), so the threshold sits far above what a hand-over
 * between two running cores costs (a few hundred ns); at 128 ordinary
 * scheduling jitter set it off and the sleeps snowballed. */
#define AMP_SPINLOCK_SPINS_BEFORE_YIELD 1024u

/* One step of a wait loop: true when the caller should yield now. */
static bool amp_sl_spin_should_yield(uint32_t *spins)
{
	if (++*spins % AMP_SPINLOCK_SPINS_BEFORE_YIELD == 0) {
		return true;
	}
	amp_port_cpu_relax();
	return false;
}

static void amp_sl_spin(uint32_t *spins)
{
	if (amp_sl_spin_should_yield(spins)) {
		amp_port_sleep_us(0);
	}
}

static uint32_t amp_sl_load(const uint32_t *word)
{
	amp_port_dcache_invalidate(word, sizeof(*word));
	return __atomic_load_n(word, __ATOMIC_RELAXED);
}

static void amp_sl_store(uint32_t *word, uint32_t val)
{
	__atomic_store_n(word, val, __ATOMIC_RELAXED);
	amp_port_dcache_clean(word, sizeof(*word));
}

static bool amp_sl_kind_ok(uint32_t kind)
{
	return kind == AMP_SPINLOCK_TICKET || kind == AMP_SPINLOCK_PETERSON;
}

static bool amp_sl_party_ok(uint32_t kind, unsigned int party)
{
	return kind == AMP_SPINLOCK_PETERSON ? party <= 1u : party <= AMP_SPINLOCK_MAX_PARTY;
}

int amp_spinlock_init(struct amp_spinlock *lock, enum amp_spinlock_kind kind)
{
	if (lock == NULL || ((uintptr_t)lock % AMP_SPINLOCK_SIZE) != 0 ||
	    !amp_sl_kind_ok((uint32_t)kind)) {
		return AMP_EINVAL;
	}
	if (!AMP_SPINLOCK_HAVE_TICKET && kind == AMP_SPINLOCK_TICKET) {
		return AMP_ENOTSUP;
	}
	amp_sl_store(&lock->kind, 0);
	amp_sl_store(&lock->holder, 0);
	amp_sl_store(&lock->next, 0);
	amp_sl_store(&lock->serving, 0);
	amp_sl_store(&lock->want[0], 0);
	amp_sl_store(&lock->want[1], 0);
	amp_sl_store(&lock->turn, 0);
	for (size_t i = 0; i < sizeof(lock->reserved) / sizeof(lock->reserved[0]); i++) {
		amp_sl_store(&lock->reserved[i], 0);
	}
	/* The free state must be visible before the kind word that announces
	 * it: a peer seeing the kind must not read stale tickets or flags. */
	amp_port_mb();
	amp_sl_store(&lock->kind, (uint32_t)kind);
	amp_port_mb();
	return 0;
}

/* ---- ticket lock ------------------------------------------------------ */

#if AMP_SPINLOCK_HAVE_TICKET

static uint32_t amp_ticket_take(struct amp_spinlock *lock)
{
	/* The fetch-and-add is the only read-modify-write of the ticket lock;
	 * its atomicity across cores is what the global monitor provides. */
	uint32_t mine = __atomic_fetch_add(&lock->next, 1u, __ATOMIC_RELAXED);
	amp_port_dcache_clean(&lock->next, sizeof(lock->next));
	return mine;
}

static bool amp_ticket_try(struct amp_spinlock *lock)
{
	uint32_t serving = amp_sl_load(&lock->serving);
	uint32_t next = amp_sl_load(&lock->next);
	if (next != serving) {
		return false; /* held, or others queue: never overtake them */
	}
	/* Claim ticket `serving` only if nobody drew it meanwhile. `serving`
	 * cannot move while next == serving (nobody holds the lock), so a
	 * successful exchange means our ticket is the one being served. */
	bool won = __atomic_compare_exchange_n(&lock->next, &next, serving + 1u, false,
					       __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	amp_port_dcache_clean(&lock->next, sizeof(lock->next));
	return won;
}

static void amp_ticket_release(struct amp_spinlock *lock)
{
	/* Only the holder writes `serving`, so load + store needs no RMW. */
	uint32_t serving = amp_sl_load(&lock->serving);
	amp_sl_store(&lock->serving, serving + 1u);
}
#else
static uint32_t amp_ticket_take(struct amp_spinlock *lock)
{
	(void)lock;
	return 0;
}

static bool amp_ticket_try(struct amp_spinlock *lock)
{
	(void)lock;
	return false;
}
#endif

/* ---- Peterson's lock -------------------------------------------------- */

/* Announces interest and gives the peer priority on a tie. */
static void amp_peterson_enter(struct amp_spinlock *lock, unsigned int me)
{
	amp_sl_store(&lock->want[me], 1u);
	/* want[me] must be visible before turn: a peer that sees our turn
	 * write but not yet our interest could enter while we enter too. */
	amp_port_mb();
	amp_sl_store(&lock->turn, 1u - me);
	/* Store->load: our want/turn must be globally visible before we read
	 * the peer's want. This is the reordering every store buffer does
	 * (x86 TSO included) and the one Peterson cannot survive. */
	amp_port_mb();
}

static bool amp_peterson_may_enter(struct amp_spinlock *lock, unsigned int me)
{
	uint32_t other = 1u - me;
	uint32_t want = amp_sl_load(&lock->want[other]);
	uint32_t turn = amp_sl_load(&lock->turn);
	/* Any nonzero want counts as interest; any turn other than the peer's
	 * id counts as ours, so a corrupt word cannot make both sides wait. */
	return want == 0 || turn != other;
}

static void amp_peterson_leave(struct amp_spinlock *lock, unsigned int me)
{
	amp_sl_store(&lock->want[me], 0);
}

/* ---- common ----------------------------------------------------------- */

/* Barrier after taking: no load or store of the critical section may be
 * performed before the lock was observed taken. */
static void amp_sl_taken(struct amp_spinlock *lock, unsigned int party)
{
	amp_port_mb();
	amp_sl_store(&lock->holder, party + 1u);
}

uint32_t amp_spinlock_lock(struct amp_spinlock *lock, unsigned int party)
{
	if (lock == NULL || party > AMP_SPINLOCK_MAX_PARTY) {
		amp_port_assert_failed(__FILE__, __LINE__, "lock != NULL && party <= 254");
	}
	uint32_t key = amp_port_irq_lock();
	bool reported = false;
	uint32_t spins = 0;
	for (;;) {
		uint32_t kind = amp_sl_load(&lock->kind);
		if (kind == AMP_SPINLOCK_TICKET && AMP_SPINLOCK_HAVE_TICKET) {
			/* First spin without a ticket, taking the lock
			 * only when it is free and nobody queues: a waiter
			 * that is preempted now holds nobody up. Only after
			 * the spin budget do we queue, and from then on
			 * the wait is first come, first served. */
			bool won = false;
			while (!won && spins < AMP_SPINLOCK_SPINS_BEFORE_YIELD) {
				won = amp_ticket_try(lock);
				if (!won) {
					amp_sl_spin(&spins);
				}
			}
			if (won) {
				break;
			}
			uint32_t mine = amp_ticket_take(lock);
			/* Our ticket is drawn: we must wait for it, a ticket
			 * cannot be given back without stalling those behind. */
			while (amp_sl_load(&lock->serving) != mine) {
				amp_sl_spin(&spins);
			}
			break;
		}
		if (kind == AMP_SPINLOCK_PETERSON && party <= 1u) {
			amp_peterson_enter(lock, party);
			while (!amp_peterson_may_enter(lock, party)) {
				if (amp_sl_spin_should_yield(&spins)) {
					/* Sleeping with want set would give a
					 * peer that runs on our CPU priority it
					 * must then wait out; withdraw for the
					 * sleep (always safe) and re-announce. */
					amp_peterson_leave(lock, party);
					amp_port_sleep_us(0);
					amp_peterson_enter(lock, party);
				}
			}
			break;
		}
		/* Not initialised yet, corrupt, a kind this core cannot take
		 * part in, or Peterson with a party id beyond 1 (the kind word
		 * is the peer's to write, so this is no assertion): as if the
		 * peer held it. */
		if (!reported && kind != 0) {
			AMP_LOGE("spinlock %p: %s kind 0x%08x, waiting",
				 (void *)lock, amp_sl_kind_ok(kind) ? "unsupported" : "corrupt",
				 (unsigned)kind);
			reported = true;
		}
		amp_sl_spin(&spins);
	}
	amp_sl_taken(lock, party);
	return key;
}

int amp_spinlock_trylock(struct amp_spinlock *lock, unsigned int party, uint32_t *key)
{
	if (lock == NULL || key == NULL) {
		return AMP_EINVAL;
	}
	uint32_t kind = amp_sl_load(&lock->kind);
	if (!amp_sl_kind_ok(kind)) {
		return AMP_EPROTO;
	}
	if (!AMP_SPINLOCK_HAVE_TICKET && kind == AMP_SPINLOCK_TICKET) {
		return AMP_ENOTSUP;
	}
	if (!amp_sl_party_ok(kind, party)) {
		return AMP_EINVAL;
	}
	uint32_t k = amp_port_irq_lock();
	bool won;
	if (kind == AMP_SPINLOCK_TICKET) {
		won = amp_ticket_try(lock);
	} else {
		amp_peterson_enter(lock, party);
		won = amp_peterson_may_enter(lock, party);
		if (!won) {
			/* Withdrawing is safe at any point: to the peer it
			 * looks like an unlock that never had a lock. */
			amp_peterson_leave(lock, party);
		}
	}
	if (!won) {
		amp_port_irq_unlock(k);
		return AMP_EBUSY;
	}
	amp_sl_taken(lock, party);
	*key = k;
	return 0;
}

int amp_spinlock_lock_timeout(struct amp_spinlock *lock, unsigned int party, int64_t timeout_us,
			      uint32_t *key)
{
	if (lock == NULL || key == NULL || party > AMP_SPINLOCK_MAX_PARTY) {
		return AMP_EINVAL;
	}
	uint64_t deadline = 0;
	if (timeout_us > 0) {
		deadline = amp_port_now_ns() + (uint64_t)timeout_us * 1000u;
	}
	uint32_t spins = 0;
	for (uint32_t polls = 0;; polls++) {
		int err = amp_spinlock_trylock(lock, party, key);
		if (err == 0 || err == AMP_EINVAL || err == AMP_ENOTSUP) {
			return err;
		}
		if (timeout_us == AMP_NO_WAIT) {
			return AMP_ETIMEDOUT;
		}
		if (timeout_us > 0 && polls % AMP_SPINLOCK_POLLS_PER_CLOCK == 0 &&
		    amp_port_now_ns() >= deadline) {
			return AMP_ETIMEDOUT;
		}
		amp_sl_spin(&spins);
	}
}

void amp_spinlock_unlock(struct amp_spinlock *lock, unsigned int party, uint32_t key)
{
	if (lock == NULL) {
		amp_port_assert_failed(__FILE__, __LINE__, "lock != NULL");
	}
	uint32_t holder = amp_sl_load(&lock->holder);
	if (holder != party + 1u) {
		AMP_LOGE("spinlock %p: unlock by party %u but holder word is %u",
			 (void *)lock, party, (unsigned)holder);
	}
	amp_sl_store(&lock->holder, 0);
	/* Barrier before releasing: every load and store of the critical
	 * section must be complete before the peer can see the lock free. */
	amp_port_mb();
	uint32_t kind = amp_sl_load(&lock->kind);
	if (kind == AMP_SPINLOCK_TICKET && AMP_SPINLOCK_HAVE_TICKET) {
#if AMP_SPINLOCK_HAVE_TICKET
		amp_ticket_release(lock);
#endif
	} else if (kind == AMP_SPINLOCK_PETERSON && party <= 1u) {
		amp_peterson_leave(lock, party);
	} else {
		AMP_LOGE("spinlock %p: kind 0x%08x corrupt at unlock",
			 (void *)lock, (unsigned)kind);
	}
	amp_port_irq_unlock(key);
}

int amp_spinlock_holder(const struct amp_spinlock *lock)
{
	if (lock == NULL) {
		return AMP_EINVAL;
	}
	amp_port_dcache_invalidate(lock, sizeof(*lock));
	uint32_t kind = __atomic_load_n(&lock->kind, __ATOMIC_RELAXED);
	uint32_t holder = __atomic_load_n(&lock->holder, __ATOMIC_RELAXED);
	if (!amp_sl_kind_ok(kind) || holder > AMP_SPINLOCK_MAX_PARTY + 1u ||
	    (kind == AMP_SPINLOCK_PETERSON && holder > 2u)) {
		return AMP_EPROTO;
	}
	return holder == 0 ? AMP_ENOENT : (int)(holder - 1u);
}
