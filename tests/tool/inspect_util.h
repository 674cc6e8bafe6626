/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the `amplink inspect` test programs (header-only, test code). */
#ifndef AMP_TEST_INSPECT_UTIL_H
#define AMP_TEST_INSPECT_UTIL_H

#include "inspect/decode.h"
#include "vectors.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The decoders' outputs are large: one static set per program. */
static struct amp_insp_pbuf pb_out;
static struct amp_insp_icmsg ic_out;
static struct amp_insp_rpmsg rp_out;
static struct amp_insp_findings fs;

static const char *amplink_bin;

static inline void payload(uint8_t *b, size_t n, long m)
{
	amp_vec_payload(b, n, m);
}

static inline void dump_findings(const char *where)
{
	for (unsigned i = 0; i < fs.n; i++) {
		print_message("%s: finding %s @%u: %s\n", where, fs.f[i].code, fs.f[i].offset,
			      fs.f[i].text);
	}
}

static inline uint8_t *load_image(const char *family, const char *cname, const char *file,
				  size_t *sz, struct amp_vec_case *c)
{
	assert_int_equal(amp_vec_load(c, family, cname), 0);
	uint8_t *img = amp_vec_image(c, file, sz);
	assert_non_null(img);
	return img;
}

static inline int run(const char *cmd, char *out, size_t cap)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, cap - 1, p);
	out[n] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#endif
