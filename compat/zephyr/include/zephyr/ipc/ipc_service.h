/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file zephyr/ipc/ipc_service.h
 * @brief Zephyr's IPC service API over amplink's (amplink compatibility layer).
 *
 * Same calls, structures and return codes as Zephyr (negative errno values of
 * the C library in use; see amp_err_to_errno()). Differences, all on the safe
 * side:
 *  - `struct ipc_service_cb` accepts the receive callback under its Zephyr
 *    name `received` or under `recv` (the same member).
 *  - ipc_service_register_endpoint() opens the instance first if nobody did
 *    (CONFIG_AMP_IPC_SERVICE_AUTO_OPEN, default y), so code that skips
 *    ipc_service_open_instance() works; an explicit open still returns
 *    -EALREADY the second time, as in Zephyr.
 *  - a failed registration leaves `ept->instance` NULL.
 *  - the registered `struct ipc_ept_cfg` is copied (with a name of up to 31
 *    characters), so a cfg on the stack of the registering function, as in
 *    the seed document's init_ipc_service(), is safe.
 *  - sending to a peer that has disconnected returns -ENOTCONN (Zephyr's ICMsg
 *    reports success and drops the message).
 *  - `struct ipc_ept` carries the amplink endpoint and diagnostics (see
 *    amp_zephyr_ept_stats() in zephyr/amp_compat.h); treat it as opaque, as
 *    in Zephyr.
 */
#ifndef AMP_ZEPHYR_IPC_IPC_SERVICE_H
#define AMP_ZEPHYR_IPC_IPC_SERVICE_H

#include <amplink/ipc.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zephyr/device.h>
#include <zephyr/kernel.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Endpoint callbacks; all optional except `received` where data can arrive. */
struct ipc_service_cb {
	/** The peer endpoint is bound: sending is allowed from now. */
	void (*bound)(void *priv);
	/** The binding is gone; register again to bind again. */
	void (*unbound)(void *priv);
	union {
		/** A message arrived; @p data is valid until the callback returns
		 *  unless held with ipc_service_hold_rx_buffer(). */
		void (*received)(const void *data, size_t len, void *priv);
		/** The same member under a shorter name. */
		void (*recv)(const void *data, size_t len, void *priv);
	};
	/** The transport detected an error. */
	void (*error)(const char *message, void *priv);
};

/** Endpoint configuration (copied at registration). */
struct ipc_ept_cfg {
	const char *name; /**< pairs endpoints on multi-endpoint transports */
	int prio;         /**< priority where the transport supports it */
	struct ipc_service_cb cb;
	void *priv;       /**< passed to every callback */
};

/** An endpoint (caller-owned). */
struct ipc_ept {
	const struct device *instance; /**< set while registered, else NULL */
	void *token;                   /**< backend-private (the amplink endpoint) */
	/* amplink: the native endpoint, its configuration and diagnostics */
	struct amp_ipc_ept amp;
	struct amp_ipc_ept_cfg amp_cfg;
	const struct ipc_ept_cfg *cfg;  /* points at cfg_copy */
	struct ipc_ept_cfg cfg_copy;
	char name[32];
	volatile bool bound;
	volatile uint32_t bound_count;
	volatile uint32_t unbound_count;
	volatile uint32_t error_count;
	volatile uint32_t rx_msgs;
	volatile uint64_t rx_bytes;
	volatile uint32_t rx_hash;
};

/**
 * @brief Open an instance.
 * @retval 0 opened  @retval -EALREADY already open (treat as success)
 * @retval -EINVAL NULL  @retval -EIO not an IPC instance, or it failed to start
 * @retval other transport errors
 * Context: thread.
 */
int ipc_service_open_instance(const struct device *instance);

/**
 * @brief Close an instance.
 * @retval 0 closed  @retval -EALREADY not open  @retval -EBUSY endpoints registered
 * @retval -EINVAL NULL  @retval -EIO not an IPC instance
 * Context: thread.
 */
int ipc_service_close_instance(const struct device *instance);

