/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arm MPS2+ AN521 (SSE-200, two Cortex-M33) as QEMU's mps2-an521 models it.
 * Secure aliases throughout: both cores reset Secure and the peripheral
 * protection controllers reset to "Secure only".
 */
#include "../board.h"

#include <stdint.h>

#define AN521_UART0_BASE 0x50200000u   /* CMSDK APB UART0 */
#define AN521_CPU_IDENTITY 0x4001F000u /* private per core: 0 or 1 */
#define AN521_SYSCLK_HZ 20000000u      /* QEMU's mps2-an521 CPU clock */

#define UART_DATA (*(volatile uint32_t *)(AN521_UART0_BASE + 0x0u))
#define UART_STATE (*(volatile uint32_t *)(AN521_UART0_BASE + 0x4u))
#define UART_CTRL (*(volatile uint32_t *)(AN521_UART0_BASE + 0x8u))
#define UART_BAUDDIV (*(volatile uint32_t *)(AN521_UART0_BASE + 0x10u))
#define UART_STATE_TXFULL (1u << 0)
#define UART_CTRL_TXEN (1u << 0)

void amp_bm_board_console_init(void)
{
	/* Both cores may run this; the writes are idempotent. */
	if ((UART_CTRL & UART_CTRL_TXEN) == 0) {
		UART_BAUDDIV = 16;
		UART_CTRL = UART_CTRL | UART_CTRL_TXEN;
	}
}

void amp_bm_board_console_putc(char c)
{
	/* Bounded: a UART that never drains must not hang an assert report. */
	for (uint32_t spins = 0; (UART_STATE & UART_STATE_TXFULL) != 0 && spins < 1000000u;
	     spins++) {
	}
	UART_DATA = (uint8_t)c;
}

uint32_t amp_bm_board_cpu_index(void)
{
	return *(volatile const uint32_t *)AN521_CPU_IDENTITY;
}

uint32_t amp_bm_board_cpu_hz(void)
{
	return AN521_SYSCLK_HZ;
}
