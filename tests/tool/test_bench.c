/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `amplink bench` with a tiny count: the JSON and the table have the expected
 * structure, and every ratio (and every target) printed equals the quotient of
 * the two figures it names, as printed in the same run. argv[1] = amplink.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static const char *amplink_bin;
static char out[1 << 20];

static int run(const char *args)
{
	char cmd[1024];
	snprintf(cmd, sizeof(cmd), "%s %s", amplink_bin, args);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Value of "key": in the JSON object that starts at @p obj. */
static bool obj_num(const char *obj, const char *key, double *v)
{
	const char *end = strchr(obj, '}');
	char pat[64];
	snprintf(pat, sizeof(pat), "\"%s\":", key);
	const char *k = strstr(obj, pat);
	if (k == NULL || (end != NULL && k > end)) {
		return false;
	}
	k += strlen(pat);
	if (strncmp(k, "null", 4) == 0) {
		return false;
	}
	*v = strtod(k, NULL);
	return true;
}

static const char *find_fig(const char *json, const char *id)
{
	char pat[128];
	snprintf(pat, sizeof(pat), "{\"id\":\"%s\"", id);
	return strstr(json, pat);
}

static void check_quotient(const char *json, const char *num, const char *den, const char *metric,
			   double value)
{
	const char *a = find_fig(json, num);
	if (a == NULL) {
		fail_msg("ratio names figure %s, which is not printed", num);
	}
	double x, y = 1;
	assert_true(obj_num(a, metric, &x));
	if (den != NULL) {
		const char *b = find_fig(json, den);
		if (b == NULL) {
			fail_msg("ratio names figure %s, which is not printed", den);
		}
		assert_true(obj_num(b, metric, &y));
		assert_true(y > 0);
	}
	double want = x / y;
	if (fabs(value - want) > 1e-6 * fabs(want) + 1e-9) {
		fail_msg("%s / %s: printed %.9g, figures give %.9g", num, den ? den : "1", value, want);
	}
}

static void test_json(void **state)
{
	(void)state;
	assert_int_equal(run("bench --count 40 --reps 2 --sizes 64 --json"), 0);
	assert_non_null(strstr(out, "\"run\":{"));
	assert_non_null(strstr(out, "\"figures\":["));
	/* The baselines are always there. */
	static const char *const ids[] = { "rtt.cacheline.spin", "rtt.futex.sleep", "rtt.ring.spin.64",
					   "rtt.pipe.sleep.64", "rtt.unix-stream.sleep.64",
					   "rtt.unix-seqpacket.sleep.64", "tput.ring.spin.64",
					   "tput.pipe.sleep.64", "tput.memcpy.1-core.64" };
	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		const char *f = find_fig(out, ids[i]);
		if (f == NULL) {
			fail_msg("figure %s missing", ids[i]);
		}
		double v;
		assert_true(obj_num(f, strncmp(ids[i], "rtt", 3) == 0 ? "med" : "msgs_s", &v));
		assert_true(v > 0);
		assert_true(obj_num(f, "spread_pct", &v));
		assert_true(v >= 0);
	}
	/* Round trips are ordered statistics. */
	const char *f = find_fig(out, "rtt.ring.spin.64");
	double med = 0, p99 = 0, p999 = 0, max = 0;
	assert_true(obj_num(f, "med", &med) && obj_num(f, "p99", &p99) && obj_num(f, "p999", &p999) &&
		    obj_num(f, "max", &max));
	assert_true(med <= p99 && p99 <= p999 && p999 <= max);

	/* Every ratio is the quotient of the two figures it names. */
	const char *r = strstr(out, "\"ratios\":[");
	assert_non_null(r);
	unsigned nratios = 0;
	for (const char *p = strstr(r, "{\"num\":"); p != NULL && p < strstr(r, "\"targets\":[");
	     p = strstr(p + 1, "{\"num\":")) {
		char num[64], den[64], metric[16];
		double value;
		assert_int_equal(sscanf(p, "{\"num\":\"%63[^\"]\",\"den\":\"%63[^\"]\",\"metric\":\"%15[^\"]\",\"value\":%lf",
					num, den, metric, &value),
				 4);
		check_quotient(out, num, den, metric, value);
		nratios++;
	}
#ifdef AMP_TOOL_HAVE_ICMSG
	/* ICMsg in three modes, each against several baselines. */
	assert_non_null(find_fig(out, "rtt.icmsg.poll.64"));
	assert_non_null(find_fig(out, "tput.icmsg.irq.64"));
	assert_true(nratios >= 6 * 4);
#endif
	/* Targets: measured ones carry the quotient of their figures. */
	const char *t = strstr(out, "\"targets\":[");
	assert_non_null(t);
	for (const char *p = strstr(t, "{\"target\":"); p != NULL; p = strstr(p + 1, "{\"target\":")) {
		char num[64], den[64] = "", metric[16], st[16];
		const char *q = strstr(p, "\"num\":\"");
		assert_non_null(q);
		sscanf(q, "\"num\":\"%63[^\"]\"", num);
		q = strstr(p, "\"den\":");
		bool has_den = q != NULL && q[6] == '"';
		if (has_den) {
			sscanf(q, "\"den\":\"%63[^\"]\"", den);
		}
		q = strstr(p, "\"metric\":\"");
		sscanf(q, "\"metric\":\"%15[^\"]\"", metric);
		q = strstr(p, "\"state\":\"");
		sscanf(q, "\"state\":\"%15[^\"]\"", st);
		if (strcmp(st, "not_measured") == 0) {
			continue;
		}
		assert_true(strcmp(st, "met") == 0 || strcmp(st, "missed") == 0);
		double value;
		assert_true(obj_num(p, "value", &value));
		check_quotient(out, num, has_den ? den : NULL, metric, value);
	}
}

