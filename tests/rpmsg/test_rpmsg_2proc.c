/* SPDX-License-Identifier: Apache-2.0 */
/*
 * RPMsg between two processes ("cores"): each child maps the region itself
 * at the same fixed address (so peer-visible address == local address, as on
 * a Linux system with the region at its devicetree address), opens the Linux
 * doorbell, and runs a host or a remote instance with 4 endpoints at once.
 * Both directions carry random-size messages (12..496 bytes) with per-endpoint
 * sequence numbers, a CRC and a content pattern; every message is checked on
 * arrival and none may be lost, duplicated, reordered or corrupted. Half the
 * messages go through the zero-copy path (get_tx_buffer with a timeout that
 * sleeps on the transport's event + send_nocopy), some received buffers are
 * held in the callback and released later from the main thread. Both start
 * orders are tested. `soak` runs 1,000,000 messages each way.
 *
 * argv[1] (optional): messages each way in total (default 100000).
 */
#define _GNU_SOURCE
#include "../shm/amp_proc.h"

#include <amplink/errno.h>
#include <amplink/ipc.h>
#include <amplink/mbox_linux.h>
#include <amplink/rpmsg.h>
#include <amplink/shm.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define NEP 4
#define REGION_SIZE (64u * 1024u)
#define HDR 12u
#define CHILD_TIMEOUT_MS 60000u

static long g_total = 100000; /* messages each way */
static long g_bench;          /* > 0: one-way zero-copy throughput run of that many messages */
static uint32_t g_bench_size = 496;
static int g_bench_batch = 32;
static int g_bench_fill = 1;   /* write the whole payload, as an application would */

/* ---- shared test plumbing ------------------------------------------------- */

struct run {
	char region[64], mbox[64];
	uintptr_t addr;
	int to_parent[2];   /* child -> parent: 'R' received everything, 'E' error */
	int to_child[2][2]; /* parent -> child: 'T' tear down */
	bool host_first;
};

static uint32_t crc32_calc(const uint8_t *p, size_t n)
{
	uint32_t c = 0xFFFFFFFFu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++) {
			c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
		}
	}
	return ~c;
}

static uint8_t pattern(uint32_t seq, uint32_t ep, uint32_t k)
{
	return (uint8_t)(seq * 131u + k * 7u + ep * 29u);
}

