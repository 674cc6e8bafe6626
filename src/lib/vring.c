/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Legacy virtio split ring, driver and device side.
 *
 * Every word the peer writes is loaded exactly once into a local and checked
 * before it is used; our own indices live in private variables and the shared
 * copies are only ever written. Publication order (producer): buffer/entry
 * contents, clean, barrier, index, clean. Consumption order: invalidate index,
 * read it, barrier, invalidate entry, read it.
 */
#include <amplink/config.h>
#include <amplink/errno.h>
#include <amplink/port.h>
#include <amplink/vring.h>

#include <string.h>

#define DESC_WORDS 4u /* a descriptor is 4 u32 words: addr lo, addr hi, len, flags|next */

/*
 * The driver side is what an RPMsg host uses, the device side what a remote
 * uses; with one of them compiled out (include/amplink/config.h) the role and
 * the event-index test are constants and the other side's code disappears.
 */
#if AMP_CONFIG_RPMSG_HOST && AMP_CONFIG_RPMSG_REMOTE
#define IS_DRIVER(vr) ((vr)->cfg->role == AMP_VRING_DRIVER)
#elif AMP_CONFIG_RPMSG_HOST
#define IS_DRIVER(vr) ((void)(vr), true)
#else
#define IS_DRIVER(vr) ((void)(vr), false)
#endif
#define EVENT_IDX(cfg) (AMP_CONFIG_RPMSG_EVENT_IDX && (cfg)->event_idx)

static inline bool busy_test(const struct amp_vring *vr, uint16_t i)
{
	return (vr->busy[i >> 5] >> (i & 31u)) & 1u;
}

static inline void busy_set(struct amp_vring *vr, uint16_t i)
{
	vr->busy[i >> 5] |= 1u << (i & 31u);
}

static inline void busy_clear(struct amp_vring *vr, uint16_t i)
{
	vr->busy[i >> 5] &= ~(1u << (i & 31u));
}

static inline bool is_pow2(uint32_t v)
{
	return v != 0 && (v & (v - 1u)) == 0;
}

/* Shared-memory accessors: one load or one store of the field's own width. */
static inline uint16_t ld16(const volatile uint16_t *p)
{
	amp_port_dcache_invalidate(p, sizeof(*p));
	return *p;
}

static inline void st16(volatile uint16_t *p, uint16_t v)
{
	*p = v;
	amp_port_dcache_clean(p, sizeof(*p));
}

/*
 * For the words only this side writes (descriptors, ring entries): store only
 * what changes them. Once buffers are recycled the same descriptor and entry
 * values come back again and again; a line left unwritten stays valid in the
 * peer's cache, so its next read there is a hit instead of a cache-line
 * transfer on the round trip. The peer never writes these words, so reading
 * them back reads what we wrote (a hostile peer that did write them still
 * gets ours back). The caller cleans the range as before.
 */
static inline void st32_changed(volatile uint32_t *p, uint32_t v)
{
	if (*p != v) {
		*p = v;
	}
}

static inline void st16_changed(volatile uint16_t *p, uint16_t v)
{
	if (*p != v) {
		*p = v;
	}
}

static inline volatile uint16_t *desc_flags_next(const struct amp_vring *vr, uint16_t i)
{
	/* flags at byte 12, next at byte 14 of the descriptor */
	return (volatile uint16_t *)(vr->desc + (size_t)i * DESC_WORDS + 3u);
}

int amp_vring_init(struct amp_vring *vr, const struct amp_vring_cfg *cfg)
{
	if (vr == NULL || cfg == NULL || cfg->mem == NULL || cfg->pool == NULL) {
		return AMP_EINVAL;
	}
	if (!is_pow2(cfg->num) || cfg->num > AMP_VRING_NUM_MAX || !is_pow2(cfg->align) ||
	    cfg->align < 4u || ((uintptr_t)cfg->mem & 3u) != 0 ||
	    (uint64_t)cfg->pool_size - 1u >= 0xFFFFFFFFull ||
	    cfg->pool_phys > UINT64_MAX - cfg->pool_size) {
		return AMP_EINVAL;
	}
	if (cfg->role != AMP_VRING_DRIVER && cfg->role != AMP_VRING_DEVICE) {
		return AMP_EINVAL;
	}
	if ((cfg->role == AMP_VRING_DRIVER ? !AMP_CONFIG_RPMSG_HOST : !AMP_CONFIG_RPMSG_REMOTE) ||
	    (cfg->event_idx && !AMP_CONFIG_RPMSG_EVENT_IDX)) {
		return AMP_ENOTSUP;
	}
	memset(vr, 0, sizeof(*vr));
	vr->cfg = cfg;
	vr->num = (uint16_t)cfg->num;
	vr->mask = (uint16_t)(cfg->num - 1u);

	uint8_t *m = cfg->mem;
	uint32_t n = cfg->num;
	vr->desc = (volatile uint32_t *)(void *)m;
	volatile uint16_t *avail = (volatile uint16_t *)(void *)(m + AMP_VRING_AVAIL_OFFSET(n));
	vr->avail_flags = &avail[0];
	vr->avail_idx = &avail[1];
	vr->avail_ring = &avail[2];
	vr->used_event = &avail[2 + n];
	volatile uint16_t *used =
		(volatile uint16_t *)(void *)(m + AMP_VRING_USED_OFFSET(n, cfg->align));
	vr->used_flags = &used[0];
	vr->used_idx = &used[1];
	vr->used_ring = (volatile uint32_t *)(volatile void *)&used[2];
	vr->avail_event = &used[2 + 4 * n];

	for (uint32_t i = 0; i < n; i++) {
		vr->link[i] = (uint16_t)(i + 1u < n ? i + 1u : AMP_VRING_FREE_END);
	}
	vr->free_head = 0;
	vr->free_cnt = (uint16_t)n;
	vr->cb_enabled = true;
	return 0;
}

