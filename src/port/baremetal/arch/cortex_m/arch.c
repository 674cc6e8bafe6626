/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cortex-M (Armv7-M / Armv8-M Mainline) half of the bare-metal port:
 * barriers, data-cache maintenance, the local interrupt lock, NVIC, the
 * SysTick time base, WFE/SEV and the semihosting exit.
 *
 * Data cache: only Cortex-M7/M55/M85-class cores have one. Build with
 * -DAMP_CM_DCACHE=1 there (and make shared regions whole cache lines);
 * elsewhere (M0+/M3/M4/M23/M33) the maintenance calls compile to nothing.
 */
#include <amplink/port.h>
#include <amplink/port_baremetal.h>

#include "../../board.h"
#include "../../internal.h"
#include "cm.h"

#ifndef AMP_CM_DCACHE
#define AMP_CM_DCACHE 0
#endif
#ifndef AMP_CM_DCACHE_LINE
#define AMP_CM_DCACHE_LINE 32u /* every Armv7-M/v8-M core with a cache uses 32 */
#endif

/* ---- barriers and caches --------------------------------------------- */

void amp_port_mb(void)
{
	/* DMB orders all explicit accesses, Normal and Device alike, which is
	 * what "shared data before the index before the doorbell" needs. */
	amp_cm_dmb();
}

void amp_port_cpu_relax(void)
{
	__asm__ volatile("yield" ::: "memory");
}

#if AMP_CM_DCACHE
static void amp_cm_dcache_op(volatile uint32_t *reg, const volatile void *addr, size_t len)
{
	if (len == 0) {
		return;
	}
	uintptr_t start = (uintptr_t)addr & ~(uintptr_t)(AMP_CM_DCACHE_LINE - 1u);
	uintptr_t end = (uintptr_t)addr + len;
	/* Complete earlier stores before maintenance, and the maintenance before
	 * anything that depends on it (e.g. the store that publishes an index). */
	amp_cm_dsb();
	for (uintptr_t a = start; a < end; a += AMP_CM_DCACHE_LINE) {
		*reg = (uint32_t)a;
	}
	amp_cm_dsb();
	amp_cm_isb();
}
#endif

#if AMP_CM_DCACHE
void amp_port_dcache_clean(const volatile void *addr, size_t len)
{
	amp_cm_dcache_op(&AMP_CM_SCB_DCCMVAC, addr, len);
}

void amp_port_dcache_invalidate(const volatile void *addr, size_t len)
{
	amp_cm_dcache_op(&AMP_CM_SCB_DCIMVAC, addr, len);
}
#endif
/* Without AMP_CM_DCACHE they are empty inline functions of amplink/port.h
 * (AMP_PORT_NO_DCACHE, set by the port's CMakeLists.txt). */

/* ---- interrupts ------------------------------------------------------- */

uint32_t amp_port_irq_lock(void)
{
	/* The key is the previous PRIMASK, so nested locks restore correctly. */
	uint32_t key = amp_cm_primask();
	__asm__ volatile("cpsid i" ::: "memory");
	return key;
}

void amp_port_irq_unlock(uint32_t key)
{
	__asm__ volatile("msr primask, %0" ::"r"(key) : "memory");
	/* Let an interrupt that became pending while masked be taken here. */
	amp_cm_isb();
}

bool amp_port_in_isr(void)
{
	return (amp_cm_ipsr() & 0x1FFu) != 0;
}

void amp_bm_irq_enable(uint32_t irq)
{
	AMP_CM_NVIC_ISER(irq >> 5) = 1u << (irq & 31u);
}

void amp_bm_irq_disable(uint32_t irq)
{
	AMP_CM_NVIC_ICER(irq >> 5) = 1u << (irq & 31u);
	/* After this returns the handler cannot start any more. */
	amp_cm_dsb();
	amp_cm_isb();
}

void amp_bm_irq_set_priority(uint32_t irq, uint8_t prio)
{
	AMP_CM_NVIC_IPR8(irq) = prio;
}

