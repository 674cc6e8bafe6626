/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loopback transport: two in-process instances wired to each other.
 *
 * It is the executable definition of the service semantics the real
 * transports are measured against, so it favours clarity over speed: one
 * lock (the irq lock, which nests) around every operation, fixed pools, and
 * a FIFO per receiving instance so that messages arrive in send order even
 * when a callback sends from inside another callback.
 */
#include <amplink/errno.h>
#include <amplink/loopback.h>
#include <amplink/port.h>

#include <string.h>

enum {
	BUF_FREE = 0,
	BUF_CLAIMED,    /* handed out by get_tx_buffer, not yet sent or dropped */
	BUF_QUEUED,     /* in the receiver's FIFO */
	BUF_DELIVERING, /* the receiver's callback runs on it */
	BUF_HELD,       /* the receiver holds it after the callback */
};

static const struct amp_loopback_cfg default_cfg = { .name = "loopback", .deferred = false };

static int slot_index(const struct amp_loopback *lb, const void *token)
{
	for (int i = 0; i < AMP_LOOPBACK_MAX_EPTS; i++) {
		if (token == (const void *)&lb->slot[i] && lb->slot[i].cfg != NULL) {
			return i;
		}
	}
	return -1;
}

/* Index of the buffer of @p pool_owner whose data starts at @p data, or -1. */
static int buf_index(const struct amp_loopback *pool_owner, const void *data)
{
	for (int i = 0; i < AMP_LOOPBACK_NUM_BUFS; i++) {
		if (data == (const void *)pool_owner->buf[i].data) {
			return i;
		}
	}
	return -1;
}

static void buf_free(struct amp_loopback *pool_owner, int i)
{
	pool_owner->buf[i].state = BUF_FREE;
	pool_owner->buf[i].holds = 0;
	amp_port_event_post(&pool_owner->buf_ev);
}

static void call_bound(const struct amp_loopback_slot *s)
{
	if (s->cfg->cb.bound != NULL) {
		s->cfg->cb.bound(s->cfg->priv);
	}
}

static void call_unbound(const struct amp_loopback_slot *s)
{
	if (s->cfg->cb.unbound != NULL) {
		s->cfg->cb.unbound(s->cfg->priv);
	}
}

/* Runs the receiver's callbacks for everything in its FIFO. Reentrant calls
 * (a send from inside a callback) only enqueue; the outer loop delivers. */
static int deliver(struct amp_loopback *rx)
{
	struct amp_loopback *tx = rx->peer;
	int n = 0;

	if (rx->delivering) {
		return 0;
	}
	rx->delivering = true;
	while (rx->q_count > 0) {
		int bi = rx->queue[rx->q_head];
		rx->q_head = (rx->q_head + 1) % AMP_LOOPBACK_NUM_BUFS;
		rx->q_count--;

		struct amp_loopback_buf *b = &tx->buf[bi];
		const struct amp_loopback_slot *s = &rx->slot[b->dst];
		/* The endpoint may have gone since the message was queued. */
		if (s->cfg == NULL || s->peer != b->src || s->cfg->cb.received == NULL) {
			buf_free(tx, bi);
			continue;
		}
		b->state = BUF_DELIVERING;
		s->cfg->cb.received(b->data, b->len, s->cfg->priv);
		n++;
		if (b->state == BUF_DELIVERING) {
			buf_free(tx, bi);
		}
	}
	rx->delivering = false;
	return n;
}

static int enqueue(struct amp_loopback *lb, int si, int bi, size_t len)
{
	struct amp_loopback *rx = lb->peer;
	struct amp_loopback_buf *b = &lb->buf[bi];

	b->len = (uint32_t)len;
	b->src = (int8_t)si;
	b->dst = (int8_t)lb->slot[si].peer;
	b->state = BUF_QUEUED;
	rx->queue[(rx->q_head + rx->q_count) % AMP_LOOPBACK_NUM_BUFS] = (uint8_t)bi;
	rx->q_count++;
	if (!rx->cfg->deferred) {
		deliver(rx);
	}
	return (int)len;
}

/* ---- ops ------------------------------------------------------------------ */

