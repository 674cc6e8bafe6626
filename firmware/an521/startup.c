/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Start-up code and vector table shared by both cores' images. Each image
 * owns its private RAM (.data, .bss, stack) and sets it up itself; shared
 * memory is set up by core 0 before it releases core 1.
 */
#include <amplink/port_baremetal.h>

#include <stdint.h>

#include "memmap.h"

extern uint32_t __data_start[], __data_end[], __data_load[];
extern uint32_t __bss_start[], __bss_end[];
extern uint32_t __stack_top[], __stack_limit[];

int main(void);
void fw_reset(void);
void fw_default_isr(void);
void fw_mhu0_isr(void) __attribute__((weak, alias("fw_default_isr")));
void fw_mhu1_isr(void) __attribute__((weak, alias("fw_default_isr")));

/* An exception nobody expected: report it like a fault. A tail branch keeps
 * LR = EXC_RETURN, which the fault handler needs to find the stacked frame;
 * the report names the exception (IPSR). */
__attribute__((naked)) void fw_default_isr(void)
{
	__asm__ volatile("b amp_bm_fault_isr");
}

void fw_reset(void)
{
	/* Armv8-M stack limit: an overflow faults instead of corrupting .bss. */
	__asm__ volatile("msr msplim, %0" ::"r"(__stack_limit));
	/* Fault exceptions get their own handlers instead of escalating. */
	*(volatile uint32_t *)0xE000ED24u |= (1u << 16) | (1u << 17) | (1u << 18) | (1u << 19);
	for (uint32_t *s = __data_load, *d = __data_start; d < __data_end;) {
		*d++ = *s++;
	}
	for (uint32_t *d = __bss_start; d < __bss_end;) {
		*d++ = 0;
	}
	amp_bm_exit(main());
}

#define FW_NUM_IRQS 64
#define D fw_default_isr
#define D8 D, D, D, D, D, D, D, D

/* Every slot is filled: an unexpected exception reports instead of jumping to 0. */
__attribute__((section(".vectors"), used, aligned(512))) void (*const fw_vectors[16 + FW_NUM_IRQS])(
	void) = {
	(void (*)(void))(uintptr_t)__stack_top,
	fw_reset,
	D,                  /* NMI */
	amp_bm_fault_isr,   /* HardFault */
	amp_bm_fault_isr,   /* MemManage */
	amp_bm_fault_isr,   /* BusFault */
	amp_bm_fault_isr,   /* UsageFault */
	amp_bm_fault_isr,   /* SecureFault */
	D, D, D,            /* reserved */
	D,                  /* SVCall */
	D,                  /* DebugMonitor */
	D,                  /* reserved */
	D,                  /* PendSV */
	amp_bm_systick_isr, /* SysTick */
	/* IRQ 0..5: timers, watchdogs, MPC/PPC combined */
	D, D, D, D, D, D,
	fw_mhu0_isr, /* IRQ 6: MHU0 */
	fw_mhu1_isr, /* IRQ 7: MHU1 */
	/* IRQ 8..63 */
	D8, D8, D8, D8, D8, D8, D, D, D, D, D, D, D, D,
};
_Static_assert(sizeof(fw_vectors) == (16 + FW_NUM_IRQS) * sizeof(void *), "vector table size");
