/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ICMsg as an IPC-service transport: as in Zephyr, registering the (single)
 * endpoint opens the instance and deregistering closes it; there is no
 * separate open/close step, no zero-copy and no held receive buffers (the
 * service answers those with 0 or AMP_ENOTSUP).
 */
#include "icmsg_internal.h"

#include <amplink/errno.h>
#include <amplink/icmsg.h>

static int icmsg_register(struct amp_ipc_instance *inst, void **token,
			  const struct amp_ipc_ept_cfg *cfg)
{
	struct amp_icmsg *ic = inst->backend;
	int r = amp_icmsg_open(ic, cfg);

	if (r == 0) {
		*token = ic;
	}
	return r;
}

static int icmsg_deregister(struct amp_ipc_instance *inst, void *token)
{
	struct amp_icmsg *ic = inst->backend;

	if (token != ic) {
		return AMP_ENOENT;
	}
	int r = amp_icmsg_close(ic);
	/* Closed already through the direct API: the endpoint is gone either way. */
	return r == AMP_EALREADY ? 0 : r;
}

static int icmsg_send(struct amp_ipc_instance *inst, void *token, const void *data, size_t len)
{
	(void)token;
	return amp_icmsg_send(inst->backend, data, len);
}

static int icmsg_tx_size(struct amp_ipc_instance *inst, void *token)
{
	(void)token;
	return amp_icmsg_max_msg(inst->backend);
}

const struct amp_ipc_backend_ops amp_icmsg_backend_ops = {
	.register_endpoint = icmsg_register,
	.deregister_endpoint = icmsg_deregister,
	.send = icmsg_send,
	.get_tx_buffer_size = icmsg_tx_size,
};
