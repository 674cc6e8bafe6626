/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/loopback.h
 * @brief In-process loopback transport: two IPC instances wired to each other.
 *
 * The reference implementation of the IPC service semantics, for tests and
 * examples that need a peer without shared memory or doorbells. It supports
 * everything the service offers: several named endpoints per instance (an
 * endpoint is bound once both instances registered the same name), copying
 * sends, zero-copy transmit buffers (get_tx_buffer / send_nocopy / drop) and
 * held receive buffers (hold / release).
 *
 * Each instance owns a pool of AMP_LOOPBACK_NUM_BUFS transmit buffers of
 * AMP_LOOPBACK_BUF_SIZE bytes; a message occupies one buffer of the sender's
 * pool from send until the receiver's callback returns (or until the last
 * release of a held buffer). Delivery is immediate (the sender's context runs
 * the receiver's `received` callback; a send from inside a callback is queued
 * and delivered after it, so recursion stays bounded) or deferred (messages
 * wait until amp_loopback_process() on the receiving instance).
 *
 * Concurrency: every operation runs under amp_port_irq_lock(); callbacks run
 * with it held (on Linux that holds off the doorbell thread, on bare metal it
 * masks interrupts), so keep them short.
 */
#ifndef AMPLINK_LOOPBACK_H
#define AMPLINK_LOOPBACK_H

#include <amplink/ipc.h>
#include <amplink/ipc_backend.h>
#include <amplink/port.h>

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define AMP_LOOPBACK_MAX_EPTS 4    /**< endpoints per instance */
#define AMP_LOOPBACK_NUM_BUFS 8    /**< transmit buffers per instance */
#define AMP_LOOPBACK_BUF_SIZE 256  /**< bytes per buffer = largest message */
#define AMP_LOOPBACK_NAME_MAX 31   /**< longest endpoint name */

/** Configuration of one loopback instance. */
struct amp_loopback_cfg {
	const char *name; /**< instance name for diagnostics (may be NULL) */
	bool deferred;    /**< true: deliver only from amp_loopback_process() */
};

/** One endpoint slot (internal). */
struct amp_loopback_slot {
	const struct amp_ipc_ept_cfg *cfg; /**< NULL = free slot */
	int peer;                          /**< bound peer slot index, or -1 */
};

/** One transmit buffer (internal). */
struct amp_loopback_buf {
	uint8_t data[AMP_LOOPBACK_BUF_SIZE];
	uint32_t len;
	uint8_t state; /**< free, claimed, queued, delivering, held */
	uint8_t holds; /**< outstanding holds */
	int8_t src;    /**< sending slot */
	int8_t dst;    /**< receiving slot on the peer */
};

/** A loopback instance (caller-owned; zero-initialise or init with amp_loopback_init_pair()). */
struct amp_loopback {
	struct amp_ipc_instance inst;   /**< hand &inst to the amp_ipc_* calls */
	const struct amp_loopback_cfg *cfg;
	struct amp_loopback *peer;
	bool open;
	bool delivering;                /**< a delivery loop runs on this instance */
	struct amp_loopback_slot slot[AMP_LOOPBACK_MAX_EPTS];
	struct amp_loopback_buf buf[AMP_LOOPBACK_NUM_BUFS]; /**< this side's transmit pool */
	uint8_t queue[AMP_LOOPBACK_NUM_BUFS]; /**< inbound: indices into the peer's pool */
	uint32_t q_head;
	uint32_t q_count;
	struct amp_event buf_ev;        /**< posted when a buffer of the pool is freed */
};

/**
 * @brief Initialise two instances and wire them to each other.
 * @param a,b       the instances (distinct)
 * @param cfg_a,cfg_b their configurations (NULL = defaults: immediate delivery)
 * @retval 0          done; both are closed (call amp_ipc_open_instance())
 * @retval AMP_EINVAL NULL instance or a == b
 * Context: thread. Lifetime: the cfgs must outlive the instances.
 * Concurrency: not with any other use of @p a or @p b.
 */
int amp_loopback_init_pair(struct amp_loopback *a, const struct amp_loopback_cfg *cfg_a,
			   struct amp_loopback *b, const struct amp_loopback_cfg *cfg_b);

/**
 * @brief The service handle of a loopback instance (same as &lb->inst).
 * @return the instance, or NULL for NULL
 * Context: any. Concurrency: reentrant. Lifetime: that of @p lb.
 */
struct amp_ipc_instance *amp_loopback_instance(struct amp_loopback *lb);

/**
 * @brief Deliver the messages queued for @p lb (deferred mode; harmless otherwise).
 * @return number of messages delivered (>= 0)
 * @retval AMP_EINVAL NULL
 * Context: thread (callbacks run in the caller's context).
 * Concurrency: serialised with every other operation by the irq lock.
 */
int amp_loopback_process(struct amp_loopback *lb);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_LOOPBACK_H */
