/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Buffer ownership and the data path.
 *
 * Every buffer is a slot of b bytes in the pool (pool + slot*b); a private
 * state per slot says who has it, so the application can only send, drop,
 * hold or release buffers that are really its own, and nothing the peer
 * writes changes our bookkeeping.
 *
 * Host: slots 0..n-1 are its receive buffers (posted on vring 0), slots
 * n..2n-1 its transmit buffers, carved one by one when no buffer returned by
 * the remote is waiting on vring 1's used ring (OpenAMP's order, so the rings
 * are byte-identical). Remote: it takes buffers from the host's avail rings;
 * each must start on a slot boundary and be unknown to us (no duplicates).
 */
#include "rpmsg_internal.h"

#include <string.h>

#define MAX_PAYLOAD(rp) ((rp)->buf_size - AMP_RPMSG_HDR_SIZE)

uint8_t *amp_rpmsg_slot_buf(const struct amp_rpmsg *rp, uint32_t slot)
{
	return rp->pool + (size_t)slot * rp->buf_size;
}

int amp_rpmsg_slot_of(const struct amp_rpmsg *rp, const void *buf, uint32_t *slot)
{
	uintptr_t p = (uintptr_t)buf, pool = (uintptr_t)rp->pool;
	if (p < pool) {
		return AMP_ENXIO;
	}
	uintptr_t off = p - pool;
	if (off % rp->buf_size != 0 || off / rp->buf_size >= rp->nslots) {
		return AMP_ENXIO;
	}
	*slot = (uint32_t)(off / rp->buf_size);
	return 0;
}

/* Slot of a payload pointer handed out to the application. */
static int slot_of_payload(const struct amp_rpmsg *rp, const void *data, uint32_t *slot)
{
	if ((uintptr_t)data < AMP_RPMSG_HDR_SIZE) {
		return AMP_ENXIO;
	}
	return amp_rpmsg_slot_of(rp, (const uint8_t *)data - AMP_RPMSG_HDR_SIZE, slot);
}

void amp_rpmsg_slots_reset(struct amp_rpmsg *rp)
{
	memset(rp->slot, 0, sizeof(rp->slot));
	rp->spare_cnt = 0;
	rp->tx_carved = 0;
}

static uint8_t ept_index(const struct amp_rpmsg *rp, const struct amp_rpmsg_ept *e)
{
	return (uint8_t)(e - &rp->ept[0]);
}

/* ---- transmit ------------------------------------------------------------ */

int amp_rpmsg_tx_get(struct amp_rpmsg *rp, uint32_t *slot)
{
	if (AMP_CONFIG_RPMSG_NOCOPY && rp->spare_cnt != 0) { /* dropped zero-copy buffers */
		*slot = rp->spare[--rp->spare_cnt];
		return 0;
	}
	uint16_t id;
	void *buf;
	uint32_t len, s;
	if (RP_IS_HOST(rp)) {
		int r = amp_vring_drv_get_used(&rp->tx, &id, &buf, &len);
		if (r == AMP_EPROTO) {
			amp_rpmsg_link_broken(rp, "invalid used entry on vring 1");
			return r;
		}
		if (r != 0) {
			/* a returned buffer (a bad length does not matter for a sent one) */
			if (amp_rpmsg_slot_of(rp, buf, &s) < 0 || rp->slot[s].state != SLOT_PEER) {
				amp_rpmsg_link_broken(rp, "internal: transmit buffer unknown");
				return AMP_EPROTO;
			}
			*slot = s;
			return 0;
		}
		if (rp->tx_carved < rp->layout.num_desc) {
			*slot = rp->layout.num_desc + rp->tx_carved++;
			return 0;
		}
		return AMP_ENOBUFS;
	}
	for (uint32_t tries = 0; tries < rp->layout.num_desc; tries++) {
		int r = amp_vring_dev_get_avail(&rp->tx, &id, &buf, &len);
		if (r == 0) {
			return AMP_ENOBUFS;
		}
		if (r == AMP_EPROTO) {
			amp_rpmsg_link_broken(rp, "invalid avail entry on vring 0");
			return r;
		}
		if (r == AMP_EBADMSG || amp_rpmsg_slot_of(rp, buf, &s) < 0 ||
		    rp->slot[s].state != SLOT_FREE) {
			AMP_STAT_INC(rp->stats.rx_bad_descriptors);
			(void)amp_vring_dev_put_used(&rp->tx, id, 0);
			rp->tx_kick = true;
			continue;
		}
		rp->slot[s].id = id;
		*slot = s;
		return 0;
	}
	return AMP_ENOBUFS;
}

