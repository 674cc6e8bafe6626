/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Every ratio printed is the quotient of two figures printed in the same run
 * (same method, same process pair); a ratio whose two cells were measured in
 * different vCPU placements (cache-line round trip differs by > 1.5x) is
 * marked, never silently compared.
 */
#define _GNU_SOURCE
#include "report.h"
#include "../json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLACEMENT_TOLERANCE 1.5
/* A target whose figures vary more than this between repetitions is marked noisy. */
#define NOISY_SPREAD_PCT 25.0

const struct bench_fig *bench_find(const struct bench_report *r, const char *id)
{
	for (unsigned i = 0; i < r->nfigs; i++) {
		if (r->figs[i].ok && strcmp(r->figs[i].id, id) == 0) {
			return &r->figs[i];
		}
	}
	return NULL;
}

double bench_metric(const struct bench_fig *f, const char *metric)
{
	if (strcmp(metric, "med") == 0) {
		return f->med;
	}
	return f->msgs_s;
}

static double placement_ref(const struct bench_fig *f)
{
	if (f->cl_before > 0 && f->cl_after > 0) {
		return (f->cl_before + f->cl_after) / 2;
	}
	return f->cl_before > 0 ? f->cl_before : f->cl_after;
}

static bool same_placement(const struct bench_fig *a, const struct bench_fig *b)
{
	if (a->placement_changed || b->placement_changed) {
		return false;
	}
	double x = placement_ref(a), y = placement_ref(b);
	if (x <= 0 || y <= 0) {
		return true; /* not measured (e.g. memcpy, one core) */
	}
	return x / y <= PLACEMENT_TOLERANCE && y / x <= PLACEMENT_TOLERANCE;
}

static bool is_amplink(const struct bench_fig *f)
{
	return strcmp(f->transport, "icmsg") == 0 || strcmp(f->transport, "rpmsg") == 0;
}

static void add_ratio(struct bench_report *r, const struct bench_fig *num, const char *den_id,
		      const char *metric)
{
	const struct bench_fig *den = bench_find(r, den_id);
	if (den == NULL || den == num || r->nratios >= BENCH_MAX_RATIOS) {
		return;
	}
	double d = bench_metric(den, metric);
	if (d <= 0) {
		return;
	}
	struct bench_ratio *x = &r->ratios[r->nratios++];
	snprintf(x->num, sizeof(x->num), "%s", num->id);
	snprintf(x->den, sizeof(x->den), "%s", den->id);
	x->metric = metric;
	x->value = bench_metric(num, metric) / d;
	x->same_placement = same_placement(num, den);
}

void bench_derive(struct bench_report *r)
{
	r->nratios = 0;
	char id[64];
	for (unsigned i = 0; i < r->nfigs; i++) {
		const struct bench_fig *f = &r->figs[i];
		if (!f->ok || !is_amplink(f)) {
			continue;
		}
		size_t s = f->size;
		if (f->kind == BK_RTT) {
			add_ratio(r, f, "rtt.cacheline.spin", "med");
			snprintf(id, sizeof(id), "rtt.ring.spin.%zu", s);
			add_ratio(r, f, id, "med");
			add_ratio(r, f, "rtt.futex.sleep", "med");
			snprintf(id, sizeof(id), "rtt.pipe.sleep.%zu", s);
			add_ratio(r, f, id, "med");
			snprintf(id, sizeof(id), "rtt.unix-stream.sleep.%zu", s);
			add_ratio(r, f, id, "med");
			snprintf(id, sizeof(id), "rtt.unix-seqpacket.sleep.%zu", s);
			add_ratio(r, f, id, "med");
			if (strcmp(f->mode, "poll") != 0) {
				snprintf(id, sizeof(id), "rtt.%s.poll.%zu", f->transport, s);
				add_ratio(r, f, id, "med");
			}
			if (strcmp(f->transport, "rpmsg") == 0) {
				snprintf(id, sizeof(id), "rtt.icmsg.%s.%zu", f->mode, s);
				add_ratio(r, f, id, "med");
			}
		} else {
			snprintf(id, sizeof(id), "tput.ring.spin.%zu", s);
			add_ratio(r, f, id, "msgs_s");
			snprintf(id, sizeof(id), "tput.pipe.sleep.%zu", s);
			add_ratio(r, f, id, "msgs_s");
			snprintf(id, sizeof(id), "tput.unix-stream.sleep.%zu", s);
			add_ratio(r, f, id, "msgs_s");
			snprintf(id, sizeof(id), "tput.unix-seqpacket.sleep.%zu", s);
			add_ratio(r, f, id, "msgs_s");
			snprintf(id, sizeof(id), "tput.memcpy.1-core.%zu", s);
			add_ratio(r, f, id, "msgs_s");
			if (strcmp(f->transport, "rpmsg") == 0) {
				snprintf(id, sizeof(id), "tput.icmsg.%s.%zu", f->mode, s);
				add_ratio(r, f, id, "msgs_s");
			}
		}
	}
	for (unsigned t = 0; t < r->ntargets; t++) {
		struct bench_target *g = &r->targets[t];
		const struct bench_fig *a = bench_find(r, g->num);
		const struct bench_fig *b = g->den[0] ? bench_find(r, g->den) : NULL;
		g->state = BT_NOT_MEASURED;
		g->same_placement = true;
		if (a == NULL || (g->den[0] && b == NULL)) {
			continue;
		}
		double d = b ? bench_metric(b, g->metric) : 1.0;
		if (d <= 0) {
			continue;
		}
		g->value = bench_metric(a, g->metric) / d;
		g->same_placement = b ? same_placement(a, b) : !a->placement_changed;
		bool met = g->at_most ? g->value <= g->limit : g->value >= g->limit;
		g->state = met ? BT_MET : BT_MISSED;
	}
}

