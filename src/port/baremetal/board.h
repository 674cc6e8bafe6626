/* SPDX-License-Identifier: Apache-2.0 */
/*
 * What the generic bare-metal port needs from a board (one file per board in
 * board/, chosen with the CMake cache variable AMP_BM_BOARD).
 */
#ifndef AMP_PORT_BAREMETAL_BOARD_H
#define AMP_PORT_BAREMETAL_BOARD_H

#include <stdint.h>

/* Make the console transmitter usable; idempotent. */
void amp_bm_board_console_init(void);
/* Write one byte, waiting while the transmit FIFO is full. */
void amp_bm_board_console_putc(char c);
/* Index of the calling core. */
uint32_t amp_bm_board_cpu_index(void);
/* Processor clock (Hz) that clocks SysTick with CLKSOURCE = 1. */
uint32_t amp_bm_board_cpu_hz(void);

#endif /* AMP_PORT_BAREMETAL_BOARD_H */
