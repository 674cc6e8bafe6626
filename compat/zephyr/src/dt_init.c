/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Start-up of a core's devicetree devices: map every reserved-memory region
 * at its `reg` address, start the mailbox controllers, initialise the IPC
 * instances. Runs before main() on Linux (constructor) or from
 * amp_zephyr_init(). Compiled with each core (its configuration decides
 * which drivers and transports exist).
 */
#include "amp_dt_glue.h"

#include <amplink/errno.h>
#include <amplink/port.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zephyr/amp_compat.h>

static bool z_started;
static int z_result;

/* Region file name on Linux: $AMPLINK_SHM_PREFIX + node name with '@' -> '-',
 * so two systems (e.g. parallel tests) can share one directory. */
static void region_file(char *out, size_t size, const char *node_name)
{
	const char *prefix = NULL;
	size_t n = 0;

#if defined(AMP_PORT_POSIX)
	prefix = getenv("AMPLINK_SHM_PREFIX");
#endif
	for (const char *s = prefix; s != NULL && *s != '\0' && n + 1 < size; s++) {
		out[n++] = *s;
	}
	for (const char *s = node_name; *s != '\0' && n + 1 < size; s++) {
		out[n++] = *s == '@' ? '-' : *s;
	}
	out[n] = '\0';
}

static bool region_is_doorbell(uint32_t idx)
{
	for (uint32_t i = 0; i < z_amp_dt.sys->num_mboxes; i++) {
		if (z_amp_dt.sys->mboxes[i].region == (int32_t)idx) {
			return true;
		}
	}
	return false;
}

static int start_region(uint32_t i)
{
	const struct amp_dt_region *d = &z_amp_dt.sys->regions[i];
	struct z_amp_region *r = &z_amp_dt.regions[i];
	int rc;

	region_file(r->file, sizeof(r->file), d->name);
	r->cfg.name = r->file;
	r->cfg.size = (size_t)d->size;
	r->cfg.addr = (uintptr_t)d->addr;
	r->cfg.cacheable = d->cacheable;
	r->cfg.dir = NULL;
	if (region_is_doorbell(i)) {
		return 0; /* the doorbell driver maps its own region */
	}
#if defined(AMP_PORT_BAREMETAL)
	/* Physical memory: the region simply is at its address. */
	r->shm.cfg = &r->cfg;
	r->shm.base = (void *)(uintptr_t)d->addr;
	r->shm.size = (size_t)d->size;
	r->shm.phys = (uintptr_t)d->addr;
	r->shm.created = false;
	r->shm.fd = -1;
	rc = 0;
#else
	rc = amp_shm_open(&r->shm, &r->cfg);
#endif
	if (rc != 0) {
		amp_port_log(AMP_LOG_ERR, "devicetree: region %s at 0x%llx (%llu bytes): %s", d->name,
			     (unsigned long long)d->addr, (unsigned long long)d->size,
			     amp_strerror(rc));
		return rc;
	}
	r->mapped = true;
	return 0;
}

static const struct device *device_for(uint8_t type, uint32_t index)
{
	for (uint32_t i = 0; i < z_amp_dt.num_devices; i++) {
		const struct device *dev = z_amp_dt.devices[i];

		if (dev->type == type && dev->index == index) {
			return dev;
		}
	}
	return NULL;
}