/* ---- text ------------------------------------------------------------------ */

static const struct bench_ratio *find_ratio(const struct bench_report *r, const char *num,
					    const char *den_prefix)
{
	size_t n = strlen(den_prefix);
	for (unsigned i = 0; i < r->nratios; i++) {
		if (strcmp(r->ratios[i].num, num) == 0 &&
		    strncmp(r->ratios[i].den, den_prefix, n) == 0) {
			return &r->ratios[i];
		}
	}
	return NULL;
}

static void ratio_cell(FILE *out, const struct bench_ratio *x, int width)
{
	if (x == NULL) {
		fprintf(out, " %*s", width, "-");
		return;
	}
	char b[32];
	snprintf(b, sizeof(b), "%.2f%s", x->value, x->same_placement ? "" : "!");
	fprintf(out, " %*s", width, b);
}

static void size_str(char *b, size_t cap, size_t s, bool sized)
{
	if (!sized) {
		snprintf(b, cap, "-");
	} else {
		snprintf(b, cap, "%zu", s);
	}
}

static void cl_str(char *b, size_t cap, const struct bench_fig *f)
{
	if (f->cl_before <= 0 && f->cl_after <= 0) {
		snprintf(b, cap, "-");
	} else {
		snprintf(b, cap, "%.0f/%.0f%s", f->cl_before, f->cl_after,
			 f->placement_changed ? "!" : "");
	}
}

