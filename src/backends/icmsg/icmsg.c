/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ICMsg: bonding, the v2 session handshake, sending and receive processing.
 *
 * Wire rules (docs/SPEC-icmsg.md): each side writes the ring of its tx region
 * and the handshake word of its rx region; it reads the other two. A v2 side
 * resets its tx ring only after it has seen a NEW session request from the
 * peer, because only then is the peer guaranteed not to be reading it. Every
 * write and every state change is followed by one doorbell.
 *
 * Everything the peer controls (indices, packet lengths, the handshake word)
 * is loaded once and checked; pbuf does that for the ring. A corrupt ring is
 * reported once through the `error` callback and the pass ends, so a hostile
 * peer can make us do nothing useful but never loop or touch memory outside
 * the regions.
 */
#include "amp_log.h"
#include "icmsg_internal.h"

#include <amplink/config.h>
#include <amplink/errno.h>
#include <amplink/icmsg.h>
#include <amplink/port.h>

#include <string.h>

/* "Em1l1K0rn3li4": the bonding packet of v1 (and of v2 talking to v1). */
static const uint8_t icmsg_magic[AMP_ICMSG_MAGIC_LEN] = {
	0x45, 0x6d, 0x31, 0x6c, 0x31, 0x4b, 0x30, 0x72, 0x6e, 0x33, 0x6c, 0x69, 0x34,
};

/*
 * A reader that frees space rings the writer, which may be waiting in
 * amp_icmsg_send_wait() (Zephyr's reader never does; a doorbell only means
 * "look", so it is harmless to any peer). It must never miss a writer that is
 * stuck, yet not ring for every small message. The rule, checked once at the
 * end of a pass that consumed anything:
 *
 *   ring if  consumed + still_queued + max(largest seen, len / 2) + 8 > len
 *
 * where consumed is what the pass took out of the ring and still_queued is
 * what a fresh load of wr_idx, after a full barrier that follows our last
 * rd_idx store, shows. Why no stuck writer is missed (a Dekker argument; the
 * writer stores wr_idx, then a full barrier, then loads rd_idx, see
 * amp_icmsg_send_wait()): a writer is stuck on a message of m bytes after it
 * published W and then read R with W - R > len - m - 8. Either our final load
 * saw W, and R is at least the rd_idx of the pass start (an older R would mean
 * the writer read it before an earlier pass's final load, which then saw W and
 * decided the same way), so consumed + still_queued >= W - R; or it did not,
 * then the writer's load of rd_idx came after our last store and R is our
 * final rd_idx: W was published afterwards with a doorbell, and the next pass
 * starts at R. In both cases the sum exceeds len - m - 8 as long as m is at
 * most max(largest seen, len / 2): only a writer's first message larger than
 * anything it sent before and than half the ring can fall back on the
 * bounded re-check below.
 */
#define ICMSG_SPACE_SLACK 8u

/* Re-check period of amp_icmsg_send_wait() for peers that never ring for space. */
#define ICMSG_SPACE_RECHECK_US 1000

static bool is_connected(int st)
{
	return st == AMP_ICMSG_CONNECTED_V1 || st == AMP_ICMSG_CONNECTED_V2;
}

static const char *ic_name(const struct amp_icmsg *ic)
{
	return (ic->cfg != NULL && ic->cfg->name != NULL) ? ic->cfg->name : "icmsg";
}

static int notify(struct amp_icmsg *ic)
{
	int r = amp_mbox_send(ic->cfg->mbox, ic->cfg->tx_channel, NULL);
	if (r == 0) {
		AMP_STAT_INC(ic->stats.notifies);
	} else {
		AMP_LOGW("%s: doorbell failed (%d)", ic_name(ic), r);
	}
	return r;
}

static void report_error(struct amp_icmsg *ic, const char *msg)
{
	AMP_LOGE("%s: %s", ic_name(ic), msg);
	if (ic->ept != NULL && ic->ept->cb.error != NULL) {
		ic->ept->cb.error(msg, ic->ept->priv);
	}
}

static void call_bound(struct amp_icmsg *ic)
{
	if (ic->ept != NULL && ic->ept->cb.bound != NULL) {
		ic->ept->cb.bound(ic->ept->priv);
	}
}

static void call_unbound(struct amp_icmsg *ic)
{
	if (ic->ept != NULL && ic->ept->cb.unbound != NULL) {
		ic->ept->cb.unbound(ic->ept->priv);
	}
}

static void mbox_cb(struct amp_mbox *mbox, uint32_t channel, void *user_data,
		    const struct amp_mbox_msg *msg)
{
	(void)mbox;
	(void)channel;
	(void)msg;
	(void)amp_icmsg_process(user_data);
}

/* ---- init ----------------------------------------------------------------- */