void amp_bm_idle(void)
{
	/* WFI, not WFE: under QEMU's multi-threaded TCG, cores idling in WFE
	 * loops lost MHU interrupts (a ring stayed set with nothing pending in
	 * the NVIC); WFI idling never did. A pending interrupt ends WFI even
	 * while PRIMASK masks it, which is what makes "mask, check, WFI" safe. */
	amp_cm_dsb();
	__asm__ volatile("wfi" ::: "memory");
}

void amp_bm_arch_signal(void)
{
	amp_cm_dsb();
	__asm__ volatile("sev" ::: "memory");
}

/* ---- time: SysTick tick + sub-tick count -------------------------------- */

/*
 * SysTick counts down from RVR at the processor clock and reloads
 * AMP_BM_TICK_HZ times a second. The tick bounds every idle WFI (a waiter
 * sees its timeout, or a flag the other core set, within one tick) and folds
 * the elapsed count into the clock. amp_cm_time_fold() also runs
 * on every amp_port_now_ns(), so time stays exact while interrupts are masked
 * as long as the clock is read at least once per tick; otherwise whole ticks
 * are lost (time runs slow, never backwards). The DWT cycle counter would
 * need no interrupt, but QEMU does not implement it (CYCCNT stays 0).
 */
#ifndef AMP_BM_TICK_HZ
#define AMP_BM_TICK_HZ 1000u
#endif

/*
 * Time is kept as whole seconds plus the cycles into the current second, so
 * that converting it to nanoseconds needs no 64-bit division (a libgcc
 * routine of ~800 bytes on Cortex-M): cycles * 1e9 / hz = cycles * q +
 * cycles * (r / hz) with q, r = 1e9 divided by hz and the fraction r / hz held
 * as a 0.32 fixed-point number. Exact for clocks that divide 1e9 (the 20 MHz
 * of QEMU); otherwise at most 1 ns low, and never backwards.
 */
static uint32_t amp_cm_sec;       /* whole seconds */
static uint32_t amp_cm_sub;       /* cycles into the current second, < amp_cm_hz */
static uint32_t amp_cm_hz;
static uint32_t amp_cm_ns_q;      /* 1e9 / hz */
static uint32_t amp_cm_ns_frac;   /* (1e9 % hz) / hz, 0.32 fixed point */
static uint32_t amp_cm_last_cvr;
static uint32_t amp_cm_period;
static bool amp_cm_time_started;

static void amp_cm_time_start(void)
{
	uint32_t hz = amp_bm_board_cpu_hz();
	uint32_t period = hz / AMP_BM_TICK_HZ;
	if (period < 2u || period > AMP_CM_SYST_MAX + 1u) {
		period = AMP_CM_SYST_MAX + 1u;
	}
	amp_cm_hz = hz;
	amp_cm_ns_q = 1000000000u / hz;
	/* floor((1e9 % hz) * 2^32 / hz) by long division, once. */
	uint64_t x = 1000000000u % hz;
	uint32_t frac = 0;
	for (int i = 0; i < 32; i++) {
		x <<= 1;
		frac <<= 1;
		if (x >= hz) {
			x -= hz;
			frac |= 1u;
		}
	}
	amp_cm_ns_frac = frac;
	amp_cm_period = period;
	AMP_CM_SYST_CSR = 0;
	AMP_CM_SYST_RVR = period - 1u;
	AMP_CM_SYST_CVR = 0; /* any write clears it; counting restarts at RVR */
	/* Lowest priority: it only needs to run once per tick. */
	AMP_CM_SCB_SHPR3 = (AMP_CM_SCB_SHPR3 & 0x00FFFFFFu) | 0xFF000000u;
	amp_cm_last_cvr = period - 1u;
	AMP_CM_SYST_CSR = AMP_CM_SYST_CSR_ENABLE | AMP_CM_SYST_CSR_TICKINT |
			  AMP_CM_SYST_CSR_CLKSOURCE;
	amp_cm_time_started = true;
}