static int start_mbox(uint32_t i)
{
	const struct amp_dt_mbox *d = &z_amp_dt.sys->mboxes[i];
	struct z_amp_mbox_dev *m = &z_amp_dt.mboxes[i];
	union z_amp_mbox_drv *drv = &((union z_amp_mbox_drv *)z_amp_dt.mbox_drv)[i];

	m->dev = device_for(Z_AMP_DEV_MBOX, i);
	m->drv = drv;
	switch (d->type) {
#if defined(Z_AMP_HAVE_LINUX_DOORBELL)
	case AMP_DT_MBOX_LINUX_DOORBELL: {
		struct z_amp_linux_doorbell *db = &drv->doorbell;
		const struct z_amp_region *r = &z_amp_dt.regions[d->region];

		db->cfg.shm.name = r->file;
		db->cfg.shm.size = 0; /* the driver's fixed size; the node's region is larger */
		db->cfg.shm.addr = (uintptr_t)z_amp_dt.sys->regions[d->region].addr;
		db->cfg.shm.cacheable = false;
		db->cfg.shm.dir = NULL;
		db->cfg.side = (uint8_t)d->side;
		db->cfg.num_channels = d->channels;
		db->cfg.tx_mask = d->tx_mask;
		db->cfg.rx_mask = d->rx_mask;
		db->cfg.mtu = (int)d->mtu;
		db->cfg.wait = d->wait == AMP_DT_WAIT_POLL       ? AMP_MBOX_LINUX_WAIT_POLL
			       : d->wait == AMP_DT_WAIT_ADAPTIVE ? AMP_MBOX_LINUX_WAIT_ADAPTIVE
								 : AMP_MBOX_LINUX_WAIT_IRQ;
		db->cfg.spin_us = 0;
		db->cfg.ipm_mode = d->ipm_mode == AMP_DT_IPM_ID_IN_DATA ? AMP_MBOX_IPM_ID_IN_DATA
									: AMP_MBOX_IPM_ID_IS_CHANNEL;
		db->cfg.ipm_tx_channel = (uint8_t)d->ipm_tx_channel;
		return amp_mbox_linux_init(&m->mbox, &db->state, &db->cfg);
	}
#endif
#if defined(Z_AMP_HAVE_MHU)
	case AMP_DT_MBOX_ARM_MHU:
		drv->mhu.cfg.base = (uintptr_t)d->reg_addr;
		drv->mhu.cfg.cpu_identity = 0;
		drv->mhu.cfg.irq = (int)d->irq;
		return amp_mbox_mhu_init(&m->mbox, &drv->mhu.state, &drv->mhu.cfg);
#endif
	default:
		amp_port_log(AMP_LOG_ERR,
			     "devicetree: mailbox %s: no driver in this build (port, CONFIG_MBOX/IPM)",
			     d->name);
		return AMP_ENOTSUP;
	}
}

static void *region_base(int32_t idx)
{
	return idx >= 0 && z_amp_dt.regions[idx].mapped ? z_amp_dt.regions[idx].shm.base : NULL;
}

