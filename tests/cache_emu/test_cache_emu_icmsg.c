/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ICMsg between two processes through emulated non-coherent caches: both
 * ring regions cacheable with dcache-alignment = the emulated line (32 B),
 * the Linux doorbell region non-cacheable. Both cores send a stream of
 * messages with sequence numbers and checksums at the same time (a sender
 * thread) while the doorbell thread receives and checks every byte.
 * Profiles v1, v2 and detect (against v1 and against detect), with and
 * without spontaneous evictions.
 *
 * Then the alignment the other ICMsg tests use (8, right for coherent
 * memory) under 32-byte lines: rd_idx, the v2 handshake word and wr_idx share
 * one line, which the emulator must flag.
 */
#define _GNU_SOURCE
#include "cemu_2proc.h"

#include <amplink/cache_emu.h>
#include <amplink/errno.h>
#include <amplink/icmsg.h>
#include <amplink/mbox_linux.h>
#include <amplink/port.h>
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
#define REGION 4096u
#define NMSG 5000u
#define RUN_MS 10000
#define STALL_MS 2000

struct ic_arg {
	char base[48];
	enum amp_icmsg_profile profile;   /* core 0 */
	enum amp_icmsg_profile profile1;  /* core 1 */
	uint32_t align;
	uint32_t n;
	uint32_t n1; /* restart: messages before the restart (0 = n) */
	bool widen_bond_race; /* known issue 2: stretch the v2 bonding window */
};

struct ic_core {
	int id;
	uint32_t max;
	struct amp_icmsg ic;
	volatile uint32_t bound, unbound, rx, bad, errors;
	uint8_t rxbuf[REGION];
};

static struct ic_core g_c;

static void on_bound(void *p)
{
	struct ic_core *c = p;
	__atomic_store_n(&c->rx, 0u, __ATOMIC_SEQ_CST); /* a new session starts a new stream */
	__atomic_fetch_add(&c->bound, 1u, __ATOMIC_SEQ_CST);
}

static void on_unbound(void *p)
{
	__atomic_fetch_add(&((struct ic_core *)p)->unbound, 1u, __ATOMIC_SEQ_CST);
}

static void on_error(const char *msg, void *p)
{
	(void)msg;
	__atomic_fetch_add(&((struct ic_core *)p)->errors, 1u, __ATOMIC_SEQ_CST);
}

static void on_received(const void *d, size_t len, void *p)
{
	struct ic_core *c = p;
	const uint32_t seq = c->rx;
	if (!amp_test_msg_check(d, len, seq, c->max)) {
		c->bad++;
	}
	__atomic_store_n(&c->rx, seq + 1u, __ATOMIC_SEQ_CST);
}

struct sender {
	uint32_t n, sent;
	int err;
};

static void *sender_main(void *argp)
{
	struct sender *s = argp;
	static uint8_t buf[REGION];
	for (uint32_t seq = 0; seq < s->n; seq++) {
		const size_t len = amp_test_msg_len(seq, g_c.max);
		amp_test_msg_fill(buf, len, seq);
		int r = amp_icmsg_send_wait(&g_c.ic, buf, len, AMP_MSEC(STALL_MS));
		if (r != (int)len) {
			s->err = r;
			break;
		}
		s->sent++;
	}
	return NULL;
}

/* One core's environment: regions, doorbell, ICMsg instance. */
static struct {
	char rname[2][64], mname[64];
	struct amp_shm_cfg rcfg[2];
	struct amp_shm reg[2];
	struct amp_mbox_linux_cfg mcfg;
	struct amp_mbox mbox;
	struct amp_mbox_linux drv;
	struct amp_icmsg_cfg icfg;
	struct amp_ipc_ept_cfg ecfg;
} g_env;