static int lb_open(struct amp_ipc_instance *inst)
{
	struct amp_loopback *lb = inst->backend;
	uint32_t key = amp_port_irq_lock();
	int ret = lb->open ? AMP_EALREADY : 0;

	lb->open = true;
	amp_port_irq_unlock(key);
	return ret;
}

static int lb_close(struct amp_ipc_instance *inst)
{
	struct amp_loopback *lb = inst->backend;
	uint32_t key = amp_port_irq_lock();
	int ret = 0;

	if (!lb->open) {
		ret = AMP_EALREADY;
	} else {
		for (int i = 0; i < AMP_LOOPBACK_MAX_EPTS; i++) {
			if (lb->slot[i].cfg != NULL) {
				ret = AMP_EBUSY;
			}
		}
		if (ret == 0) {
			lb->open = false;
		}
	}
	amp_port_irq_unlock(key);
	return ret;
}

static int lb_register(struct amp_ipc_instance *inst, void **token,
		       const struct amp_ipc_ept_cfg *cfg)
{
	struct amp_loopback *lb = inst->backend;
	struct amp_loopback *peer = lb->peer;

	if (cfg->name == NULL || cfg->name[0] == '\0' ||
	    strlen(cfg->name) > AMP_LOOPBACK_NAME_MAX) {
		return AMP_EINVAL;
	}
	uint32_t key = amp_port_irq_lock();
	int ret = 0;
	int free_slot = -1;

	if (!lb->open) {
		ret = AMP_EBUSY;
		goto out;
	}
	for (int i = 0; i < AMP_LOOPBACK_MAX_EPTS; i++) {
		const struct amp_ipc_ept_cfg *c = lb->slot[i].cfg;
		if (c == cfg) {
			ret = AMP_EALREADY;
			goto out;
		}
		if (c != NULL && strcmp(c->name, cfg->name) == 0) {
			ret = AMP_EEXIST;
			goto out;
		}
		if (c == NULL && free_slot < 0) {
			free_slot = i;
		}
	}
	if (free_slot < 0) {
		ret = AMP_ENOMEM;
		goto out;
	}
	struct amp_loopback_slot *s = &lb->slot[free_slot];
	s->cfg = cfg;
	s->peer = -1;
	*token = s;

	/* Bind with the peer's endpoint of the same name, if any. */
	for (int i = 0; i < AMP_LOOPBACK_MAX_EPTS; i++) {
		struct amp_loopback_slot *p = &peer->slot[i];
		if (p->cfg != NULL && p->peer < 0 && strcmp(p->cfg->name, cfg->name) == 0) {
			s->peer = i;
			p->peer = free_slot;
			call_bound(p);
			call_bound(s);
			break;
		}
	}
out:
	amp_port_irq_unlock(key);
	return ret;
}

static int lb_deregister(struct amp_ipc_instance *inst, void *token)
{
	struct amp_loopback *lb = inst->backend;
	uint32_t key = amp_port_irq_lock();
	int si = slot_index(lb, token);

	if (si < 0) {
		amp_port_irq_unlock(key);
		return AMP_ENOENT;
	}
	struct amp_loopback_slot *s = &lb->slot[si];
	int pi = s->peer;

	/* Buffers this endpoint still holds go back to the peer's pool. */
	for (int i = 0; i < AMP_LOOPBACK_NUM_BUFS; i++) {
		struct amp_loopback_buf *b = &lb->peer->buf[i];
		if (b->state == BUF_HELD && b->dst == si) {
			buf_free(lb->peer, i);
		}
	}
	/* Its unsent transmit buffers too. */
	for (int i = 0; i < AMP_LOOPBACK_NUM_BUFS; i++) {
		if (lb->buf[i].state == BUF_CLAIMED && lb->buf[i].src == si) {
			buf_free(lb, i);
		}
	}
	s->cfg = NULL;
	s->peer = -1;
	if (pi >= 0) {
		struct amp_loopback_slot *p = &lb->peer->slot[pi];
		p->peer = -1;
		call_unbound(p);
	}
	amp_port_irq_unlock(key);
	return 0;
}

