/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file amplink/vring.h
 * @brief The legacy virtio split ring ("vring") as RPMsg uses it, driver and
 * device side, with every value the peer writes validated before use.
 *
 * Layout of a ring of `num` descriptors (num a power of two) with alignment
 * `align`, offsets from the ring start, all fields little-endian:
 *
 *   0                    desc[num]  {u64 addr; u32 len; u16 flags; u16 next}  driver writes
 *   16*num               avail      {u16 flags; u16 idx; u16 ring[num]; u16 used_event}  driver writes
 *   U = ROUND_UP(16*num + 6 + 2*num, align)
 *   U                    used       {u16 flags; u16 idx; {u32 id; u32 len} ring[num]; u16 avail_event}  device writes
 *   total                U + 6 + 8*num
 *
 * The *driver* (RPMsg host) owns the descriptors and every buffer: it posts
 * buffers on the avail ring and gets them back on the used ring. The *device*
 * (RPMsg remote) takes buffers from the avail ring and returns them on the used
 * ring. Indices are free-running u16 values; slot = idx & (num - 1).
 *
 * Descriptor addresses are peer-visible ("physical") addresses. Each ring is
 * given one buffer pool (local pointer + peer-visible address + size); every
 * address is translated through it and every address the peer wrote must lie
 * wholly inside it.
 *
 * Trust: the driver never reads descriptors back from shared memory (it keeps
 * a private shadow of what it posted) and accepts a used id only if that
 * descriptor is outstanding; the device snapshots each descriptor once and
 * checks it (no chains, no indirect tables, the expected WRITE direction,
 * address and length inside the pool). An index that moves by more than `num`
 * is corruption. Violations return AMP_EPROTO (the ring cannot be trusted any
 * more) or AMP_EBADMSG (this one entry is bad, its buffer is handed back so the
 * caller can recycle it); nothing the peer writes can make these functions read
 * or write outside the ring and the pool, or loop.
 *
 * The free descriptors of the driver are chained through the `next` fields in
 * shared memory exactly as OpenAMP chains them (LIFO, end marker 0x8000), so a
 * driver built on this file produces byte-identical rings; the chain is also
 * kept privately and the shared copy is never read.
 *
 * Not thread-safe: the caller serialises all calls on one ring (the RPMsg
 * transport does so with amp_port_irq_lock()).
 */
#ifndef AMPLINK_VRING_H
#define AMPLINK_VRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__BYTE_ORDER__) && defined(__ORDER_BIG_ENDIAN__)
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#error "amplink vrings are little-endian; big-endian cores are not supported"
#endif
#endif

/** Largest ring this build supports (private shadow arrays are sized by it).
 *  Override at build time (-DAMP_VRING_NUM_MAX=1024); must be a power of two. */
#ifndef AMP_VRING_NUM_MAX
#define AMP_VRING_NUM_MAX 256
#endif

/** @name Descriptor flags */
/**@{*/
#define AMP_VRING_DESC_F_NEXT     1u /**< chained to desc[next] (rejected: RPMsg never chains) */
#define AMP_VRING_DESC_F_WRITE    2u /**< device writes the buffer */
#define AMP_VRING_DESC_F_INDIRECT 4u /**< indirect table (rejected) */
/**@}*/
/** avail.flags: the driver asks not to be interrupted when buffers are used. */
#define AMP_VRING_AVAIL_F_NO_INTERRUPT 1u
/** used.flags: the device asks not to be notified when buffers are posted. */
#define AMP_VRING_USED_F_NO_NOTIFY 1u
/** End marker of the driver's free-descriptor chain (OpenAMP's value). */
#define AMP_VRING_FREE_END 0x8000u
/** Feature bit number of VIRTIO_RING_F_EVENT_IDX. */
#define AMP_VRING_F_EVENT_IDX 29

