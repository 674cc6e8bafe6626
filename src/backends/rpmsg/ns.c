/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Name service (address 53) and Zephyr's binding sequence.
 *
 *  1. remote registers "x": address A >= 1024, sends create {x, A} to 53;
 *  2. host: remembers {x, A} (even before it registers "x"); when "x" is
 *     registered on the host it takes an address H, sends a zero-length message
 *     H -> A and reports `bound`;
 *  3. remote: the first message for A from H binds it to H; it answers with a
 *     zero-length message A -> H and reports `bound`. Zero-length messages are
 *     never delivered to the application.
 *  Destroy {x, A} unbinds the host endpoint, which sends its own destroy {x, H}
 *  back (as OpenAMP's host does); a destroy from the host unbinds the remote.
 *
 * Every announcement is checked (exact length 40, name forced to end within 32
 * bytes, bytes after the NUL ignored, address not ANY/53, flags 0 or 1); the
 * host remembers at most AMP_RPMSG_NS_CACHE_MAX of them.
 */
#include "rpmsg_internal.h"

#include <string.h>

int amp_rpmsg_ns_send(struct amp_rpmsg *rp, const struct amp_rpmsg_ept *ept, uint32_t flags)
{
	struct amp_rpmsg_ns_msg m;
	memset(&m, 0, sizeof(m)); /* bytes after the name are zero, as older OpenAMP sent */
	memcpy(m.name, ept->name, sizeof(m.name) - 1u);
	m.addr = ept->addr;
	m.flags = flags;
	return amp_rpmsg_send_raw(rp, ept->addr, AMP_RPMSG_NS_ADDR, &m, sizeof(m));
}

void amp_rpmsg_announce_all(struct amp_rpmsg *rp)
{
	rp->announce_pending = false;
	for (unsigned i = 0; i < AMP_RPMSG_MAX_ENDPOINTS; i++) {
		struct amp_rpmsg_ept *e = &rp->ept[i];
		if (e->cfg == NULL || e->announced) {
			continue;
		}
		if (amp_rpmsg_ns_send(rp, e, AMP_RPMSG_NS_CREATE) < 0) {
			rp->announce_pending = true; /* retried on the next processing pass */
			return;
		}
		e->announced = true;
	}
}

static struct amp_rpmsg_ns_entry *cache_find(struct amp_rpmsg *rp, const char *name)
{
	for (unsigned i = 0; i < AMP_RPMSG_NS_CACHE_MAX; i++) {
		struct amp_rpmsg_ns_entry *c = &rp->ns[i];
		if (c->addr != AMP_RPMSG_ADDR_ANY && strncmp(c->name, name, AMP_RPMSG_NAME_SIZE) == 0) {
			return c;
		}
	}
	return NULL;
}

static void host_bind(struct amp_rpmsg *rp, struct amp_rpmsg_ept *e, uint32_t dest)
{
	e->addr = amp_rpmsg_alloc_addr(rp);
	e->dest = dest;
	e->bound = true;
	/* The zero-length "ack" tells the remote our address (OpenAMP binds an
	 * endpoint to the source of the first message it receives). */
	if (amp_rpmsg_send_raw(rp, e->addr, dest, NULL, 0) < 0) {
		AMP_STAT_INC(rp->stats.ns_tx_failed);
	}
	amp_rpmsg_call_bound(rp, e);
}

void amp_rpmsg_host_try_bind(struct amp_rpmsg *rp, struct amp_rpmsg_ept *ept)
{
	struct amp_rpmsg_ns_entry *c = cache_find(rp, ept->name);
	if (c != NULL && !ept->bound) {
		host_bind(rp, ept, c->addr);
	}
}

void amp_rpmsg_host_unbind(struct amp_rpmsg *rp, struct amp_rpmsg_ept *ept, bool send_destroy)
{
	if (send_destroy && ept->addr != AMP_RPMSG_ADDR_ANY &&
	    amp_rpmsg_ns_send(rp, ept, AMP_RPMSG_NS_DESTROY) < 0) {
		AMP_STAT_INC(rp->stats.ns_tx_failed);
	}
	ept->bound = false;
	ept->dest = AMP_RPMSG_ADDR_ANY;
	ept->addr = AMP_RPMSG_ADDR_ANY;
}

static void host_ns(struct amp_rpmsg *rp, const char *name, uint32_t addr, uint32_t flags)
{
	struct amp_rpmsg_ns_entry *c = cache_find(rp, name);
	struct amp_rpmsg_ept *e = amp_rpmsg_ept_by_name(rp, name);

	if (flags == AMP_RPMSG_NS_DESTROY) {
		if (c != NULL && c->addr == addr) {
			c->addr = AMP_RPMSG_ADDR_ANY;
		}
		if (e != NULL && e->bound && e->dest == addr) {
			amp_rpmsg_host_unbind(rp, e, true);
			amp_rpmsg_call_unbound(rp, e);
		} else {
			AMP_STAT_INC(rp->stats.ns_ignored);
		}
		return;
	}
	if (c == NULL) {
		for (unsigned i = 0; i < AMP_RPMSG_NS_CACHE_MAX && c == NULL; i++) {
			if (rp->ns[i].addr == AMP_RPMSG_ADDR_ANY) {
				c = &rp->ns[i];
			}
		}
		if (c == NULL) {
			AMP_STAT_INC(rp->stats.ns_cache_full);
			return;
		}
		memcpy(c->name, name, AMP_RPMSG_NAME_SIZE);
	}
	c->addr = addr;
	if (e == NULL) {
		return; /* remembered until the host registers the name */
	}
	if (e->bound) {
		if (e->dest == addr) {
			AMP_STAT_INC(rp->stats.ns_ignored);
			return;
		}
		/* The remote re-created the endpoint under another address. */
		amp_rpmsg_host_unbind(rp, e, false);
		amp_rpmsg_call_unbound(rp, e);
		if (e->cfg == NULL || e->bound) {
			return; /* the callback deregistered or re-registered it */
		}
	}
	host_bind(rp, e, addr);
}

static void remote_ns(struct amp_rpmsg *rp, const char *name, uint32_t addr, uint32_t flags)
{
	if (flags == AMP_RPMSG_NS_CREATE) {
		AMP_STAT_INC(rp->stats.ns_ignored); /* hosts do not announce in this protocol */
		return;
	}
	for (unsigned i = 0; i < AMP_RPMSG_MAX_ENDPOINTS; i++) {
		struct amp_rpmsg_ept *e = &rp->ept[i];
		if (e->cfg != NULL && e->bound && e->dest == addr &&
		    strncmp(e->name, name, AMP_RPMSG_NAME_SIZE) == 0) {
			e->bound = false;
			e->dest = AMP_RPMSG_ADDR_ANY;
			amp_rpmsg_call_unbound(rp, e);
			return;
		}
	}
	AMP_STAT_INC(rp->stats.ns_ignored);
}

void amp_rpmsg_ns_rx(struct amp_rpmsg *rp, const uint8_t *payload, uint32_t len, uint32_t src)
{
	(void)src; /* OpenAMP trusts the payload's address, not the header's source */
	if (len != AMP_RPMSG_NS_MSG_SIZE) {
		AMP_STAT_INC(rp->stats.ns_malformed);
		return;
	}
	char name[AMP_RPMSG_NAME_SIZE];
	memcpy(name, payload, sizeof(name));
	name[AMP_RPMSG_NAME_SIZE - 1u] = '\0';
	/* Bytes after the NUL are ignored: OpenAMP 1.10 leaves stack garbage there. */
	size_t n = strlen(name);
	memset(name + n, 0, sizeof(name) - n);
	uint32_t addr = amp_rpmsg_ld32(payload + 32);
	uint32_t flags = amp_rpmsg_ld32(payload + 36);
	if (n == 0 || addr == AMP_RPMSG_ADDR_ANY || addr == AMP_RPMSG_NS_ADDR ||
	    flags > AMP_RPMSG_NS_DESTROY) {
		AMP_STAT_INC(rp->stats.ns_malformed);
		return;
	}
	if (RP_IS_HOST(rp)) {
		host_ns(rp, name, addr, flags);
	} else {
		remote_ns(rp, name, addr, flags);
	}
}