void amp_vring_reset_shared(struct amp_vring *vr)
{
	const struct amp_vring_cfg *cfg = vr->cfg;
	uint32_t n = cfg->num;
	size_t size = AMP_VRING_SIZE(n, cfg->align);

	memset(cfg->mem, 0, size);
	for (uint32_t i = 0; i < n; i++) {
		/* flags 0, next = free-chain link */
		desc_flags_next(vr, (uint16_t)i)[1] = vr->link[i];
	}
	amp_port_dcache_clean(cfg->mem, size);
	amp_port_mb();

	vr->prod_idx = 0;
	vr->cons_idx = 0;
	vr->kick_idx = 0;
	vr->own_flags = 0;
	vr->cb_enabled = true;
	for (uint32_t i = 0; i < n; i++) {
		vr->link[i] = (uint16_t)(i + 1u < n ? i + 1u : AMP_VRING_FREE_END);
	}
	vr->free_head = 0;
	vr->free_cnt = (uint16_t)n;
	memset(vr->busy, 0, sizeof(vr->busy));
}

uint64_t amp_vring_to_phys(const struct amp_vring *vr, const void *ptr)
{
	return vr->cfg->pool_phys + (uint64_t)((const uint8_t *)ptr - (const uint8_t *)vr->cfg->pool);
}

/* ---- driver ------------------------------------------------------------ */

int amp_vring_drv_add(struct amp_vring *vr, void *buf, uint32_t len, bool writable, uint16_t *id)
{
	const struct amp_vring_cfg *cfg = vr->cfg;
	if (!IS_DRIVER(vr)) {
		return AMP_EINVAL;
	}
	uintptr_t p = (uintptr_t)buf, pool = (uintptr_t)cfg->pool;
	if (p < pool || p - pool > cfg->pool_size || len > cfg->pool_size - (p - pool)) {
		return AMP_EINVAL;
	}
	if (vr->free_cnt == 0 || vr->free_head >= vr->num) {
		return AMP_ENOMEM;
	}
	uint16_t d = vr->free_head;
	uint32_t off = (uint32_t)(p - pool);
	uint64_t phys = cfg->pool_phys + off;

	vr->free_head = vr->link[d];
	vr->free_cnt--;
	busy_set(vr, d);
	vr->sh[d].off = off;
	vr->sh[d].len = len;

	volatile uint32_t *w = vr->desc + (size_t)d * DESC_WORDS;
	st32_changed(&w[0], (uint32_t)phys);
	st32_changed(&w[1], (uint32_t)(phys >> 32));
	st32_changed(&w[2], len);
	/* flags only: `next` keeps the free-chain link, as OpenAMP leaves it */
	st16_changed(&desc_flags_next(vr, d)[0], (uint16_t)(writable ? AMP_VRING_DESC_F_WRITE : 0u));
	amp_port_dcache_clean(w, AMP_VRING_DESC_SIZE);

	uint16_t slot = vr->prod_idx & vr->mask;
	st16_changed(&vr->avail_ring[slot], d);
	amp_port_dcache_clean(&vr->avail_ring[slot], sizeof(uint16_t));
	/* Descriptor and entry before the index that publishes them: a store
	 * ordering (virtio's write barrier). A full barrier here would stall
	 * on the transfers of every line just written. */
	amp_port_release_fence();
	vr->prod_idx++;
	st16(vr->avail_idx, vr->prod_idx);
	if (id != NULL) {
		*id = d;
	}
	return 0;
}

