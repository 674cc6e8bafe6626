/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `amplink bench`: plan the cells, run them in an order that keeps each
 * amplink cell next to its baselines, bracket every cell with a cache-line
 * round trip to detect vCPU placement changes (redo, then flag), and report.
 */
#define _GNU_SOURCE
#include "bench/bench.h"
#include "bench/report.h"
#include "cli.h"

#include <getopt.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static const char help_text[] =
	"NAME\n"
	"    amplink bench - round trip and throughput of amplink between two processes,\n"
	"    against the ordinary Linux mechanisms measured in the same run\n"
	"\n"
	"SYNOPSIS\n"
	"    amplink bench [--transport LIST] [--mode LIST] [--sizes LIST] [--kind LIST]\n"
	"                  [--duration SEC | --count N] [--reps N] [--json] [--plot FILE]\n"
	"\n"
	"DESCRIPTION\n"
	"    Two processes play two cores, pinned to different CPUs when at least two\n"
	"    are usable. For every message size it measures, with one method (warm-up,\n"
	"    then --reps repetitions whose spread is reported):\n"
	"      round trip   A sends, B echoes; median, p99, p99.9 and max in ns\n"
	"      throughput   A streams to B; messages/s and MB/s (B's last receive)\n"
	"    for the amplink transports (icmsg, rpmsg when built) in three doorbell\n"
	"    modes: irq (futex sleep), poll (spin, no system call) and adaptive (spin\n"
	"    50 us, then sleep), plus icmsg in burst mode (poll, with A streaming in\n"
	"    bursts of 16: amp_icmsg_burst_begin/end), and for the baselines: cache-line\n"
	"    ping-pong on a shared\n"
	"    word (the physical limit), a raw spinning SPSC ring, futex ping-pong,\n"
	"    pipe, Unix stream and seqpacket sockets, and one-core memcpy. Every\n"
	"    amplink figure is also printed as a ratio to the matching baselines, and\n"
	"    the project's targets are reported as met or missed.\n"
	"\n"
	"    Virtual machines may move the two vCPUs between placements (hyperthreads of\n"
	"    one core, two cores, two sockets), which changes cross-core figures many\n"
	"    times over. The cache-line round trip is measured before and after every\n"
	"    cell; a cell whose placement changed is measured again (twice at most) and\n"
	"    otherwise flagged with '!', as is every ratio between cells measured in\n"
	"    different placements. A cell whose repetitions differ by more than 50%\n"
	"    (the machine was busy) is measured again as well.\n"
	"\n"
	"OPTIONS\n"
	"    --transport LIST   amplink transports, comma separated (default: all built;\n"
	"                       'none': baselines only)\n"
	"    --mode LIST        irq,poll,adaptive,burst (default: all four)\n"
	"    --sizes LIST       message sizes in bytes (default 8,64,496,4096,16384;\n"
	"                       sizes a transport cannot carry are skipped)\n"
	"    --kind LIST        rtt,tput (default both)\n"
	"    --duration SEC     measuring time per cell, split over the repetitions\n"
	"                       (default 0.2; accepts ms/us suffixes)\n"
	"    --count N          messages per repetition instead of --duration\n"
	"    --reps N           repetitions per cell (default 3, at most 16)\n"
	"    --no-baselines     only amplink cells (ratios and targets then need a\n"
	"                       previous run; not recommended)\n"
	"    --json             machine-readable output on stdout\n"
	"    --plot FILE        latency CDF of the round-trip cells via gnuplot; SVG, or\n"
	"                       PNG when FILE ends in .png\n"
	"    --plot-size N      message size plotted (default: the second size, else first)\n"
	"    --strict           exit 1 when a target is missed\n"
	"    --cpus A,B         pin core A and core B to these CPUs (default: the first\n"
	"                       two usable CPUs)\n"
	"    -h, --help         this text\n"
	"\n"
	"    Progress goes to stderr when stderr is a terminal.\n"
	"\n"
	"EXIT STATUS\n"
	"    0 measured (targets met or, without --strict, missed); 1 a measurement\n"
	"    failed (or a target was missed with --strict); 2 usage error\n"
	"\n"
	"EXAMPLES\n"
	"    amplink bench\n"
	"    amplink bench --sizes 64 --mode poll --duration 1 --plot rtt.svg\n"
	"    amplink bench --count 200 --reps 2 --json > bench.json\n";

