/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Linux shared-memory doorbell: one side of a mailbox between two processes.
 * This file is the device (send, enable, delivery of one device's pending
 * signals); mbox_linux_irq.c is the process-wide doorbell thread.
 *
 * Ordering, sender:   fill slot -> clean -> barrier -> state = FULL (release)
 *                     -> under the IRQ lock: ring[n]++ -> seq++ (plain
 *                     stores: this side is their only writer) -> full barrier
 *                     -> read the peer's sleeping flag.
 * Ordering, receiver: sleeping = ASLEEP -> full barrier -> re-read seq ->
 *                     sleep while seq and sleeping both still hold what it
 *                     saw (futex_waitv on the two words); scan: seq (acquire)
 *                     -> ring[n] (acquire) -> taken[n] = ring[n] -> invalidate
 *                     slot -> state (acquire) -> copy data out -> callback ->
 *                     state = EMPTY (release).
 * The fenced pair (seq++, read sleeping) against (sleeping = ASLEEP, read
 * seq) is what makes "wake only when asleep" lose no wake-up: at least one
 * side sees the other's store. A ring bumped after the receiver read seq
 * moves seq again, so the next scan finds it.
 */
#define _GNU_SOURCE
#include "mbox_linux_layout.h"

#include "amp_log.h"

#include <amplink/errno.h>
#include <amplink/port.h>
#include <amplink/port_posix.h>

#include <linux/futex.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct amp_mbox_ops amp_mbox_linux_ops;

static struct amp_mbox_linux_region *amp_mbox_linux_region(const struct amp_mbox_linux *drv)
{
	return drv->region;
}

/* The counters bumped here are bumped under the IRQ lock (sends and interrupt
 * context alike; `sleeps` is the doorbell thread's own, see mbox_linux_irq.c),
 * so no read-modify-write; the atomic store lets amp_mbox_linux_stats() read
 * them from any thread. */
static void amp_mbox_linux_count(uint64_t *counter)
{
	__atomic_store_n(counter, __atomic_load_n(counter, __ATOMIC_RELAXED) + 1u, __ATOMIC_RELEASE);
}

/* ---- sending ------------------------------------------------------------ */

