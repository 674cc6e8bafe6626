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
#include "cbdrive.h"

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
	struct bench_cb cb;
	volatile int bound;
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
	amp_port_event_post(&s->cb.done);
}

static void a_received(const void *data, size_t len, void *priv)
{
	struct rpb_state *s = priv;
	if (bench_cb_rtt_reply(&s->cb, data, len)) {
		bench_cb_rtt_sent(&s->cb, amp_ipc_send(&s->ept, s->cb.job->buf, s->cb.job->size));
	}
}

static void b_received(const void *data, size_t len, void *priv)
{
	struct rpb_state *s = priv;
	struct bench_job *j = s->cb.job;
	memcpy(j->rbuf, data, len < BENCH_MAX_SIZE ? len : BENCH_MAX_SIZE);
	if (j->kind == BK_RTT) {
		int rc = amp_ipc_send(&s->ept, j->rbuf, len);
		if (rc < 0) {
			s->cb.error = rc;
		}
	}
	bench_cb_count(&s->cb);
}

static void on_error(const char *msg, void *priv)
{
	struct rpb_state *s = priv;
	fprintf(stderr, "amplink bench: rpmsg error: %s\n", msg);
	s->cb.error = AMP_EPROTO;
}

static int open_side(struct bench_job *j, bool host)
{
	struct rpb_state *s = st(j);
	bench_cb_init(&s->cb, j);
	int rc = amp_shm_open(&s->shm, &s->cfg_rg);
	if (rc != 0) {
		return rc;
	}
	s->shm_up = true;
	s->mcfg = bench_cb_doorbell(j, s->name_mb, host, s->mode);
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
		amp_port_event_wait(&s->cb.done, AMP_MSEC(50));
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

static int a_rtt(struct bench_job *j, uint64_t n, uint64_t *samples)
{
	struct rpb_state *s = st(j);
	uint32_t key = amp_port_irq_lock(); /* no callback until the phase is set up */
	bench_cb_rtt_arm(&s->cb, n, samples);
	int rc = amp_ipc_send(&s->ept, j->buf, j->size);
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
	(void)n;
	return bench_cb_recv(&st(j)->cb, t_last);
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
