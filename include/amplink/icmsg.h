/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/icmsg.h
 * @brief ICMsg transport: one endpoint over two pbuf rings and a doorbell,
 * wire-compatible with Zephyr's `zephyr,ipc-icmsg` (v1 and v2).
 *
 * Each side writes one region (its tx region, the peer's rx region) and reads
 * the other; after every write and every state change it rings the peer on its
 * tx mailbox channel. Doorbells carry no meaning beyond "look": receive
 * processing re-scans shared memory on every signal and drains everything.
 * The protocol, the handshake word and the state machine are described in
 * docs/SPEC-icmsg.md, together with where amplink deliberately differs from
 * Zephyr.
 *
 * Profiles (must match the peer's devicetree `unbound` property):
 *  - AMP_ICMSG_V1: `unbound = "disable"` and Zephyr's frozen v1 — bonding by a
 *    13-byte magic packet. Zephyr cannot tell when a v1 peer restarts; amplink
 *    notices that the peer re-initialised its ring, reports `unbound`, bonds
 *    again by itself and reports `bound` when the new magic is read (no
 *    re-registration; registering again returns AMP_EALREADY as in Zephyr).
 *    A message that is exactly the 13-byte magic is therefore reserved.
 *  - AMP_ICMSG_V2: `unbound = "enable"` — session handshake word; peer close
 *    and peer reset are reported through `unbound`; register again to rebind.
 *    Needs dcache_align >= 8 (Zephyr's layout check, kept for compatibility).
 *  - AMP_ICMSG_DETECT: `unbound = "detect"` — v2 unless the peer turns out to
 *    be v1 (its first packet is the bare magic), then v1. dcache_align >= 8.
 *
 * Use it through the IPC service (amp_icmsg_instance() + amp_ipc_*: register
 * = open, deregister = close, one endpoint per instance, the endpoint name is
 * ignored) or directly with the amp_icmsg_* calls below.
 *
 * Receive context: the mailbox callback (on Linux the doorbell thread, on bare
 * metal the mailbox interrupt) runs amp_icmsg_process(); polling applications
 * and deterministic tests call amp_icmsg_process() themselves (it is
 * idempotent and cheap when nothing changed). All callbacks (bound, unbound,
 * received, error) run in that context.
 *
 * Concurrency: sends, receive processing, open and close of one instance are
 * serialised with amp_port_irq_lock() (it nests, so a callback may send, close
 * or re-open). On Linux that is a process-wide lock that also holds off the
 * doorbell thread; on bare metal it masks interrupts for the duration of one
 * ring write. Sends from several threads are therefore safe and never
 * interleave inside the ring; no lock is held while amp_icmsg_send_wait()
 * sleeps.
 */
#ifndef AMPLINK_ICMSG_H
#define AMPLINK_ICMSG_H

#include <amplink/ipc.h>
#include <amplink/ipc_backend.h>
#include <amplink/mbox.h>
#include <amplink/pbuf.h>
#include <amplink/port.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Wire profile of an instance (the peer's `unbound` mode). */
enum amp_icmsg_profile {
	AMP_ICMSG_V1 = 0,     /**< `unbound = "disable"` / frozen v1: magic bonding */
	AMP_ICMSG_V2 = 1,     /**< `unbound = "enable"`: session handshake */
	AMP_ICMSG_DETECT = 2, /**< `unbound = "detect"`: v2, falls back to v1 */
};

/** Internal state of an instance (never on the wire); names follow Zephyr's. */
enum amp_icmsg_state {
	AMP_ICMSG_OFF = 0,             /**< closed */
	AMP_ICMSG_INIT_V1,             /**< waiting for the peer's magic (Zephyr INITIALIZING_SID_DISABLED / v1 BUSY) */
	AMP_ICMSG_INIT_V2,             /**< handshake in progress (INITIALIZING_SID_ENABLED) */
	AMP_ICMSG_INIT_DETECT,         /**< handshake or v1 detection (INITIALIZING_SID_DETECT) */
	AMP_ICMSG_CONNECTED_V1,        /**< bound, v1 rules (CONNECTED_SID_DISABLED / v1 READY) */
	AMP_ICMSG_CONNECTED_V2,        /**< bound, session rules (CONNECTED_SID_ENABLED) */
	AMP_ICMSG_DISCONNECTED,        /**< the peer closed or reset; open again to rebind */
};

/** The 13-byte bonding magic of ICMsg ("Em1l1K0rn3li4"). */
#define AMP_ICMSG_MAGIC_LEN 13

/**
 * Default of amp_icmsg_cfg.peer_max_msg: the receive buffer of a Zephyr peer
 * with default Kconfig (CONFIG_PBUF_RX_READ_BUF_SIZE = 128). A Zephyr receiver
 * never consumes a longer packet, so the ring would be stuck for good; amplink
 * refuses such a send instead. Raise it only to what the peer really accepts
 * (an amplink peer accepts anything its ring can hold).
 */
#define AMP_ICMSG_PEER_MAX_MSG_DEFAULT 128u

/** Default v1 re-notification period while bonding (Zephyr's 1 ms). */
#define AMP_ICMSG_BOND_NOTIFY_US_DEFAULT 1000u

/** Size of the bounce buffer built into every instance: a received message
 *  that wraps around the end of the ring and fits it is always delivered, so
 *  without configuration amplink accepts all a default Zephyr peer may send. */
#define AMP_ICMSG_RX_INLINE 128u

/** Largest payload a ring of @p size bytes carries (alignment @p a, handshake @p hs). */
#define AMP_ICMSG_RING_MAX_MSG(size, a, hs) (AMP_PBUF_DATA_LEN(size, a, hs) - 8u)

/** Immutable configuration of one ICMsg instance (may live in flash). */
struct amp_icmsg_cfg {
	const char *name;          /**< for diagnostics (devicetree node name); may be NULL */
	void *tx_region;           /**< region this side writes (the peer's rx region) */
	uint32_t tx_size;          /**< its size in bytes (multiple of 4) */
	void *rx_region;           /**< region this side reads (the peer's tx region) */
	uint32_t rx_size;          /**< its size in bytes (multiple of 4) */
	struct amp_mbox *mbox;     /**< doorbell device (signalling mode) */
	uint32_t tx_channel;       /**< outbound channel: rings the peer */
	uint32_t rx_channel;       /**< inbound channel: the peer rings us */
	enum amp_icmsg_profile profile; /**< wire profile (see above) */
	uint32_t dcache_align;     /**< devicetree `dcache-alignment` (0 = absent); both sides equal */
	/** Largest message the PEER can receive; sends above it fail with
	 *  AMP_EMSGSIZE. 0 = AMP_ICMSG_PEER_MAX_MSG_DEFAULT (safe for Zephyr). */
	uint32_t peer_max_msg;
	/** Optional bounce buffer for received messages that wrap around the end
	 *  of the ring (others are passed to `received` in place, zero copy).
	 *  Without it a built-in AMP_ICMSG_RX_INLINE-byte buffer is used. A
	 *  wrapped message longer than the bounce buffer is dropped and reported
	 *  through the `error` callback (never left to block the ring). Size it
	 *  to AMP_ICMSG_RING_MAX_MSG() of the rx region to accept everything. */
	void *rx_buf;
	uint32_t rx_buf_size;      /**< size of @ref rx_buf */
	/** Copy every message into the bounce buffer before `received` (the
	 *  callback never sees memory the peer could still change); messages
	 *  longer than the bounce buffer are then dropped and reported. */
	bool rx_copy;
	/** v1 re-notification period for amp_icmsg_bond_notify() users and
	 *  amp_icmsg_wait_bound() (microseconds; 0 = 1000). */
	uint32_t bond_notify_us;
};

/** Counters (approximate; read with amp_icmsg_get_stats()); they stay 0 when
 *  AMP_CONFIG_STATS is 0. */
struct amp_icmsg_stats {
	uint64_t tx_msgs;      /**< messages written */
	uint64_t tx_bytes;     /**< payload bytes written */
	uint64_t rx_msgs;      /**< messages delivered */
	uint64_t rx_bytes;     /**< payload bytes delivered */
	uint64_t rx_dropped;   /**< messages dropped (too long for rx_buf, stale, before bonding) */
	uint64_t tx_full;      /**< sends refused with AMP_ENOMEM */
	uint64_t notifies;     /**< doorbells rung */
	uint64_t space_rings;  /**< doorbells rung because we freed space of a nearly full ring */
	uint64_t proto_errors; /**< protocol violations seen from the peer */
	uint64_t peer_resets;  /**< v1: the peer re-initialised its ring (restart) */
	uint64_t space_timeouts; /**< amp_icmsg_send_wait() slices that ended on the 1 ms re-check,
				      not on a space doorbell (a Zephyr reader, or a stalled one) */
};

/** One ICMsg instance (caller-owned; initialise with amp_icmsg_init()). */
struct amp_icmsg {
	struct amp_ipc_instance inst;        /**< the service handle (amp_icmsg_instance()) */
	const struct amp_icmsg_cfg *cfg;
	struct amp_pbuf_cfg tx_pcfg;         /**< derived ring configurations */
	struct amp_pbuf_cfg rx_pcfg;
	struct amp_pbuf tx;                  /**< the ring we write */
	struct amp_pbuf rx;                  /**< the ring we read */
	const struct amp_ipc_ept_cfg *ept;   /**< callbacks while open, else NULL */
	volatile int state;                  /**< enum amp_icmsg_state */
	uint16_t local_sid;                  /**< our session (v2) */
	uint16_t remote_sid;                 /**< the peer's session we acknowledged (v2) */
	bool mbox_on;                        /**< our rx channel is enabled */
	bool bond_notify_armed;              /**< v1: keep ringing until bound */
	bool rx_broken;                      /**< the rx ring is corrupt; reported once */
	bool tx_only_magic;                  /**< v1: our ring holds just the magic */
	bool in_process;                     /**< receive processing runs (re-entry guard) */
	bool emsgsize_logged;                /**< the oversize refusal was logged */
	uint32_t epoch;                      /**< bumped by open/close (stale-callback guard) */
	uint32_t rx_max_seen;                /**< largest message received (space-ring heuristic) */
	uint32_t rx_consumed;                /**< packets consumed (independent of AMP_CONFIG_STATS) */
	uint32_t rx_pass_bytes;              /**< ring bytes consumed in the current pass (space ring) */
	uint32_t peer_max_msg;               /**< effective limit for sends */
	volatile uint32_t tx_waiters;        /**< threads in amp_icmsg_send_wait() */
	uint32_t burst_key;                  /**< amp_port_irq_lock() key of the open burst */
	bool in_burst;                       /**< amp_icmsg_burst_begin() is open */
	bool burst_unrung;                   /**< the open burst wrote and has not rung */
	struct amp_event space_ev;           /**< posted on receive processing while waiters */
	struct amp_icmsg_stats stats;
	uint8_t rx_inline[AMP_ICMSG_RX_INLINE]; /**< bounce buffer when cfg->rx_buf is NULL */
};

/**
 * @brief Validate @p cfg and prepare @p ic (closed, nothing written to shared memory).
 * @retval 0          ready; open it with amp_icmsg_open() or register an endpoint
 * @retval AMP_EINVAL NULL argument, NULL region or mailbox, unknown profile,
 *                    a ring configuration Zephyr would reject (sizes, alignment,
 *                    handshake with dcache_align < 8), a ring too small for the
 *                    13-byte magic, a peer_max_msg larger than the tx ring can
 *                    carry, or rx_buf_size without rx_buf
 * @retval AMP_ENOTSUP the profile was compiled out (AMP_CONFIG_ICMSG_* in
 *                    amplink/config.h)
 * Context: thread. Lifetime: @p cfg (and the regions and mailbox) must outlive @p ic.
 * Concurrency: not concurrently with any other call on @p ic, and not on an
 * open instance (close it first: its doorbell callback is still installed).
 */
int amp_icmsg_init(struct amp_icmsg *ic, const struct amp_icmsg_cfg *cfg);

/**
 * @brief The IPC service handle of @p ic (for amp_ipc_register_endpoint() etc.).
 * @return &ic->inst, or NULL for NULL
 * Context: any. Concurrency: reentrant. Lifetime: that of @p ic.
 */
struct amp_ipc_instance *amp_icmsg_instance(struct amp_icmsg *ic);

/**
 * @brief Open: start bonding (v1: reset our ring and write the magic; v2: pick a
 * new session and publish it in the handshake word), enable the rx channel and
 * ring the peer. Binding completes in receive processing with `bound`.
 *
 * V2/DETECT may be called in any state: that is how to rebind after `unbound`
 * (a new session starts; a bound session is dropped). V1 opens only when closed.
 * @param ept  callbacks and priv; must stay valid until amp_icmsg_close()
 * @retval 0            bonding started
 * @retval AMP_EINVAL   NULL argument, or amp_icmsg_init() did not succeed
 * @retval AMP_EALREADY V1 profile and already open (Zephyr's code)
 * @retval (mailbox)    errors of amp_mbox_register_callback()/amp_mbox_set_enabled()
 * Context: thread, or a callback of this instance. Concurrency: serialised (irq lock).
 * Lifetime: @p ept until amp_icmsg_close() returns.
 */
int amp_icmsg_open(struct amp_icmsg *ic, const struct amp_ipc_ept_cfg *ept);

/**
 * @brief Close: v2 publishes "no session" (the peer sees `unbound`), v1 writes
 * nothing; rings the peer, disables the rx channel. No callback runs afterwards.
 * @retval 0            closed
 * @retval AMP_EINVAL   NULL
 * @retval AMP_EALREADY not open
 * Context: thread, or a callback of this instance. Concurrency: serialised.
 */
int amp_icmsg_close(struct amp_icmsg *ic);

/**
 * @brief Send one message (a copy) and ring the peer. Never waits.
 * @return @p len on success
 * @retval AMP_EINVAL   NULL @p ic or @p data; or the peer's shared read index is
 *                      misaligned (corrupt peer, Zephyr's code)
 * @retval AMP_EBUSY    not bound (closed or still bonding)
 * @retval AMP_ENOTCONN the peer closed or reset (Zephyr returns len and drops
 *                      the data here); register/open again to rebind
 * @retval AMP_ENODATA  @p len is 0
 * @retval AMP_EMSGSIZE @p len exceeds peer_max_msg (or 65535, or the ring):
 *                      refused rather than wedging the peer; logged once
 * @retval AMP_ENOMEM   not enough free space in the ring right now
 * @retval AMP_EPROTO   the peer's shared read index is out of range (corrupt peer)
 * @retval AMP_EBADMSG  the ring accepted fewer bytes than asked (cannot happen
 *                      with a sane ring; kept from Zephyr's contract)
 * @retval (mailbox)    the data was written but the doorbell failed
 * Context: thread or ISR. Concurrency: any threads (serialised internally).
 */
int amp_icmsg_send(struct amp_icmsg *ic, const void *data, size_t len);

/**
 * @brief Send, waiting up to @p timeout_us for ring space without spinning.
 *
 * While the ring is full the caller sleeps on an event posted by receive
 * processing (an amplink peer rings after freeing space of a nearly full ring)
 * and re-checks at least every millisecond (a Zephyr peer never rings for that).
 * @param timeout_us AMP_NO_WAIT (same as amp_icmsg_send()), AMP_FOREVER or microseconds
 * @return @p len on success, or the codes of amp_icmsg_send() except that a
 *         full ring gives
 * @retval AMP_ETIMEDOUT no space within @p timeout_us
 * Context: thread (in ISR context it behaves as amp_icmsg_send()).
 * Concurrency: any threads; each waiter is woken at least every millisecond.
 */
int amp_icmsg_send_wait(struct amp_icmsg *ic, const void *data, size_t len, int64_t timeout_us);

/**
 * @brief Start a burst of sends from this thread: until amp_icmsg_burst_end(),
 * amp_icmsg_send() writes without ringing the peer and without any atomic
 * instruction of its own, and the end rings once for all of them.
 *
 * The burst holds amp_port_irq_lock() from begin to end, the way a core masks
 * interrupts around a short loop: receive processing of this process (on bare
 * metal: every interrupt) waits for the end, so keep bursts short (tens of
 * messages) and never block inside one. A full ring inside a burst is
 * AMP_ENOMEM at once, from amp_icmsg_send_wait() too: end the burst (which
 * rings, so the peer starts draining), then wait. The peer sees a Zephyr-valid
 * ring all along; it just hears one doorbell for the burst. As with a mutex,
 * end the burst on every path: one left open holds the lock for good.
 * @retval 0            the burst is open
 * @retval AMP_EINVAL   NULL or uninitialised @p ic
 * @retval AMP_EALREADY a burst is open on @p ic already
 * Context: thread or ISR. Concurrency: the burst belongs to the calling thread;
 * other threads' calls on the instance wait until it ends.
 */
int amp_icmsg_burst_begin(struct amp_icmsg *ic);

/**
 * @brief End the burst opened by this thread with amp_icmsg_burst_begin():
 * ring the peer once if anything was written, then release the lock.
 * @return 1 if the peer was rung, 0 if the burst wrote nothing
 * @retval AMP_EINVAL   NULL @p ic or no burst open
 * @retval (mailbox)    the doorbell failed (the burst is ended all the same)
 * Context: the thread (or ISR) that began the burst.
 */
int amp_icmsg_burst_end(struct amp_icmsg *ic);

/**
 * @brief Receive processing: advance the handshake, deliver every message
 * available and repeat until nothing changes. Called by the mailbox callback;
 * call it yourself when polling.
 * @return number of messages delivered (>= 0)
 * @retval AMP_EINVAL NULL
 * Context: any (it is the receive context: callbacks run in the caller).
 * Concurrency: serialised; a call from inside a callback of the same instance
 * returns 0 at once and the running pass picks up whatever changed.
 */
int amp_icmsg_process(struct amp_icmsg *ic);

/**
 * @brief Receive processing limited to @p budget units of work. A unit is one
 * handshake evaluation, one v1 detection, or one packet (delivered or dropped)
 * — the granularity of one Zephyr work item, which golden-vector replays need.
 * @return number of units done (0..budget); 0 means nothing was pending
 * @retval AMP_EINVAL NULL
 * Context and concurrency: as amp_icmsg_process().
 */
int amp_icmsg_process_budget(struct amp_icmsg *ic, uint32_t budget);

/**
 * @brief V1 bonding: ring the peer once more if we are still waiting for its
 * magic (Zephyr v1 does this every millisecond because a doorbell rung before
 * the peer enabled its channel is lost on some hardware). The first call after
 * binding rings one last time and disarms, as Zephyr's timer does.
 * @return 1 if it rang, 0 if nothing to do
 * @retval AMP_EINVAL NULL
 * @retval (mailbox)  the doorbell failed
 * Context: any. Concurrency: serialised.
 */
int amp_icmsg_bond_notify(struct amp_icmsg *ic);

/**
 * @brief Wait until bound, processing and (v1) re-notifying every
 * bond_notify_us. For applications without a doorbell thread and for tests.
 * @retval 0             bound
 * @retval AMP_EINVAL    NULL
 * @retval AMP_EBUSY     not open
 * @retval AMP_ENOTCONN  the peer closed or reset first (open again)
 * @retval AMP_ETIMEDOUT not bound within @p timeout_us (AMP_NO_WAIT: one
 *                       processing pass; AMP_FOREVER: no limit)
 * Context: thread only. Concurrency: with anything (serialised steps).
 */
int amp_icmsg_wait_bound(struct amp_icmsg *ic, int64_t timeout_us);

/**
 * @brief Current state (enum amp_icmsg_state), or AMP_EINVAL for NULL.
 * Context: any. Concurrency: a snapshot.
 */
int amp_icmsg_state(const struct amp_icmsg *ic);

/**
 * @brief Largest message a send accepts now: min(peer_max_msg, ring capacity).
 * @return bytes (> 0)  @retval AMP_EINVAL NULL
 * Context: any.
 */
int amp_icmsg_max_msg(const struct amp_icmsg *ic);

/**
 * @brief Copy the counters.
 * @retval 0 copied  @retval AMP_EINVAL NULL
 * Context: any. Concurrency: values read without locking (approximate).
 */
int amp_icmsg_get_stats(const struct amp_icmsg *ic, struct amp_icmsg_stats *out);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_ICMSG_H */