int amp_icmsg_init(struct amp_icmsg *ic, const struct amp_icmsg_cfg *cfg)
{
	if (ic == NULL) {
		return AMP_EINVAL;
	}
	memset(ic, 0, sizeof(*ic));
	if (cfg == NULL || cfg->mbox == NULL || cfg->tx_region == NULL || cfg->rx_region == NULL ||
	    cfg->profile > AMP_ICMSG_DETECT ||
	    (cfg->rx_buf == NULL && cfg->rx_buf_size != 0)) {
		return AMP_EINVAL;
	}
	/* Profiles compiled out (amplink/config.h) are refused, never ignored. */
	if ((cfg->profile == AMP_ICMSG_V1 && !AMP_CONFIG_ICMSG_V1) ||
	    (cfg->profile == AMP_ICMSG_V2 && !AMP_CONFIG_ICMSG_V2) ||
	    (cfg->profile == AMP_ICMSG_DETECT && !AMP_CONFIG_ICMSG_DETECT)) {
		return AMP_ENOTSUP;
	}
	const bool hs = cfg->profile != AMP_ICMSG_V1;
	ic->tx_pcfg = (struct amp_pbuf_cfg){ cfg->tx_region, cfg->tx_size, cfg->dcache_align, hs };
	ic->rx_pcfg = (struct amp_pbuf_cfg){ cfg->rx_region, cfg->rx_size, cfg->dcache_align, hs };
	if (amp_pbuf_cfg_check(&ic->tx_pcfg) != 0 || amp_pbuf_cfg_check(&ic->rx_pcfg) != 0) {
		AMP_LOGE("%s: ring configuration rejected (size/alignment%s)",
			 cfg->name != NULL ? cfg->name : "icmsg",
			 hs ? "; v2/detect need dcache_align >= 8" : "");
		return AMP_EINVAL;
	}
	uint32_t ring_max = AMP_ICMSG_RING_MAX_MSG(cfg->tx_size, cfg->dcache_align, hs);
	if (ring_max > AMP_PBUF_MAX_PACKET) {
		ring_max = AMP_PBUF_MAX_PACKET;
	}
	/* The bonding magic must fit, or v1/detect could never bind. */
	if (cfg->peer_max_msg > ring_max || ring_max < AMP_ICMSG_MAGIC_LEN ||
	    AMP_ICMSG_RING_MAX_MSG(cfg->rx_size, cfg->dcache_align, hs) < AMP_ICMSG_MAGIC_LEN) {
		return AMP_EINVAL;
	}
	ic->peer_max_msg = cfg->peer_max_msg != 0 ? cfg->peer_max_msg : AMP_ICMSG_PEER_MAX_MSG_DEFAULT;
	if (ic->peer_max_msg > ring_max) {
		ic->peer_max_msg = ring_max;
	}
	/* Reader-side init computes the ring pointers and writes nothing: the
	 * tx ring must stay untouched until the protocol allows resetting it. */
	(void)amp_pbuf_rx_init(&ic->tx, &ic->tx_pcfg);
	(void)amp_pbuf_rx_init(&ic->rx, &ic->rx_pcfg);
	amp_port_event_init(&ic->space_ev);
	ic->cfg = cfg;
	ic->state = AMP_ICMSG_OFF;
	ic->inst.ops = &amp_icmsg_backend_ops;
	ic->inst.backend = ic;
	ic->inst.name = cfg->name;
	return 0;
}

struct amp_ipc_instance *amp_icmsg_instance(struct amp_icmsg *ic)
{
	return ic != NULL ? &ic->inst : NULL;
}

/* ---- open / close --------------------------------------------------------- */

/* Start our ring afresh with the bonding magic (v1, and detect's fallback). */
static int write_magic(struct amp_icmsg *ic)
{
	(void)amp_pbuf_tx_init(&ic->tx, &ic->tx_pcfg);
	int r = amp_pbuf_write(&ic->tx, icmsg_magic, sizeof(icmsg_magic));
	ic->tx_only_magic = r >= 0;
	return r;
}

/* A v2 session id: non-zero and different from what the peer currently
 * acknowledges, so the peer always sees a change (Zephyr's rule, derived from
 * the word in our tx region). */
static uint16_t pick_sid(struct amp_icmsg *ic)
{
	uint32_t w = amp_pbuf_handshake_read(&ic->tx);
	uint16_t ack = (uint16_t)(w >> 16);
	uint16_t sid = (uint16_t)(w + 1u);

	while (sid == 0 || sid == ack) {
		sid++;
	}
	return sid;
}

static int enable_rx(struct amp_icmsg *ic)
{
	if (ic->mbox_on) {
		return 0;
	}
	/* Callback first: enabling delivers signals that are already pending. */
	int r = amp_mbox_register_callback(ic->cfg->mbox, ic->cfg->rx_channel, mbox_cb, ic);
	if (r == 0) {
		r = amp_mbox_set_enabled(ic->cfg->mbox, ic->cfg->rx_channel, true);
		if (r == AMP_EALREADY) {
			r = 0;
		}
	}
	if (r == 0) {
		ic->mbox_on = true;
	}
	return r;
}

