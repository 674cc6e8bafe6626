/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The IPC service dispatch layer.
 *
 * This file is the single place where arguments of the amp_ipc_* calls are
 * checked, so every transport may assume a valid instance, endpoint token and
 * non-NULL pointers. The order of the checks and the codes follow Zephyr's
 * ipc_service core so that code ported from Zephyr sees the same results:
 * EINVAL for NULL arguments first, then ENOENT for an endpoint that is not
 * registered, then EIO for an instance without a transport. Mandatory ops
 * (register, deregister, send) that are missing give EIO as in Zephyr;
 * optional ones give ENOTSUP, which Zephyr documents but reports as EIO.
 */
#include <amplink/errno.h>
#include <amplink/ipc.h>
#include <amplink/ipc_backend.h>

#include <stdbool.h>
#include <stddef.h>

/* Checks shared by every endpoint call; returns the ops table or NULL with *err set. */
static const struct amp_ipc_backend_ops *ept_ops(const struct amp_ipc_ept *ept, int *err)
{
	if (ept == NULL) {
		*err = AMP_EINVAL;
		return NULL;
	}
	if (ept->instance == NULL) {
		*err = AMP_ENOENT;
		return NULL;
	}
	if (ept->instance->ops == NULL) {
		*err = AMP_EIO;
		return NULL;
	}
	*err = 0;
	return ept->instance->ops;
}

int amp_ipc_open_instance(struct amp_ipc_instance *inst)
{
	if (inst == NULL) {
		return AMP_EINVAL;
	}
	if (inst->ops == NULL) {
		return AMP_EIO;
	}
	if (inst->ops->open_instance == NULL) {
		return 0; /* transports such as ICMsg open on registration */
	}
	return inst->ops->open_instance(inst);
}

int amp_ipc_close_instance(struct amp_ipc_instance *inst)
{
	if (inst == NULL) {
		return AMP_EINVAL;
	}
	if (inst->ops == NULL) {
		return AMP_EIO;
	}
	if (inst->ops->close_instance == NULL) {
		return 0;
	}
	return inst->ops->close_instance(inst);
}

int amp_ipc_register_endpoint(struct amp_ipc_instance *inst, struct amp_ipc_ept *ept,
			      const struct amp_ipc_ept_cfg *cfg)
{
	if (inst == NULL || ept == NULL || cfg == NULL) {
		return AMP_EINVAL;
	}
	if (inst->ops == NULL || inst->ops->register_endpoint == NULL) {
		return AMP_EIO;
	}

	/*
	 * As in Zephyr the instance is recorded before the transport runs, so a
	 * `bound` callback that fires synchronously may already send. Unlike
	 * Zephyr a failed registration restores the previous state: registering
	 * again is how ICMsg rebinds, and a refused second registration must not
	 * detach an endpoint that is still live (nor leave a half-registered one
	 * that later reaches the transport with a garbage token).
	 */
	struct amp_ipc_instance *prev_inst = ept->instance;
	void *prev_token = ept->token;

	ept->instance = inst;
	int ret = inst->ops->register_endpoint(inst, &ept->token, cfg);
	if (ret < 0) {
		ept->instance = prev_inst;
		ept->token = prev_token;
	}
	return ret;
}

int amp_ipc_deregister_endpoint(struct amp_ipc_ept *ept)
{
	int err;
	const struct amp_ipc_backend_ops *ops = ept_ops(ept, &err);

	if (ops == NULL) {
		return err;
	}
	if (ops->deregister_endpoint == NULL) {
		return AMP_EIO;
	}
	int ret = ops->deregister_endpoint(ept->instance, ept->token);
	if (ret == 0) {
		ept->instance = NULL;
		ept->token = NULL;
	}
	return ret;
}

/*
 * Calls that carry buffer pointers: a missing one is EINVAL, checked before the
 * endpoint itself as in Zephyr. @p args_ok: every pointer argument is present.
 */
