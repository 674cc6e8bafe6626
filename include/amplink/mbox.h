/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/mbox.h
 * @brief Mailbox / doorbell devices with Zephyr's MBOX semantics, and the
 * IPM-style call set on top of the same devices.
 *
 * A mailbox device has numbered channels. A channel is outbound (this core
 * sends on it), inbound (this core receives on it), or, where the driver allows
 * it, both. In signalling mode (MTU 0) a send only rings; in data mode a send
 * carries up to MTU bytes. Inbound signals are delivered to the channel's
 * callback in interrupt context (on Linux: the doorbell thread, with
 * amp_port_in_isr() true). Signals may coalesce: a receiver re-scans its shared
 * memory on every callback and never counts them. A signal raised while the
 * inbound channel is disabled (or has no callback yet) stays pending and is
 * delivered when the channel is enabled and has a callback.
 *
 * A driver fills in `struct amp_mbox` through its own init function
 * (amp_mbox_linux_init(), amp_mbox_loopback_init(), amp_mbox_mhu_init()) and
 * calls amp_mbox_dispatch() from its interrupt handler for the inbound channels
 * in amp_mbox_ready_mask(). Applications and transports use only the
 * amp_mbox_* / amp_ipm_* calls below.
 *
 * @par How IPM ids map onto channels
 * Zephyr's IPM API sends "a message with an id"; MBOX sends on a channel. A
 * device declares one of two mappings in `ipm_mode`:
 *  - @ref AMP_MBOX_IPM_ID_IS_CHANNEL (0, the default; hardware doorbells such as
 *    the Arm MHU, where id = target CPU = doorbell bit): amp_ipm_send() with id n
 *    rings outbound channel n (carrying the data, if any, in data mode); the IPM
 *    callback receives id = the inbound channel that fired. ipm_max_id is set by
 *    the driver (at most num_channels - 1).
 *  - @ref AMP_MBOX_IPM_ID_IN_DATA (devices with an MTU of at least 4 bytes, such
 *    as the Linux shared-memory doorbell): the id is a full 32-bit value carried
 *    in the message. amp_ipm_send() sends one data message on `ipm_tx_channel`
 *    made of the id (4 bytes, little-endian) followed by the data; the receiving
 *    generic layer decodes it and calls the IPM callback with that id and a
 *    pointer to the data after it (NULL when there is none). So
 *    `ipm_send(dev, 0, 0x12345678, NULL, 0)` arrives as id 0x12345678.
 *    ipm_max_id is 0xFFFFFFFF and the largest data size is MTU - 4. A message of
 *    fewer than 4 bytes on a channel that goes to the IPM callback is a protocol
 *    violation by the sender: it is logged and dropped.
 *
 * A channel with its own MBOX callback (amp_mbox_register_callback) is not
 * delivered to the IPM callback; the IPM callback gets the inbound channels
 * without one.
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

/** Largest message amp_ipm_send() assembles in ID_IN_DATA mode (id + data);
 *  bounds the IPM data size on devices with a larger MTU. */
#define AMP_MBOX_IPM_MSG_MAX 64

/** How IPM ids map onto channels (see the file documentation). */
enum amp_mbox_ipm_mode {
	AMP_MBOX_IPM_ID_IS_CHANNEL = 0, /**< id n = channel n; callback id = inbound channel */
	AMP_MBOX_IPM_ID_IN_DATA = 1,    /**< 32-bit id carried LE in the first 4 data bytes */
};

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
 * @param msg        NULL for a signal without data (always in signalling
 *                   mode); in data mode the received data, valid only during
 *                   the call
 */
typedef void (*amp_mbox_callback_t)(struct amp_mbox *mbox, uint32_t channel, void *user_data,
				    const struct amp_mbox_msg *msg);

/** Driver operations (const, may live in flash). All arguments are validated
 *  by the generic layer before a driver op is called. */
struct amp_mbox_ops {
	/** Ring/send on outbound @p channel. Return 0, AMP_EBUSY (the peer has not
	 *  taken the previous data) or AMP_EIO. Every write the caller made to
	 *  shared memory before the call must be visible to the peer before the
	 *  signal can be (a barrier before a doorbell register, release stores
	 *  for a doorbell in memory): transports rely on it and add none. */
	int (*send)(struct amp_mbox *mbox, uint32_t channel, const struct amp_mbox_msg *msg);
	/** Inbound @p channel was enabled (true) or disabled: the driver delivers
	 *  signals that are pending now (enable) or stops delivering (disable).
	 *  The generic layer also calls it with true when an enabled channel gets
	 *  a callback, so that a signal kept pending for want of one is delivered.
	 *  Called with amp_port_irq_lock() held. */
	int (*set_enabled)(struct amp_mbox *mbox, uint32_t channel, bool enable);
	/** Optional: deliver pending inbound signals from the caller's context
	 *  (polling mode). Return the number of callbacks run. */
	int (*poll)(struct amp_mbox *mbox);
	/** Optional: 1 while the peer has not yet taken the last signal/message
	 *  sent on outbound @p channel, 0 once it has (used by amp_ipm_send() with
	 *  wait). A data message counts as taken when the peer's handler has
	 *  returned; a bare signal may count as taken as soon as the peer's
	 *  interrupt took it. Context: any. */
	int (*tx_busy)(struct amp_mbox *mbox, uint32_t channel);
};