int amp_icmsg_open(struct amp_icmsg *ic, const struct amp_ipc_ept_cfg *ept)
{
	if (ic == NULL || ept == NULL || ic->cfg == NULL) {
		return AMP_EINVAL;
	}
	uint32_t key = amp_port_irq_lock();
	int r = 0;

	if (AMP_CONFIG_ICMSG_V1 && ic->cfg->profile == AMP_ICMSG_V1) {
		if (ic->state != AMP_ICMSG_OFF) {
			r = AMP_EALREADY;
			goto out;
		}
		(void)amp_pbuf_rx_init(&ic->rx, &ic->rx_pcfg);
		r = write_magic(ic);
		if (r < 0) {
			goto out;
		}
		ic->state = AMP_ICMSG_INIT_V1;
		ic->bond_notify_armed = true;
	} else {
		ic->state = ic->cfg->profile == AMP_ICMSG_V2 ? AMP_ICMSG_INIT_V2 : AMP_ICMSG_INIT_DETECT;
		(void)amp_pbuf_rx_init(&ic->rx, &ic->rx_pcfg);
		(void)amp_pbuf_rx_init(&ic->tx, &ic->tx_pcfg); /* pointers only, see init */
		ic->local_sid = pick_sid(ic);
		ic->remote_sid = 0;
		amp_pbuf_handshake_write(&ic->rx, ic->local_sid);
		ic->bond_notify_armed = false;
	}
	ic->ept = ept;
	ic->rx_broken = false;
	ic->epoch++;
	r = enable_rx(ic);
	if (r != 0) {
		ic->state = AMP_ICMSG_OFF;
		ic->ept = NULL;
		goto out;
	}
	/* A failed doorbell is logged but not fatal: the peer also finds our
	 * magic/handshake on its next pass for any other reason. */
	(void)notify(ic);
out:
	amp_port_irq_unlock(key);
	return r;
}

int amp_icmsg_close(struct amp_icmsg *ic)
{
	if (ic == NULL || ic->cfg == NULL) {
		return AMP_EINVAL;
	}
	uint32_t key = amp_port_irq_lock();

	if (ic->state == AMP_ICMSG_OFF) {
		amp_port_irq_unlock(key);
		return AMP_EALREADY;
	}
	if (ic->cfg->profile != AMP_ICMSG_V1) {
		/* "No session": the peer's next pass sees the change and unbinds. */
		amp_pbuf_handshake_write(&ic->rx, 0);
	}
	ic->state = AMP_ICMSG_OFF;
	ic->ept = NULL;
	ic->bond_notify_armed = false;
	ic->epoch++;
	(void)notify(ic);
	if (ic->mbox_on) {
		(void)amp_mbox_set_enabled(ic->cfg->mbox, ic->cfg->rx_channel, false);
		ic->mbox_on = false;
	}
	amp_port_irq_unlock(key);
	/* A sender waiting for space must learn that the session is gone. */
	if (__atomic_load_n(&ic->tx_waiters, __ATOMIC_SEQ_CST) != 0) {
		amp_port_event_post(&ic->space_ev);
	}
	return 0;
}

/* ---- send ------------------------------------------------------------------ */

int amp_icmsg_send(struct amp_icmsg *ic, const void *data, size_t len)
{
	if (ic == NULL || data == NULL || ic->cfg == NULL) {
		return AMP_EINVAL;
	}
	uint32_t key = amp_port_irq_lock();
	const int st = ic->state;
	int r;

	if (st == AMP_ICMSG_DISCONNECTED) {
		r = AMP_ENOTCONN; /* Zephyr: returns len and drops the data */
	} else if (!is_connected(st)) {
		r = AMP_EBUSY;
	} else if (len == 0) {
		r = AMP_ENODATA;
	} else if (len > ic->peer_max_msg) {
		if (!ic->emsgsize_logged) {
			ic->emsgsize_logged = true;
			AMP_LOGE("%s: refusing a %zu-byte message: the peer receives at most %u "
				 "bytes (peer_max_msg; a Zephyr peer would stall its ring for good)",
				 ic_name(ic), len, (unsigned)ic->peer_max_msg);
		}
		r = AMP_EMSGSIZE;
	} else {
		r = amp_pbuf_write(&ic->tx, data, len);
		if (r == (int)len) {
			ic->tx_only_magic = false;
			AMP_STAT_INC(ic->stats.tx_msgs);
			AMP_STAT_ADD(ic->stats.tx_bytes, len);
			if (ic->in_burst) {
				ic->burst_unrung = true; /* rung once, at the end */
			} else {
				int n = notify(ic);
				if (n < 0) {
					r = n;
				}
			}
		} else if (r == AMP_ENOMEM) {
			AMP_STAT_INC(ic->stats.tx_full);
		} else if (r >= 0) {
			r = AMP_EBADMSG; /* short write: cannot happen with a sane pbuf */
		} else {
			AMP_STAT_INC(ic->stats.proto_errors);
			report_error(ic, "peer's read index of the tx ring is corrupt");
		}
	}
	amp_port_irq_unlock(key);
	return r;
}