/*
 * Known issue 2 (reported, not fixed here). In v2 bonding a writer that sees
 * a new session request resets its ring with amp_pbuf_tx_init(), which stores
 * rd_idx := 0 into the READER's line of the ring and cleans that line. The
 * line also holds the reader's handshake word. If the reader publishes a new
 * handshake word (its acknowledgement) after the writer last fetched the line
 * and before the writer's clean, the writer's write-back replaces it with the
 * stale one: the acknowledgement is lost, the writer never binds, and nothing
 * repeats it. Naturally the window is a few instructions (about one run in
 * ten of the v2 stream test hits it); widen_bond_race stretches it: core 1
 * holds that clean back 60 ms, core 0 holds back the publication of its
 * acknowledgement 20 ms, so the acknowledgement lands inside the window.
 */
static uint8_t *g_widen_b2a;

static bool widen_filter(enum amp_cache_emu_op op, const volatile void *addr, size_t len, void *u)
{
	(void)len;
	(void)u;
	static int writer_resets, handshakes;
	if (op != AMP_CACHE_EMU_CLEAN) {
		return true;
	}
	if (g_c.id == 1 && addr == (const volatile void *)g_widen_b2a && writer_resets++ == 0) {
		amp_port_sleep_us(60000); /* core 1's first ring reset: rd_idx line */
	} else if (g_c.id == 0 && addr == (const volatile void *)(g_widen_b2a + 4) &&
		   ++handshakes == 2) {
		amp_port_sleep_us(20000); /* core 0's acknowledgement */
	}
	return true;
}

/* Power-on of a core: fresh caches (the regions are mapped anew), doorbell,
 * instance opened. 0 or a failure code for res->rc. */
static int core_up(int id, const struct ic_arg *arg)
{
	struct ic_core *c = &g_c;
	c->id = id;
	for (int i = 0; i < 2; i++) {
		snprintf(g_env.rname[i], sizeof(g_env.rname[i]), "%s-%s", arg->base,
			 i == 0 ? "a2b" : "b2a");
		g_env.rcfg[i] = (struct amp_shm_cfg){ .name = g_env.rname[i], .size = REGION,
						      .cacheable = true };
		if (amp_shm_open(&g_env.reg[i], &g_env.rcfg[i]) != 0) {
			return 1;
		}
	}
	snprintf(g_env.mname, sizeof(g_env.mname), "%s-mbox", arg->base);
	g_env.mcfg = (struct amp_mbox_linux_cfg){
		.shm = { .name = g_env.mname, .size = AMP_MBOX_LINUX_REGION_SIZE, .cacheable = false },
		.side = (uint8_t)id,
		.num_channels = 2,
		.tx_mask = 1u << id,
		.rx_mask = 1u << (1 - id),
		.wait = AMP_MBOX_LINUX_WAIT_IRQ,
	};
	if (amp_mbox_linux_init(&g_env.mbox, &g_env.drv, &g_env.mcfg) != 0) {
		return 2;
	}
	const enum amp_icmsg_profile prof = id == 0 ? arg->profile : arg->profile1;
	/* Both layouts carry the same payload when one side is v1 (align >= 8). */
	c->max = AMP_ICMSG_RING_MAX_MSG(REGION, arg->align, 1);
	if (c->max > 1000u) {
		c->max = 1000u;
	}
	g_env.icfg = (struct amp_icmsg_cfg){
		.name = id == 0 ? "core0" : "core1",
		.tx_region = g_env.reg[id].base,
		.tx_size = REGION,
		.rx_region = g_env.reg[1 - id].base,
		.rx_size = REGION,
		.mbox = &g_env.mbox,
		.tx_channel = (uint32_t)id,
		.rx_channel = (uint32_t)(1 - id),
		.profile = prof,
		.dcache_align = arg->align,
		.peer_max_msg = c->max,
		.rx_buf = c->rxbuf,
		.rx_buf_size = sizeof(c->rxbuf),
	};
	g_env.ecfg = (struct amp_ipc_ept_cfg){
		.name = "ep",
		.cb = { .bound = on_bound, .unbound = on_unbound, .received = on_received,
			.error = on_error },
		.priv = c,
	};
	if (arg->widen_bond_race) {
		/* b2a: core 1 writes its ring there, core 0 its handshake word. */
		g_widen_b2a = g_env.reg[1].base;
		amp_cache_emu_set_filter(widen_filter, NULL);
	}
	if (amp_icmsg_init(&c->ic, &g_env.icfg) != 0 || amp_icmsg_open(&c->ic, &g_env.ecfg) != 0) {
		return 3;
	}
	return 0;
}

