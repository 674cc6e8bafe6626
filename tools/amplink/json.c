/* SPDX-License-Identifier: Apache-2.0 */
#include "json.h"

#include <math.h>

void amp_json_init(struct amp_json *j, FILE *out)
{
	j->out = out;
	j->depth = 0;
	j->need_comma[0] = false;
}

static void put_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\') {
			fprintf(out, "\\%c", *p);
		} else if (*p < 0x20 || *p >= 0x7f) {
			fprintf(out, "\\u%04x", *p);
		} else {
			fputc(*p, out);
		}
	}
	fputc('"', out);
}

static void key(struct amp_json *j, const char *k)
{
	if (j->need_comma[j->depth]) {
		fputc(',', j->out);
	}
	j->need_comma[j->depth] = true;
	if (k != NULL) {
		put_str(j->out, k);
		fputc(':', j->out);
	}
}

static void open(struct amp_json *j, const char *k, char c)
{
	key(j, k);
	fputc(c, j->out);
	if (j->depth + 1 < AMP_JSON_DEPTH) {
		j->depth++;
	}
	j->need_comma[j->depth] = false;
}

void amp_json_obj(struct amp_json *j, const char *k)
{
	open(j, k, '{');
}

void amp_json_arr(struct amp_json *j, const char *k)
{
	open(j, k, '[');
}

void amp_json_end_obj(struct amp_json *j)
{
	fputc('}', j->out);
	if (j->depth > 0) {
		j->depth--;
	}
}

void amp_json_end_arr(struct amp_json *j)
{
	fputc(']', j->out);
	if (j->depth > 0) {
		j->depth--;
	}
}

void amp_json_str(struct amp_json *j, const char *k, const char *v)
{
	key(j, k);
	if (v == NULL) {
		fputs("null", j->out);
	} else {
		put_str(j->out, v);
	}
}

void amp_json_int(struct amp_json *j, const char *k, long long v)
{
	key(j, k);
	fprintf(j->out, "%lld", v);
}

void amp_json_uint(struct amp_json *j, const char *k, unsigned long long v)
{
	key(j, k);
	fprintf(j->out, "%llu", v);
}

void amp_json_num(struct amp_json *j, const char *k, double v)
{
	key(j, k);
	if (isnan(v) || isinf(v)) {
		fputs("null", j->out);
	} else {
		fprintf(j->out, "%.9g", v);
	}
}

void amp_json_bool(struct amp_json *j, const char *k, bool v)
{
	key(j, k);
	fputs(v ? "true" : "false", j->out);
}

void amp_json_null(struct amp_json *j, const char *k)
{
	key(j, k);
	fputs("null", j->out);
}

void amp_json_hex(struct amp_json *j, const char *k, const uint8_t *b, size_t n)
{
	key(j, k);
	fputc('"', j->out);
	for (size_t i = 0; i < n; i++) {
		fprintf(j->out, "%02x", b[i]);
	}
	fputc('"', j->out);
}

void amp_json_finish(struct amp_json *j)
{
	fputc('\n', j->out);
	fflush(j->out);
}