int amp_icmsg_send_wait(struct amp_icmsg *ic, const void *data, size_t len, int64_t timeout_us)
{
	int r = amp_icmsg_send(ic, data, len);

	if (r != AMP_ENOMEM || timeout_us == AMP_NO_WAIT || amp_port_in_isr()) {
		return r;
	}
	/* Under the lock: another thread's burst makes us wait here until it
	 * ends; our own is seen as open (the lock nests) and must not wait. */
	const uint32_t key = amp_port_irq_lock();
	const bool own_burst = ic->in_burst;
	amp_port_irq_unlock(key);
	if (own_burst) {
		return r;
	}
	const uint64_t deadline =
		timeout_us > 0 ? amp_port_now_ns() + (uint64_t)timeout_us * 1000u : 0;

	__atomic_fetch_add(&ic->tx_waiters, 1u, __ATOMIC_ACQ_REL);
	for (;;) {
		/* Registered as a waiter before this attempt, so space freed
		 * after it posts the event and the wait below returns at once.
		 * The barrier is the writer's half of the Dekker pair with the
		 * reader's space ring (see ICMSG_SPACE_SLACK): our last wr_idx
		 * store is visible before this attempt loads rd_idx. */
		amp_port_mb();
		r = amp_icmsg_send(ic, data, len);
		if (r != AMP_ENOMEM) {
			break;
		}
		int64_t slice = ICMSG_SPACE_RECHECK_US;
		if (timeout_us > 0) {
			uint64_t now = amp_port_now_ns();
			if (now >= deadline) {
				r = AMP_ETIMEDOUT;
				break;
			}
			uint64_t left_us = (deadline - now + 999u) / 1000u;
			if (left_us < (uint64_t)slice) {
				slice = (int64_t)left_us;
			}
		}
		if (amp_port_event_wait(&ic->space_ev, slice) == AMP_ETIMEDOUT) {
			const uint32_t k = amp_port_irq_lock();
			AMP_STAT_INC(ic->stats.space_timeouts);
			amp_port_irq_unlock(k);
		}
	}
	__atomic_fetch_sub(&ic->tx_waiters, 1u, __ATOMIC_ACQ_REL);
	return r;
}

int amp_icmsg_burst_begin(struct amp_icmsg *ic)
{
	if (ic == NULL || ic->cfg == NULL) {
		return AMP_EINVAL;
	}
	const uint32_t key = amp_port_irq_lock();
	if (ic->in_burst) {
		amp_port_irq_unlock(key);
		return AMP_EALREADY;
	}
	ic->burst_key = key;
	ic->in_burst = true;
	ic->burst_unrung = false;
	return 0; /* the lock stays held until amp_icmsg_burst_end() */
}

int amp_icmsg_burst_end(struct amp_icmsg *ic)
{
	if (ic == NULL || ic->cfg == NULL || !ic->in_burst) {
		return AMP_EINVAL;
	}
	int r = 0;
	if (ic->burst_unrung) {
		ic->burst_unrung = false;
		r = notify(ic);
		if (r == 0) {
			r = 1;
		}
	}
	ic->in_burst = false;
	amp_port_irq_unlock(ic->burst_key);
	return r;
}

/* ---- receive processing ---------------------------------------------------- */

/* Corrupt rx ring: report once per session, end the pass (no retry loop). */
static void rx_corrupt(struct amp_icmsg *ic, int err)
{
	AMP_STAT_INC(ic->stats.proto_errors);
	if (!ic->rx_broken) {
		ic->rx_broken = true;
		report_error(ic, err == AMP_EAGAIN ? "rx ring: packet longer than what the peer published"
						   : "rx ring: corrupt write index or packet header");
	}
}

/* Compare a packet's payload (possibly wrapped) with the magic. */
static bool is_magic(const volatile uint8_t *f, size_t fl, const volatile uint8_t *s, size_t sl,
		     size_t len)
{
	if (len < AMP_ICMSG_MAGIC_LEN) {
		return false;
	}
	for (size_t i = 0; i < AMP_ICMSG_MAGIC_LEN; i++) {
		uint8_t b = i < fl ? f[i] : (s != NULL && i - fl < sl ? s[i - fl] : 0);
		if (b != icmsg_magic[i]) {
			return false;
		}
	}
	return true;
}

/* Consume a packet without delivering it; 1 if consumed, 0 if the ring changed
 * under us (reported; the pass ends instead of retrying). */
