/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/config.h
 * @brief Compile-time feature switches: the one place they are defined.
 *
 * Every switch only removes code. None changes a prototype, a structure
 * layout or a byte on the wire, so a library built with fewer features links
 * against the same headers and still interoperates with a full-featured peer
 * in the configurations it kept. A feature that was compiled out is refused
 * at run time with AMP_ENOTSUP (never silently ignored). The defaults turn
 * everything on; the host builds and their tests use the defaults.
 *
 * Set a switch with the compiler (`-DAMP_CONFIG_ICMSG_V1=0`), for the whole
 * build (CMake cache variable `AMP_CONFIG_DEFS`, a list of NAME=VALUE) or by
 * naming a header of your own in `AMP_CONFIG_FILE` (`-DAMP_CONFIG_FILE=
 * "my_amp_config.h"`), which is included first. The library and the
 * application should see the same values; since layouts never change, a
 * mismatch only decides which calls return AMP_ENOTSUP.
 *
 * docs/BAREMETAL.md has the table with what each switch saves on Cortex-M.
 */
#ifndef AMPLINK_CONFIG_H
#define AMPLINK_CONFIG_H

#ifdef AMP_CONFIG_FILE
#include AMP_CONFIG_FILE
#endif

/**
 * Most verbose amp_port_log() level compiled into the library: -1 none,
 * 0 errors (AMP_LOG_ERR), 1 warnings, 2 info, 3 debug (default: all; the port
 * still filters at run time). Below a message's level its call and its
 * format string are not in the image. The `error` callbacks to the
 * application do not depend on it.
 */
#ifndef AMP_CONFIG_LOG_LEVEL
#define AMP_CONFIG_LOG_LEVEL 3
#endif

/**
 * Statistics counters (amp_icmsg_get_stats(), amp_rpmsg_get_stats()). 0: the
 * counters stay 0 and the code that maintains them is gone; the calls still
 * succeed. Counters the transports need for their own work (RPMsg's
 * delivered-message count that amp_rpmsg_process() returns, the doorbell count
 * behind amp_rpmsg_batch_end()) are kept.
 */
#ifndef AMP_CONFIG_STATS
#define AMP_CONFIG_STATS 1
#endif

/** ICMsg profile AMP_ICMSG_V1 (magic bonding, restart re-bonding). 0: refused at init. */
#ifndef AMP_CONFIG_ICMSG_V1
#define AMP_CONFIG_ICMSG_V1 1
#endif

/** ICMsg profile AMP_ICMSG_V2 (session handshake). 0: refused at init. */
#ifndef AMP_CONFIG_ICMSG_V2
#define AMP_CONFIG_ICMSG_V2 1
#endif

/** ICMsg profile AMP_ICMSG_DETECT (v2, falling back to v1). Needs both of the
 *  above; defaults to on exactly when both are. 0: refused at init. */
#ifndef AMP_CONFIG_ICMSG_DETECT
#define AMP_CONFIG_ICMSG_DETECT (AMP_CONFIG_ICMSG_V1 && AMP_CONFIG_ICMSG_V2)
#endif

/** RPMsg host role (AMP_RPMSG_ROLE_HOST). 0: refused at init. */
#ifndef AMP_CONFIG_RPMSG_HOST
#define AMP_CONFIG_RPMSG_HOST 1
#endif

/** RPMsg remote role (AMP_RPMSG_ROLE_REMOTE). 0: refused at init. */
#ifndef AMP_CONFIG_RPMSG_REMOTE
#define AMP_CONFIG_RPMSG_REMOTE 1
#endif

/** VIRTIO_RING_F_EVENT_IDX in the vrings (amp_vring_cfg.event_idx /
 *  amp_rpmsg_cfg.event_idx). 0: asking for it is refused at init; the
 *  flag-based notification suppression stays. */
#ifndef AMP_CONFIG_RPMSG_EVENT_IDX
#define AMP_CONFIG_RPMSG_EVENT_IDX 1
#endif

/** RPMsg zero-copy calls through the IPC service (get_tx_buffer,
 *  send_nocopy, drop_tx_buffer, hold_rx_buffer, release_rx_buffer). 0: they
 *  return AMP_ENOTSUP; amp_ipc_send() is unaffected. */
#ifndef AMP_CONFIG_RPMSG_NOCOPY
#define AMP_CONFIG_RPMSG_NOCOPY 1
#endif

/** RPMsg restart detection: a remote notices that the host reset the link or
 *  re-initialised the rings (status byte, ring indices) and rebinds; a
 *  restarted remote finding rings of an earlier session asks the host for a
 *  reset (NEEDS_RESET) and an amplink host re-opens. 0: as Zephyr and
 *  OpenAMP, neither side looks; stale or reset rings then fail the ring
 *  checks and stop the link (reported through `error`) instead of rebinding. */
#ifndef AMP_CONFIG_RPMSG_RESTART
#define AMP_CONFIG_RPMSG_RESTART 1
#endif

#if AMP_CONFIG_ICMSG_DETECT && !(AMP_CONFIG_ICMSG_V1 && AMP_CONFIG_ICMSG_V2)
#error "AMP_CONFIG_ICMSG_DETECT needs AMP_CONFIG_ICMSG_V1 and AMP_CONFIG_ICMSG_V2"
#endif

#endif /* AMPLINK_CONFIG_H */
