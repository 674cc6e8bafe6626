/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Instance life cycle: init, open/close, the status byte, detection of a host
 * restart, the receive loop and the doorbell.
 *
 * Start-up (host): status := 0, both rings zeroed and chained, the n receive
 * buffers zeroed and posted on vring 0, "don't interrupt me" on vring 1, then
 * status := DRIVER_OK and one doorbell so a remote that opened first notices.
 * Start-up (remote): open never waits. The link comes up on the first check
 * (open, every amp_rpmsg_process(), register) that finds DRIVER_OK on fresh
 * rings; then the remote asks not to be notified on vring 0 and announces its
 * endpoints.
 */
#include "rpmsg_internal.h"

#include <string.h>

/* Ask the peer not to ring while a receive pass drains the ring (1) or not (0).
 * Off by default: with a spinning doorbell thread (Linux ADAPTIVE/POLL) the
 * doorbells keep the receiver awake, and suppressing them made it sleep more. */
#ifndef AMP_RPMSG_RX_SUPPRESS
#define AMP_RPMSG_RX_SUPPRESS 0
#endif

static void rp_mbox_cb(struct amp_mbox *mbox, uint32_t channel, void *user_data,
		       const struct amp_mbox_msg *msg);

static uint8_t status_read(const struct amp_rpmsg *rp)
{
	amp_port_dcache_invalidate(rp->status, 1);
	return *rp->status;
}

static void status_write(struct amp_rpmsg *rp, uint8_t v)
{
	amp_port_mb();
	*rp->status = v;
	amp_port_dcache_clean(rp->status, 1);
	amp_port_mb();
}

static void ring(struct amp_rpmsg *rp)
{
	if (rp->cfg->mbox != NULL) {
		(void)amp_mbox_send(rp->cfg->mbox, rp->cfg->tx_channel, NULL);
	}
	rp->stats.tx_notifies++;
}

/* One doorbell serves both rings: it announces everything published on
 * either so far, so neither needs a notification decision of its own for it
 * afterwards (asking a peer that suppresses notifications costs a barrier). */
static void announce(struct amp_rpmsg *rp)
{
	amp_vring_notified(&rp->tx);
	amp_vring_notified(&rp->rx);
	ring(rp);
}

void amp_rpmsg_flush_kicks(struct amp_rpmsg *rp)
{
	bool need = false;
	if (rp->state != RP_READY) {
		rp->tx_kick = rp->rx_kick = false;
		return;
	}
	if (rp->tx_kick) {
		rp->tx_kick = false;
		need = amp_vring_need_notify(&rp->tx);
	}
	if (rp->rx_kick) {
		rp->rx_kick = false;
		need = need || amp_vring_need_notify(&rp->rx);
	}
	if (need) {
		announce(rp);
	}
}

void amp_rpmsg_flush_reply(struct amp_rpmsg *rp)
{
	if (!rp->tx_kick || rp->batch != 0 || rp->state != RP_READY) {
		return;
	}
	rp->tx_kick = false;
	if (amp_vring_need_notify(&rp->tx)) {
		announce(rp);
	}
}

void amp_rpmsg_after_publish(struct amp_rpmsg *rp)
{
	if (rp->batch == 0 && rp->in_process == 0) {
		amp_rpmsg_flush_kicks(rp);
	}
}

void amp_rpmsg_notify_error(struct amp_rpmsg *rp, const char *why)
{
	for (unsigned i = 0; i < AMP_RPMSG_MAX_ENDPOINTS; i++) {
		struct amp_rpmsg_ept *e = &rp->ept[i];
		if (e->cfg != NULL && e->cfg->cb.error != NULL) {
			e->cfg->cb.error(why, e->cfg->priv);
		}
	}
}