static int drop_packet(struct amp_icmsg *ic, size_t len)
{
	if (amp_pbuf_read_release(&ic->rx, len) != 0) {
		rx_corrupt(ic, AMP_EPROTO);
		return 0;
	}
	AMP_STAT_INC(ic->stats.rx_dropped);
	ic->rx_consumed++;
	ic->rx_pass_bytes += 4u + (((uint32_t)len + 3u) & ~3u);
	return 1;
}

/* What the peer's session request must still be after a packet was loaded. */
enum rx_check {
	RX_CHECK_V1,     /* v1: the peer has not re-initialised its ring */
	RX_CHECK_SID,    /* v2: the session we acknowledged */
	RX_CHECK_CLOSED, /* v2: the peer closed (0) and has not opened again */
};

/*
 * True if the peer has not started a new session since it wrote what we just
 * loaded. A restarted peer publishes its new request before it may reset its
 * ring, and it cannot write new data before we acknowledge it; so packets
 * loaded BEFORE a check that still shows the old request are intact, and the
 * payload of one stays intact until we open again (Zephyr relies on the same
 * order: read, then check).
 */
static bool session_unchanged(struct amp_icmsg *ic, enum rx_check check)
{
	if (check == RX_CHECK_V1) {
		/* Only we write the shared read index, except a restarting peer. */
		volatile uint32_t *loc = ic->rx.rd_idx_loc;
		amp_port_dcache_invalidate(loc, sizeof(uint32_t));
		amp_port_mb();
		return *loc == ic->rx.rd_idx;
	}
	const uint16_t req = (uint16_t)(amp_pbuf_handshake_read(&ic->tx) & 0xffffu);
	return req == (check == RX_CHECK_SID ? ic->remote_sid : 0u);
}

/*
 * Deliver the next packet. Returns 1 when a packet was consumed (delivered or
 * dropped), 0 when there was none or the ring is corrupt, -1 when the peer's
 * session changed under us (nothing consumed; the ring is no longer ours).
 */
static int rx_one(struct amp_icmsg *ic, int *delivered, enum rx_check check)
{
	const volatile uint8_t *f, *s;
	size_t fl, sl;
	int len = amp_pbuf_read_peek(&ic->rx, &f, &fl, &s, &sl);

	if (len <= 0) {
		if (!session_unchanged(ic, check)) {
			return -1; /* a reset ring reads as garbage: not the peer's fault */
		}
		if (len < 0) {
			rx_corrupt(ic, len);
		}
		return 0;
	}
	const struct amp_ipc_ept_cfg *ept = ic->ept;
	const struct amp_icmsg_cfg *cfg = ic->cfg;
	const void *ptr;
	bool released = false;

	if (s == NULL && !cfg->rx_copy) {
		/* Zero copy: the payload is contiguous in the ring. */
		ptr = (const void *)(uintptr_t)f;
		if (!session_unchanged(ic, check)) {
			return -1;
		}
	} else if ((size_t)len <= (cfg->rx_buf != NULL ? cfg->rx_buf_size : AMP_ICMSG_RX_INLINE)) {
		uint8_t *b = cfg->rx_buf != NULL ? cfg->rx_buf : ic->rx_inline;
		/* memcpy, not a volatile byte loop (16 KiB took ~10 us that way):
		 * the pieces were published before the wr_idx we acquired, and a
		 * peer that rewrites them now only garbles its own message, whose
		 * length was checked already. */
		memcpy(b, (const void *)(uintptr_t)f, fl);
		if (sl != 0) {
			memcpy(b + fl, (const void *)(uintptr_t)s, sl);
		}
		ptr = b;
		if (!session_unchanged(ic, check)) {
			return -1;
		}
		if (amp_pbuf_read_release(&ic->rx, (size_t)len) != 0) {
			rx_corrupt(ic, AMP_EPROTO);
			return 0;
		}
		released = true;
	} else {
		if (!session_unchanged(ic, check)) {
			return -1;
		}
		if (!drop_packet(ic, (size_t)len)) {
			return 0;
		}
		report_error(ic, "received message does not fit the bounce buffer: dropped");
		return 1;
	}
	ic->rx_broken = false;

	const uint32_t epoch = ic->epoch;
	if ((uint32_t)len > ic->rx_max_seen) {
		ic->rx_max_seen = (uint32_t)len;
	}
	ic->rx_consumed++;
	ic->rx_pass_bytes += 4u + (((uint32_t)len + 3u) & ~3u);
	AMP_STAT_INC(ic->stats.rx_msgs);
	AMP_STAT_ADD(ic->stats.rx_bytes, (uint64_t)len);
	(*delivered)++;
	if (ept != NULL && ept->cb.received != NULL) {
		ept->cb.received(ptr, (size_t)len, ept->priv);
	}
	/* A callback that closed or re-opened the instance reset the ring state:
	 * the packet belongs to the old session, nothing left to give back. */
	if (!released && ic->epoch == epoch) {
		/* v1: giving the slot back would overwrite the evidence of a
		 * restart that happened while the callback ran. */
		if (check == RX_CHECK_V1 && !session_unchanged(ic, check)) {
			return -1;
		}
		if (amp_pbuf_read_release(&ic->rx, (size_t)len) != 0) {
			rx_corrupt(ic, AMP_EPROTO);
		}
	}
	return 1;
}

