/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RPMsg (static vrings) between two processes through emulated non-coherent
 * caches: the one shared region cacheable with MEM_ALIGNMENT = the emulated
 * line (32 B), the Linux doorbell region non-cacheable. Host and remote each
 * send a stream of messages with sequence numbers and checksums at the same
 * time (alternately by copy and zero-copy) on two endpoints; the doorbell
 * thread receives and checks every byte, holds some receive buffers, and the
 * main thread checks those again before it releases them. The region is seen at a different
 * address in each process (as by two cores with different memory maps): the
 * peer-visible address is a constant.
 */
#define _GNU_SOURCE
#include "cemu_2proc.h"

#include <amplink/cache_emu.h>
#include <amplink/errno.h>
#include <amplink/ipc.h>
#include <amplink/mbox_linux.h>
#include <amplink/port.h>
#include <amplink/rpmsg.h>
#include <amplink/shm.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define LINE 32u
#define REGION (32u * 1024u)
#define PHYS 0x38000000u
#define NEP 2
#define NMSG 3000u /* per endpoint and direction */
#define MAXMSG (512u - AMP_RPMSG_HDR_SIZE)
#define RUN_MS 15000
#define STALL_MS 2000

struct rp_arg {
	char base[48];
	uint32_t align;
	bool zero_copy;
	int restart; /* rp_restart_role: the core that restarts */
};

struct rp_core {
	struct amp_rpmsg rp;
	struct amp_rpmsg_cfg cfg;
	struct amp_ipc_instance inst;
	struct amp_ipc_ept ept[NEP];
	struct amp_ipc_ept_cfg ecfg[NEP];
	volatile uint32_t bound[NEP], unbound, errors;
	volatile uint32_t rx[NEP], bad;
	bool zero_copy;
	/* Zero-copy receive: some buffers are held in the callback and checked
	 * again, then released, by the main thread. */
	struct {
		void *buf;
		size_t len;
		uint32_t seq;
	} held[4];
	volatile uint32_t held_w, held_r, held_total;
	char first_bad[120];
};

static struct rp_core g_c;

/*
 * The one clobber RPMsg is allowed: byte 8..11 of a buffer (the header's
 * reserved word, which the receiver overwrites with the descriptor index
 * while it owns the buffer and the sender later rewrites with the rest of
 * the header). Anything else is a real two-writers-on-a-line bug.
 */
static struct {
	uint32_t pool_off, pool_size;
	uint32_t benign, unexpected;
	size_t first, last;
} g_clob;

static void clobber_hook(enum amp_cache_emu_hazard kind, const char *region, size_t first,
			 size_t last, const void *caller, void *user)
{
	(void)region;
	(void)caller;
	(void)user;
	const size_t b = 512u;
	bool benign = kind == AMP_CACHE_EMU_CLOBBER && first >= g_clob.pool_off &&
		      last < (size_t)g_clob.pool_off + g_clob.pool_size &&
		      (first - g_clob.pool_off) / b == (last - g_clob.pool_off) / b &&
		      (first - g_clob.pool_off) % b >= 8u && (last - g_clob.pool_off) % b < 12u;
	if (benign) {
		g_clob.benign++;
	} else if (g_clob.unexpected++ == 0u) {
		g_clob.first = first;
		g_clob.last = last;
	}
}

static void on_bound(void *p)
{
	__atomic_store_n(&g_c.rx[(intptr_t)p], 0u, __ATOMIC_SEQ_CST); /* a new stream */
	__atomic_fetch_add(&g_c.bound[(intptr_t)p], 1u, __ATOMIC_SEQ_CST);
}

static void on_unbound(void *p)
{
	(void)p;
	__atomic_fetch_add(&g_c.unbound, 1u, __ATOMIC_SEQ_CST);
}

static void on_error(const char *msg, void *p)
{
	(void)msg;
	(void)p;
	__atomic_fetch_add(&g_c.errors, 1u, __ATOMIC_SEQ_CST);
}