/* Forget every binding (the peer's state is gone or untrustworthy). */
static void unbind_all(struct amp_rpmsg *rp)
{
	for (unsigned i = 0; i < AMP_RPMSG_MAX_ENDPOINTS; i++) {
		struct amp_rpmsg_ept *e = &rp->ept[i];
		if (e->cfg == NULL) {
			continue;
		}
		bool was_bound = e->bound;
		e->bound = false;
		e->dest = AMP_RPMSG_ADDR_ANY;
		e->announced = false;
		if (RP_IS_HOST(rp)) {
			e->addr = AMP_RPMSG_ADDR_ANY;
		}
		if (was_bound) {
			amp_rpmsg_call_unbound(rp, e);
		}
	}
	if (rp->tx_waiters) {
		amp_port_event_post(&rp->tx_event);
	}
}

void amp_rpmsg_link_broken(struct amp_rpmsg *rp, const char *why)
{
	if (rp->state == RP_BROKEN) {
		return;
	}
	AMP_LOGE("rpmsg %s: %s; link stopped", rp->cfg->name ? rp->cfg->name : "",
		 why);
	AMP_STAT_INC(rp->stats.rx_protocol_errors);
	rp->state = RP_BROKEN;
	rp->tx_kick = rp->rx_kick = false;
	amp_rpmsg_notify_error(rp, why);
	unbind_all(rp);
}

static void rings_bind(struct amp_rpmsg *rp)
{
	(void)amp_vring_init(&rp->rx, &rp->rx_cfg);
	(void)amp_vring_init(&rp->tx, &rp->tx_cfg);
	amp_rpmsg_slots_reset(rp);
}

/* ---- remote: watching the host ---------------------------------------- */

/* The caller bound the rings (rings_bind) and found them fresh. */
static void remote_link_up(struct amp_rpmsg *rp)
{
	/* Buffers we send come back as the host's receive buffers; we never need
	 * to hear about them unless a sender waits (see get_tx_buffer). */
	amp_vring_disable_cb(&rp->tx);
	rp->state = RP_READY;
	rp->stale_logged = false;
	rp->announce_pending = true;
	amp_port_event_post(&rp->link_event);
}

/* Out of line: two call sites, and -Os would otherwise copy it into both. */
__attribute__((noinline)) static void remote_link_down(struct amp_rpmsg *rp, const char *why)
{
	AMP_LOGW("rpmsg %s: %s", rp->cfg->name ? rp->cfg->name : "", why);
	AMP_STAT_INC(rp->stats.peer_resets);
	rp->state = RP_WAIT_HOST;
	rp->tx_kick = rp->rx_kick = false;
	amp_rpmsg_notify_error(rp, why);
	unbind_all(rp);
	amp_rpmsg_slots_reset(rp);
}

/* Fresh rings: nothing used yet on either ring (the host zeroes them at open). */
static bool remote_rings_fresh(struct amp_rpmsg *rp)
{
	const volatile uint16_t *u1 = rp->rx.used_idx, *u0 = rp->tx.used_idx;
	amp_port_dcache_invalidate(u1, 2);
	amp_port_dcache_invalidate(u0, 2);
	return *u1 == 0 && *u0 == 0;
}

static void remote_check_host(struct amp_rpmsg *rp)
{
	uint8_t st = status_read(rp);
	bool ok = (st & AMP_RPMSG_STATUS_DRIVER_OK) != 0;

	if (rp->state == RP_READY || rp->state == RP_BROKEN) {
		if (!AMP_CONFIG_RPMSG_RESTART) {
			return;
		}
		if (!ok) {
			remote_link_down(rp, "host reset the link (status byte cleared)");
		} else if (!amp_vring_own_idx_intact(&rp->rx) || !amp_vring_own_idx_intact(&rp->tx)) {
			remote_link_down(rp, "host re-initialised the rings (restart)");
		} else {
			return;
		}
	}
	if (rp->state == RP_WAIT_HOST && ok) {
		amp_port_mb(); /* rings are read after the status that announced them */
		rings_bind(rp);
		if (AMP_CONFIG_RPMSG_RESTART && !remote_rings_fresh(rp)) {
			if (!rp->stale_logged) {
				/* We restarted, the host did not. Ask it (once per episode)
				 * to re-initialise: an amplink host does; a Zephyr host
				 * ignores the bit and must be restarted. */
				AMP_LOGW("rpmsg %s: rings in use by an earlier session; asking "
					 "the host to re-initialise them",
					 rp->cfg->name ? rp->cfg->name : "");
				rp->stale_logged = true;
				status_write(rp, (uint8_t)(st | AMP_RPMSG_STATUS_NEEDS_RESET));
				ring(rp);
			}
			return;
		}
		remote_link_up(rp);
	}
}

