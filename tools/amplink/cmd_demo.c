/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `amplink demo`: two cores as two processes, with the story told as it
 * happens. It runs the seed example (the two core programs `make demo` runs,
 * built beside this tool in examples/seed) when they exist, and checks the
 * same story lines scripts/demo.sh checks; otherwise, or with --builtin, it
 * runs its own ICMsg ping-pong over a Linux doorbell and shared regions and
 * ends with an `inspect` view of the live rings.
 */
#define _GNU_SOURCE
#include "cli.h"
#include "inspect/decode.h"
#include "inspect/print.h"

#include <amplink/errno.h>
#include <amplink/port.h>
#ifdef AMP_TOOL_HAVE_ICMSG
#include <amplink/icmsg.h>
#include <amplink/mbox_linux.h>
#include <amplink/shm.h>
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char help_text[] =
	"NAME\n"
	"    amplink demo - two cores (two processes) talking over amplink\n"
	"\n"
	"SYNOPSIS\n"
	"    amplink demo [--builtin] [--app PATH --net PATH] [--timeout SEC]\n"
	"\n"
	"DESCRIPTION\n"
	"    Runs the seed example's two cores - 'app', which contains the seed\n"
	"    document's Zephyr snippets unchanged (RPMsg endpoint on ipc0, IPM on\n"
	"    mailbox0, shared_ram, a cross-core spinlock), and 'net', its peer - as\n"
	"    two processes, shows their output as it happens and checks the story:\n"
	"    both endpoints bound, pings and pongs over RPMsg in order, the IPM value,\n"
	"    the shared_ram block flushed and read back, the spinlock-protected\n"
	"    counter, every reply intact. This is what `make demo` runs.\n"
	"\n"
	"    Without the seed programs (or with --builtin) it runs its own system: an\n"
	"    ICMsg (v2) instance over two shared regions and a Linux doorbell, five\n"
	"    pings and pongs, and an `amplink inspect` view of the live regions.\n"
	"\n"
	"OPTIONS\n"
	"    --builtin          run the built-in ICMsg demo\n"
	"    --app PATH, --net PATH\n"
	"                       the two core programs (default: examples/seed/seed_app\n"
	"                       and seed_net of the build directory this tool is in)\n"
	"    --timeout SEC      give up after SEC seconds (default 30)\n"
	"    -h, --help         this text\n"
	"\n"
	"ENVIRONMENT\n"
	"    AMPLINK_SHM_DIR    directory of the region files (default: <build>/shm for\n"
	"                       the seed programs, /dev/shm for the built-in demo)\n"
	"\n"
	"EXIT STATUS\n"
	"    0 every step of the story happened; 1 something failed; 2 usage error\n";

/* ---- the seed example ---------------------------------------------------------- */

struct story {
	int core; /* 0 app, 1 net */
	const char *pattern;
	const char *what;
};

/* The same checks as scripts/demo.sh (keep them in step). */
static const struct story seed_story[] = {
	{ 0, "^\\[app\\] my_endpoint bound", "app: endpoint my_endpoint bound" },
	{ 1, "^\\[net\\] my_endpoint bound", "net: endpoint my_endpoint bound" },
	{ 1, "ok +received \"ping 5\" over RPMsg", "app -> net: 5 messages over RPMsg, in order" },
	{ 0, "ok +5 pongs came back over RPMsg", "net -> app: 5 replies over RPMsg" },
	{ 1, "ok +IPM value 0x12345678 arrived", "IPM value 0x12345678 arrived at net" },
	{ 1, "ok +read [0-9]+ bytes at 0x[0-9a-f]+ in shared_ram \\(invalidated\\).* 0 bytes differ",
	  "shared_ram block written by app (flushed) read back by net (invalidated) and checked" },
	{ 0, "ok +shared counter = [0-9]+ after", "cross-core k_spinlock kept the shared counter exact" },
	{ 0, "ok +[0-9]+ replies received by the seed.s endpoint_cb, content hash",
	  "every reply reached the seed's endpoint_cb intact (count and content hash)" },
};

struct core_proc {
	const char *name;
	pid_t pid;
	int fd;        /* read end of its output */
	char *log;     /* everything it printed */
	size_t len, cap;
	char partial[1024];
	size_t plen;
	int status;
	bool done;
};