/** @name Layout (num descriptors, alignment align: a power of two >= 4) */
/**@{*/
#define AMP_VRING_DESC_SIZE 16u
#define AMP_VRING_USED_ELEM_SIZE 8u
#define AMP_VRING_ROUND_UP(x, a) ((((x) + (a) - 1u) / (a)) * (a))
#define AMP_VRING_AVAIL_OFFSET(num) (AMP_VRING_DESC_SIZE * (num))
#define AMP_VRING_USED_OFFSET(num, align) \
	AMP_VRING_ROUND_UP(AMP_VRING_DESC_SIZE * (num) + 6u + 2u * (num), (align))
#define AMP_VRING_SIZE(num, align) (AMP_VRING_USED_OFFSET(num, align) + 6u + 8u * (num))
/**@}*/

/** One descriptor as it lies in shared memory. */
struct amp_vring_desc {
	uint64_t addr;  /**< peer-visible buffer address */
	uint32_t len;   /**< buffer length */
	uint16_t flags; /**< AMP_VRING_DESC_F_* */
	uint16_t next;  /**< chain link (free-list link while the descriptor is free) */
};

/** One used-ring element as it lies in shared memory. */
struct amp_vring_used_elem {
	uint32_t id;  /**< head descriptor index */
	uint32_t len; /**< bytes written by the device (RPMsg: the whole buffer) */
};

_Static_assert(sizeof(struct amp_vring_desc) == 16, "vring descriptor is 16 bytes");
_Static_assert(offsetof(struct amp_vring_desc, len) == 8, "desc.len at 8");
_Static_assert(offsetof(struct amp_vring_desc, flags) == 12, "desc.flags at 12");
_Static_assert(offsetof(struct amp_vring_desc, next) == 14, "desc.next at 14");
_Static_assert(sizeof(struct amp_vring_used_elem) == 8, "used element is 8 bytes");
_Static_assert((AMP_VRING_NUM_MAX & (AMP_VRING_NUM_MAX - 1)) == 0 && AMP_VRING_NUM_MAX <= 32768,
	       "AMP_VRING_NUM_MAX must be a power of two <= 32768");

/** Which side of the ring this core is. */
enum amp_vring_role {
	AMP_VRING_DRIVER = 0, /**< posts buffers (RPMsg host) */
	AMP_VRING_DEVICE = 1, /**< consumes and returns buffers (RPMsg remote) */
};

/** Description of one ring (may live in RAM or flash; must outlive the ring). */
struct amp_vring_cfg {
	void *mem;                /**< ring start, this core's view */
	uint32_t num;             /**< descriptors: power of two, 1..AMP_VRING_NUM_MAX */
	uint32_t align;           /**< used-ring alignment: power of two >= 4 */
	enum amp_vring_role role; /**< this core's side */
	bool event_idx;           /**< VIRTIO_RING_F_EVENT_IDX negotiated by both sides */
	void *pool;               /**< buffer pool, this core's view */
	uint64_t pool_phys;       /**< peer-visible address of @ref pool */
	size_t pool_size;         /**< pool size in bytes */
	/** Device role: true if the driver posts buffers for the device to fill
	 *  (AMP_VRING_DESC_F_WRITE must be set), false if for it to read (must be clear). */
	bool device_writes;
	uint32_t min_len;         /**< device role: smallest descriptor length accepted */
	uint32_t max_len;         /**< device role: largest descriptor length accepted (0 = pool size) */
};

/** Private record of one descriptor (what was posted, or the device's snapshot). */
struct amp_vring_shadow {
	uint32_t off; /**< buffer offset in the pool */
	uint32_t len; /**< buffer length */
};

