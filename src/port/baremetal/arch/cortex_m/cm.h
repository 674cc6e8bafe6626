/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Armv7-M / Armv8-M system registers the port touches, and the few
 * instructions it needs. Private to the bare-metal port: the public surface is
 * amplink/port.h and amplink/port_baremetal.h.
 */
#ifndef AMP_PORT_BAREMETAL_CM_H
#define AMP_PORT_BAREMETAL_CM_H

#include <stdint.h>

#define AMP_CM_REG(addr) (*(volatile uint32_t *)(uintptr_t)(addr))

/* SysTick */
#define AMP_CM_SYST_CSR AMP_CM_REG(0xE000E010u)
#define AMP_CM_SYST_RVR AMP_CM_REG(0xE000E014u)
#define AMP_CM_SYST_CVR AMP_CM_REG(0xE000E018u)
#define AMP_CM_SYST_CSR_ENABLE (1u << 0)
#define AMP_CM_SYST_CSR_TICKINT (1u << 1)
#define AMP_CM_SYST_CSR_CLKSOURCE (1u << 2)
#define AMP_CM_SYST_MAX 0x00FFFFFFu

/* NVIC */
#define AMP_CM_NVIC_ISER(n) AMP_CM_REG(0xE000E100u + 4u * (n))
#define AMP_CM_NVIC_ICER(n) AMP_CM_REG(0xE000E180u + 4u * (n))
#define AMP_CM_NVIC_IPR8(n) (*(volatile uint8_t *)(uintptr_t)(0xE000E400u + (n)))

/* System control block */
#define AMP_CM_SCB_CFSR AMP_CM_REG(0xE000ED28u)
#define AMP_CM_SCB_HFSR AMP_CM_REG(0xE000ED2Cu)
#define AMP_CM_SCB_MMFAR AMP_CM_REG(0xE000ED34u)
#define AMP_CM_SCB_BFAR AMP_CM_REG(0xE000ED38u)
#define AMP_CM_SCB_SHPR3 AMP_CM_REG(0xE000ED20u)

/* Data-cache maintenance by address (Cortex-M7/M55/M85; absent on M33). */
#define AMP_CM_SCB_DCIMVAC AMP_CM_REG(0xE000EF5Cu)
#define AMP_CM_SCB_DCCMVAC AMP_CM_REG(0xE000EF68u)
#define AMP_CM_SCB_DCCIMVAC AMP_CM_REG(0xE000EF70u)

static inline void amp_cm_dmb(void)
{
	__asm__ volatile("dmb" ::: "memory");
}

static inline void amp_cm_dsb(void)
{
	__asm__ volatile("dsb" ::: "memory");
}

static inline void amp_cm_isb(void)
{
	__asm__ volatile("isb" ::: "memory");
}

static inline uint32_t amp_cm_ipsr(void)
{
	uint32_t v;
	__asm__ volatile("mrs %0, ipsr" : "=r"(v));
	return v;
}

static inline uint32_t amp_cm_primask(void)
{
	uint32_t v;
	__asm__ volatile("mrs %0, primask" : "=r"(v)::"memory");
	return v;
}

#endif /* AMP_PORT_BAREMETAL_CM_H */
