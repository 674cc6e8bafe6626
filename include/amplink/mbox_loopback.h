/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/mbox_loopback.h
 * @brief In-process mailbox pair, for tests and single-image set-ups.
 *
 * Two devices, A and B, wired back to back: A's outbound channel n arrives on
 * B's inbound channel n, and B's outbound channel n on A's inbound channel n.
 * Same semantics as a real doorbell (pending bits that coalesce, one data slot
 * per channel and direction that returns AMP_EBUSY until taken, delivery only
 * to enabled channels with a callback).
 *
 * Two delivery modes:
 *  - IMMEDIATE: a send delivers before it returns, in "interrupt context"
 *    (posix: amp_port_in_isr() is true in the callback; bare metal: the callback
 *    runs with amp_port_irq_lock() held). Delivery does not nest: a send made
 *    from a callback is delivered when that callback returns, by the same
 *    delivery loop, which runs until nothing deliverable is pending (so two
 *    callbacks that always answer each other never return).
 *  - DEFERRED: signals stay pending until amp_mbox_poll() on the receiving
 *    device, for tests that must step deterministically.
 *
 * Portable: the same code builds for Linux and bare metal. Thread-safe on posix
 * (delivery is serialised by the port's interrupt lock).
 */
#ifndef AMPLINK_MBOX_LOOPBACK_H
#define AMPLINK_MBOX_LOOPBACK_H

#include <amplink/mbox.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef AMP_MBOX_LOOPBACK_MTU_MAX
/** Largest MTU of a loopback pair (bytes per slot; sizes struct amp_mbox_loopback). */
#define AMP_MBOX_LOOPBACK_MTU_MAX 32
#endif

/** When a send is delivered. */
enum amp_mbox_loopback_mode {
	AMP_MBOX_LOOPBACK_IMMEDIATE = 0, /**< inside the send */
	AMP_MBOX_LOOPBACK_DEFERRED = 1,  /**< on amp_mbox_poll() of the receiver */
};

/** Configuration of a pair (const; may live in flash). */
struct amp_mbox_loopback_cfg {
	const char *name_a;   /**< diagnostics name of A (NULL: "loopback-a") */
	const char *name_b;   /**< diagnostics name of B (NULL: "loopback-b") */
	uint32_t num_channels; /**< 1..AMP_MBOX_MAX_CHANNELS, same on both devices */
	uint32_t a_tx_mask;   /**< outbound on A = inbound on B */
	uint32_t b_tx_mask;   /**< outbound on B = inbound on A */
	int mtu;              /**< 0 = signalling; else 1..AMP_MBOX_LOOPBACK_MTU_MAX */
	enum amp_mbox_loopback_mode mode;
	uint8_t ipm_mode;     /**< enum amp_mbox_ipm_mode (ID_IN_DATA needs mtu >= 4) */
	uint8_t ipm_tx_channel_a; /**< ID_IN_DATA: A's outbound channel for amp_ipm_send() */
	uint8_t ipm_tx_channel_b; /**< ID_IN_DATA: B's outbound channel for amp_ipm_send() */
};

/** One direction's data slot (internal). */
struct amp_mbox_loopback_slot {
	uint32_t state;
	uint32_t len;
	uint8_t data[AMP_MBOX_LOOPBACK_MTU_MAX];
};

/** What is addressed to one device (internal). */
struct amp_mbox_loopback_inbox {
	uint32_t pending;
	struct amp_mbox_loopback_slot slot[AMP_MBOX_MAX_CHANNELS];
};

struct amp_mbox_loopback;

/** Driver state of one device of the pair (internal). */
struct amp_mbox_loopback_end {
	struct amp_mbox_loopback *pair;
	uint32_t index; /* 0 = A, 1 = B */
};

/** A loopback pair (caller-owned). */
struct amp_mbox_loopback {
	const struct amp_mbox_loopback_cfg *cfg;
	struct amp_mbox *dev[2];
	struct amp_mbox_loopback_end end[2];
	struct amp_mbox_loopback_inbox inbox[2];
	uint32_t delivering; /* a delivery loop is running (no nesting) */
	uint32_t sent[2];    /* successful sends by A / B */
	uint32_t delivered[2]; /* callbacks run on A / B */
};

/**
 * @brief Set up a pair: fills in @p a and @p b.
 * @param lb   pair state
 * @param a    device A
 * @param b    device B
 * @param cfg  configuration; must outlive the pair
 * @retval 0          ready; inbound channels start disabled with no callback
 * @retval AMP_EINVAL NULL argument, a == b, or invalid configuration
 * Context: thread (or before interrupts are enabled). Concurrency: none.
 * Lifetime: @p lb, @p a and @p b stay in place while the pair is used; there is
 * nothing to release.
 */
int amp_mbox_loopback_init(struct amp_mbox_loopback *lb, struct amp_mbox *a, struct amp_mbox *b,
			   const struct amp_mbox_loopback_cfg *cfg);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_MBOX_LOOPBACK_H */