/* A core dies: no close, no write-back; its caches are simply gone. */
static void core_die(void)
{
	(void)amp_mbox_linux_deinit(&g_env.mbox);
	amp_shm_close(&g_env.reg[0]);
	amp_shm_close(&g_env.reg[1]);
}

static void core_down(void)
{
	(void)amp_icmsg_close(&g_c.ic);
	core_die();
}

/* Waits until at least @p n bindings were reported. */
static bool wait_bound_count(uint32_t n, int timeout_ms)
{
	const uint64_t until = cemu_ms() + (uint64_t)timeout_ms;
	while (__atomic_load_n(&g_c.bound, __ATOMIC_SEQ_CST) < n) {
		if (cemu_ms() > until) {
			return false;
		}
		amp_port_sleep_us(500);
	}
	return true;
}

/* Both directions at once: n messages sent by a thread, n expected here. */
static void exchange(uint32_t n, struct cemu_result *res)
{
	struct ic_core *c = &g_c;
	struct sender s = { .n = n };
	pthread_t th;
	if (pthread_create(&th, NULL, sender_main, &s) != 0) {
		res->rc = 4;
		return;
	}
	const uint64_t deadline = cemu_ms() + RUN_MS;
	uint64_t progress = cemu_ms();
	uint32_t last = 0;
	while (__atomic_load_n(&c->rx, __ATOMIC_SEQ_CST) < n && cemu_ms() < deadline &&
	       cemu_ms() - progress < STALL_MS) {
		uint32_t now = __atomic_load_n(&c->rx, __ATOMIC_SEQ_CST);
		if (now != last) {
			last = now;
			progress = cemu_ms();
		}
		amp_port_sleep_us(1000);
	}
	pthread_join(th, NULL);
	res->sent += s.sent;
	res->received += __atomic_load_n(&c->rx, __ATOMIC_SEQ_CST);
	if (s.err != 0 && res->note[0] == '\0') {
		snprintf(res->note, sizeof(res->note), "send %u failed: %d", s.sent, s.err);
	}
}

/*
 * Hazards of a stream run. pbuf's writer writes the reader's line once, when
 * it (re)initialises its ring (rd_idx := 0); a v1 writer does that at open
 * with a possibly stale copy of the word after rd_idx, which a "detect"
 * reader uses as its handshake word, and a v2 writer does it when it sees a
 * new session, possibly over the reader's fresh acknowledgement. Such
 * clobbers in the first 8 bytes of a ring are tolerated (a v1 peer never
 * reads that word; a v2 reader re-asserts it) as long as the stream itself
 * is intact; anything else is counted as an error.
 */
static uint32_t g_reader_line_hz, g_other_hz;

static void stream_hook(enum amp_cache_emu_hazard kind, const char *region, size_t first,
			size_t last, const void *caller, void *user)
{
	(void)region;
	(void)first;
	(void)caller;
	(void)user;
	if (kind == AMP_CACHE_EMU_CLOBBER && last < 8u) {
		g_reader_line_hz++;
	} else {
		g_other_hz++;
	}
}