static uint32_t xorshift(uint32_t *s)
{
	uint32_t x = *s;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

/* ---- one core ---------------------------------------------------------------- */

struct core {
	struct amp_rpmsg rp;
	struct amp_rpmsg_cfg cfg;
	struct amp_ipc_instance inst;
	struct amp_ipc_ept ept[NEP];
	struct amp_ipc_ept_cfg ecfg[NEP];
	char names[NEP][8];
	volatile int bound[NEP];
	volatile uint32_t rx_next[NEP];
	volatile long rx_total;
	volatile int bad;
	/* held buffers handed from the callback (doorbell thread) to the main thread */
	void *volatile held[16];
	volatile uint32_t held_w, held_r;
	volatile int held_ep[16];
};

static struct core g_core;

static void on_bound(void *priv)
{
	g_core.bound[(intptr_t)priv] = 1;
}

static void on_received(const void *data, size_t len, void *priv)
{
	int ep = (int)(intptr_t)priv;
	if (g_bench) {
		uint32_t seq;
		memcpy(&seq, data, 4);
		if (seq != g_core.rx_next[ep] || len != g_bench_size) {
			g_core.bad++;
		}
		g_core.rx_next[ep] = seq + 1;
		g_core.rx_total++;
		return;
	}
	const uint8_t *d = data;
	if (len < HDR) {
		g_core.bad++;
		return;
	}
	uint32_t seq, eplen, crc;
	memcpy(&seq, d, 4);
	memcpy(&eplen, d + 4, 4);
	memcpy(&crc, d + 8, 4);
	bool ok = seq == g_core.rx_next[ep] && (eplen & 0xffffu) == (uint32_t)ep &&
		  (eplen >> 16) == len && crc32_calc(d + HDR, len - HDR) == crc;
	for (size_t k = HDR; ok && k < len; k++) {
		ok = d[k] == pattern(seq, (uint32_t)ep, (uint32_t)k);
	}
	if (!ok) {
		if (g_core.bad++ < 5) {
			fprintf(stderr, "[%d] ep %d: bad message seq %u (want %u) len %zu\n", (int)getpid(),
				ep, seq, g_core.rx_next[ep], len);
		}
	}
	g_core.rx_next[ep] = seq + 1;
	g_core.rx_total++;
	/* every 5th message: keep the buffer, the main thread releases it */
	uint32_t w = g_core.held_w;
	if (seq % 5u == 2u && w - g_core.held_r < 16u &&
	    amp_ipc_hold_rx_buffer(&g_core.ept[ep], (void *)(uintptr_t)data) == 0) {
		g_core.held[w % 16u] = (void *)(uintptr_t)data;
		g_core.held_ep[w % 16u] = ep;
		__atomic_store_n(&g_core.held_w, w + 1, __ATOMIC_RELEASE);
	}
}

static void release_held(void)
{
	while (g_core.held_r != __atomic_load_n(&g_core.held_w, __ATOMIC_ACQUIRE)) {
		uint32_t r = g_core.held_r;
		if (amp_ipc_release_rx_buffer(&g_core.ept[g_core.held_ep[r % 16u]], g_core.held[r % 16u]) != 0) {
			g_core.bad++;
		}
		g_core.held_r = r + 1;
	}
}

static void fill(uint8_t *b, uint32_t seq, uint32_t ep, uint32_t len)
{
	uint32_t eplen = ep | (len << 16);
	for (uint32_t k = HDR; k < len; k++) {
		b[k] = pattern(seq, ep, k);
	}
	uint32_t crc = crc32_calc(b + HDR, len - HDR);
	memcpy(b, &seq, 4);
	memcpy(b + 4, &eplen, 4);
	memcpy(b + 8, &crc, 4);
}

static int send_one(int ep, uint32_t seq, uint32_t len)
{
	struct amp_ipc_ept *e = &g_core.ept[ep];
	uint64_t deadline = amp_port_now_ns() + 20ull * 1000000000ull;
	if (seq % 2u == 0) {
		uint8_t buf[512];
		fill(buf, seq, (uint32_t)ep, len);
		int r = amp_ipc_send(e, buf, len);
		if (r == (int)len) {
			return 0;
		}
		if (r != AMP_ENOMEM) {
			fprintf(stderr, "send: %s\n", amp_strerror(r));
			return -1;
		}
		/* no buffer: fall through to the zero-copy path, which can wait */
	}
	for (;;) {
		void *p = NULL;
		uint32_t sz = len;
		int r = amp_ipc_get_tx_buffer(e, &p, &sz, AMP_MSEC(200));
		if (r == 0) {
			fill(p, seq, (uint32_t)ep, len);
			r = amp_ipc_send_nocopy(e, p, len);
			if (r != (int)len) {
				fprintf(stderr, "send_nocopy: %s\n", amp_strerror(r));
				return -1;
			}
			return 0;
		}
		release_held();
		if (r != AMP_ETIMEDOUT || amp_port_now_ns() > deadline) {
			fprintf(stderr, "[%d] get_tx_buffer: %s\n", (int)getpid(), amp_strerror(r));
			return -1;
		}
	}
}

static int wait_byte(int fd, char *c, unsigned ms)
{
	uint64_t deadline = amp_port_now_ns() + (uint64_t)ms * 1000000u;
	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		int r = poll(&pfd, 1, 100);
		if (r == 1 && read(fd, c, 1) == 1) {
			return 0;
		}
		if (r < 0 && errno != EINTR) {
			return -1;
		}
		if (amp_port_now_ns() > deadline) {
			return -1;
		}
	}
}

