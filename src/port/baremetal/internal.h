/* SPDX-License-Identifier: Apache-2.0 */
/* Calls between the generic bare-metal port and its arch half. */
#ifndef AMP_PORT_BAREMETAL_INTERNAL_H
#define AMP_PORT_BAREMETAL_INTERNAL_H

/* Start the time base now (otherwise the first amp_port_now_ns() does). */
void amp_bm_time_init(void);

#include <stdarg.h>
#include <stddef.h>

/* Make a store visible to the other core and wake cores waiting in WFE. */
void amp_bm_arch_signal(void);

/* One console byte (board UART, no lock). */
void amp_bm_board_putc_raw(char c);

/* Format straight to the console, no buffer (the caller holds the console).
 * Returns the number of bytes written. */
size_t amp_bm_vprint_console(const char *fmt, va_list ap)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 0)))
#endif
	;

#endif /* AMP_PORT_BAREMETAL_INTERNAL_H */
