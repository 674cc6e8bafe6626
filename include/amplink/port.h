/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/port.h
 * @brief The port contract: everything amplink needs from its environment.
 *
 * A port is the only code that knows where amplink runs. The library calls
 * these functions and nothing else of the OS or CPU; a port defines all of
 * them (link-time binding, so the hot path can be a plain call). Ports:
 *  - `posix`  (src/port/posix): Linux processes and threads;
 *  - `baremetal` + `arch/cortex_m` (src/port/baremetal): no OS, Cortex-M.
 *
 * Ordering and cache maintenance are explicit: every access the library makes
 * to shared memory is bracketed by the calls below even where a port makes them
 * no-ops, so an emulator of non-coherent caches can check them.
 */
#ifndef AMPLINK_PORT_H
#define AMPLINK_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @name Timeouts (microseconds, signed 64-bit) */
/**@{*/
#define AMP_NO_WAIT ((int64_t)0)   /**< do not wait at all */
#define AMP_FOREVER ((int64_t)-1)  /**< wait without limit */
#define AMP_USEC(us) ((int64_t)(us))
#define AMP_MSEC(ms) ((int64_t)(ms) * 1000)
/**@}*/

/** @name Log levels for amp_port_log() */
/**@{*/
#define AMP_LOG_ERR 0
#define AMP_LOG_WRN 1
#define AMP_LOG_INF 2
#define AMP_LOG_DBG 3
/**@}*/

/**
 * @brief A wakeable event: one waiter, any number of posters.
 *
 * A post that happens before the wait is remembered (the word latches), so
 * "check condition, then wait" never loses a wake-up. Several posts before a
 * wait coalesce into one. The word may live in private or in shared memory
 * (posix uses a process-shared futex on it; bare metal uses WFE/SEV).
 */
struct amp_event {
	volatile uint32_t word; /**< 0 = idle, 1 = posted; owned by the port */
};

/* ---- barriers and caches --------------------------------------------- */

/** @brief Full memory barrier (loads and stores, including to device memory).
 *
 * The only barrier that orders a store before a later load (Peterson's lock,
 * "publish then check the peer's flag"). Costly on every CPU (MFENCE, DMB SY):
 * ring hot paths use the acquire/release fences below instead.
 * Context: any. */
void amp_port_mb(void);

/*
 * Acquire and release fences between the two cores. They order exactly what a
 * single-producer/single-consumer ring needs:
 *  - release: every load and store before it is visible to the peer before any
 *    store after it (payload written, then the index published);
 *  - acquire: every load before it completes before any load or store after it
 *    (index read, then the payload it covers).
 * On x86 (TSO) both are compiler barriers only; on Arm they are DMB. A port
 * whose shared memory needs more (e.g. a DSB around non-coherent masters)
 * defines AMP_PORT_HAS_FENCES and provides its own. Context: any.
 */
#if !defined(AMP_PORT_HAS_FENCES)
static inline void amp_port_acquire_fence(void)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
}

static inline void amp_port_release_fence(void)
{
	__atomic_thread_fence(__ATOMIC_RELEASE);
}
#else
void amp_port_acquire_fence(void);
void amp_port_release_fence(void);
#endif

/** @brief Spin-wait hint (PAUSE / YIELD), used inside polling loops. Context: any. */
void amp_port_cpu_relax(void);

#if (defined(AMP_PORT_DCACHE_GATED) && AMP_PORT_DCACHE_GATED) || \
	defined(AMP_PORT_DCACHE_OUT_OF_LINE)
/* The gate and the out-of-line work of gated maintenance (see below). */
extern int amp_port_dcache_gate; /* non-zero: call the port's maintenance */
void amp_port_dcache_clean_gated(const volatile void *addr, size_t len);
void amp_port_dcache_invalidate_gated(const volatile void *addr, size_t len);
#endif

#if defined(AMP_PORT_NO_DCACHE) && AMP_PORT_NO_DCACHE
/*
 * A port built for a core without a data cache (e.g. the bare-metal port
 * without AMP_CM_DCACHE) defines AMP_PORT_NO_DCACHE for everything that links
 * it: the maintenance calls then vanish at compile time instead of costing a
 * call at every shared access. Same contract as below.
 */
static inline void amp_port_dcache_clean(const volatile void *addr, size_t len)
{
	(void)addr;
	(void)len;
}

static inline void amp_port_dcache_invalidate(const volatile void *addr, size_t len)
{
	(void)addr;
	(void)len;
}
#elif defined(AMP_PORT_DCACHE_GATED) && AMP_PORT_DCACHE_GATED && \
	!defined(AMP_PORT_DCACHE_OUT_OF_LINE)