static void ic_role(int id, const void *argp, struct cemu_result *res)
{
	const struct ic_arg *arg = argp;
	struct ic_core *c = &g_c;
	amp_cache_emu_set_hazard_hook(stream_hook, NULL);
	res->rc = core_up(id, arg);
	if (res->rc != 0) {
		return;
	}
	if (amp_icmsg_wait_bound(&c->ic, AMP_MSEC(arg->widen_bond_race ? 1500 : 5000)) != 0) {
		snprintf(res->note, sizeof(res->note), "never bound (state %d)",
			 amp_icmsg_state(&c->ic));
	} else {
		exchange(arg->n, res);
	}
	/* Count only when the peer has sent everything, close only when it has counted. */
	(void)cemu_barrier(id, 1, 3000);
	struct amp_icmsg_stats st;
	amp_icmsg_get_stats(&c->ic, &st);
	res->bad = c->bad;
	res->errors = c->errors + (uint32_t)st.proto_errors + c->unbound;
	(void)cemu_barrier(id, 2, 3000);
	core_down();
	res->known = g_reader_line_hz;
	if (arg->profile != arg->profile1) {
		res->errors += g_other_hz;
	}
}

/*
 * Known issue (reported, not fixed here: src/lib/pbuf.c is not ours). After
 * a v2 peer restart, amp_pbuf_handshake_write() on the surviving core stores
 * its handshake word into the reader line of its rx ring and cleans that line
 * without invalidating it first. The line also holds rd_idx, which the
 * restarted writer has just reset to 0 in amp_pbuf_tx_init(); the survivor's
 * write-back puts its stale pre-restart rd_idx back. The writer then sees a
 * ring that is full up to that old index. Any other hazard is a failure.
 */
static uint32_t g_known_hs, g_other_hazards, g_ring_resets;

static void restart_hook(enum amp_cache_emu_hazard kind, const char *region, size_t first,
			 size_t last, const void *caller, void *user)
{
	(void)caller;
	(void)user;
	const size_t n = strlen(region);
	const bool own_rx = n > 4 && strcmp(region + n - 4, g_c.id == 0 ? "-b2a" : "-a2b") == 0;
	(void)first;
	if (kind == AMP_CACHE_EMU_CLOBBER && own_rx && last < 4u) {
		g_known_hs++;
	} else if (kind == AMP_CACHE_EMU_CLOBBER && !own_rx && last < 8u) {
		/* Our ring reset (rd_idx := 0 into the reader's line) while the
		 * restarted reader was still moving rd_idx: deliberate, and the
		 * same on coherent memory. */
		g_ring_resets++;
	} else {
		g_other_hazards++;
	}
}

/*
 * Restart: both cores exchange, then core 1 dies (its caches are lost, it
 * writes nothing more) and boots again with cold caches, while core 0 keeps
 * its caches, stale lines included. v2: core 0 sees `unbound` and opens again;
 * v1: it bonds again by itself. Then a second exchange, sequence numbers
 * from 0 (the bound callback resets the receive counter).
 */
static void ic_restart_role(int id, const void *argp, struct cemu_result *res)
{
	const struct ic_arg *arg = argp;
	struct ic_core *c = &g_c;
	amp_cache_emu_set_hazard_hook(restart_hook, NULL);
	res->rc = core_up(id, arg);
	if (res->rc != 0) {
		return;
	}
	if (!wait_bound_count(1, 5000)) {
		snprintf(res->note, sizeof(res->note), "never bound");
		(void)cemu_barrier(id, 1, 3000);
		(void)cemu_barrier(id, 2, 3000);
		core_down();
		return;
	}
	exchange(arg->n1 != 0u ? arg->n1 : arg->n, res);
	(void)cemu_barrier(id, 1, 3000);
	if (id == 1) {
		core_die();
		amp_port_sleep_us(20000);
		memset((void *)&g_c, 0, sizeof(g_c));
		res->rc = core_up(id, arg);
		if (res->rc != 0) {
			return;
		}
	} else {
		const uint64_t until = cemu_ms() + 5000u;
		while (__atomic_load_n(&c->unbound, __ATOMIC_SEQ_CST) == 0u && cemu_ms() < until) {
			amp_port_sleep_us(500);
		}
		if (c->unbound == 0u) {
			snprintf(res->note, sizeof(res->note), "the restart went unnoticed");
		} else if (arg->profile != AMP_ICMSG_V1) {
			(void)amp_icmsg_open(&c->ic, &g_env.ecfg);
		}
	}
	if (!wait_bound_count(id == 0 ? 2u : 1u, 5000)) {
		if (res->note[0] == '\0') {
			snprintf(res->note, sizeof(res->note), "not bound again");
		}
	} else {
		exchange(arg->n, res);
	}
	(void)cemu_barrier(id, 2, 5000);
	struct amp_icmsg_stats st;
	amp_icmsg_get_stats(&c->ic, &st);
	res->bad = c->bad;
	/* The survivor's one `unbound` is the expected news of the restart. */
	res->errors = c->errors + (uint32_t)st.proto_errors + (id == 0 ? c->unbound - 1u : c->unbound);
	(void)cemu_barrier(id, 3, 3000);
	core_down();
	res->errors += g_other_hazards;
	res->known = g_known_hs;
}