void bench_print_table(FILE *out, const struct bench_report *r)
{
	if (r->cpu_a >= 0) {
		fprintf(out, "amplink bench: 2 processes pinned to CPU %d and CPU %d (%d CPUs usable), ",
			r->cpu_a, r->cpu_b, r->ncpus);
	} else {
		fprintf(out, "amplink bench: 2 processes, not pinned (%d CPU usable), ", r->ncpus);
	}
	if (r->count) {
		fprintf(out, "%u repetitions of %llu messages per cell\n", r->reps,
			(unsigned long long)r->count);
	} else {
		fprintf(out, "%u repetitions, %.2f s per cell\n", r->reps, r->duration);
	}
	fprintf(out, "host: %s, Linux %s, load average %.2f at start, %.2f at end\n",
		r->cpu_model[0] ? r->cpu_model : "unknown CPU", r->kernel[0] ? r->kernel : "?",
		r->load_start, r->load_end);
	fprintf(out, "cache-line round trip (the physical limit) at start: %.0f ns\n\n", r->cl_first);

	fprintf(out, "ROUND TRIP (ns)                         median      p99    p99.9      max  spread  cache line  "
		     "  x cl  x ring x futex  x pipe  x poll x icmsg\n");
	for (unsigned i = 0; i < r->nfigs; i++) {
		const struct bench_fig *f = &r->figs[i];
		if (f->kind != BK_RTT) {
			continue;
		}
		char sz[24], cl[48];
		size_str(sz, sizeof(sz), f->size, f->size != 0);
		cl_str(cl, sizeof(cl), f);
		fprintf(out, "  %-14s %-8s %6s", f->transport, f->mode, sz);
		if (!f->ok) {
			fprintf(out, "  FAILED: %s\n", f->error);
			continue;
		}
		fprintf(out, " %9.0f %8.0f %8.0f %8.0f %6.1f%% %11s", f->med, f->p99, f->p999,
			f->max, f->spread_pct, cl);
		if (is_amplink(f)) {
			char p[64];
			ratio_cell(out, find_ratio(r, f->id, "rtt.cacheline."), 6);
			snprintf(p, sizeof(p), "rtt.ring.spin.%zu", f->size);
			ratio_cell(out, find_ratio(r, f->id, p), 7);
			ratio_cell(out, find_ratio(r, f->id, "rtt.futex."), 7);
			snprintf(p, sizeof(p), "rtt.pipe.sleep.%zu", f->size);
			ratio_cell(out, find_ratio(r, f->id, p), 7);
			snprintf(p, sizeof(p), "rtt.%s.poll.%zu", f->transport, f->size);
			ratio_cell(out, strcmp(f->mode, "poll") ? find_ratio(r, f->id, p) : NULL, 7);
			snprintf(p, sizeof(p), "rtt.icmsg.%s.%zu", f->mode, f->size);
			ratio_cell(out, strcmp(f->transport, "rpmsg") == 0 ? find_ratio(r, f->id, p) : NULL, 7);
		}
		fputc('\n', out);
	}

	fprintf(out, "\nTHROUGHPUT (one way)                     msgs/s       MB/s  spread  cache line "
		     "  x ring  x pipe  x unix x seqpkt x memcpy x icmsg\n");
	for (unsigned i = 0; i < r->nfigs; i++) {
		const struct bench_fig *f = &r->figs[i];
		if (f->kind != BK_TPUT) {
			continue;
		}
		char sz[24], cl[48];
		size_str(sz, sizeof(sz), f->size, true);
		cl_str(cl, sizeof(cl), f);
		fprintf(out, "  %-14s %-8s %6s", f->transport, f->mode, sz);
		if (!f->ok) {
			fprintf(out, "  FAILED: %s\n", f->error);
			continue;
		}
		fprintf(out, " %10.0f %10.1f %6.1f%% %11s", f->msgs_s, f->mb_s, f->spread_pct, cl);
		if (is_amplink(f)) {
			static const char *const base[] = { "ring.spin", "pipe.sleep", "unix-stream.sleep",
							    "unix-seqpacket.sleep", "memcpy.1-core" };
			char p[64];
			for (size_t k = 0; k < sizeof(base) / sizeof(base[0]); k++) {
				snprintf(p, sizeof(p), "tput.%s.%zu", base[k], f->size);
				ratio_cell(out, find_ratio(r, f->id, p), k == 3 ? 7 : (k == 4 ? 8 : 7));
			}
			snprintf(p, sizeof(p), "tput.icmsg.%s.%zu", f->mode, f->size);
			ratio_cell(out, strcmp(f->transport, "rpmsg") == 0 ? find_ratio(r, f->id, p) : NULL, 7);
		}
		fputc('\n', out);
	}
	fprintf(out, "\n  x REF = this figure / the matching baseline of the same size (round trip:\n"
		     "  median; throughput: msgs/s). '!' = the cells were measured in different vCPU\n"
		     "  placements (cache-line round trip before/after differs by more than %.1fx).\n",
		PLACEMENT_TOLERANCE);

	fprintf(out, "\nTARGETS\n");
	for (unsigned t = 0; t < r->ntargets; t++) {
		const struct bench_target *g = &r->targets[t];
		const char *st = g->state == BT_MET ? "met" : g->state == BT_MISSED ? "MISSED" : "n/a";
		fprintf(out, "  %-7s %-66s", st, g->text);
		if (g->state == BT_NOT_MEASURED) {
			fprintf(out, " (not measured in this run)\n");
			continue;
		}
		const struct bench_fig *a = bench_find(r, g->num);
		const struct bench_fig *b = g->den[0] ? bench_find(r, g->den) : NULL;
		double spread = a->spread_pct;
		if (b != NULL && b->spread_pct > spread) {
			spread = b->spread_pct;
		}
		if (b != NULL) {
			fprintf(out, " %.2fx (%s %.0f / %s %.0f)", g->value, a->id,
				bench_metric(a, g->metric), b->id, bench_metric(b, g->metric));
		} else {
			fprintf(out, " %.0f msgs/s (%s)", g->value, g->num);
		}
		fprintf(out, "%s%s\n", g->same_placement ? "" : " placement changed",
			spread > NOISY_SPREAD_PCT ? " noisy" : "");
	}
	fprintf(out, "  ('noisy': a figure of the target varied by more than %.0f%% between repetitions.)\n",
		NOISY_SPREAD_PCT);
	if (r->placement_changes || r->failures) {
		fprintf(out, "\n%u cell(s) changed placement even after re-measuring; %u cell(s) failed.\n",
			r->placement_changes, r->failures);
	}
}