void amp_rpmsg_tx_prepare(struct amp_rpmsg *rp)
{
	if (!AMP_CONFIG_RPMSG_NOCOPY || RP_IS_HOST(rp) || rp->state != RP_READY ||
	    rp->spare_cnt != 0) {
		return;
	}
	uint32_t slot;
	if (amp_rpmsg_tx_get(rp, &slot) == 0) {
		rp->slot[slot].state = SLOT_SPARE;
		rp->spare[rp->spare_cnt++] = (uint16_t)slot;
	}
}

void amp_rpmsg_tx_put(struct amp_rpmsg *rp, uint32_t slot, uint32_t src, uint32_t dst,
		      const void *payload, uint32_t len, bool copy)
{
	uint8_t *buf = amp_rpmsg_slot_buf(rp, slot);
	struct amp_rpmsg_hdr h = {
		.src = src, .dst = dst, .reserved = 0, .len = (uint16_t)len, .flags = 0,
	};
	memcpy(buf, &h, sizeof(h));
	if (copy && len != 0) {
		memcpy(buf + AMP_RPMSG_HDR_SIZE, payload, len);
	}
	amp_port_dcache_clean(buf, AMP_RPMSG_HDR_SIZE + (size_t)len);
	if (RP_IS_HOST(rp)) {
		rp->slot[slot].state = SLOT_PEER;
		/* Cannot fail: there are as many descriptors as transmit buffers. */
		(void)amp_vring_drv_add(&rp->tx, buf, rp->buf_size, false, NULL);
	} else {
		uint16_t head = rp->slot[slot].id;
		rp->slot[slot].state = SLOT_FREE;
		/* OpenAMP reports the whole buffer, not the message length. */
		(void)amp_vring_dev_put_used(&rp->tx, head, rp->tx.sh[head].len);
	}
	rp->tx_kick = true;
	AMP_STAT_INC(rp->stats.tx_msgs);
}

int amp_rpmsg_send_raw(struct amp_rpmsg *rp, uint32_t src, uint32_t dst, const void *payload,
		       uint32_t len)
{
	uint32_t slot;
	if (rp->state != RP_READY) {
		return AMP_ENOTCONN;
	}
	int r = amp_rpmsg_tx_get(rp, &slot);
	if (r < 0) {
		return r;
	}
	amp_rpmsg_tx_put(rp, slot, src, dst, payload, len, true);
	amp_rpmsg_after_publish(rp);
	return (int)len;
}

/* ---- receive ------------------------------------------------------------- */

void amp_rpmsg_rx_recycle(struct amp_rpmsg *rp, uint32_t slot)
{
	struct amp_rpmsg_slot *s = &rp->slot[slot];
	s->holds = 0;
	if (rp->state != RP_READY) {
		s->state = SLOT_FREE;
		return;
	}
	if (RP_IS_HOST(rp)) {
		s->state = SLOT_PEER;
		if (amp_vring_drv_add(&rp->rx, amp_rpmsg_slot_buf(rp, slot), rp->buf_size, true,
				      NULL) < 0) {
			amp_rpmsg_link_broken(rp, "internal: no descriptor to re-post a buffer");
			return;
		}
	} else {
		s->state = SLOT_FREE;
		(void)amp_vring_dev_put_used(&rp->rx, s->id, rp->rx.sh[s->id].len);
	}
	rp->rx_kick = true;
}