static int core_main(struct run *run, bool host)
{
	struct amp_shm_cfg scfg = { .name = run->region, .size = REGION_SIZE, .addr = run->addr };
	struct amp_shm shm;
	int r = amp_shm_open(&shm, &scfg);
	if (r != 0) {
		fprintf(stderr, "shm open: %s\n", amp_strerror(r));
		return 10;
	}
	if ((uintptr_t)shm.base != run->addr || shm.phys != run->addr) {
		return 11;
	}
	struct amp_mbox mbox;
	struct amp_mbox_linux mdrv;
	struct amp_mbox_linux_cfg mcfg = {
		.shm = { .name = run->mbox },
		.side = host ? 0 : 1,
		.num_channels = 2,
		.tx_mask = host ? 0x1 : 0x2,
		.rx_mask = host ? 0x2 : 0x1,
		.wait = AMP_MBOX_LINUX_WAIT_ADAPTIVE,
		.spin_us = 50,
	};
	r = amp_mbox_linux_init(&mbox, &mdrv, &mcfg);
	if (r != 0) {
		fprintf(stderr, "mbox init: %s\n", amp_strerror(r));
		return 12;
	}
	struct core *c = &g_core;
	c->cfg = (struct amp_rpmsg_cfg){
		.role = host ? AMP_RPMSG_ROLE_HOST : AMP_RPMSG_ROLE_REMOTE,
		.shm = shm.base, .shm_phys = shm.phys, .shm_size = shm.size,
		.mbox = &mbox, .tx_channel = host ? 0 : 1, .rx_channel = host ? 1 : 0,
		.name = host ? "host" : "remote",
	};
	r = amp_rpmsg_init(&c->rp, &c->cfg, &c->inst);
	if (r == 0) {
		r = amp_ipc_open_instance(&c->inst);
	}
	if (r != 0) {
		fprintf(stderr, "rpmsg open: %s\n", amp_strerror(r));
		return 13;
	}
	for (int i = 0; i < NEP; i++) {
		snprintf(c->names[i], sizeof(c->names[i]), "ch%d", i);
		c->ecfg[i] = (struct amp_ipc_ept_cfg){
			.name = c->names[i], .cb = { .bound = on_bound, .received = on_received },
			.priv = (void *)(intptr_t)i,
		};
		if (amp_ipc_register_endpoint(&c->inst, &c->ept[i], &c->ecfg[i]) != 0) {
			return 14;
		}
	}
	/* bounded wait for all four bindings */
	uint64_t t0 = amp_port_now_ns();
	for (;;) {
		int nb = 0;
		for (int i = 0; i < NEP; i++) {
			nb += c->bound[i];
		}
		if (nb == NEP) {
			break;
		}
		if (amp_port_now_ns() - t0 > 10ull * 1000000000ull) {
			fprintf(stderr, "[%s] only %d endpoints bound\n", host ? "host" : "remote", nb);
			return 15;
		}
		amp_port_sleep_us(1000);
	}

	if (g_bench) {
		uint64_t b0 = amp_port_now_ns();
		if (host) {
			for (long i = 0; i < g_bench;) {
				amp_rpmsg_batch_begin(&c->rp);
				for (int k = 0; k < g_bench_batch && i < g_bench; k++, i++) {
					void *p = NULL;
					uint32_t sz = g_bench_size;
					int rr = amp_ipc_get_tx_buffer(&c->ept[0], &p, &sz, AMP_NO_WAIT);
					if (rr == AMP_ENOBUFS) {
						amp_rpmsg_batch_end(&c->rp);
						rr = amp_ipc_get_tx_buffer(&c->ept[0], &p, &sz, AMP_MSEC(2000));
						amp_rpmsg_batch_begin(&c->rp);
					}
					if (rr != 0) {
						return 30;
					}
					uint32_t seq = (uint32_t)i;
					if (g_bench_fill) {
						memset(p, (int)seq, g_bench_size);
					}
					memcpy(p, &seq, 4);
					if (amp_ipc_send_nocopy(&c->ept[0], p, g_bench_size) != (int)g_bench_size) {
						return 31;
					}
				}
				amp_rpmsg_batch_end(&c->rp);
			}
		} else {
			while (c->rx_total < g_bench) {
				if (amp_port_now_ns() - b0 > 60ull * 1000000000ull) {
					return 32;
				}
				amp_port_sleep_us(100);
			}
		}
		double sec = (double)(amp_port_now_ns() - b0) / 1e9;
		struct amp_rpmsg_stats bst;
		amp_rpmsg_get_stats(&c->rp, &bst);
		fprintf(stderr, "[%s] %ld msgs of %u B in %.3f s: %.0f msgs/s, %u doorbells, bad %d\n",
			host ? "host" : "remote", host ? g_bench : c->rx_total, g_bench_size, sec,
			(double)g_bench / sec, bst.tx_notifies, c->bad);
		char ch = c->bad ? 'E' : 'R';
		if (write(run->to_parent[1], &ch, 1) != 1 ||
		    wait_byte(run->to_child[host ? 0 : 1][0], &ch, 20000) != 0) {
			return 33;
		}
		for (int i = 0; i < NEP; i++) {
			(void)amp_ipc_deregister_endpoint(&c->ept[i]);
		}
		(void)amp_ipc_close_instance(&c->inst);
		(void)amp_mbox_linux_deinit(&mbox);
		(void)amp_shm_close(&shm);
		return c->bad ? 34 : 0;
	}

	uint32_t seed = host ? 0x1234567u : 0x7654321u;
	uint32_t seq[NEP] = { 0 };
	long per_ep = g_total / NEP;
	for (long i = 0; i < per_ep * NEP; i++) {
		int ep = (int)(i % NEP);
		uint32_t len = HDR + xorshift(&seed) % (AMP_RPMSG_BUFFER_SIZE_DEFAULT - AMP_RPMSG_HDR_SIZE - HDR + 1u);
		if (send_one(ep, seq[ep]++, len) != 0) {
			return 16;
		}
		if ((i & 63) == 0) {
			release_held();
		}
	}
	/* wait until everything the peer sends has arrived */
	t0 = amp_port_now_ns();
	while (c->rx_total < per_ep * NEP) {
		release_held();
		if (amp_port_now_ns() - t0 > 30ull * 1000000000ull) {
			fprintf(stderr, "[%s] received %ld of %ld\n", host ? "host" : "remote", c->rx_total,
				per_ep * NEP);
			return 17;
		}
		amp_port_sleep_us(200);
	}
	release_held();
	struct amp_rpmsg_stats st;
	amp_rpmsg_get_stats(&c->rp, &st);
	fprintf(stderr, "[%s] sent %ld received %ld bad %d doorbells %u no-buffer %u dropped %u proto %u\n",
		host ? "host" : "remote", per_ep * NEP, c->rx_total, c->bad, st.tx_notifies,
		st.tx_no_buffer, st.rx_dropped_unknown_addr, st.rx_protocol_errors);
	char ch = c->bad ? 'E' : 'R';
	if (write(run->to_parent[1], &ch, 1) != 1) {
		return 18;
	}
	/* tear down only when both sides have everything */
	if (wait_byte(run->to_child[host ? 0 : 1][0], &ch, 20000) != 0) {
		return 19;
	}
	for (int i = 0; i < NEP; i++) {
		(void)amp_ipc_deregister_endpoint(&c->ept[i]);
	}
	(void)amp_ipc_close_instance(&c->inst);
	(void)amp_mbox_linux_deinit(&mbox);
	(void)amp_shm_close(&shm);
	if (c->bad || st.rx_protocol_errors || st.rx_dropped_unknown_addr) {
		return 20;
	}
	return 0;
}

