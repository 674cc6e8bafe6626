/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Zephyr's ipc_service_* over amp_ipc_*: argument checks in Zephyr's order,
 * the endpoint's callbacks relayed through trampolines that keep diagnostics,
 * and amplink codes converted to the C library's errno values.
 */
#include "z_amp_dev.h"

#include <amplink/ipc.h>
#include <amplink/port.h>

#include <errno.h>
#include <string.h>
#include <zephyr/amp_compat.h>
#include <zephyr/ipc/ipc_service.h>

uint32_t amp_zephyr_hash(uint32_t hash, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++) {
		hash = (hash ^ p[i]) * 16777619u;
	}
	return hash;
}

static void trace(const struct ipc_ept *ept, const char *what, size_t len)
{
#if defined(CONFIG_AMP_IPC_TRACE)
	printk("[ipc %s/%s] %s", ept->instance != NULL ? ept->instance->name : "?",
	       ept->cfg != NULL && ept->cfg->name != NULL ? ept->cfg->name : "", what);
	if (len > 0) {
		printk(" %zu bytes", len);
	}
	printk("\n");
#else
	(void)ept;
	(void)what;
	(void)len;
#endif
}

static void tr_bound(void *priv)
{
	struct ipc_ept *ept = priv;

	ept->bound = true;
	ept->bound_count++;
	trace(ept, "bound", 0);
	if (ept->cfg->cb.bound != NULL) {
		ept->cfg->cb.bound(ept->cfg->priv);
	}
}

static void tr_unbound(void *priv)
{
	struct ipc_ept *ept = priv;

	ept->bound = false;
	ept->unbound_count++;
	trace(ept, "unbound", 0);
	if (ept->cfg->cb.unbound != NULL) {
		ept->cfg->cb.unbound(ept->cfg->priv);
	}
}

static void tr_received(const void *data, size_t len, void *priv)
{
	struct ipc_ept *ept = priv;

	ept->rx_msgs++;
	ept->rx_bytes += len;
	ept->rx_hash = amp_zephyr_hash(ept->rx_hash, data, len);
	trace(ept, "received", len);
	if (ept->cfg->cb.received != NULL) {
		ept->cfg->cb.received(data, len, ept->cfg->priv);
	}
}

static void tr_error(const char *message, void *priv)
{
	struct ipc_ept *ept = priv;

	ept->error_count++;
	trace(ept, message != NULL ? message : "error", 0);
	if (ept->cfg->cb.error != NULL) {
		ept->cfg->cb.error(message, ept->cfg->priv);
	}
}

/* The amplink instance behind a device: NULL if it is not a started IPC instance. */
static struct amp_ipc_instance *instance_of(const struct device *dev)
{
	struct z_amp_ipc_dev *d = z_amp_dev_obj(dev, Z_AMP_DEV_IPC);

	return d != NULL ? d->inst : NULL;
}

/* CONFIG_IPC_SERVICE_BACKEND_RPMSG_NUM_ENDPOINTS_PER_INSTANCE, as in Zephyr. */
static bool limit_reached(const struct device *instance)
{
	const struct amp_dt_ipc *d = instance->config;
	const struct z_amp_ipc_dev *ipc = instance->data;

#if defined(CONFIG_IPC_SERVICE_BACKEND_RPMSG_NUM_ENDPOINTS_PER_INSTANCE)
	return d->type == AMP_DT_IPC_RPMSG &&
	       ipc->num_epts >= (uint32_t)CONFIG_IPC_SERVICE_BACKEND_RPMSG_NUM_ENDPOINTS_PER_INSTANCE;
#else
	(void)d;
	(void)ipc;
	return false;
#endif
}

/* Zephyr's codes: no device EINVAL, a device that is no IPC instance EIO. */
static int instance_call(const struct device *instance, int (*op)(struct amp_ipc_instance *inst))
{
	struct amp_ipc_instance *inst;

	if (instance == NULL) {
		return -EINVAL;
	}
	inst = instance_of(instance);
	if (inst == NULL) {
		return -EIO;
	}
	return amp_err_to_errno(op(inst));
}

int ipc_service_open_instance(const struct device *instance)
{
	return instance_call(instance, amp_ipc_open_instance);
}

int ipc_service_close_instance(const struct device *instance)
{
	return instance_call(instance, amp_ipc_close_instance);
}

