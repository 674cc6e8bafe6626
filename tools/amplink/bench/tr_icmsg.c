/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ICMsg under `amplink bench`: each process opens the two rings and the Linux
 * doorbell itself (as two cores would), binds with the v2 handshake, and the
 * traffic is driven from the receive callbacks, i.e. from the doorbell thread
 * that plays the interrupt (as a Zephyr application does):
 *  - round trip: A's callback timestamps the reply and sends the next
 *    message; B's callback copies the message out and echoes it;
 *  - throughput: A's main thread streams; B's callback copies each message
 *    out and counts. The mode under test is the receiver's: B waits in it.
 *    A waits for doorbells with the futex (it receives nothing but "space
 *    freed" rings); on a full ring it spins in poll mode and sleeps in
 *    amp_icmsg_send_wait() otherwise.
 *  - "burst" is poll mode with A sending in bursts of ICB_BURST messages
 *    (amp_icmsg_burst_begin/end: one doorbell and one lock per burst); its
 *    round trip is poll mode's, as a burst of one message.
 */
#define _GNU_SOURCE
#include "bench.h"
#include "cbdrive.h"

#include <amplink/errno.h>
#include <amplink/icmsg.h>
#include <amplink/mbox_linux.h>
#include <amplink/port.h>
#include <amplink/shm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REGION_SIZE (131072u + 16u)
#define ICB_BURST 16u
#define ALIGN 8u

struct icb_state {
	enum amp_mbox_linux_wait mode;
	bool burst; /* A streams in bursts */
	char name_ab[112], name_ba[112], name_mb[112];
	struct amp_shm_cfg cfg_ab, cfg_ba;
	struct amp_shm shm_ab, shm_ba;
	struct amp_mbox_linux_cfg mcfg;
	struct amp_mbox mbox;
	struct amp_mbox_linux mdrv;
	struct amp_icmsg_cfg icfg;
	struct amp_icmsg ic;
	struct amp_ipc_ept_cfg ept;
	struct bench_cb cb;
	uint8_t *bounce;
	bool mbox_up, shm_up;
};

static struct icb_state *st(struct bench_job *j)
{
	return j->priv;
}

static void names(struct icb_state *s, const char *tag)
{
	snprintf(s->name_ab, sizeof(s->name_ab), "%s-ab", tag);
	snprintf(s->name_ba, sizeof(s->name_ba), "%s-ba", tag);
	snprintf(s->name_mb, sizeof(s->name_mb), "%s-mb", tag);
	s->cfg_ab = (struct amp_shm_cfg){ .name = s->name_ab, .size = REGION_SIZE };
	s->cfg_ba = (struct amp_shm_cfg){ .name = s->name_ba, .size = REGION_SIZE };
}

static int setup(struct bench_job *j, enum amp_mbox_linux_wait mode)
{
	struct icb_state *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		return AMP_ENOMEM;
	}
	s->mode = mode;
	names(s, j->tag);
	amp_shm_remove(&s->cfg_ab);
	amp_shm_remove(&s->cfg_ba);
	struct amp_shm_cfg mb = { .name = s->name_mb };
	amp_shm_remove(&mb);
	j->priv = s;
	return 0;
}

static int setup_irq(struct bench_job *j)
{
	return setup(j, AMP_MBOX_LINUX_WAIT_IRQ);
}

static int setup_poll(struct bench_job *j)
{
	return setup(j, AMP_MBOX_LINUX_WAIT_POLL);
}

static int setup_adaptive(struct bench_job *j)
{
	return setup(j, AMP_MBOX_LINUX_WAIT_ADAPTIVE);
}

static int setup_burst(struct bench_job *j)
{
	int rc = setup(j, AMP_MBOX_LINUX_WAIT_POLL);
	if (rc == 0) {
		st(j)->burst = true;
	}
	return rc;
}

static void teardown(struct bench_job *j)
{
	struct icb_state *s = st(j);
	if (s == NULL) {
		return;
	}
	amp_shm_remove(&s->cfg_ab);
	amp_shm_remove(&s->cfg_ba);
	struct amp_shm_cfg mb = { .name = s->name_mb };
	amp_shm_remove(&mb);
	free(s);
	j->priv = NULL;
}

/* ---- callbacks (doorbell thread = interrupt context) ------------------------ */