/* Parse one table row: transport mode size numbers... ratios. */
struct row {
	char transport[32], mode[16], size[16];
	double v[16];
	int nv;
	bool failed;
};

static bool parse_row(const char *line, struct row *r)
{
	memset(r, 0, sizeof(*r));
	char buf[512];
	snprintf(buf, sizeof(buf), "%s", line);
	char *save = NULL;
	char *tok = strtok_r(buf, " \n", &save);
	if (tok == NULL) {
		return false;
	}
	snprintf(r->transport, sizeof(r->transport), "%s", tok);
	tok = strtok_r(NULL, " \n", &save);
	if (tok == NULL) {
		return false;
	}
	snprintf(r->mode, sizeof(r->mode), "%s", tok);
	tok = strtok_r(NULL, " \n", &save);
	if (tok == NULL) {
		return false;
	}
	snprintf(r->size, sizeof(r->size), "%s", tok);
	while ((tok = strtok_r(NULL, " \n", &save)) != NULL && r->nv < 16) {
		if (strcmp(tok, "FAILED:") == 0) {
			r->failed = true;
			break;
		}
		if (strchr(tok, '/') != NULL) {
			r->v[r->nv++] = -2; /* cache line before/after */
			continue;
		}
		r->v[r->nv++] = strcmp(tok, "-") == 0 ? -1 : strtod(tok, NULL);
	}
	return true;
}

static void near(double printed, double a, double b, const char *what)
{
	double want = a / b;
	/* Figures are printed rounded to integers, ratios to 2 decimals. */
	double tol = 0.0051 + want * (0.5 / a + 0.5 / b) + 1e-9;
	if (fabs(printed - want) > tol) {
		fail_msg("%s: printed %.2f but the printed figures give %.4f", what, printed, want);
	}
}