/* ---- host: a restarted remote asks for fresh rings --------------------- */

static void host_open(struct amp_rpmsg *rp);

static void host_check_remote(struct amp_rpmsg *rp)
{
	if (!AMP_CONFIG_RPMSG_RESTART || (status_read(rp) & AMP_RPMSG_STATUS_NEEDS_RESET) == 0) {
		return;
	}
	AMP_LOGW("rpmsg %s: remote restarted and asks for a reset",
		 rp->cfg->name ? rp->cfg->name : "");
	AMP_STAT_INC(rp->stats.peer_resets);
	rp->tx_kick = rp->rx_kick = false;
	amp_rpmsg_notify_error(rp, "remote restarted");
	unbind_all(rp);
	for (unsigned i = 0; i < AMP_RPMSG_NS_CACHE_MAX; i++) {
		rp->ns[i].addr = AMP_RPMSG_ADDR_ANY; /* the old remote's endpoints are gone */
	}
	host_open(rp);
	ring(rp);
}

/* ---- init / open / close ------------------------------------------------ */

int amp_rpmsg_init(struct amp_rpmsg *rp, const struct amp_rpmsg_cfg *cfg,
		   struct amp_ipc_instance *inst)
{
	if (rp == NULL || cfg == NULL || inst == NULL || cfg->shm == NULL) {
		return AMP_EINVAL;
	}
	if ((cfg->role != AMP_RPMSG_ROLE_HOST && cfg->role != AMP_RPMSG_ROLE_REMOTE) ||
	    ((uintptr_t)cfg->shm & 3u) != 0) {
		return AMP_EINVAL;
	}
	/* A role or the event index compiled out (include/amplink/config.h). */
	if ((cfg->role == AMP_RPMSG_ROLE_HOST ? !AMP_CONFIG_RPMSG_HOST : !AMP_CONFIG_RPMSG_REMOTE) ||
	    (cfg->event_idx && !AMP_CONFIG_RPMSG_EVENT_IDX)) {
		return AMP_ENOTSUP;
	}
	if (cfg->mbox != NULL &&
	    (cfg->tx_channel >= AMP_MBOX_MAX_CHANNELS || cfg->rx_channel >= AMP_MBOX_MAX_CHANNELS)) {
		return AMP_EINVAL;
	}
	struct amp_rpmsg_layout lay;
	int r = amp_rpmsg_layout_compute(&lay, cfg->shm_size, cfg->buffer_size, cfg->mem_align);
	if (r < 0) {
		return r;
	}
	if ((cfg->shm_phys & (lay.status_size - 1u)) != 0 || /* a power of two */
	    cfg->shm_phys > UINT64_MAX - cfg->shm_size) {
		return AMP_EINVAL;
	}
	if (lay.num_desc > AMP_VRING_NUM_MAX) {
		AMP_LOGE("rpmsg: region gives %u descriptors, build supports %u",
			 (unsigned)lay.num_desc, (unsigned)AMP_VRING_NUM_MAX);
		return AMP_ERANGE;
	}
	memset(rp, 0, sizeof(*rp));
	rp->cfg = cfg;
	rp->inst = inst;
	rp->layout = lay;
	rp->buf_size = cfg->buffer_size ? cfg->buffer_size : AMP_RPMSG_BUFFER_SIZE_DEFAULT;
	uint8_t *base = cfg->shm;
	rp->status = base;
	rp->pool = base + lay.pool_off;
	rp->nslots = lay.pool_size / rp->buf_size;
	if (rp->nslots > 2u * lay.num_desc) {
		rp->nslots = 2u * lay.num_desc;
	}