static void log_append(struct core_proc *c, const char *b, size_t n)
{
	if (c->len + n + 1 > c->cap) {
		size_t cap = (c->cap + n + 1) * 2;
		char *p = realloc(c->log, cap);
		if (p == NULL) {
			return;
		}
		c->log = p;
		c->cap = cap;
	}
	memcpy(c->log + c->len, b, n);
	c->len += n;
	c->log[c->len] = 0;
}

static pid_t spawn(const char *path, int *out_fd)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0) {
		return -1;
	}
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return -1;
	}
	*out_fd = p[0];
	return pid;
}

static bool story_seen(const struct core_proc *c, const char *pattern)
{
	regex_t re;
	if (regcomp(&re, pattern, REG_EXTENDED | REG_NEWLINE | REG_NOSUB) != 0) {
		return false;
	}
	bool ok = c->log != NULL && regexec(&re, c->log, 0, NULL, 0) == 0;
	regfree(&re);
	return ok;
}

/* Region files of one demo run are "<prefix><name>": remove exactly those. */
static void remove_prefixed(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		return;
	}
	struct dirent *e;
	size_t n = strlen(prefix);
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, n) == 0) {
			char f[PATH_MAX + 300];
			if (snprintf(f, sizeof(f), "%s/%s", dir, e->d_name) < (int)sizeof(f)) {
				unlink(f);
			}
		}
	}
	closedir(d);
}

static int run_seed(const char *app, const char *net, double timeout_s)
{
	char dir[PATH_MAX + 128];
	const char *env = getenv("AMPLINK_SHM_DIR");
	if (env != NULL && *env) {
		snprintf(dir, sizeof(dir), "%s", env);
	} else {
		/* <build>/examples/seed/seed_app -> <build>/shm */
		char tmp[PATH_MAX + 64];
		snprintf(tmp, sizeof(tmp), "%s", app);
		snprintf(dir, sizeof(dir), "%s/../../shm", dirname(tmp));
	}
	mkdir(dir, 0777);
	char canon[PATH_MAX];
	if (realpath(dir, canon) != NULL) {
		snprintf(dir, sizeof(dir), "%s", canon);
	}
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "demo-%d-", (int)getpid());
	setenv("AMPLINK_SHM_DIR", dir, 1);
	setenv("AMPLINK_SHM_PREFIX", prefix, 1);

	printf("amplink demo: two cores on Linux, one process each, built from the seed document\n"
	       "  app (core 0): the seed's snippets unchanged - RPMsg host on ipc0, IPM on mailbox0, shared_ram\n"
	       "  net (core 1): its peer - RPMsg remote on ipc0\n"
	       "  shared regions: %s/%s*, each mapped at its devicetree address\n\n",
	       dir, prefix);
	fflush(stdout);

	struct core_proc core[2] = { { .name = "app" }, { .name = "net" } };
	core[1].pid = spawn(net, &core[1].fd);
	core[0].pid = spawn(app, &core[0].fd);
	int rc = AMP_EXIT_OK;
	if (core[0].pid < 0 || core[1].pid < 0) {
		fprintf(stderr, "amplink demo: cannot start the core programs\n");
		rc = AMP_EXIT_FINDINGS;
	}
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool timed_out = false;
	while (rc == AMP_EXIT_OK && (!core[0].done || !core[1].done)) {
		struct pollfd pf[2];
		int n = 0;
		int map[2];
		for (int i = 0; i < 2; i++) {
			if (!core[i].done) {
				pf[n].fd = core[i].fd;
				pf[n].events = POLLIN;
				map[n++] = i;
			}
		}
		poll(pf, (nfds_t)n, 100);
		for (int k = 0; k < n; k++) {
			struct core_proc *c = &core[map[k]];
			if (!(pf[k].revents & (POLLIN | POLLHUP | POLLERR))) {
				continue;
			}
			char buf[4096];
			ssize_t r = read(c->fd, buf, sizeof(buf));
			if (r <= 0) {
				c->done = true;
				close(c->fd);
				waitpid(c->pid, &c->status, 0);
				continue;
			}
			log_append(c, buf, (size_t)r);
			fwrite(buf, 1, (size_t)r, stdout);
			fflush(stdout);
		}
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		double el = (double)(now.tv_sec - t0.tv_sec) + (double)(now.tv_nsec - t0.tv_nsec) / 1e9;
		if (el > timeout_s) {
			timed_out = true;
			break;
		}
	}
	for (int i = 0; i < 2; i++) {
		if (!core[i].done && core[i].pid > 0) {
			kill(core[i].pid, SIGKILL);
			waitpid(core[i].pid, &core[i].status, 0);
			close(core[i].fd);
			core[i].done = true;
		}
	}
	printf("\nstory:\n");
	for (size_t s = 0; s < sizeof(seed_story) / sizeof(seed_story[0]); s++) {
		bool ok = story_seen(&core[seed_story[s].core], seed_story[s].pattern);
		printf("  [%c] %s\n", ok ? 'x' : ' ', seed_story[s].what);
		if (!ok) {
			rc = AMP_EXIT_FINDINGS;
		}
	}
	for (int i = 0; i < 2; i++) {
		int st = core[i].status;
		if (timed_out) {
			fprintf(stderr, "amplink demo: FAILED: %s did not finish within %.0f s\n",
				core[i].name, timeout_s);
			rc = AMP_EXIT_FINDINGS;
		} else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "amplink demo: FAILED: %s exited with status %d\n", core[i].name,
				WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
			rc = AMP_EXIT_FINDINGS;
		}
		free(core[i].log);
	}
	remove_prefixed(dir, prefix);
	printf("demo: %s\n", rc == AMP_EXIT_OK ? "PASSED" : "FAILED");
	return rc;
}