static void test_table(void **state)
{
	(void)state;
	assert_int_equal(run("bench --count 40 --reps 2 --sizes 8,64 --kind rtt,tput"), 0);
	const char *rt = strstr(out, "ROUND TRIP (ns)");
	const char *tp = strstr(out, "THROUGHPUT (one way)");
	const char *tg = strstr(out, "TARGETS");
	assert_non_null(rt);
	assert_non_null(tp);
	assert_non_null(tg);
	assert_true(rt < tp && tp < tg);
	assert_non_null(strstr(out, "cache-line round trip (the physical limit) at start:"));

	/* Round-trip rows: keep the medians, check amplink ratios against them. */
	struct row rows[64];
	int nrows = 0;
	const char *line = strchr(rt, '\n') + 1;
	while (line < tp && nrows < 64) {
		const char *nl = strchr(line, '\n');
		if (nl == line) {
			break;
		}
		assert_true(parse_row(line, &rows[nrows]));
		assert_false(rows[nrows].failed);
		nrows++;
		line = nl + 1;
	}
	assert_true(nrows >= 6);
	double cl = 0, futex = 0;
	for (int i = 0; i < nrows; i++) {
		if (strcmp(rows[i].transport, "cacheline") == 0) {
			cl = rows[i].v[0];
		}
		if (strcmp(rows[i].transport, "futex") == 0) {
			futex = rows[i].v[0];
		}
	}
	assert_true(cl > 0 && futex > 0);
	for (int i = 0; i < nrows; i++) {
		struct row *r = &rows[i];
		if (strcmp(r->transport, "icmsg") != 0 && strcmp(r->transport, "rpmsg") != 0) {
			continue;
		}
		/* median p99 p999 max spread cl | x cl, x ring, x futex, x pipe */
		assert_true(r->nv >= 10);
		double ring = 0, pipe = 0;
		for (int k = 0; k < nrows; k++) {
			if (strcmp(rows[k].size, r->size) != 0) {
				continue;
			}
			if (strcmp(rows[k].transport, "ring") == 0) {
				ring = rows[k].v[0];
			}
			if (strcmp(rows[k].transport, "pipe") == 0) {
				pipe = rows[k].v[0];
			}
		}
		near(r->v[6], r->v[0], cl, "x cl");
		near(r->v[7], r->v[0], ring, "x ring");
		near(r->v[8], r->v[0], futex, "x futex");
		near(r->v[9], r->v[0], pipe, "x pipe");
	}
	/* Throughput rows: x ring and x pipe. */
	nrows = 0;
	line = strchr(tp, '\n') + 1;
	while (line < tg && nrows < 64) {
		const char *nl = strchr(line, '\n');
		if (nl == line) {
			break;
		}
		assert_true(parse_row(line, &rows[nrows]));
		assert_false(rows[nrows].failed);
		nrows++;
		line = nl + 1;
	}
	assert_true(nrows >= 5);
	for (int i = 0; i < nrows; i++) {
		struct row *r = &rows[i];
		if (strcmp(r->transport, "icmsg") != 0 && strcmp(r->transport, "rpmsg") != 0) {
			continue;
		}
		/* msgs/s MB/s spread cl | x ring x pipe x unix x seqpkt x memcpy */
		assert_true(r->nv >= 9);
		double ring = 0, pipe = 0;
		for (int k = 0; k < nrows; k++) {
			if (strcmp(rows[k].size, r->size) == 0 && strcmp(rows[k].transport, "ring") == 0) {
				ring = rows[k].v[0];
			}
			if (strcmp(rows[k].size, r->size) == 0 && strcmp(rows[k].transport, "pipe") == 0) {
				pipe = rows[k].v[0];
			}
		}
		near(r->v[4], r->v[0], ring, "x ring");
		near(r->v[5], r->v[0], pipe, "x pipe");
	}
}

static void test_usage(void **state)
{
	(void)state;
	assert_int_equal(run("bench --help"), 0);
	assert_non_null(strstr(out, "EXIT STATUS"));
	assert_int_equal(run("bench --sizes 0 2>/dev/null"), 2);
	assert_int_equal(run("bench --mode nope 2>/dev/null"), 2);
	assert_int_equal(run("bench --bogus 2>/dev/null"), 2);
	assert_int_equal(run("nosuchcommand 2>/dev/null"), 2);
	assert_int_equal(run("--help"), 0);
	/* stderr is not a terminal here: no progress line may appear on it. */
	assert_int_equal(run("bench --count 20 --reps 1 --sizes 8 --kind rtt 2>&1"), 0);
	assert_null(strstr(out, "\033[K"));
	assert_null(strstr(out, "\r"));
	assert_non_null(strstr(out, "ROUND TRIP"));
}

int main(int argc, char **argv)
{
	amplink_bin = argc > 1 ? argv[1] : "amplink";
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