/* ---- JSON ------------------------------------------------------------------- */

void bench_print_json(FILE *out, const struct bench_report *r)
{
	struct amp_json j;
	amp_json_init(&j, out);
	amp_json_obj(&j, NULL);
	amp_json_obj(&j, "run");
	amp_json_int(&j, "cpu_a", r->cpu_a);
	amp_json_int(&j, "cpu_b", r->cpu_b);
	amp_json_int(&j, "cpus", r->ncpus);
	amp_json_uint(&j, "repetitions", r->reps);
	amp_json_num(&j, "duration_s", r->duration);
	amp_json_uint(&j, "count", r->count);
	amp_json_num(&j, "cacheline_rtt_ns", r->cl_first);
	amp_json_str(&j, "cpu_model", r->cpu_model);
	amp_json_str(&j, "kernel", r->kernel);
	amp_json_num(&j, "load_start", r->load_start);
	amp_json_num(&j, "load_end", r->load_end);
	amp_json_uint(&j, "placement_changes", r->placement_changes);
	amp_json_uint(&j, "failures", r->failures);
	amp_json_end_obj(&j);
	amp_json_arr(&j, "figures");
	for (unsigned i = 0; i < r->nfigs; i++) {
		const struct bench_fig *f = &r->figs[i];
		amp_json_obj(&j, NULL);
		amp_json_str(&j, "id", f->id);
		amp_json_str(&j, "kind", f->kind == BK_RTT ? "rtt" : "tput");
		amp_json_str(&j, "transport", f->transport);
		amp_json_str(&j, "mode", f->mode);
		amp_json_uint(&j, "size", f->size);
		amp_json_bool(&j, "ok", f->ok);
		if (!f->ok) {
			amp_json_str(&j, "error", f->error);
		}
		if (!f->ok) {
			/* no figures; the counters below still tell what happened */
		} else if (f->kind == BK_RTT) {
			amp_json_num(&j, "med", f->med);
			amp_json_num(&j, "p99", f->p99);
			amp_json_num(&j, "p999", f->p999);
			amp_json_num(&j, "max", f->max);
		} else {
			amp_json_num(&j, "msgs_s", f->msgs_s);
			amp_json_num(&j, "mb_s", f->mb_s);
		}
		if (f->ok) {
			amp_json_num(&j, "spread_pct", f->spread_pct);
		}
		amp_json_uint(&j, "reps", f->reps);
		amp_json_uint(&j, "samples", f->samples);
		amp_json_num(&j, "cl_before", f->cl_before);
		amp_json_num(&j, "cl_after", f->cl_after);
		amp_json_bool(&j, "placement_changed", f->placement_changed);
		amp_json_uint(&j, "redone", f->redone);
		for (int side = 0; side < 2; side++) {
			const struct bench_counters *k = side == 0 ? &f->ca : &f->cb;
			if (!k->valid) {
				continue;
			}
			amp_json_obj(&j, side == 0 ? "counters_a" : "counters_b");
			amp_json_uint(&j, "msgs", k->msgs);
			amp_json_uint(&j, "doorbells", k->doorbells);
			amp_json_uint(&j, "wakes", k->wakes);
			amp_json_uint(&j, "sleeps", k->sleeps);
			amp_json_uint(&j, "full", k->full);
			amp_json_uint(&j, "space_rings", k->space_rings);
			amp_json_end_obj(&j);
		}
		amp_json_end_obj(&j);
	}
	amp_json_end_arr(&j);
	amp_json_arr(&j, "ratios");
	for (unsigned i = 0; i < r->nratios; i++) {
		const struct bench_ratio *x = &r->ratios[i];
		amp_json_obj(&j, NULL);
		amp_json_str(&j, "num", x->num);
		amp_json_str(&j, "den", x->den);
		amp_json_str(&j, "metric", x->metric);
		amp_json_num(&j, "value", x->value);
		amp_json_bool(&j, "same_placement", x->same_placement);
		amp_json_end_obj(&j);
	}
	amp_json_end_arr(&j);
	amp_json_arr(&j, "targets");
	for (unsigned t = 0; t < r->ntargets; t++) {
		const struct bench_target *g = &r->targets[t];
		amp_json_obj(&j, NULL);
		amp_json_str(&j, "target", g->text);
		amp_json_str(&j, "num", g->num);
		if (g->den[0]) {
			amp_json_str(&j, "den", g->den);
		} else {
			amp_json_null(&j, "den");
		}
		amp_json_str(&j, "metric", g->metric);
		amp_json_num(&j, "limit", g->limit);
		amp_json_str(&j, "compare", g->at_most ? "<=" : ">=");
		amp_json_str(&j, "state", g->state == BT_MET      ? "met"
					  : g->state == BT_MISSED ? "missed"
								  : "not_measured");
		if (g->state != BT_NOT_MEASURED) {
			const struct bench_fig *a = bench_find(r, g->num);
			const struct bench_fig *b = g->den[0] ? bench_find(r, g->den) : NULL;
			double spread = a->spread_pct;
			if (b != NULL && b->spread_pct > spread) {
				spread = b->spread_pct;
			}
			amp_json_num(&j, "value", g->value);
			amp_json_bool(&j, "same_placement", g->same_placement);
			amp_json_bool(&j, "noisy", spread > NOISY_SPREAD_PCT);
		}
		amp_json_end_obj(&j);
	}
	amp_json_end_arr(&j);
	amp_json_end_obj(&j);
	amp_json_finish(&j);
}

