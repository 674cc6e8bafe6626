/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file zephyr/cache.h
 * @brief Data-cache maintenance (amplink compatibility layer).
 *
 * Mapped onto the port's clean/invalidate, which widen to whole cache lines
 * and are no-ops on coherent hosts and cache-less cores (so they always
 * return 0). The rule of shared memory: the writer flushes after writing,
 * the reader invalidates before reading.
 */
#ifndef AMP_ZEPHYR_CACHE_H
#define AMP_ZEPHYR_CACHE_H

#include <amplink/port.h>

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Write back (clean) [addr, addr+size) to memory; returns 0. Context: any. */
static inline int sys_cache_data_flush_range(void *addr, size_t size)
{
	amp_port_mb();
	amp_port_dcache_clean(addr, size);
	return 0;
}

/** @brief Discard cached copies of [addr, addr+size); returns 0. Context: any. */
static inline int sys_cache_data_invd_range(void *addr, size_t size)
{
	amp_port_dcache_invalidate(addr, size);
	amp_port_mb();
	return 0;
}

/** @brief Write back, then discard, [addr, addr+size); returns 0. Context: any. */
static inline int sys_cache_data_flush_and_invd_range(void *addr, size_t size)
{
	amp_port_mb();
	amp_port_dcache_clean(addr, size);
	amp_port_dcache_invalidate(addr, size);
	return 0;
}

#ifdef __cplusplus
}
#endif
#endif /* AMP_ZEPHYR_CACHE_H */