	/* Field by field into the zeroed instance (no template copied twice). */
	const bool host = RP_IS_HOST(rp);
	uint8_t *v0 = base + lay.vring0_off, *v1 = base + lay.vring1_off;
	struct amp_vring_cfg *vc = &rp->rx_cfg;
	for (int i = 0; i < 2; i++, vc = &rp->tx_cfg) {
		vc->num = lay.num_desc;
		vc->align = lay.status_size;
		vc->role = host ? AMP_VRING_DRIVER : AMP_VRING_DEVICE;
		vc->event_idx = cfg->event_idx;
		vc->pool = rp->pool;
		vc->pool_phys = cfg->shm_phys + lay.pool_off;
		vc->pool_size = lay.pool_size;
	}
	rp->rx_cfg.mem = host ? v0 : v1;
	rp->tx_cfg.mem = host ? v1 : v0;
	/* Device-side checks: receive buffers are read (no WRITE flag) and must hold
	 * a header; transmit buffers are written and must hold a whole buffer
	 * (max_len 0 = up to the pool size). */
	rp->rx_cfg.device_writes = false;
	rp->rx_cfg.min_len = AMP_RPMSG_HDR_SIZE;
	rp->tx_cfg.device_writes = true;
	rp->tx_cfg.min_len = rp->buf_size;
	r = amp_vring_init(&rp->rx, &rp->rx_cfg);
	if (r == 0) {
		r = amp_vring_init(&rp->tx, &rp->tx_cfg);
	}
	if (r < 0) {
		return r;
	}
	for (unsigned i = 0; i < AMP_RPMSG_MAX_ENDPOINTS; i++) {
		rp->ept[i].rp = rp;
		rp->ept[i].addr = AMP_RPMSG_ADDR_ANY;
		rp->ept[i].dest = AMP_RPMSG_ADDR_ANY;
	}
	/* The announcement cache is the host's (none in a remote-only build). */
	for (unsigned i = 0; AMP_CONFIG_RPMSG_HOST && i < AMP_RPMSG_NS_CACHE_MAX; i++) {
		rp->ns[i].addr = AMP_RPMSG_ADDR_ANY;
	}
	amp_port_event_init(&rp->tx_event);
	amp_port_event_init(&rp->link_event);
	rp->state = RP_CLOSED;

	inst->ops = &amp_rpmsg_backend_ops;
	inst->backend = rp;
	inst->name = cfg->name;
	return 0;
}

static int mbox_attach(struct amp_rpmsg *rp)
{
	struct amp_mbox *mb = rp->cfg->mbox;
	if (mb == NULL) {
		return 0;
	}
	int r = amp_mbox_register_callback(mb, rp->cfg->rx_channel, rp_mbox_cb, rp);
	if (r == 0) {
		r = amp_mbox_set_enabled(mb, rp->cfg->rx_channel, true);
		if (r == AMP_EALREADY) {
			r = 0;
		}
	}
	return r;
}