void amp_rpmsg_rx_one(struct amp_rpmsg *rp, uint32_t slot, uint8_t *buf, uint32_t buflen)
{
	if (buflen > rp->buf_size) {
		buflen = rp->buf_size;
	}
	if (buflen < AMP_RPMSG_HDR_SIZE) {
		AMP_STAT_INC(rp->stats.rx_dropped_bad_header);
		amp_rpmsg_rx_recycle(rp, slot);
		return;
	}
	amp_port_dcache_invalidate(buf, buflen);
	uint32_t src = amp_rpmsg_ld32(buf);
	uint32_t dst = amp_rpmsg_ld32(buf + 4);
	uint32_t len = amp_rpmsg_ld16(buf + 12);
	if (len > buflen - AMP_RPMSG_HDR_SIZE) {
		AMP_STAT_INC(rp->stats.rx_dropped_bad_header);
		amp_rpmsg_rx_recycle(rp, slot);
		return;
	}
	/* The buffer is ours now; OpenAMP keeps the descriptor index in the
	 * reserved word, and so do we so the images stay identical. */
	*(volatile uint32_t *)(void *)(buf + 8) = rp->slot[slot].id;
	amp_port_dcache_clean(buf + 8, 4);

	if (dst == AMP_RPMSG_NS_ADDR) {
		amp_rpmsg_ns_rx(rp, buf + AMP_RPMSG_HDR_SIZE, len, src);
		amp_rpmsg_rx_recycle(rp, slot);
		return;
	}
	struct amp_rpmsg_ept *e = amp_rpmsg_ept_by_addr(rp, dst);
	if (e == NULL || (!e->bound && RP_IS_HOST(rp))) {
		AMP_STAT_INC(rp->stats.rx_dropped_unknown_addr);
		amp_rpmsg_rx_recycle(rp, slot);
		return;
	}
	if (src == AMP_RPMSG_ADDR_ANY || src == AMP_RPMSG_NS_ADDR) {
		AMP_STAT_INC(rp->stats.rx_dropped_bad_header);
		amp_rpmsg_rx_recycle(rp, slot);
		return;
	}
	if (!e->bound) {
		/* Remote: the host's first message (Zephyr sends a zero-length one)
		 * tells us its address; answer with our own zero-length message. */
		e->dest = src;
		e->bound = true;
		if (amp_rpmsg_send_raw(rp, e->addr, src, NULL, 0) < 0) {
			AMP_STAT_INC(rp->stats.ns_tx_failed);
		}
		amp_rpmsg_call_bound(rp, e);
		if (e->cfg == NULL || rp->state != RP_READY) {
			amp_rpmsg_rx_recycle(rp, slot);
			return;
		}
	}
	if (len == 0 || e->cfg->cb.received == NULL) {
		amp_rpmsg_rx_recycle(rp, slot);
		return;
	}
	struct amp_rpmsg_slot *s = &rp->slot[slot];
	s->state = SLOT_RX;
	s->owner = ept_index(rp, e);
	s->holds = 0;
	rp->stats.rx_msgs++;
	e->cfg->cb.received(buf + AMP_RPMSG_HDR_SIZE, len, e->cfg->priv);
	/* A reply sent from the callback is announced now, before this buffer
	 * is recycled and the rest of the pass runs: that is its latency. */
	amp_rpmsg_flush_reply(rp);
	if (s->state == SLOT_RX) {
		/* Without the zero-copy calls nobody can hold it. */
		if (AMP_CONFIG_RPMSG_NOCOPY && s->holds != 0 && rp->state == RP_READY) {
			s->state = SLOT_RX_HELD;
		} else {
			amp_rpmsg_rx_recycle(rp, slot);
		}
	}
}

void amp_rpmsg_ept_release_buffers(struct amp_rpmsg *rp, struct amp_rpmsg_ept *ept)
{
	uint8_t idx = ept_index(rp, ept);
	/* Only the zero-copy calls give an endpoint buffers to own. */
	for (uint32_t i = 0; AMP_CONFIG_RPMSG_NOCOPY && i < rp->nslots; i++) {
		struct amp_rpmsg_slot *s = &rp->slot[i];
		if (s->owner != idx) {
			continue;
		}
		if (s->state == SLOT_APP_TX) {
			s->state = SLOT_SPARE;
			rp->spare[rp->spare_cnt++] = (uint16_t)i;
		} else if (s->state == SLOT_RX_HELD) {
			amp_rpmsg_rx_recycle(rp, i);
		} else if (s->state == SLOT_RX) {
			s->holds = 0; /* recycled when its callback returns */
		}
	}
	if (rp->tx_waiters) {
		amp_port_event_post(&rp->tx_event);
	}
}

/* ---- IPC operations -------------------------------------------------------- */

static struct amp_rpmsg_ept *lock_ept(struct amp_ipc_instance *inst, void *token, uint32_t *key,
				      int *err)
{
	struct amp_rpmsg *rp = inst->backend;
	*key = amp_port_irq_lock();
	if (rp == NULL || !amp_rpmsg_ept_valid(rp, token)) {
		amp_port_irq_unlock(*key);
		*err = AMP_ENOENT;
		return NULL;
	}
	return token;
}