static int amp_mbox_linux_fill_slot(struct amp_mbox_linux_slot *slot, const struct amp_mbox_msg *msg)
{
	uint32_t expected = AMP_MBOX_LINUX_SLOT_EMPTY;
	amp_port_dcache_invalidate(&slot->state, sizeof(slot->state));
	/* Claiming the slot by CAS keeps two local senders on one channel from
	 * writing it at once; the peer only ever moves FULL -> EMPTY. */
	if (!__atomic_compare_exchange_n(&slot->state, &expected, AMP_MBOX_LINUX_SLOT_WRITING, false,
					 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		return AMP_EBUSY;
	}
	if (msg->size > 0) {
		memcpy(slot->data, msg->data, msg->size);
	}
	__atomic_store_n(&slot->len, (uint32_t)msg->size, __ATOMIC_RELAXED);
	amp_port_dcache_clean(slot, sizeof(*slot));
	amp_port_mb();
	__atomic_store_n(&slot->state, AMP_MBOX_LINUX_SLOT_FULL, __ATOMIC_RELEASE);
	amp_port_dcache_clean(&slot->state, sizeof(slot->state));
	return 0;
}

static int amp_mbox_linux_send(struct amp_mbox *mbox, uint32_t channel, const struct amp_mbox_msg *msg)
{
	struct amp_mbox_linux *drv = mbox->driver;
	struct amp_mbox_linux_side *peer = &amp_mbox_linux_region(drv)->side[drv->cfg->side ^ 1u];
	if (msg != NULL) {
		int ret = amp_mbox_linux_fill_slot(&peer->slot[channel], msg);
		if (ret < 0) {
			return ret;
		}
	}
	struct amp_mbox_linux_bell *bell = &peer->bell;
	/* Under the IRQ lock (free when the caller, e.g. a transport's send,
	 * holds it already) the counters are plain stores from our private
	 * copies: a read-modify-write, or even a load, of the line the receiver
	 * is polling would cost a barrier or one more transfer of that line. The
	 * one full barrier orders them before the read of the sleeping flag. */
	uint32_t key = amp_port_irq_lock();
	__atomic_store_n(&bell->ring[channel], ++drv->tx_ring[channel], __ATOMIC_RELEASE);
	__atomic_store_n(&bell->seq, ++drv->tx_seq, __ATOMIC_RELEASE);
	amp_port_dcache_clean(bell, sizeof(*bell));
	amp_port_mb();
	/* Plain load first: a receiver that is awake (spinning or busy) costs
	 * neither a system call nor another write to the line. */
	uint32_t asleep = AMP_MBOX_LINUX_ASLEEP;
	if (__atomic_load_n(&bell->sleeping, __ATOMIC_RELAXED) == AMP_MBOX_LINUX_ASLEEP &&
	    __atomic_compare_exchange_n(&bell->sleeping, &asleep, AMP_MBOX_LINUX_WOKEN, false,
					__ATOMIC_SEQ_CST, __ATOMIC_RELAXED)) {
		syscall(SYS_futex, &bell->seq, FUTEX_WAKE, 1, NULL, NULL, 0);
		amp_mbox_linux_count(&drv->stats.wakes);
	}
	amp_mbox_linux_count(&drv->stats.sent);
	amp_port_irq_unlock(key);
	return 0;
}

static int amp_mbox_linux_tx_busy(struct amp_mbox *mbox, uint32_t channel)
{
	struct amp_mbox_linux *drv = mbox->driver;
	struct amp_mbox_linux_side *peer = &amp_mbox_linux_region(drv)->side[drv->cfg->side ^ 1u];
	amp_port_dcache_invalidate(&peer->bell.ring[channel], sizeof(uint32_t));
	amp_port_dcache_invalidate(&peer->taken.taken[channel], sizeof(uint32_t));
	if (__atomic_load_n(&peer->taken.taken[channel], __ATOMIC_ACQUIRE) !=
	    __atomic_load_n(&peer->bell.ring[channel], __ATOMIC_ACQUIRE)) {
		return 1;
	}
	if (mbox->mtu > 0) {
		amp_port_dcache_invalidate(&peer->slot[channel].state, sizeof(uint32_t));
		if (__atomic_load_n(&peer->slot[channel].state, __ATOMIC_ACQUIRE) !=
		    AMP_MBOX_LINUX_SLOT_EMPTY) {
			return 1;
		}
	}
	return 0;
}

/* ---- receiving ------------------------------------------------------------ */

/* Deliver one taken signal: 1 a callback ran, 0 dropped (malformed), -1 not
 * deliverable now (keep it pending). */
static int amp_mbox_linux_deliver(struct amp_mbox_linux *drv, struct amp_mbox_linux_side *own,
				  uint32_t channel)
{
	struct amp_mbox *mbox = drv->mbox;
	if (mbox->mtu <= 0) {
		return amp_mbox_dispatch(mbox, channel, NULL) ? 1 : -1;
	}
	struct amp_mbox_linux_slot *slot = &own->slot[channel];
	amp_port_dcache_invalidate(&slot->state, sizeof(slot->state));
	if (__atomic_load_n(&slot->state, __ATOMIC_ACQUIRE) != AMP_MBOX_LINUX_SLOT_FULL) {
		/* A plain signal, or coalesced with data delivered earlier. */
		return amp_mbox_dispatch(mbox, channel, NULL) ? 1 : -1;
	}
	amp_port_dcache_invalidate(slot, sizeof(*slot));
	uint32_t len = __atomic_load_n(&slot->len, __ATOMIC_RELAXED);
	if (len > (uint32_t)mbox->mtu) {
		/* Free the slot before reporting, so that whoever sees the
		 * report also sees the channel usable again. */
		__atomic_store_n(&slot->state, AMP_MBOX_LINUX_SLOT_EMPTY, __ATOMIC_RELEASE);
		amp_port_dcache_clean(&slot->state, sizeof(slot->state));
		amp_mbox_linux_count(&drv->stats.proto_errors);
		AMP_LOGW("mbox %s: channel %u: peer wrote length %u > MTU %d; dropped", mbox->name,
			 (unsigned)channel, (unsigned)len, mbox->mtu);
		return 0;
	}
	/* A private copy: the peer can rewrite the slot during the callback. */
	uint8_t buf[AMP_MBOX_LINUX_MTU_MAX];
	memcpy(buf, slot->data, len);
	struct amp_mbox_msg msg = { .data = buf, .size = len };
	if (!amp_mbox_dispatch(mbox, channel, &msg)) {
		return -1;
	}
	/* Emptied only after the callback: IPM's "taken" means handled. */
	__atomic_store_n(&slot->state, AMP_MBOX_LINUX_SLOT_EMPTY, __ATOMIC_RELEASE);
	amp_port_dcache_clean(&slot->state, sizeof(slot->state));
	return 1;
}

int amp_mbox_linux_service(struct amp_mbox_linux *drv)
{
	struct amp_mbox *mbox = drv->mbox;
	struct amp_mbox_linux_side *own = &amp_mbox_linux_region(drv)->side[drv->cfg->side];
	amp_port_dcache_invalidate(&own->bell.seq, sizeof(own->bell.seq));
	/* The polling fast path: one load of the peer's line, two of our own. */
	uint32_t seq = __atomic_load_n(&own->bell.seq, __ATOMIC_ACQUIRE);
	if (seq == __atomic_load_n(&drv->seen_seq, __ATOMIC_RELAXED) &&
	    __atomic_load_n(&drv->rescan, __ATOMIC_RELAXED) == 0) {
		return 0;
	}
	int ran = 0;
	amp_posix_isr_enter();
	/* Inside "interrupt context" the ready mask cannot change under us, and
	 * scans of this device (thread, amp_mbox_poll()) are serialised. */
	__atomic_store_n(&drv->rescan, 0, __ATOMIC_RELAXED);
	seq = __atomic_load_n(&own->bell.seq, __ATOMIC_ACQUIRE);
	__atomic_store_n(&drv->seen_seq, seq, __ATOMIC_RELAXED);
	uint32_t ready = amp_mbox_ready_mask(mbox);
	amp_port_dcache_invalidate(own->bell.ring, sizeof(own->bell.ring));
	while (ready != 0) {
		uint32_t channel = (uint32_t)__builtin_ctz(ready);
		ready &= ready - 1;
		uint32_t ring = __atomic_load_n(&own->bell.ring[channel], __ATOMIC_ACQUIRE);
		uint32_t taken = __atomic_load_n(&own->taken.taken[channel], __ATOMIC_RELAXED);
		if (ring == taken) {
			continue;
		}
		/* Taken before the callback: a ring during it is a new signal. */
		__atomic_store_n(&own->taken.taken[channel], ring, __ATOMIC_RELEASE);
		amp_port_dcache_clean(&own->taken.taken[channel], sizeof(uint32_t));
		int r = amp_mbox_linux_deliver(drv, own, channel);
		if (r < 0) {
			/* Not deliverable after all: keep it pending, as hardware would. */
			__atomic_store_n(&own->taken.taken[channel], taken, __ATOMIC_RELEASE);
			amp_port_dcache_clean(&own->taken.taken[channel], sizeof(uint32_t));
		} else if (r > 0) {
			ran++;
			amp_mbox_linux_count(&drv->stats.delivered);
		}
	}
	amp_posix_isr_exit();
	return ran;
}

/* For the doorbell thread about to sleep: is there anything to scan? */
bool amp_mbox_linux_idle(struct amp_mbox_linux *drv, uint32_t *seq)
{
	struct amp_mbox_linux_side *own = &amp_mbox_linux_region(drv)->side[drv->cfg->side];
	amp_port_dcache_invalidate(&own->bell.seq, sizeof(own->bell.seq));
	*seq = __atomic_load_n(&drv->seen_seq, __ATOMIC_RELAXED);
	return __atomic_load_n(&own->bell.seq, __ATOMIC_SEQ_CST) == *seq &&
	       __atomic_load_n(&drv->rescan, __ATOMIC_SEQ_CST) == 0;
}

static int amp_mbox_linux_poll(struct amp_mbox *mbox)
{
	return amp_mbox_linux_service(mbox->driver);
}

static int amp_mbox_linux_set_enabled(struct amp_mbox *mbox, uint32_t channel, bool enable)
{
	(void)channel;
	if (enable) {
		/* A signal may have been waiting for this: make the thread re-scan. */
		struct amp_mbox_linux *drv = mbox->driver;
		__atomic_store_n(&drv->rescan, 1, __ATOMIC_SEQ_CST);
		amp_mbox_linux_irq_kick();
	}
	return 0;
}

static const struct amp_mbox_ops amp_mbox_linux_ops = {
	.send = amp_mbox_linux_send,
	.set_enabled = amp_mbox_linux_set_enabled,
	.poll = amp_mbox_linux_poll,
	.tx_busy = amp_mbox_linux_tx_busy,
};

/* ---- set-up --------------------------------------------------------------- */

static int amp_mbox_linux_check_cfg(const struct amp_mbox_linux_cfg *cfg)
{
	if (cfg->side > 1 || cfg->num_channels == 0 || cfg->num_channels > AMP_MBOX_MAX_CHANNELS) {
		return AMP_EINVAL;
	}
	uint32_t all = cfg->num_channels == 32 ? 0xffffffffu : ((1u << cfg->num_channels) - 1u);
	if (((cfg->tx_mask | cfg->rx_mask) & ~all) != 0) {
		return AMP_EINVAL;
	}
	if (cfg->mtu < 0 || cfg->mtu > AMP_MBOX_LINUX_MTU_MAX) {
		return AMP_EINVAL;
	}
	if (cfg->wait != AMP_MBOX_LINUX_WAIT_IRQ && cfg->wait != AMP_MBOX_LINUX_WAIT_POLL &&
	    cfg->wait != AMP_MBOX_LINUX_WAIT_ADAPTIVE) {
		return AMP_EINVAL;
	}
	if (cfg->ipm_mode == AMP_MBOX_IPM_ID_IN_DATA) {
		if (cfg->mtu < 4 || cfg->ipm_tx_channel >= cfg->num_channels ||
		    (cfg->tx_mask & (1u << cfg->ipm_tx_channel)) == 0) {
			return AMP_EINVAL;
		}
	} else if (cfg->ipm_mode != AMP_MBOX_IPM_ID_IS_CHANNEL) {
		return AMP_EINVAL;
	}
	if (cfg->shm.size != 0 && cfg->shm.size != AMP_MBOX_LINUX_REGION_SIZE) {
		return AMP_EINVAL;
	}
	return 0;
}

/* Agree on the geometry with whichever side set the region up first. */
static int amp_mbox_linux_setup_region(struct amp_mbox_linux *drv)
{
	const struct amp_mbox_linux_cfg *cfg = drv->cfg;
	struct amp_mbox_linux_region *r = amp_mbox_linux_region(drv);
	amp_port_dcache_invalidate(&r->hdr, sizeof(r->hdr));
	uint32_t magic = __atomic_load_n(&r->hdr.magic, __ATOMIC_ACQUIRE);
	if (magic != 0 && magic != AMP_MBOX_LINUX_MAGIC) {
		AMP_LOGE("mbox %s: region is not a mailbox (magic 0x%08x)", cfg->shm.name,
			 (unsigned)magic);
		return AMP_EPROTO;
	}
	uint32_t mine = AMP_MBOX_LINUX_GEOMETRY(cfg->num_channels, cfg->mtu);
	uint32_t seen = 0;
	if (!__atomic_compare_exchange_n(&r->hdr.geometry, &seen, mine, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE) &&
	    seen != mine) {
		if (AMP_MBOX_LINUX_GEOMETRY_VERSION(seen) != AMP_MBOX_LINUX_VERSION) {
			AMP_LOGE("mbox %s: unknown mailbox version %u", cfg->shm.name,
				 (unsigned)AMP_MBOX_LINUX_GEOMETRY_VERSION(seen));
			return AMP_EPROTO;
		}
		AMP_LOGE("mbox %s: peer uses %u channels / MTU %u, this side %u / %d",
			 cfg->shm.name, (unsigned)((seen >> 8) & 0xffu),
			 (unsigned)((seen >> 16) & 0xffu), (unsigned)cfg->num_channels, cfg->mtu);
		return AMP_EINVAL;
	}
	__atomic_store_n(&r->hdr.magic, AMP_MBOX_LINUX_MAGIC, __ATOMIC_RELEASE);
	__atomic_store_n(&r->hdr.rx_mask[cfg->side], cfg->rx_mask, __ATOMIC_RELAXED);
	__atomic_store_n(&r->hdr.pid[cfg->side], (uint32_t)getpid(), __ATOMIC_RELAXED);

	/* A previous incarnation of this side may have died asleep or half-way
	 * through filling one of the peer's slots; only this side moves those. */
	struct amp_mbox_linux_side *own = &r->side[cfg->side];
	struct amp_mbox_linux_side *peer = &r->side[cfg->side ^ 1u];
	__atomic_store_n(&own->bell.sleeping, AMP_MBOX_LINUX_AWAKE, __ATOMIC_SEQ_CST);
	/* Carry on the peer's bell counters from where a previous incarnation of
	 * this side left them: the peer tells signals apart by their change. */
	drv->tx_seq = __atomic_load_n(&peer->bell.seq, __ATOMIC_RELAXED);
	for (uint32_t ch = 0; ch < AMP_MBOX_MAX_CHANNELS; ch++) {
		drv->tx_ring[ch] = __atomic_load_n(&peer->bell.ring[ch], __ATOMIC_RELAXED);
		uint32_t writing = AMP_MBOX_LINUX_SLOT_WRITING;
		__atomic_compare_exchange_n(&peer->slot[ch].state, &writing,
					    AMP_MBOX_LINUX_SLOT_EMPTY, false, __ATOMIC_RELEASE,
					    __ATOMIC_RELAXED);
		/* A full inbound slot whose ring was taken belongs to a previous
		 * incarnation that died in its handler: deliver again (at least
		 * once beats never). */
		if (cfg->mtu > 0 && (cfg->rx_mask & (1u << ch)) != 0 &&
		    __atomic_load_n(&own->slot[ch].state, __ATOMIC_ACQUIRE) ==
			    AMP_MBOX_LINUX_SLOT_FULL &&
		    __atomic_load_n(&own->taken.taken[ch], __ATOMIC_RELAXED) ==
			    __atomic_load_n(&own->bell.ring[ch], __ATOMIC_ACQUIRE)) {
			__atomic_fetch_sub(&own->taken.taken[ch], 1u, __ATOMIC_RELEASE);
		}
	}
	amp_port_dcache_clean(r, sizeof(*r));
	return 0;
}

int amp_mbox_linux_init(struct amp_mbox *mbox, struct amp_mbox_linux *drv,
			const struct amp_mbox_linux_cfg *cfg)
{
	if (mbox == NULL || drv == NULL || cfg == NULL) {
		return AMP_EINVAL;
	}
	int ret = amp_mbox_linux_check_cfg(cfg);
	if (ret < 0) {
		return ret;
	}
	if (amp_mbox_linux_irq_has(drv)) {
		/* Re-initialising a live device would corrupt the thread's table. */
		return AMP_EBUSY;
	}
	memset(drv, 0, sizeof(*drv));
	memset(mbox, 0, sizeof(*mbox));
	drv->cfg = cfg;
	drv->mbox = mbox;
	drv->shm_cfg = cfg->shm;
	drv->shm_cfg.size = AMP_MBOX_LINUX_REGION_SIZE;
	/* Atomics and futex words need the real shared mapping, never a cache
	 * emulator's private view: a doorbell is device memory. */
	drv->shm_cfg.cacheable = false;
	drv->spin_ns = (uint64_t)(cfg->spin_us != 0 ? cfg->spin_us : 50u) * 1000u;
	ret = amp_shm_open(&drv->shm, &drv->shm_cfg);
	if (ret < 0) {
		return ret;
	}
	drv->region = drv->shm.base;
	drv->rescan = 1; /* rings from before we opened */
	ret = amp_mbox_linux_setup_region(drv);
	if (ret < 0) {
		amp_shm_close(&drv->shm);
		return ret;
	}

	mbox->ops = &amp_mbox_linux_ops;
	mbox->driver = drv;
	mbox->name = cfg->shm.name;
	mbox->num_channels = cfg->num_channels;
	mbox->tx_mask = cfg->tx_mask;
	mbox->rx_mask = cfg->rx_mask;
	mbox->mtu = cfg->mtu;
	mbox->ipm_mode = cfg->ipm_mode;
	if (cfg->ipm_mode == AMP_MBOX_IPM_ID_IN_DATA) {
		mbox->ipm_max_id = 0xffffffffu;
		mbox->ipm_tx_channel = cfg->ipm_tx_channel;
	} else {
		mbox->ipm_max_id = cfg->num_channels - 1u;
	}

	ret = amp_mbox_linux_irq_attach(drv);
	if (ret < 0) {
		amp_shm_close(&drv->shm);
		memset(mbox, 0, sizeof(*mbox));
		return ret;
	}
	return 0;
}

int amp_mbox_linux_deinit(struct amp_mbox *mbox)
{
	if (mbox == NULL || mbox->ops != &amp_mbox_linux_ops || mbox->driver == NULL) {
		return AMP_EINVAL;
	}
	if (amp_port_in_isr()) {
		return AMP_EBUSY;
	}
	struct amp_mbox_linux *drv = mbox->driver;
	int ret = amp_mbox_linux_irq_detach(drv);
	if (ret < 0) {
		return ret;
	}
	amp_shm_close(&drv->shm);
	drv->region = NULL;
	mbox->ops = NULL;
	mbox->driver = NULL;
	return 0;
}

int amp_mbox_linux_stats(const struct amp_mbox *mbox, struct amp_mbox_linux_stats *out)
{
	if (mbox == NULL || out == NULL || mbox->ops != &amp_mbox_linux_ops || mbox->driver == NULL) {
		return AMP_EINVAL;
	}
	const struct amp_mbox_linux *drv = mbox->driver;
	out->sent = __atomic_load_n(&drv->stats.sent, __ATOMIC_ACQUIRE);
	out->wakes = __atomic_load_n(&drv->stats.wakes, __ATOMIC_ACQUIRE);
	out->delivered = __atomic_load_n(&drv->stats.delivered, __ATOMIC_ACQUIRE);
	out->sleeps = __atomic_load_n(&drv->stats.sleeps, __ATOMIC_ACQUIRE);
	out->proto_errors = __atomic_load_n(&drv->stats.proto_errors, __ATOMIC_ACQUIRE);
	return 0;
}