/* ---- plot ------------------------------------------------------------------- */

int bench_plot(const struct bench_report *r, const char *file, size_t size)
{
	const char *tmp = getenv("TMPDIR");
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/amplink-plot-XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		return -1;
	}
	char path[512], script[300];
	snprintf(script, sizeof(script), "%s/plot.gp", dir);
	FILE *gp = fopen(script, "w");
	if (gp == NULL) {
		return -1;
	}
	size_t n = strlen(file);
	bool png = n > 4 && strcmp(file + n - 4, ".png") == 0;
	fprintf(gp, "set terminal %s size 1000,600\n", png ? "png" : "svg");
	fprintf(gp, "set output '%s'\n", file);
	fprintf(gp, "set title 'amplink bench: round-trip latency CDF, %zu-byte messages'\n", size);
	fprintf(gp, "set xlabel 'round trip (ns, log scale)'\nset ylabel 'fraction of round trips'\n");
	fprintf(gp, "set logscale x\nset key bottom right\nset grid\nset yrange [0:1]\n");
	fprintf(gp, "plot");
	int series = 0;
	for (unsigned i = 0; i < r->nfigs; i++) {
		const struct bench_fig *f = &r->figs[i];
		if (!f->ok || f->kind != BK_RTT || f->raw == NULL || (f->size != 0 && f->size != size)) {
			continue;
		}
		snprintf(path, sizeof(path), "%s/s%u.dat", dir, i);
		FILE *d = fopen(path, "w");
		if (d == NULL) {
			continue;
		}
		/* At most ~2000 points per curve: every k-th sorted sample. */
		uint64_t step = f->nraw / 2000 + 1;
		for (uint64_t k = 0; k < f->nraw; k += step) {
			fprintf(d, "%llu %.6f\n", (unsigned long long)f->raw[k],
				(double)(k + 1) / (double)f->nraw);
		}
		fprintf(d, "%llu 1.0\n", (unsigned long long)f->raw[f->nraw - 1]);
		fclose(d);
		fprintf(gp, "%s '%s' using 1:2 with lines lw 2 title '%s %s'", series ? "," : "", path,
			f->transport, f->mode);
		series++;
	}
	fprintf(gp, "\n");
	fclose(gp);
	int rc = -1;
	if (series > 0) {
		pid_t pid = fork();
		if (pid == 0) {
			execlp("gnuplot", "gnuplot", script, (char *)NULL);
			_exit(127);
		}
		int st = 0;
		if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
			rc = 0;
		}
	}
	/* Clean up the temporary files. */
	for (unsigned i = 0; i < r->nfigs; i++) {
		snprintf(path, sizeof(path), "%s/s%u.dat", dir, i);
		unlink(path);
	}
	unlink(script);
	rmdir(dir);
	return rc;
}