int amp_vring_drv_get_used(struct amp_vring *vr, uint16_t *id, void **buf, uint32_t *len)
{
	const struct amp_vring_cfg *cfg = vr->cfg;
	if (!IS_DRIVER(vr)) {
		return AMP_EINVAL;
	}
	uint16_t used = ld16(vr->used_idx);
	uint16_t pending = (uint16_t)(used - vr->cons_idx);
	if (pending == 0) {
		return 0;
	}
	if (pending > vr->num) {
		return AMP_EPROTO;
	}
	amp_port_acquire_fence(); /* the entry is read after the index that published it */
	uint16_t slot = vr->cons_idx & vr->mask;
	volatile uint32_t *e = vr->used_ring + 2u * slot;
	amp_port_dcache_invalidate(e, AMP_VRING_USED_ELEM_SIZE);
	uint32_t uid = e[0];
	uint32_t ulen = e[1];
	if (uid >= vr->num || !busy_test(vr, (uint16_t)uid)) {
		return AMP_EPROTO;
	}
	uint16_t d = (uint16_t)uid;
	vr->cons_idx++;
	busy_clear(vr, d);
	/* Free it LIFO and mirror the link into shared memory like OpenAMP. */
	vr->link[d] = vr->free_head;
	st16_changed(&desc_flags_next(vr, d)[1], vr->free_head);
	amp_port_dcache_clean(desc_flags_next(vr, d), 4);
	vr->free_head = d;
	vr->free_cnt++;
	if (EVENT_IDX(cfg) && vr->cb_enabled) {
		st16(vr->used_event, vr->cons_idx);
	}

	*id = d;
	*buf = (uint8_t *)cfg->pool + vr->sh[d].off;
	if (ulen > vr->sh[d].len) {
		*len = 0;
		return AMP_EBADMSG;
	}
	*len = ulen;
	return 1;
}

uint16_t amp_vring_drv_free_count(const struct amp_vring *vr)
{
	return vr->free_cnt;
}

/* ---- device ------------------------------------------------------------ */

int amp_vring_dev_get_avail(struct amp_vring *vr, uint16_t *head, void **buf, uint32_t *len)
{
	const struct amp_vring_cfg *cfg = vr->cfg;
	if (IS_DRIVER(vr)) {
		return AMP_EINVAL;
	}
	uint16_t avail = ld16(vr->avail_idx);
	uint16_t pending = (uint16_t)(avail - vr->cons_idx);
	if (pending == 0) {
		return 0;
	}
	if (pending > vr->num) {
		return AMP_EPROTO;
	}
	amp_port_acquire_fence(); /* entry and descriptor after the index */
	uint16_t h = ld16(&vr->avail_ring[vr->cons_idx & vr->mask]);
	if (h >= vr->num || busy_test(vr, h)) {
		return AMP_EPROTO;
	}
	vr->cons_idx++;
	busy_set(vr, h);
	if (EVENT_IDX(cfg) && vr->cb_enabled) {
		st16(vr->avail_event, vr->cons_idx);
	}
	*head = h;
	*buf = NULL;
	*len = 0;

	volatile uint32_t *w = vr->desc + (size_t)h * DESC_WORDS;
	amp_port_dcache_invalidate(w, AMP_VRING_DESC_SIZE);
	uint64_t addr = (uint64_t)w[0] | ((uint64_t)w[1] << 32);
	uint32_t dlen = w[2];
	uint16_t flags = desc_flags_next(vr, h)[0];

	uint32_t max = cfg->max_len ? cfg->max_len : (uint32_t)cfg->pool_size;
	bool want_write = cfg->device_writes;
	bool has_write = (flags & AMP_VRING_DESC_F_WRITE) != 0;
	/* The pool is below 4 GiB (init), so an offset with a non-zero upper
	 * word, including one that wrapped below the pool, is outside it; the
	 * rest is 32-bit. */
	const uint64_t off64 = addr - cfg->pool_phys;
	const uint32_t off = (uint32_t)off64;
	const uint32_t psize = (uint32_t)cfg->pool_size;
	if ((flags & (AMP_VRING_DESC_F_NEXT | AMP_VRING_DESC_F_INDIRECT)) != 0 ||
	    has_write != want_write || dlen < cfg->min_len || dlen > max || (off64 >> 32) != 0 ||
	    off > psize || dlen > psize - off) {
		vr->sh[h].off = 0;
		vr->sh[h].len = 0;
		return AMP_EBADMSG;
	}
	vr->sh[h].off = off;
	vr->sh[h].len = dlen;
	*buf = (uint8_t *)cfg->pool + off;
	*len = dlen;
	return 1;
}