static int lb_send(struct amp_ipc_instance *inst, void *token, const void *data, size_t len)
{
	struct amp_loopback *lb = inst->backend;
	uint32_t key = amp_port_irq_lock();
	int si = slot_index(lb, token);
	int ret;

	if (si < 0) {
		ret = AMP_ENOENT;
	} else if (lb->slot[si].peer < 0) {
		ret = AMP_EBUSY;
	} else if (len == 0) {
		ret = AMP_ENODATA;
	} else if (len > AMP_LOOPBACK_BUF_SIZE) {
		ret = AMP_EMSGSIZE;
	} else {
		ret = AMP_ENOMEM;
		for (int i = 0; i < AMP_LOOPBACK_NUM_BUFS; i++) {
			if (lb->buf[i].state == BUF_FREE) {
				memcpy(lb->buf[i].data, data, len);
				ret = enqueue(lb, si, i, len);
				break;
			}
		}
	}
	amp_port_irq_unlock(key);
	return ret;
}

static int lb_get_tx_buffer_size(struct amp_ipc_instance *inst, void *token)
{
	struct amp_loopback *lb = inst->backend;
	return slot_index(lb, token) < 0 ? AMP_ENOENT : AMP_LOOPBACK_BUF_SIZE;
}

static int lb_get_tx_buffer(struct amp_ipc_instance *inst, void *token, void **data,
			    uint32_t *size, int64_t timeout_us)
{
	struct amp_loopback *lb = inst->backend;
	uint64_t deadline = timeout_us > 0 ? amp_port_now_ns() + (uint64_t)timeout_us * 1000u : 0;

	if (*size > AMP_LOOPBACK_BUF_SIZE) {
		*size = AMP_LOOPBACK_BUF_SIZE;
		return AMP_ENOMEM;
	}
	for (;;) {
		uint32_t key = amp_port_irq_lock();
		int si = slot_index(lb, token);
		if (si < 0) {
			amp_port_irq_unlock(key);
			return AMP_ENOENT;
		}
		if (lb->slot[si].peer < 0) {
			amp_port_irq_unlock(key);
			return AMP_EBUSY;
		}
		for (int i = 0; i < AMP_LOOPBACK_NUM_BUFS; i++) {
			if (lb->buf[i].state == BUF_FREE) {
				lb->buf[i].state = BUF_CLAIMED;
				lb->buf[i].src = (int8_t)si;
				*data = lb->buf[i].data;
				*size = AMP_LOOPBACK_BUF_SIZE;
				amp_port_irq_unlock(key);
				return 0;
			}
		}
		amp_port_irq_unlock(key);

		if (timeout_us == AMP_NO_WAIT) {
			return AMP_ENOBUFS;
		}
		int64_t left = AMP_FOREVER;
		if (timeout_us > 0) {
			uint64_t now = amp_port_now_ns();
			if (now >= deadline) {
				return AMP_ETIMEDOUT;
			}
			left = (int64_t)((deadline - now + 999u) / 1000u);
		}
		/* The event latches, so a buffer freed between the scan above
		 * and this wait is not missed. */
		(void)amp_port_event_wait(&lb->buf_ev, left);
	}
}

static int lb_send_nocopy(struct amp_ipc_instance *inst, void *token, const void *data,
			  size_t len)
{
	struct amp_loopback *lb = inst->backend;
	uint32_t key = amp_port_irq_lock();
	int si = slot_index(lb, token);
	int bi = buf_index(lb, data);
	int ret;

	if (si < 0) {
		ret = AMP_ENOENT;
	} else if (bi < 0 || lb->buf[bi].state != BUF_CLAIMED || lb->buf[bi].src != si) {
		ret = AMP_ENXIO;
	} else if (len > AMP_LOOPBACK_BUF_SIZE) {
		ret = AMP_EINVAL;
	} else if (len == 0) {
		ret = AMP_ENODATA;
	} else if (lb->slot[si].peer < 0) {
		ret = AMP_EBUSY; /* the buffer stays claimed: the caller may drop it */
	} else {
		ret = enqueue(lb, si, bi, len);
	}
	amp_port_irq_unlock(key);
	return ret;
}

