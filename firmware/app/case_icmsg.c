/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ICMsg (v2 session profile) through the IPC service, MHU doorbells, the two
 * tx regions in shared SRAM:
 *  - icmsg_exchange: bind, then ICMSG_MSGS messages each way at once (sequence
 *    numbers, checksums, lengths 8..128), received in the MHU interrupt;
 *  - icmsg_peer_reset: bind, exchange, then core 1 "reboots" (its mailbox and
 *    ICMsg state are re-initialised from scratch, nothing is closed) and binds
 *    again with a new session; core 0 must see `unbound`, register again, bind,
 *    and a second exchange must be complete and in order;
 *  - icmsg_v1_detect: core 1 speaks frozen v1 (magic bonding), core 0 runs
 *    the "detect" profile and must fall back to v1; then an exchange.
 */
#include <amplink/errno.h>
#include <amplink/icmsg.h>
#include <amplink/ipc.h>
#include <amplink/port.h>
#include <amplink/port_baremetal.h>

#include <string.h>

#include "cases.h"
#include "fw.h"

#define ICMSG_MSGS 3000u
#define ICMSG_RESET_MSGS 300u
#define ICMSG_MAX 128u /* a Zephyr peer's default receive limit */

static const struct amp_icmsg_cfg icmsg_cfg[2] = {
	{ .name = "ipc0", .tx_region = (void *)FW_ICMSG_C0_ADDR, .tx_size = FW_ICMSG_SIZE,
	  .rx_region = (void *)FW_ICMSG_C1_ADDR, .rx_size = FW_ICMSG_SIZE, .mbox = &fw_mbox,
	  .tx_channel = 1, .rx_channel = 0, .profile = AMP_ICMSG_V2, .dcache_align = 8,
	  .peer_max_msg = ICMSG_MAX },
	{ .name = "ipc0", .tx_region = (void *)FW_ICMSG_C1_ADDR, .tx_size = FW_ICMSG_SIZE,
	  .rx_region = (void *)FW_ICMSG_C0_ADDR, .rx_size = FW_ICMSG_SIZE, .mbox = &fw_mbox,
	  .tx_channel = 0, .rx_channel = 1, .profile = AMP_ICMSG_V2, .dcache_align = 8,
	  .peer_max_msg = ICMSG_MAX },
};

/* Core 0 "detect", core 1 v1: what a v2-capable core meets beside old firmware. */
static const struct amp_icmsg_cfg icmsg_v1_cfg[2] = {
	{ .name = "ipc0", .tx_region = (void *)FW_ICMSG_C0_ADDR, .tx_size = FW_ICMSG_SIZE,
	  .rx_region = (void *)FW_ICMSG_C1_ADDR, .rx_size = FW_ICMSG_SIZE, .mbox = &fw_mbox,
	  .tx_channel = 1, .rx_channel = 0, .profile = AMP_ICMSG_DETECT, .dcache_align = 8,
	  .peer_max_msg = ICMSG_MAX },
	{ .name = "ipc0", .tx_region = (void *)FW_ICMSG_C1_ADDR, .tx_size = FW_ICMSG_SIZE,
	  .rx_region = (void *)FW_ICMSG_C0_ADDR, .rx_size = FW_ICMSG_SIZE, .mbox = &fw_mbox,
	  .tx_channel = 0, .rx_channel = 1, .profile = AMP_ICMSG_V1, .dcache_align = 8,
	  .peer_max_msg = ICMSG_MAX },
};

struct ic_side {
	struct amp_icmsg ic;
	struct amp_ipc_ept ept;
	volatile uint32_t bound, unbound, errors;
	volatile uint32_t rx_count, rx_bad;
	uint32_t salt;
	const char *why;
};

static struct ic_side side;

struct ic_shared {
	volatile uint32_t phase_done[2][4]; /* core, phase */
};
#define ICS ((struct ic_shared *)FW_SCRATCH_ADDR)

static void ic_bound(void *priv)
{
	struct ic_side *s = priv;
	s->bound++;
}

static void ic_unbound(void *priv)
{
	struct ic_side *s = priv;
	s->unbound++;
}

static void ic_error(const char *message, void *priv)
{
	struct ic_side *s = priv;
	s->errors++;
	s->why = message;
}

static void ic_received(const void *data, size_t len, void *priv)
{
	struct ic_side *s = priv;
	const char *why = "";
	if (s->rx_bad == 0 &&
	    fw_msg_check(data, len, s->rx_count, s->salt ^ fw_peer, ICMSG_MAX, &why) != 0) {
		s->rx_bad = s->rx_count + 1u;
		s->why = why;
	}
	s->rx_count++;
}

