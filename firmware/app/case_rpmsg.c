/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RPMsg over Zephyr's static-vrings layout: core 0 is the host (virtio
 * driver, owns the buffers), core 1 the remote. Both register endpoint
 * "amp-test"; the remote's name-service announcement binds them. Then
 * RP_MSGS copied messages each way at once (sequence numbers, checksums,
 * lengths 8..RP_MAX), and one zero-copy exchange each way: the sender fills a
 * buffer from amp_ipc_get_tx_buffer() and sends it with send_nocopy; the
 * receiver holds the buffer past its callback, checks it from thread context,
 * then releases it. A dropped tx buffer and the buffer accounting are checked
 * on the way.
 */
#include <amplink/errno.h>
#include <amplink/ipc.h>
#include <amplink/port.h>
#include <amplink/port_baremetal.h>
#include <amplink/rpmsg.h>

#include <string.h>

#include "cases.h"
#include "fw.h"

#define RP_MSGS 1000u
#define RP_MAX 256u
#define RP_SHM_SIZE 0x8000u
#define RP_SALT 0x7000u

static const struct amp_rpmsg_cfg rp_cfg[2] = {
	{ .role = AMP_RPMSG_ROLE_HOST, .shm = (void *)FW_RPMSG_ADDR, .shm_phys = FW_RPMSG_ADDR,
	  .shm_size = RP_SHM_SIZE, .buffer_size = 0, .mem_align = 0, .mbox = &fw_mbox,
	  .tx_channel = 1, .rx_channel = 0, .poll = false, .event_idx = false, .name = "ipc1" },
	{ .role = AMP_RPMSG_ROLE_REMOTE, .shm = (void *)FW_RPMSG_ADDR, .shm_phys = FW_RPMSG_ADDR,
	  .shm_size = RP_SHM_SIZE, .buffer_size = 0, .mem_align = 0, .mbox = &fw_mbox,
	  .tx_channel = 0, .rx_channel = 1, .poll = false, .event_idx = false, .name = "ipc1" },
};
_Static_assert(RP_SHM_SIZE <= FW_RPMSG_SIZE, "RPMsg region fits its slot");

struct rp_side {
	struct amp_rpmsg rp;
	struct amp_ipc_instance inst;
	struct amp_ipc_ept ept;
	volatile uint32_t bound, rx_count, rx_bad, errors;
	void *volatile held; /* the zero-copy message, held past the callback */
	volatile uint32_t held_len;
	const char *why;
};

static struct rp_side rps;

struct rp_shared {
	volatile uint32_t done[2];
};
#define RPS ((struct rp_shared *)FW_SCRATCH_ADDR)

static void rp_bound(void *priv)
{
	((struct rp_side *)priv)->bound++;
}

static void rp_error(const char *message, void *priv)
{
	struct rp_side *s = priv;
	s->errors++;
	s->why = message;
}

static void rp_received(const void *data, size_t len, void *priv)
{
	struct rp_side *s = priv;
	uint32_t seq = s->rx_count;
	const char *why = "";
	if (seq == RP_MSGS) {
		/* The zero-copy message: keep it; the thread checks and releases. */
		if (amp_ipc_hold_rx_buffer(&s->ept, (void *)(uintptr_t)data) != 0) {
			s->rx_bad = seq + 1u;
			s->why = "hold_rx_buffer";
		}
		s->held_len = (uint32_t)len;
		s->held = (void *)(uintptr_t)data;
	} else if (s->rx_bad == 0 &&
		   fw_msg_check(data, len, seq, RP_SALT ^ fw_peer, RP_MAX, &why) != 0) {
		s->rx_bad = seq + 1u;
		s->why = why;
	}
	s->rx_count = seq + 1u;
}

static const struct amp_ipc_ept_cfg rp_ept_cfg = {
	.name = "amp-test",
	.prio = 0,
	.cb = { .bound = rp_bound, .received = rp_received, .error = rp_error },
	.priv = &rps,
};

static int rp_start(struct fw_msg *m)
{
	memset(&rps, 0, sizeof(rps));
	int r = amp_rpmsg_init(&rps.rp, &rp_cfg[fw_cpu], &rps.inst);
	if (r == 0) {
		r = amp_ipc_open_instance(&rps.inst);
	}
	if (r == 0) {
		r = amp_ipc_register_endpoint(&rps.inst, &rps.ept, &rp_ept_cfg);
	}
	return r == 0 ? 0 : fw_fail(m, "init/open/register: %s", amp_strerror(r));
}

static int rp_wait(struct fw_msg *m, volatile uint32_t *v, uint32_t want, const char *what)
{
	uint32_t t0 = fw_ms();
	while (*v < want && rps.rx_bad == 0) {
		if (fw_ms() - t0 > FW_PATIENCE_MS || fw_aborted()) {
			return fw_fail(m, "%s: %u of %u", what, (unsigned)*v, (unsigned)want);
		}
		amp_bm_idle();
	}
	return 0;
}

