/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr's MBOX and IPM calls over amp_mbox devices. Zephyr callbacks take
 * the `struct device`; amplink's take the amp_mbox, so inbound signals pass
 * through a trampoline that finds the device again.
 */
#include "z_amp_dev.h"

#include <amplink/mbox.h>
#include <amplink/port.h>

#include <errno.h>
#include <zephyr/amp_compat.h>
#include <zephyr/drivers/ipm.h>
#include <zephyr/drivers/mbox.h>

static struct z_amp_mbox_dev *mbox_of(const struct device *dev)
{
	return z_amp_dev_obj(dev, Z_AMP_DEV_MBOX);
}

/* ---- MBOX ------------------------------------------------------------------ */

int mbox_send(const struct device *dev, mbox_channel_id_t channel_id, const struct mbox_msg *msg)
{
	struct z_amp_mbox_dev *m = mbox_of(dev);
	struct amp_mbox_msg am;

	if (m == NULL) {
		return dev == NULL ? -EINVAL : -EIO;
	}
	if (msg != NULL) {
		am.data = msg->data;
		am.size = msg->size;
	}
	return amp_err_to_errno(amp_mbox_send(&m->mbox, channel_id, msg != NULL ? &am : NULL));
}

int mbox_send_dt(const struct mbox_dt_spec *spec, const struct mbox_msg *msg)
{
	return spec == NULL ? -EINVAL : mbox_send(spec->dev, spec->channel_id, msg);
}

static void mbox_tramp(struct amp_mbox *mbox, uint32_t channel, void *user_data,
		       const struct amp_mbox_msg *msg)
{
	struct z_amp_mbox_dev *m = user_data;
	mbox_callback_t cb;
	struct mbox_msg zm;

	(void)mbox;
	if (channel >= AMP_MBOX_MAX_CHANNELS) {
		return;
	}
	cb = m->cb[channel];
	if (cb == NULL) {
		return;
	}
	if (msg != NULL) {
		zm.data = msg->data;
		zm.size = msg->size;
	}
	cb(m->dev, channel, m->cb_data[channel], msg != NULL ? &zm : NULL);
}

int mbox_register_callback(const struct device *dev, mbox_channel_id_t channel_id,
			   mbox_callback_t cb, void *user_data)
{
	struct z_amp_mbox_dev *m = mbox_of(dev);
	uint32_t key;
	int rc;

	if (m == NULL) {
		return dev == NULL ? -EINVAL : -EIO;
	}
	if (channel_id >= AMP_MBOX_MAX_CHANNELS) {
		return -EINVAL;
	}
	key = amp_port_irq_lock();
	m->cb[channel_id] = cb;
	m->cb_data[channel_id] = user_data;
	amp_port_irq_unlock(key);
	rc = amp_mbox_register_callback(&m->mbox, channel_id, cb != NULL ? mbox_tramp : NULL, m);
	return amp_err_to_errno(rc);
}

int mbox_register_callback_dt(const struct mbox_dt_spec *spec, mbox_callback_t cb, void *user_data)
{
	return spec == NULL ? -EINVAL
			    : mbox_register_callback(spec->dev, spec->channel_id, cb, user_data);
}

int mbox_set_enabled(const struct device *dev, mbox_channel_id_t channel_id, bool enabled)
{
	struct z_amp_mbox_dev *m = mbox_of(dev);

	if (m == NULL) {
		return dev == NULL ? -EINVAL : -EIO;
	}
	return amp_err_to_errno(amp_mbox_set_enabled(&m->mbox, channel_id, enabled));
}

int mbox_set_enabled_dt(const struct mbox_dt_spec *spec, bool enabled)
{
	return spec == NULL ? -EINVAL : mbox_set_enabled(spec->dev, spec->channel_id, enabled);
}

int mbox_mtu_get(const struct device *dev)
{
	struct z_amp_mbox_dev *m = mbox_of(dev);

	if (m == NULL) {
		return dev == NULL ? -EINVAL : -EIO;
	}
	return amp_err_to_errno(amp_mbox_mtu(&m->mbox));
}

int mbox_mtu_get_dt(const struct mbox_dt_spec *spec)
{
	return spec == NULL ? -EINVAL : mbox_mtu_get(spec->dev);
}

uint32_t mbox_max_channels_get(const struct device *dev)
{
	struct z_amp_mbox_dev *m = mbox_of(dev);

	return m == NULL ? 0u : amp_mbox_max_channels(&m->mbox);
}

uint32_t mbox_max_channels_get_dt(const struct mbox_dt_spec *spec)
{
	return spec == NULL ? 0u : mbox_max_channels_get(spec->dev);
}

bool mbox_is_ready_dt(const struct mbox_dt_spec *spec)
{
	return spec != NULL && mbox_of(spec->dev) != NULL;
}

/* ---- IPM ------------------------------------------------------------------- */

int ipm_send(const struct device *ipmdev, int wait, uint32_t id, const void *data, int size)
{
	struct z_amp_mbox_dev *m = mbox_of(ipmdev);

	if (m == NULL) {
		return ipmdev == NULL ? -EINVAL : -EIO;
	}
	return amp_err_to_errno(amp_ipm_send(&m->mbox, wait, id, data, size));
}

static void ipm_tramp(struct amp_mbox *mbox, void *user_data, uint32_t id, volatile void *data)
{
	struct z_amp_mbox_dev *m = user_data;
	ipm_callback_t cb = m->ipm_cb;

	(void)mbox;
	if (cb != NULL) {
		cb(m->dev, m->ipm_data, id, data);
	}
}

void ipm_register_callback(const struct device *ipmdev, ipm_callback_t cb, void *user_data)
{
	struct z_amp_mbox_dev *m = mbox_of(ipmdev);
	uint32_t key;

	if (m == NULL) {
		return;
	}
	key = amp_port_irq_lock();
	m->ipm_cb = cb;
	m->ipm_data = user_data;
	amp_port_irq_unlock(key);
	amp_ipm_register_callback(&m->mbox, cb != NULL ? ipm_tramp : NULL, m);
}

int ipm_max_data_size_get(const struct device *ipmdev)
{
	struct z_amp_mbox_dev *m = mbox_of(ipmdev);

	return m == NULL ? -EINVAL : amp_err_to_errno(amp_ipm_max_data_size_get(&m->mbox));
}

uint32_t ipm_max_id_val_get(const struct device *ipmdev)
{
	struct z_amp_mbox_dev *m = mbox_of(ipmdev);

	return m == NULL ? 0u : amp_ipm_max_id_val_get(&m->mbox);
}

int ipm_set_enabled(const struct device *ipmdev, int enable)
{
	struct z_amp_mbox_dev *m = mbox_of(ipmdev);

	if (m == NULL) {
		return -EINVAL;
	}
	return amp_err_to_errno(amp_ipm_set_enabled(&m->mbox, enable));
}

void ipm_complete(const struct device *ipmdev)
{
	(void)ipmdev;
}