static int core_host(void *run)
{
	return core_main(run, true);
}

static int core_remote(void *run)
{
	return core_main(run, false);
}

static pid_t spawn(struct run *run, bool host)
{
	return amp_proc_spawn(host ? core_host : core_remote, run);
}

/* Two children share one deadline (ms on amp_proc_now_ms()'s clock). */
static int reap(pid_t pid, uint64_t deadline_ms)
{
	uint64_t now = amp_proc_now_ms();
	return amp_proc_wait(pid, deadline_ms > now ? (unsigned)(deadline_ms - now) : 0u);
}

static void run_remove_regions(const struct run *run)
{
	struct amp_shm_cfg rc = { .name = run->region, .size = REGION_SIZE };
	struct amp_shm_cfg mc = { .name = run->mbox, .size = AMP_MBOX_LINUX_REGION_SIZE };
	amp_shm_remove(&rc);
	amp_shm_remove(&mc);
}

static uintptr_t free_range(size_t size)
{
	void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	munmap(p, size);
	return (uintptr_t)p;
}

/* The regions (names unique to this process and run) and the pipes of a run. */
static void run_open(struct run *run, const char *kind, int n)
{
	memset(run, 0, sizeof(*run));
	snprintf(run->region, sizeof(run->region), "amp-rpmsg-%s-%d-%d", kind, (int)getpid(), n);
	snprintf(run->mbox, sizeof(run->mbox), "amp-rpmsg-%s-mb-%d-%d", kind, (int)getpid(), n);
	run_remove_regions(run);
	run->addr = free_range(REGION_SIZE);
	assert_int_equal(pipe(run->to_parent), 0);
	assert_int_equal(pipe(run->to_child[0]), 0);
	assert_int_equal(pipe(run->to_child[1]), 0);
}