int amp_vring_dev_put_used(struct amp_vring *vr, uint16_t head, uint32_t len)
{
	if (IS_DRIVER(vr) || head >= vr->num || !busy_test(vr, head)) {
		return AMP_EINVAL;
	}
	busy_clear(vr, head);
	volatile uint32_t *e = vr->used_ring + 2u * (vr->prod_idx & vr->mask);
	st32_changed(&e[0], head);
	st32_changed(&e[1], len);
	amp_port_dcache_clean(e, AMP_VRING_USED_ELEM_SIZE);
	amp_port_release_fence(); /* the entry before the index that publishes it */
	vr->prod_idx++;
	st16(vr->used_idx, vr->prod_idx);
	return 0;
}

/* ---- both sides --------------------------------------------------------- */

int amp_vring_pending(const struct amp_vring *vr)
{
	uint16_t peer = IS_DRIVER(vr) ? ld16(vr->used_idx) : ld16(vr->avail_idx);
	uint16_t pending = (uint16_t)(peer - vr->cons_idx);
	if (pending > vr->num) {
		return AMP_EPROTO;
	}
	return pending;
}

/* Does the peer want a notification for what we published? */
static bool peer_wants_notify(const struct amp_vring *vr, uint16_t old_idx, uint16_t new_idx)
{
	bool driver = IS_DRIVER(vr);
	if (EVENT_IDX(vr->cfg)) {
		uint16_t ev = driver ? ld16(vr->avail_event) : ld16(vr->used_event);
		/* notify if ev lies in [old, new) */
		return (uint16_t)(new_idx - ev - 1u) < (uint16_t)(new_idx - old_idx);
	}
	if (driver) {
		return (ld16(vr->used_flags) & AMP_VRING_USED_F_NO_NOTIFY) == 0;
	}
	return (ld16(vr->avail_flags) & AMP_VRING_AVAIL_F_NO_INTERRUPT) == 0;
}

bool amp_vring_need_notify(struct amp_vring *vr)
{
	uint16_t new_idx = vr->prod_idx;
	uint16_t old_idx = vr->kick_idx;
	vr->kick_idx = new_idx;
	if (new_idx == old_idx) {
		return false;
	}
	/* A notification is always safe, so a "yes" needs no barrier. Only a
	 * "no" must be confirmed after a full barrier (our index visible before
	 * we look at the peer's wish), against a peer that re-enables and then
	 * re-checks the ring; the peers that never suppress (amplink's own) so
	 * never pay for that barrier. */
	if (peer_wants_notify(vr, old_idx, new_idx)) {
		return true;
	}
	amp_port_mb();
	return peer_wants_notify(vr, old_idx, new_idx);
}

void amp_vring_notified(struct amp_vring *vr)
{
	vr->kick_idx = vr->prod_idx;
}

void amp_vring_disable_cb(struct amp_vring *vr)
{
	bool driver = IS_DRIVER(vr);
	vr->cb_enabled = false;
	if (EVENT_IDX(vr->cfg)) {
		st16(driver ? vr->used_event : vr->avail_event,
		     (uint16_t)(vr->cons_idx - vr->num - 1u));
	} else {
		vr->own_flags |= driver ? AMP_VRING_AVAIL_F_NO_INTERRUPT : AMP_VRING_USED_F_NO_NOTIFY;
		st16(driver ? vr->avail_flags : vr->used_flags, vr->own_flags);
	}
	amp_port_mb();
}

bool amp_vring_enable_cb(struct amp_vring *vr)
{
	bool driver = IS_DRIVER(vr);
	vr->cb_enabled = true;
	if (EVENT_IDX(vr->cfg)) {
		st16(driver ? vr->used_event : vr->avail_event, vr->cons_idx);
	} else {
		vr->own_flags &=
			(uint16_t)~(driver ? AMP_VRING_AVAIL_F_NO_INTERRUPT : AMP_VRING_USED_F_NO_NOTIFY);
		st16(driver ? vr->avail_flags : vr->used_flags, vr->own_flags);
	}
	amp_port_mb(); /* our wish is visible before we look at the ring again */
	return amp_vring_pending(vr) != 0;
}

bool amp_vring_own_idx_intact(const struct amp_vring *vr)
{
	bool driver = IS_DRIVER(vr);
	if ((driver ? ld16(vr->avail_idx) : ld16(vr->used_idx)) != vr->prod_idx) {
		return false;
	}
	if (!EVENT_IDX(vr->cfg) &&
	    (driver ? ld16(vr->avail_flags) : ld16(vr->used_flags)) != vr->own_flags) {
		return false;
	}
	return true;
}
