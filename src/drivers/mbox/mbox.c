/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Generic mailbox layer: the one place that validates arguments, keeps the
 * per-channel callback/enable state and maps the IPM call set onto channels.
 * Drivers see only validated calls. Portable: no OS headers, so the same file
 * serves Linux and bare metal.
 *
 * State shared with the delivery path (callbacks, enabled_mask, cb_mask) is
 * changed only with amp_port_irq_lock() held, which is what holds off the
 * driver's interrupt (or, on posix, the doorbell thread). Word-sized fields the
 * delivery path may peek at without the lock are written with atomic stores.
 */
#include "amp_log.h"

#include <amplink/errno.h>
#include <amplink/mbox.h>
#include <amplink/port.h>

#include <string.h>

/* IPM "wait": how long amp_ipm_send() waits for the peer to take a message. */
#define AMP_MBOX_IPM_WAIT_NS 1000000000ull

/* Size of the id that prefixes an ID_IN_DATA message. */
#define AMP_MBOX_IPM_ID_SIZE 4u

static bool amp_mbox_valid_channel(const struct amp_mbox *mbox, uint32_t channel)
{
	return channel < mbox->num_channels && channel < AMP_MBOX_MAX_CHANNELS;
}

static bool amp_mbox_is_tx(const struct amp_mbox *mbox, uint32_t channel)
{
	return amp_mbox_valid_channel(mbox, channel) && (mbox->tx_mask & (1u << channel)) != 0;
}

static bool amp_mbox_is_rx(const struct amp_mbox *mbox, uint32_t channel)
{
	return amp_mbox_valid_channel(mbox, channel) && (mbox->rx_mask & (1u << channel)) != 0;
}

static void amp_mbox_store_mask(uint32_t *field, uint32_t value)
{
	__atomic_store_n(field, value, __ATOMIC_RELEASE);
}

int amp_mbox_send(struct amp_mbox *mbox, uint32_t channel, const struct amp_mbox_msg *msg)
{
	if (mbox == NULL || !amp_mbox_is_tx(mbox, channel)) {
		return AMP_EINVAL;
	}
	if (msg != NULL) {
		if (msg->data == NULL && msg->size > 0) {
			return AMP_EINVAL;
		}
		if (mbox->mtu <= 0) {
			if (msg->size > 0) {
				return AMP_EMSGSIZE;
			}
			/* An empty message on a signalling device is a plain signal. */
			msg = NULL;
		} else if (msg->size > (size_t)mbox->mtu) {
			return AMP_EMSGSIZE;
		}
	}
	if (mbox->ops == NULL || mbox->ops->send == NULL) {
		return AMP_ENOSYS;
	}
	return mbox->ops->send(mbox, channel, msg);
}

/* Tell the driver to re-scan an enabled channel that just became deliverable. */
static int amp_mbox_kick(struct amp_mbox *mbox, uint32_t channel)
{
	if (mbox->ops == NULL || mbox->ops->set_enabled == NULL) {
		return 0;
	}
	if ((mbox->enabled_mask & (1u << channel)) == 0) {
		return 0;
	}
	return mbox->ops->set_enabled(mbox, channel, true);
}

int amp_mbox_register_callback(struct amp_mbox *mbox, uint32_t channel, amp_mbox_callback_t cb,
			       void *user_data)
{
	if (mbox == NULL || !amp_mbox_is_rx(mbox, channel)) {
		return AMP_EINVAL;
	}
	uint32_t key = amp_port_irq_lock();
	mbox->chan[channel].cb = cb;
	mbox->chan[channel].user_data = user_data;
	uint32_t bit = 1u << channel;
	amp_mbox_store_mask(&mbox->cb_mask, cb != NULL ? (mbox->cb_mask | bit) : (mbox->cb_mask & ~bit));
	int ret = 0;
	if (cb != NULL) {
		ret = amp_mbox_kick(mbox, channel);
	}
	amp_port_irq_unlock(key);
	return ret < 0 ? ret : 0;
}