#define MAX_SIZES 16

struct plan {
	const struct bench_impl *amp[8];
	unsigned namp;
	size_t sizes[MAX_SIZES];
	unsigned nsizes;
	bool rtt, tput, baselines;
	unsigned reps;
	double duration;
	uint64_t count;
	int cpu_a, cpu_b;
	bool progress;
	bool keep_raw;
	size_t plot_size;
	unsigned cells_total, cells_done;
};

static struct bench_report report;

static double cl_probe(const struct plan *p)
{
	struct bench_fig f;
	if (bench_run(&bench_cacheline, BK_RTT, 0, 1, 0, 2000, p->cpu_a, p->cpu_b, false, &f) != 0) {
		return 0;
	}
	return f.med;
}

static void progress(struct plan *p, const struct bench_impl *im, enum bench_kind k, size_t size)
{
	p->cells_done++;
	if (!p->progress) {
		return;
	}
	fprintf(stderr, "\r\033[K[%u/%u] %s %s %s %zu B", p->cells_done, p->cells_total,
		k == BK_RTT ? "round trip" : "throughput", im->transport, im->mode, size);
	fflush(stderr);
}

static bool placement_moved(double a, double b)
{
	if (a <= 0 || b <= 0) {
		return false;
	}
	return a / b > 1.5 || b / a > 1.5;
}

/* A cell whose repetitions disagree by more than this was disturbed (another
 * process took the CPU, say): it is measured again. */
#define REDO_SPREAD_PCT 50.0

/* Measures one cell into @p f, bracketed by cache-line probes; a cell whose
 * placement changed while it ran, or whose repetitions disagree wildly, is
 * measured again (twice at most; the last attempt stands, flagged). */
static void measure(struct plan *p, const struct bench_impl *im, enum bench_kind k, size_t size,
		    double *cl, struct bench_fig *f)
{
	bool keep = p->keep_raw && k == BK_RTT && (!im->sized || size == p->plot_size);
	for (unsigned attempt = 0; attempt < 3; attempt++) {
		if (attempt > 0) {
			free(f->raw);
			f->raw = NULL;
		}
		double before = *cl;
		bench_run(im, k, size, p->reps, p->duration, p->count, p->cpu_a, p->cpu_b, keep, f);
		double after = im->local ? before : cl_probe(p);
		*cl = after;
		f->cl_before = im->local ? 0 : before;
		f->cl_after = im->local ? 0 : after;
		f->redone = attempt;
		f->placement_changed = !im->local && placement_moved(before, after);
		if (!f->ok || (!f->placement_changed && f->spread_pct <= REDO_SPREAD_PCT)) {
			break;
		}
	}
}

/* Runs one cell and appends it to the report. */
static void cell(struct plan *p, const struct bench_impl *im, enum bench_kind k, size_t size,
		 double *cl)
{
	if (report.nfigs >= BENCH_MAX_FIGS) {
		return;
	}
	progress(p, im, k, size);
	measure(p, im, k, size, cl, &report.figs[report.nfigs]);
	report.nfigs++;
}

static struct bench_fig *find_mut(const char *id)
{
	for (unsigned i = 0; i < report.nfigs; i++) {
		if (report.figs[i].ok && strcmp(report.figs[i].id, id) == 0) {
			return &report.figs[i];
		}
	}
	return NULL;
}

/*
 * A target compares two cells; if the host moved the vCPUs between them, the
 * ratio means nothing. Measure both again back to back (twice at most) so the
 * target is judged on figures taken in one placement.
 */