int amp_rpmsg_op_send(struct amp_ipc_instance *inst, void *token, const void *data, size_t len)
{
	uint32_t key, slot;
	int r;
	struct amp_rpmsg_ept *e = lock_ept(inst, token, &key, &r);
	if (e == NULL) {
		return r;
	}
	struct amp_rpmsg *rp = e->rp;
	if (rp->state == RP_CLOSED) {
		r = AMP_EBUSY;
	} else if (len == 0) {
		r = AMP_EBADMSG; /* zero-length messages are the binding acks */
	} else if (!e->bound || rp->state != RP_READY) {
		r = AMP_EBUSY;
	} else if (len > MAX_PAYLOAD(rp)) {
		r = AMP_EMSGSIZE; /* OpenAMP would truncate silently */
	} else {
		r = amp_rpmsg_tx_get(rp, &slot);
		if (r == 0) {
			amp_rpmsg_tx_put(rp, slot, e->addr, e->dest, data, (uint32_t)len, true);
			amp_rpmsg_after_publish(rp);
			r = (int)len;
		} else if (r == AMP_ENOBUFS) {
			AMP_STAT_INC(rp->stats.tx_no_buffer);
			r = AMP_ENOMEM;
		}
	}
	amp_port_irq_unlock(key);
	return r;
}

int amp_rpmsg_op_get_tx_buffer_size(struct amp_ipc_instance *inst, void *token)
{
	uint32_t key;
	int r;
	struct amp_rpmsg_ept *e = lock_ept(inst, token, &key, &r);
	if (e == NULL) {
		return r;
	}
	r = (int)MAX_PAYLOAD(e->rp);
	amp_port_irq_unlock(key);
	return r;
}

/* Called with the lock held and no buffer free: wait for the peer to return one. */
static int wait_tx(struct amp_rpmsg *rp, struct amp_rpmsg_ept *e, uint32_t *key,
		   int64_t timeout_us, uint32_t *slot)
{
	uint64_t deadline = 0;
	if (timeout_us > 0) {
		deadline = amp_port_now_ns() + (uint64_t)timeout_us * 1000u;
	}
	int r;
	for (;;) {
		/* Ask the peer to ring when it returns buffers, then look again:
		 * a buffer returned before the request would not ring. */
		if (amp_vring_enable_cb(&rp->tx)) {
			r = amp_rpmsg_tx_get(rp, slot);
			if (r != AMP_ENOBUFS) {
				break;
			}
		}
		int64_t left = AMP_FOREVER;
		if (timeout_us > 0) {
			uint64_t now = amp_port_now_ns();
			left = now >= deadline ? 0 : amp_rpmsg_ns_to_us(deadline - now);
		}
		int w = AMP_ETIMEDOUT;
		rp->tx_waiters++;
		amp_port_irq_unlock(*key);
		if (left != 0) {
			w = amp_port_event_wait(&rp->tx_event, left);
		}
		*key = amp_port_irq_lock();
		rp->tx_waiters--;
		if (rp->tx_waiters == 0 && rp->state == RP_READY) {
			amp_vring_disable_cb(&rp->tx);
		}
		if (!amp_rpmsg_ept_valid(rp, e)) {
			return AMP_ENOENT;
		}
		if (rp->state != RP_READY || !e->bound) {
			r = AMP_EBUSY;
			break;
		}
		r = amp_rpmsg_tx_get(rp, slot);
		if (r != AMP_ENOBUFS) {
			break;
		}
		/* A slice may end before the deadline (amp_rpmsg_ns_to_us). */
		if (w == AMP_ETIMEDOUT && left != AMP_FOREVER && amp_port_now_ns() >= deadline) {
			r = AMP_ETIMEDOUT;
			break;
		}
	}
	if (rp->tx_waiters != 0) {
		amp_port_event_post(&rp->tx_event); /* let the next waiter look */
	}
	return r;
}

int amp_rpmsg_op_get_tx_buffer(struct amp_ipc_instance *inst, void *token, void **data,
			       uint32_t *size, int64_t timeout_us)
{
	uint32_t key, slot = 0;
	int r;
	struct amp_rpmsg_ept *e = lock_ept(inst, token, &key, &r);
	if (e == NULL) {
		return r;
	}
	struct amp_rpmsg *rp = e->rp;
	uint32_t max = MAX_PAYLOAD(rp);
	if (rp->state != RP_READY || !e->bound) {
		r = AMP_EBUSY;
	} else if (*size > max) {
		*size = max;
		r = AMP_ENOMEM;
	} else {
		r = amp_rpmsg_tx_get(rp, &slot);
		if (r == AMP_ENOBUFS && timeout_us != AMP_NO_WAIT && rp->in_process == 0 &&
		    !amp_port_in_isr()) {
			r = wait_tx(rp, e, &key, timeout_us, &slot);
		}
		if (r == AMP_ENOBUFS) {
			AMP_STAT_INC(rp->stats.tx_no_buffer);
		}
	}
	if (r == 0) {
		rp->slot[slot].state = SLOT_APP_TX;
		rp->slot[slot].owner = ept_index(rp, e);
		*data = amp_rpmsg_slot_buf(rp, slot) + AMP_RPMSG_HDR_SIZE;
		*size = max;
	}
	amp_port_irq_unlock(key);
	return r;
}