/* ---- the built-in system ------------------------------------------------------- */

#ifdef AMP_TOOL_HAVE_ICMSG

#define DEMO_REGION 4096u
#define DEMO_PINGS 5

struct demo_core {
	const char *name;
	bool is_app;
	char n_ab[80], n_ba[80], n_mb[80];
	struct amp_shm_cfg c_ab, c_ba;
	struct amp_shm s_ab, s_ba;
	struct amp_mbox_linux_cfg mcfg;
	struct amp_mbox mbox;
	struct amp_mbox_linux mdrv;
	struct amp_icmsg_cfg icfg;
	struct amp_icmsg ic;
	struct amp_ipc_ept_cfg ept;
	uint8_t bounce[DEMO_REGION];
	volatile int replies;
	volatile int unbound;
	volatile bool bye;
	volatile int errors;
	struct amp_event ev;
};

static void say(const struct demo_core *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(const struct demo_core *c, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printf("[%s] %s\n", c->name, line);
	fflush(stdout);
}

static void demo_bound(void *priv)
{
	struct demo_core *c = priv;
	say(c, "endpoint bound (ICMsg v2 session %u, peer's %u)", c->ic.local_sid,
	    c->ic.remote_sid);
	amp_port_event_post(&c->ev);
}

static void demo_unbound(void *priv)
{
	struct demo_core *c = priv;
	say(c, "endpoint unbound: the peer closed, or was reset and opened a new session");
	c->unbound++;
	amp_port_event_post(&c->ev);
}

static void demo_received(const void *data, size_t len, void *priv)
{
	struct demo_core *c = priv;
	char msg[64];
	size_t n = len < sizeof(msg) - 1 ? len : sizeof(msg) - 1;
	memcpy(msg, data, n);
	msg[n] = 0;
	say(c, "received \"%s\" (%zu bytes, in the doorbell thread = interrupt context: %s)", msg,
	    len, amp_port_in_isr() ? "yes" : "no");
	if (!c->is_app) {
		int k;
		if (sscanf(msg, "ping %d", &k) == 1) {
			char reply[32];
			int m = snprintf(reply, sizeof(reply), "pong %d", k);
			int rc = amp_icmsg_send(&c->ic, reply, (size_t)m);
			if (rc < 0) {
				say(c, "send failed: %s", amp_strerror(rc));
				c->errors++;
			}
		} else if (strcmp(msg, "bye") == 0) {
			c->bye = true;
		} else if (strcmp(msg, "reset") == 0) {
			/* A core reset: gone at once, nothing closed, shared memory as it is. */
			say(c, "resetting now (no close, no goodbye)");
			_exit(0);
		}
	} else {
		int k;
		if (sscanf(msg, "pong %d", &k) == 1 && k == c->replies + 1) {
			c->replies++;
		} else {
			c->errors++;
		}
	}
	amp_port_event_post(&c->ev);
}

static void demo_names(struct demo_core *c, const char *tag)
{
	snprintf(c->n_ab, sizeof(c->n_ab), "%s-app2net", tag);
	snprintf(c->n_ba, sizeof(c->n_ba), "%s-net2app", tag);
	snprintf(c->n_mb, sizeof(c->n_mb), "%s-mbox", tag);
	c->c_ab = (struct amp_shm_cfg){ .name = c->n_ab, .size = DEMO_REGION };
	c->c_ba = (struct amp_shm_cfg){ .name = c->n_ba, .size = DEMO_REGION };
}

static int demo_open(struct demo_core *c)
{
	amp_port_event_init(&c->ev);
	int rc = amp_shm_open(&c->s_ab, &c->c_ab);
	if (rc == 0) {
		rc = amp_shm_open(&c->s_ba, &c->c_ba);
	}
	if (rc != 0) {
		say(c, "cannot map the shared regions: %s", amp_strerror(rc));
		return rc;
	}
	say(c, "mapped %s and %s (%u bytes each)", c->n_ab, c->n_ba, DEMO_REGION);
	c->mcfg = (struct amp_mbox_linux_cfg){
		.shm = { .name = c->n_mb, .size = AMP_MBOX_LINUX_REGION_SIZE },
		.side = c->is_app ? 0 : 1, .num_channels = 2,
		.tx_mask = c->is_app ? 1u : 2u, .rx_mask = c->is_app ? 2u : 1u,
		.wait = AMP_MBOX_LINUX_WAIT_IRQ,
	};
	rc = amp_mbox_linux_init(&c->mbox, &c->mdrv, &c->mcfg);
	if (rc != 0) {
		say(c, "cannot open the doorbell: %s", amp_strerror(rc));
		return rc;
	}
	c->icfg = (struct amp_icmsg_cfg){
		.name = c->name,
		.tx_region = c->is_app ? c->s_ab.base : c->s_ba.base, .tx_size = DEMO_REGION,
		.rx_region = c->is_app ? c->s_ba.base : c->s_ab.base, .rx_size = DEMO_REGION,
		.mbox = &c->mbox, .tx_channel = c->is_app ? 0 : 1, .rx_channel = c->is_app ? 1 : 0,
		.profile = AMP_ICMSG_V2, .dcache_align = 8,
		.rx_buf = c->bounce, .rx_buf_size = sizeof(c->bounce),
	};
	rc = amp_icmsg_init(&c->ic, &c->icfg);
	if (rc == 0) {
		c->ept = (struct amp_ipc_ept_cfg){
			.name = "demo",
			.cb = { .bound = demo_bound, .unbound = demo_unbound,
				.received = demo_received },
			.priv = c,
		};
		rc = amp_icmsg_open(&c->ic, &c->ept);
	}
	if (rc != 0) {
		say(c, "ICMsg open failed: %s", amp_strerror(rc));
		return rc;
	}
	say(c, "ICMsg endpoint registered; doorbell channel %u rings the peer", c->icfg.tx_channel);
	rc = amp_icmsg_wait_bound(&c->ic, AMP_MSEC(5000));
	if (rc != 0) {
		say(c, "not bound within 5 s: %s", amp_strerror(rc));
	}
	return rc;
}

static void demo_close(struct demo_core *c)
{
	amp_icmsg_close(&c->ic);
	amp_mbox_linux_deinit(&c->mbox);
	amp_shm_close(&c->s_ab);
	amp_shm_close(&c->s_ba);
}

static int demo_net(struct demo_core *c)
{
	if (demo_open(c) != 0) {
		return 1;
	}
	for (int i = 0; i < 100 && !c->bye; i++) {
		amp_port_event_wait(&c->ev, AMP_MSEC(50));
	}
	say(c, "%s; closing", c->bye ? "app said bye" : "no bye from app");
	int ok = c->bye && c->errors == 0;
	demo_close(c);
	return ok ? 0 : 1;
}

static void show_inspect(struct demo_core *c)
{
	static struct amp_insp_icmsg ic;
	static struct amp_insp_findings fs;
	/* A private copy: the decoder never reads the live mapping. */
	static uint8_t a[DEMO_REGION], b[DEMO_REGION];
	memcpy(a, c->s_ab.base, DEMO_REGION);
	memcpy(b, c->s_ba.base, DEMO_REGION);
	struct amp_insp_icmsg_cfg cfg = { .size = DEMO_REGION, .dcache_align = 8,
					  .unbound = AMP_INSP_UNBOUND_ENABLE };
	memset(&fs, 0, sizeof(fs));
	amp_insp_icmsg_decode(&ic, &cfg, a, sizeof(a), b, sizeof(b), &fs);
	struct amp_insp_where w = { .name = { c->n_ab, c->n_ba } };
	printf("\n`amplink inspect` of the live regions (app = side A):\n");
	amp_insp_print_icmsg(stdout, NULL, &ic, &w);
	amp_insp_print_findings(stdout, NULL, &fs, &w);
	fflush(stdout);
}

static pid_t start_net(struct demo_core *net, double timeout_s)
{
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		alarm((unsigned)timeout_s + 5);
		_exit(demo_net(net));
	}
	return pid;
}

