/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/mbox_mhu.h
 * @brief Driver for the Arm Message Handling Unit of the SSE-200 (devicetree
 * compatible `arm,mhu`), as a doorbell under the amp_mbox contract.
 *
 * The MHU has one 32-bit status/set/clear register triple per CPU; ringing
 * CPU n sets a bit in CPU n's status, which raises CPU n's interrupt (level,
 * held while the status is non-zero). This driver uses bit 0 only (QEMU keeps
 * bits 3:0) and works in signalling mode (MTU 0).
 *
 * Channels follow Zephyr's MBOX-over-IPM bridge on its MHU IPM driver, so a
 * Zephyr peer with the same devicetree interoperates:
 *  - channel n = CPU n; the outbound channel is the peer's CPU index and the
 *    inbound channel is the own CPU index (read from the SSE-200 CPU_IDENTITY
 *    register at init);
 *  - IPM view: amp_ipm_send() with id = target CPU index rings that CPU; the
 *    IPM callback is called with id = own CPU index. Differences from Zephyr's
 *    IPM driver: the data pointer is NULL and the largest data size is 0
 *    (Zephyr: a pointer to the status word and 1), ids are checked against
 *    the outbound channel (Zephyr also accepts the own index), and
 *    amp_ipm_max_id_val_get() reports 1 (Zephyr reports 0 yet accepts 1).
 *
 * Interrupt: the application's vector for this core's MHU line (SSE-200:
 * MHU0 → IRQ 6, MHU1 → IRQ 7 on both cores) calls amp_mbox_mhu_isr(). The
 * driver enables that NVIC line while the inbound channel is enabled and has a
 * callback; otherwise it keeps the line masked and the hardware status keeps
 * the signal pending, so nothing is lost and nothing storms.
 */
#ifndef AMPLINK_MBOX_MHU_H
#define AMPLINK_MBOX_MHU_H

#include <amplink/mbox.h>

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Register offsets (32-bit access only). */
#define AMP_MHU_CPU0INTR_STAT 0x00u
#define AMP_MHU_CPU0INTR_SET 0x04u
#define AMP_MHU_CPU0INTR_CLR 0x08u
/** Distance between CPU0's and CPU1's register triples. */
#define AMP_MHU_CPU_STRIDE 0x10u
/** CPUs one MHU connects. */
#define AMP_MHU_NUM_CPUS 2u

/** Immutable configuration (may live in flash). */
struct amp_mbox_mhu_cfg {
	/** Base of the MHU register block (SSE-200 MHU0: 0x5000_3000 Secure,
	 *  0x4000_3000 Non-secure). */
	uintptr_t base;
	/** Address of the CPU_IDENTITY register, or 0 for the SSE-200 rule
	 *  Zephyr uses: (base & 0xF000_0000) + 0x1_F000. */
	uintptr_t cpu_identity;
	/** NVIC line of this core's interrupt from this MHU (MHU0: 6), or -1 to
	 *  use the device only through amp_mbox_poll(). */
	int irq;
};

/** Driver state (caller-owned). */
struct amp_mbox_mhu {
	const struct amp_mbox_mhu_cfg *cfg;
	uint32_t cpu;         /**< own CPU index from CPU_IDENTITY */
	uint32_t last_status; /**< status bits taken by the last delivery (diagnostics) */
	uint32_t deliveries;  /**< callbacks run (diagnostics; signals coalesce) */
};

/**
 * @brief Set up @p mbox as the MHU doorbell of the calling core.
 *
 * Reads CPU_IDENTITY, fills in @p mbox (2 channels, outbound = peer CPU,
 * inbound = own CPU, MTU 0, IPM ids = channels) and leaves the interrupt
 * masked until the inbound channel is enabled with a callback. A ring that
 * arrived before init stays pending and is delivered then.
 * @param mbox  the device to fill in (any previous content is discarded)
 * @param mhu   driver state
 * @param cfg   configuration; must outlive @p mbox
 * @retval 0           ready
 * @retval AMP_EINVAL  NULL argument or base 0
 * @retval AMP_ENODEV  CPU_IDENTITY reads a CPU this MHU does not connect (>= 2)
 * Context: thread, before the interrupt is routed to amp_mbox_mhu_isr().
 * Concurrency: once per core and device. Lifetime: @p mhu and @p cfg must
 * outlive @p mbox.
 */
int amp_mbox_mhu_init(struct amp_mbox *mbox, struct amp_mbox_mhu *mhu,
		      const struct amp_mbox_mhu_cfg *cfg);

/**
 * @brief The MHU interrupt handler: takes this core's status bits (read, then
 * write them to the clear register, before any callback so a ring during the
 * callback raises the line again) and delivers one signal on the inbound
 * channel.
 * @param mbox  a device set up by amp_mbox_mhu_init()
 * Context: the MHU interrupt of the core that initialised @p mbox.
 * Concurrency: one core per device state.
 */
void amp_mbox_mhu_isr(struct amp_mbox *mbox);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_MBOX_MHU_H */
