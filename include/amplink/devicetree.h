/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/devicetree.h
 * @brief One core's IPC system as described by its devicetree.
 *
 * The devicetree of a core names its shared-memory regions (`reserved-memory`
 * children with `reg`), its mailbox controllers (`amplink,linux-doorbell`,
 * `arm,mhu`) and its IPC instances (`zephyr,ipc-icmsg`,
 * `zephyr,ipc-openamp-static-vrings`). This header describes that system as
 * plain data (`struct amp_dt_system`), produced two ways from the same
 * validation code:
 *  - at build time by the generator (`amp_dtgen`), which writes it as a const
 *    initialiser beside Zephyr-style `DT_*` macros (firmware and Linux cores);
 *  - at run time on Linux by amp_dt_load() from a `.dtb` (tools: `inspect`).
 *
 * Regions, mailboxes and instances refer to each other by index. Strings point
 * into the blob that was loaded (or are literals in generated code); node
 * paths are not kept (the generator and error messages compute them).
 *
 * A devicetree that cannot work is refused with a `struct amp_dt_error` naming
 * the node and the property at fault (missing property, overlapping regions,
 * region outside memory or not under reserved-memory, unknown compatible,
 * mailbox channel out of range, bad enumerated string).
 */
#ifndef AMPLINK_DEVICETREE_H
#define AMPLINK_DEVICETREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @name Capacity of one core's description (static storage, no allocation) */
/**@{*/
#define AMP_DT_MAX_REGIONS 16
#define AMP_DT_MAX_MBOXES 8
#define AMP_DT_MAX_IPC 8
/**@}*/

/** Compatible of a mailbox controller. */
enum amp_dt_mbox_type {
	AMP_DT_MBOX_LINUX_DOORBELL = 1, /**< "amplink,linux-doorbell": doorbell words in a shared region */
	AMP_DT_MBOX_ARM_MHU = 2,        /**< "arm,mhu": SSE-200 MHU (bare metal) */
};

/** How a Linux doorbell receiver waits (`amplink,wait`). */
enum amp_dt_wait {
	AMP_DT_WAIT_FUTEX = 0,    /**< "futex": sleep in the kernel until rung (default) */
	AMP_DT_WAIT_POLL = 1,     /**< "poll": spin on the word, no system call */
	AMP_DT_WAIT_ADAPTIVE = 2, /**< "adaptive": spin a while after a signal, then sleep */
};

/** How IPM ids map onto a mailbox's channels (`amplink,ipm-mode`). */
enum amp_dt_ipm_mode {
	AMP_DT_IPM_ID_IS_CHANNEL = 0, /**< "id-is-channel" (default): id n rings channel n */
	AMP_DT_IPM_ID_IN_DATA = 1,    /**< "id-in-data": 32-bit id carried in the message */
};

/** Compatible of an IPC instance. */
enum amp_dt_ipc_type {
	AMP_DT_IPC_ICMSG = 1, /**< "zephyr,ipc-icmsg" */
	AMP_DT_IPC_RPMSG = 2, /**< "zephyr,ipc-openamp-static-vrings" */
};

/** ICMsg `unbound` property. */
enum amp_dt_unbound {
	AMP_DT_UNBOUND_DISABLE = 0, /**< "disable" (default): ICMsg v1 behaviour */
	AMP_DT_UNBOUND_ENABLE = 1,  /**< "enable": v2 session handshake */
	AMP_DT_UNBOUND_DETECT = 2,  /**< "detect": v2, falls back to v1 peers */
};

/** RPMsg `role` property. */
enum amp_dt_role {
	AMP_DT_ROLE_HOST = 0,   /**< "host": owns the buffers (virtio driver side) */
	AMP_DT_ROLE_REMOTE = 1, /**< "remote": uses the host's buffers (virtio device side) */
};

/** A shared-memory region: one `reserved-memory` child. */
struct amp_dt_region {
	const char *name;  /**< full node name ("shared_ram@20040000"); on Linux the region
			    *   file is this name with '@' replaced by '-' */
	const char *label; /**< first label, or NULL */
	uint64_t addr;     /**< `reg` address: where both cores see it */
	uint64_t size;     /**< `reg` size in bytes */
	bool cacheable;    /**< false with `amplink,uncached` (or Zephyr's
			    *   `zephyr,memory-region-mpu = "RAM_NOCACHE"`): locks and
			    *   flags that cores update with atomics belong there */
};

/** A mailbox controller. */
struct amp_dt_mbox {
	const char *name;           /**< full node name */
	const char *label;          /**< first label, or NULL */
	enum amp_dt_mbox_type type; /**< which driver */
	uint32_t channels;          /**< channels 0..channels-1 exist */
	uint32_t cells;             /**< `#mbox-cells` (1) */
	int32_t region;             /**< doorbell: index of its `memory-region`, else -1 */
	enum amp_dt_wait wait;      /**< doorbell: receive wait mode */
	uint32_t side;              /**< doorbell: `amplink,side`, 0 or 1 (the peer uses the other) */
	enum amp_dt_ipm_mode ipm_mode; /**< doorbell: IPM id mapping */
	uint32_t ipm_tx_channel;    /**< doorbell, id-in-data: first of `amplink,tx-channels` */
	uint32_t mtu;               /**< doorbell: bytes per message (`amplink,mtu`, 0 = signal only) */
	uint32_t tx_mask;           /**< channels this core sends on (`amplink,tx-channels` + IPC tx refs) */
	uint32_t rx_mask;           /**< channels this core receives on (`amplink,rx-channels` + IPC rx refs) */
	uint64_t reg_addr;          /**< MHU: register base (`reg`) */
	uint32_t irq;               /**< MHU: first `interrupts` cell */
};