int amp_mbox_set_enabled(struct amp_mbox *mbox, uint32_t channel, bool enable)
{
	if (mbox == NULL || !amp_mbox_is_rx(mbox, channel)) {
		return AMP_EINVAL;
	}
	if (mbox->ops == NULL || mbox->ops->set_enabled == NULL) {
		return AMP_ENOSYS;
	}
	uint32_t bit = 1u << channel;
	uint32_t key = amp_port_irq_lock();
	bool now = (mbox->enabled_mask & bit) != 0;
	if (now == enable) {
		amp_port_irq_unlock(key);
		return AMP_EALREADY;
	}
	uint32_t before = mbox->enabled_mask;
	amp_mbox_store_mask(&mbox->enabled_mask, enable ? (before | bit) : (before & ~bit));
	int ret = mbox->ops->set_enabled(mbox, channel, enable);
	if (ret < 0) {
		/* The driver refused: the channel keeps its previous state. */
		amp_mbox_store_mask(&mbox->enabled_mask, before);
	}
	amp_port_irq_unlock(key);
	return ret < 0 ? ret : 0;
}

int amp_mbox_mtu(const struct amp_mbox *mbox)
{
	if (mbox == NULL) {
		return AMP_EINVAL;
	}
	return mbox->mtu < 0 ? 0 : mbox->mtu;
}

uint32_t amp_mbox_max_channels(const struct amp_mbox *mbox)
{
	return mbox == NULL ? 0 : mbox->num_channels;
}

int amp_mbox_poll(struct amp_mbox *mbox)
{
	if (mbox == NULL) {
		return AMP_EINVAL;
	}
	if (mbox->ops == NULL || mbox->ops->poll == NULL) {
		return AMP_ENOTSUP;
	}
	return mbox->ops->poll(mbox);
}

uint32_t amp_mbox_ready_mask(const struct amp_mbox *mbox)
{
	if (mbox == NULL) {
		return 0;
	}
	uint32_t enabled = __atomic_load_n(&mbox->enabled_mask, __ATOMIC_ACQUIRE);
	uint32_t with_cb = __atomic_load_n(&mbox->cb_mask, __ATOMIC_ACQUIRE);
	if (__atomic_load_n(&mbox->ipm_cb, __ATOMIC_ACQUIRE) != NULL) {
		with_cb = mbox->rx_mask;
	}
	return enabled & with_cb & mbox->rx_mask;
}

