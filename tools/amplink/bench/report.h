/* SPDX-License-Identifier: Apache-2.0 */
/* Figures -> ratios, targets, tables, JSON and plots. */
#ifndef AMP_BENCH_REPORT_H
#define AMP_BENCH_REPORT_H

#include "bench.h"

#include <stdio.h>

#define BENCH_MAX_FIGS 256
#define BENCH_MAX_RATIOS 1024

struct bench_ratio {
	char num[64], den[64];  /* figure ids */
	const char *metric;     /* "med" (round trip) or "msgs_s" */
	double value;           /* num.metric / den.metric */
	bool same_placement;    /* both cells measured in the same vCPU placement */
};

enum bench_target_state { BT_MET, BT_MISSED, BT_NOT_MEASURED };

struct bench_target {
	const char *text;
	char num[64], den[64]; /* den empty: absolute figure */
	const char *metric;
	double limit;
	bool at_most;          /* met when value <= limit (else >= limit) */
	double value;
	enum bench_target_state state;
	bool same_placement;
};

struct bench_report {
	struct bench_fig figs[BENCH_MAX_FIGS];
	unsigned nfigs;
	struct bench_ratio ratios[BENCH_MAX_RATIOS];
	unsigned nratios;
	struct bench_target targets[16];
	unsigned ntargets;
	/* run description */
	int cpu_a, cpu_b, ncpus;
	unsigned reps;
	double duration;
	uint64_t count;
	double cl_first;
	unsigned placement_changes; /* cells whose placement changed (after redos) */
	char cpu_model[96];
	char kernel[72];
	double load_start, load_end; /* 1-minute load average around the run */
	unsigned failures;
};

const struct bench_fig *bench_find(const struct bench_report *r, const char *id);
double bench_metric(const struct bench_fig *f, const char *metric);
/* Computes every ratio and the targets from the figures. */
void bench_derive(struct bench_report *r);
void bench_print_table(FILE *out, const struct bench_report *r);
void bench_print_json(FILE *out, const struct bench_report *r);
/* Latency CDF of the round-trip cells of @p size via gnuplot (svg or png by extension). */
int bench_plot(const struct bench_report *r, const char *file, size_t size);

#endif