/** One `mboxes` entry resolved by name ("tx" / "rx"). */
struct amp_dt_mbox_ref {
	uint32_t mbox;    /**< index into amp_dt_system::mboxes */
	uint32_t channel; /**< channel number on that controller */
};

/** An IPC instance. */
struct amp_dt_ipc {
	const char *name;          /**< full node name */
	const char *label;         /**< first label, or NULL */
	enum amp_dt_ipc_type type; /**< which transport */
	int32_t tx_region;         /**< ICMsg: index of `tx-region`; RPMsg: -1 */
	int32_t rx_region;         /**< ICMsg: index of `rx-region`; RPMsg: -1 */
	int32_t memory_region;     /**< RPMsg: index of `memory-region`; ICMsg: -1 */
	struct amp_dt_mbox_ref tx; /**< the `mboxes` entry named "tx" */
	struct amp_dt_mbox_ref rx; /**< the `mboxes` entry named "rx" */
	uint32_t dcache_alignment; /**< ICMsg `dcache-alignment` (0 if absent) */
	enum amp_dt_unbound unbound; /**< ICMsg `unbound` */
	enum amp_dt_role role;     /**< RPMsg `role` */
	uint32_t buffer_size;      /**< RPMsg `zephyr,buffer-size` (512 if absent) */
};

/** Everything one core's devicetree says about IPC. */
struct amp_dt_system {
	const char *model;     /**< root `model`, or NULL */
	uint32_t num_regions;  /**< entries used in @ref regions */
	uint32_t num_mboxes;   /**< entries used in @ref mboxes */
	uint32_t num_ipc;      /**< entries used in @ref ipc */
	struct amp_dt_region regions[AMP_DT_MAX_REGIONS];
	struct amp_dt_mbox mboxes[AMP_DT_MAX_MBOXES];
	struct amp_dt_ipc ipc[AMP_DT_MAX_IPC];
};

/** Why a devicetree was refused: the node, the property and what is wrong. */
struct amp_dt_error {
	char node[128];    /**< full path of the node at fault ("/" for the root) */
	char property[48]; /**< the property at fault ("" when the node as a whole is) */
	char message[160]; /**< what is wrong, in words */
};

/**
 * @brief Validate a flattened devicetree and describe its IPC system.
 *
 * Only nodes with status "okay" (or no status) are considered. Regions are
 * every child of `/reserved-memory` that has `reg`.
 *
 * @param fdt  the blob (dtc output, version 17), 8-byte aligned; must outlive
 *             @p sys (strings point into it)
 * @param len  bytes available at @p fdt
 * @param[out] sys  the description (fully rewritten)
 * @param[out] err  on failure: node, property and reason; may be NULL
 * @retval 0           valid; @p sys filled in
 * @retval AMP_EINVAL  NULL argument, or the devicetree is wrong (see @p err)
 * @retval AMP_EBADMSG not a valid flattened devicetree blob
 * @retval AMP_ENOMEM  more regions, mailboxes or instances than AMP_DT_MAX_*
 * Context: thread. Concurrency: reentrant (no shared state).
 * Lifetime: @p sys refers into @p fdt.
 */
int amp_dt_load(const void *fdt, size_t len, struct amp_dt_system *sys,
		struct amp_dt_error *err);

/**
 * @brief Format an error as one line: `node '<path>': property '<p>': <message>`.
 *
 * @param err  the error filled in by amp_dt_load()
 * @param buf  destination; always NUL-terminated when @p size > 0
 * @param size bytes at @p buf
 * @return @p buf
 * Context: any. Concurrency: reentrant. Lifetime: returns @p buf.
 */
char *amp_dt_error_format(const struct amp_dt_error *err, char *buf, size_t size);

/**
 * @brief Find a region by node name ("shared_ram@20040000"), node name without
 * unit address ("shared_ram") or label.
 * @param sys   a description from amp_dt_load()
 * @param name  what to look for
 * @return its index (>= 0)
 * @retval AMP_ENOENT no region has that name or label (or an argument is NULL)
 * Context: any. Concurrency: reentrant. Lifetime: the index is valid as long as @p sys.
 */
int amp_dt_find_region(const struct amp_dt_system *sys, const char *name);

/**
 * @brief Find an IPC instance by node name or label.
 * @param sys   a description from amp_dt_load()
 * @param name  what to look for
 * @return its index (>= 0)
 * @retval AMP_ENOENT no instance has that name or label (or an argument is NULL)
 * Context: any. Concurrency: reentrant. Lifetime: the index is valid as long as @p sys.
 */
int amp_dt_find_ipc(const struct amp_dt_system *sys, const char *name);

/**
 * @brief Read a `.dtb` file and describe it (Linux only).
 *
 * @param path     file to read
 * @param buf      caller storage the blob is read into, from its first 8-byte
 *                 boundary (the description points into it)
 * @param buf_size bytes at @p buf
 * @param[out] sys the description
 * @param[out] err on failure the reason (node "" and property "" for file errors); may be NULL
 * @retval 0 loaded  @retval AMP_ENOENT cannot open the file
 * @retval AMP_ENOMEM file larger than @p buf_size  @retval AMP_EIO read failure
 * @retval AMP_EINVAL / AMP_EBADMSG as amp_dt_load()
 * Context: thread. Concurrency: reentrant. Lifetime: @p sys refers into @p buf.
 */
int amp_dt_load_file(const char *path, void *buf, size_t buf_size, struct amp_dt_system *sys,
		     struct amp_dt_error *err);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_DEVICETREE_H */