/**
 * @brief Register an endpoint; the `bound` callback follows when the peer's
 * endpoint of the same name is there.
 * @retval 0 registered  @retval -EINVAL NULL argument or bad cfg (empty name
 * where names matter)  @retval -EIO not an IPC instance / not started
 * @retval -EBUSY instance not open (auto-open off)  @retval -ENOMEM no slot
 * @retval -EALREADY already registered
 * Context: thread. Lifetime: @p ept until deregistered; @p cfg is copied
 * (a name longer than 31 characters is referenced, not copied).
 */
int ipc_service_register_endpoint(const struct device *instance, struct ipc_ept *ept,
				  const struct ipc_ept_cfg *cfg);

/**
 * @brief Deregister an endpoint; sends on it then return -ENOENT.
 * @retval 0 done  @retval -EINVAL NULL  @retval -ENOENT not registered
 * Context: thread or the endpoint's own callback.
 */
int ipc_service_deregister_endpoint(struct ipc_ept *ept);

/**
 * @brief Send a copy of @p data.
 * @return bytes sent (> 0)
 * @retval -EINVAL NULL  @retval -ENOENT not registered  @retval -EBUSY not bound yet
 * @retval -ENOMEM no room now (retry)  @retval -EBADMSG / -ENODATA zero length
 * @retval -EMSGSIZE larger than the peer accepts  @retval -ENOTCONN peer gone
 * Context: thread or ISR; never blocks.
 */
int ipc_service_send(struct ipc_ept *ept, const void *data, size_t len);

/** @brief Same as ipc_service_send() (which never blocks, so it is ISR-safe). */
int ipc_service_send_critical(struct ipc_ept *ept, const void *data, size_t len);

/**
 * @brief Largest message get_tx_buffer can provide.
 * @return bytes  @retval -EINVAL NULL  @retval -ENOENT not registered
 * @retval -ENOTSUP transport without it
 */
int ipc_service_get_tx_buffer_size(struct ipc_ept *ept);

/**
 * @brief Obtain a transmit buffer in shared memory (zero copy).
 * @retval 0 obtained  @retval -EINVAL NULL  @retval -ENOENT not registered
 * @retval -ENOTSUP no zero copy  @retval -ENOMEM too large (*size = max)
 * @retval -ENOBUFS none free (K_NO_WAIT)  @retval -ETIMEDOUT wait expired
 * @retval -EBUSY not bound yet
 * Context: thread; ISR only with K_NO_WAIT.
 */
int ipc_service_get_tx_buffer(struct ipc_ept *ept, void **data, uint32_t *size,
			      k_timeout_t wait);

/**
 * @brief Give back an unsent buffer.
 * @retval 0 dropped  @retval -EALREADY already dropped  @retval -ENXIO not ours
 * @retval -ENOTSUP unsupported  @retval -EINVAL NULL  @retval -ENOENT not registered
 */
int ipc_service_drop_tx_buffer(struct ipc_ept *ept, const void *data);

/**
 * @brief Send @p len bytes of a buffer from ipc_service_get_tx_buffer().
 * @return bytes sent  @retval -EINVAL bad arguments  @retval -ENXIO not ours
 * @retval -ENOTSUP no zero copy  @retval -ENOENT not registered
 */
int ipc_service_send_nocopy(struct ipc_ept *ept, const void *data, size_t len);

/**
 * @brief Keep the receive buffer after `received` returns (call from inside it).
 * @retval 0 held  @retval -ENXIO not ours  @retval -ENOTSUP unsupported
 * @retval -EINVAL NULL  @retval -ENOENT not registered
 */
int ipc_service_hold_rx_buffer(struct ipc_ept *ept, void *data);

/**
 * @brief Release a held receive buffer.
 * @retval 0 released  @retval -EALREADY not held  @retval -ENXIO not ours
 * @retval -ENOTSUP unsupported  @retval -EINVAL NULL  @retval -ENOENT not registered
 */
int ipc_service_release_rx_buffer(struct ipc_ept *ept, void *data);

#ifdef __cplusplus
}
#endif
#endif /* AMP_ZEPHYR_IPC_IPC_SERVICE_H */
