/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file zephyr/drivers/mbox.h
 * @brief Zephyr's MBOX API over amplink mailboxes (amplink compatibility layer).
 *
 * Same calls and return codes as Zephyr (the `_dt` variants take a
 * `struct mbox_dt_spec` built from `mboxes` / `mbox-names` with
 * MBOX_DT_SPEC_GET()). Callbacks run in interrupt context (on Linux the
 * doorbell thread). Register the callback before enabling the channel.
 */
#ifndef AMP_ZEPHYR_DRIVERS_MBOX_H
#define AMP_ZEPHYR_DRIVERS_MBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zephyr/device.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef uint32_t mbox_channel_id_t;

/** Data of a data-mode message. */
struct mbox_msg {
	const void *data;
	size_t size;
};

/** A controller and channel taken from the devicetree. */
struct mbox_dt_spec {
	const struct device *dev;
	mbox_channel_id_t channel_id;
};

/** The `mboxes` entry of @p node_id called @p name ("tx" / "rx"). */
#define MBOX_DT_SPEC_GET(node_id, name)                                      \
	{                                                                    \
		.dev = DEVICE_DT_GET(DT_MBOX_CTLR_BY_NAME(node_id, name)),   \
		.channel_id = DT_MBOX_CHANNEL_BY_NAME(node_id, name),       \
	}

/** Receive callback; @p data is NULL in signalling mode. Interrupt context. */
typedef void (*mbox_callback_t)(const struct device *dev, mbox_channel_id_t channel_id,
				void *user_data, struct mbox_msg *data);

/**
 * @brief Ring / send on an outbound channel.
 * @retval 0 sent  @retval -EBUSY previous data not taken  @retval -EMSGSIZE too long
 * @retval -EINVAL bad channel or not outbound  @retval -ENOSYS cannot send
 * @retval -EIO device not ready
 * Context: any; never blocks.
 */
int mbox_send(const struct device *dev, mbox_channel_id_t channel_id, const struct mbox_msg *msg);
/** @brief mbox_send() on a devicetree spec. */
int mbox_send_dt(const struct mbox_dt_spec *spec, const struct mbox_msg *msg);

/**
 * @brief Set the callback of an inbound channel.
 * @retval 0 done  @retval -EINVAL bad channel or not inbound  @retval -EIO not ready
 */
int mbox_register_callback(const struct device *dev, mbox_channel_id_t channel_id,
			   mbox_callback_t cb, void *user_data);
/** @brief mbox_register_callback() on a devicetree spec. */
int mbox_register_callback_dt(const struct mbox_dt_spec *spec, mbox_callback_t cb,
			      void *user_data);

/**
 * @brief Enable or disable an inbound channel.
 * @retval 0 done  @retval -EALREADY already so  @retval -EINVAL bad channel
 * @retval -EIO not ready
 */
int mbox_set_enabled(const struct device *dev, mbox_channel_id_t channel_id, bool enabled);
/** @brief mbox_set_enabled() on a devicetree spec. */
int mbox_set_enabled_dt(const struct mbox_dt_spec *spec, bool enabled);

/** @brief MTU in bytes (0 = signalling only), or negative errno. */
int mbox_mtu_get(const struct device *dev);
/** @brief mbox_mtu_get() on a devicetree spec. */
int mbox_mtu_get_dt(const struct mbox_dt_spec *spec);

/** @brief Number of channels of the controller (0 if not ready). */
uint32_t mbox_max_channels_get(const struct device *dev);
/** @brief mbox_max_channels_get() on a devicetree spec. */
uint32_t mbox_max_channels_get_dt(const struct mbox_dt_spec *spec);

/** @brief True when the spec's controller is ready. */
bool mbox_is_ready_dt(const struct mbox_dt_spec *spec);

#ifdef __cplusplus
}
#endif
#endif /* AMP_ZEPHYR_DRIVERS_MBOX_H */
