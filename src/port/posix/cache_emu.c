/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Non-coherent data-cache emulator (see amplink/cache_emu.h for the model).
 *
 * Each emulated region has three copies of its bytes:
 *   mem   the shared mapping of the region file: "main memory", what every
 *         other core fetches;
 *   view  an anonymous private mapping handed out as the region's base: this
 *         core's "cache", where all its loads and stores go;
 *   snap  what this core last fetched from or wrote back to mem, per byte.
 * A line is dirty when view differs from snap anywhere in it. That misses a
 * store of the value already there; so that the peer still sees such a store,
 * a clean also writes back a covered line that differs from mem (see
 * amp_cemu_restore()). The clobber diagnosis cannot tell such a store from
 * no store and reports both.
 *
 * Every copy between the three goes word by word with single 32-bit accesses,
 * so an aligned index word moves in one piece as it does on a real bus, and a
 * concurrent store by another thread of this process is never torn.
 *
 * Threads of one process are the threads of one core: they share the view.
 * The emulator's own state is under one mutex; the application's stores to
 * the view are not, which is why a spontaneous re-fetch (unlike an explicit
 * invalidate, which really discards) uses compare-and-swap per word and never
 * loses a store that raced with it.
 */
#define _GNU_SOURCE
#include "cache_emu_internal.h"

#include <amplink/cache_emu.h>
#include <amplink/errno.h>
#include <amplink/port.h>

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* Hazards logged per process before going quiet (all are counted). */
#define AMP_CEMU_LOG_MAX 8u

struct amp_cemu_region {
	uint8_t *view;
	uint8_t *snap;
	uint8_t *mem;
	size_t size;
	char name[AMP_SHM_NAME_MAX + 1];
};

int amp_port_dcache_gate;

static pthread_mutex_t amp_cemu_lock = PTHREAD_MUTEX_INITIALIZER;
static struct amp_cemu_region amp_cemu_tab[AMP_CACHE_EMU_MAX_REGIONS];
static unsigned amp_cemu_nregions;
static uint32_t amp_cemu_line = AMP_CACHE_EMU_LINE_DEFAULT;
static uint32_t amp_cemu_evict;
static uint64_t amp_cemu_rng = 1;
static bool amp_cemu_quiet;
static bool amp_cemu_api_decided;
static unsigned amp_cemu_logged;
static struct amp_cache_emu_stats amp_cemu_stats;
static amp_cache_emu_filter_fn amp_cemu_filter;
static void *amp_cemu_filter_user;
static amp_cache_emu_hazard_fn amp_cemu_hook;
static void *amp_cemu_hook_user;
static pthread_once_t amp_cemu_env_once = PTHREAD_ONCE_INIT;

/* ---- configuration ---------------------------------------------------- */

static bool amp_cemu_line_ok(uint32_t l)
{
	return l >= 4u && l <= 4096u && (l & (l - 1u)) == 0u;
}

static uint64_t amp_cemu_env_num(const char *name, uint64_t dflt)
{
	const char *s = getenv(name);
	if (s == NULL || s[0] == '\0') {
		return dflt;
	}
	char *end;
	unsigned long long v = strtoull(s, &end, 0);
	if (*end != '\0') {
		amp_port_log(AMP_LOG_ERR, "cache-emu: %s=%s is not a number, using %llu", name, s,
			     (unsigned long long)dflt);
		return dflt;
	}
	return (uint64_t)v;
}

