/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Loopback mailbox pair: two devices in one address space, wired back to back.
 * The "hardware" is a pending word and a slot array per receiving device,
 * touched with atomics so that posix tests may send from several threads.
 *
 * "Interrupt context": on posix the delivery loop runs between
 * amp_posix_isr_enter() and amp_posix_isr_exit() (entered only if the caller
 * is not already in it, so nesting keeps amp_port_in_isr() true); elsewhere it
 * runs with amp_port_irq_lock() held.
 */
#include <amplink/errno.h>
#include <amplink/mbox_loopback.h>
#include <amplink/port.h>
#if defined(AMP_MBOX_LOOPBACK_POSIX) && AMP_MBOX_LOOPBACK_POSIX
#include <amplink/port_posix.h>
#endif

#include <string.h>

#define AMP_LB_EMPTY 0u
#define AMP_LB_WRITING 1u
#define AMP_LB_FULL 2u

static const struct amp_mbox_ops amp_mbox_loopback_ops;

struct amp_lb_isr {
	uint32_t key;
	bool entered;
};

static void amp_lb_isr_enter(struct amp_lb_isr *s)
{
#if defined(AMP_MBOX_LOOPBACK_POSIX) && AMP_MBOX_LOOPBACK_POSIX
	s->key = 0;
	s->entered = !amp_port_in_isr();
	if (s->entered) {
		amp_posix_isr_enter();
	}
#else
	s->key = amp_port_irq_lock();
	s->entered = true;
#endif
}

static void amp_lb_isr_exit(struct amp_lb_isr *s)
{
#if defined(AMP_MBOX_LOOPBACK_POSIX) && AMP_MBOX_LOOPBACK_POSIX
	if (s->entered) {
		amp_posix_isr_exit();
	}
#else
	amp_port_irq_unlock(s->key);
#endif
}

static struct amp_mbox_loopback_end *amp_lb_end(const struct amp_mbox *mbox)
{
	return mbox->driver;
}

/* Deliver what is pending and ready on device @p idx. Caller is "in ISR". */
static int amp_lb_service(struct amp_mbox_loopback *lb, uint32_t idx)
{
	struct amp_mbox *mbox = lb->dev[idx];
	struct amp_mbox_loopback_inbox *in = &lb->inbox[idx];
	uint32_t ready = amp_mbox_ready_mask(mbox);
	uint32_t taken = __atomic_fetch_and(&in->pending, ~ready, __ATOMIC_ACQ_REL) & ready;
	int ran = 0;
	while (taken != 0) {
		uint32_t ch = (uint32_t)__builtin_ctz(taken);
		taken &= taken - 1;
		struct amp_mbox_loopback_slot *slot = &in->slot[ch];
		bool ok;
		if (mbox->mtu > 0 && __atomic_load_n(&slot->state, __ATOMIC_ACQUIRE) == AMP_LB_FULL) {
			uint8_t buf[AMP_MBOX_LOOPBACK_MTU_MAX];
			uint32_t len = slot->len;
			if (len > AMP_MBOX_LOOPBACK_MTU_MAX) {
				len = AMP_MBOX_LOOPBACK_MTU_MAX; /* cannot happen: send checks */
			}
			memcpy(buf, slot->data, len);
			struct amp_mbox_msg msg = { .data = buf, .size = len };
			ok = amp_mbox_dispatch(mbox, ch, &msg);
			if (ok) {
				__atomic_store_n(&slot->state, AMP_LB_EMPTY, __ATOMIC_RELEASE);
			}
		} else {
			ok = amp_mbox_dispatch(mbox, ch, NULL);
		}
		if (ok) {
			ran++;
			__atomic_fetch_add(&lb->delivered[idx], 1, __ATOMIC_RELAXED);
		} else {
			__atomic_fetch_or(&in->pending, 1u << ch, __ATOMIC_ACQ_REL);
		}
	}
	return ran;
}

/* The immediate-mode delivery loop over both devices, until quiet. */
static void amp_lb_run(struct amp_mbox_loopback *lb)
{
	struct amp_lb_isr isr;
	amp_lb_isr_enter(&isr);
	if (lb->delivering == 0) {
		lb->delivering = 1;
		int n;
		do {
			n = amp_lb_service(lb, 0);
			n += amp_lb_service(lb, 1);
		} while (n > 0);
		lb->delivering = 0;
	}
	amp_lb_isr_exit(&isr);
}