static void remove_regions(const char *base)
{
	const char *sfx[3] = { "a2b", "b2a", "mbox" };
	for (int i = 0; i < 3; i++) {
		char n[64];
		snprintf(n, sizeof(n), "%s-%s", base, sfx[i]);
		struct amp_shm_cfg c = { .name = n, .size = 1 };
		(void)amp_shm_remove(&c);
	}
}

static bool stream_once(const char *what, enum amp_icmsg_profile prof,
			enum amp_icmsg_profile prof1, uint32_t align, uint32_t evict, bool widen,
			struct cemu_result res[2])
{
	struct ic_arg arg = { .profile = prof, .profile1 = prof1, .align = align, .n = NMSG,
			      .widen_bond_race = widen };
	cemu_name(arg.base, sizeof(arg.base), "ic");
	remove_regions(arg.base);
	struct amp_cache_emu_cfg emu = { .line_size = LINE, .evict_permille = evict, .seed = 9,
					 .quiet = align >= LINE };
	int rc = cemu_run_pair(ic_role, &arg, &emu, RUN_MS + 10000, res);
	remove_regions(arg.base);
	cemu_print(what, res);
	bool ok = rc == 0;
	for (int i = 0; i < 2; i++) {
		ok = ok && res[i].rc == 0 && res[i].sent == NMSG && res[i].received == NMSG &&
		     res[i].bad == 0 && res[i].errors == 0 && res[i].emu.discards == 0 &&
		     (prof != prof1 ||
		      res[i].emu.hazards == (align >= LINE ? res[i].known : 0u));
	}
	if (prof != prof1 && res[0].known + res[1].known != 0u) {
		print_message("  tolerated: %u clobbers of the word after rd_idx by the v1 writer's "
			      "ring reset\n", res[0].known + res[1].known);
	}
	return ok;
}

/* Issue 2 (fixed, see test_icmsg_v2_bond_clobbered_ack_recovers): one core
 * never binds because its peer's acknowledgement was overwritten. */
static bool lost_ack(const struct cemu_result res[2])
{
	for (int i = 0; i < 2; i++) {
		if (strncmp(res[i].note, "never bound", 11) == 0 && res[i].emu.clobbers != 0u) {
			return true;
		}
	}
	return false;
}

/* A run that trips over known issue 2 (a race at bonding, rare) is reported
 * and run again, so that this test keeps checking the stream itself. */
static bool stream2(const char *what, enum amp_icmsg_profile prof, enum amp_icmsg_profile prof1,
		    uint32_t align, uint32_t evict, struct cemu_result res[2])
{
	bool ok = false;
	for (int attempt = 0; attempt < 3; attempt++) {
		ok = stream_once(what, prof, prof1, align, evict, false, res);
		if (ok || align < LINE || !lost_ack(res)) {
			break;
		}
		print_message("  KNOWN ISSUE 2 hit (v2 bonding lost an acknowledgement); again\n");
	}
	return ok;
}

static bool stream(const char *what, enum amp_icmsg_profile prof, uint32_t align, uint32_t evict,
		   struct cemu_result res[2])
{
	return stream2(what, prof, prof, align, evict, res);
}

