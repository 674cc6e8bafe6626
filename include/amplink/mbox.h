/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/mbox.h
 * @brief Mailbox / doorbell devices with Zephyr's MBOX semantics, and the
 * IPM-style call set on top of the same devices.
 *
 * A mailbox device has numbered channels. A channel is either outbound
 * (this core sends on it) or inbound (this core receives on it). In signalling
 * mode (MTU 0) a send only rings; in data mode a send carries up to MTU bytes.
 * Inbound signals are delivered to the channel's callback in interrupt context
 * (on Linux: the doorbell thread, with amp_port_in_isr() true). Signals may
 * coalesce: a receiver re-scans its shared memory on every callback and never
 * counts them. A signal raised while the inbound channel is disabled stays
 * pending and is delivered when the channel is enabled — so register the
 * callback before enabling.
 *
 * A driver fills in `struct amp_mbox` through its own init function
 * (amp_mbox_linux_init(), amp_mbox_loopback_init(), amp_mbox_mhu_init()) and
 * calls amp_mbox_dispatch() from its interrupt handler. Applications and
 * transports use only the functions below.
 */
#ifndef AMPLINK_MBOX_H
#define AMPLINK_MBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Most channels one device can have. */
#define AMP_MBOX_MAX_CHANNELS 32

struct amp_mbox;

/** Data carried by a data-mode message; NULL message = signal only. */
struct amp_mbox_msg {
	const void *data; /**< payload, @ref size bytes */
	size_t size;      /**< payload length, <= MTU */
};

/**
 * @brief Inbound-channel callback. Runs in interrupt context.
 * @param mbox       the device
 * @param channel    the inbound channel that fired
 * @param user_data  as registered
 * @param msg        NULL in signalling mode; in data mode the received data,
 *                   valid only during the call
 */
typedef void (*amp_mbox_callback_t)(struct amp_mbox *mbox, uint32_t channel, void *user_data,
				    const struct amp_mbox_msg *msg);

/** Driver operations (const, may live in flash). All arguments are validated
 *  by the generic layer before a driver op is called. */
struct amp_mbox_ops {
	/** Ring/send on outbound @p channel. Return 0, AMP_EBUSY (the peer has not
	 *  taken the previous data) or AMP_EIO. */
	int (*send)(struct amp_mbox *mbox, uint32_t channel, const struct amp_mbox_msg *msg);
	/** Inbound @p channel was enabled (true) or disabled: the driver delivers
	 *  signals that are pending now (enable) or stops delivering (disable). */
	int (*set_enabled)(struct amp_mbox *mbox, uint32_t channel, bool enable);
	/** Optional: deliver pending inbound signals from the caller's context
	 *  (polling mode). Return the number of callbacks run. */
	int (*poll)(struct amp_mbox *mbox);
};

/** One channel's callback registration (owned by the generic layer). */
struct amp_mbox_channel {
	amp_mbox_callback_t cb;
	void *user_data;
};

/** IPM-style callback: @p id is the message id, @p data its payload (driver-defined size). */
typedef void (*amp_ipm_callback_t)(struct amp_mbox *mbox, void *user_data, uint32_t id,
				   volatile void *data);

/** A mailbox device (caller-owned; filled in by a driver's init function). */
struct amp_mbox {
	const struct amp_mbox_ops *ops; /**< driver operations */
	void *driver;                   /**< driver state */
	const char *name;               /**< for diagnostics */
	uint32_t num_channels;          /**< channels 0..num_channels-1 exist */
	uint32_t tx_mask;               /**< bit n set: channel n is outbound here */
	uint32_t rx_mask;               /**< bit n set: channel n is inbound here */
	uint32_t enabled_mask;          /**< inbound channels currently enabled */
	int mtu;                        /**< 0 = signalling only, else bytes per message */
	uint32_t ipm_max_id;            /**< largest id amp_ipm_send() accepts */
	struct amp_mbox_channel chan[AMP_MBOX_MAX_CHANNELS];
	amp_ipm_callback_t ipm_cb;      /**< IPM-style callback (see amp_ipm_register_callback) */
	void *ipm_user_data;
};

