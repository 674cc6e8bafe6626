/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RPMsg (Zephyr static vrings) under `amplink bench`: core A is the host
 * (virtio driver, owns the buffers), core B the remote. The region is mapped
 * at the same address in both processes (descriptors hold addresses), one
 * endpoint "bench" on each side, 512-byte buffers (payload <= 496 bytes).
 * Round trips are driven from the receive callbacks (copying send), as for
 * ICMsg; throughput streams zero copy: get a transmit buffer in shared memory,
 * write the message into it, send_nocopy. The mode under test is the
 * receiver's wait mode, as for ICMsg.
 */
#define _GNU_SOURCE
#include "bench.h"

#include <amplink/errno.h>
#include <amplink/ipc.h>
#include <amplink/mbox_linux.h>
#include <amplink/port.h>
#include <amplink/rpmsg.h>
#include <amplink/shm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define RP_REGION (128u * 1024u)

struct rpb_state {
	enum amp_mbox_linux_wait mode;
	char name_rg[112], name_mb[112];
	struct amp_shm_cfg cfg_rg;
	struct amp_shm shm;
	uintptr_t addr;
	struct amp_mbox_linux_cfg mcfg;
	struct amp_mbox mbox;
	struct amp_mbox_linux mdrv;
	struct amp_rpmsg_cfg rcfg;
	struct amp_rpmsg rp;
	struct amp_ipc_instance inst;
	struct amp_ipc_ept ept;
	struct amp_ipc_ept_cfg ecfg;
	struct bench_job *job;
	volatile int bound;
	uint64_t *samples;
	volatile uint64_t rtt_i, fin;
	uint64_t phase_base; /* B: messages received before this phase */
	uint64_t rtt_n, t_prev;
	volatile uint64_t rx_count, target, t_last;
	volatile int error;
	struct amp_event done;
	bool mbox_up, shm_up, open;
};

static struct rpb_state *st(struct bench_job *j)
{
	return j->priv;
}