static void amp_cemu_env_read(void)
{
	pthread_mutex_lock(&amp_cemu_lock);
	if (!amp_cemu_api_decided) {
		const char *on = getenv("AMPLINK_CACHE_EMU");
		if (on != NULL && on[0] != '\0' && strcmp(on, "0") != 0) {
			uint64_t line = amp_cemu_env_num("AMPLINK_CACHE_EMU_LINE",
							 AMP_CACHE_EMU_LINE_DEFAULT);
			uint64_t ev = amp_cemu_env_num("AMPLINK_CACHE_EMU_EVICT", 0);
			uint64_t seed = amp_cemu_env_num("AMPLINK_CACHE_EMU_SEED", 1);
			if (line > 4096u || !amp_cemu_line_ok((uint32_t)line)) {
				amp_port_log(AMP_LOG_ERR, "cache-emu: bad line size %llu, using %u",
					     (unsigned long long)line, AMP_CACHE_EMU_LINE_DEFAULT);
				line = AMP_CACHE_EMU_LINE_DEFAULT;
			}
			amp_cemu_line = (uint32_t)line;
			amp_cemu_evict = ev > 1000u ? 1000u : (uint32_t)ev;
			amp_cemu_rng = seed != 0 ? seed : 1u;
			__atomic_store_n(&amp_port_dcache_gate, 1, __ATOMIC_RELEASE);
			amp_port_log(AMP_LOG_INF, "cache-emu: on (line %u B, eviction %u/1000)",
				     amp_cemu_line, amp_cemu_evict);
		}
	}
	pthread_mutex_unlock(&amp_cemu_lock);
}

int amp_cache_emu_enable(const struct amp_cache_emu_cfg *cfg)
{
	struct amp_cache_emu_cfg c = { 0 };
	if (cfg != NULL) {
		c = *cfg;
	}
	if (c.line_size == 0u) {
		c.line_size = AMP_CACHE_EMU_LINE_DEFAULT;
	}
	if (!amp_cemu_line_ok(c.line_size) || c.evict_permille > 1000u) {
		return AMP_EINVAL;
	}
	pthread_mutex_lock(&amp_cemu_lock);
	if (amp_cemu_nregions != 0u) {
		pthread_mutex_unlock(&amp_cemu_lock);
		return AMP_EBUSY;
	}
	amp_cemu_api_decided = true;
	amp_cemu_line = c.line_size;
	amp_cemu_evict = c.evict_permille;
	amp_cemu_rng = c.seed != 0u ? c.seed : 1u;
	amp_cemu_quiet = c.quiet;
	amp_cemu_logged = 0;
	memset(&amp_cemu_stats, 0, sizeof(amp_cemu_stats));
	__atomic_store_n(&amp_port_dcache_gate, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&amp_cemu_lock);
	return 0;
}

int amp_cache_emu_disable(void)
{
	pthread_mutex_lock(&amp_cemu_lock);
	if (amp_cemu_nregions != 0u) {
		pthread_mutex_unlock(&amp_cemu_lock);
		return AMP_EBUSY;
	}
	amp_cemu_api_decided = true;
	__atomic_store_n(&amp_port_dcache_gate, 0, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&amp_cemu_lock);
	return 0;
}

bool amp_cache_emu_active(void)
{
	(void)pthread_once(&amp_cemu_env_once, amp_cemu_env_read);
	return __atomic_load_n(&amp_port_dcache_gate, __ATOMIC_ACQUIRE) != 0;
}

uint32_t amp_cache_emu_line_size(void)
{
	return __atomic_load_n(&amp_cemu_line, __ATOMIC_RELAXED);
}

void amp_cache_emu_set_hazard_hook(amp_cache_emu_hazard_fn fn, void *user)
{
	pthread_mutex_lock(&amp_cemu_lock);
	amp_cemu_hook = fn;
	amp_cemu_hook_user = user;
	pthread_mutex_unlock(&amp_cemu_lock);
}

int amp_cache_emu_get_stats(struct amp_cache_emu_stats *out)
{
	if (out == NULL) {
		return AMP_EINVAL;
	}
	pthread_mutex_lock(&amp_cemu_lock);
	*out = amp_cemu_stats;
	out->hazards = out->discards + out->clobbers;
	out->regions = amp_cemu_nregions;
	pthread_mutex_unlock(&amp_cemu_lock);
	return 0;
}