static int rp_zero_copy(struct fw_msg *m)
{
	void *buf = NULL;
	uint32_t size = 0;
	/* A buffer taken and dropped must come back to the pool. */
	int r = amp_ipc_get_tx_buffer(&rps.ept, &buf, &size, AMP_MSEC(1000));
	if (r != 0) {
		return fw_fail(m, "get_tx_buffer (drop): %s", amp_strerror(r));
	}
	r = amp_ipc_drop_tx_buffer(&rps.ept, buf);
	if (r != 0 || amp_ipc_drop_tx_buffer(&rps.ept, buf) != AMP_EALREADY) {
		return fw_fail(m, "drop_tx_buffer: %s", amp_strerror(r));
	}
	size = RP_MAX;
	r = amp_ipc_get_tx_buffer(&rps.ept, &buf, &size, AMP_MSEC(1000));
	if (r != 0 || size < RP_MAX) {
		return fw_fail(m, "get_tx_buffer: %s (size %u)", amp_strerror(r), (unsigned)size);
	}
	size_t len = fw_msg_len(RP_MSGS, RP_SALT ^ fw_cpu, RP_MAX);
	fw_msg_fill(buf, len, RP_MSGS, RP_SALT ^ fw_cpu);
	r = amp_ipc_send_nocopy(&rps.ept, buf, len);
	if (r != (int)len) {
		return fw_fail(m, "send_nocopy: %s", amp_strerror(r));
	}
	return 0;
}

static int rp_run(struct fw_msg *m)
{
	int ret = rp_wait(m, &rps.bound, 1, "bound");
	uint8_t buf[RP_MAX];
	uint64_t t0 = amp_port_now_ns();
	uint32_t full = 0;
	for (uint32_t sent = 0, last = fw_ms(); ret == 0 && sent < RP_MSGS;) {
		size_t len = fw_msg_len(sent, RP_SALT ^ fw_cpu, RP_MAX);
		fw_msg_fill(buf, len, sent, RP_SALT ^ fw_cpu);
		int r = amp_ipc_send(&rps.ept, buf, len);
		if (r == (int)len) {
			sent++;
			last = fw_ms();
		} else if (r != AMP_ENOMEM) {
			ret = fw_fail(m, "send %u: %s", (unsigned)sent, amp_strerror(r));
		} else if (fw_ms() - last > FW_PATIENCE_MS || fw_aborted()) {
			ret = fw_fail(m, "no tx buffer for 2 s at %u", (unsigned)sent);
		} else {
			full++;
			amp_bm_idle(); /* returned buffers come with a doorbell */
		}
	}
	if (ret == 0) {
		ret = rp_zero_copy(m);
	}
	if (ret == 0) {
		ret = rp_wait(m, &rps.rx_count, RP_MSGS + 1u, "received");
	}
	uint64_t ns = amp_port_now_ns() - t0;
	if (ret == 0 && rps.rx_bad != 0) {
		ret = fw_fail(m, "message %u: %s", (unsigned)(rps.rx_bad - 1u), rps.why);
	}
	if (ret == 0) {
		/* The held zero-copy buffer is still intact after its callback. */
		const char *why = "";
		if (rps.held == NULL || fw_msg_check(rps.held, rps.held_len, RP_MSGS,
						     RP_SALT ^ fw_peer, RP_MAX, &why) != 0) {
			ret = fw_fail(m, "zero-copy message: %s", rps.held ? why : "none held");
		} else if (amp_ipc_release_rx_buffer(&rps.ept, rps.held) != 0 ||
			   amp_ipc_release_rx_buffer(&rps.ept, rps.held) != AMP_EALREADY) {
			ret = fw_fail(m, "release_rx_buffer");
		}
	}
	if (ret == 0 && rps.errors != 0) {
		ret = fw_fail(m, "%u error callbacks (%s)", (unsigned)rps.errors, rps.why);
	}
	/* Both sides finished before either tears down. */
	amp_port_mb();
	RPS->done[fw_cpu] = ret == 0 ? 1u : 2u;
	if (ret == 0 && fw_wait_eq(&RPS->done[fw_peer], 1, FW_PATIENCE_MS) != 0) {
		ret = fw_fail(m, "peer did not finish");
	}
	(void)amp_ipc_deregister_endpoint(&rps.ept);
	(void)amp_ipc_close_instance(&rps.inst);
	if (ret == 0 && fw_cpu == 0) {
		ret = fw_note(m, "bound by name service; %u messages each way + 1 zero-copy "
				 "(held, released) in %u ms, no buffer %u times",
			      (unsigned)RP_MSGS, (unsigned)(ns / 1000000u), (unsigned)full);
	}
	return ret;
}

static int rp_c0(struct fw_msg *m)
{
	int r = rp_start(m);
	return r != 0 ? r : rp_run(m);
}

const struct fw_case fw_case_rpmsg = { "rpmsg_exchange", rp_start, rp_c0, rp_run, 10000 };