static int start_ipc(uint32_t i)
{
	const struct amp_dt_ipc *d = &z_amp_dt.sys->ipc[i];
	struct z_amp_ipc_dev *ipc = &z_amp_dt.ipcs[i];
	union z_amp_ipc_backend *be = &((union z_amp_ipc_backend *)z_amp_dt.ipc_be)[i];
	const struct device *mdev = device_for(Z_AMP_DEV_MBOX, d->tx.mbox);
	struct amp_mbox *mbox = NULL;
	int rc;

	ipc->backend = be;
	if (mdev != NULL && mdev->state->init_res == 0) {
		mbox = &z_amp_dt.mboxes[d->tx.mbox].mbox;
	}
	if (mbox == NULL || d->tx.mbox != d->rx.mbox) {
		amp_port_log(AMP_LOG_ERR, "devicetree: %s: %s", d->name,
			     mbox == NULL ? "its mailbox is not ready"
					  : "tx and rx on different mailbox controllers");
		return AMP_ENODEV;
	}
	switch (d->type) {
#if defined(CONFIG_IPC_SERVICE) && defined(CONFIG_IPC_SERVICE_BACKEND_ICMSG)
	case AMP_DT_IPC_ICMSG: {
		struct z_amp_icmsg *b = &be->icmsg;

		b->cfg.name = d->name;
		b->cfg.tx_region = region_base(d->tx_region);
		b->cfg.tx_size = (uint32_t)z_amp_dt.sys->regions[d->tx_region].size;
		b->cfg.rx_region = region_base(d->rx_region);
		b->cfg.rx_size = (uint32_t)z_amp_dt.sys->regions[d->rx_region].size;
		b->cfg.mbox = mbox;
		b->cfg.tx_channel = d->tx.channel;
		b->cfg.rx_channel = d->rx.channel;
		b->cfg.profile = d->unbound == AMP_DT_UNBOUND_ENABLE   ? AMP_ICMSG_V2
				 : d->unbound == AMP_DT_UNBOUND_DETECT ? AMP_ICMSG_DETECT
								       : AMP_ICMSG_V1;
		b->cfg.dcache_align = d->dcache_alignment;
		b->cfg.peer_max_msg = CONFIG_PBUF_RX_READ_BUF_SIZE;
		b->cfg.rx_buf = b->rx_buf;
		b->cfg.rx_buf_size = sizeof(b->rx_buf);
		b->cfg.rx_copy = false;
		b->cfg.bond_notify_us = CONFIG_IPC_SERVICE_ICMSG_BOND_NOTIFY_REPEAT_TO_MS * 1000u;
		if (b->cfg.tx_region == NULL || b->cfg.rx_region == NULL) {
			return AMP_ENODEV;
		}
		rc = amp_icmsg_init(&b->ic, &b->cfg);
		if (rc == 0) {
			ipc->inst = amp_icmsg_instance(&b->ic);
		}
		return rc;
	}
#endif
#if defined(CONFIG_IPC_SERVICE) && defined(CONFIG_IPC_SERVICE_BACKEND_RPMSG)
	case AMP_DT_IPC_RPMSG: {
		struct z_amp_rpmsg *b = &be->rpmsg;
		const struct amp_dt_region *reg = &z_amp_dt.sys->regions[d->memory_region];

		b->cfg.role = d->role == AMP_DT_ROLE_REMOTE ? AMP_RPMSG_ROLE_REMOTE
							    : AMP_RPMSG_ROLE_HOST;
		b->cfg.shm = region_base(d->memory_region);
		b->cfg.shm_phys = reg->addr;
		b->cfg.shm_size = (size_t)reg->size;
		b->cfg.buffer_size = d->buffer_size;
		b->cfg.mem_align = CONFIG_IPC_SERVICE_STATIC_VRINGS_MEM_ALIGNMENT;
		b->cfg.mbox = mbox;
		b->cfg.tx_channel = d->tx.channel;
		b->cfg.rx_channel = d->rx.channel;
		b->cfg.poll = false;
		b->cfg.event_idx = false;
		b->cfg.name = d->name;
		if (b->cfg.shm == NULL) {
			return AMP_ENODEV;
		}
#if defined(CONFIG_IPC_SERVICE_BACKEND_RPMSG_SHMEM_RESET)
		if (b->cfg.role == AMP_RPMSG_ROLE_HOST) {
			/* a stale DRIVER_OK from a previous run must not reach the remote */
			memset(b->cfg.shm, 0, CONFIG_IPC_SERVICE_STATIC_VRINGS_MEM_ALIGNMENT);
			amp_port_dcache_clean(b->cfg.shm, CONFIG_IPC_SERVICE_STATIC_VRINGS_MEM_ALIGNMENT);
		}
#endif
		rc = amp_rpmsg_init(&b->rp, &b->cfg, &b->inst);
		if (rc == 0) {
			ipc->inst = &b->inst;
		}
		return rc;
	}
#endif
	default:
		amp_port_log(AMP_LOG_ERR,
			     "devicetree: %s: its transport is not enabled in prj.conf", d->name);
		return AMP_ENOTSUP;
	}
}

static void set_state(uint8_t type, uint32_t index, int rc)
{
	const struct device *dev = device_for(type, index);

	if (dev != NULL) {
		dev->state->init_res = amp_err_to_errno(rc);
		dev->state->initialized = true;
	}
	if (rc != 0 && z_result == 0) {
		z_result = amp_err_to_errno(rc);
	}
}

