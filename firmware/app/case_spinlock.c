/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cross-core spinlock under contention: both cores add 1 to a shared counter
 * N times, each increment a plain (non-atomic) read-modify-write inside the
 * lock. The total is exact only if the lock excludes. Half the acquisitions
 * use amp_spinlock_lock() (the fair path), half amp_spinlock_lock_timeout()
 * so a lock that never frees turns into a failure line, not a hang (a
 * deadlock inside amp_spinlock_lock() is caught by the runner's timeout).
 */
#include <amplink/errno.h>
#include <amplink/port.h>
#include <amplink/spinlock.h>

#include "cases.h"
#include "fw.h"

#define SPIN_ROUNDS 20000u

struct spin_shared {
	struct amp_spinlock lock; /* 64-byte aligned: FW_SCRATCH_ADDR is */
	volatile uint32_t go;     /* core 0: lock initialised */
	volatile uint32_t counter;
	volatile uint32_t done[2];
};
_Static_assert(FW_SCRATCH_ADDR % 64u == 0, "lock alignment");

#define SPIN ((struct spin_shared *)FW_SCRATCH_ADDR)

static int spin_count(unsigned party, struct fw_msg *m, uint64_t *ns)
{
	struct spin_shared *s = SPIN;
	uint64_t t0 = amp_port_now_ns();
	for (uint32_t i = 0; i < SPIN_ROUNDS; i++) {
		uint32_t key;
		if (i & 1u) {
			int r = amp_spinlock_lock_timeout(&s->lock, party, AMP_MSEC(1000), &key);
			if (r != 0) {
				return fw_fail(m, "lock_timeout at %u: %s", (unsigned)i, amp_strerror(r));
			}
		} else {
			key = amp_spinlock_lock(&s->lock, party);
		}
		uint32_t v = s->counter;
		if ((i & 63u) == 0) {
			amp_port_cpu_relax(); /* widen the window a lost update needs */
		}
		s->counter = v + 1u;
		amp_spinlock_unlock(&s->lock, party, key);
	}
	*ns = amp_port_now_ns() - t0;
	amp_port_mb();
	s->done[party] = 1;
	return 0;
}

static int spin_run0(enum amp_spinlock_kind kind, struct fw_msg *m)
{
	struct spin_shared *s = SPIN;
	s->counter = 0;
	s->done[0] = s->done[1] = 0;
	int r = amp_spinlock_init(&s->lock, kind);
	if (r != 0) {
		return fw_fail(m, "init: %s", amp_strerror(r));
	}
	uint32_t key;
	/* trylock semantics while uncontended: succeeds, and the holder shows. */
	if (amp_spinlock_trylock(&s->lock, 0, &key) != 0 || amp_spinlock_holder(&s->lock) != 0) {
		return fw_fail(m, "uncontended trylock");
	}
	amp_spinlock_unlock(&s->lock, 0, key);
	amp_port_mb();
	s->go = 1;
	uint64_t ns = 0;
	r = spin_count(0, m, &ns);
	if (r != 0) {
		return r;
	}
	if (fw_wait_eq(&s->done[1], 1, FW_PATIENCE_MS) != 0) {
		return fw_fail(m, "core 1 did not finish; counter %u", (unsigned)s->counter);
	}
	uint32_t want = 2u * SPIN_ROUNDS;
	if (s->counter != want) {
		return fw_fail(m, "counter %u, expected %u", (unsigned)s->counter, (unsigned)want);
	}
	return fw_note(m, "counter %u exact, %u ns per lock/unlock pair under contention",
		       (unsigned)s->counter, (unsigned)(ns / SPIN_ROUNDS));
}

static int spin_c1(struct fw_msg *m)
{
	struct spin_shared *s = SPIN;
	if (fw_wait_eq(&s->go, 1, FW_PATIENCE_MS) != 0) {
		return fw_fail(m, "lock never initialised");
	}
	uint64_t ns;
	return spin_count(1, m, &ns);
}

static int spin_ticket_c0(struct fw_msg *m)
{
	return spin_run0(AMP_SPINLOCK_TICKET, m);
}

static int spin_peterson_c0(struct fw_msg *m)
{
	return spin_run0(AMP_SPINLOCK_PETERSON, m);
}

const struct fw_case fw_case_spinlock_ticket = { "spinlock_ticket", NULL, spin_ticket_c0,
						 spin_c1, 10000 };
const struct fw_case fw_case_spinlock_peterson = { "spinlock_peterson", NULL,
						   spin_peterson_c0, spin_c1, 10000 };
