/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/port_baremetal.h
 * @brief Extras of the bare-metal port (no OS, Cortex-M) for start-up code,
 * drivers and applications.
 *
 * The port itself (amplink/port.h) needs nothing from the application except
 * that the vector table routes SysTick to amp_bm_systick_isr(); everything else
 * here is optional help: a console with printf-style formatting, NVIC control
 * for drivers, the QEMU/semihosting exit, and fault reporting.
 *
 * Time base: SysTick, clocked by the processor clock, ticking at
 * AMP_BM_TICK_HZ (default 1000) and extended to 64 bits in software (the tick
 * interrupt and every amp_port_now_ns() call fold the elapsed count in). The
 * DWT cycle counter is not used because QEMU does not model it (CYCCNT reads
 * 0 there); see docs/BAREMETAL.md. Events wait with WFI (see amp_bm_idle()).
 */
#ifndef AMPLINK_PORT_BAREMETAL_H
#define AMPLINK_PORT_BAREMETAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Exit status used by amp_port_assert_failed() and the fault handler. */
#define AMP_BM_EXIT_ASSERT 2
/** Exit status used by amp_bm_fault_isr(). */
#define AMP_BM_EXIT_FAULT 3

/**
 * @brief Start the port on the calling core: UART transmitter and the SysTick
 * time base (its interrupt must be routed to amp_bm_systick_isr()).
 *
 * Calling it is optional (the first amp_port_now_ns() or log starts what it
 * needs), but doing it early gives the time base from boot.
 * Context: thread, once per core, before interrupts are used.
 * Concurrency: per core; each core has its own SysTick and port state.
 */
void amp_bm_init(void);

/** @brief SysTick handler: folds the counter's wrap into the 64-bit time.
 *  Context: the SysTick exception only. */
void amp_bm_systick_isr(void);

/**
 * @brief Common fault handler (HardFault, MemManage, BusFault, UsageFault,
 * SecureFault): prints the fault status and the stacked PC on the console,
 * then ends the program with AMP_BM_EXIT_FAULT. Does not return.
 * Context: fault exceptions only.
 */
void amp_bm_fault_isr(void)
#if defined(__GNUC__)
	__attribute__((noreturn))
#endif
	;

/** @brief Index of the calling core as the board numbers it (SSE-200:
 *  CPU_IDENTITY, 0 or 1). Context: any. */
uint32_t amp_bm_cpu_index(void);

/**
 * @brief Use @p word (in memory every core sees, zero-initialised, not
 * cacheable) to serialise console lines between cores, or NULL for none.
 *
 * A line is formatted first and written whole while the lock is held, so lines
 * of two cores never interleave. The wait for the lock is bounded (about
 * 50 ms): a peer that died holding it delays but never stops the console.
 * Context: thread. Concurrency: set it before both cores print.
 */
void amp_bm_console_set_lock(volatile uint32_t *word);

/** @brief Write @p len raw bytes to the board console (blocking on the UART
 *  FIFO, no lock). Context: any. */
void amp_bm_console_write(const char *s, size_t len);

/**
 * @brief printf to the console as one uninterrupted piece (see
 * amp_bm_console_set_lock()), streamed to the UART without a line buffer.
 * Supports %d %i %u %x %X %o %c %s %p %% with flags '-' '0', width, precision
 * and the length modifiers hh h l ll z t j.
 * @return number of bytes written
 * Context: any (masks interrupts while the line is written).
 */
int amp_bm_printf(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

/**
 * @brief vsnprintf of the port's small formatter (same conversions as amp_bm_printf()).
 * @return the length the full output would have (as C's vsnprintf); at most
 *         @p size - 1 bytes plus a NUL are stored when @p size > 0
 * Context: any. Concurrency: reentrant.
 */
int amp_bm_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 0)))
#endif
	;

/** @brief snprintf on amp_bm_vsnprintf(). Context: any. */
int amp_bm_snprintf(char *buf, size_t size, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/** @brief Show amp_port_log() lines up to @p level (AMP_LOG_*; default
 *  AMP_LOG_WRN). Context: any. */
void amp_bm_set_log_level(int level);

/**
 * @brief End the program: on QEMU, semihosting SYS_EXIT_EXTENDED makes the
 * emulator exit with @p status (needs `-semihosting-config enable=on`). Without
 * a debugger/emulator to take the call the core parks with interrupts masked.
 * Context: any. Does not return.
 */
void amp_bm_exit(int status)
#if defined(__GNUC__)
	__attribute__((noreturn))
#endif
	;

/** @name NVIC control for drivers (external interrupt numbers, 0-based) */
/**@{*/
/** @brief Enable interrupt @p irq at the NVIC. Context: any. */
void amp_bm_irq_enable(uint32_t irq);
/** @brief Disable interrupt @p irq at the NVIC (a pending level stays pending). Context: any. */
void amp_bm_irq_disable(uint32_t irq);
/** @brief Set the priority of @p irq (0 = highest; upper bits used). Context: any. */
void amp_bm_irq_set_priority(uint32_t irq, uint8_t prio);
/**@}*/

/**
 * @brief Sleep until the next interrupt (DSB + WFI); the SysTick tick
 * (1 ms by default, AMP_BM_TICK_HZ) bounds the sleep.
 *
 * For a race-free "wait until flag": mask with amp_port_irq_lock(), test the
 * flag, call amp_bm_idle(), unlock, repeat — an interrupt that arrives after
 * the test stays pending and ends WFI even while masked.
 * Context: any.
 */
void amp_bm_idle(void);

/** @brief Processor clock in Hz that the time base assumes. Context: any. */
uint32_t amp_bm_cpu_hz(void);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_PORT_BAREMETAL_H */