static uint32_t amp_mbox_get_le32(const void *p)
{
	const uint8_t *b = p;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void amp_mbox_put_le32(void *p, uint32_t v)
{
	uint8_t *b = p;
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

static bool amp_mbox_dispatch_ipm(struct amp_mbox *mbox, uint32_t channel,
				  const struct amp_mbox_msg *msg)
{
	amp_ipm_callback_t cb = mbox->ipm_cb;
	if (cb == NULL) {
		return false;
	}
	if (mbox->ipm_mode != AMP_MBOX_IPM_ID_IN_DATA) {
		const void *data = (msg != NULL && msg->size > 0) ? msg->data : NULL;
		cb(mbox, mbox->ipm_user_data, channel, (volatile void *)(uintptr_t)data);
		return true;
	}
	if (msg == NULL || msg->size < AMP_MBOX_IPM_ID_SIZE) {
		/* The signal is consumed (true): keeping it pending would make
		 * the driver deliver the same malformed message forever. */
		AMP_LOGW("mbox %s: channel %u: IPM message without an id dropped",
			 mbox->name != NULL ? mbox->name : "?", (unsigned)channel);
		return true;
	}
	const uint8_t *bytes = msg->data;
	uint32_t id = amp_mbox_get_le32(bytes);
	const void *data = msg->size > AMP_MBOX_IPM_ID_SIZE ? bytes + AMP_MBOX_IPM_ID_SIZE : NULL;
	cb(mbox, mbox->ipm_user_data, id, (volatile void *)(uintptr_t)data);
	return true;
}

bool amp_mbox_dispatch(struct amp_mbox *mbox, uint32_t channel, const struct amp_mbox_msg *msg)
{
	if (mbox == NULL || !amp_mbox_is_rx(mbox, channel)) {
		return false;
	}
	if ((mbox->enabled_mask & (1u << channel)) == 0) {
		return false;
	}
	amp_mbox_callback_t cb = mbox->chan[channel].cb;
	if (cb != NULL) {
		cb(mbox, channel, mbox->chan[channel].user_data, msg);
		return true;
	}
	return amp_mbox_dispatch_ipm(mbox, channel, msg);
}

/* ---- IPM ---------------------------------------------------------------- */

int amp_ipm_max_data_size_get(const struct amp_mbox *mbox)
{
	if (mbox == NULL) {
		return AMP_EINVAL;
	}
	int mtu = mbox->mtu < 0 ? 0 : mbox->mtu;
	if (mbox->ipm_mode != AMP_MBOX_IPM_ID_IN_DATA) {
		return mtu;
	}
	if (mtu > AMP_MBOX_IPM_MSG_MAX) {
		mtu = AMP_MBOX_IPM_MSG_MAX;
	}
	return mtu < (int)AMP_MBOX_IPM_ID_SIZE ? 0 : mtu - (int)AMP_MBOX_IPM_ID_SIZE;
}

uint32_t amp_ipm_max_id_val_get(const struct amp_mbox *mbox)
{
	return mbox == NULL ? 0 : mbox->ipm_max_id;
}

static int amp_ipm_wait_taken(struct amp_mbox *mbox, uint32_t channel)
{
	if (mbox->ops->tx_busy == NULL) {
		return 0; /* the driver cannot tell: sent is all we know */
	}
	uint64_t start = amp_port_now_ns();
	for (;;) {
		int busy = mbox->ops->tx_busy(mbox, channel);
		if (busy <= 0) {
			return busy;
		}
		if (amp_port_now_ns() - start > AMP_MBOX_IPM_WAIT_NS) {
			return AMP_ETIMEDOUT;
		}
		amp_port_cpu_relax();
	}
}

int amp_ipm_send(struct amp_mbox *mbox, int wait, uint32_t id, const void *data, int size)
{
	if (mbox == NULL || size < 0 || (data == NULL && size > 0)) {
		return AMP_EINVAL;
	}
	int max = amp_ipm_max_data_size_get(mbox);
	if (size > max) {
		return AMP_EMSGSIZE;
	}
	if (id > mbox->ipm_max_id) {
		return AMP_EINVAL;
	}
	uint32_t channel;
	int ret;
	if (mbox->ipm_mode == AMP_MBOX_IPM_ID_IN_DATA) {
		uint8_t buf[AMP_MBOX_IPM_MSG_MAX];
		amp_mbox_put_le32(buf, id);
		if (size > 0) {
			memcpy(buf + AMP_MBOX_IPM_ID_SIZE, data, (size_t)size);
		}
		struct amp_mbox_msg msg = { .data = buf, .size = AMP_MBOX_IPM_ID_SIZE + (size_t)size };
		channel = mbox->ipm_tx_channel;
		ret = amp_mbox_send(mbox, channel, &msg);
	} else {
		struct amp_mbox_msg msg = { .data = data, .size = (size_t)size };
		channel = id;
		ret = amp_mbox_send(mbox, channel, size > 0 ? &msg : NULL);
	}
	if (ret < 0 || !wait) {
		return ret;
	}
	return amp_ipm_wait_taken(mbox, channel);
}

void amp_ipm_register_callback(struct amp_mbox *mbox, amp_ipm_callback_t cb, void *user_data)
{
	if (mbox == NULL) {
		return;
	}
	uint32_t key = amp_port_irq_lock();
	mbox->ipm_user_data = user_data;
	__atomic_store_n(&mbox->ipm_cb, cb, __ATOMIC_RELEASE);
	if (cb != NULL) {
		for (uint32_t ch = 0; ch < mbox->num_channels && ch < AMP_MBOX_MAX_CHANNELS; ch++) {
			if (amp_mbox_is_rx(mbox, ch) && mbox->chan[ch].cb == NULL) {
				(void)amp_mbox_kick(mbox, ch);
			}
		}
	}
	amp_port_irq_unlock(key);
}

int amp_ipm_set_enabled(struct amp_mbox *mbox, int enable)
{
	if (mbox == NULL || mbox->rx_mask == 0) {
		return AMP_EINVAL;
	}
	for (uint32_t ch = 0; ch < mbox->num_channels && ch < AMP_MBOX_MAX_CHANNELS; ch++) {
		if (!amp_mbox_is_rx(mbox, ch)) {
			continue;
		}
		int ret = amp_mbox_set_enabled(mbox, ch, enable != 0);
		if (ret < 0 && ret != AMP_EALREADY) {
			return ret;
		}
	}
	return 0;
}