/** One side's state of a ring (caller-owned). */
struct amp_vring {
	const struct amp_vring_cfg *cfg;
	/* Shared words, accessed at their natural width only (the ring may be
	 * only 4-byte aligned, so a descriptor's u64 address is two u32 halves). */
	volatile uint32_t *desc;      /**< desc[i] = 4 words at desc + 4*i */
	volatile uint16_t *avail_flags, *avail_idx, *avail_ring, *used_event;
	volatile uint16_t *used_flags, *used_idx, *avail_event;
	volatile uint32_t *used_ring; /**< elem i = {id, len} at used_ring + 2*i */
	uint16_t num, mask;
	uint16_t prod_idx;     /**< driver: next avail idx; device: next used idx (our own index) */
	uint16_t cons_idx;     /**< driver: next used entry; device: next avail entry (peer's index we follow) */
	uint16_t kick_idx;     /**< prod_idx at the last notification decision */
	uint16_t own_flags;    /**< our copy of the flags word we own */
	uint16_t free_head;    /**< driver: head of the free chain */
	uint16_t free_cnt;     /**< driver: free descriptors */
	bool cb_enabled;       /**< we currently ask the peer to notify us */
	uint32_t busy[AMP_VRING_NUM_MAX / 32]; /**< driver: posted; device: held */
	uint16_t link[AMP_VRING_NUM_MAX];      /**< driver: private free chain */
	struct amp_vring_shadow sh[AMP_VRING_NUM_MAX];
};

/**
 * @brief Check a configuration and bind @p vr to it. Touches no shared memory.
 *
 * Private state starts at index 0 with callbacks enabled. Use
 * amp_vring_reset_shared() (driver) to initialise the ring memory.
 * @param[out] vr  state to initialise
 * @param cfg      description; must outlive @p vr
 * @retval 0          ready
 * @retval AMP_EINVAL NULL argument, num not a power of two or > AMP_VRING_NUM_MAX,
 *                    align not a power of two >= 4, ring memory not 4-byte aligned,
 *                    pool larger than 4 GiB
 * Context: any. Concurrency: not with other calls on @p vr.
 * Lifetime: @p cfg, the ring memory and the pool must outlive @p vr.
 */
int amp_vring_init(struct amp_vring *vr, const struct amp_vring_cfg *cfg);

/**
 * @brief Driver: zero the whole ring in shared memory and chain the free
 * descriptors (desc[i].next = i + 1, last = AMP_VRING_FREE_END), as OpenAMP does;
 * resets the private state to match.
 * Context: any. Concurrency: the device must not use the ring meanwhile.
 */
void amp_vring_reset_shared(struct amp_vring *vr);

/**
 * @brief Driver: post one buffer (a single descriptor) and publish it on the avail ring.
 *
 * @param buf      buffer start (this core's view), inside the pool
 * @param len      buffer length
 * @param writable true if the device is to write it (AMP_VRING_DESC_F_WRITE)
 * @param[out] id  descriptor used (optional)
 * @retval 0          posted (notify the peer later with amp_vring_need_notify())
 * @retval AMP_ENOMEM no free descriptor
 * @retval AMP_EINVAL not the driver, or the buffer is not inside the pool
 * Context: any. Concurrency: serialise with every other call on @p vr.
 */
int amp_vring_drv_add(struct amp_vring *vr, void *buf, uint32_t len, bool writable, uint16_t *id);

/**
 * @brief Driver: take the next used entry the device returned.
 *
 * @param[out] id   descriptor returned
 * @param[out] buf  its buffer (from the private shadow, never from shared memory)
 * @param[out] len  the length the device reported
 * @return 1 when an entry was taken, 0 when there is none
 * @retval AMP_EBADMSG the entry's length exceeds what was posted: the descriptor is
 *                     still taken back (@p id, @p buf valid, @p len = 0); recycle the buffer
 * @retval AMP_EPROTO  the used index moved by more than num, or the id is out of
 *                     range or not outstanding: the ring is corrupt, stop using it
 * @retval AMP_EINVAL  not the driver
 * Context: any. Concurrency: serialise with every other call on @p vr.
 */
int amp_vring_drv_get_used(struct amp_vring *vr, uint16_t *id, void **buf, uint32_t *len);

/**
 * @brief Driver: number of free descriptors.
 * @param vr  the ring
 * @return 0..num
 * Context: any. Concurrency: serialise with every other call on @p vr.
 */
uint16_t amp_vring_drv_free_count(const struct amp_vring *vr);

