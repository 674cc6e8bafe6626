/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Hooks of the non-coherent cache emulator (cache_emu.c) for the rest of the
 * posix port: port.c forwards cache maintenance, shm.c hands out the private
 * copy of a cacheable region. Not a public interface.
 */
#ifndef AMP_POSIX_CACHE_EMU_INTERNAL_H
#define AMP_POSIX_CACHE_EMU_INTERNAL_H

#include <amplink/shm.h>

#include <stdbool.h>
#include <stddef.h>

/* Non-zero while the emulator is on: the one load of the maintenance fast path
 * (amp_port_dcache_gate of <amplink/port.h>, which only the emulator sets). */
extern int amp_port_dcache_gate;

static inline bool amp_cemu_is_on(void)
{
	return __builtin_expect(__atomic_load_n(&amp_port_dcache_gate, __ATOMIC_RELAXED) != 0, 0);
}

/* The slow paths of amp_port_dcache_clean()/invalidate(); @p caller is the
 * return address of the port function (named in hazard logs). */
void amp_cemu_clean(const volatile void *addr, size_t len, const void *caller);
void amp_cemu_invalidate(const volatile void *addr, size_t len, const void *caller);

/* True if a region with this configuration is to be emulated (reads the
 * environment the first time, unless the API decided). */
bool amp_cemu_wants(const struct amp_shm_cfg *cfg);

/*
 * Start emulating a region whose shared mapping is @p shared: maps the private
 * copy (at cfg->addr when non-zero, else anywhere), fills it from the shared
 * copy and returns it in *view. Takes over @p shared (it may move it): on
 * failure it is unmapped and nothing is kept. Errors: AMP_EADDRINUSE,
 * AMP_EINVAL, AMP_ENOMEM (table full or no address space).
 */
int amp_cemu_attach(const struct amp_shm_cfg *cfg, void *shared, void **view);

/* Stop emulating the region whose private copy is @p view: unmaps the copy
 * and the shared mapping. False if @p view is not emulated (nothing done). */
bool amp_cemu_detach(void *view, size_t size);

#endif /* AMP_POSIX_CACHE_EMU_INTERNAL_H */
