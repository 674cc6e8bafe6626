/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/ipc.h
 * @brief The IPC service: instances and endpoints, the one API every transport shares.
 *
 * Semantics and return codes follow Zephyr's `ipc_service` API. An *instance*
 * is one channel pair between two cores (shared memory + doorbells) driven by
 * a transport (ICMsg, RPMsg, loopback, ...). An *endpoint* is the application's
 * handle on one logical conversation over an instance; endpoints pair with the
 * peer's endpoints by name on multi-endpoint transports.
 *
 * This layer validates every argument and maps operations a transport lacks to
 * AMP_ENOTSUP; transports may assume validated arguments.
 *
 * Callbacks (bound, unbound, received, error) run in the transport's receive
 * context: on Linux the doorbell thread (amp_port_in_isr() true), on bare metal
 * the mailbox interrupt, or the caller of a polling function.
 */
#ifndef AMPLINK_IPC_H
#define AMPLINK_IPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct amp_ipc_instance;

/** Endpoint callbacks; all optional except `received` where data can arrive. */
struct amp_ipc_cb {
	/** The peer endpoint is bound: sending is allowed from now. */
	void (*bound)(void *priv);
	/** The binding is gone (peer closed, deregistered or reset). Register the
	 *  endpoint again to bind again. */
	void (*unbound)(void *priv);
	/** A message arrived. @p data is valid until the callback returns unless
	 *  held with amp_ipc_hold_rx_buffer() from inside the callback. */
	void (*received)(const void *data, size_t len, void *priv);
	/** The transport detected an error (e.g. the peer violated the protocol). */
	void (*error)(const char *message, void *priv);
};

/** Endpoint configuration; must stay valid while the endpoint is registered. */
struct amp_ipc_ept_cfg {
	const char *name;      /**< pairs endpoints on multi-endpoint transports; ICMsg ignores it */
	int prio;              /**< priority where the transport supports priorities, else ignored */
	struct amp_ipc_cb cb;  /**< callbacks */
	void *priv;            /**< passed to every callback */
};

/** An endpoint (caller-owned). Zero-initialise before first registration. */
struct amp_ipc_ept {
	struct amp_ipc_instance *instance; /**< set while registered, NULL otherwise */
	void *token;                       /**< transport-private */
};

/**
 * @brief Open an instance (Zephyr `ipc_service_open_instance`).
 * @retval 0            opened (also when the transport has no open step)
 * @retval AMP_EINVAL   NULL instance
 * @retval AMP_EIO      the instance has no transport
 * @retval AMP_EALREADY already open (callers treat it as success, as in Zephyr)
 * @retval other        transport errors (see the transport's header)
 * Context: thread.
 */
int amp_ipc_open_instance(struct amp_ipc_instance *inst);

/**
 * @brief Close an instance.
 * @retval 0 closed  @retval AMP_EINVAL NULL  @retval AMP_EIO no transport
 * @retval AMP_EALREADY not open  @retval AMP_EBUSY endpoints still registered
 * Context: thread.
 */
int amp_ipc_close_instance(struct amp_ipc_instance *inst);

/**
 * @brief Register an endpoint on an instance; binding then proceeds in the
 * background and ends with the `bound` callback.
 * @retval 0 registered
 * @retval AMP_EINVAL   NULL argument or invalid cfg (e.g. empty name where names matter)
 * @retval AMP_EIO      no transport
 * @retval AMP_EBUSY    instance not ready (not opened)
 * @retval AMP_ENOMEM   no endpoint slot left
 * @retval AMP_EALREADY already registered
 * Context: thread. Lifetime: @p ept and @p cfg must stay valid until deregistered.
 */
int amp_ipc_register_endpoint(struct amp_ipc_instance *inst, struct amp_ipc_ept *ept,
			      const struct amp_ipc_ept_cfg *cfg);

/**
 * @brief Deregister an endpoint. Afterwards sends on it return AMP_ENOENT.
 * @retval 0 done  @retval AMP_EINVAL NULL  @retval AMP_ENOENT not registered
 * @retval AMP_EIO no transport
 * Context: thread, or the endpoint's own callback (safe: the transport stops
 * calling it once this returns).
 */