static void a_received(const void *data, size_t len, void *priv)
{
	struct icb_state *s = priv;
	if (bench_cb_rtt_reply(&s->cb, data, len)) {
		bench_cb_rtt_sent(&s->cb, amp_icmsg_send(&s->ic, s->cb.job->buf, s->cb.job->size));
	}
}

static void b_received(const void *data, size_t len, void *priv)
{
	struct icb_state *s = priv;
	struct bench_job *j = s->cb.job;
	memcpy(j->rbuf, data, len < BENCH_MAX_SIZE ? len : BENCH_MAX_SIZE);
	if (j->kind == BK_RTT) {
		int rc = amp_icmsg_send(&s->ic, j->rbuf, len);
		if (rc < 0) {
			s->cb.error = rc;
		}
	}
	bench_cb_count(&s->cb);
}

static void on_error(const char *msg, void *priv)
{
	struct icb_state *s = priv;
	fprintf(stderr, "amplink bench: icmsg error: %s\n", msg);
	s->cb.error = AMP_EPROTO;
}

/* ---- per-process bring-up ----------------------------------------------------- */

static int open_side(struct bench_job *j, bool is_a)
{
	struct icb_state *s = st(j);
	bench_cb_init(&s->cb, j);
	int rc = amp_shm_open(&s->shm_ab, &s->cfg_ab);
	if (rc == 0) {
		rc = amp_shm_open(&s->shm_ba, &s->cfg_ba);
		if (rc != 0) {
			amp_shm_close(&s->shm_ab);
		}
	}
	if (rc != 0) {
		return rc;
	}
	s->shm_up = true;
	s->mcfg = bench_cb_doorbell(j, s->name_mb, is_a, s->mode);
	rc = amp_mbox_linux_init(&s->mbox, &s->mdrv, &s->mcfg);
	if (rc != 0) {
		return rc;
	}
	s->mbox_up = true;
	uint32_t max = AMP_ICMSG_RING_MAX_MSG(REGION_SIZE, ALIGN, 1);
	if (max > AMP_PBUF_MAX_PACKET) {
		max = AMP_PBUF_MAX_PACKET;
	}
	s->bounce = malloc(max);
	if (s->bounce == NULL) {
		return AMP_ENOMEM;
	}
	s->icfg = (struct amp_icmsg_cfg){
		.name = is_a ? "bench-a" : "bench-b",
		.tx_region = is_a ? s->shm_ab.base : s->shm_ba.base,
		.tx_size = REGION_SIZE,
		.rx_region = is_a ? s->shm_ba.base : s->shm_ab.base,
		.rx_size = REGION_SIZE,
		.mbox = &s->mbox,
		.tx_channel = is_a ? 0 : 1,
		.rx_channel = is_a ? 1 : 0,
		.profile = AMP_ICMSG_V2,
		.dcache_align = ALIGN,
		.peer_max_msg = max,
		.rx_buf = s->bounce,
		.rx_buf_size = max,
	};
	rc = amp_icmsg_init(&s->ic, &s->icfg);
	if (rc != 0) {
		return rc;
	}
	s->ept = (struct amp_ipc_ept_cfg){
		.name = "bench",
		.cb = { .received = is_a ? a_received : b_received, .error = on_error },
		.priv = s,
	};
	rc = amp_icmsg_open(&s->ic, &s->ept);
	if (rc != 0) {
		return rc;
	}
	return amp_icmsg_wait_bound(&s->ic, AMP_MSEC(5000));
}

static int a_init(struct bench_job *j)
{
	return open_side(j, true);
}

static int b_init(struct bench_job *j)
{
	return open_side(j, false);
}

static void fini(struct bench_job *j)
{
	struct icb_state *s = st(j);
	if (s == NULL) {
		return;
	}
	amp_icmsg_close(&s->ic);
	if (s->mbox_up) {
		amp_mbox_linux_deinit(&s->mbox);
		s->mbox_up = false;
	}
	if (s->shm_up) {
		amp_shm_close(&s->shm_ab);
		amp_shm_close(&s->shm_ba);
		s->shm_up = false;
	}
	free(s->bounce);
	s->bounce = NULL;
}

/* ---- round trip ------------------------------------------------------------- */

