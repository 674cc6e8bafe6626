/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared layout of the Linux doorbell region. Every field is a fixed-width
 * little-endian word; the driver accesses the 32-bit words atomically (they
 * are the futex words and the flags both processes race on). The offsets are
 * part of the wire format between two processes, hence the asserts.
 *
 *   0x0000  header (64 bytes)
 *   0x0040  side 0: control (64 bytes), then 32 slots of 64 bytes
 *   0x0880  side 1: the same
 *   0x10c0  end (4288 bytes)
 *
 * "Side s" holds what is addressed TO side s: its pending word (set by the
 * other side, taken by s), the sleeping word s raises before it sleeps, and the
 * data slots the other side fills and s empties.
 */
#ifndef AMPLINK_MBOX_LINUX_LAYOUT_H
#define AMPLINK_MBOX_LINUX_LAYOUT_H

#include <amplink/mbox.h>
#include <amplink/mbox_linux.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "AMBX" read as a little-endian word. */
#define AMP_MBOX_LINUX_MAGIC 0x58424d41u
#define AMP_MBOX_LINUX_VERSION 1u

/* geometry word: version | num_channels << 8 | mtu << 16 (0 = not set up yet) */
#define AMP_MBOX_LINUX_GEOMETRY(nch, mtu) \
	(AMP_MBOX_LINUX_VERSION | ((uint32_t)(nch) << 8) | ((uint32_t)(mtu) << 16))
#define AMP_MBOX_LINUX_GEOMETRY_VERSION(g) ((g) & 0xffu)

/* Slot states. Only the sending side moves EMPTY -> WRITING -> FULL; only the
 * receiving side moves FULL -> EMPTY (after the callback returned). */
#define AMP_MBOX_LINUX_SLOT_EMPTY 0u
#define AMP_MBOX_LINUX_SLOT_WRITING 1u
#define AMP_MBOX_LINUX_SLOT_FULL 2u

struct amp_mbox_linux_hdr {
	uint32_t magic;       /* AMP_MBOX_LINUX_MAGIC once set up */
	uint32_t geometry;    /* set once, by compare-and-swap from 0 */
	uint32_t rx_mask[2];  /* inbound channels each side declared (diagnostics) */
	uint32_t pid[2];      /* process id of each side's last opener (diagnostics) */
	uint8_t reserved[40];
};

struct amp_mbox_linux_slot {
	uint32_t state;                       /* AMP_MBOX_LINUX_SLOT_* */
	uint32_t len;                         /* valid when FULL; checked <= MTU */
	uint8_t data[AMP_MBOX_LINUX_MTU_MAX]; /* len bytes */
};

struct amp_mbox_linux_ctl {
	uint32_t pending;  /* bit n: channel n rang; the futex word */
	uint32_t sleeping; /* 1: the receiver is (about to be) in FUTEX_WAIT */
	uint8_t reserved[56];
};

struct amp_mbox_linux_side {
	struct amp_mbox_linux_ctl ctl;
	struct amp_mbox_linux_slot slot[AMP_MBOX_MAX_CHANNELS];
};

struct amp_mbox_linux_region {
	struct amp_mbox_linux_hdr hdr;
	struct amp_mbox_linux_side side[2];
};

_Static_assert(sizeof(struct amp_mbox_linux_hdr) == 64, "header size");
_Static_assert(offsetof(struct amp_mbox_linux_hdr, geometry) == 4, "geometry offset");
_Static_assert(offsetof(struct amp_mbox_linux_hdr, rx_mask) == 8, "rx_mask offset");
_Static_assert(offsetof(struct amp_mbox_linux_hdr, pid) == 16, "pid offset");
_Static_assert(sizeof(struct amp_mbox_linux_slot) == 64, "slot size");
_Static_assert(offsetof(struct amp_mbox_linux_slot, len) == 4, "len offset");
_Static_assert(offsetof(struct amp_mbox_linux_slot, data) == 8, "data offset");
_Static_assert(sizeof(struct amp_mbox_linux_ctl) == 64, "control size");
_Static_assert(offsetof(struct amp_mbox_linux_ctl, sleeping) == 4, "sleeping offset");
_Static_assert(sizeof(struct amp_mbox_linux_side) == 64 + 32 * 64, "side size");
_Static_assert(offsetof(struct amp_mbox_linux_region, side) == 0x40, "side 0 offset");
_Static_assert(offsetof(struct amp_mbox_linux_region, side[1]) == 0x880, "side 1 offset");
_Static_assert(sizeof(struct amp_mbox_linux_region) == AMP_MBOX_LINUX_REGION_SIZE,
	       "region size");
_Static_assert(AMP_MBOX_MAX_CHANNELS == 32, "one pending bit per channel in a 32-bit word");
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the Linux doorbell accesses its little-endian words natively"
#endif

/* Shared between the device code and the doorbell thread (mbox_linux_irq.c). */
int amp_mbox_linux_irq_attach(struct amp_mbox_linux *drv);
bool amp_mbox_linux_irq_has(const struct amp_mbox_linux *drv);
int amp_mbox_linux_irq_detach(struct amp_mbox_linux *drv);
void amp_mbox_linux_irq_kick(void);
int amp_mbox_linux_service(struct amp_mbox_linux *drv);

#endif /* AMPLINK_MBOX_LINUX_LAYOUT_H */