static void recheck_targets(struct plan *p, double *cl)
{
	for (unsigned t = 0; t < report.ntargets; t++) {
		for (unsigned attempt = 0; attempt < 2; attempt++) {
			bench_derive(&report);
			struct bench_target *g = &report.targets[t];
			if (g->state == BT_NOT_MEASURED || g->same_placement || g->den[0] == 0) {
				break;
			}
			struct bench_fig *a = find_mut(g->num), *b = find_mut(g->den);
			if (a == NULL || b == NULL) {
				break;
			}
			struct bench_fig *pair[2] = { b, a };
			for (int i = 0; i < 2; i++) {
				struct bench_fig *f = pair[i];
				unsigned redone = f->redone;
				if (p->progress) {
					fprintf(stderr, "\r\033[K[re-measuring] %s", f->id);
				}
				free(f->raw);
				f->raw = NULL;
				measure(p, f->impl, f->kind, f->size ? f->size : p->sizes[0], cl, f);
				f->redone += redone + 1;
			}
		}
	}
}

static bool fits(const struct bench_impl *im, size_t size)
{
	size_t max = im->max_size ? im->max_size : BENCH_MAX_SIZE;
	return size <= max;
}

static void add_target(const char *text, const char *num, const char *den, const char *metric,
		       double limit, bool at_most)
{
	struct bench_target *t = &report.targets[report.ntargets++];
	t->text = text;
	snprintf(t->num, sizeof(t->num), "%s", num);
	snprintf(t->den, sizeof(t->den), "%s", den ? den : "");
	t->metric = metric;
	t->limit = limit;
	t->at_most = at_most;
}

static void define_targets(const struct plan *p)
{
	/* Latency targets at the smallest size measured. */
	size_t s = p->sizes[0];
	char a[64], b[64];
	snprintf(a, sizeof(a), "rtt.icmsg.poll.%zu", s);
	snprintf(b, sizeof(b), "rtt.ring.spin.%zu", s);
	add_target("ICMsg polling round trip <= 1.3x raw spinning ring", a, b, "med", 1.3, true);
	snprintf(a, sizeof(a), "rtt.icmsg.irq.%zu", s);
	add_target("ICMsg doorbell round trip <= 1.1x raw futex", a, "rtt.futex.sleep", "med", 1.1,
		   true);
	snprintf(a, sizeof(a), "rtt.icmsg.adaptive.%zu", s);
	snprintf(b, sizeof(b), "rtt.icmsg.poll.%zu", s);
	add_target("ICMsg adaptive under continuous traffic <= 1.5x polling", a, b, "med", 1.5,
		   true);
	add_target("ICMsg 64 B polling throughput >= 70% of the raw spinning ring",
		   "tput.icmsg.poll.64", "tput.ring.spin.64", "msgs_s", 0.7, false);
	add_target("ICMsg 64 B polling throughput >= 5x a pipe", "tput.icmsg.poll.64",
		   "tput.pipe.sleep.64", "msgs_s", 5.0, false);
	add_target("ICMsg 16 KiB throughput >= 80% of the raw ring", "tput.icmsg.poll.16384",
		   "tput.ring.spin.16384", "msgs_s", 0.8, false);
	/* The same throughput targets for a sender that uses bursts of 16
	 * (amp_icmsg_burst_begin/end), the API meant for streaming. */
	add_target("ICMsg 64 B polling throughput, bursts, >= 70% of the raw ring",
		   "tput.icmsg.burst.64", "tput.ring.spin.64", "msgs_s", 0.7, false);
	add_target("ICMsg 64 B polling throughput, bursts, >= 5x a pipe", "tput.icmsg.burst.64",
		   "tput.pipe.sleep.64", "msgs_s", 5.0, false);
	add_target("ICMsg 16 KiB throughput, bursts, >= 80% of the raw ring",
		   "tput.icmsg.burst.16384", "tput.ring.spin.16384", "msgs_s", 0.8, false);
	snprintf(a, sizeof(a), "rtt.rpmsg.poll.%zu", s);
	snprintf(b, sizeof(b), "rtt.icmsg.poll.%zu", s);
	add_target("RPMsg polling round trip <= 1.5x ICMsg's", a, b, "med", 1.5, true);
	add_target("RPMsg zero-copy 496 B throughput >= 1,000,000 msgs/s (doorbells)",
		   "tput.rpmsg.irq.496", NULL, "msgs_s", 1e6, false);
}

static double load1(void)
{
	double l = 0;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f != NULL) {
		if (fscanf(f, "%lf", &l) != 1) {
			l = 0;
		}
		fclose(f);
	}
	return l;
}