/**
 * @brief Send on an outbound channel (Zephyr `mbox_send`).
 * @param msg  NULL to signal only; else data of at most MTU bytes
 * @retval 0            sent (a signal may coalesce with earlier ones)
 * @retval AMP_EINVAL   NULL device, channel out of range or not outbound
 * @retval AMP_EMSGSIZE msg->size > MTU (in signalling mode: any data)
 * @retval AMP_EBUSY    data mode: the peer has not taken the previous data
 * @retval AMP_ENOSYS   the driver cannot send
 * @retval AMP_EIO      the environment failed
 * Context: any, ISR included; never blocks. Concurrency: any threads.
 */
int amp_mbox_send(struct amp_mbox *mbox, uint32_t channel, const struct amp_mbox_msg *msg);

/**
 * @brief Set the callback of an inbound channel (Zephyr `mbox_register_callback`).
 * @retval 0 registered  @retval AMP_EINVAL NULL device, bad or outbound channel
 * Context: thread. Lifetime: @p user_data must stay valid while registered.
 */
int amp_mbox_register_callback(struct amp_mbox *mbox, uint32_t channel, amp_mbox_callback_t cb,
			       void *user_data);

/**
 * @brief Enable or disable delivery on an inbound channel (Zephyr `mbox_set_enabled`).
 *
 * Enabling delivers a signal that arrived while the channel was disabled.
 * @retval 0            done
 * @retval AMP_EINVAL   NULL device, bad channel or not inbound
 * @retval AMP_EALREADY the channel already is in that state
 * Context: thread or ISR.
 */
int amp_mbox_set_enabled(struct amp_mbox *mbox, uint32_t channel, bool enable);

/** @brief MTU in bytes (0 = signalling only), or AMP_EINVAL for NULL. Context: any. */
int amp_mbox_mtu(const struct amp_mbox *mbox);

/** @brief Number of channels (0 for NULL). Context: any. */
uint32_t amp_mbox_max_channels(const struct amp_mbox *mbox);

/**
 * @brief Run pending inbound callbacks from the caller's thread (polling mode).
 * @return number of callbacks run (>= 0), or AMP_ENOTSUP if the driver only
 *         delivers from its own interrupt context, AMP_EINVAL for NULL.
 * Context: thread.
 */
int amp_mbox_poll(struct amp_mbox *mbox);

/**
 * @brief For drivers: deliver one inbound signal/message to its callback.
 *
 * Does nothing (returns false) if the channel has no callback or is disabled;
 * the driver then keeps the signal pending.
 * Context: the driver's interrupt context.
 */
bool amp_mbox_dispatch(struct amp_mbox *mbox, uint32_t channel, const struct amp_mbox_msg *msg);

/* ---- IPM-style call set (Zephyr drivers/ipm.h) --------------------------- */

/**
 * @brief Send a message with an id and optional data (Zephyr `ipm_send`).
 *
 * The id selects the outbound channel (id n → channel n) unless the driver
 * documents otherwise; data must fit the MTU.
 * @param wait  non-zero: busy-wait (bounded) until the peer has taken the message
 * @retval 0 sent  @retval AMP_EINVAL bad id  @retval AMP_EMSGSIZE size > max data size
 * @retval AMP_EBUSY the peer has not taken the previous message
 * @retval AMP_ETIMEDOUT wait: the peer did not take it within a second
 * Context: any when wait == 0.
 */
int amp_ipm_send(struct amp_mbox *mbox, int wait, uint32_t id, const void *data, int size);

/** @brief Register the one IPM callback of the device: it receives every inbound
 *  channel as id = channel. Context: thread. */
void amp_ipm_register_callback(struct amp_mbox *mbox, amp_ipm_callback_t cb, void *user_data);

/** @brief Largest data size of one IPM message (the MTU). */
int amp_ipm_max_data_size_get(const struct amp_mbox *mbox);

/** @brief Largest id amp_ipm_send() accepts. */
uint32_t amp_ipm_max_id_val_get(const struct amp_mbox *mbox);

/**
 * @brief Enable/disable all inbound channels for the IPM callback (Zephyr `ipm_set_enabled`).
 * @retval 0 done  @retval AMP_EINVAL no inbound channel
 */
int amp_ipm_set_enabled(struct amp_mbox *mbox, int enable);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_MBOX_H */