static const struct amp_ipc_backend_ops *ept_buf_ops(const struct amp_ipc_ept *ept, bool args_ok,
						     int *err)
{
	if (ept != NULL && !args_ok) {
		*err = AMP_EINVAL;
		return NULL;
	}
	return ept_ops(ept, err);
}

int amp_ipc_send(struct amp_ipc_ept *ept, const void *data, size_t len)
{
	int err;
	const struct amp_ipc_backend_ops *ops = ept_buf_ops(ept, data != NULL, &err);

	if (ops == NULL) {
		return err;
	}
	if (ops->send == NULL) {
		return AMP_EIO;
	}
	return ops->send(ept->instance, ept->token, data, len);
}

int amp_ipc_get_tx_buffer_size(struct amp_ipc_ept *ept)
{
	int err;
	const struct amp_ipc_backend_ops *ops = ept_ops(ept, &err);

	if (ops == NULL) {
		return err;
	}
	if (ops->get_tx_buffer_size == NULL) {
		return AMP_ENOTSUP;
	}
	return ops->get_tx_buffer_size(ept->instance, ept->token);
}

/* A buffer that cannot be sent is useless: both ops or neither. */
static const struct amp_ipc_backend_ops *nocopy_ops(const struct amp_ipc_ept *ept, bool args_ok,
						    int *err)
{
	const struct amp_ipc_backend_ops *ops = ept_buf_ops(ept, args_ok, err);

	if (ops != NULL && (ops->get_tx_buffer == NULL || ops->send_nocopy == NULL)) {
		*err = AMP_ENOTSUP;
		return NULL;
	}
	return ops;
}

int amp_ipc_get_tx_buffer(struct amp_ipc_ept *ept, void **data, uint32_t *size,
			  int64_t timeout_us)
{
	int err;
	const struct amp_ipc_backend_ops *ops = nocopy_ops(ept, data != NULL && size != NULL, &err);

	if (ops == NULL) {
		return err;
	}
	return ops->get_tx_buffer(ept->instance, ept->token, data, size, timeout_us);
}

int amp_ipc_send_nocopy(struct amp_ipc_ept *ept, const void *data, size_t len)
{
	int err;
	const struct amp_ipc_backend_ops *ops = nocopy_ops(ept, data != NULL, &err);

	if (ops == NULL) {
		return err;
	}
	return ops->send_nocopy(ept->instance, ept->token, data, len);
}

int amp_ipc_drop_tx_buffer(struct amp_ipc_ept *ept, const void *data)
{
	int err;
	const struct amp_ipc_backend_ops *ops = ept_buf_ops(ept, data != NULL, &err);

	if (ops == NULL) {
		return err;
	}
	if (ops->drop_tx_buffer == NULL) {
		return AMP_ENOTSUP;
	}
	return ops->drop_tx_buffer(ept->instance, ept->token, data);
}

/* Hold without release would leak the buffer forever: both ops or neither. */
static const struct amp_ipc_backend_ops *hold_ops(const struct amp_ipc_ept *ept,
						  const void *data, int *err)
{
	const struct amp_ipc_backend_ops *ops = ept_buf_ops(ept, data != NULL, err);

	if (ops != NULL && (ops->hold_rx_buffer == NULL || ops->release_rx_buffer == NULL)) {
		*err = AMP_ENOTSUP;
		return NULL;
	}
	return ops;
}

int amp_ipc_hold_rx_buffer(struct amp_ipc_ept *ept, void *data)
{
	int err;
	const struct amp_ipc_backend_ops *ops = hold_ops(ept, data, &err);

	if (ops == NULL) {
		return err;
	}
	return ops->hold_rx_buffer(ept->instance, ept->token, data);
}

int amp_ipc_release_rx_buffer(struct amp_ipc_ept *ept, void *data)
{
	int err;
	const struct amp_ipc_backend_ops *ops = hold_ops(ept, data, &err);

	if (ops == NULL) {
		return err;
	}
	return ops->release_rx_buffer(ept->instance, ept->token, data);
}