void amp_cache_emu_reset_stats(void)
{
	pthread_mutex_lock(&amp_cemu_lock);
	memset(&amp_cemu_stats, 0, sizeof(amp_cemu_stats));
	amp_cemu_logged = 0;
	pthread_mutex_unlock(&amp_cemu_lock);
}

void amp_cache_emu_set_filter(amp_cache_emu_filter_fn fn, void *user)
{
	pthread_mutex_lock(&amp_cemu_lock);
	amp_cemu_filter_user = user;
	__atomic_store_n(&amp_cemu_filter, fn, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&amp_cemu_lock);
}

/* ---- the three copies ------------------------------------------------- */

/* Width of the next access at @p o before @p end: a word where one fits. */
static unsigned amp_cemu_w(size_t o, size_t end)
{
	return ((o & 3u) == 0u && end - o >= 4u) ? 4u : 1u;
}

static uint32_t amp_cemu_ld(const uint8_t *b, size_t o, unsigned w)
{
	if (w == 4u) {
		return __atomic_load_n((const uint32_t *)(const void *)(b + o), __ATOMIC_RELAXED);
	}
	return __atomic_load_n(b + o, __ATOMIC_RELAXED);
}

static void amp_cemu_st(uint8_t *b, size_t o, unsigned w, uint32_t v)
{
	if (w == 4u) {
		__atomic_store_n((uint32_t *)(void *)(b + o), v, __ATOMIC_RELAXED);
	} else {
		__atomic_store_n(b + o, (uint8_t)v, __ATOMIC_RELAXED);
	}
}

