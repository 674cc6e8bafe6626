/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file zephyr/amp_compat.h
 * @brief amplink extensions of the Zephyr compatibility layer: error
 * conversion, start-up, and endpoint diagnostics. Not part of Zephyr's API.
 */
#ifndef AMP_ZEPHYR_AMP_COMPAT_H
#define AMP_ZEPHYR_AMP_COMPAT_H

#include <amplink/errno.h>

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <zephyr/ipc/ipc_service.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Convert an amplink result to the negative errno value of the C
 * library this code is compiled against.
 *
 * amplink's AMP_E* codes have Linux's numbers; glibc and musl use the same
 * ones (the conversion is the identity there), newlib and others number
 * several differently. Results >= 0 pass through; an unknown code becomes -EIO.
 * Context: any. Concurrency: pure function.
 */
static inline int amp_err_to_errno(int err)
{
	switch (err) {
	case AMP_EPERM: return -EPERM;
	case AMP_ENOENT: return -ENOENT;
	case AMP_EINTR: return -EINTR;
	case AMP_EIO: return -EIO;
	case AMP_ENXIO: return -ENXIO;
	case AMP_EAGAIN: return -EAGAIN;
	case AMP_ENOMEM: return -ENOMEM;
	case AMP_EACCES: return -EACCES;
	case AMP_EFAULT: return -EFAULT;
	case AMP_EBUSY: return -EBUSY;
	case AMP_EEXIST: return -EEXIST;
	case AMP_ENODEV: return -ENODEV;
	case AMP_EINVAL: return -EINVAL;
	case AMP_ENOSPC: return -ENOSPC;
	case AMP_ERANGE: return -ERANGE;
	case AMP_ENOSYS: return -ENOSYS;
	case AMP_ENODATA: return -ENODATA;
	case AMP_EPROTO: return -EPROTO;
	case AMP_EBADMSG: return -EBADMSG;
	case AMP_EOVERFLOW: return -EOVERFLOW;
	case AMP_EMSGSIZE: return -EMSGSIZE;
	case AMP_EADDRINUSE: return -EADDRINUSE;
	case AMP_ENOTSUP: return -ENOTSUP;
	case AMP_ECONNRESET: return -ECONNRESET;
	case AMP_ENOBUFS: return -ENOBUFS;
	case AMP_ENOTCONN: return -ENOTCONN;
	case AMP_ETIMEDOUT: return -ETIMEDOUT;
	case AMP_EALREADY: return -EALREADY;
	case AMP_ECANCELED: return -ECANCELED;
	default: return err >= 0 ? err : -EIO;
	}
}

/**
 * @brief Open every device of this core's devicetree (regions, mailboxes,
 * IPC instances). Runs by itself before main() on Linux; call it early in
 * main() where constructors do not run. Idempotent.
 * @return 0 if every device started, else the first failure as negative errno
 *         (failed devices are not ready; each failure was logged)
 * Context: thread.
 */
int amp_zephyr_init(void);

/**
 * @brief Where a `reserved-memory` region of the devicetree is mapped in
 * this process (its `reg` address on Linux and bare metal alike).
 * @param name  node name ("shared_ram@20040000"), name without unit address, or label
 * @param[out] size  its size; may be NULL
 * @return the base, or NULL if there is no such region or it failed to map
 */
void *amp_zephyr_region(const char *name, size_t *size);

struct amp_mbox;
struct amp_ipc_instance;

/**
 * @brief The amplink mailbox behind a mailbox/IPM device (to mix native
 * amp_mbox_* calls with Zephyr code, or to call a driver's interrupt handler
 * such as amp_mbox_mhu_isr() from the firmware's vector).
 * @return the device, or NULL if @p dev is not a ready mailbox
 */
struct amp_mbox *amp_zephyr_mbox(const struct device *dev);

/**
 * @brief The amplink IPC instance behind an IPC device (for amp_ipc_* calls).
 * @return the instance, or NULL if @p dev is not a ready IPC instance
 */
struct amp_ipc_instance *amp_zephyr_ipc_instance(const struct device *dev);

/** Diagnostics of one endpoint, kept by the compatibility layer. */
struct amp_zephyr_ept_stats {
	bool bound;             /**< bound now */
	uint32_t bound_count;   /**< `bound` callbacks so far */
	uint32_t unbound_count; /**< `unbound` callbacks so far */
	uint32_t error_count;   /**< `error` callbacks so far */
	uint32_t rx_msgs;       /**< messages received */
	uint64_t rx_bytes;      /**< payload bytes received */
	uint32_t rx_hash;       /**< amp_zephyr_hash() over all payloads, in order */
};

/**
 * @brief Snapshot of an endpoint's diagnostics (consistent: taken with local
 * interrupts masked).
 * @retval 0 copied  @retval -EINVAL NULL
 * Context: thread or ISR.
 */
int amp_zephyr_ept_stats(const struct ipc_ept *ept, struct amp_zephyr_ept_stats *out);

/** Start value of amp_zephyr_hash(). */
#define AMP_ZEPHYR_HASH_INIT 2166136261u

/**
 * @brief Continue a 32-bit FNV-1a hash over @p len bytes (the `rx_hash` of
 * the endpoint statistics), so a test can compare what arrived with what
 * was sent without keeping copies.
 * Context: any. Concurrency: pure function.
 */
uint32_t amp_zephyr_hash(uint32_t hash, const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* AMP_ZEPHYR_AMP_COMPAT_H */