/* Reap @p pid within the deadline (killed after it); true if it exited with 0. */
static bool reap(pid_t pid, uint64_t deadline)
{
	int st = 0;
	while (waitpid(pid, &st, WNOHANG) == 0) {
		if (amp_port_now_ns() > deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return false;
		}
		amp_port_sleep_us(10000);
	}
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

/* Pings k = from..to; true if every pong came back in order. */
static bool ping_range(struct demo_core *app, int from, int to)
{
	for (int k = from; k <= to; k++) {
		char m[32];
		int n = snprintf(m, sizeof(m), "ping %d", k);
		say(app, "sending \"%s\"", m);
		int r = amp_icmsg_send(&app->ic, m, (size_t)n);
		if (r < 0) {
			say(app, "send failed: %s", amp_strerror(r));
			app->errors++;
		}
		for (int i = 0; i < 40 && app->replies < k; i++) {
			amp_port_event_wait(&app->ev, AMP_MSEC(50));
		}
	}
	return app->replies == to && app->errors == 0;
}

static int run_builtin(double timeout_s)
{
	static struct demo_core app, net;
	char tag[48];
	snprintf(tag, sizeof(tag), "amplink-demo-%d", (int)getpid());
	app.name = "app";
	app.is_app = true;
	net.name = "net";
	demo_names(&app, tag);
	demo_names(&net, tag);
	struct amp_shm_cfg mb = { .name = app.n_mb };
	amp_shm_remove(&app.c_ab);
	amp_shm_remove(&app.c_ba);
	amp_shm_remove(&mb);

	printf("amplink demo (built-in): two cores on Linux, one process each\n"
	       "  app (core 0) and net (core 1) each map two %u-byte shared regions and a\n"
	       "  doorbell region and bind an ICMsg v2 endpoint; %d pings and pongs; then net\n"
	       "  resets without closing anything, boots again, and both sides bind again.\n\n",
	       DEMO_REGION, DEMO_PINGS);
	uint64_t deadline = amp_port_now_ns() + (uint64_t)(timeout_s * 1e9);
	pid_t pid = start_net(&net, timeout_s);
	if (pid < 0) {
		perror("fork");
		return AMP_EXIT_FINDINGS;
	}
	int rc = AMP_EXIT_FINDINGS;
	bool opened = demo_open(&app) == 0;
	bool ok = opened && ping_range(&app, 1, DEMO_PINGS);
	if (opened) {
		say(&app, ok ? "ok %d pongs came back in order" : "FAILED: %d pongs, %d unexpected",
		    app.replies, app.errors);
		show_inspect(&app);
	}
	if (ok) {
		/* Act 2: net resets. */
		printf("\n");
		amp_icmsg_send(&app.ic, "reset", 5);
		ok = reap(pid, deadline);
		pid = -1;
		say(&app, "net is gone; nothing in shared memory says so yet");
		pid = start_net(&net, timeout_s);
		for (int i = 0; i < 100 && app.unbound == 0; i++) {
			amp_port_event_wait(&app.ev, AMP_MSEC(50));
		}
		if (app.unbound == 0) {
			say(&app, "FAILED: the new session of net was not noticed");
			ok = false;
		} else {
			say(&app, "registering the endpoint again (a new session)");
			int r = amp_icmsg_open(&app.ic, &app.ept);
			if (r == 0) {
				r = amp_icmsg_wait_bound(&app.ic, AMP_MSEC(5000));
			}
			if (r != 0) {
				say(&app, "FAILED: rebinding: %s", amp_strerror(r));
				ok = false;
			}
		}
		if (ok) {
			app.replies = 0;
			ok = ping_range(&app, 1, 3);
			say(&app, ok ? "ok traffic resumed after the reset: 3 pongs in order"
				     : "FAILED: traffic did not resume");
			show_inspect(&app);
		}
	}
	if (opened) {
		amp_icmsg_send(&app.ic, "bye", 3);
	}
	bool net_ok = pid < 0 || reap(pid, deadline);
	if (opened) {
		demo_close(&app);
	}
	if (!net_ok) {
		printf("[app] net did not finish cleanly\n");
	}
	rc = ok && net_ok ? AMP_EXIT_OK : AMP_EXIT_FINDINGS;
	amp_shm_remove(&app.c_ab);
	amp_shm_remove(&app.c_ba);
	amp_shm_remove(&mb);
	printf("\ndemo: %s\n", rc == AMP_EXIT_OK ? "PASSED" : "FAILED");
	return rc;
}

#else

static int run_builtin(double timeout_s)
{
	(void)timeout_s;
	fprintf(stderr, "amplink demo: this build has neither the seed example nor ICMsg\n");
	return AMP_EXIT_FINDINGS;
}

#endif

/* ---- command ------------------------------------------------------------------- */

static bool exe_dir(char *dst, size_t cap)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n <= 0) {
		return false;
	}
	self[n] = 0;
	snprintf(dst, cap, "%s", dirname(self));
	return true;
}