static bool amp_cemu_cas(uint8_t *b, size_t o, unsigned w, uint32_t expect, uint32_t v)
{
	if (w == 4u) {
		return __atomic_compare_exchange_n((uint32_t *)(void *)(b + o), &expect, v, false,
						   __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	}
	uint8_t e = (uint8_t)expect;
	return __atomic_compare_exchange_n(b + o, &e, (uint8_t)v, false, __ATOMIC_RELAXED,
					   __ATOMIC_RELAXED);
}

/* Bytes of a word that differ: 0xff in each byte lane where @p x is non-zero. */
static uint32_t amp_cemu_lanes(uint32_t x)
{
	uint32_t m = 0;
	for (unsigned k = 0; k < 4u; k++) {
		if (((x >> (8u * k)) & 0xffu) != 0u) {
			m |= 0xffu << (8u * k);
		}
	}
	return m;
}

static size_t amp_cemu_line_end(const struct amp_cemu_region *r, size_t line)
{
	size_t end = line + amp_cemu_line;
	return end < r->size ? end : r->size;
}

static bool amp_cemu_dirty(const struct amp_cemu_region *r, size_t line)
{
	const size_t end = amp_cemu_line_end(r, line);
	for (size_t o = line; o < end;) {
		unsigned w = amp_cemu_w(o, end);
		if (amp_cemu_ld(r->view, o, w) != amp_cemu_ld(r->snap, o, w)) {
			return true;
		}
		o += w;
	}
	return false;
}

static void amp_cemu_hazard(const struct amp_cemu_region *r, size_t line,
			    enum amp_cache_emu_hazard kind, size_t first, size_t last,
			    const void *caller)
{
	static const char *const what[] = {
		[AMP_CACHE_EMU_DISCARD] = "invalidate discarded this core's unwritten changes",
		[AMP_CACHE_EMU_CLOBBER] = "write-back overwrote another core's newer bytes (two "
					  "writers on one line)",
	};
	if (amp_cemu_hook != NULL) {
		amp_cemu_hook(kind, r->name, first, last, caller, amp_cemu_hook_user);
	}
	if (amp_cemu_quiet || amp_cemu_logged >= AMP_CEMU_LOG_MAX) {
		return;
	}
	amp_cemu_logged++;
	Dl_info info;
	const char *obj = "?";
	uintptr_t rel = (uintptr_t)caller;
	if (caller != NULL && dladdr(caller, &info) != 0 && info.dli_fname != NULL) {
		obj = info.dli_fname;
		rel = (uintptr_t)caller - (uintptr_t)info.dli_fbase;
	}
	amp_port_log(AMP_LOG_WRN,
		     "cache-emu hazard: %s, region %s offset 0x%zx..0x%zx (line 0x%zx, %u B), "
		     "call from %s+0x%jx",
		     what[kind], r->name, first, last, line, amp_cemu_line, obj, (uintmax_t)rel);
}

/* Write a dirty line back to mem (the whole line, as hardware does). */
static void amp_cemu_writeback(struct amp_cemu_region *r, size_t line, const void *caller)
{
	const size_t end = amp_cemu_line_end(r, line);
	bool clobber = false;
	size_t first = 0, last = 0;
	for (size_t o = line; o < end;) {
		unsigned w = amp_cemu_w(o, end);
		uint32_t v = amp_cemu_ld(r->view, o, w);
		uint32_t s = amp_cemu_ld(r->snap, o, w);
		uint32_t m = amp_cemu_ld(r->mem, o, w);
		/* Someone else changed bytes we did not: our stale copy of them wins. */
		uint32_t lost = (m ^ s) & ~amp_cemu_lanes(v ^ s);
		if (lost != 0u) {
			for (unsigned k = 0; k < w; k++) {
				if (((lost >> (8u * k)) & 0xffu) != 0u) {
					last = o + k;
					first = clobber ? first : o + k;
					clobber = true;
				}
			}
		}
		amp_cemu_st(r->mem, o, w, v);
		amp_cemu_st(r->snap, o, w, v);
		o += w;
	}
	amp_cemu_stats.lines_written_back++;
	if (clobber) {
		amp_cemu_stats.clobbers++;
		amp_cemu_hazard(r, line, AMP_CACHE_EMU_CLOBBER, first, last, caller);
	}
}

/*
 * A clean of a line that holds exactly what this core fetched or last wrote
 * back, while memory has changed since: either the core stored the same
 * values again (a real cache marks the line dirty and writes it back), or it
 * stored nothing there (a real cache writes nothing). Values cannot tell the
 * two apart; code cleans what it has just written, so the line is written
 * back (and checked for clobbers like any write-back).
 */
static bool amp_cemu_differs_from_mem(const struct amp_cemu_region *r, size_t line)
{
	const size_t end = amp_cemu_line_end(r, line);
	for (size_t o = line; o < end;) {
		unsigned w = amp_cemu_w(o, end);
		if (amp_cemu_ld(r->view, o, w) != amp_cemu_ld(r->mem, o, w)) {
			return true;
		}
		o += w;
	}
	return false;
}

static void amp_cemu_restore(struct amp_cemu_region *r, size_t line, const void *caller)
{
	amp_cemu_stats.lines_restored++;
	/* The same write-back as for a dirty line, and the same check: bytes
	 * the other core changed since our fetch get our older values. */
	amp_cemu_writeback(r, line, caller);
}

/* Re-read a line from mem. @p discard: an explicit invalidate (local changes
 * are dropped); else a spontaneous eviction of a clean line (a racing local
 * store is kept). */
static void amp_cemu_fetch(struct amp_cemu_region *r, size_t line, bool discard)
{
	const size_t end = amp_cemu_line_end(r, line);
	for (size_t o = line; o < end;) {
		unsigned w = amp_cemu_w(o, end);
		uint32_t m = amp_cemu_ld(r->mem, o, w);
		if (discard) {
			amp_cemu_st(r->view, o, w, m);
			amp_cemu_st(r->snap, o, w, m);
		} else {
			uint32_t s = amp_cemu_ld(r->snap, o, w);
			if (amp_cemu_cas(r->view, o, w, s, m)) {
				amp_cemu_st(r->snap, o, w, m);
			}
		}
		o += w;
	}
	amp_cemu_stats.lines_fetched++;
}

static uint64_t amp_cemu_rand(void)
{
	uint64_t x = amp_cemu_rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	amp_cemu_rng = x;
	return x;
}

/* Maybe evict one random line of one random region (lock held). */
static void amp_cemu_maybe_evict(const void *caller)
{
	if (amp_cemu_evict == 0u || amp_cemu_nregions == 0u ||
	    amp_cemu_rand() % 1000u >= amp_cemu_evict) {
		return;
	}
	unsigned pick = (unsigned)(amp_cemu_rand() % amp_cemu_nregions);
	for (unsigned i = 0; i < AMP_CACHE_EMU_MAX_REGIONS; i++) {
		struct amp_cemu_region *r = &amp_cemu_tab[i];
		if (r->view == NULL) {
			continue;
		}
		if (pick-- != 0u) {
			continue;
		}
		size_t lines = (r->size + amp_cemu_line - 1u) / amp_cemu_line;
		size_t line = (size_t)(amp_cemu_rand() % lines) * amp_cemu_line;
		if (amp_cemu_dirty(r, line)) {
			amp_cemu_writeback(r, line, caller);
		} else {
			amp_cemu_fetch(r, line, false);
		}
		amp_cemu_stats.evictions++;
		return;
	}
}

/* The region whose view contains @p p (lock held), or NULL. */
static struct amp_cemu_region *amp_cemu_find(const volatile void *p)
{
	uintptr_t a = (uintptr_t)p;
	for (unsigned i = 0; i < AMP_CACHE_EMU_MAX_REGIONS; i++) {
		struct amp_cemu_region *r = &amp_cemu_tab[i];
		if (r->view != NULL && a >= (uintptr_t)r->view && a - (uintptr_t)r->view < r->size) {
			return r;
		}
	}
	return NULL;
}

/* Ask the filter whether the call happens (lock not held). */
static bool amp_cemu_filtered_out(enum amp_cache_emu_op op, const volatile void *addr, size_t len)
{
	pthread_mutex_lock(&amp_cemu_lock);
	amp_cache_emu_filter_fn fn = amp_cemu_filter;
	void *user = amp_cemu_filter_user;
	pthread_mutex_unlock(&amp_cemu_lock);
	if (fn == NULL || fn(op, addr, len, user)) {
		return false;
	}
	pthread_mutex_lock(&amp_cemu_lock);
	if (amp_cemu_find(addr) != NULL) {
		amp_cemu_stats.dropped_calls++;
		pthread_mutex_unlock(&amp_cemu_lock);
		return true;
	}
	pthread_mutex_unlock(&amp_cemu_lock);
	return false; /* the filter only speaks for emulated memory */
}

static void amp_cemu_maint(enum amp_cache_emu_op op, const volatile void *addr, size_t len,
			   const void *caller)
{
	if (__atomic_load_n(&amp_cemu_filter, __ATOMIC_RELAXED) != NULL &&
	    amp_cemu_filtered_out(op, addr, len)) {
		return;
	}
	if (op == AMP_CACHE_EMU_INVALIDATE) {
		/* Loads after the invalidate must not be served before it. */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	pthread_mutex_lock(&amp_cemu_lock);
	struct amp_cemu_region *r = amp_cemu_find(addr);
	if (r == NULL) {
		amp_cemu_stats.outside_calls++;
	} else {
		if (op == AMP_CACHE_EMU_CLEAN) {
			amp_cemu_stats.clean_calls++;
		} else {
			amp_cemu_stats.invalidate_calls++;
		}
		const size_t off = (size_t)((uintptr_t)addr - (uintptr_t)r->view);
		const size_t avail = r->size - off;
		const size_t n = len < avail ? len : avail;
		if (n != 0u) {
			const size_t mask = (size_t)amp_cemu_line - 1u;
			const size_t last = (off + n - 1u) & ~mask;
			for (size_t line = off & ~mask; line <= last; line += amp_cemu_line) {
				if (op == AMP_CACHE_EMU_CLEAN) {
					if (amp_cemu_dirty(r, line)) {
						amp_cemu_writeback(r, line, caller);
					} else if (amp_cemu_differs_from_mem(r, line)) {
						amp_cemu_restore(r, line, caller);
					}
				} else {
					if (amp_cemu_dirty(r, line)) {
						amp_cemu_stats.discards++;
						amp_cemu_hazard(r, line, AMP_CACHE_EMU_DISCARD,
								line, amp_cemu_line_end(r, line) - 1u,
								caller);
					}
					amp_cemu_fetch(r, line, true);
				}
			}
		}
	}
	amp_cemu_maybe_evict(caller);
	pthread_mutex_unlock(&amp_cemu_lock);
	/* Stores after the clean (the index that publishes it) come later. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void amp_cemu_clean(const volatile void *addr, size_t len, const void *caller)
{
	amp_cemu_maint(AMP_CACHE_EMU_CLEAN, addr, len, caller);
}

void amp_cemu_invalidate(const volatile void *addr, size_t len, const void *caller)
{
	amp_cemu_maint(AMP_CACHE_EMU_INVALIDATE, addr, len, caller);
}

int amp_cache_emu_dirty_lines(const volatile void *addr, size_t len)
{
	pthread_mutex_lock(&amp_cemu_lock);
	struct amp_cemu_region *r = amp_cemu_find(addr);
	if (r == NULL) {
		pthread_mutex_unlock(&amp_cemu_lock);
		return AMP_ENOENT;
	}
	const size_t off = (size_t)((uintptr_t)addr - (uintptr_t)r->view);
	const size_t avail = r->size - off;
	const size_t n = len < avail ? len : avail;
	int count = 0;
	if (n != 0u) {
		const size_t mask = (size_t)amp_cemu_line - 1u;
		const size_t last = (off + n - 1u) & ~mask;
		for (size_t line = off & ~mask; line <= last; line += amp_cemu_line) {
			if (amp_cemu_dirty(r, line) && count < INT32_MAX) {
				count++;
			}
		}
	}
	pthread_mutex_unlock(&amp_cemu_lock);
	return count;
}

int amp_cache_emu_peek_memory(const volatile void *addr, uint8_t *out)
{
	if (out == NULL) {
		return AMP_EINVAL;
	}
	pthread_mutex_lock(&amp_cemu_lock);
	struct amp_cemu_region *r = amp_cemu_find(addr);
	if (r == NULL) {
		pthread_mutex_unlock(&amp_cemu_lock);
		return AMP_ENOENT;
	}
	*out = amp_cemu_ld(r->mem, (size_t)((uintptr_t)addr - (uintptr_t)r->view), 1u);
	pthread_mutex_unlock(&amp_cemu_lock);
	return 0;
}

/* ---- regions (called by shm.c) ----------------------------------------- */

bool amp_cemu_wants(const struct amp_shm_cfg *cfg)
{
	return cfg->cacheable && amp_cache_emu_active();
}

/* The shared mapping went "anywhere", which may be exactly the range the view
 * must take (the kernel likes a gap just freed): move it out of the way. */
static int amp_cemu_move_out_of(void **shared, const struct amp_shm_cfg *cfg)
{
	uintptr_t s = (uintptr_t)*shared, w = cfg->addr;
	if (w == 0u || s >= w + cfg->size || w >= s + cfg->size) {
		return 0;
	}
	void *ph = mmap(NULL, cfg->size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ph == MAP_FAILED) {
		return AMP_ENOMEM;
	}
	void *moved = mremap(*shared, cfg->size, cfg->size, MREMAP_MAYMOVE | MREMAP_FIXED, ph);
	if (moved == MAP_FAILED) {
		munmap(ph, cfg->size);
		return AMP_ENOMEM;
	}
	*shared = moved;
	return 0;
}

static int amp_cemu_attach_view(const struct amp_shm_cfg *cfg, void *shared, void **view)
{
	void *want = (void *)cfg->addr;
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | (cfg->addr != 0u ? MAP_FIXED_NOREPLACE : 0);
	void *v = mmap(want, cfg->size, PROT_READ | PROT_WRITE, flags, -1, 0);
	if (v == MAP_FAILED) {
		if (cfg->addr != 0u && errno == EEXIST) {
			return AMP_EADDRINUSE;
		}
		if (cfg->addr != 0u && errno == EPERM) {
			return AMP_EINVAL;
		}
		return AMP_ENOMEM;
	}
	if (cfg->addr != 0u && v != want) {
		munmap(v, cfg->size);
		return AMP_EADDRINUSE;
	}
	void *s = mmap(NULL, cfg->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (s == MAP_FAILED) {
		munmap(v, cfg->size);
		return AMP_ENOMEM;
	}
	pthread_mutex_lock(&amp_cemu_lock);
	struct amp_cemu_region *r = NULL;
	for (unsigned i = 0; i < AMP_CACHE_EMU_MAX_REGIONS && r == NULL; i++) {
		if (amp_cemu_tab[i].view == NULL) {
			r = &amp_cemu_tab[i];
		}
	}
	if (r == NULL) {
		pthread_mutex_unlock(&amp_cemu_lock);
		amp_port_log(AMP_LOG_ERR, "cache-emu: more than %d cacheable regions open",
			     AMP_CACHE_EMU_MAX_REGIONS);
		munmap(v, cfg->size);
		munmap(s, cfg->size);
		return AMP_ENOMEM;
	}
	r->view = v;
	r->snap = s;
	r->mem = shared;
	r->size = cfg->size;
	strncpy(r->name, cfg->name, sizeof(r->name) - 1u);
	r->name[sizeof(r->name) - 1u] = '\0';
	amp_cemu_nregions++;
	/* Cold start: every line is fetched once, now, and then kept as long as
	 * a real cache might keep it (until invalidated). */
	for (size_t line = 0; line < r->size; line += amp_cemu_line) {
		amp_cemu_fetch(r, line, true);
	}
	amp_cemu_stats.lines_fetched -= (r->size + amp_cemu_line - 1u) / amp_cemu_line;
	pthread_mutex_unlock(&amp_cemu_lock);
	*view = v;
	return 0;
}

int amp_cemu_attach(const struct amp_shm_cfg *cfg, void *shared, void **view)
{
	int err = amp_cemu_move_out_of(&shared, cfg);
	if (err == 0) {
		err = amp_cemu_attach_view(cfg, shared, view);
	}
	if (err != 0) {
		munmap(shared, cfg->size);
	}
	return err;
}

bool amp_cemu_detach(void *view, size_t size)
{
	pthread_mutex_lock(&amp_cemu_lock);
	struct amp_cemu_region *r = NULL;
	for (unsigned i = 0; i < AMP_CACHE_EMU_MAX_REGIONS && r == NULL; i++) {
		if (amp_cemu_tab[i].view != NULL && amp_cemu_tab[i].view == view &&
		    amp_cemu_tab[i].size == size) {
			r = &amp_cemu_tab[i];
		}
	}
	if (r == NULL) {
		pthread_mutex_unlock(&amp_cemu_lock);
		return false;
	}
	struct amp_cemu_region gone = *r;
	memset(r, 0, sizeof(*r));
	amp_cemu_nregions--;
	pthread_mutex_unlock(&amp_cemu_lock);
	munmap(gone.view, gone.size);
	munmap(gone.snap, gone.size);
	munmap(gone.mem, gone.size);
	return true;
}
