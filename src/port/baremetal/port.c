/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The bare-metal port, architecture-neutral half: events, sleep, console,
 * log and assert. The CPU-specific half is in arch/<arch>/, the board's
 * console and clock in board/<board>.c.
 *
 * No OS: "thread" is the main loop, "ISR" an exception handler. Waiting is
 * "mask interrupts, check, WFI, unmask", bounded by the SysTick tick, so an
 * event posted by an ISR on this core ends the wait at once and one posted by
 * the other core within a tick.
 */
#include <amplink/errno.h>
#include <amplink/port.h>
#include <amplink/port_baremetal.h>

#include "board.h"
#include "internal.h"

/* ---- time ------------------------------------------------------------- */

void amp_port_sleep_us(uint32_t us)
{
	uint64_t end = amp_port_now_ns() + (uint64_t)us * 1000u;
	while (amp_port_now_ns() < end) {
		amp_port_cpu_relax();
	}
}

/* ---- events: a latching word + WFI ------------------------------------- */

void amp_port_event_init(struct amp_event *ev)
{
	ev->word = 0;
	amp_port_mb();
}

static bool amp_bm_event_take(struct amp_event *ev)
{
	/* Exclusive-access exchange: the poster may be an ISR or another core. */
	return __atomic_exchange_n(&ev->word, 0u, __ATOMIC_ACQ_REL) != 0;
}

int amp_port_event_wait(struct amp_event *ev, int64_t timeout_us)
{
	uint64_t deadline = 0;
	if (timeout_us > 0) {
		deadline = amp_port_now_ns() + (uint64_t)timeout_us * 1000u;
	}
	for (;;) {
		/* Check and sleep with interrupts masked: an ISR that posts after
		 * the check leaves its interrupt pending, which ends WFI, and runs
		 * at the unlock. A post from the other core is seen at the next
		 * tick at the latest. */
		uint32_t key = amp_port_irq_lock();
		if (amp_bm_event_take(ev)) {
			amp_port_irq_unlock(key);
			return 0;
		}
		if (timeout_us == AMP_NO_WAIT ||
		    (timeout_us > 0 && amp_port_now_ns() >= deadline)) {
			amp_port_irq_unlock(key);
			return AMP_ETIMEDOUT;
		}
		amp_bm_idle();
		amp_port_irq_unlock(key);
	}
}

void amp_port_event_post(struct amp_event *ev)
{
	__atomic_store_n(&ev->word, 1u, __ATOMIC_RELEASE);
	/* For a waiter on a core that idles in WFE (another port or RTOS). */
	amp_bm_arch_signal();
}

/* ---- console ---------------------------------------------------------- */

static volatile uint32_t *amp_bm_console_lock_word;
static int amp_bm_log_level = AMP_LOG_WRN;
static bool amp_bm_console_ready;

void amp_bm_init(void)
{
	amp_bm_board_console_init();
	amp_bm_console_ready = true;
	amp_bm_time_init();
}

uint32_t amp_bm_cpu_index(void)
{
	return amp_bm_board_cpu_index();
}

void amp_bm_console_set_lock(volatile uint32_t *word)
{
	amp_bm_console_lock_word = word;
}

void amp_bm_set_log_level(int level)
{
	amp_bm_log_level = level;
}

void amp_bm_console_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		amp_bm_board_putc_raw(s[i]);
	}
}

static bool amp_bm_console_lock(volatile uint32_t *w)
{
	if (w == NULL) {
		return false;
	}
	/* Bounded by a spin count, not by time: the time base itself may be
	 * what is being debugged. ~50 ms on a 20 MHz core. */
	for (uint32_t spins = 0; spins < 200000u; spins++) {
		uint32_t expected = 0;
		if (__atomic_compare_exchange_n(w, &expected, 1u + amp_bm_board_cpu_index(), false,
						__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
			return true;
		}
		amp_port_cpu_relax();
	}
	return false; /* write anyway: better interleaved than silent */
}

static void amp_bm_console_unlock(volatile uint32_t *w, bool held)
{
	if (held) {
		__atomic_store_n(w, 0u, __ATOMIC_RELEASE);
	}
}

void amp_bm_board_putc_raw(char c)
{
	if (!amp_bm_console_ready) {
		amp_bm_board_console_init();
		amp_bm_console_ready = true;
	}
	amp_bm_board_console_putc(c);
}

/* Lines are streamed straight from the formatter to the UART while this core
 * holds the console (interrupts masked, cross-core lock taken): no line
 * buffer on the stack, so logging from deep in an interrupt stays cheap. */
static uint32_t amp_bm_console_take(bool *held)
{
	uint32_t key = amp_port_irq_lock();
	*held = amp_bm_console_lock(amp_bm_console_lock_word);
	return key;
}

static void amp_bm_console_give(uint32_t key, bool held)
{
	amp_bm_console_unlock(amp_bm_console_lock_word, held);
	amp_port_irq_unlock(key);
}

static size_t amp_bm_print_locked(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static size_t amp_bm_print_locked(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	size_t n = amp_bm_vprint_console(fmt, ap);
	va_end(ap);
	return n;
}

int amp_bm_printf(const char *fmt, ...)
{
	bool held;
	uint32_t key = amp_bm_console_take(&held);
	va_list ap;
	va_start(ap, fmt);
	size_t n = amp_bm_vprint_console(fmt, ap);
	va_end(ap);
	amp_bm_console_give(key, held);
	return (int)n;
}

/* ---- diagnostics ------------------------------------------------------ */

void amp_port_log(int level, const char *fmt, ...)
{
	static const char *const names[] = { "ERR", "WRN", "INF", "DBG" };
	if (level > amp_bm_log_level) {
		return;
	}
	bool held;
	uint32_t key = amp_bm_console_take(&held);
	(void)amp_bm_print_locked("amplink[core%u] %s: ", (unsigned)amp_bm_board_cpu_index(),
				  names[level < 0 ? 0 : (level > 3 ? 3 : level)]);
	va_list ap;
	va_start(ap, fmt);
	(void)amp_bm_vprint_console(fmt, ap);
	va_end(ap);
	amp_bm_board_putc_raw('\n');
	amp_bm_console_give(key, held);
}

void amp_port_assert_failed(const char *file, int line, const char *expr)
{
	amp_bm_printf("FATAL on core%u: assertion failed: %s at %s:%d\n",
		      (unsigned)amp_bm_board_cpu_index(), expr, file, line);
	amp_bm_exit(AMP_BM_EXIT_ASSERT);
}
