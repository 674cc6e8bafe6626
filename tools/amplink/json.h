/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Minimal streaming JSON writer for the tool's --json output: tracks commas
 * and nesting so callers only say what to write.
 */
#ifndef AMP_TOOL_JSON_H
#define AMP_TOOL_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define AMP_JSON_DEPTH 16

struct amp_json {
	FILE *out;
	int depth;
	bool need_comma[AMP_JSON_DEPTH];
};

void amp_json_init(struct amp_json *j, FILE *out);
void amp_json_obj(struct amp_json *j, const char *key);   /* key NULL inside arrays / at top */
void amp_json_arr(struct amp_json *j, const char *key);
void amp_json_end_obj(struct amp_json *j);
void amp_json_end_arr(struct amp_json *j);
void amp_json_str(struct amp_json *j, const char *key, const char *val);
void amp_json_int(struct amp_json *j, const char *key, long long val);
void amp_json_uint(struct amp_json *j, const char *key, unsigned long long val);
void amp_json_num(struct amp_json *j, const char *key, double val); /* NaN/inf -> null */
void amp_json_bool(struct amp_json *j, const char *key, bool val);
void amp_json_null(struct amp_json *j, const char *key);
void amp_json_hex(struct amp_json *j, const char *key, const uint8_t *b, size_t n);
/* Ends the document with a newline. */
void amp_json_finish(struct amp_json *j);

#endif