static bool restart_emu(const char *what, enum amp_icmsg_profile prof, uint32_t n1,
			bool emu_on, uint32_t evict, struct cemu_result res[2]);

static bool restart(const char *what, enum amp_icmsg_profile prof, uint32_t n1, uint32_t evict,
		    struct cemu_result res[2])
{
	return restart_emu(what, prof, n1, true, evict, res);
}

static bool restart_once(const char *what, enum amp_icmsg_profile prof, uint32_t n1,
			 bool emu_on, uint32_t evict, struct cemu_result res[2])
{
	struct ic_arg arg = { .profile = prof, .profile1 = prof, .align = LINE, .n = NMSG / 5u,
			      .n1 = n1 };
	cemu_name(arg.base, sizeof(arg.base), "icr");
	remove_regions(arg.base);
	struct amp_cache_emu_cfg emu = { .line_size = LINE, .evict_permille = evict, .seed = 3 };
	int rc = cemu_run_pair(ic_restart_role, &arg, emu_on ? &emu : NULL, 2 * RUN_MS + 10000, res);
	remove_regions(arg.base);
	cemu_print(what, res);
	bool ok = rc == 0;
	for (int i = 0; i < 2; i++) {
		const uint32_t total = (n1 != 0u ? n1 : arg.n) + arg.n;
		ok = ok && res[i].rc == 0 && res[i].sent == total && res[i].received == total &&
		     res[i].bad == 0 && res[i].errors == 0 && res[i].note[0] == '\0';
	}
	if (res[0].known + res[1].known != 0u) {
		print_message("  known issue seen: %u stale rd_idx write-backs by the handshake "
			      "write (see restart_hook)\n", res[0].known + res[1].known);
	}
	return ok;
}

/* Binding again after the restart can trip over known issue 2 (a lost
 * acknowledgement); such a run is reported and repeated. */
static bool restart_emu(const char *what, enum amp_icmsg_profile prof, uint32_t n1,
			bool emu_on, uint32_t evict, struct cemu_result res[2])
{
	bool ok = false;
	for (int attempt = 0; attempt < 3; attempt++) {
		ok = restart_once(what, prof, n1, emu_on, evict, res);
		bool lost = false;
		for (int i = 0; i < 2; i++) {
			lost = lost || strncmp(res[i].note, "never bound", 11) == 0 ||
			       strncmp(res[i].note, "not bound again", 15) == 0;
		}
		if (ok || !lost || !emu_on) {
			break;
		}
		print_message("  KNOWN ISSUE 2 hit (v2 bonding lost an acknowledgement); again\n");
	}
	return ok;
}

static void test_icmsg_restart_v2(void **state)
{
	(void)state;
	struct cemu_result res[2];
	assert_true(restart("icmsg v2 restart of core 1", AMP_ICMSG_V2, 0, 0, res));
	assert_true(restart("icmsg v2 restart of core 1, evict=200", AMP_ICMSG_V2, 0, 200, res));
}

/*
 * Regression for what the emulator found first: the restart comes after a
 * single message, so a survivor that wrote its handshake word without
 * fetching the line first put its stale rd_idx back over the restarted
 * writer's reset, and the restarted core's first message could never fit
 * (that direction wedged). amp_pbuf_handshake_write() now fetches the line.
 */
static void test_icmsg_restart_v2_after_one_message(void **state)
{
	(void)state;
	struct cemu_result res[2];
	assert_true(restart("icmsg v2 restart after 1 message", AMP_ICMSG_V2, 1, 0, res));
	assert_int_equal(res[0].known, 0u); /* no stale rd_idx written back */
	assert_true(res[0].received > 1u);  /* traffic came through after the restart */
}

static void test_icmsg_restart_v1(void **state)
{
	(void)state;
	struct cemu_result res[2];
	assert_true(restart("icmsg v1 restart of core 1", AMP_ICMSG_V1, 0, 0, res));
	assert_true(restart("icmsg v1 restart after 1 message", AMP_ICMSG_V1, 1, 0, res));
}