static int amp_lb_send(struct amp_mbox *mbox, uint32_t channel, const struct amp_mbox_msg *msg)
{
	struct amp_mbox_loopback_end *end = amp_lb_end(mbox);
	struct amp_mbox_loopback *lb = end->pair;
	struct amp_mbox_loopback_inbox *in = &lb->inbox[end->index ^ 1u];
	if (msg != NULL) {
		struct amp_mbox_loopback_slot *slot = &in->slot[channel];
		uint32_t expected = AMP_LB_EMPTY;
		if (!__atomic_compare_exchange_n(&slot->state, &expected, AMP_LB_WRITING, false,
						 __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			return AMP_EBUSY;
		}
		if (msg->size > 0) {
			memcpy(slot->data, msg->data, msg->size);
		}
		slot->len = (uint32_t)msg->size;
		__atomic_store_n(&slot->state, AMP_LB_FULL, __ATOMIC_RELEASE);
	}
	__atomic_fetch_or(&in->pending, 1u << channel, __ATOMIC_ACQ_REL);
	__atomic_fetch_add(&lb->sent[end->index], 1, __ATOMIC_RELAXED);
	if (lb->cfg->mode == AMP_MBOX_LOOPBACK_IMMEDIATE) {
		amp_lb_run(lb);
	}
	return 0;
}

static int amp_lb_set_enabled(struct amp_mbox *mbox, uint32_t channel, bool enable)
{
	(void)channel;
	struct amp_mbox_loopback *lb = amp_lb_end(mbox)->pair;
	if (enable && lb->cfg->mode == AMP_MBOX_LOOPBACK_IMMEDIATE) {
		amp_lb_run(lb);
	}
	return 0;
}

static int amp_lb_poll(struct amp_mbox *mbox)
{
	struct amp_mbox_loopback_end *end = amp_lb_end(mbox);
	struct amp_mbox_loopback *lb = end->pair;
	struct amp_lb_isr isr;
	int ran = 0;
	amp_lb_isr_enter(&isr);
	if (lb->delivering == 0) {
		lb->delivering = 1;
		ran = amp_lb_service(lb, end->index);
		lb->delivering = 0;
	}
	amp_lb_isr_exit(&isr);
	return ran;
}

static int amp_lb_tx_busy(struct amp_mbox *mbox, uint32_t channel)
{
	struct amp_mbox_loopback_end *end = amp_lb_end(mbox);
	struct amp_mbox_loopback_inbox *in = &end->pair->inbox[end->index ^ 1u];
	if ((__atomic_load_n(&in->pending, __ATOMIC_ACQUIRE) & (1u << channel)) != 0) {
		return 1;
	}
	return __atomic_load_n(&in->slot[channel].state, __ATOMIC_ACQUIRE) != AMP_LB_EMPTY ? 1 : 0;
}

static const struct amp_mbox_ops amp_mbox_loopback_ops = {
	.send = amp_lb_send,
	.set_enabled = amp_lb_set_enabled,
	.poll = amp_lb_poll,
	.tx_busy = amp_lb_tx_busy,
};

static int amp_lb_check_cfg(const struct amp_mbox_loopback_cfg *cfg)
{
	if (cfg->num_channels == 0 || cfg->num_channels > AMP_MBOX_MAX_CHANNELS) {
		return AMP_EINVAL;
	}
	uint32_t all = cfg->num_channels == 32 ? 0xffffffffu : ((1u << cfg->num_channels) - 1u);
	if (((cfg->a_tx_mask | cfg->b_tx_mask) & ~all) != 0) {
		return AMP_EINVAL;
	}
	if (cfg->mtu < 0 || cfg->mtu > AMP_MBOX_LOOPBACK_MTU_MAX) {
		return AMP_EINVAL;
	}
	if (cfg->mode != AMP_MBOX_LOOPBACK_IMMEDIATE && cfg->mode != AMP_MBOX_LOOPBACK_DEFERRED) {
		return AMP_EINVAL;
	}
	if (cfg->ipm_mode == AMP_MBOX_IPM_ID_IN_DATA) {
		if (cfg->mtu < 4 || cfg->ipm_tx_channel_a >= cfg->num_channels ||
		    cfg->ipm_tx_channel_b >= cfg->num_channels ||
		    (cfg->a_tx_mask & (1u << cfg->ipm_tx_channel_a)) == 0 ||
		    (cfg->b_tx_mask & (1u << cfg->ipm_tx_channel_b)) == 0) {
			return AMP_EINVAL;
		}
	} else if (cfg->ipm_mode != AMP_MBOX_IPM_ID_IS_CHANNEL) {
		return AMP_EINVAL;
	}
	return 0;
}

int amp_mbox_loopback_init(struct amp_mbox_loopback *lb, struct amp_mbox *a, struct amp_mbox *b,
			   const struct amp_mbox_loopback_cfg *cfg)
{
	if (lb == NULL || a == NULL || b == NULL || cfg == NULL || a == b) {
		return AMP_EINVAL;
	}
	int ret = amp_lb_check_cfg(cfg);
	if (ret < 0) {
		return ret;
	}
	memset(lb, 0, sizeof(*lb));
	lb->cfg = cfg;
	lb->dev[0] = a;
	lb->dev[1] = b;
	for (uint32_t i = 0; i < 2; i++) {
		struct amp_mbox *m = lb->dev[i];
		memset(m, 0, sizeof(*m));
		lb->end[i].pair = lb;
		lb->end[i].index = i;
		m->ops = &amp_mbox_loopback_ops;
		m->driver = &lb->end[i];
		m->num_channels = cfg->num_channels;
		m->tx_mask = i == 0 ? cfg->a_tx_mask : cfg->b_tx_mask;
		m->rx_mask = i == 0 ? cfg->b_tx_mask : cfg->a_tx_mask;
		m->mtu = cfg->mtu;
		m->ipm_mode = cfg->ipm_mode;
		if (cfg->ipm_mode == AMP_MBOX_IPM_ID_IN_DATA) {
			m->ipm_max_id = 0xffffffffu;
			m->ipm_tx_channel = i == 0 ? cfg->ipm_tx_channel_a : cfg->ipm_tx_channel_b;
		} else {
			m->ipm_max_id = cfg->num_channels - 1u;
		}
	}
	a->name = cfg->name_a != NULL ? cfg->name_a : "loopback-a";
	b->name = cfg->name_b != NULL ? cfg->name_b : "loopback-b";
	return 0;
}