/* v1 bonding: the first packet must be the magic (longer ones are accepted,
 * as Zephyr does, for future protocol versions). */
static int step_init_v1(struct amp_icmsg *ic)
{
	const volatile uint8_t *f, *s;
	size_t fl, sl;
	int len = amp_pbuf_read_peek(&ic->rx, &f, &fl, &s, &sl);

	if (len <= 0) {
		if (len < 0) {
			rx_corrupt(ic, len);
		}
		return 0;
	}
	if (!is_magic(f, fl, s, sl, (size_t)len)) {
		/* A correct v1 peer re-initialises its ring and writes the magic
		 * first, so this is a ring from before that (the peer is still
		 * restarting, or has not noticed that we did): wait for the next
		 * doorbell instead of parsing it (Zephyr drops it and reads on,
		 * into whatever the stale ring holds). */
		if (!ic->rx_broken) {
			ic->rx_broken = true;
			AMP_LOGW("%s: first packet is not the bonding magic: "
				 "waiting for the peer to re-initialise its ring", ic_name(ic));
		}
		return 0;
	}
	if (amp_pbuf_read_release(&ic->rx, (size_t)len) != 0) {
		rx_corrupt(ic, AMP_EPROTO);
		return 0;
	}
	ic->state = AMP_ICMSG_CONNECTED_V1;
	ic->rx_broken = false;
	call_bound(ic);
	(void)notify(ic);
	return 1;
}

/*
 * v1 has no sessions, but a restarted v1 peer re-initialises its ring — which
 * zeroes the read index that only we write — and starts it with the magic.
 * Zephyr's v1 does not notice and reads stale bytes; amplink re-bonds: reset
 * our ring, write our magic (the peer waits for it), report `unbound`.
 */
static void v1_rebond(struct amp_icmsg *ic)
{
	AMP_STAT_INC(ic->stats.peer_resets);
	AMP_LOGW("%s: the v1 peer re-initialised its ring: bonding again", ic_name(ic));
	/* If our ring still holds nothing but our magic, the new peer finds
	 * (or already found) exactly what a re-initialised ring would hold;
	 * resetting it anyway could pull the ring from under a peer that has
	 * bonded to it already and make it restart in turn. */
	if (!ic->tx_only_magic) {
		write_magic(ic);
	}
	(void)notify(ic);
	call_unbound(ic);
}

static int step_connected_v1(struct amp_icmsg *ic, int *delivered)
{
	if (!session_unchanged(ic, RX_CHECK_V1)) {
		/* Whatever is in the ring now belongs to the new incarnation,
		 * starting with its magic at data[0]. */
		(void)amp_pbuf_rx_init(&ic->rx, &ic->rx_pcfg);
		ic->state = AMP_ICMSG_INIT_V1;
		v1_rebond(ic);
		return 1;
	}
	if (ic->rx.rd_idx == 0) {
		/* Reset while we stood at index 0 looks like a bare magic packet
		 * there: the peer restarted and is already bonded to us. */
		const volatile uint8_t *f, *s;
		size_t fl, sl;
		int len = amp_pbuf_read_peek(&ic->rx, &f, &fl, &s, &sl);
		if (len == AMP_ICMSG_MAGIC_LEN && is_magic(f, fl, s, sl, (size_t)len)) {
			if (amp_pbuf_read_release(&ic->rx, (size_t)len) != 0) {
				rx_corrupt(ic, AMP_EPROTO);
				return 0;
			}
			v1_rebond(ic);
			if (ic->state == AMP_ICMSG_CONNECTED_V1) {
				call_bound(ic);
			}
			return 1;
		}
	}
	const int r = rx_one(ic, delivered, RX_CHECK_V1);
	if (r < 0) {
		(void)amp_pbuf_rx_init(&ic->rx, &ic->rx_pcfg);
		ic->state = AMP_ICMSG_INIT_V1;
		v1_rebond(ic);
		return 1;
	}
	return r;
}

/* detect: a v1 peer's ring starts with the bare 13-byte magic. */
static int step_detect_v1(struct amp_icmsg *ic)
{
	const volatile uint8_t *p;
	size_t len;

	if (amp_pbuf_get_initial_buf(&ic->rx, &p, &len) != 0 || len != AMP_ICMSG_MAGIC_LEN ||
	    !is_magic(p, len, NULL, 0, len)) {
		return 0;
	}
	if (write_magic(ic) < 0) {
		return 0;
	}
	ic->state = AMP_ICMSG_INIT_V1;
	(void)notify(ic);
	return 1;
}