static void run_close(struct run *run)
{
	run_remove_regions(run);
	for (int i = 0; i < 2; i++) {
		close(run->to_child[i][0]);
		close(run->to_child[i][1]);
	}
	close(run->to_parent[0]);
	close(run->to_parent[1]);
}

static void run_pair(bool host_first)
{
	static int seq;
	struct run run;
	run_open(&run, "2p", seq++);

	pid_t first = spawn(&run, host_first);
	amp_port_sleep_us(50000); /* the second core boots later */
	pid_t second = spawn(&run, !host_first);
	assert_true(first > 0 && second > 0);

	char a = 0, b = 0;
	int ra = wait_byte(run.to_parent[0], &a, CHILD_TIMEOUT_MS);
	int rb = ra == 0 ? wait_byte(run.to_parent[0], &b, CHILD_TIMEOUT_MS) : -1;
	char t = 'T';
	assert_int_equal(write(run.to_child[0][1], &t, 1), 1);
	assert_int_equal(write(run.to_child[1][1], &t, 1), 1);
	uint64_t deadline = amp_proc_now_ms() + 20000u;
	int sa = reap(first, deadline);
	int sb = reap(second, deadline);
	run_close(&run);
	if (ra != 0 || rb != 0 || a != 'R' || b != 'R' || sa != 0 || sb != 0) {
		fprintf(stderr, "children: first %d second %d, reports %c %c\n", sa, sb, a ? a : '-',
			b ? b : '-');
	}
	assert_int_equal(ra, 0);
	assert_int_equal(rb, 0);
	assert_int_equal(a, 'R');
	assert_int_equal(b, 'R');
	assert_int_equal(sa, 0);
	assert_int_equal(sb, 0);
}


/* ---- host restart: the host process is killed and a new one takes over ---- */

static volatile int r_bound, r_unbound, r_errors, h_echoes;
static struct amp_ipc_ept r_ept;

static void rr_bound(void *priv)
{
	(void)priv;
	r_bound++;
}
static void rr_unbound(void *priv)
{
	(void)priv;
	r_unbound++;
}
static void rr_error(const char *m, void *priv)
{
	(void)m;
	(void)priv;
	r_errors++;
}
static void rr_echo(const void *d, size_t len, void *priv)
{
	(void)priv;
	(void)amp_ipc_send(&r_ept, d, len); /* from the doorbell thread, never waits */
}
static void hh_rx(const void *d, size_t len, void *priv)
{
	(void)d;
	(void)len;
	(void)priv;
	h_echoes++;
}

struct restart_core {
	struct amp_shm shm;
	struct amp_mbox mbox;
	struct amp_mbox_linux mdrv;
	struct amp_mbox_linux_cfg mcfg;
	struct amp_rpmsg rp;
	struct amp_rpmsg_cfg cfg;
	struct amp_ipc_instance inst;
	struct amp_ipc_ept_cfg ecfg;
};

static struct restart_core g_rc;