static const struct amp_ipc_ept_cfg ic_ept_cfg = {
	.name = "ep0",
	.prio = 0,
	.cb = { .bound = ic_bound, .unbound = ic_unbound, .received = ic_received, .error = ic_error },
	.priv = &side,
};

/* Expect messages of @p salt from 0 on. Called before (re)binding, because
 * the peer may start sending the moment it is bound. */
static void ic_arm(uint32_t salt)
{
	uint32_t key = amp_port_irq_lock();
	side.salt = salt;
	side.rx_count = 0;
	side.rx_bad = 0;
	amp_port_irq_unlock(key);
}

static int ic_start_cfg(struct fw_msg *m, uint32_t salt, const struct amp_icmsg_cfg *cfg)
{
	memset(&side, 0, sizeof(side));
	ic_arm(salt);
	int r = amp_icmsg_init(&side.ic, cfg);
	if (r == 0) {
		r = amp_ipc_open_instance(amp_icmsg_instance(&side.ic));
		r = r == AMP_EALREADY ? 0 : r;
	}
	if (r == 0) {
		r = amp_ipc_register_endpoint(amp_icmsg_instance(&side.ic), &side.ept, &ic_ept_cfg);
	}
	return r == 0 ? 0 : fw_fail(m, "init/register: %s", amp_strerror(r));
}

static int ic_start_salt(struct fw_msg *m, uint32_t salt)
{
	return ic_start_cfg(m, salt, &icmsg_cfg[fw_cpu]);
}

static int ic_start(struct fw_msg *m)
{
	return ic_start_salt(m, 0x1C0u);
}

static int icr_start(struct fw_msg *m)
{
	return ic_start_salt(m, 0x2C0u);
}

static int ic_wait_bound(struct fw_msg *m, uint32_t count)
{
	uint32_t t0 = fw_ms();
	while (side.bound < count) {
		if (fw_ms() - t0 > FW_PATIENCE_MS || fw_aborted()) {
			return fw_fail(m, "not bound (bound %u, unbound %u, state %d)",
				       (unsigned)side.bound, (unsigned)side.unbound,
				       amp_icmsg_state(&side.ic));
		}
		amp_bm_idle();
	}
	return 0;
}

/* Send n messages while the interrupt receives the peer's n; then sync. */
static int ic_exchange(struct fw_msg *m, uint32_t n, uint32_t salt, uint32_t phase, uint64_t *ns)
{
	uint8_t buf[ICMSG_MAX];
	uint64_t t0 = amp_port_now_ns();
	uint32_t last = fw_ms();
	uint32_t full = 0;
	for (uint32_t sent = 0; sent < n;) {
		size_t len = fw_msg_len(sent, salt ^ fw_cpu, ICMSG_MAX);
		fw_msg_fill(buf, len, sent, salt ^ fw_cpu);
		int r = amp_ipc_send(&side.ept, buf, len);
		if (r == (int)len) {
			sent++;
			last = fw_ms();
			continue;
		}
		if (r != AMP_ENOMEM) {
			return fw_fail(m, "send %u: %s", (unsigned)sent, amp_strerror(r));
		}
		full++;
		if (fw_ms() - last > FW_PATIENCE_MS || fw_aborted()) {
			return fw_fail(m, "ring full for 2 s at %u (peer received?)", (unsigned)sent);
		}
		amp_bm_idle(); /* the peer's doorbell or the tick ends it */
	}
	uint32_t t1 = fw_ms();
	while (side.rx_count < n && side.rx_bad == 0) {
		if (fw_ms() - t1 > FW_PATIENCE_MS || fw_aborted()) {
			return fw_fail(m, "received %u of %u", (unsigned)side.rx_count, (unsigned)n);
		}
		amp_bm_idle();
	}
	*ns = amp_port_now_ns() - t0;
	if (side.rx_bad != 0) {
		return fw_fail(m, "message %u: %s", (unsigned)(side.rx_bad - 1u), side.why);
	}
	if (side.rx_count != n || side.errors != 0) {
		return fw_fail(m, "received %u of %u, %u errors (%s)", (unsigned)side.rx_count,
			       (unsigned)n, (unsigned)side.errors, side.why ? side.why : "");
	}
	amp_port_mb();
	ICS->phase_done[fw_cpu][phase] = 1;
	if (fw_wait_eq(&ICS->phase_done[fw_peer][phase], 1, FW_PATIENCE_MS) != 0) {
		return fw_fail(m, "peer did not finish phase %u", (unsigned)phase);
	}
	(void)full;
	return 0;
}

static void ic_stop(void)
{
	(void)amp_ipc_deregister_endpoint(&side.ept);
}

/* ---- icmsg_exchange ------------------------------------------------------ */