/* v2 handshake: returns 1 when something changed. */
static int step_handshake(struct amp_icmsg *ic)
{
	const uint32_t w = amp_pbuf_handshake_read(&ic->tx);
	const uint16_t req = (uint16_t)(w & 0xffffu);
	const uint16_t ack = (uint16_t)(w >> 16);
	int changed = 0;

	if (req != 0 && req != ic->remote_sid) {
		/* The peer started a new session and no longer reads our ring. */
		(void)amp_pbuf_tx_init(&ic->tx, &ic->tx_pcfg);
		ic->tx_only_magic = false;
		ic->remote_sid = req;
		amp_pbuf_handshake_write(&ic->rx, (uint32_t)ic->local_sid | ((uint32_t)req << 16));
		changed = 1;
	}
	if (ack == ic->local_sid && ic->remote_sid != 0) {
		ic->state = AMP_ICMSG_CONNECTED_V2;
		call_bound(ic);
		changed = 1;
	}
	if (changed) {
		(void)notify(ic);
	}
	return changed;
}

static int step_connected_v2(struct amp_icmsg *ic, int *delivered)
{
	/* The common case costs one look at the handshake word per packet: the
	 * check after loading it, inside rx_one(). */
	int r = rx_one(ic, delivered, RX_CHECK_SID);
	if (r >= 0) {
		return r;
	}
	const uint16_t req = (uint16_t)(amp_pbuf_handshake_read(&ic->tx) & 0xffffu);
	if (req == 0) {
		/* The peer closed: what it wrote before is intact for as long as it
		 * has not opened again, so it is delivered before `unbound` (Zephyr
		 * drops it). */
		r = rx_one(ic, delivered, RX_CHECK_CLOSED);
		if (r > 0) {
			return r;
		}
	}
	/* Closed and drained, or restarted: a restarted peer may already be
	 * resetting its ring, so nothing in it can be trusted any more. */
	ic->state = AMP_ICMSG_DISCONNECTED;
	call_unbound(ic);
	return 1;
}

/* One unit of work; 1 if it did something, 0 if nothing was pending. */
static int step(struct amp_icmsg *ic, int *delivered)
{
	/* Constant conditions: a profile compiled out (amplink/config.h) cannot
	 * reach its states, and the compiler drops its code. */
	switch (ic->state) {
	case AMP_ICMSG_INIT_V1:
		return AMP_CONFIG_ICMSG_V1 ? step_init_v1(ic) : 0;
	case AMP_ICMSG_INIT_DETECT:
		if (AMP_CONFIG_ICMSG_DETECT && step_detect_v1(ic)) {
			return 1;
		}
		return AMP_CONFIG_ICMSG_V2 ? step_handshake(ic) : 0;
	case AMP_ICMSG_INIT_V2:
		return AMP_CONFIG_ICMSG_V2 ? step_handshake(ic) : 0;
	case AMP_ICMSG_CONNECTED_V1:
		return AMP_CONFIG_ICMSG_V1 ? step_connected_v1(ic, delivered) : 0;
	case AMP_ICMSG_CONNECTED_V2:
		return AMP_CONFIG_ICMSG_V2 ? step_connected_v2(ic, delivered) : 0;
	default:
		return 0; /* OFF, DISCONNECTED: nothing is read until opened again */
	}
}

/*
 * Bytes the writer has published beyond our read index, loaded after a full
 * barrier (our rd_idx stores before this load: the reader's half of the
 * Dekker pair). 0 for a bogus wr_idx: the next pass reports it.
 */
static uint32_t rx_queued(struct amp_icmsg *ic)
{
	const struct amp_pbuf *pb = &ic->rx;
	amp_port_mb();
	amp_port_dcache_invalidate(pb->wr_idx_loc, sizeof(uint32_t));
	const uint32_t wr = *pb->wr_idx_loc;
	const uint32_t rd = pb->rd_idx;
	if (wr >= pb->len || (wr % 4u) != 0 || rd >= pb->len) {
		return 0;
	}
	return wr >= rd ? wr - rd : pb->len - (rd - wr);
}

static bool space_ring_needed(struct amp_icmsg *ic)
{
	const uint64_t len = ic->rx.len;
	uint64_t big = len / 2u;
	if (ic->rx_max_seen > big) {
		big = ic->rx_max_seen;
	}
	const uint64_t span = (uint64_t)ic->rx_pass_bytes + rx_queued(ic);
	return span + big + ICMSG_SPACE_SLACK > len;
}

/*
 * Our handshake word shares a cache line with rd_idx of the ring the peer
 * writes, and the peer's ring reset (pbuf tx init, done when it sees our new
 * session) writes that whole line back. On cores without coherent caches that
 * write-back can carry an old copy of our word and erase our acknowledgement,
 * after which neither side would ever bind. So once per pass (never in a loop,
 * whatever the peer does) the word is checked and written again if it is not
 * what we last wrote; the caller then rings the peer. On coherent memory it
 * never differs, and nothing extra is written or rung.
 */