static void on_received(const void *d, size_t len, void *p)
{
	const int ep = (int)(intptr_t)p;
	const uint32_t seq = g_c.rx[ep];
	/* Endpoint 1 carries the same stream shifted, so the two differ. */
	if (!amp_test_msg_check(d, len, seq + (uint32_t)ep * 100000u, MAXMSG)) {
		if (g_c.bad++ == 0u) {
			uint8_t want[MAXMSG];
			const uint32_t s = seq + (uint32_t)ep * 100000u;
			const size_t wl = amp_test_msg_len(s, MAXMSG);
			amp_test_msg_fill(want, wl, s);
			size_t k = 0;
			while (k < len && k < wl && ((const uint8_t *)d)[k] == want[k]) {
				k++;
			}
			uint32_t got_seq = 0;
			if (len >= 4) {
				memcpy(&got_seq, d, 4);
			}
			snprintf(g_c.first_bad, sizeof(g_c.first_bad),
				 "first bad: ep %d seq %u len %zu (want %zu), differs from byte %zu, "
				 "carries seq %u", ep, seq, len, wl, k, got_seq % 100000u);
		}
	}
	const uint32_t w = g_c.held_w;
	if (g_c.zero_copy && ep == 1 && (seq % 8u) == 0u &&
	    w - __atomic_load_n(&g_c.held_r, __ATOMIC_ACQUIRE) < 4u &&
	    amp_ipc_hold_rx_buffer(&g_c.ept[1], (void *)(uintptr_t)d) == 0) {
		g_c.held[w % 4u].buf = (void *)(uintptr_t)d;
		g_c.held[w % 4u].len = len;
		g_c.held[w % 4u].seq = seq + 100000u;
		__atomic_store_n(&g_c.held_w, w + 1u, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&g_c.rx[ep], seq + 1u, __ATOMIC_SEQ_CST);
}

/* Main thread: a held buffer is still intact, then goes back to the peer. */
static void release_held(void)
{
	uint32_t r = g_c.held_r;
	while (r != __atomic_load_n(&g_c.held_w, __ATOMIC_ACQUIRE)) {
		if (!amp_test_msg_check(g_c.held[r % 4u].buf, g_c.held[r % 4u].len,
				    g_c.held[r % 4u].seq, MAXMSG)) {
			__atomic_fetch_add(&g_c.bad, 1u, __ATOMIC_SEQ_CST);
		}
		if (amp_ipc_release_rx_buffer(&g_c.ept[1], g_c.held[r % 4u].buf) != 0) {
			__atomic_fetch_add(&g_c.errors, 1u, __ATOMIC_SEQ_CST);
		}
		g_c.held_total++;
		r++;
		__atomic_store_n(&g_c.held_r, r, __ATOMIC_RELEASE);
	}
}

struct sender {
	uint32_t n;
	uint32_t sent;
	int err;
};

static int send_one(int ep, uint32_t seq, bool nocopy)
{
	static uint8_t buf[MAXMSG];
	const uint32_t s = seq + (uint32_t)ep * 100000u;
	const size_t len = amp_test_msg_len(s, MAXMSG);
	const uint64_t until = cemu_ms() + STALL_MS;
	for (;;) {
		int r;
		if (nocopy) {
			void *p = NULL;
			uint32_t sz = (uint32_t)len;
			r = amp_ipc_get_tx_buffer(&g_c.ept[ep], &p, &sz, AMP_MSEC(STALL_MS));
			if (r == 0) {
				amp_test_msg_fill(p, len, s);
				r = amp_ipc_send_nocopy(&g_c.ept[ep], p, len);
			}
		} else {
			amp_test_msg_fill(buf, len, s);
			r = amp_ipc_send(&g_c.ept[ep], buf, len);
		}
		if (r == (int)len) {
			return 0;
		}
		if ((r != AMP_ENOMEM && r != AMP_ENOBUFS) || cemu_ms() > until) {
			return r < 0 ? r : AMP_EBADMSG;
		}
		amp_port_sleep_us(50);
	}
}

static void *sender_main(void *argp)
{
	struct sender *s = argp;
	for (uint32_t seq = 0; seq < s->n; seq++) {
		for (int ep = 0; ep < NEP; ep++) {
			int r = send_one(ep, seq, g_c.zero_copy && (seq & 1u) != 0u);
			if (r != 0) {
				s->err = r;
				return NULL;
			}
			s->sent++;
		}
	}
	return NULL;
}

static uint32_t rx_total(void)
{
	uint32_t t = 0;
	for (int ep = 0; ep < NEP; ep++) {
		t += __atomic_load_n(&g_c.rx[ep], __ATOMIC_SEQ_CST);
	}
	return t;
}

/* One core's environment (static: the doorbell thread uses it). */
static struct {
	char rname[64], mname[64];
	struct amp_shm_cfg scfg;
	struct amp_shm shm;
	struct amp_mbox_linux_cfg mcfg;
	struct amp_mbox mbox;
	struct amp_mbox_linux drv;
} g_env;

/* Power-on: fresh caches (region mapped anew), doorbell, instance, endpoints. */
static int rp_up(int id, const struct rp_arg *arg)
{
	const bool host = id == 0;
	struct rp_core *c = &g_c;
	c->zero_copy = arg->zero_copy;
	snprintf(g_env.rname, sizeof(g_env.rname), "%s-shm", arg->base);
	snprintf(g_env.mname, sizeof(g_env.mname), "%s-mbox", arg->base);
	struct amp_rpmsg_layout lay;
	if (amp_rpmsg_layout_compute(&lay, REGION, 512u, arg->align) != 0) {
		return 6;
	}
	g_clob.pool_off = lay.pool_off;
	g_clob.pool_size = lay.pool_size;
	amp_cache_emu_set_hazard_hook(clobber_hook, NULL);
	g_env.scfg = (struct amp_shm_cfg){ .name = g_env.rname, .size = REGION, .cacheable = true };
	if (amp_shm_open(&g_env.shm, &g_env.scfg) != 0) {
		return 1;
	}
	g_env.mcfg = (struct amp_mbox_linux_cfg){
		.shm = { .name = g_env.mname, .size = AMP_MBOX_LINUX_REGION_SIZE, .cacheable = false },
		.side = (uint8_t)id,
		.num_channels = 2,
		.tx_mask = host ? 0x1u : 0x2u,
		.rx_mask = host ? 0x2u : 0x1u,
		.wait = AMP_MBOX_LINUX_WAIT_IRQ,
	};
	if (amp_mbox_linux_init(&g_env.mbox, &g_env.drv, &g_env.mcfg) != 0) {
		return 2;
	}
	c->cfg = (struct amp_rpmsg_cfg){
		.role = host ? AMP_RPMSG_ROLE_HOST : AMP_RPMSG_ROLE_REMOTE,
		.shm = g_env.shm.base,
		.shm_phys = PHYS,
		.shm_size = REGION,
		.mem_align = arg->align,
		.mbox = &g_env.mbox,
		.tx_channel = host ? 0u : 1u,
		.rx_channel = host ? 1u : 0u,
		.name = host ? "host" : "remote",
	};
	if (amp_rpmsg_init(&c->rp, &c->cfg, &c->inst) != 0 ||
	    amp_ipc_open_instance(&c->inst) != 0) {
		return 3;
	}
	static const char *const names[NEP] = { "ch0", "ch1" };
	for (int i = 0; i < NEP; i++) {
		c->ecfg[i] = (struct amp_ipc_ept_cfg){
			.name = names[i],
			.cb = { .bound = on_bound, .unbound = on_unbound, .received = on_received,
				.error = on_error },
			.priv = (void *)(intptr_t)i,
		};
		if (amp_ipc_register_endpoint(&c->inst, &c->ept[i], &c->ecfg[i]) != 0) {
			return 4;
		}
	}
	return 0;
}

/* A core dies: nothing more is written, its caches are gone. */
static void rp_die(void)
{
	(void)amp_mbox_linux_deinit(&g_env.mbox);
	amp_shm_close(&g_env.shm);
}

static void rp_down(void)
{
	for (int i = 0; i < NEP; i++) {
		(void)amp_ipc_deregister_endpoint(&g_c.ept[i]);
	}
	(void)amp_ipc_close_instance(&g_c.inst);
	rp_die();
}

/* Waits until every endpoint was bound at least @p n times. */
static bool wait_bound(uint32_t n, int timeout_ms)
{
	const uint64_t until = cemu_ms() + (uint64_t)timeout_ms;
	for (;;) {
		bool all = true;
		for (int i = 0; i < NEP; i++) {
			all = all && __atomic_load_n(&g_c.bound[i], __ATOMIC_SEQ_CST) >= n;
		}
		if (all) {
			return true;
		}
		if (cemu_ms() > until) {
			return false;
		}
		amp_port_sleep_us(1000);
	}
}

/* Both directions at once: n messages per endpoint sent by a thread, n per
 * endpoint expected here. */
static void rp_exchange(uint32_t n, struct cemu_result *res)
{
	struct sender s = { .n = n };
	pthread_t th;
	if (pthread_create(&th, NULL, sender_main, &s) != 0) {
		res->rc = 5;
		return;
	}
	const uint64_t deadline = cemu_ms() + RUN_MS;
	uint64_t progress = cemu_ms();
	uint32_t last = 0;
	while (rx_total() < NEP * n && cemu_ms() < deadline && cemu_ms() - progress < STALL_MS) {
		uint32_t now = rx_total();
		if (now != last) {
			last = now;
			progress = cemu_ms();
		}
		amp_port_sleep_us(500);
		release_held();
	}
	pthread_join(th, NULL);
	release_held();
	res->sent += s.sent;
	res->received += rx_total();
	if (s.err != 0 && res->note[0] == '\0') {
		snprintf(res->note, sizeof(res->note), "send %u failed: %d", s.sent, s.err);
	}
}

/* Hazards of the whole life into the result. */
static void rp_hazard_report(struct cemu_result *res)
{
	res->errors += g_clob.unexpected;
	if (g_clob.unexpected != 0u) {
		snprintf(res->note, sizeof(res->note),
			 "%u unexpected hazards, first at 0x%zx..0x%zx; %u reserved-word clobbers",
			 g_clob.unexpected, g_clob.first, g_clob.last, g_clob.benign);
	} else if (res->note[0] == '\0') {
		snprintf(res->note, sizeof(res->note), "%u reserved-word clobbers, nothing else",
			 g_clob.benign);
	}
}

static void rp_role(int id, const void *argp, struct cemu_result *res)
{
	const struct rp_arg *arg = argp;
	struct rp_core *c = &g_c;
	res->rc = rp_up(id, arg);
	if (res->rc != 0) {
		return;
	}
	if (!wait_bound(1, 5000)) {
		snprintf(res->note, sizeof(res->note), "endpoints bound: %u %u", c->bound[0],
			 c->bound[1]);
	} else {
		rp_exchange(NMSG, res);
		if (c->zero_copy && c->held_total == 0u) {
			snprintf(res->note, sizeof(res->note), "no receive buffer was held");
			c->errors++;
		}
	}
	(void)cemu_barrier(id, 1, 3000);
	struct amp_rpmsg_stats st;
	amp_rpmsg_get_stats(&c->rp, &st);
	res->bad = c->bad;
	res->errors = c->errors + c->unbound + st.rx_protocol_errors;
	(void)cemu_barrier(id, 2, 3000);
	rp_down();
	rp_hazard_report(res);
}

/*
 * Restart of core arg->restart (0 = host, 1 = remote) after a first
 * exchange: it dies (caches lost, nothing written) and boots again with cold
 * caches; the other core keeps its caches, stale lines included, notices the
 * restart, and both bind again and exchange once more (sequence numbers from
 * 0: the bound callback resets them).
 */
static void rp_restart_role(int id, const void *argp, struct cemu_result *res)
{
	const struct rp_arg *arg = argp;
	struct rp_core *c = &g_c;
	res->rc = rp_up(id, arg);
	if (res->rc != 0) {
		return;
	}
	if (!wait_bound(1, 5000)) {
		snprintf(res->note, sizeof(res->note), "not bound");
	} else {
		rp_exchange(NMSG / 10u, res);
	}
	(void)cemu_barrier(id, 1, 5000);
	uint32_t expect_unbound = 0;
	if (id == arg->restart) {
		rp_die();
		amp_port_sleep_us(20000);
		const uint32_t sent = res->sent, received = res->received;
		memset((void *)&g_c, 0, sizeof(g_c));
		res->rc = rp_up(id, arg);
		if (res->rc != 0) {
			return;
		}
		res->sent = sent;
		res->received = received;
	} else {
		expect_unbound = NEP; /* each endpoint hears of the restart once */
	}
	if (!wait_bound(id == arg->restart ? 1u : 2u, 8000)) {
		if (res->note[0] == '\0') {
			snprintf(res->note, sizeof(res->note), "not bound again: %u %u", c->bound[0],
				 c->bound[1]);
		}
	} else {
		rp_exchange(NMSG / 10u, res);
	}
	(void)cemu_barrier(id, 2, 8000);
	struct amp_rpmsg_stats st;
	amp_rpmsg_get_stats(&c->rp, &st);
	res->bad = c->bad;
	/* The survivor's endpoints each get one `error` and one `unbound`: the news. */
	res->errors = st.rx_protocol_errors +
		      (c->errors > expect_unbound ? c->errors - expect_unbound : 0u) +
		      (c->unbound > expect_unbound ? c->unbound - expect_unbound : 0u);
	(void)cemu_barrier(id, 3, 3000);
	rp_down();
	if (c->first_bad[0] != '\0') {
		snprintf(res->note, sizeof(res->note), "%s", c->first_bad);
	}
	/* Around a restart each side deliberately stores over what the other
	 * wrote (the host zeroes rings and buffers, the remote rewrites headers
	 * over the zeroes); where a store leaves a byte's value unchanged the
	 * emulator cannot see it and reports a clobber. So here the messages
	 * are the judge, and the clobbers are only reported. */
	if (g_clob.unexpected != 0u && res->note[0] == '\0') {
		snprintf(res->note, sizeof(res->note), "%u clobbers outside the reserved word",
			 g_clob.unexpected);
	}
}

static void remove_regions(const char *base)
{
	const char *sfx[2] = { "shm", "mbox" };
	for (int i = 0; i < 2; i++) {
		char n[64];
		snprintf(n, sizeof(n), "%s-%s", base, sfx[i]);
		struct amp_shm_cfg c = { .name = n, .size = 1 };
		(void)amp_shm_remove(&c);
	}
}

static bool stream(const char *what, uint32_t align, bool zero_copy, uint32_t evict,
		   struct cemu_result res[2])
{
	struct rp_arg arg = { .align = align, .zero_copy = zero_copy };
	cemu_name(arg.base, sizeof(arg.base), "rp");
	remove_regions(arg.base);
	struct amp_cache_emu_cfg emu = { .line_size = LINE, .evict_permille = evict, .seed = 5,
					 .quiet = align >= LINE };
	int rc = cemu_run_pair(rp_role, &arg, &emu, RUN_MS + 10000, res);
	remove_regions(arg.base);
	cemu_print(what, res);
	bool ok = rc == 0;
	for (int i = 0; i < 2; i++) {
		/* Hazards other than the reserved-word clobber (see clobber_hook)
		 * are counted in errors. */
		ok = ok && res[i].rc == 0 && res[i].sent == NEP * NMSG &&
		     res[i].received == NEP * NMSG && res[i].bad == 0 && res[i].errors == 0 &&
		     res[i].emu.discards == 0;
	}
	return ok;
}

static bool restart_emu(const char *what, int who, bool emu_on, uint32_t evict,
			struct cemu_result res[2]);

static bool restart(const char *what, int who, uint32_t evict, struct cemu_result res[2])
{
	return restart_emu(what, who, true, evict, res);
}

static bool restart_emu(const char *what, int who, bool emu_on, uint32_t evict,
			struct cemu_result res[2])
{
	struct rp_arg arg = { .align = LINE, .zero_copy = true, .restart = who };
	cemu_name(arg.base, sizeof(arg.base), "rpr");
	remove_regions(arg.base);
	struct amp_cache_emu_cfg emu = { .line_size = LINE, .evict_permille = evict, .seed = 11,
					 .quiet = true };
	int rc = cemu_run_pair(rp_restart_role, &arg, emu_on ? &emu : NULL, 2 * RUN_MS + 15000, res);
	remove_regions(arg.base);
	cemu_print(what, res);
	bool ok = rc == 0;
	for (int i = 0; i < 2; i++) {
		const uint32_t total = 2u * NEP * (NMSG / 10u);
		ok = ok && res[i].rc == 0 && res[i].sent == total && res[i].received == total &&
		     res[i].bad == 0 && res[i].errors == 0 && res[i].emu.discards == 0;
	}
	return ok;
}

static void test_rpmsg_host_restart(void **state)
{
	(void)state;
	struct cemu_result res[2];
	assert_true(restart_emu("rpmsg host restarts, emulator off", 0, false, 0, res));
	assert_true(restart("rpmsg host restarts", 0, 0, res));
	assert_true(restart("rpmsg host restarts, evict=200", 0, 200, res));
}

static void test_rpmsg_remote_restart(void **state)
{
	(void)state;
	struct cemu_result res[2];
	assert_true(restart_emu("rpmsg remote restarts, emulator off", 1, false, 0, res));
	assert_true(restart("rpmsg remote restarts", 1, 0, res));
}

static void test_rpmsg_copy(void **state)
{
	(void)state;
	struct cemu_result res[2];
	assert_true(stream("rpmsg align=32 copy", LINE, false, 0, res));
	assert_true(res[0].emu.clean_calls > NMSG && res[1].emu.invalidate_calls > NMSG);
}

static void test_rpmsg_zero_copy(void **state)
{
	(void)state;
	struct cemu_result res[2];
	assert_true(stream("rpmsg align=32 copy+zero-copy", LINE, true, 0, res));
}

static void test_rpmsg_evictions(void **state)
{
	(void)state;
	struct cemu_result res[2];
	assert_true(stream("rpmsg align=32 copy+zero-copy evict=200", LINE, true, 200, res));
}

/* MEM_ALIGNMENT 4 (Zephyr's default) under 32-byte lines: the vrings' driver
 * and device parts and neighbouring buffers share lines. The emulator must
 * flag it (lost data, a stopped link, or discarded lines). */
static void test_rpmsg_align_below_line_flagged(void **state)
{
	(void)state;
	struct cemu_result res[2];
	bool ok = true;
	for (int attempt = 0; attempt < 3 && ok; attempt++) {
		ok = stream("rpmsg align=4 (< line)", 4, true, 0, res);
	}
	assert_false(ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rpmsg_copy),
		cmocka_unit_test(test_rpmsg_zero_copy),
		cmocka_unit_test(test_rpmsg_evictions),
		cmocka_unit_test(test_rpmsg_host_restart),
		cmocka_unit_test(test_rpmsg_remote_restart),
		cmocka_unit_test(test_rpmsg_align_below_line_flagged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