static int a_rtt(struct bench_job *j, uint64_t n, uint64_t *samples)
{
	struct icb_state *s = st(j);
	uint32_t key = amp_port_irq_lock(); /* no callback until the phase is set up */
	bench_cb_rtt_arm(&s->cb, n, samples);
	int rc = amp_icmsg_send(&s->ic, j->buf, j->size);
	amp_port_irq_unlock(key);
	if (rc < 0) {
		return rc;
	}
	return bench_cb_rtt_wait(&s->cb);
}

/* Before core A may start: the count that ends this phase. */
static int b_arm(struct bench_job *j, uint64_t n)
{
	bench_cb_arm(&st(j)->cb, n);
	return 0;
}

static int b_echo(struct bench_job *j, uint64_t n)
{
	(void)n;
	return bench_cb_wait_phase(&st(j)->cb);
}

/* ---- throughput ------------------------------------------------------------- */

/* One message, however long the ring stays full. A full ring ends the
 * current burst first (that rings the peer, which then drains). */
static int a_send_one(struct icb_state *s, struct bench_job *j, uint32_t *in_burst)
{
	for (;;) {
		int rc = amp_icmsg_send(&s->ic, j->buf, j->size);
		if (rc >= 0 || rc != AMP_ENOMEM) {
			return rc;
		}
		if (*in_burst != 0) {
			(void)amp_icmsg_burst_end(&s->ic);
			*in_burst = 0;
		}
		if (s->mode == AMP_MBOX_LINUX_WAIT_POLL) {
			amp_port_cpu_relax();
			continue;
		}
		return amp_icmsg_send_wait(&s->ic, j->buf, j->size, AMP_MSEC(10000));
	}
}

static int a_send(struct bench_job *j, uint64_t n)
{
	struct icb_state *s = st(j);
	uint32_t in_burst = 0; /* messages in the open burst */
	int rc = 0;
	for (uint64_t i = 0; i < n && rc >= 0; i++) {
		bool last = bench_a_last(j, i);
		if (s->burst && in_burst == 0 && amp_icmsg_burst_begin(&s->ic) == 0) {
			in_burst = 1;
		} else if (in_burst != 0) {
			in_burst++;
		}
		rc = a_send_one(s, j, &in_burst);
		if (in_burst != 0 && (in_burst >= ICB_BURST || last || rc < 0)) {
			(void)amp_icmsg_burst_end(&s->ic);
			in_burst = 0;
		}
		if (last) {
			break;
		}
	}
	if (in_burst != 0) { /* the count ran out mid-burst */
		(void)amp_icmsg_burst_end(&s->ic);
	}
	return rc < 0 ? rc : 0;
}

static int b_recv(struct bench_job *j, uint64_t n, uint64_t *t_last)
{
	(void)n;
	return bench_cb_recv(&st(j)->cb, t_last);
}

static void counters(struct bench_job *j, struct bench_counters *out)
{
	struct icb_state *s = st(j);
	struct amp_icmsg_stats is;
	struct amp_mbox_linux_stats ms;
	memset(out, 0, sizeof(*out));
	if (s == NULL || !s->mbox_up || amp_icmsg_get_stats(&s->ic, &is) != 0 ||
	    amp_mbox_linux_stats(&s->mbox, &ms) != 0) {
		return;
	}
	out->valid = true;
	out->msgs = is.tx_msgs;
	out->doorbells = ms.sent;
	out->wakes = ms.wakes;
	out->sleeps = ms.sleeps;
	out->full = is.tx_full;
	out->space_rings = is.space_rings;
}

#define ICMSG_IMPL(m, fn)                                                                   \
	const struct bench_impl bench_icmsg_##m = {                                         \
		.transport = "icmsg", .mode = #m, .sized = true, .max_size = 65535,        \
		.setup = fn, .a_init = a_init, .b_init = b_init, .a_rtt = a_rtt,          \
				.b_arm = b_arm, .b_echo = b_echo, .a_send = a_send, .b_recv = b_recv, .counters = counters, .a_fini = fini,     \
		.b_fini = fini, .teardown = teardown,                                      \
	}

ICMSG_IMPL(irq, setup_irq);
ICMSG_IMPL(poll, setup_poll);
ICMSG_IMPL(adaptive, setup_adaptive);
ICMSG_IMPL(burst, setup_burst);