/** One channel's callback registration (owned by the generic layer). */
struct amp_mbox_channel {
	amp_mbox_callback_t cb;
	void *user_data;
};

/** IPM-style callback: @p id is the message id, @p data its payload (NULL when
 *  the message carried none). Runs in interrupt context; @p data is valid only
 *  during the call. */
typedef void (*amp_ipm_callback_t)(struct amp_mbox *mbox, void *user_data, uint32_t id,
				   volatile void *data);

/** A mailbox device (caller-owned; filled in by a driver's init function).
 *  Fields below `enabled_mask` are maintained by the generic layer; drivers
 *  zero them at init and then only read them. */
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
	uint32_t cb_mask;               /**< inbound channels with an MBOX callback */
	uint8_t ipm_mode;               /**< enum amp_mbox_ipm_mode, set by the driver */
	uint8_t ipm_tx_channel;         /**< ID_IN_DATA: outbound channel of amp_ipm_send() */
};

/**
 * @brief Send on an outbound channel (Zephyr `mbox_send`).
 * @param mbox     the device
 * @param channel  an outbound channel
 * @param msg      NULL (or a message of size 0 in signalling mode) to signal
 *                 only; else data of at most MTU bytes
 * @retval 0            sent (a signal may coalesce with earlier ones)
 * @retval AMP_EINVAL   NULL device, channel out of range or not outbound, or
 *                      msg->data NULL with msg->size > 0
 * @retval AMP_EMSGSIZE msg->size > MTU (in signalling mode: any data)
 * @retval AMP_EBUSY    data mode: the peer has not taken the previous data
 * @retval AMP_ENOSYS   the driver cannot send
 * @retval AMP_EIO      the environment failed
 * Context: any, ISR included; never blocks. Concurrency: any threads.
 * Lifetime: the data is copied before the call returns.
 */
int amp_mbox_send(struct amp_mbox *mbox, uint32_t channel, const struct amp_mbox_msg *msg);

/**
 * @brief Set or clear (cb NULL) the callback of an inbound channel (Zephyr
 * `mbox_register_callback`).
 *
 * Register before enabling: a signal that arrives on an enabled channel with
 * no callback stays pending until one is registered.
 * @param mbox       the device
 * @param channel    an inbound channel
 * @param cb         the callback, or NULL to unregister
 * @param user_data  passed to @p cb
 * @retval 0          registered
 * @retval AMP_EINVAL NULL device, channel out of range or not inbound
 * Context: thread or ISR (holds amp_port_irq_lock() briefly).
 * Concurrency: serialised against delivery by amp_port_irq_lock().
 * Lifetime: @p user_data must stay valid while registered.
 */
int amp_mbox_register_callback(struct amp_mbox *mbox, uint32_t channel, amp_mbox_callback_t cb,
			       void *user_data);

/**
 * @brief Enable or disable delivery on an inbound channel (Zephyr `mbox_set_enabled`).
 *
 * Enabling delivers a signal that arrived while the channel was disabled.
 * @param mbox     the device
 * @param channel  an inbound channel
 * @param enable   true to enable
 * @retval 0            done
 * @retval AMP_EINVAL   NULL device, bad channel or not inbound
 * @retval AMP_EALREADY the channel already is in that state
 * @retval AMP_ENOSYS   the driver has no set_enabled operation
 * @retval AMP_EIO      the driver failed (the channel keeps its state)
 * Context: thread or ISR. Concurrency: serialised by amp_port_irq_lock().
 * Lifetime: the state lasts until changed; a driver's init starts disabled.
 */
int amp_mbox_set_enabled(struct amp_mbox *mbox, uint32_t channel, bool enable);

/**
 * @brief MTU in bytes (Zephyr `mbox_mtu_get`).
 * @param mbox  the device
 * @retval >=0        the MTU (0 = signalling only)
 * @retval AMP_EINVAL NULL device
 * Context: any. Concurrency: reads constant data. Lifetime: fixed at init.
 */
int amp_mbox_mtu(const struct amp_mbox *mbox);

/**
 * @brief Number of channels (Zephyr `mbox_max_channels_get`).
 * @param mbox  the device
 * @return channels 0..n-1 exist; 0 for NULL
 * Context: any. Concurrency: reads constant data. Lifetime: fixed at init.
 */
uint32_t amp_mbox_max_channels(const struct amp_mbox *mbox);

/**
 * @brief Run pending inbound callbacks from the caller's thread (polling mode).
 *
 * The callbacks still run "in interrupt context" (on posix the caller enters
 * it for their duration).
 * @param mbox  the receiving device
 * @return number of callbacks run (>= 0)
 * @retval AMP_ENOTSUP the driver only delivers from its own interrupt context
 * @retval AMP_EINVAL  NULL device
 * Context: thread. Concurrency: serialised against other delivery.
 * Lifetime: nothing is kept after the call.
 */