static void host_open(struct amp_rpmsg *rp)
{
	const uint32_t n = rp->layout.num_desc, b = rp->buf_size;

	status_write(rp, 0);
	rings_bind(rp);
	amp_vring_reset_shared(&rp->rx);
	amp_vring_reset_shared(&rp->tx);
	memset(rp->pool, 0, (size_t)n * b);
	amp_port_dcache_clean(rp->pool, (size_t)n * b);
	for (uint32_t i = 0; i < n; i++) {
		(void)amp_vring_drv_add(&rp->rx, rp->pool + (size_t)i * b, b, true, NULL);
		rp->slot[i].state = SLOT_PEER;
	}
	/* Sent buffers come back on vring 1; we reclaim them when we need one. */
	amp_vring_disable_cb(&rp->tx);
	(void)amp_vring_need_notify(&rp->rx); /* the posting is announced by DRIVER_OK */
	rp->tx_carved = 0;
	rp->spare_cnt = 0;
	rp->state = RP_READY;
	status_write(rp, AMP_RPMSG_STATUS_DRIVER_OK);
	amp_port_event_post(&rp->link_event);
}

static int rp_open(struct amp_ipc_instance *inst)
{
	struct amp_rpmsg *rp = inst->backend;
	if (rp == NULL || rp->cfg == NULL) {
		return AMP_EINVAL;
	}
	uint32_t key = amp_port_irq_lock();
	if (rp->state != RP_CLOSED) {
		amp_port_irq_unlock(key);
		return AMP_EALREADY;
	}
	int r = mbox_attach(rp);
	if (r < 0) {
		amp_port_irq_unlock(key);
		return r;
	}
	if (RP_IS_HOST(rp)) {
		host_open(rp);
		/* Hello doorbell: a remote that opened first learns the host is up
		 * without polling. OpenAMP remotes ignore a spurious notification. */
		ring(rp);
	} else {
		rp->state = RP_WAIT_HOST;
		rp->stale_logged = false;
		remote_check_host(rp);
	}
	amp_port_irq_unlock(key);
	return 0;
}

static int rp_close(struct amp_ipc_instance *inst)
{
	struct amp_rpmsg *rp = inst->backend;
	uint32_t key = amp_port_irq_lock();
	if (rp->state == RP_CLOSED) {
		amp_port_irq_unlock(key);
		return AMP_EALREADY;
	}
	for (unsigned i = 0; i < AMP_RPMSG_MAX_ENDPOINTS; i++) {
		if (rp->ept[i].cfg != NULL) {
			amp_port_irq_unlock(key);
			return AMP_EBUSY;
		}
	}
	if (RP_IS_HOST(rp)) {
		/* Tell the remote the session is over (it sees the bit go away). */
		status_write(rp, 0);
		ring(rp);
	}
	rp->state = RP_CLOSED;
	if (rp->tx_waiters) {
		amp_port_event_post(&rp->tx_event);
	}
	if (rp->cfg->mbox != NULL) {
		(void)amp_mbox_set_enabled(rp->cfg->mbox, rp->cfg->rx_channel, false);
	}
	amp_port_irq_unlock(key);
	return 0;
}

/* ---- receive loop ------------------------------------------------------- */

/* One received entry; returns 1 delivered/consumed, 0 nothing, <0 ring broken. */
static int rx_step(struct amp_rpmsg *rp)
{
	uint16_t id;
	void *buf;
	uint32_t len, slot;
	int r;

	if (RP_IS_HOST(rp)) {
		r = amp_vring_drv_get_used(&rp->rx, &id, &buf, &len);
		if (r == 0) {
			return 0;
		}
		if (r == AMP_EPROTO) {
			amp_rpmsg_link_broken(rp, "invalid used entry on vring 0");
			return r;
		}
		if (amp_rpmsg_slot_of(rp, buf, &slot) < 0 || slot >= rp->layout.num_desc) {
			amp_rpmsg_link_broken(rp, "internal: receive buffer unknown");
			return AMP_EPROTO;
		}
		rp->slot[slot].id = id;
		if (r == AMP_EBADMSG) {
			AMP_STAT_INC(rp->stats.rx_bad_descriptors);
			amp_rpmsg_rx_recycle(rp, slot);
			return 1;
		}
		amp_rpmsg_rx_one(rp, slot, buf, len);
		return 1;
	}

	r = amp_vring_dev_get_avail(&rp->rx, &id, &buf, &len);
	if (r == 0) {
		return 0;
	}
	if (r == AMP_EPROTO) {
		amp_rpmsg_link_broken(rp, "invalid avail entry on vring 1");
		return r;
	}
	if (r == AMP_EBADMSG || amp_rpmsg_slot_of(rp, buf, &slot) < 0 ||
	    rp->slot[slot].state != SLOT_FREE) {
		AMP_STAT_INC(rp->stats.rx_bad_descriptors);
		(void)amp_vring_dev_put_used(&rp->rx, id, 0);
		rp->rx_kick = true;
		return 1;
	}
	rp->slot[slot].id = id;
	rp->slot[slot].state = SLOT_PEER;
	amp_rpmsg_rx_one(rp, slot, buf, len);
	return 1;
}

