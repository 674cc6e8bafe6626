/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Memory map of the two-image firmware on mps2-an521 (Secure aliases).
 * The linker scripts (core0.ld, core1.ld) hold the same numbers for the
 * private parts; the shared part exists only here, as fixed addresses, so that
 * neither ELF has a section there (QEMU refuses overlapping load segments).
 */
#ifndef FW_MEMMAP_H
#define FW_MEMMAP_H

/* Images in SSRAM1 (Secure alias 0x1000_0000, 4 MiB): 2 MiB per core. */
#define FW_CORE0_IMAGE 0x10000000u
#define FW_CORE1_IMAGE 0x10200000u /* also core 1's vector table: INITSVTOR1 */

/* Private RAM in the SSE-200 internal SRAM (0x3000_0000, 128 KiB): 64 KiB per
 * core for .data, .bss and the stack. */
#define FW_CORE0_RAM 0x30000000u
#define FW_CORE1_RAM 0x30010000u

/* Shared memory: SSRAM2 (Secure alias 0x3800_0000). Not cacheable on M33. */
#define FW_SHARED_BASE 0x38000000u
#define FW_SHARED_SIZE 0x00040000u /* the part core 0 zeroes before starting core 1 */

#define FW_CTL_ADDR (FW_SHARED_BASE + 0x0000u)     /* 4 KiB: test control block */
#define FW_SCRATCH_ADDR (FW_SHARED_BASE + 0x1000u) /* 4 KiB: per-case words (locks, counters) */
#define FW_PBUF_C0_ADDR (FW_SHARED_BASE + 0x2000u) /* pbuf case: core 0 -> core 1 */
#define FW_PBUF_C1_ADDR (FW_SHARED_BASE + 0x3000u) /* pbuf case: core 1 -> core 0 */
#define FW_PBUF_SIZE 0x1000u
#define FW_ICMSG_C0_ADDR (FW_SHARED_BASE + 0x8000u) /* ICMsg: core 0's tx-region */
#define FW_ICMSG_C1_ADDR (FW_SHARED_BASE + 0xA000u) /* ICMsg: core 1's tx-region */
#define FW_ICMSG_SIZE 0x2000u
#define FW_RPMSG_ADDR (FW_SHARED_BASE + 0x10000u)  /* RPMsg: vrings + buffers */
#define FW_RPMSG_SIZE 0x20000u

/* SSE-200 peripherals */
#define FW_MHU0_BASE 0x50003000u
#define FW_MHU0_IRQ 6u
#define FW_SYSCTL_BASE 0x50021000u
#define FW_SYSCTL_INITSVTOR1 (FW_SYSCTL_BASE + 0x114u)
#define FW_SYSCTL_CPUWAIT (FW_SYSCTL_BASE + 0x118u)

#endif /* FW_MEMMAP_H */
