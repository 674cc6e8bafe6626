/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Endpoint table: a fixed array per instance (no allocation), addresses
 * allocated lowest-free from 1024 as OpenAMP's bitmap does, and the IPC ops
 * that register and deregister.
 *
 * A remote endpoint gets its address at registration and announces itself
 * (name-service create) as soon as the link is up. A host endpoint only gets
 * an address when it binds to an announcement; the host never announces.
 */
#include "rpmsg_internal.h"

#include <string.h>

bool amp_rpmsg_ept_valid(struct amp_rpmsg *rp, const struct amp_rpmsg_ept *ept)
{
	uintptr_t p = (uintptr_t)ept, first = (uintptr_t)&rp->ept[0];
	if (p < first || p >= first + sizeof(rp->ept) || (p - first) % sizeof(rp->ept[0]) != 0) {
		return false;
	}
	return ept->cfg != NULL;
}

struct amp_rpmsg_ept *amp_rpmsg_ept_by_addr(struct amp_rpmsg *rp, uint32_t addr)
{
	for (unsigned i = 0; i < AMP_RPMSG_MAX_ENDPOINTS; i++) {
		struct amp_rpmsg_ept *e = &rp->ept[i];
		if (e->cfg != NULL && e->addr == addr) {
			return e;
		}
	}
	return NULL;
}

struct amp_rpmsg_ept *amp_rpmsg_ept_by_name(struct amp_rpmsg *rp, const char *name)
{
	for (unsigned i = 0; i < AMP_RPMSG_MAX_ENDPOINTS; i++) {
		struct amp_rpmsg_ept *e = &rp->ept[i];
		if (e->cfg != NULL && strncmp(e->name, name, AMP_RPMSG_NAME_SIZE) == 0) {
			return e;
		}
	}
	return NULL;
}

uint32_t amp_rpmsg_alloc_addr(struct amp_rpmsg *rp)
{
	/* At most MAX_ENDPOINTS addresses are taken, so one of the first
	 * MAX_ENDPOINTS + 1 candidates is free. */
	for (uint32_t a = AMP_RPMSG_RESERVED_ADDRESSES;; a++) {
		if (amp_rpmsg_ept_by_addr(rp, a) == NULL) {
			return a;
		}
	}
}

void amp_rpmsg_call_bound(struct amp_rpmsg *rp, struct amp_rpmsg_ept *ept)
{
	/* The acknowledgement goes out before the application hears "bound", so
	 * the peer is never behind what the application may do next. */
	if (rp->batch == 0) {
		amp_rpmsg_flush_kicks(rp);
	}
	if (ept->cfg->cb.bound != NULL) {
		ept->cfg->cb.bound(ept->cfg->priv);
	}
}

void amp_rpmsg_call_unbound(struct amp_rpmsg *rp, struct amp_rpmsg_ept *ept)
{
	if (rp->batch == 0) {
		amp_rpmsg_flush_kicks(rp); /* e.g. our own destroy goes out first */
	}
	if (ept->cfg != NULL && ept->cfg->cb.unbound != NULL) {
		ept->cfg->cb.unbound(ept->cfg->priv);
	}
}

int amp_rpmsg_op_register(struct amp_ipc_instance *inst, void **token,
			  const struct amp_ipc_ept_cfg *cfg)
{
	struct amp_rpmsg *rp = inst->backend;
	if (rp == NULL || token == NULL || cfg == NULL || cfg->name == NULL || cfg->name[0] == '\0') {
		return AMP_EINVAL;
	}
	size_t nlen = 0;
	while (nlen < AMP_RPMSG_NAME_SIZE && cfg->name[nlen] != '\0') {
		nlen++;
	}
	if (nlen >= AMP_RPMSG_NAME_SIZE) {
		return AMP_EINVAL;
	}
	uint32_t key = amp_port_irq_lock();
	if (rp->state == RP_CLOSED) {
		amp_port_irq_unlock(key);
		return AMP_EBUSY;
	}
	struct amp_rpmsg_ept *e = NULL;
	for (unsigned i = 0; i < AMP_RPMSG_MAX_ENDPOINTS; i++) {
		if (rp->ept[i].cfg == cfg) {
			amp_port_irq_unlock(key);
			return AMP_EALREADY;
		}
		if (rp->ept[i].cfg == NULL && e == NULL) {
			e = &rp->ept[i];
		}
	}
	if (amp_rpmsg_ept_by_name(rp, cfg->name) != NULL) {
		/* Binding is by name: two endpoints of one name could not be told apart. */
		amp_port_irq_unlock(key);
		return AMP_EEXIST;
	}
	if (e == NULL) {
		amp_port_irq_unlock(key);
		return AMP_ENOMEM;
	}
	memset(e->name, 0, sizeof(e->name));
	memcpy(e->name, cfg->name, nlen);
	e->dest = AMP_RPMSG_ADDR_ANY;
	e->bound = false;
	e->announced = false;
	e->addr = AMP_RPMSG_ADDR_ANY;
	if (!RP_IS_HOST(rp)) {
		e->addr = amp_rpmsg_alloc_addr(rp);
	}
	e->cfg = cfg;
	*token = e;
	if (RP_IS_HOST(rp)) {
		if (rp->state == RP_READY) {
			amp_rpmsg_host_try_bind(rp, e);
		}
	} else {
		rp->announce_pending = true;
		if (rp->state == RP_READY) {
			amp_rpmsg_announce_all(rp);
		}
	}
	amp_rpmsg_after_publish(rp);
	amp_port_irq_unlock(key);
	return 0;
}

int amp_rpmsg_op_deregister(struct amp_ipc_instance *inst, void *token)
{
	struct amp_rpmsg *rp = inst->backend;
	struct amp_rpmsg_ept *e = token;
	if (rp == NULL) {
		return AMP_EINVAL;
	}
	uint32_t key = amp_port_irq_lock();
	if (!amp_rpmsg_ept_valid(rp, e)) {
		amp_port_irq_unlock(key);
		return AMP_ENOENT;
	}
	if (rp->state == RP_READY) {
		if (RP_IS_HOST(rp)) {
			if (e->bound) {
				amp_rpmsg_host_unbind(rp, e, true);
			}
		} else if (e->announced && amp_rpmsg_ns_send(rp, e, AMP_RPMSG_NS_DESTROY) < 0) {
			AMP_STAT_INC(rp->stats.ns_tx_failed);
		}
	}
	amp_rpmsg_ept_release_buffers(rp, e);
	/* From here on no callback of this endpoint runs: every dispatch looks the
	 * endpoint up again under the lock we hold. */
	e->cfg = NULL;
	e->addr = AMP_RPMSG_ADDR_ANY;
	e->dest = AMP_RPMSG_ADDR_ANY;
	e->bound = false;
	e->announced = false;
	amp_rpmsg_after_publish(rp);
	amp_port_irq_unlock(key);
	return 0;
}