static void test_icmsg_v1(void **state)
{
	(void)state;
	struct cemu_result res[2];
	assert_true(stream("icmsg v1 align=32", AMP_ICMSG_V1, LINE, 0, res));
	assert_true(res[0].emu.clean_calls > NMSG && res[1].emu.invalidate_calls > NMSG);
}

static void test_icmsg_v2(void **state)
{
	(void)state;
	struct cemu_result res[2];
	assert_true(stream("icmsg v2 align=32", AMP_ICMSG_V2, LINE, 0, res));
	assert_true(res[0].emu.clean_calls > NMSG && res[1].emu.invalidate_calls > NMSG);
}

static void test_icmsg_v2_evictions(void **state)
{
	(void)state;
	struct cemu_result res[2];
	assert_true(stream("icmsg v2 align=32 evict=200", AMP_ICMSG_V2, LINE, 200, res));
	assert_true(res[0].emu.evictions > 0);
}

static void test_icmsg_v1_evictions(void **state)
{
	(void)state;
	struct cemu_result res[2];
	assert_true(stream("icmsg v1 align=32 evict=200", AMP_ICMSG_V1, LINE, 200, res));
}

/*
 * Regression for the bonding race the emulator found (issue 2 above): the
 * peer's ring reset (pbuf tx init) writes back the cache line that holds our
 * acknowledgement and, from a stale copy, erases it; neither side then bound.
 * The window is stretched so the clobber happens every time. The reader now
 * re-asserts its handshake word once per pass (icmsg.c, reassert_handshake),
 * so both sides bind and the stream goes through regardless.
 */
static void test_icmsg_v2_bond_clobbered_ack_recovers(void **state)
{
	(void)state;
	struct cemu_result res[2];
	(void)stream_once("icmsg v2 bonding, window stretched", AMP_ICMSG_V2, AMP_ICMSG_V2, LINE, 0,
			  true, res);
	assert_true(res[0].emu.clobbers + res[1].emu.clobbers > 0u); /* the window was hit */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(res[i].rc, 0);
		assert_string_equal(res[i].note, "");
		assert_int_equal(res[i].sent, NMSG);
		assert_int_equal(res[i].received, NMSG);
		assert_int_equal(res[i].bad, 0);
		assert_int_equal(res[i].errors, 0);
	}
}

/* "detect" against a v1 peer and against another "detect" core. */
static void test_icmsg_detect(void **state)
{
	(void)state;
	struct cemu_result res[2];
	assert_true(stream2("icmsg detect/v1 align=32", AMP_ICMSG_DETECT, AMP_ICMSG_V1, LINE, 0, res));
	assert_true(stream2("icmsg detect/detect align=32 evict=200", AMP_ICMSG_DETECT,
			    AMP_ICMSG_DETECT, LINE, 200, res));
}

/* dcache-alignment 8 with 32-byte lines: a misconfiguration for a cached
 * core, which the emulator reports (hazards or a broken stream). */
static void test_icmsg_align_below_line_flagged(void **state)
{
	(void)state;
	struct cemu_result res[2];
	bool ok = true;
	for (int attempt = 0; attempt < 3 && ok; attempt++) {
		ok = stream("icmsg v2 align=8 (< line)", AMP_ICMSG_V2, 8, 0, res);
	}
	assert_false(ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icmsg_v1),
		cmocka_unit_test(test_icmsg_v2),
		cmocka_unit_test(test_icmsg_v1_evictions),
		cmocka_unit_test(test_icmsg_v2_evictions),
		cmocka_unit_test(test_icmsg_detect),
		cmocka_unit_test(test_icmsg_restart_v2),
		cmocka_unit_test(test_icmsg_restart_v2_after_one_message),
		cmocka_unit_test(test_icmsg_v2_bond_clobbered_ack_recovers),
		cmocka_unit_test(test_icmsg_restart_v1),
		cmocka_unit_test(test_icmsg_align_below_line_flagged),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