int amp_rpmsg_process(struct amp_rpmsg *rp)
{
	if (rp == NULL || rp->cfg == NULL) {
		return AMP_EINVAL;
	}
	uint32_t key = amp_port_irq_lock();
	if (rp->state == RP_CLOSED) {
		amp_port_irq_unlock(key);
		return AMP_EBUSY;
	}
	rp->in_process++;
	if (!RP_IS_HOST(rp)) {
		remote_check_host(rp);
	} else {
		host_check_remote(rp);
	}
	uint32_t before = rp->stats.rx_msgs;
	int ret = 0;
	if (rp->state == RP_READY && rp->announce_pending) {
		amp_rpmsg_announce_all(rp);
	}
	if (rp->state == RP_READY) {
		/* While we drain, the peer need not ring (a hint it may ignore); the
		 * request is withdrawn before we stop, and the ring re-checked. */
		if (AMP_RPMSG_RX_SUPPRESS) {
			amp_vring_disable_cb(&rp->rx);
		}
		uint32_t budget = 2u * rp->layout.num_desc;
		for (;;) {
			int r = 1;
			while (budget != 0 && rp->state == RP_READY && (r = rx_step(rp)) > 0) {
				budget--;
			}
			if (r < 0) {
				ret = r;
			}
			if (rp->state != RP_READY) {
				break;
			}
			if (!AMP_RPMSG_RX_SUPPRESS || !amp_vring_enable_cb(&rp->rx) || budget == 0) {
				break;
			}
			amp_vring_disable_cb(&rp->rx);
		}
	}
	if (rp->tx_waiters && (rp->state != RP_READY || amp_vring_pending(&rp->tx) != 0)) {
		amp_port_event_post(&rp->tx_event);
	}
	rp->in_process--;
	if (rp->in_process == 0 && rp->batch == 0) {
		amp_rpmsg_flush_kicks(rp);
	}
	if (rp->in_process == 0) {
		amp_rpmsg_tx_prepare(rp);
	}
	amp_port_irq_unlock(key);
	if (ret < 0) {
		return ret;
	}
	return (int)(rp->stats.rx_msgs - before);
}

static void rp_mbox_cb(struct amp_mbox *mbox, uint32_t channel, void *user_data,
		       const struct amp_mbox_msg *msg)
{
	(void)mbox;
	(void)channel;
	(void)msg;
	struct amp_rpmsg *rp = user_data;
	if (rp->cfg->poll) {
		return;
	}
	/* Doorbells coalesce and the peer may publish while we run: a few passes
	 * until nothing is pending, bounded so a flooding peer cannot pin us. */
	for (int pass = 0; pass < 8; pass++) {
		int r = amp_rpmsg_process(rp);
		if (r <= 0 || rp->state != RP_READY || amp_vring_pending(&rp->rx) == 0) {
			break;
		}
	}
}

/* ---- misc public -------------------------------------------------------- */

bool amp_rpmsg_link_up(const struct amp_rpmsg *rp)
{
	return rp != NULL && rp->state == RP_READY;
}