/* Fold the cycles since the last call into the clock; returns it in ns. */
static uint64_t amp_cm_time_fold(void)
{
	uint32_t key = amp_port_irq_lock();
	if (!amp_cm_time_started) {
		amp_cm_time_start();
	}
	uint32_t cvr = AMP_CM_SYST_CVR & AMP_CM_SYST_MAX;
	uint32_t last = amp_cm_last_cvr;
	/* Down-counter: elapsed = last - cvr, plus one period if it reloaded. */
	uint32_t sub = amp_cm_sub + (last >= cvr ? last - cvr : last + amp_cm_period - cvr);
	amp_cm_last_cvr = cvr;
	while (sub >= amp_cm_hz) { /* elapsed is at most 2 periods: rarely twice */
		sub -= amp_cm_hz;
		amp_cm_sec++;
	}
	amp_cm_sub = sub;
	uint64_t now = (uint64_t)amp_cm_sec * 1000000000u + sub * amp_cm_ns_q +
		       (uint32_t)(((uint64_t)sub * amp_cm_ns_frac) >> 32);
	amp_port_irq_unlock(key);
	return now;
}

void amp_bm_systick_isr(void)
{
	(void)amp_cm_time_fold();
}

uint64_t amp_port_now_ns(void)
{
	return amp_cm_time_fold();
}

void amp_bm_time_init(void)
{
	(void)amp_cm_time_fold();
}

uint32_t amp_bm_cpu_hz(void)
{
	return amp_bm_board_cpu_hz();
}

/* ---- exit and faults -------------------------------------------------- */

static void amp_cm_semihost(uint32_t op, const void *arg)
{
	register uint32_t r0 __asm__("r0") = op;
	register const void *r1 __asm__("r1") = arg;
	__asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
}

void amp_bm_exit(int status)
{
	/* SYS_EXIT_EXTENDED (0x20) with ADP_Stopped_ApplicationExit: unlike
	 * SYS_EXIT on 32-bit Arm it carries the whole status to the host. */
	static uint32_t block[2];
	block[0] = 0x20026u;
	block[1] = (uint32_t)status;
	amp_cm_semihost(0x20u, block);
	/* No host took the call: park, so a test runner's timeout decides. */
	for (;;) {
		__asm__ volatile("cpsid i\n\twfi" ::: "memory");
	}
}

/* Called by amp_bm_fault_isr() with the exception frame and EXC_RETURN. */
void amp_cm_fault_report(const volatile uint32_t *frame, uint32_t exc_return);
__attribute__((used, noreturn)) void amp_cm_fault_report(const volatile uint32_t *frame,
							 uint32_t exc_return)
{
	amp_bm_printf("FATAL on core%u: exception %u, CFSR 0x%08x HFSR 0x%08x BFAR 0x%08x "
		      "PC 0x%08x LR 0x%08x EXC_RETURN 0x%08x\n",
		      (unsigned)amp_bm_cpu_index(), (unsigned)(amp_cm_ipsr() & 0x1FFu),
		      (unsigned)AMP_CM_SCB_CFSR, (unsigned)AMP_CM_SCB_HFSR,
		      (unsigned)AMP_CM_SCB_BFAR, (unsigned)frame[6], (unsigned)frame[5],
		      (unsigned)exc_return);
	amp_bm_exit(AMP_BM_EXIT_FAULT);
}

/* Naked: the frame must be located before any prologue moves SP. EXC_RETURN
 * bit 2 tells which stack the hardware pushed it on. */
__attribute__((naked)) void amp_bm_fault_isr(void)
{
	__asm__ volatile("tst lr, #4\n\t"
			 "ite eq\n\t"
			 "mrseq r0, msp\n\t"
			 "mrsne r0, psp\n\t"
			 "mov r1, lr\n\t"
			 "b amp_cm_fault_report\n\t");
}