int amp_mbox_poll(struct amp_mbox *mbox);

/**
 * @brief For drivers: inbound channels a pending signal may be delivered on
 * now (enabled, and with an MBOX or IPM callback). Take only these bits; keep
 * the others pending.
 * @param mbox  the device
 * @return the channel bit mask; 0 for NULL
 * Context: any; stable only in the driver's interrupt context (or with
 * amp_port_irq_lock() held). Concurrency: lock-free reads, usable as a hint
 * outside. Lifetime: a snapshot.
 */
uint32_t amp_mbox_ready_mask(const struct amp_mbox *mbox);

/**
 * @brief For drivers: deliver one inbound signal/message to its callback.
 *
 * Does nothing (returns false) if the channel is not inbound, is disabled or
 * has no callback; the driver then keeps the signal pending.
 * @param mbox     the device
 * @param channel  the inbound channel
 * @param msg      NULL for a signal, else the received data (already copied
 *                 out of memory the peer can write, and length-checked)
 * @return true if a callback ran
 * Context: the driver's interrupt context. Concurrency: one delivery at a
 * time per device (the interrupt context serialises them).
 * Lifetime: @p msg need only be valid during the call.
 */
bool amp_mbox_dispatch(struct amp_mbox *mbox, uint32_t channel, const struct amp_mbox_msg *msg);

/* ---- IPM-style call set (Zephyr drivers/ipm.h) --------------------------- */

/**
 * @brief Send a message with an id and optional data (Zephyr `ipm_send`).
 *
 * See the file documentation for how the id selects a channel.
 * @param mbox  the device
 * @param wait  non-zero: after sending, busy-wait (at most one second) until
 *              the peer has taken the message
 * @param id    message id, <= amp_ipm_max_id_val_get()
 * @param data  @p size bytes, or NULL when @p size is 0
 * @param size  0..amp_ipm_max_data_size_get()
 * @retval 0             sent (and, with @p wait, taken)
 * @retval AMP_EINVAL    NULL device, id too large or not an outbound channel,
 *                       size < 0, or data NULL with size > 0
 * @retval AMP_EMSGSIZE  size > the largest data size
 * @retval AMP_EBUSY     the peer has not taken the previous message
 * @retval AMP_ENOSYS    the driver cannot send
 * @retval AMP_ETIMEDOUT wait: the peer did not take it within a second
 * @retval AMP_EIO       the environment failed
 * Context: any when wait == 0; with wait, thread (or ISR on Linux, where the
 * wait is bounded anyway). Concurrency: any threads.
 * Lifetime: @p data is copied before the call returns.
 */
int amp_ipm_send(struct amp_mbox *mbox, int wait, uint32_t id, const void *data, int size);

/**
 * @brief Register the one IPM callback of the device (Zephyr `ipm_register_callback`).
 *
 * It receives every inbound channel that has no MBOX callback. Enable delivery
 * with amp_ipm_set_enabled().
 * @param mbox       the device (NULL: nothing happens)
 * @param cb         the callback, or NULL to unregister
 * @param user_data  passed to @p cb
 * Context: thread or ISR. Concurrency: serialised by amp_port_irq_lock().
 * Lifetime: @p user_data must stay valid while registered.
 */
void amp_ipm_register_callback(struct amp_mbox *mbox, amp_ipm_callback_t cb, void *user_data);

/**
 * @brief Largest data size of one IPM message (Zephyr `ipm_max_data_size_get`).
 * @param mbox  the device
 * @retval >=0        MTU (ID_IS_CHANNEL) or min(MTU, AMP_MBOX_IPM_MSG_MAX) - 4 (ID_IN_DATA)
 * @retval AMP_EINVAL NULL device
 * Context: any. Concurrency: reads constant data. Lifetime: fixed at init.
 */
int amp_ipm_max_data_size_get(const struct amp_mbox *mbox);

/**
 * @brief Largest id amp_ipm_send() accepts (Zephyr `ipm_max_id_val_get`).
 * @param mbox  the device
 * @return the id; 0 for NULL
 * Context: any. Concurrency: reads constant data. Lifetime: fixed at init.
 */
uint32_t amp_ipm_max_id_val_get(const struct amp_mbox *mbox);

/**
 * @brief Enable/disable all inbound channels for the IPM callback (Zephyr `ipm_set_enabled`).
 *
 * Channels already in the requested state are left alone (no AMP_EALREADY here).
 * @param mbox    the device
 * @param enable  non-zero to enable
 * @retval 0          done
 * @retval AMP_EINVAL NULL device or no inbound channel
 * @retval AMP_ENOSYS the driver has no set_enabled operation
 * @retval AMP_EIO    the driver failed on a channel (earlier ones are changed)
 * Context: thread or ISR. Concurrency: each channel is changed under
 * amp_port_irq_lock(). Lifetime: as amp_mbox_set_enabled().
 */
int amp_ipm_set_enabled(struct amp_mbox *mbox, int enable);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_MBOX_H */
