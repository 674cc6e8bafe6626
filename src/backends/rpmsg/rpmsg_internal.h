/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Internal interfaces between the files of the RPMsg transport:
 *   layout.c    placement formula
 *   link.c      init, open/close, status byte, restart detection, receive loop, doorbells
 *   ns.c        name service and the binding sequence
 *   endpoint.c  endpoint table and the IPC ops that manage endpoints
 *   buffers.c   transmit/receive buffer ownership, send paths, hold/release
 */
#ifndef AMP_RPMSG_INTERNAL_H
#define AMP_RPMSG_INTERNAL_H

#include "amp_log.h"

#include <amplink/errno.h>
#include <amplink/port.h>
#include <amplink/rpmsg.h>

#include <stdbool.h>
#include <stdint.h>

/* rp->state */
enum {
	RP_CLOSED = 0,
	RP_WAIT_HOST, /* remote: opened, waiting for DRIVER_OK on fresh rings */
	RP_READY,
	RP_BROKEN,    /* the peer corrupted a ring: no ring access until reset/reopen */
};

/* slot state: who has the buffer at pool + slot * b */
enum {
	SLOT_FREE = 0, /* remote: unknown to us; host: not carved / not in use */
	SLOT_PEER,     /* posted to / taken by the peer */
	SLOT_APP_TX,   /* handed to the application by get_tx_buffer */
	SLOT_SPARE,    /* dropped transmit buffer, reusable */
	SLOT_RX,       /* received, being delivered (callback running) */
	SLOT_RX_HELD,  /* received and held by the application */
};

/* With one role compiled out (include/amplink/config.h) this is a constant
 * and the other role's code disappears with the branches it guards. */
#if AMP_CONFIG_RPMSG_HOST && AMP_CONFIG_RPMSG_REMOTE
#define RP_IS_HOST(rp) ((rp)->cfg->role == AMP_RPMSG_ROLE_HOST)
#elif AMP_CONFIG_RPMSG_HOST
#define RP_IS_HOST(rp) ((void)(rp), true)
#else
#define RP_IS_HOST(rp) ((void)(rp), false)
#endif

/* link.c */
void amp_rpmsg_flush_kicks(struct amp_rpmsg *rp);
void amp_rpmsg_after_publish(struct amp_rpmsg *rp);
/* Remote: take the next transmit buffer at the end of a pass, when nobody
 * waits for it, so that a reply from the next receive callback finds one
 * without reading the host's index, entry and descriptor (three misses in a
 * row on the round trip). Kept as a spare; no-op on the host. */
void amp_rpmsg_tx_prepare(struct amp_rpmsg *rp);
/* Ring now for messages a receive callback just sent (unless in a batch). */
void amp_rpmsg_flush_reply(struct amp_rpmsg *rp);
void amp_rpmsg_link_broken(struct amp_rpmsg *rp, const char *why);
void amp_rpmsg_notify_error(struct amp_rpmsg *rp, const char *why);

/* endpoint.c */
struct amp_rpmsg_ept *amp_rpmsg_ept_by_addr(struct amp_rpmsg *rp, uint32_t addr);
struct amp_rpmsg_ept *amp_rpmsg_ept_by_name(struct amp_rpmsg *rp, const char *name);
uint32_t amp_rpmsg_alloc_addr(struct amp_rpmsg *rp);
void amp_rpmsg_call_bound(struct amp_rpmsg *rp, struct amp_rpmsg_ept *ept);
void amp_rpmsg_call_unbound(struct amp_rpmsg *rp, struct amp_rpmsg_ept *ept);
bool amp_rpmsg_ept_valid(struct amp_rpmsg *rp, const struct amp_rpmsg_ept *ept);

/* ns.c */
void amp_rpmsg_ns_rx(struct amp_rpmsg *rp, const uint8_t *payload, uint32_t len, uint32_t src);
int amp_rpmsg_ns_send(struct amp_rpmsg *rp, const struct amp_rpmsg_ept *ept, uint32_t flags);
void amp_rpmsg_announce_all(struct amp_rpmsg *rp);
void amp_rpmsg_host_try_bind(struct amp_rpmsg *rp, struct amp_rpmsg_ept *ept);
void amp_rpmsg_host_unbind(struct amp_rpmsg *rp, struct amp_rpmsg_ept *ept, bool send_destroy);

/* buffers.c */
int amp_rpmsg_tx_get(struct amp_rpmsg *rp, uint32_t *slot);
void amp_rpmsg_tx_put(struct amp_rpmsg *rp, uint32_t slot, uint32_t src, uint32_t dst,
		      const void *payload, uint32_t len, bool copy);
int amp_rpmsg_send_raw(struct amp_rpmsg *rp, uint32_t src, uint32_t dst, const void *payload,
		       uint32_t len);
void amp_rpmsg_rx_recycle(struct amp_rpmsg *rp, uint32_t slot);
void amp_rpmsg_rx_one(struct amp_rpmsg *rp, uint32_t slot, uint8_t *buf, uint32_t buflen);
void amp_rpmsg_ept_release_buffers(struct amp_rpmsg *rp, struct amp_rpmsg_ept *ept);
void amp_rpmsg_slots_reset(struct amp_rpmsg *rp);
uint8_t *amp_rpmsg_slot_buf(const struct amp_rpmsg *rp, uint32_t slot);
int amp_rpmsg_slot_of(const struct amp_rpmsg *rp, const void *buf, uint32_t *slot);

int amp_rpmsg_op_send(struct amp_ipc_instance *inst, void *token, const void *data, size_t len);
int amp_rpmsg_op_get_tx_buffer_size(struct amp_ipc_instance *inst, void *token);
int amp_rpmsg_op_get_tx_buffer(struct amp_ipc_instance *inst, void *token, void **data,
			       uint32_t *size, int64_t timeout_us);
int amp_rpmsg_op_drop_tx_buffer(struct amp_ipc_instance *inst, void *token, const void *data);
int amp_rpmsg_op_send_nocopy(struct amp_ipc_instance *inst, void *token, const void *data,
			     size_t len);
int amp_rpmsg_op_hold_rx_buffer(struct amp_ipc_instance *inst, void *token, void *data);
int amp_rpmsg_op_release_rx_buffer(struct amp_ipc_instance *inst, void *token, void *data);
int amp_rpmsg_op_register(struct amp_ipc_instance *inst, void **token,
			  const struct amp_ipc_ept_cfg *cfg);
int amp_rpmsg_op_deregister(struct amp_ipc_instance *inst, void *token);

/*
 * Nanoseconds to microseconds for wait slices without a 64-bit division (a
 * libgcc routine of ~800 bytes on Cortex-M): exact below 2^32 ns (4.29 s),
 * a 4.29 s slice above; every caller re-checks its deadline after a slice.
 */
static inline int64_t amp_rpmsg_ns_to_us(uint64_t ns)
{
	return ns > UINT32_MAX ? (int64_t)(UINT32_MAX / 1000u) : (int64_t)((uint32_t)ns / 1000u);
}

/* little-endian helpers for buffers (4-byte aligned) */
static inline uint32_t amp_rpmsg_ld32(const volatile uint8_t *p)
{
	return *(const volatile uint32_t *)(const volatile void *)p;
}

static inline uint16_t amp_rpmsg_ld16(const volatile uint8_t *p)
{
	return *(const volatile uint16_t *)(const volatile void *)p;
}

#endif /* AMP_RPMSG_INTERNAL_H */