#if defined(Z_AMP_HAVE_LINUX_DOORBELL)
/* Stop the doorbell thread before exit() tears the process down under it. */
static void stop_doorbells(void)
{
	for (uint32_t i = 0; i < z_amp_dt.sys->num_mboxes; i++) {
		const struct device *dev = device_for(Z_AMP_DEV_MBOX, i);

		if (dev != NULL && dev->state->init_res == 0 &&
		    z_amp_dt.sys->mboxes[i].type == AMP_DT_MBOX_LINUX_DOORBELL) {
			(void)amp_mbox_linux_deinit(&z_amp_dt.mboxes[i].mbox);
			dev->state->init_res = -ENODEV;
		}
	}
}
#endif

int amp_zephyr_init(void)
{
	const struct z_amp_dt_desc *sys = z_amp_dt.sys;

	if (z_started) {
		return z_result;
	}
	z_started = true;
	for (uint32_t i = 0; i < sys->num_regions; i++) {
		int rc = start_region(i);

		if (rc != 0 && z_result == 0) {
			z_result = amp_err_to_errno(rc);
		}
	}
	for (uint32_t i = 0; i < sys->num_mboxes; i++) {
		int rc = start_mbox(i);

		if (rc != 0) {
			amp_port_log(AMP_LOG_ERR, "devicetree: mailbox %s failed to start: %s",
				     sys->mboxes[i].name, amp_strerror(rc));
		}
		set_state(Z_AMP_DEV_MBOX, i, rc);
	}
	for (uint32_t i = 0; i < sys->num_ipc; i++) {
		int rc = start_ipc(i);

		if (rc != 0) {
			amp_port_log(AMP_LOG_ERR, "devicetree: IPC instance %s failed to start: %s",
				     sys->ipc[i].name, amp_strerror(rc));
		}
		set_state(Z_AMP_DEV_IPC, i, rc);
	}
#if defined(Z_AMP_HAVE_LINUX_DOORBELL)
	(void)atexit(stop_doorbells);
#endif
	return z_result;
}

#if defined(__GNUC__) && !defined(AMP_ZEPHYR_NO_CONSTRUCTOR)
__attribute__((constructor)) static void z_amp_boot(void)
{
	(void)amp_zephyr_init();
}
#endif

bool device_is_ready(const struct device *dev)
{
	return dev != NULL && dev->state != NULL && dev->state->initialized &&
	       dev->state->init_res == 0;
}

const struct device *device_get_binding(const char *name)
{
	if (name == NULL) {
		return NULL;
	}
	for (uint32_t i = 0; i < z_amp_dt.num_devices; i++) {
		const struct device *dev = z_amp_dt.devices[i];

		if (strcmp(dev->name, name) == 0 && device_is_ready(dev)) {
			return dev;
		}
	}
	return NULL;
}

/* Node name, node name without unit address, or label (no libfdt here: the
 * firmware has none). */
static int find_region(const char *want)
{
	for (uint32_t i = 0; i < z_amp_dt.sys->num_regions; i++) {
		const struct amp_dt_region *r = &z_amp_dt.sys->regions[i];
		size_t n = strcspn(r->name, "@");

		if (strcmp(r->name, want) == 0 || (r->label != NULL && strcmp(r->label, want) == 0) ||
		    (strlen(want) == n && strncmp(r->name, want, n) == 0)) {
			return (int)i;
		}
	}
	return -1;
}

void *amp_zephyr_region(const char *name, size_t *size)
{
	int idx = name != NULL ? find_region(name) : -1;

	if (idx < 0 || !z_amp_dt.regions[idx].mapped) {
		return NULL;
	}
	if (size != NULL) {
		*size = z_amp_dt.regions[idx].shm.size;
	}
	return z_amp_dt.regions[idx].shm.base;
}

struct amp_mbox *amp_zephyr_mbox(const struct device *dev)
{
	struct z_amp_mbox_dev *m = z_amp_dev_obj(dev, Z_AMP_DEV_MBOX);

	return m != NULL ? &m->mbox : NULL;
}

struct amp_ipc_instance *amp_zephyr_ipc_instance(const struct device *dev)
{
	struct z_amp_ipc_dev *d = z_amp_dev_obj(dev, Z_AMP_DEV_IPC);

	return d != NULL ? d->inst : NULL;
}