/*
 * A port for coherent memory whose maintenance is nothing unless switched on
 * at run time (the posix port's non-coherent cache emulator) defines
 * AMP_PORT_DCACHE_GATED for everything that links it: each call is then one
 * load and a branch not taken, inline, instead of a call at every shared
 * access of a hot path. The port also exports the out-of-line functions
 * below, so code built without the definition links against it all the same.
 * Same contract as below.
 */
static inline void amp_port_dcache_clean(const volatile void *addr, size_t len)
{
	if (__builtin_expect(__atomic_load_n(&amp_port_dcache_gate, __ATOMIC_RELAXED) != 0, 0)) {
		amp_port_dcache_clean_gated(addr, len);
	}
	__asm__ volatile("" ::: "memory");
}

static inline void amp_port_dcache_invalidate(const volatile void *addr, size_t len)
{
	if (__builtin_expect(__atomic_load_n(&amp_port_dcache_gate, __ATOMIC_RELAXED) != 0, 0)) {
		amp_port_dcache_invalidate_gated(addr, len);
	}
	__asm__ volatile("" ::: "memory");
}
#else
/**
 * @brief Write back (clean) the data-cache lines covering [addr, addr+len).
 *
 * The range is widened to whole cache lines; a no-op on cores without a data
 * cache or on coherent memory. Context: any.
 */
void amp_port_dcache_clean(const volatile void *addr, size_t len);

/**
 * @brief Invalidate the data-cache lines covering [addr, addr+len) so the next
 * read comes from memory. Widened to whole lines; a no-op where coherent.
 * Context: any.
 */
void amp_port_dcache_invalidate(const volatile void *addr, size_t len);
#endif

/* ---- interrupts ------------------------------------------------------- */

/**
 * @brief Mask the local core's interrupts (on posix: hold off the doorbell
 * thread that plays the interrupt controller) and return a key.
 *
 * Nests: each lock must be paired with an unlock of the returned key, in
 * reverse order. Context: any. Concurrency: local core only; this is not a
 * cross-core lock (see amplink/spinlock.h).
 */
uint32_t amp_port_irq_lock(void);

/** @brief Undo the amp_port_irq_lock() that returned @p key. Context: any. */
void amp_port_irq_unlock(uint32_t key);

/** @brief True when the caller runs in interrupt context (posix: inside a doorbell
 *  callback). Functions documented "thread only" must not be called then. */
bool amp_port_in_isr(void);

/* ---- time ------------------------------------------------------------- */

/** @brief Monotonic time in nanoseconds since an arbitrary origin. Context: any. */
uint64_t amp_port_now_ns(void);

/** @brief Sleep (or busy-wait on bare metal) at least @p us microseconds.
 *  Context: thread only on posix; any on bare metal (busy-waits there). */
void amp_port_sleep_us(uint32_t us);

/* ---- events ----------------------------------------------------------- */

/** @brief Initialise @p ev to "not posted". Context: any. */
void amp_port_event_init(struct amp_event *ev);

/**
 * @brief Wait until @p ev is posted (consuming the post) or @p timeout_us expires.
 *
 * @param ev          the event
 * @param timeout_us  AMP_NO_WAIT, AMP_FOREVER, or a number of microseconds
 * @retval 0              the event was posted (the post is consumed)
 * @retval AMP_ETIMEDOUT  the timeout expired first (or AMP_NO_WAIT and not posted)
 *
 * Context: thread only unless @p timeout_us is AMP_NO_WAIT.
 * Concurrency: one waiter per event.
 */
int amp_port_event_wait(struct amp_event *ev, int64_t timeout_us);

/** @brief Post @p ev, waking its waiter. Context: any, ISR included. */
void amp_port_event_post(struct amp_event *ev);

/* ---- diagnostics ------------------------------------------------------ */

/**
 * @brief Emit one log line at @p level (AMP_LOG_*). printf-style format.
 *
 * The posix port writes to stderr when the level is at or below the
 * `AMP_LOG_LEVEL` environment variable (default AMP_LOG_WRN); bare metal writes
 * to the board console. Context: any (ISR included; keep it short there).
 */
void amp_port_log(int level, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/**
 * @brief Called when an internal invariant fails (AMP_ASSERT). Never for
 * anything the peer controls. Does not return.
 */
void amp_port_assert_failed(const char *file, int line, const char *expr)
#if defined(__GNUC__)
	__attribute__((noreturn))
#endif
	;

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_PORT_H */