int ipc_service_register_endpoint(const struct device *instance, struct ipc_ept *ept,
				  const struct ipc_ept_cfg *cfg)
{
	struct amp_ipc_instance *inst;
	int rc;

	if (instance == NULL || ept == NULL || cfg == NULL) {
		return -EINVAL;
	}
	inst = instance_of(instance);
	if (inst == NULL) {
		return -EIO;
	}
	if (ept->instance != NULL && ept->amp.instance != NULL) {
		return -EALREADY;
	}
	if (limit_reached(instance)) {
		return -ENOMEM;
	}
	if (IS_ENABLED(CONFIG_AMP_IPC_SERVICE_AUTO_OPEN)) {
		rc = amp_ipc_open_instance(inst);
		if (rc != 0 && rc != AMP_EALREADY) {
			return amp_err_to_errno(rc);
		}
	}
	memset(ept, 0, sizeof(*ept));
	ept->rx_hash = AMP_ZEPHYR_HASH_INIT;
	/* Keep a copy: Zephyr code (the seed's among it) often registers a cfg
	 * that lives on the stack of the registering function. */
	ept->cfg_copy = *cfg;
	ept->cfg = &ept->cfg_copy;
	if (cfg->name != NULL && strlen(cfg->name) < sizeof(ept->name)) {
		strcpy(ept->name, cfg->name);
		ept->cfg_copy.name = ept->name;
	}
	ept->instance = instance;
	ept->token = &ept->amp;
	ept->amp_cfg.name = ept->cfg_copy.name;
	ept->amp_cfg.prio = cfg->prio;
	ept->amp_cfg.priv = ept;
	ept->amp_cfg.cb.bound = tr_bound;
	ept->amp_cfg.cb.unbound = tr_unbound;
	ept->amp_cfg.cb.received = tr_received;
	ept->amp_cfg.cb.error = tr_error;
	rc = amp_ipc_register_endpoint(inst, &ept->amp, &ept->amp_cfg);
	if (rc != 0) {
		ept->instance = NULL;
		ept->token = NULL;
		return amp_err_to_errno(rc);
	}
	((struct z_amp_ipc_dev *)instance->data)->num_epts++;
	return 0;
}

int ipc_service_deregister_endpoint(struct ipc_ept *ept)
{
	int rc;

	if (ept == NULL) {
		return -EINVAL;
	}
	if (ept->instance == NULL) {
		return -ENOENT;
	}
	rc = amp_ipc_deregister_endpoint(&ept->amp);
	if (rc == 0) {
		struct z_amp_ipc_dev *ipc = ept->instance->data;

		if (ipc->num_epts > 0) {
			ipc->num_epts--;
		}
		ept->instance = NULL;
		ept->bound = false;
	}
	return amp_err_to_errno(rc);
}

/* Common checks of the endpoint calls: -EINVAL for NULL, -ENOENT unregistered. */
static int ept_check(const struct ipc_ept *ept)
{
	if (ept == NULL) {
		return -EINVAL;
	}
	if (ept->instance == NULL) {
		return -ENOENT;
	}
	return 0;
}

int ipc_service_send(struct ipc_ept *ept, const void *data, size_t len)
{
	int rc = ept_check(ept);

	return rc != 0 ? rc : amp_err_to_errno(amp_ipc_send(&ept->amp, data, len));
}

int ipc_service_send_critical(struct ipc_ept *ept, const void *data, size_t len)
{
	return ipc_service_send(ept, data, len);
}

int ipc_service_get_tx_buffer_size(struct ipc_ept *ept)
{
	int rc = ept_check(ept);

	return rc != 0 ? rc : amp_err_to_errno(amp_ipc_get_tx_buffer_size(&ept->amp));
}

int ipc_service_get_tx_buffer(struct ipc_ept *ept, void **data, uint32_t *size, k_timeout_t wait)
{
	int rc = ept_check(ept);

	if (rc != 0) {
		return rc;
	}
	return amp_err_to_errno(amp_ipc_get_tx_buffer(&ept->amp, data, size, k_timeout_to_us(wait)));
}

int ipc_service_drop_tx_buffer(struct ipc_ept *ept, const void *data)
{
	int rc = ept_check(ept);

	return rc != 0 ? rc : amp_err_to_errno(amp_ipc_drop_tx_buffer(&ept->amp, data));
}

int ipc_service_send_nocopy(struct ipc_ept *ept, const void *data, size_t len)
{
	int rc = ept_check(ept);

	return rc != 0 ? rc : amp_err_to_errno(amp_ipc_send_nocopy(&ept->amp, data, len));
}

int ipc_service_hold_rx_buffer(struct ipc_ept *ept, void *data)
{
	int rc = ept_check(ept);

	return rc != 0 ? rc : amp_err_to_errno(amp_ipc_hold_rx_buffer(&ept->amp, data));
}

int ipc_service_release_rx_buffer(struct ipc_ept *ept, void *data)
{
	int rc = ept_check(ept);

	return rc != 0 ? rc : amp_err_to_errno(amp_ipc_release_rx_buffer(&ept->amp, data));
}

int amp_zephyr_ept_stats(const struct ipc_ept *ept, struct amp_zephyr_ept_stats *out)
{
	uint32_t key;

	if (ept == NULL || out == NULL) {
		return -EINVAL;
	}
	key = amp_port_irq_lock();
	out->bound = ept->bound;
	out->bound_count = ept->bound_count;
	out->unbound_count = ept->unbound_count;
	out->error_count = ept->error_count;
	out->rx_msgs = ept->rx_msgs;
	out->rx_bytes = ept->rx_bytes;
	out->rx_hash = ept->rx_hash;
	amp_port_irq_unlock(key);
	return 0;
}