/**
 * @brief Device: take the next buffer the driver made available.
 *
 * The descriptor is read once and checked: id < num and not already held,
 * no NEXT/INDIRECT flag, the WRITE flag as the configuration expects, length
 * within [min_len, max_len], address range inside the pool.
 * @param[out] head  descriptor index (hand it back with amp_vring_dev_put_used())
 * @param[out] buf   buffer (translated, this core's view)
 * @param[out] len   buffer length
 * @return 1 when a buffer was taken, 0 when there is none
 * @retval AMP_EBADMSG the descriptor is invalid; @p head is valid and held, give it
 *                     back with amp_vring_dev_put_used(head, 0); @p buf is NULL
 * @retval AMP_EPROTO  the avail index moved by more than num, or the head is out of
 *                     range or already held: the ring is corrupt, stop using it
 * @retval AMP_EINVAL  not the device
 * Context: any. Concurrency: serialise with every other call on @p vr.
 */
int amp_vring_dev_get_avail(struct amp_vring *vr, uint16_t *head, void **buf, uint32_t *len);

/**
 * @brief Device: return a held buffer on the used ring and publish it.
 * @param head  as returned by amp_vring_dev_get_avail()
 * @param len   length to report (RPMsg reports the whole buffer)
 * @retval 0          returned
 * @retval AMP_EINVAL not the device, or @p head is not held
 * Context: any. Concurrency: serialise with every other call on @p vr.
 */
int amp_vring_dev_put_used(struct amp_vring *vr, uint16_t head, uint32_t len);

/**
 * @brief Entries waiting for us (driver: used entries; device: avail entries).
 * @return count 0..num
 * @retval AMP_EPROTO the peer's index moved by more than num
 * Context: any. Concurrency: serialise with every other call on @p vr.
 */
int amp_vring_pending(const struct amp_vring *vr);

/**
 * @brief Decide whether the peer must be notified of what we published since
 * the last call (suppression flag, or the event index when negotiated), and
 * start a new batch. Call once per burst, then ring the doorbell if true.
 * @param vr  the ring
 * Context: any. Concurrency: serialise with every other call on @p vr.
 */
bool amp_vring_need_notify(struct amp_vring *vr);

/**
 * @brief Record that the peer is being notified anyway (a doorbell shared
 * with another ring is rung): what was published so far needs no decision,
 * and the next amp_vring_need_notify() starts from here. Spares that call,
 * whose "no" costs a full barrier.
 * @param vr  the ring
 * Context: any. Concurrency: serialise with every other call on @p vr.
 */
void amp_vring_notified(struct amp_vring *vr);

/**
 * @brief Ask the peer not to notify us about this ring (driver: avail.flags
 * NO_INTERRUPT; device: used.flags NO_NOTIFY; with event index: park the event
 * word out of reach, as OpenAMP does). A hint: notifications may still come.
 * @param vr  the ring
 * Context: any. Concurrency: serialise with every other call on @p vr.
 */
void amp_vring_disable_cb(struct amp_vring *vr);

/**
 * @brief Ask the peer to notify us again. Returns true if entries are already
 * pending (a corrupt index counts as pending), in which case the caller must
 * look at the ring: no notification will come for them.
 * @param vr  the ring
 * Context: any. Concurrency: serialise with every other call on @p vr.
 */
bool amp_vring_enable_cb(struct amp_vring *vr);

/**
 * @brief True if the index and flags words we own still hold what we last
 * wrote (driver: avail.idx/flags; device: used.idx/flags). False means someone
 * else rewrote the ring (e.g. the host re-initialised it after a restart).
 * @param vr  the ring
 * Context: any. Concurrency: serialise with every other call on @p vr.
 */
bool amp_vring_own_idx_intact(const struct amp_vring *vr);

/**
 * @brief Peer-visible address of a pool pointer (no range check).
 * @param vr   the ring
 * @param ptr  a pointer into the ring's pool
 * Context: any. Concurrency: reentrant (reads the configuration only).
 */
uint64_t amp_vring_to_phys(const struct amp_vring *vr, const void *ptr);

#ifdef __cplusplus
}
#endif
#endif /* AMPLINK_VRING_H */
