/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/mbox_linux.h
 * @brief Linux shared-memory doorbell: a mailbox between two processes.
 *
 * The mailbox is a small shared region (amp_shm) holding, for each of the two
 * sides, what is pending for it: per channel a ring counter the sender bumps
 * and a taken counter the receiver sets (channel n is pending while they
 * differ: a pending "bit" that only the sender's cache line carries to the
 * receiver, with no write back), a sequence word bumped after every ring (the
 * futex word the side sleeps on), a "sleeping" word the side sets before it
 * sleeps, and one data slot per channel with a full flag. The layout is in
 * src/drivers/mbox/linux/mbox_linux_layout.h (fixed-width, little-endian).
 *
 * Sides: each configuration names its side (0 or 1); the peer uses the other
 * one and the mirror-image channel masks: what is outbound here is inbound
 * there. A channel may be outbound on both sides (each direction has its own
 * ring counter and data slot).
 *
 * Delivery: each process runs ONE doorbell thread, started with the first
 * device and stopped with the last, that plays the interrupt controller for
 * every device of this driver in the process. It takes the pending signals
 * of the ready channels (amp_mbox_ready_mask()) and runs their callbacks
 * between amp_posix_isr_enter() and amp_posix_isr_exit():
 * amp_port_in_isr() is true there, and amp_port_irq_lock() holds it off.
 * Signals coalesce; receivers re-scan.
 *
 * Wait modes (per device; the doorbell thread spins while any of its devices
 * asks it to):
 *  - IRQ: sleep on the futex as soon as nothing is pending. A sender issues
 *    FUTEX_WAKE only when the receiver has advertised that it sleeps, so a
 *    receiver that is busy or spinning costs the sender no system call; the
 *    one sender that takes the advertisement makes the call, and the receiver
 *    sleeps only while its advertisement is still untaken (it waits on both
 *    words), so a wake-up spent early is never lost.
 *  - POLL: never sleep; spin on the sequence word with amp_port_cpu_relax().
 *    Neither side makes a system call. Costs a CPU.
 *  - ADAPTIVE: spin for `spin_us` after the last signal, then sleep as IRQ.
 *
 * The thread waits on all sleeping devices at once with futex_waitv (Linux
 * 5.16+); on older kernels it sleeps on the first device's word only and
 * re-scans every millisecond (several devices) or every 10 ms (one).
 *
 * A peer that dies never blocks a sender: a send never waits; a data slot the
 * dead peer did not take keeps returning AMP_EBUSY. A side that restarts
 * finds what was sent to it meanwhile still pending (it is delivered once
 * the channel is enabled), and a data message whose handler it died in is
 * delivered again; anything it was half-way through sending is reset.
 *
 * fork(): the child starts with no devices and no doorbell thread (the
 * parent's devices stay the parent's); a child opens its own. Fork before
 * opening devices, as the port's interrupt lock may be held by the parent's
 * doorbell thread at the moment of the fork.
 */
#ifndef AMPLINK_MBOX_LINUX_H
#define AMPLINK_MBOX_LINUX_H

#include <amplink/mbox.h>
#include <amplink/shm.h>

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Largest MTU of the Linux doorbell (bytes per data slot). */
#define AMP_MBOX_LINUX_MTU_MAX 56

/** Most devices of this driver one process may have open at once. */
#define AMP_MBOX_LINUX_MAX_DEVICES 16

/** Size of the shared mailbox region (independent of the configuration). */
#define AMP_MBOX_LINUX_REGION_SIZE 4800u

/** How the receiving side waits for a doorbell. */
enum amp_mbox_linux_wait {
	AMP_MBOX_LINUX_WAIT_IRQ = 0,      /**< futex sleep */
	AMP_MBOX_LINUX_WAIT_POLL = 1,     /**< spin, no system calls */
	AMP_MBOX_LINUX_WAIT_ADAPTIVE = 2, /**< spin spin_us, then futex sleep */
};

/** Configuration of one side of a Linux mailbox (const; may be static). */
struct amp_mbox_linux_cfg {
	/** The mailbox region: name and directory; its size must be
	 *  AMP_MBOX_LINUX_REGION_SIZE (0 is taken to mean that size). It is
	 *  always mapped uncached (`cacheable` is ignored): its words are
	 *  atomics and futex words, like a hardware mailbox's registers. */
	struct amp_shm_cfg shm;
	/** 0 or 1; the peer's configuration uses the other value. */
	uint8_t side;
	/** Channels 0..num_channels-1 exist (1..AMP_MBOX_MAX_CHANNELS). */
	uint32_t num_channels;
	/** Outbound channels of this side (= inbound channels of the peer). */
	uint32_t tx_mask;
	/** Inbound channels of this side (= outbound channels of the peer). */
	uint32_t rx_mask;
	/** 0 = signalling mode; else bytes per message, 1..AMP_MBOX_LINUX_MTU_MAX.
	 *  Both sides must agree (checked against the region header). */
	int mtu;
	/** How this side's doorbell thread waits for this device. */
	enum amp_mbox_linux_wait wait;
	/** ADAPTIVE: how long to spin after the last signal before sleeping
	 *  (microseconds; 0 = 50). */
	uint32_t spin_us;
	/** IPM id mapping (enum amp_mbox_ipm_mode). ID_IN_DATA needs mtu >= 4. */
	uint8_t ipm_mode;
	/** ID_IN_DATA: the outbound channel amp_ipm_send() uses. */
	uint8_t ipm_tx_channel;
};

