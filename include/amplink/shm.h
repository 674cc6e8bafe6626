/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/shm.h
 * @brief Named shared-memory regions.
 *
 * A region is a range of memory both cores see. On bare metal it is simply
 * the address and size from the devicetree/linker script. On Linux it is a
 * file (by default in /dev/shm; the directory comes from the configuration,
 * else the `AMPLINK_SHM_DIR` environment variable, else /dev/shm) mapped
 * MAP_SHARED. When the configuration gives an address the region is mapped
 * exactly there (MAP_FIXED_NOREPLACE), so pointers into it and peer-visible
 * addresses written into shared structures agree in every process.
 *
 * Open is create-or-open: the first process creates the file zero-filled at
 * the requested size, later ones map the existing file, so the two "cores"
 * may start in any order. The file is built invisibly and published under its
 * name in one step, so no process ever sees a half-created region and nothing
 * is left behind on failure. Region files get mode 0660 (narrowed by umask):
 * peers run as the same user or group. An existing name is never followed as
 * a symlink and must be a regular file of exactly the requested size.
 */
#ifndef AMPLINK_SHM_H
#define AMPLINK_SHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Longest region name, without the terminating NUL. */
#define AMP_SHM_NAME_MAX 63

/** Immutable description of a region (may live in flash). */
struct amp_shm_cfg {
	/** Region name: 1..AMP_SHM_NAME_MAX characters of [A-Za-z0-9._-], not
	 *  starting with '.'. On Linux it is the file name. */
	const char *name;
	/** Size in bytes; > 0. */
	size_t size;
	/** Address where the region must appear (its devicetree `reg` address),
	 *  or 0 for "anywhere". On bare metal this is required. */
	uintptr_t addr;
	/** True if the region is mapped cacheable on some core, so cache
	 *  maintenance is needed (informational on coherent hosts). */
	bool cacheable;
	/** Linux: directory holding region files; NULL = $AMPLINK_SHM_DIR or /dev/shm. */
	const char *dir;
};

/** A mapped region (caller-owned state). */
struct amp_shm {
	const struct amp_shm_cfg *cfg; /**< the description it was opened with */
	void *base;                    /**< where this process/core sees it */
	size_t size;                   /**< its size in bytes */
	uintptr_t phys;                /**< peer-visible address (cfg->addr, or base if 0) */
	bool created;                  /**< true if this open created it (zero-filled) */
	int fd;                        /**< Linux: backing file descriptor; -1 elsewhere */
};

/**
 * @brief Map a region, creating it zero-filled if it does not exist yet.
 *
 * @param[out] shm  state to fill in
 * @param[in]  cfg  description; must outlive @p shm
 * @retval 0              mapped; `shm->base` valid until amp_shm_close()
 * @retval AMP_EINVAL     NULL argument, invalid name, size 0, or address not
 *                        page aligned (Linux), or address range wrapping,
 *                        or below the lowest mappable address; path too long
 * @retval AMP_EEXIST     the region exists with a different size, or something
 *                        other than a regular file (symlink, FIFO) has its name
 * @retval AMP_EADDRINUSE the requested address range is already mapped here
 * @retval AMP_EACCES     no permission to create or open the backing file
 * @retval AMP_ENOSPC     not enough space to create the region (the space is
 *                        reserved at open, so a full file system fails here and
 *                        never later with SIGBUS); also a file-size limit
 * @retval AMP_ENOENT     the directory does not exist
 * @retval AMP_ENOMEM     no address space left for the mapping
 * @retval AMP_EIO        any other failure of the environment, or the region
 *                        was removed and re-created under us too many times
 *
 * Context: thread only. Concurrency: any number of processes may open the same
 * region at once; exactly one of them sees `created == true`.
 * Lifetime: the mapping lasts until amp_shm_close().
 */
int amp_shm_open(struct amp_shm *shm, const struct amp_shm_cfg *cfg);

/**
 * @brief Unmap a region (the backing file stays for the peer).
 * @retval 0 unmapped  @retval AMP_EINVAL NULL or not open
 * Context: thread only.
 */
int amp_shm_close(struct amp_shm *shm);

/**
 * @brief Delete the backing file of a region (Linux; a no-op returning 0 on bare metal).
 *
 * Processes that still map it keep their mapping. Use it in tests and tools to
 * start from zeroed memory.
 * @retval 0 removed or absent  @retval AMP_EINVAL bad name or path too long
 * @retval AMP_EACCES no permission  @retval AMP_ENOENT a path component is not a directory
 * @retval AMP_EIO any other failure
 * Context: thread only. Lifetime: a later amp_shm_open() creates a fresh,
 * zero-filled region under the same name.
 */
int amp_shm_remove(const struct amp_shm_cfg *cfg);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_SHM_H */
