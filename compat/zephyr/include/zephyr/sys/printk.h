/* SPDX-License-Identifier: Apache-2.0 */
/** @file zephyr/sys/printk.h @brief printk() (amplink compatibility layer). */
#ifndef AMP_ZEPHYR_SYS_PRINTK_H
#define AMP_ZEPHYR_SYS_PRINTK_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Print to the console (stdout on Linux, flushed at once so lines of
 * two cores interleave in order; the board console on bare metal).
 * Context: thread or ISR (on Linux the doorbell thread may print).
 */
void printk(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;

#ifdef __cplusplus
}
#endif
#endif /* AMP_ZEPHYR_SYS_PRINTK_H */