/** Counters of one device (read with amp_mbox_linux_stats()). */
struct amp_mbox_linux_stats {
	uint64_t sent;         /**< successful sends */
	uint64_t wakes;        /**< FUTEX_WAKE calls made by sends (peer was asleep) */
	uint64_t delivered;    /**< callbacks run */
	uint64_t sleeps;       /**< times the doorbell thread slept for this device */
	uint64_t proto_errors; /**< malformed data from the peer (dropped, logged) */
};

/** Driver state of one side (caller-owned; opaque apart from its size). */
struct amp_mbox_linux {
	const struct amp_mbox_linux_cfg *cfg;
	struct amp_mbox *mbox;
	struct amp_shm shm;
	struct amp_shm_cfg shm_cfg;
	void *region;           /* == shm.base */
	uint32_t registered;    /* 1 while known to the doorbell thread */
	uint32_t seen_seq;      /* bell sequence the last scan started from */
	uint32_t rescan;        /* 1: scan even if the sequence did not move */
	uint64_t spin_ns;
	/* This side is the only writer of the peer's bell counters: it keeps
	 * them here too, so a send stores them without reading the shared line. */
	uint32_t tx_seq;
	uint32_t tx_ring[AMP_MBOX_MAX_CHANNELS];
	struct amp_mbox_linux_stats stats;
};

/**
 * @brief Open one side of a mailbox and register it with the doorbell thread.
 *
 * Creates the region (zeroed) if the peer has not yet, so the two processes may
 * start in either order. Inbound channels start disabled with no callback.
 * @param[out] mbox  the device to fill in
 * @param[out] drv   driver state for it
 * @param[in]  cfg   configuration; must outlive the device
 * @retval 0              ready
 * @retval AMP_EINVAL     NULL argument or invalid configuration (side, masks,
 *                        channel count, MTU, IPM settings, region size), or the
 *                        region was set up by the peer with another channel
 *                        count or MTU
 * @retval AMP_EPROTO     the region holds something that is not a mailbox
 * @retval AMP_EBUSY      @p drv is open already (deinit it first)
 * @retval AMP_ENOMEM     AMP_MBOX_LINUX_MAX_DEVICES devices are open already
 * @retval AMP_EIO        the thread could not be started
 * @retval (others)       from amp_shm_open()
 * Context: thread only. Concurrency: any threads (serialised internally).
 * Lifetime: @p mbox and @p drv must stay in place until amp_mbox_linux_deinit().
 */
int amp_mbox_linux_init(struct amp_mbox *mbox, struct amp_mbox_linux *drv,
			const struct amp_mbox_linux_cfg *cfg);

/**
 * @brief Close a device: no callback runs for it after this returns; stops and
 * joins the doorbell thread when it was the last device. The region file is
 * left for the peer (remove it with amp_shm_remove()).
 * @param mbox  a device opened with amp_mbox_linux_init()
 * @retval 0          closed
 * @retval AMP_EINVAL NULL or not open
 * @retval AMP_EBUSY  called from a doorbell callback (would wait for itself)
 * @retval AMP_ETIMEDOUT the doorbell thread did not let go of the device within
 *                    5 s (the caller holds amp_port_irq_lock(), or a callback
 *                    blocks); the device is detached but its region stays mapped
 * Context: thread only, not from a callback, not with amp_port_irq_lock() held.
 * Concurrency: any threads, but not twice for one device at once.
 * Lifetime: afterwards @p mbox and its driver state may be reused or freed.
 */
int amp_mbox_linux_deinit(struct amp_mbox *mbox);

/**
 * @brief Copy the counters of a device.
 * @param mbox  an open Linux mailbox device
 * @param out   where to copy them
 * @retval 0          copied
 * @retval AMP_EINVAL NULL, or not an open Linux mailbox
 * Context: any. Concurrency: values are read without locking (each one is
 * exact, together they are a snapshot only approximately).
 * Lifetime: @p out is the caller's.
 */
int amp_mbox_linux_stats(const struct amp_mbox *mbox, struct amp_mbox_linux_stats *out);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_MBOX_LINUX_H */