static int restart_open(struct run *run, bool host)
{
	struct amp_shm_cfg scfg = { .name = run->region, .size = REGION_SIZE, .addr = run->addr };
	if (amp_shm_open(&g_rc.shm, &scfg) != 0) {
		return 40;
	}
	g_rc.mcfg = (struct amp_mbox_linux_cfg){
		.shm = { .name = run->mbox }, .side = host ? 0 : 1, .num_channels = 2,
		.tx_mask = host ? 0x1 : 0x2, .rx_mask = host ? 0x2 : 0x1,
		.wait = AMP_MBOX_LINUX_WAIT_IRQ,
	};
	if (amp_mbox_linux_init(&g_rc.mbox, &g_rc.mdrv, &g_rc.mcfg) != 0) {
		return 41;
	}
	g_rc.cfg = (struct amp_rpmsg_cfg){
		.role = host ? AMP_RPMSG_ROLE_HOST : AMP_RPMSG_ROLE_REMOTE,
		.shm = g_rc.shm.base, .shm_phys = g_rc.shm.phys, .shm_size = g_rc.shm.size,
		.mbox = &g_rc.mbox, .tx_channel = host ? 0 : 1, .rx_channel = host ? 1 : 0,
		.name = host ? "host" : "remote",
	};
	if (amp_rpmsg_init(&g_rc.rp, &g_rc.cfg, &g_rc.inst) != 0 ||
	    amp_ipc_open_instance(&g_rc.inst) != 0) {
		return 42;
	}
	return 0;
}

/* The side that stays up: echoes everything, counts bindings. */
static int restart_server(struct run *run, bool host)
{
	int r = restart_open(run, host);
	if (r) {
		return r;
	}
	g_rc.ecfg = (struct amp_ipc_ept_cfg){ .name = "ctl",
		.cb = { .bound = rr_bound, .unbound = rr_unbound, .received = rr_echo, .error = rr_error } };
	if (amp_ipc_register_endpoint(&g_rc.inst, &r_ept, &g_rc.ecfg) != 0) {
		return 43;
	}
	char c;
	if (wait_byte(run->to_child[host ? 0 : 1][0], &c, CHILD_TIMEOUT_MS) != 0) {
		return 44;
	}
	fprintf(stderr, "[%s] bound %d unbound %d errors %d\n", host ? "host" : "remote", r_bound,
		r_unbound, r_errors);
	(void)amp_ipc_deregister_endpoint(&r_ept);
	(void)amp_ipc_close_instance(&g_rc.inst);
	(void)amp_mbox_linux_deinit(&g_rc.mbox);
	return r_bound >= 2 && r_unbound >= 1 && r_errors >= 1 ? 0 : 45;
}

/* The side that is killed and replaced: pings, waits for each echo. */
static int restart_client(struct run *run, bool host, bool clean_exit)
{
	int r = restart_open(run, host);
	if (r) {
		return r;
	}
	struct amp_ipc_ept ept = { 0 };
	g_rc.ecfg = (struct amp_ipc_ept_cfg){ .name = "ctl", .cb = { .received = hh_rx } };
	if (amp_ipc_register_endpoint(&g_rc.inst, &ept, &g_rc.ecfg) != 0) {
		return 46;
	}
	uint64_t t0 = amp_port_now_ns();
	for (int i = 0; i < 200; i++) {
		int before = h_echoes;
		int s;
		while ((s = amp_ipc_send(&ept, &i, sizeof(i))) != (int)sizeof(i)) {
			if (amp_port_now_ns() - t0 > 10ull * 1000000000ull) {
				fprintf(stderr, "[host] send %d: %s\n", i, amp_strerror(s));
				return 47;
			}
			amp_port_sleep_us(1000);
		}
		while (h_echoes == before) {
			if (amp_port_now_ns() - t0 > 10ull * 1000000000ull) {
				return 48;
			}
			amp_port_sleep_us(100);
		}
	}
	char c = 'R';
	if (write(run->to_parent[1], &c, 1) != 1) {
		return 49;
	}
	if (!clean_exit) {
		for (;;) {
			pause(); /* killed by the parent, mid-session */
		}
	}
	if (wait_byte(run->to_child[host ? 0 : 1][0], &c, CHILD_TIMEOUT_MS) != 0) {
		return 50;
	}
	(void)amp_ipc_deregister_endpoint(&ept);
	(void)amp_ipc_close_instance(&g_rc.inst);
	(void)amp_mbox_linux_deinit(&g_rc.mbox);
	return 0;
}

