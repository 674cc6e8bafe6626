/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file zephyr/drivers/ipm.h
 * @brief Zephyr's IPM (inter-processor mailbox) API over amplink mailboxes
 * (amplink compatibility layer).
 *
 * An IPM device is a mailbox controller of the devicetree. What the id means
 * is the device's `amplink,ipm-mode`: "id-in-data" (Linux doorbell with an
 * MTU of at least 4) carries the full 32-bit id, so
 * `ipm_send(dev, 0, 0x12345678, NULL, 0)` arrives as id 0x12345678;
 * "id-is-channel" (Arm MHU) rings channel id (the target CPU), as Zephyr's
 * MHU driver does.
 */
#ifndef AMP_ZEPHYR_DRIVERS_IPM_H
#define AMP_ZEPHYR_DRIVERS_IPM_H

#include <stdint.h>
#include <zephyr/device.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Receive callback; runs in interrupt context; @p data valid during the call. */
typedef void (*ipm_callback_t)(const struct device *ipmdev, void *user_data, uint32_t id,
			       volatile void *data);

/**
 * @brief Send a message with an id and optional data.
 * @param wait non-zero: busy-wait (at most 1 s) until the peer has taken it
 * @retval 0 sent  @retval -EBUSY the peer has not taken the previous message
 * @retval -EMSGSIZE size too large  @retval -EINVAL bad id or device
 * @retval -ETIMEDOUT wait expired  @retval -EIO the device is not ready
 * Context: any when wait == 0.
 */
int ipm_send(const struct device *ipmdev, int wait, uint32_t id, const void *data, int size);

/** @brief Set the device's one receive callback. Context: thread. */
void ipm_register_callback(const struct device *ipmdev, ipm_callback_t cb, void *user_data);

/** @brief Largest data size per message (negative errno for a bad device). */
int ipm_max_data_size_get(const struct device *ipmdev);

/** @brief Largest id ipm_send() accepts (0 for a bad device). */
uint32_t ipm_max_id_val_get(const struct device *ipmdev);

/**
 * @brief Enable (non-zero) or disable delivery to the callback.
 * @retval 0 done  @retval -EINVAL no inbound channel or bad device
 */
int ipm_set_enabled(const struct device *ipmdev, int enable);

/** @brief Acknowledge a message (no-op: messages are acknowledged when the callback returns). */
void ipm_complete(const struct device *ipmdev);

#ifdef __cplusplus
}
#endif
#endif /* AMP_ZEPHYR_DRIVERS_IPM_H */
