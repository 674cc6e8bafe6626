/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/port_posix.h
 * @brief Extras of the posix port, for drivers that play interrupts on Linux.
 */
#ifndef AMPLINK_PORT_POSIX_H
#define AMPLINK_PORT_POSIX_H

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Enter "interrupt context" on the calling thread: waits while another
 * thread holds amp_port_irq_lock(), then makes amp_port_in_isr() true.
 * Used by the Linux doorbell thread around callbacks. Pair with amp_posix_isr_exit().
 */
void amp_posix_isr_enter(void);

/** @brief Leave interrupt context entered with amp_posix_isr_enter(). */
void amp_posix_isr_exit(void);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_PORT_POSIX_H */
