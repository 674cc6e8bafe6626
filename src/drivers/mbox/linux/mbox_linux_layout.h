/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Shared layout of the Linux doorbell region. Every field is a fixed-width
 * little-endian word; the driver accesses the 32-bit words atomically (they
 * are the futex words and the flags both processes race on). The offsets are
 * part of the wire format between two processes, hence the asserts.
 *
 *   0x0000  header (64 bytes)
 *   0x0040  side 0: bell (192 bytes), taken (128), 32 slots of 64 bytes
 *   0x0980  side 1: the same
 *   0x12c0  end (4800 bytes)
 *
 * "Side s" holds what is addressed TO side s. Channel n is pending for s while
 * bell.ring[n] (rings so far, counted by the sender) differs from
 * taken.taken[n] (the ring count s last took). The sender only writes the bell
 * lines and s only writes its taken lines, so a ring moves one cache line
 * from sender to receiver and nothing comes back: the receiver takes a signal
 * with a plain store into its own line instead of an atomic read-modify-write
 * on the sender's. Rings coalesce (a count that moved by three is one pending
 * signal) and survive a restart of either side, as pending bits would.
 * bell.seq, bumped after every ring, is the futex word s sleeps on; s raises
 * bell.sleeping (ASLEEP) before it sleeps so that a sender knows to
 * FUTEX_WAKE. The one sender that moves it from ASLEEP to WOKEN makes the
 * system call, and s sleeps only while the word still reads ASLEEP (it waits
 * on both words at once): a sender that saw the flag of a LATER sleep than the
 * one its ring was meant for, and spent its wake-up before s was in the
 * kernel, therefore cannot leave s asleep with the flag down (version 2 lost
 * that wake-up for good under heavy two-way traffic).
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
#define AMP_MBOX_LINUX_VERSION 3u
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

/* bell.sleeping: the receiver raises AWAKE -> ASLEEP before it sleeps and
 * lowers it to AWAKE when it wakes; a sender moves ASLEEP -> WOKEN (by
 * compare-and-swap) and then wakes it. */
#define AMP_MBOX_LINUX_AWAKE 0u
#define AMP_MBOX_LINUX_ASLEEP 1u
#define AMP_MBOX_LINUX_WOKEN 2u

/* Written by the sending side (and `sleeping` by both). */
struct amp_mbox_linux_bell {
	uint32_t seq;      /* bumped after every ring: the futex word */
	uint32_t sleeping; /* AMP_MBOX_LINUX_AWAKE / _ASLEEP / _WOKEN */
	uint32_t ring[AMP_MBOX_MAX_CHANNELS]; /* rings so far, per channel */
	uint8_t reserved[56];
};

/* Written by the receiving side only. */
struct amp_mbox_linux_taken {
	uint32_t taken[AMP_MBOX_MAX_CHANNELS]; /* ring count last taken */
};

struct amp_mbox_linux_side {
	struct amp_mbox_linux_bell bell;
	struct amp_mbox_linux_taken taken;
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
_Static_assert(sizeof(struct amp_mbox_linux_bell) == 192, "bell size");
_Static_assert(offsetof(struct amp_mbox_linux_bell, sleeping) == 4, "sleeping offset");
_Static_assert(offsetof(struct amp_mbox_linux_bell, ring) == 8, "ring offset");
_Static_assert(sizeof(struct amp_mbox_linux_taken) == 128, "taken size");
_Static_assert(offsetof(struct amp_mbox_linux_side, taken) == 192, "taken offset");
_Static_assert(offsetof(struct amp_mbox_linux_side, slot) == 320, "slots offset");
_Static_assert(sizeof(struct amp_mbox_linux_side) == 320 + 32 * 64, "side size");
_Static_assert(offsetof(struct amp_mbox_linux_region, side) == 0x40, "side 0 offset");
_Static_assert(offsetof(struct amp_mbox_linux_region, side[1]) == 0x980, "side 1 offset");
_Static_assert(sizeof(struct amp_mbox_linux_region) == AMP_MBOX_LINUX_REGION_SIZE,
	       "region size");
_Static_assert(AMP_MBOX_MAX_CHANNELS == 32, "the layout has 32 channels");
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the Linux doorbell accesses its little-endian words natively"
#endif

/* Shared between the device code and the doorbell thread (mbox_linux_irq.c). */
int amp_mbox_linux_irq_attach(struct amp_mbox_linux *drv);
bool amp_mbox_linux_irq_has(const struct amp_mbox_linux *drv);
int amp_mbox_linux_irq_detach(struct amp_mbox_linux *drv);
void amp_mbox_linux_irq_kick(void);
int amp_mbox_linux_service(struct amp_mbox_linux *drv);
bool amp_mbox_linux_idle(struct amp_mbox_linux *drv, uint32_t *seq);

#endif /* AMPLINK_MBOX_LINUX_LAYOUT_H */