static int setup(struct bench_job *j, enum amp_mbox_linux_wait mode)
{
	struct rpb_state *s = calloc(1, sizeof(*s));
	if (s == NULL) {
		return AMP_ENOMEM;
	}
	s->mode = mode;
	snprintf(s->name_rg, sizeof(s->name_rg), "%s-rp", j->tag);
	snprintf(s->name_mb, sizeof(s->name_mb), "%s-mb", j->tag);
	s->cfg_rg = (struct amp_shm_cfg){ .name = s->name_rg, .size = RP_REGION };
	amp_shm_remove(&s->cfg_rg);
	struct amp_shm_cfg mb = { .name = s->name_mb };
	amp_shm_remove(&mb);
	/* An address free here is free in the forked core too: map it there in both. */
	void *p = mmap(NULL, RP_REGION, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		free(s);
		return AMP_ENOMEM;
	}
	munmap(p, RP_REGION);
	s->addr = (uintptr_t)p;
	s->cfg_rg.addr = s->addr;
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

static void teardown(struct bench_job *j)
{
	struct rpb_state *s = st(j);
	if (s == NULL) {
		return;
	}
	amp_shm_remove(&s->cfg_rg);
	struct amp_shm_cfg mb = { .name = s->name_mb };
	amp_shm_remove(&mb);
	free(s);
	j->priv = NULL;
}

static void on_bound(void *priv)
{
	struct rpb_state *s = priv;
	s->bound = 1;
	amp_port_event_post(&s->done);
}

static void a_received(const void *data, size_t len, void *priv)
{
	struct rpb_state *s = priv;
	struct bench_job *j = s->job;
	uint64_t now = bench_now();
	memcpy(j->rbuf, data, len < BENCH_MAX_SIZE ? len : BENCH_MAX_SIZE);
	if (__atomic_load_n(&s->fin, __ATOMIC_ACQUIRE) != 0) {
		return;
	}
	if (s->samples != NULL) {
		s->samples[s->rtt_i] = now - s->t_prev;
	}
	s->t_prev = now;
	uint64_t i = s->rtt_i + 1;
	if (i == s->rtt_n || (j->deadline != 0 && (i & 63) == 0 && now > j->deadline)) {
		/* Last round trip of the phase: B has echoed exactly i messages. */
		j->sent = i;
		__atomic_store_n(&j->ctl->stop_at, i, __ATOMIC_RELEASE);
		__atomic_store_n(&s->rtt_i, i, __ATOMIC_RELEASE);
		__atomic_store_n(&s->fin, 1, __ATOMIC_RELEASE);
		amp_port_event_post(&s->done);
		return;
	}
	__atomic_store_n(&s->rtt_i, i, __ATOMIC_RELEASE);
	int rc = amp_ipc_send(&s->ept, j->buf, j->size);
	if (rc < 0) {
		s->error = rc;
		__atomic_store_n(&s->fin, 1, __ATOMIC_RELEASE);
		amp_port_event_post(&s->done);
	}
}

static void b_received(const void *data, size_t len, void *priv)
{
	struct rpb_state *s = priv;
	struct bench_job *j = s->job;
	memcpy(j->rbuf, data, len < BENCH_MAX_SIZE ? len : BENCH_MAX_SIZE);
	if (j->kind == BK_RTT) {
		int rc = amp_ipc_send(&s->ept, j->rbuf, len);
		if (rc < 0) {
			s->error = rc;
		}
	}
	uint64_t c = s->rx_count + 1;
	/* The end of a phase: the count asked for, or where A stopped early (A
	 * publishes stop_at before it sends the last message). */
	uint64_t stop = __atomic_load_n(&j->ctl->stop_at, __ATOMIC_ACQUIRE);
	bool end = c == __atomic_load_n(&s->target, __ATOMIC_ACQUIRE) ||
		   (stop != UINT64_MAX && c == s->phase_base + stop);
	if (end) {
		s->t_last = bench_now();
	}
	__atomic_store_n(&s->rx_count, c, __ATOMIC_RELEASE);
	if (end) {
		amp_port_event_post(&s->done);
	}
}

static void on_error(const char *msg, void *priv)
{
	struct rpb_state *s = priv;
	fprintf(stderr, "amplink bench: rpmsg error: %s\n", msg);
	s->error = AMP_EPROTO;
}

static int open_side(struct bench_job *j, bool host)
{
	struct rpb_state *s = st(j);
	s->job = j;
	amp_port_event_init(&s->done);
	int rc = amp_shm_open(&s->shm, &s->cfg_rg);
	if (rc != 0) {
		return rc;
	}
	s->shm_up = true;
	enum amp_mbox_linux_wait mode = s->mode;
	if (j->kind == BK_TPUT && host) {
		mode = AMP_MBOX_LINUX_WAIT_IRQ;
	}
	s->mcfg = (struct amp_mbox_linux_cfg){
		.shm = { .name = s->name_mb, .size = AMP_MBOX_LINUX_REGION_SIZE },
		.side = host ? 0 : 1, .num_channels = 2,
		.tx_mask = host ? 1u : 2u, .rx_mask = host ? 2u : 1u,
		.wait = mode, .spin_us = 50,
	};
	rc = amp_mbox_linux_init(&s->mbox, &s->mdrv, &s->mcfg);
	if (rc != 0) {
		return rc;
	}
	s->mbox_up = true;
	s->rcfg = (struct amp_rpmsg_cfg){
		.role = host ? AMP_RPMSG_ROLE_HOST : AMP_RPMSG_ROLE_REMOTE,
		.shm = s->shm.base, .shm_phys = s->shm.phys, .shm_size = s->shm.size,
		.mbox = &s->mbox, .tx_channel = host ? 0 : 1, .rx_channel = host ? 1 : 0,
		.name = host ? "bench-host" : "bench-remote",
	};
	rc = amp_rpmsg_init(&s->rp, &s->rcfg, &s->inst);
	if (rc == 0) {
		rc = amp_ipc_open_instance(&s->inst);
	}
	if (rc != 0 && rc != AMP_EALREADY) {
		return rc;
	}
	s->open = true;
	s->ecfg = (struct amp_ipc_ept_cfg){
		.name = "bench",
		.cb = { .bound = on_bound, .received = host ? a_received : b_received,
			.error = on_error },
		.priv = s,
	};
	rc = amp_ipc_register_endpoint(&s->inst, &s->ept, &s->ecfg);
	if (rc != 0) {
		return rc;
	}
	for (int i = 0; i < 100 && !s->bound; i++) {
		amp_port_event_wait(&s->done, AMP_MSEC(50));
	}
	return s->bound ? 0 : AMP_ETIMEDOUT;
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
	struct rpb_state *s = st(j);
	if (s == NULL) {
		return;
	}
	if (s->open) {
		(void)amp_ipc_deregister_endpoint(&s->ept);
		(void)amp_ipc_close_instance(&s->inst);
		s->open = false;
	}
	if (s->mbox_up) {
		amp_mbox_linux_deinit(&s->mbox);
		s->mbox_up = false;
	}
	if (s->shm_up) {
		amp_shm_close(&s->shm);
		s->shm_up = false;
	}
}

static int wait_until(struct rpb_state *s, volatile uint64_t *v, uint64_t want)
{
	for (int i = 0; i < 36000; i++) { /* the harness watchdog ends a real hang */
		if (__atomic_load_n(v, __ATOMIC_ACQUIRE) >= want) {
			return s->error;
		}
		if (s->error != 0) {
			return s->error;
		}
		(void)amp_port_event_wait(&s->done, AMP_MSEC(100));
	}
	return AMP_ETIMEDOUT;
}

static int a_rtt(struct bench_job *j, uint64_t n, uint64_t *samples)
{
	struct rpb_state *s = st(j);
	uint32_t key = amp_port_irq_lock();
	s->samples = samples;
	s->rtt_i = 0;
	s->fin = 0;
	s->rtt_n = n;
	s->t_prev = bench_now();
	int rc = amp_ipc_send(&s->ept, j->buf, j->size);
	amp_port_irq_unlock(key);
	if (rc < 0) {
		return rc;
	}
	return wait_until(s, &s->fin, 1);
}

static int b_arm(struct bench_job *j, uint64_t n)
{
	struct rpb_state *s = st(j);
	s->phase_base = __atomic_load_n(&s->rx_count, __ATOMIC_ACQUIRE);
	__atomic_store_n(&s->target, s->phase_base + n, __ATOMIC_RELEASE);
	return 0;
}

static int b_echo(struct bench_job *j, uint64_t n)
{
	(void)n;
	struct rpb_state *s = st(j);
	for (int k = 0; k < 36000; k++) { /* the harness watchdog ends a real hang */
		uint64_t want = __atomic_load_n(&s->target, __ATOMIC_ACQUIRE);
		uint64_t stop = __atomic_load_n(&j->ctl->stop_at, __ATOMIC_ACQUIRE);
		if (stop != UINT64_MAX && s->phase_base + stop < want) {
			want = s->phase_base + stop;
		}
		if (__atomic_load_n(&s->rx_count, __ATOMIC_ACQUIRE) >= want || s->error != 0) {
			return s->error;
		}
		(void)amp_port_event_wait(&s->done, AMP_MSEC(100));
	}
	return AMP_ETIMEDOUT;
}

static int a_send(struct bench_job *j, uint64_t n)
{
	struct rpb_state *s = st(j);
	bool spin = s->mode == AMP_MBOX_LINUX_WAIT_POLL;
	for (uint64_t i = 0; i < n; i++) {
		bool last = bench_a_last(j, i);
		void *buf = NULL;
		uint32_t size = (uint32_t)j->size;
		int rc;
		for (;;) {
			rc = amp_ipc_get_tx_buffer(&s->ept, &buf, &size,
						   spin ? AMP_NO_WAIT : AMP_MSEC(10000));
			if (rc == 0 || !spin || (rc != AMP_ENOBUFS && rc != AMP_ENOMEM)) {
				break;
			}
			amp_port_cpu_relax();
		}
		if (rc != 0) {
			return rc;
		}
		memcpy(buf, j->buf, j->size); /* the application writes its message in place */
		rc = amp_ipc_send_nocopy(&s->ept, buf, j->size);
		if (rc < 0) {
			return rc;
		}
		if (last) {
			break;
		}
	}
	return 0;
}

static int b_recv(struct bench_job *j, uint64_t n, uint64_t *t_last)
{
	int rc = b_echo(j, n);
	*t_last = st(j)->t_last;
	return rc;
}

static void counters(struct bench_job *j, struct bench_counters *out)
{
	struct rpb_state *s = st(j);
	struct amp_rpmsg_stats rs;
	struct amp_mbox_linux_stats ms;
	memset(out, 0, sizeof(*out));
	if (s == NULL || !s->mbox_up || amp_rpmsg_get_stats(&s->rp, &rs) != 0 ||
	    amp_mbox_linux_stats(&s->mbox, &ms) != 0) {
		return;
	}
	out->valid = true;
	out->msgs = rs.tx_msgs;
	out->doorbells = ms.sent;
	out->wakes = ms.wakes;
	out->sleeps = ms.sleeps;
	out->full = rs.tx_no_buffer;
}

#define RPMSG_IMPL(m, fn)                                                                   \
	const struct bench_impl bench_rpmsg_##m = {                                         \
		.transport = "rpmsg", .mode = #m, .sized = true,                           \
		.max_size = AMP_RPMSG_BUFFER_SIZE_DEFAULT - AMP_RPMSG_HDR_SIZE,            \
		.setup = fn, .a_init = a_init, .b_init = b_init, .a_rtt = a_rtt,          \
		.b_arm = b_arm, .b_echo = b_echo, .a_send = a_send, .b_recv = b_recv,     \
		.counters = counters, .a_fini = fini, .b_fini = fini,                      \
		.teardown = teardown,                                                      \
	}

RPMSG_IMPL(irq, setup_irq);
RPMSG_IMPL(poll, setup_poll);
RPMSG_IMPL(adaptive, setup_adaptive);
