/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/ipc_backend.h
 * @brief How a transport plugs into the IPC service (for transport authors).
 *
 * A transport provides a const ops table and fills in a `struct amp_ipc_instance`
 * from its init function (e.g. amp_icmsg_instance_init()). The service
 * (src/service) validates arguments before calling any op, in Zephyr's order
 * (NULL arguments: AMP_EINVAL; endpoint not registered: AMP_ENOENT; instance
 * without ops: AMP_EIO). A NULL op means "not supported":
 *  - register_endpoint, deregister_endpoint, send are mandatory: AMP_EIO;
 *  - open_instance, close_instance: 0 (the transport has no such step);
 *  - every other op: AMP_ENOTSUP. get_tx_buffer and send_nocopy count only as
 *    a pair, and so do hold_rx_buffer and release_rx_buffer.
 * The service sets ept->instance before calling register_endpoint (a `bound`
 * callback from inside it may already send), restores the previous instance
 * and token when it fails, and clears both after a successful deregistration.
 */
#ifndef AMPLINK_IPC_BACKEND_H
#define AMPLINK_IPC_BACKEND_H

#include <amplink/ipc.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Transport operations; same meaning and codes as the amp_ipc_* calls. */
struct amp_ipc_backend_ops {
	int (*open_instance)(struct amp_ipc_instance *inst);
	int (*close_instance)(struct amp_ipc_instance *inst);
	int (*register_endpoint)(struct amp_ipc_instance *inst, void **token,
				 const struct amp_ipc_ept_cfg *cfg);
	int (*deregister_endpoint)(struct amp_ipc_instance *inst, void *token);
	int (*send)(struct amp_ipc_instance *inst, void *token, const void *data, size_t len);
	int (*get_tx_buffer_size)(struct amp_ipc_instance *inst, void *token);
	int (*get_tx_buffer)(struct amp_ipc_instance *inst, void *token, void **data,
			     uint32_t *size, int64_t timeout_us);
	int (*drop_tx_buffer)(struct amp_ipc_instance *inst, void *token, const void *data);
	int (*send_nocopy)(struct amp_ipc_instance *inst, void *token, const void *data,
			   size_t len);
	int (*hold_rx_buffer)(struct amp_ipc_instance *inst, void *token, void *data);
	int (*release_rx_buffer)(struct amp_ipc_instance *inst, void *token, void *data);
};

/** An instance: the service's handle on one transport object (caller-owned). */
struct amp_ipc_instance {
	const struct amp_ipc_backend_ops *ops; /**< NULL = no transport (AMP_EIO) */
	void *backend;                         /**< the transport's state object */
	const char *name;                      /**< for diagnostics (devicetree node name) */
};

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_IPC_BACKEND_H */