static int lb_drop_tx_buffer(struct amp_ipc_instance *inst, void *token, const void *data)
{
	struct amp_loopback *lb = inst->backend;
	uint32_t key = amp_port_irq_lock();
	int si = slot_index(lb, token);
	int bi = buf_index(lb, data);
	int ret;

	if (si < 0) {
		ret = AMP_ENOENT;
	} else if (bi < 0) {
		ret = AMP_ENXIO;
	} else if (lb->buf[bi].state != BUF_CLAIMED || lb->buf[bi].src != si) {
		ret = AMP_EALREADY; /* sent or dropped already */
	} else {
		buf_free(lb, bi);
		ret = 0;
	}
	amp_port_irq_unlock(key);
	return ret;
}

static int lb_hold_rx_buffer(struct amp_ipc_instance *inst, void *token, void *data)
{
	struct amp_loopback *lb = inst->backend;
	uint32_t key = amp_port_irq_lock();
	int si = slot_index(lb, token);
	int bi = buf_index(lb->peer, data);
	int ret = AMP_ENXIO;

	if (si < 0) {
		ret = AMP_ENOENT;
	} else if (bi >= 0 && lb->peer->buf[bi].dst == si) {
		struct amp_loopback_buf *b = &lb->peer->buf[bi];
		if ((b->state == BUF_DELIVERING || b->state == BUF_HELD) && b->holds < UINT8_MAX) {
			b->state = BUF_HELD;
			b->holds++;
			ret = 0;
		}
	}
	amp_port_irq_unlock(key);
	return ret;
}

static int lb_release_rx_buffer(struct amp_ipc_instance *inst, void *token, void *data)
{
	struct amp_loopback *lb = inst->backend;
	uint32_t key = amp_port_irq_lock();
	int si = slot_index(lb, token);
	int bi = buf_index(lb->peer, data);
	int ret;

	if (si < 0) {
		ret = AMP_ENOENT;
	} else if (bi < 0) {
		ret = AMP_ENXIO;
	} else {
		struct amp_loopback_buf *b = &lb->peer->buf[bi];
		if (b->state != BUF_HELD || b->dst != si) {
			ret = AMP_EALREADY;
		} else {
			if (--b->holds == 0) {
				buf_free(lb->peer, bi);
			}
			ret = 0;
		}
	}
	amp_port_irq_unlock(key);
	return ret;
}

static const struct amp_ipc_backend_ops loopback_ops = {
	.open_instance = lb_open,
	.close_instance = lb_close,
	.register_endpoint = lb_register,
	.deregister_endpoint = lb_deregister,
	.send = lb_send,
	.get_tx_buffer_size = lb_get_tx_buffer_size,
	.get_tx_buffer = lb_get_tx_buffer,
	.drop_tx_buffer = lb_drop_tx_buffer,
	.send_nocopy = lb_send_nocopy,
	.hold_rx_buffer = lb_hold_rx_buffer,
	.release_rx_buffer = lb_release_rx_buffer,
};

static void init_one(struct amp_loopback *lb, const struct amp_loopback_cfg *cfg,
		     struct amp_loopback *peer)
{
	memset(lb, 0, sizeof(*lb));
	lb->cfg = cfg != NULL ? cfg : &default_cfg;
	lb->peer = peer;
	lb->inst.ops = &loopback_ops;
	lb->inst.backend = lb;
	lb->inst.name = lb->cfg->name;
	for (int i = 0; i < AMP_LOOPBACK_MAX_EPTS; i++) {
		lb->slot[i].peer = -1;
	}
	amp_port_event_init(&lb->buf_ev);
}

int amp_loopback_init_pair(struct amp_loopback *a, const struct amp_loopback_cfg *cfg_a,
			   struct amp_loopback *b, const struct amp_loopback_cfg *cfg_b)
{
	if (a == NULL || b == NULL || a == b) {
		return AMP_EINVAL;
	}
	init_one(a, cfg_a, b);
	init_one(b, cfg_b, a);
	return 0;
}

struct amp_ipc_instance *amp_loopback_instance(struct amp_loopback *lb)
{
	return lb != NULL ? &lb->inst : NULL;
}

int amp_loopback_process(struct amp_loopback *lb)
{
	if (lb == NULL) {
		return AMP_EINVAL;
	}
	uint32_t key = amp_port_irq_lock();
	int n = deliver(lb);
	amp_port_irq_unlock(key);
	return n;
}
