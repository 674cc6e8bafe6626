/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file zephyr/device.h
 * @brief Devices from the devicetree (amplink compatibility layer).
 *
 * amp_dtgen emits one `const struct device` per enabled mailbox controller and
 * IPC instance of the core's devicetree. The compatibility layer opens them at
 * start-up (a constructor on Linux; amp_zephyr_init() where constructors do
 * not run): regions mapped at their `reg` address, doorbells started, IPC
 * instances initialised. A device whose start failed is not ready, and the
 * reason was logged.
 */
#ifndef AMP_ZEPHYR_DEVICE_H
#define AMP_ZEPHYR_DEVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <zephyr/devicetree.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Run-time state of a device. */
struct device_state {
	int init_res;     /**< 0, or the negative errno its start failed with */
	bool initialized; /**< its start ran */
};

/** A device (generated, const). */
struct device {
	const char *name;           /**< node label, else node name */
	const void *config;         /**< its description (struct amp_dt_mbox / amp_dt_ipc) */
	void *data;                 /**< run-time object of the compatibility layer */
	struct device_state *state; /**< start result */
	uint8_t type;               /**< mailbox or IPC instance (compatibility layer) */
	uint8_t index;              /**< index in the core's description */
};

/** The device of a devicetree node (compile error if the node has none). */
#define DEVICE_DT_GET(node_id) (&DT_CAT(node_id, _DEVICE))
/** The device of a node, or NULL if the node has none. */
#define DEVICE_DT_GET_OR_NULL(node_id) \
	Z_AMP_COND(IS_ENABLED(DT_CAT(node_id, _HAS_DEVICE)), (DEVICE_DT_GET(node_id)), (NULL))
/** Declare the device of a node (it is already declared by the generated header). */
#define DEVICE_DT_DECLARE(node_id) extern const struct device DT_CAT(node_id, _DEVICE)

/**
 * @brief True when @p dev started successfully.
 * Context: any. Concurrency: reads state written once at start-up.
 */
bool device_is_ready(const struct device *dev);

/**
 * @brief Find a device by its name (label or node name).
 * @return the device, or NULL if none has that name or it is not ready.
 * Context: thread.
 */
const struct device *device_get_binding(const char *name);

#ifdef __cplusplus
}
#endif
#endif /* AMP_ZEPHYR_DEVICE_H */