static int icx_run(struct fw_msg *m)
{
	uint64_t ns = 0;
	int r = ic_wait_bound(m, 1);
	if (r == 0) {
		r = ic_exchange(m, ICMSG_MSGS, 0x1C0u, 0, &ns);
	}
	/* Both sides finished reading before either closes. */
	ic_stop();
	if (r == 0 && fw_cpu == 0) {
		struct amp_icmsg_stats st;
		(void)amp_icmsg_get_stats(&side.ic, &st);
		r = fw_note(m, "bound; %u messages each way in %u ms (%u doorbells sent)",
			    (unsigned)ICMSG_MSGS, (unsigned)(ns / 1000000u), (unsigned)st.notifies);
	}
	return r;
}

static int icx_c0(struct fw_msg *m)
{
	int r = ic_start(m);
	return r != 0 ? r : icx_run(m);
}

/* ---- icmsg_peer_reset ---------------------------------------------------- */

static int icr_c1(struct fw_msg *m)
{
	uint64_t ns;
	int r = ic_wait_bound(m, 1);
	if (r == 0) {
		r = ic_exchange(m, ICMSG_RESET_MSGS, 0x2C0u, 0, &ns);
	}
	if (r != 0) {
		ic_stop();
		return r;
	}
	/* The "reboot": everything this core knew about the mailbox and the link
	 * is gone; nothing is closed or announced. */
	uint32_t key = amp_port_irq_lock();
	r = fw_mhu_reinit();
	memset(&side, 0, sizeof(side));
	amp_port_irq_unlock(key);
	if (r == 0) {
		r = ic_start_salt(m, 0x3C0u);
	}
	if (r == 0) {
		r = ic_wait_bound(m, 1);
	}
	if (r == 0) {
		r = ic_exchange(m, ICMSG_RESET_MSGS, 0x3C0u, 1, &ns);
	}
	ic_stop();
	return r;
}

static int icr_c0(struct fw_msg *m)
{
	uint64_t ns;
	int r = icr_start(m);
	if (r == 0) {
		r = ic_wait_bound(m, 1);
	}
	if (r == 0) {
		r = ic_exchange(m, ICMSG_RESET_MSGS, 0x2C0u, 0, &ns);
	}
	if (r != 0) {
		ic_stop();
		return r;
	}
	uint32_t t0 = fw_ms();
	while (side.unbound == 0) {
		if (fw_ms() - t0 > FW_PATIENCE_MS) {
			ic_stop();
			return fw_fail(m, "peer reset not detected (no unbound)");
		}
		amp_bm_idle();
	}
	/* Rebind: register again (a new session of our own). */
	(void)amp_ipc_deregister_endpoint(&side.ept);
	ic_arm(0x3C0u);
	r = amp_ipc_register_endpoint(amp_icmsg_instance(&side.ic), &side.ept, &ic_ept_cfg);
	if (r != 0) {
		return fw_fail(m, "register again: %s", amp_strerror(r));
	}
	r = ic_wait_bound(m, 2);
	if (r == 0) {
		r = ic_exchange(m, ICMSG_RESET_MSGS, 0x3C0u, 1, &ns);
	}
	uint32_t unbound = side.unbound, bound = side.bound;
	ic_stop();
	if (r == 0) {
		r = fw_note(m, "unbound %u, bound %u; %u messages each way after the reset",
			    (unsigned)unbound, (unsigned)bound, (unsigned)ICMSG_RESET_MSGS);
	}
	return r;
}

/* ---- icmsg_v1_detect ---------------------------------------------------- */

static int icv_start(struct fw_msg *m)
{
	return ic_start_cfg(m, 0x4C0u, &icmsg_v1_cfg[fw_cpu]);
}

static int icv_run(struct fw_msg *m)
{
	uint64_t ns = 0;
	int r = ic_wait_bound(m, 1);
	if (r == 0) {
		r = ic_exchange(m, ICMSG_RESET_MSGS, 0x4C0u, 0, &ns);
	}
	int state = amp_icmsg_state(&side.ic);
	ic_stop();
	if (r == 0 && state != AMP_ICMSG_CONNECTED_V1) {
		r = fw_fail(m, "state %d, expected CONNECTED_V1", state);
	}
	if (r == 0 && fw_cpu == 0) {
		r = fw_note(m, "detect fell back to v1; %u messages each way",
			    (unsigned)ICMSG_RESET_MSGS);
	}
	return r;
}

static int icv_c0(struct fw_msg *m)
{
	int r = icv_start(m);
	return r != 0 ? r : icv_run(m);
}

const struct fw_case fw_case_icmsg = { "icmsg_exchange", ic_start, icx_c0, icx_run, 10000 };
const struct fw_case fw_case_icmsg_reset = { "icmsg_peer_reset", icr_start, icr_c0, icr_c1, 15000 };
const struct fw_case fw_case_icmsg_v1 = { "icmsg_v1_detect", icv_start, icv_c0, icv_run, 10000 };
