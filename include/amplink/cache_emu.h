/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/cache_emu.h
 * @brief Non-coherent data-cache emulator of the posix port (test control API).
 *
 * Processes on one host share memory coherently, so a forgotten or misordered
 * amp_port_dcache_clean()/amp_port_dcache_invalidate() goes unnoticed there.
 * With the emulator on, every region opened with `cacheable = true` is given
 * to its opener as a private copy (its "cache"): stores stay in that copy until
 * amp_port_dcache_clean() writes the covered lines back to the shared file,
 * and loads see the shared file only after amp_port_dcache_invalidate()
 * refreshed the covered lines, which also discards local changes to them, as
 * hardware does. Regions with `cacheable = false` (doorbell words, locks) stay
 * direct. Each amp_shm_open() of a cacheable region gets its own copy, so two
 * opens of one region in one process behave as two cores.
 *
 * The emulated cache is the worst case a real one may legally be: a line is
 * "fetched" when the region is opened or invalidated and then stays, however
 * stale, until it is invalidated again; a line is written back only by a clean
 * of it (or, in eviction mode, at any maintenance call of the process). A
 * write-back always writes the whole line, including bytes this side never
 * stored, exactly like hardware.
 *
 * Stores are not trapped: a line counts as changed ("dirty") where the copy
 * differs from what was fetched. A store of the value already there is thus
 * invisible, so a clean also writes back a covered line whose copy differs
 * from memory although it is not dirty (counted as `lines_restored`): code
 * cleans what it has just written. Spontaneous evictions write back only
 * dirty lines.
 *
 * Hazards are maintenance sequences that lose data on real hardware:
 *  - discard: an invalidate dropped a line this side had changed and not cleaned;
 *  - clobber: a write-back overwrote bytes that another side had changed in
 *    the shared copy since this side fetched the line (two writers on one line).
 * They are counted and logged (first few, with the caller address); the
 * data loss itself is carried out, so the transport's own checks fail too.
 *
 * Activation: amp_cache_emu_enable() before the regions are opened, or the
 * environment, read at the first open of a cacheable region (or the first
 * amp_cache_emu_active()) when the API was not used before:
 *  - `AMPLINK_CACHE_EMU`        non-empty and not "0": on;
 *  - `AMPLINK_CACHE_EMU_LINE`   line size in bytes (default 32);
 *  - `AMPLINK_CACHE_EMU_EVICT`  spontaneous evictions per 1000 maintenance calls (default 0);
 *  - `AMPLINK_CACHE_EMU_SEED`   seed of the eviction generator (default 1).
 * The state is per process and inherited by fork().
 */
#ifndef AMPLINK_CACHE_EMU_H
#define AMPLINK_CACHE_EMU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Default emulated line size (Cortex-M7 and many Cortex-A cores use 32 bytes). */
#define AMP_CACHE_EMU_LINE_DEFAULT 32u
/** Largest number of regions emulated at once in one process. */
#define AMP_CACHE_EMU_MAX_REGIONS 32

/** Maintenance operation, for the fault-injection filter. */
enum amp_cache_emu_op {
	AMP_CACHE_EMU_CLEAN = 0,      /**< amp_port_dcache_clean() */
	AMP_CACHE_EMU_INVALIDATE = 1, /**< amp_port_dcache_invalidate() */
};

/**
 * Fault-injection filter: called for every maintenance call on an emulated
 * region; returning false drops the call (as if the code had forgotten it).
 * Runs in the caller's context with the emulator's lock NOT held.
 */
typedef bool (*amp_cache_emu_filter_fn)(enum amp_cache_emu_op op, const volatile void *addr,
					size_t len, void *user);

/** Kind of hazard, for the hazard hook. */
enum amp_cache_emu_hazard {
	AMP_CACHE_EMU_DISCARD = 0, /**< an invalidate dropped this core's unwritten changes */
	AMP_CACHE_EMU_CLOBBER = 1, /**< a write-back overwrote another core's newer bytes */
};

/**
 * Hazard hook: called for every hazard (also when logging is quiet) with the
 * region name, the affected byte range [first, last] as offsets in the region,
 * and the address of the code that made the maintenance call. Runs with the
 * emulator's lock held: it must not call amp_port_dcache_*() or this API.
 */
typedef void (*amp_cache_emu_hazard_fn)(enum amp_cache_emu_hazard kind, const char *region,
					size_t first, size_t last, const void *caller, void *user);

/** Emulator settings. */
struct amp_cache_emu_cfg {
	/** Line size in bytes: power of two, 4..4096; 0 = AMP_CACHE_EMU_LINE_DEFAULT. */
	uint32_t line_size;
	/** Spontaneous evictions: per 1000 maintenance calls, how many also write
	 *  back (if dirty) or re-fetch (if clean) one random line of a random
	 *  emulated region; 0..1000, 0 = never. */
	uint32_t evict_permille;
	/** Seed of the eviction generator (0 is taken as 1). */
	uint64_t seed;
	/** Do not log hazards (they are still counted). */
	bool quiet;
};