int amp_rpmsg_op_send_nocopy(struct amp_ipc_instance *inst, void *token, const void *data,
			     size_t len)
{
	uint32_t key, slot;
	int r;
	struct amp_rpmsg_ept *e = lock_ept(inst, token, &key, &r);
	if (e == NULL) {
		return r;
	}
	struct amp_rpmsg *rp = e->rp;
	if (slot_of_payload(rp, data, &slot) < 0 || rp->slot[slot].state != SLOT_APP_TX ||
	    rp->slot[slot].owner != ept_index(rp, e)) {
		r = AMP_ENXIO;
	} else if (len == 0) {
		r = AMP_EBADMSG;
	} else if (len > MAX_PAYLOAD(rp)) {
		r = AMP_EINVAL;
	} else if (rp->state != RP_READY || !e->bound) {
		r = AMP_EBUSY;
	} else {
		amp_rpmsg_tx_put(rp, slot, e->addr, e->dest, NULL, (uint32_t)len, false);
		amp_rpmsg_after_publish(rp);
		r = (int)len;
	}
	amp_port_irq_unlock(key);
	return r;
}

int amp_rpmsg_op_drop_tx_buffer(struct amp_ipc_instance *inst, void *token, const void *data)
{
	uint32_t key, slot;
	int r;
	struct amp_rpmsg_ept *e = lock_ept(inst, token, &key, &r);
	if (e == NULL) {
		return r;
	}
	struct amp_rpmsg *rp = e->rp;
	if (slot_of_payload(rp, data, &slot) < 0) {
		r = AMP_ENXIO;
	} else if (rp->slot[slot].state != SLOT_APP_TX) {
		r = AMP_EALREADY;
	} else if (rp->slot[slot].owner != ept_index(rp, e)) {
		r = AMP_ENXIO;
	} else {
		rp->slot[slot].state = SLOT_SPARE;
		rp->spare[rp->spare_cnt++] = (uint16_t)slot;
		if (rp->tx_waiters) {
			amp_port_event_post(&rp->tx_event);
		}
		r = 0;
	}
	amp_port_irq_unlock(key);
	return r;
}

int amp_rpmsg_op_hold_rx_buffer(struct amp_ipc_instance *inst, void *token, void *data)
{
	uint32_t key, slot;
	int r;
	struct amp_rpmsg_ept *e = lock_ept(inst, token, &key, &r);
	if (e == NULL) {
		return r;
	}
	struct amp_rpmsg *rp = e->rp;
	struct amp_rpmsg_slot *s = NULL;
	if (slot_of_payload(rp, data, &slot) == 0) {
		s = &rp->slot[slot];
	}
	if (s == NULL || (s->state != SLOT_RX && s->state != SLOT_RX_HELD) ||
	    s->owner != ept_index(rp, e) || s->holds == UINT16_MAX) {
		r = AMP_ENXIO;
	} else {
		s->holds++;
		r = 0;
	}
	amp_port_irq_unlock(key);
	return r;
}

int amp_rpmsg_op_release_rx_buffer(struct amp_ipc_instance *inst, void *token, void *data)
{
	uint32_t key, slot;
	int r;
	struct amp_rpmsg_ept *e = lock_ept(inst, token, &key, &r);
	if (e == NULL) {
		return r;
	}
	struct amp_rpmsg *rp = e->rp;
	if (slot_of_payload(rp, data, &slot) < 0) {
		r = AMP_ENXIO;
	} else {
		struct amp_rpmsg_slot *s = &rp->slot[slot];
		bool rx = s->state == SLOT_RX || s->state == SLOT_RX_HELD;
		if (rx && s->owner != ept_index(rp, e)) {
			r = AMP_ENXIO;
		} else if (!rx || s->holds == 0) {
			r = AMP_EALREADY;
		} else {
			s->holds--;
			if (s->holds == 0 && s->state == SLOT_RX_HELD) {
				amp_rpmsg_rx_recycle(rp, slot);
				amp_rpmsg_after_publish(rp);
			}
			r = 0;
		}
	}
	amp_port_irq_unlock(key);
	return r;
}