static int restart_remote_server(void *arg)
{
	return restart_server(arg, false);
}
static int restart_host_server(void *arg)
{
	return restart_server(arg, true);
}
static int restart_host_killed(void *arg)
{
	return restart_client(arg, true, false);
}
static int restart_host_clean(void *arg)
{
	return restart_client(arg, true, true);
}
static int restart_remote_killed(void *arg)
{
	return restart_client(arg, false, false);
}
static int restart_remote_clean(void *arg)
{
	return restart_client(arg, false, true);
}

static void restart_run(bool restart_host)
{
	struct run run;
	run_open(&run, "rs", restart_host);

	pid_t remote = amp_proc_spawn(restart_host ? restart_remote_server : restart_host_server, &run);
	pid_t host1 = amp_proc_spawn(restart_host ? restart_host_killed : restart_remote_killed, &run);
	char c = 0;
	int w1 = wait_byte(run.to_parent[0], &c, 20000);
	kill(host1, SIGKILL);
	int s1 = reap(host1, amp_proc_now_ms() + 5000u);
	int (*clean)(void *) = restart_host ? restart_host_clean : restart_remote_clean;
	pid_t host2 = w1 == 0 ? amp_proc_spawn(clean, &run) : -1;
	int w2 = w1 == 0 ? wait_byte(run.to_parent[0], &c, 20000) : -1;
	char t = 'T';
	assert_int_equal(write(run.to_child[0][1], &t, 1), 1);
	assert_int_equal(write(run.to_child[1][1], &t, 1), 1);
	uint64_t deadline = amp_proc_now_ms() + 20000u;
	int s2 = host2 > 0 ? reap(host2, deadline) : -2;
	int sr = reap(remote, deadline);
	run_close(&run);
	if (w1 || w2 || s2 || sr) {
		fprintf(stderr, "restart: w1 %d w2 %d host1 %d host2 %d remote %d\n", w1, w2, s1, s2, sr);
	}
	assert_int_equal(w1, 0);
	assert_int_equal(w2, 0);
	assert_int_equal(s2, 0);
	assert_int_equal(sr, 0);
}

static void test_host_killed_and_restarted(void **state)
{
	(void)state;
	restart_run(true);
}

static void test_remote_killed_and_restarted(void **state)
{
	(void)state;
	restart_run(false);
}

static void test_host_first(void **state)
{
	(void)state;
	run_pair(true);
}

static void test_remote_first(void **state)
{
	(void)state;
	run_pair(false);
}

int main(int argc, char **argv)
{
	amp_proc_backstop_s = 120; /* a core's own alarm, should the reaping fail too */
	if (argc > 2 && strcmp(argv[1], "bench") == 0) {
		/* not a test: bench <messages> [size] [batch] [fill 0/1] */
		g_bench = atol(argv[2]);
		if (argc > 3) {
			g_bench_size = (uint32_t)atol(argv[3]);
		}
		if (argc > 4) {
			g_bench_batch = atoi(argv[4]);
		}
		if (argc > 5) {
			g_bench_fill = atoi(argv[5]);
		}
		if (g_bench < 1 || g_bench_size < 4 || g_bench_size > 496 || g_bench_batch < 1) {
			return 2;
		}
		const struct CMUnitTest bench[] = { cmocka_unit_test(test_host_first) };
		return cmocka_run_group_tests(bench, NULL, NULL);
	}
	if (argc > 1) {
		g_total = atol(argv[1]);
		if (g_total < NEP) {
			g_total = NEP;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host_first),
		cmocka_unit_test(test_remote_first),
		cmocka_unit_test(test_host_killed_and_restarted),
		cmocka_unit_test(test_remote_killed_and_restarted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