/** Counters of the calling process (since enable or the last reset). */
struct amp_cache_emu_stats {
	uint64_t clean_calls;        /**< amp_port_dcache_clean() calls on emulated regions */
	uint64_t invalidate_calls;   /**< amp_port_dcache_invalidate() calls on emulated regions */
	uint64_t outside_calls;      /**< maintenance calls on memory no emulated region covers */
	uint64_t dropped_calls;      /**< calls the filter dropped */
	uint64_t lines_written_back; /**< lines written to the shared copy (clean or eviction) */
	/** of those, lines a clean wrote back although this core's copy still
	 *  held what it had fetched: memory had changed, and the core is taken
	 *  to have stored the same values again (see the model above) */
	uint64_t lines_restored;
	uint64_t lines_fetched;      /**< lines re-read from the shared copy (invalidate or eviction) */
	uint64_t evictions;          /**< spontaneous evictions carried out */
	uint64_t discards;           /**< hazard: dirty lines dropped by an invalidate */
	uint64_t clobbers;           /**< hazard: write-backs that overwrote another side's bytes */
	uint64_t hazards;            /**< discards + clobbers */
	uint32_t regions;            /**< regions emulated right now */
};

/**
 * @brief Turn the emulator on for regions opened from now on.
 *
 * @param cfg settings, or NULL for the defaults
 * @retval 0          on; counters reset
 * @retval AMP_EINVAL bad line size or eviction rate
 * @retval AMP_EBUSY  regions are emulated right now (close them first)
 *
 * Context: thread. Concurrency: not concurrently with amp_shm_open()/close().
 * Lifetime: until amp_cache_emu_disable(); overrides the environment.
 */
int amp_cache_emu_enable(const struct amp_cache_emu_cfg *cfg);

/**
 * @brief Turn the emulator off (maintenance calls become no-ops again).
 * @retval 0         off
 * @retval AMP_EBUSY regions are emulated right now (close them first)
 * Context: thread. Concurrency: as amp_cache_emu_enable(). Lifetime: overrides the environment.
 */
int amp_cache_emu_disable(void);

/**
 * @brief True when the emulator is on (after amp_cache_emu_enable(), or when
 * the environment turns it on: the first call, or the first open of a
 * cacheable region, reads it unless the API was used before).
 * Context: any. Concurrency: reentrant. Lifetime: none.
 */
bool amp_cache_emu_active(void);

/**
 * @brief The emulated line size (bytes), also when off.
 * Context: any. Concurrency: reentrant. Lifetime: none.
 */
uint32_t amp_cache_emu_line_size(void);

/**
 * @brief Copy the counters of this process.
 * @param out receives the counters
 * @retval 0          copied
 * @retval AMP_EINVAL @p out is NULL
 * Context: thread or doorbell callback. Concurrency: any thread. Lifetime: none.
 */
int amp_cache_emu_get_stats(struct amp_cache_emu_stats *out);

/**
 * @brief Zero the counters (the regions and their lines are untouched).
 * Context: thread. Concurrency: any thread. Lifetime: none.
 */
void amp_cache_emu_reset_stats(void);

/**
 * @brief Install (or with NULL remove) the fault-injection filter.
 * @param fn   filter, or NULL
 * @param user passed to @p fn
 * Context: thread. Concurrency: any thread; a call in flight may still see the
 * previous filter. Lifetime: @p user must stay valid while installed.
 */
void amp_cache_emu_set_filter(amp_cache_emu_filter_fn fn, void *user);

/**
 * @brief Install (or with NULL remove) the hazard hook.
 * @param fn   hook, or NULL
 * @param user passed to @p fn
 * Context: thread. Concurrency: any thread. Lifetime: @p user must stay valid
 * while installed.
 */
void amp_cache_emu_set_hazard_hook(amp_cache_emu_hazard_fn fn, void *user);

/**
 * @brief Number of lines in [addr, addr+len) this side changed and has not
 * written back yet (test helper).
 * @param addr start of the range (inside an emulated region)
 * @param len  length in bytes (clamped to the region)
 * @return dirty lines (>= 0)
 * @retval AMP_ENOENT the range does not start in an emulated region
 * Context: thread. Concurrency: any thread. Lifetime: none.
 */
int amp_cache_emu_dirty_lines(const volatile void *addr, size_t len);

/**
 * @brief The shared ("memory") byte behind an address of an emulated region,
 * as the other cores would fetch it now (test helper; no line is touched).
 * @param addr address inside an emulated region (the value handed out as `base`)
 * @param out  receives the byte
 * @retval 0          read
 * @retval AMP_EINVAL @p out is NULL
 * @retval AMP_ENOENT @p addr is not inside an emulated region
 * Context: thread. Concurrency: any thread. Lifetime: none.
 */
int amp_cache_emu_peek_memory(const volatile void *addr, uint8_t *out);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_CACHE_EMU_H */