int amp_rpmsg_wait_link(struct amp_rpmsg *rp, int64_t timeout_us)
{
	if (rp == NULL || rp->cfg == NULL) {
		return AMP_EINVAL;
	}
	uint64_t start = amp_port_now_ns();
	for (;;) {
		uint32_t key = amp_port_irq_lock();
		uint8_t st = rp->state;
		if (!RP_IS_HOST(rp) && (st == RP_WAIT_HOST || st == RP_BROKEN)) {
			rp->in_process++;
			remote_check_host(rp);
			if (rp->state == RP_READY && rp->announce_pending) {
				amp_rpmsg_announce_all(rp);
			}
			rp->in_process--;
			if (rp->batch == 0) {
				amp_rpmsg_flush_kicks(rp);
			}
			st = rp->state;
		}
		amp_port_irq_unlock(key);
		if (st == RP_CLOSED) {
			return AMP_EBUSY;
		}
		if (st == RP_READY) {
			return 0;
		}
		if (timeout_us == AMP_NO_WAIT) {
			return AMP_ETIMEDOUT;
		}
		int64_t slice = AMP_MSEC(10);
		if (timeout_us != AMP_FOREVER) {
			const uint64_t elapsed = amp_port_now_ns() - start;
			if (elapsed >= (uint64_t)timeout_us * 1000u) {
				return AMP_ETIMEDOUT;
			}
			int64_t left = amp_rpmsg_ns_to_us((uint64_t)timeout_us * 1000u - elapsed);
			if (left <= 0) {
				return AMP_ETIMEDOUT;
			}
			if (left < slice) {
				slice = left;
			}
		}
		/* The host's hello doorbell posts the event; the slice re-checks the
		 * status byte in case no doorbell is wired. */
		(void)amp_port_event_wait(&rp->link_event, slice);
	}
}

void amp_rpmsg_batch_begin(struct amp_rpmsg *rp)
{
	if (rp == NULL) {
		return;
	}
	uint32_t key = amp_port_irq_lock();
	rp->batch++;
	amp_port_irq_unlock(key);
}

int amp_rpmsg_batch_end(struct amp_rpmsg *rp)
{
	if (rp == NULL) {
		return AMP_EINVAL;
	}
	uint32_t key = amp_port_irq_lock();
	if (rp->batch == 0) {
		amp_port_irq_unlock(key);
		return AMP_EINVAL;
	}
	int rung = 0;
	if (--rp->batch == 0 && rp->in_process == 0) {
		uint32_t before = rp->stats.tx_notifies;
		amp_rpmsg_flush_kicks(rp);
		rung = rp->stats.tx_notifies != before;
	}
	amp_port_irq_unlock(key);
	return rung;
}

int amp_rpmsg_get_stats(const struct amp_rpmsg *rp, struct amp_rpmsg_stats *out)
{
	if (rp == NULL || out == NULL) {
		return AMP_EINVAL;
	}
	*out = rp->stats;
	return 0;
}

const struct amp_ipc_backend_ops amp_rpmsg_backend_ops = {
	.open_instance = rp_open,
	.close_instance = rp_close,
	.register_endpoint = amp_rpmsg_op_register,
	.deregister_endpoint = amp_rpmsg_op_deregister,
	.send = amp_rpmsg_op_send,
	.get_tx_buffer_size = amp_rpmsg_op_get_tx_buffer_size,
#if AMP_CONFIG_RPMSG_NOCOPY
	.get_tx_buffer = amp_rpmsg_op_get_tx_buffer,
	.drop_tx_buffer = amp_rpmsg_op_drop_tx_buffer,
	.send_nocopy = amp_rpmsg_op_send_nocopy,
	.hold_rx_buffer = amp_rpmsg_op_hold_rx_buffer,
	.release_rx_buffer = amp_rpmsg_op_release_rx_buffer,
#endif
};