int amp_cmd_demo(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },     { "builtin", no_argument, NULL, 'b' },
		{ "app", required_argument, NULL, 'a' }, { "net", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' }, { NULL, 0, NULL, 0 },
	};
	bool builtin = false;
	const char *app = NULL, *net = NULL;
	double timeout_s = 30;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help_text, stdout);
			return AMP_EXIT_OK;
		case 'b':
			builtin = true;
			break;
		case 'a':
			app = optarg;
			break;
		case 'n':
			net = optarg;
			break;
		case 't':
			if (!amp_cli_seconds(optarg, &timeout_s) || timeout_s <= 0 || timeout_s > 3600) {
				return amp_cli_usage_error("demo", "bad --timeout '%s'", optarg);
			}
			break;
		default:
			return amp_cli_usage_error("demo", "unknown or incomplete option '%s'",
						   argv[optind - 1]);
		}
	}
	if (optind < argc) {
		return amp_cli_usage_error("demo", "unexpected argument '%s'", argv[optind]);
	}
	if ((app == NULL) != (net == NULL)) {
		return amp_cli_usage_error("demo", "give both --app and --net");
	}
	if (builtin && app != NULL) {
		return amp_cli_usage_error("demo", "--builtin runs no external programs");
	}
	static char app_path[PATH_MAX + 64], net_path[PATH_MAX + 64];
	if (!builtin && app == NULL) {
		char dir[PATH_MAX];
		if (exe_dir(dir, sizeof(dir))) {
			snprintf(app_path, sizeof(app_path), "%s/../examples/seed/seed_app", dir);
			snprintf(net_path, sizeof(net_path), "%s/../examples/seed/seed_net", dir);
			if (access(app_path, X_OK) == 0 && access(net_path, X_OK) == 0) {
				app = app_path;
				net = net_path;
			}
		}
	}
	if (app != NULL) {
		return run_seed(app, net, timeout_s);
	}
	return run_builtin(timeout_s);
}