static bool reassert_handshake(struct amp_icmsg *ic)
{
	if (!AMP_CONFIG_ICMSG_V2 || (ic->state != AMP_ICMSG_INIT_V2 &&
				     ic->state != AMP_ICMSG_INIT_DETECT &&
				     ic->state != AMP_ICMSG_CONNECTED_V2)) {
		return false;
	}
	const uint32_t mine = (uint32_t)ic->local_sid | ((uint32_t)ic->remote_sid << 16);
	if (amp_pbuf_handshake_read(&ic->rx) == mine) {
		return false;
	}
	amp_pbuf_handshake_write(&ic->rx, mine);
	return true;
}

static int process(struct amp_icmsg *ic, uint32_t budget, int *delivered)
{
	uint32_t key = amp_port_irq_lock();
	int units = 0;

	if (ic->in_process) {
		amp_port_irq_unlock(key);
		return 0;
	}
	ic->in_process = true;
	ic->rx_pass_bytes = 0;
	const uint32_t rx0 = ic->rx_consumed;
	const bool reasserted = reassert_handshake(ic);

	while ((uint32_t)units < budget && step(ic, delivered) > 0) {
		units++;
	}
	if (reasserted) {
		(void)notify(ic);
	}
	if (ic->rx_consumed != rx0 && is_connected(ic->state) && space_ring_needed(ic)) {
		if (notify(ic) == 0) {
			AMP_STAT_INC(ic->stats.space_rings);
		}
	}
	ic->in_process = false;
	amp_port_irq_unlock(key);
	if (__atomic_load_n(&ic->tx_waiters, __ATOMIC_SEQ_CST) != 0) {
		amp_port_event_post(&ic->space_ev);
	}
	return units;
}

int amp_icmsg_process(struct amp_icmsg *ic)
{
	if (ic == NULL || ic->cfg == NULL) {
		return AMP_EINVAL;
	}
	int delivered = 0;
	(void)process(ic, UINT32_MAX, &delivered);
	return delivered;
}

int amp_icmsg_process_budget(struct amp_icmsg *ic, uint32_t budget)
{
	if (ic == NULL || ic->cfg == NULL) {
		return AMP_EINVAL;
	}
	int delivered = 0;
	return process(ic, budget, &delivered);
}

/* ---- bonding helpers and queries -------------------------------------------- */

int amp_icmsg_bond_notify(struct amp_icmsg *ic)
{
	if (ic == NULL || ic->cfg == NULL) {
		return AMP_EINVAL;
	}
	uint32_t key = amp_port_irq_lock();
	int r = 0;

	if (ic->bond_notify_armed) {
		if (ic->state != AMP_ICMSG_INIT_V1) {
			ic->bond_notify_armed = false; /* the last ring, as Zephyr's timer */
		}
		r = notify(ic);
		if (r == 0) {
			r = 1;
		}
	}
	amp_port_irq_unlock(key);
	return r;
}

int amp_icmsg_wait_bound(struct amp_icmsg *ic, int64_t timeout_us)
{
	if (ic == NULL || ic->cfg == NULL) {
		return AMP_EINVAL;
	}
	const uint32_t period = ic->cfg->bond_notify_us != 0 ? ic->cfg->bond_notify_us
							     : AMP_ICMSG_BOND_NOTIFY_US_DEFAULT;
	const uint64_t start = amp_port_now_ns();
	uint64_t last_ring = start;

	for (;;) {
		(void)amp_icmsg_process(ic);
		const int st = __atomic_load_n(&ic->state, __ATOMIC_ACQUIRE);
		if (is_connected(st)) {
			return 0;
		}
		if (st == AMP_ICMSG_OFF) {
			return AMP_EBUSY;
		}
		if (st == AMP_ICMSG_DISCONNECTED) {
			return AMP_ENOTCONN;
		}
		const uint64_t now = amp_port_now_ns();
		if (timeout_us >= 0 && now - start >= (uint64_t)timeout_us * 1000u) {
			return AMP_ETIMEDOUT;
		}
		if (now - last_ring >= (uint64_t)period * 1000u) {
			last_ring = now;
			(void)amp_icmsg_bond_notify(ic);
		}
		amp_port_sleep_us(period < 200u ? period : 200u);
	}
}

int amp_icmsg_state(const struct amp_icmsg *ic)
{
	return ic != NULL ? __atomic_load_n(&ic->state, __ATOMIC_ACQUIRE) : AMP_EINVAL;
}

int amp_icmsg_max_msg(const struct amp_icmsg *ic)
{
	if (ic == NULL || ic->cfg == NULL) {
		return AMP_EINVAL;
	}
	return (int)ic->peer_max_msg;
}

int amp_icmsg_get_stats(const struct amp_icmsg *ic, struct amp_icmsg_stats *out)
{
	if (ic == NULL || out == NULL) {
		return AMP_EINVAL;
	}
	*out = ic->stats;
	return 0;
}
