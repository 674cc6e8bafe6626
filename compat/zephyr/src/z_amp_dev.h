/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Private objects of the Zephyr compatibility layer that stand behind
 * `struct device`: mapped regions, mailbox devices and IPC instances.
 * Independent of the core's configuration (the configuration-dependent
 * storage is in amp_dt_glue.h).
 */
#ifndef Z_AMP_DEV_H
#define Z_AMP_DEV_H

#include <amplink/devicetree.h>
#include <amplink/ipc.h>
#include <amplink/mbox.h>
#include <amplink/shm.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zephyr/device.h>
#include <zephyr/drivers/ipm.h>
#include <zephyr/drivers/mbox.h>

enum z_amp_dev_type {
	Z_AMP_DEV_MBOX = 1,
	Z_AMP_DEV_IPC = 2,
};

/* Room for a region's file name: only Linux has files. */
#if defined(AMP_PORT_POSIX)
#define Z_AMP_REGION_FILE_MAX (AMP_SHM_NAME_MAX + 1)
#else
#define Z_AMP_REGION_FILE_MAX 1
#endif

/** A mapped `reserved-memory` region. */
struct z_amp_region {
	struct amp_shm shm;
	struct amp_shm_cfg cfg;
	char file[Z_AMP_REGION_FILE_MAX];
	bool mapped;
};

/** A mailbox device and the Zephyr-style callbacks registered on it. */
struct z_amp_mbox_dev {
	struct amp_mbox mbox;
	void *drv; /* driver state (storage from the generated source) */
	const struct device *dev;
	mbox_callback_t cb[AMP_MBOX_MAX_CHANNELS];
	void *cb_data[AMP_MBOX_MAX_CHANNELS];
	ipm_callback_t ipm_cb;
	void *ipm_data;
};

/** An IPC instance. */
struct z_amp_ipc_dev {
	struct amp_ipc_instance *inst; /* the transport's service handle */
	void *backend;                 /* transport state (storage from the generated source) */
	uint32_t num_epts;             /* endpoints registered through the compatibility layer */
};

/** A core's description as the generator emits it: like struct amp_dt_system
 *  but with arrays of the exact sizes (no unused slots in flash). */
struct z_amp_dt_desc {
	const char *model;
	uint32_t num_regions;
	uint32_t num_mboxes;
	uint32_t num_ipc;
	const struct amp_dt_region *regions;
	const struct amp_dt_mbox *mboxes;
	const struct amp_dt_ipc *ipc;
};

/** Everything the generator emits for one core. */
struct z_amp_dt {
	const struct z_amp_dt_desc *sys;
	struct z_amp_region *regions;
	struct z_amp_mbox_dev *mboxes;
	struct z_amp_ipc_dev *ipcs;
	void *mbox_drv;   /* union z_amp_mbox_drv[num_mboxes] */
	void *ipc_be;     /* union z_amp_ipc_backend[num_ipc] */
	const struct device *const *devices;
	uint32_t num_devices;
};

extern const struct z_amp_dt z_amp_dt;

/* The object behind a ready device of the given type, else NULL. */
static inline void *z_amp_dev_obj(const struct device *dev, uint8_t type)
{
	if (dev == NULL || dev->type != type || dev->state == NULL || !dev->state->initialized ||
	    dev->state->init_res != 0) {
		return NULL;
	}
	return dev->data;
}

#endif /* Z_AMP_DEV_H */