static void host_info(struct bench_report *r)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	while (f != NULL && fgets(line, sizeof(line), f) != NULL) {
		char *c = strchr(line, ':');
		if (strncmp(line, "model name", 10) == 0 && c != NULL) {
			c++;
			while (*c == ' ' || *c == '\t') {
				c++;
			}
			c[strcspn(c, "\n")] = 0;
			snprintf(r->cpu_model, sizeof(r->cpu_model), "%s", c);
			break;
		}
	}
	if (f != NULL) {
		fclose(f);
	}
	struct utsname u;
	if (uname(&u) == 0) {
		size_t n = strnlen(u.release, sizeof(r->kernel) - 1);
		memcpy(r->kernel, u.release, n);
		r->kernel[n] = 0;
	}
	r->load_start = load1();
}

static bool parse_list(const char *s, char out[][16], unsigned max, unsigned *n)
{
	*n = 0;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", s);
	char *save = NULL;
	for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
		if (*n >= max || strlen(t) >= 16) {
			return false;
		}
		snprintf(out[(*n)++], 16, "%s", t);
	}
	return *n > 0;
}

int amp_cmd_bench(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "transport", required_argument, NULL, 't' },
		{ "mode", required_argument, NULL, 'm' },
		{ "sizes", required_argument, NULL, 's' },
		{ "kind", required_argument, NULL, 'k' },
		{ "duration", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'c' },
		{ "reps", required_argument, NULL, 'r' },
		{ "no-baselines", no_argument, NULL, 'B' },
		{ "json", no_argument, NULL, 'j' },
		{ "plot", required_argument, NULL, 'p' },
		{ "plot-size", required_argument, NULL, 'P' },
		{ "strict", no_argument, NULL, 'S' },
		{ "cpus", required_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	static struct plan p;
	memset(&p, 0, sizeof(p));
	memset(&report, 0, sizeof(report));
	p.rtt = p.tput = p.baselines = true;
	p.reps = 3;
	p.duration = 0.2;
	const char *transports = NULL, *modes = "irq,poll,adaptive,burst", *plot = NULL;
	bool json = false, strict = false;
	int cpus_a = -1, cpus_b = -1;
	uint64_t plot_size = 0;
	static const size_t default_sizes[] = { 8, 64, 496, 4096, 16384 };
	for (unsigned i = 0; i < 5; i++) {
		p.sizes[p.nsizes++] = default_sizes[i];
	}
	char list[MAX_SIZES][16];
	unsigned nl;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(help_text, stdout);
			fputs("\nBUILT-IN TRANSPORTS\n   ", stdout);
			for (const struct bench_impl *const *im = bench_amplink_impls; *im; im++) {
				printf(" %s/%s", (*im)->transport, (*im)->mode);
			}
			fputs(bench_amplink_impls[0] ? "\n" : " none (baselines only)\n", stdout);
			return AMP_EXIT_OK;
		case 't':
			transports = optarg;
			break;
		case 'm':
			modes = optarg;
			break;
		case 's':
			if (!parse_list(optarg, list, MAX_SIZES, &nl)) {
				return amp_cli_usage_error("bench", "bad --sizes '%s'", optarg);
			}
			p.nsizes = 0;
			for (unsigned i = 0; i < nl; i++) {
				uint64_t v;
				if (!amp_cli_u64(list[i], &v) || v == 0 || v > BENCH_MAX_SIZE) {
					return amp_cli_usage_error("bench", "bad size '%s' (1..%u)",
								   list[i], BENCH_MAX_SIZE);
				}
				p.sizes[p.nsizes++] = (size_t)v;
			}
			break;
		case 'k':
			if (!parse_list(optarg, list, MAX_SIZES, &nl)) {
				return amp_cli_usage_error("bench", "bad --kind '%s'", optarg);
			}
			p.rtt = p.tput = false;
			for (unsigned i = 0; i < nl; i++) {
				if (strcmp(list[i], "rtt") == 0) {
					p.rtt = true;
				} else if (strcmp(list[i], "tput") == 0) {
					p.tput = true;
				} else {
					return amp_cli_usage_error("bench", "unknown kind '%s'", list[i]);
				}
			}
			break;
		case 'd':
			if (!amp_cli_seconds(optarg, &p.duration) || p.duration <= 0 || p.duration > 600) {
				return amp_cli_usage_error("bench", "bad --duration '%s'", optarg);
			}
			break;
		case 'c':
			if (!amp_cli_u64(optarg, &p.count) || p.count == 0 || p.count > 100000000) {
				return amp_cli_usage_error("bench", "bad --count '%s'", optarg);
			}
			break;
		case 'r': {
			uint64_t v;
			if (!amp_cli_u64(optarg, &v) || v == 0 || v > BENCH_MAX_REPS) {
				return amp_cli_usage_error("bench", "bad --reps '%s' (1..%d)", optarg,
							   BENCH_MAX_REPS);
			}
			p.reps = (unsigned)v;
			break;
		}
		case 'B':
			p.baselines = false;
			break;
		case 'j':
			json = true;
			break;
		case 'p':
			plot = optarg;
			break;
		case 'P':
			if (!amp_cli_u64(optarg, &plot_size) || plot_size == 0) {
				return amp_cli_usage_error("bench", "bad --plot-size '%s'", optarg);
			}
			break;
		case 'S':
			strict = true;
			break;
		case 'C': {
			int a = -1, b = -1;
			char extra;
			if (sscanf(optarg, "%d,%d%c", &a, &b, &extra) != 2 || a < 0 || b < 0 || a == b ||
			    a >= 1024 || b >= 1024) {
				return amp_cli_usage_error("bench", "bad --cpus '%s' (two different CPU numbers, e.g. 0,1)",
							   optarg);
			}
			cpus_a = a;
			cpus_b = b;
			break;
		}
		default:
			return amp_cli_usage_error("bench", "unknown or incomplete option '%s'",
						   argv[optind - 1]);
		}
	}
	if (optind < argc) {
		return amp_cli_usage_error("bench", "unexpected argument '%s'", argv[optind]);
	}
	/* Transports x modes. */
	if (!parse_list(modes, list, MAX_SIZES, &nl)) {
		return amp_cli_usage_error("bench", "bad --mode '%s'", modes);
	}
	for (unsigned i = 0; i < nl; i++) {
		if (strcmp(list[i], "irq") && strcmp(list[i], "poll") && strcmp(list[i], "adaptive") &&
		    strcmp(list[i], "burst")) {
			return amp_cli_usage_error("bench", "unknown mode '%s'", list[i]);
		}
	}
	char tl[8][16];
	unsigned nt = 0;
	if (transports != NULL &&
	    (!parse_list(transports, tl, 8, &nt))) {
		return amp_cli_usage_error("bench", "bad --transport '%s'", transports);
	}
	for (unsigned t = 0; t < nt; t++) {
		bool known = false;
		for (const struct bench_impl *const *im = bench_amplink_impls; *im; im++) {
			known |= strcmp((*im)->transport, tl[t]) == 0;
		}
		if (strcmp(tl[t], "none") == 0) {
			continue;
		}
		if (!known && strcmp(tl[t], "icmsg") && strcmp(tl[t], "rpmsg")) {
			return amp_cli_usage_error("bench", "unknown transport '%s'", tl[t]);
		}
		if (!known) {
			fprintf(stderr, "amplink bench: transport %s is not built in; skipped\n", tl[t]);
		}
	}
	for (const struct bench_impl *const *im = bench_amplink_impls; *im; im++) {
		bool want_t = transports == NULL;
		for (unsigned t = 0; t < nt; t++) {
			want_t |= strcmp((*im)->transport, tl[t]) == 0;
		}
		bool want_m = false;
		for (unsigned i = 0; i < nl; i++) {
			want_m |= strcmp((*im)->mode, list[i]) == 0;
		}
		if (want_t && want_m && p.namp < 8) {
			p.amp[p.namp++] = *im;
		}
	}
	p.plot_size = plot_size ? (size_t)plot_size : p.sizes[p.nsizes > 1 ? 1 : 0];
	p.keep_raw = plot != NULL;
	p.progress = amp_cli_progress_enabled();
	report.ncpus = bench_pick_cpus(&p.cpu_a, &p.cpu_b);
	if (cpus_a >= 0) {
		cpu_set_t set;
		if (sched_getaffinity(0, sizeof(set), &set) != 0 || !CPU_ISSET(cpus_a, &set) ||
		    !CPU_ISSET(cpus_b, &set)) {
			return amp_cli_usage_error("bench", "CPUs %d and %d are not both usable here",
						   cpus_a, cpus_b);
		}
		p.cpu_a = cpus_a;
		p.cpu_b = cpus_b;
	}
	report.cpu_a = p.cpu_a;
	report.cpu_b = p.cpu_b;
	report.reps = p.reps;
	report.duration = p.duration;
	report.count = p.count;
	define_targets(&p);

	/* Count cells for the progress line. */
	static const struct bench_impl *const base_rtt[] = { &bench_ring, &bench_pipe,
							     &bench_unix_stream,
							     &bench_unix_seqpacket };
	static const struct bench_impl *const base_tput[] = { &bench_ring, &bench_pipe,
							      &bench_unix_stream,
							      &bench_unix_seqpacket, &bench_memcpy };
	p.cells_total = (p.baselines && p.rtt) ? 2 : 0;
	for (unsigned s = 0; s < p.nsizes; s++) {
		p.cells_total += p.baselines ? (p.rtt ? 4 : 0) + (p.tput ? 5 : 0) : 0;
		p.cells_total += p.namp * ((p.rtt ? 1 : 0) + (p.tput ? 1 : 0));
	}

	host_info(&report);
	double cl = cl_probe(&p);
	report.cl_first = cl;
	if (p.baselines && p.rtt) {
		cell(&p, &bench_cacheline, BK_RTT, 0, &cl);
		cell(&p, &bench_futex, BK_RTT, 0, &cl);
	}
	for (unsigned s = 0; s < p.nsizes; s++) {
		size_t size = p.sizes[s];
		if (p.rtt) {
			for (unsigned b = 0; p.baselines && b < 4; b++) {
				if (fits(base_rtt[b], size)) {
					cell(&p, base_rtt[b], BK_RTT, size, &cl);
				}
			}
			for (unsigned a = 0; a < p.namp; a++) {
				if (fits(p.amp[a], size)) {
					cell(&p, p.amp[a], BK_RTT, size, &cl);
				}
			}
		}
		if (p.tput) {
			for (unsigned b = 0; p.baselines && b < 5; b++) {
				if (fits(base_tput[b], size)) {
					cell(&p, base_tput[b], BK_TPUT, size, &cl);
				}
			}
			for (unsigned a = 0; a < p.namp; a++) {
				if (fits(p.amp[a], size) && p.amp[a]->a_send != NULL) {
					cell(&p, p.amp[a], BK_TPUT, size, &cl);
				}
			}
		}
	}
	if (p.progress) {
		fprintf(stderr, "\r\033[K");
	}
	recheck_targets(&p, &cl);
	for (unsigned i = 0; i < report.nfigs; i++) {
		report.failures += !report.figs[i].ok;
		report.placement_changes += report.figs[i].ok && report.figs[i].placement_changed;
	}
	report.load_end = load1();
	bench_derive(&report);
	if (json) {
		bench_print_json(stdout, &report);
	} else {
		bench_print_table(stdout, &report);
	}
	fflush(stdout);
	int rc = report.failures ? AMP_EXIT_FINDINGS : AMP_EXIT_OK;
	if (plot != NULL) {
		if (bench_plot(&report, plot, p.plot_size) != 0) {
			fprintf(stderr, "amplink bench: could not draw %s (is gnuplot installed? "
					"scripts/install-deps.sh installs gnuplot-nox)\n",
				plot);
			rc = AMP_EXIT_FINDINGS;
		} else if (!json) {
			printf("\nlatency CDF (%zu B) written to %s\n", p.plot_size, plot);
		}
	}
	if (strict) {
		for (unsigned t = 0; t < report.ntargets; t++) {
			if (report.targets[t].state == BT_MISSED) {
				rc = AMP_EXIT_FINDINGS;
			}
		}
	}
	for (unsigned i = 0; i < report.nfigs; i++) {
		free(report.figs[i].raw);
		report.figs[i].raw = NULL;
	}
	return rc;
}