int amp_ipc_deregister_endpoint(struct amp_ipc_ept *ept);

/**
 * @brief Send a copy of @p data.
 * @return number of bytes sent (> 0) on success
 * @retval AMP_EINVAL   NULL ept/data
 * @retval AMP_ENOENT   endpoint not registered
 * @retval AMP_EBUSY    not bound yet
 * @retval AMP_ENOMEM   no room right now (retry later; sends never wait for room)
 * @retval AMP_ENODATA / AMP_EBADMSG  zero-length message where the transport forbids it
 * @retval AMP_EMSGSIZE longer than the peer can receive
 * @retval AMP_ENOTCONN the peer has disconnected (Zephyr reports success here)
 * Context: thread or ISR (never blocks). Concurrency: any threads.
 */
int amp_ipc_send(struct amp_ipc_ept *ept, const void *data, size_t len);

/**
 * @brief Largest message amp_ipc_get_tx_buffer() can provide / amp_ipc_send() accepts.
 * @return size in bytes (>= 0)
 * @retval AMP_EINVAL NULL  @retval AMP_ENOENT not registered  @retval AMP_ENOTSUP unsupported
 */
int amp_ipc_get_tx_buffer_size(struct amp_ipc_ept *ept);

/**
 * @brief Obtain a transmit buffer in shared memory (zero copy).
 * @param[out]    data  the buffer
 * @param[in,out] size  in: requested size, 0 = as large as possible; out: usable size
 * @param timeout_us    AMP_NO_WAIT, AMP_FOREVER or microseconds to wait for a free buffer
 * @retval 0            obtained; hand it back with send_nocopy or drop
 * @retval AMP_EINVAL   NULL argument   @retval AMP_ENOENT not registered
 * @retval AMP_ENOTSUP  the transport has no zero-copy transmit
 * @retval AMP_ENOMEM   request larger than the maximum (*size set to the maximum)
 * @retval AMP_ENOBUFS  no buffer free (AMP_NO_WAIT)  @retval AMP_ETIMEDOUT wait expired
 * @retval AMP_EBUSY    not bound yet
 * Context: thread; ISR only with AMP_NO_WAIT.
 */
int amp_ipc_get_tx_buffer(struct amp_ipc_ept *ept, void **data, uint32_t *size,
			  int64_t timeout_us);

/**
 * @brief Send @p len bytes of a buffer from amp_ipc_get_tx_buffer(); on success the
 * buffer belongs to the transport again.
 * @return bytes sent  @retval AMP_EINVAL bad arguments or len larger than obtained
 * @retval AMP_ENXIO not a buffer of this endpoint  @retval AMP_ENOTSUP no zero copy
 */
int amp_ipc_send_nocopy(struct amp_ipc_ept *ept, const void *data, size_t len);

/**
 * @brief Give back an unsent buffer from amp_ipc_get_tx_buffer().
 * @retval 0 dropped  @retval AMP_EALREADY already dropped/sent  @retval AMP_ENXIO not ours
 * @retval AMP_ENOTSUP unsupported by the transport
 */
int amp_ipc_drop_tx_buffer(struct amp_ipc_ept *ept, const void *data);

/**
 * @brief Keep the receive buffer passed to `received` after the callback returns.
 * Holds are counted: each hold needs one release.
 * @retval 0 held  @retval AMP_ENXIO not a receive buffer of this endpoint
 * @retval AMP_ENOTSUP unsupported
 * Context: from inside the `received` callback.
 */
int amp_ipc_hold_rx_buffer(struct amp_ipc_ept *ept, void *data);

/**
 * @brief Release a held receive buffer, returning it to the peer when the last hold goes.
 * @retval 0 released  @retval AMP_EALREADY not held any more  @retval AMP_ENXIO not ours
 * @retval AMP_ENOTSUP unsupported
 * Context: thread or ISR.
 */
int amp_ipc_release_rx_buffer(struct amp_ipc_ept *ept, void *data);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_IPC_H */
