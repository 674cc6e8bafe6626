/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool amp_cli_u64(const char *s, uint64_t *out)
{
	if (s == NULL || *s == 0 || *s == '-') {
		return false;
	}
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno != 0 || end == s) {
		return false;
	}
	unsigned mul_shift = 0;
	if (*end == 'k' || *end == 'K') {
		mul_shift = 10;
		end++;
	} else if (*end == 'M') {
		mul_shift = 20;
		end++;
	} else if (*end == 'G') {
		mul_shift = 30;
		end++;
	}
	if (*end != 0 || (mul_shift && v > (~0ULL >> mul_shift))) {
		return false;
	}
	*out = (uint64_t)v << mul_shift;
	return true;
}

bool amp_cli_seconds(const char *s, double *out)
{
	if (s == NULL || *s == 0) {
		return false;
	}
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno != 0 || end == s || v < 0) {
		return false;
	}
	if (strcmp(end, "") == 0 || strcmp(end, "s") == 0) {
		*out = v;
	} else if (strcmp(end, "ms") == 0) {
		*out = v / 1e3;
	} else if (strcmp(end, "us") == 0) {
		*out = v / 1e6;
	} else {
		return false;
	}
	return true;
}

int amp_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "amplink %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'amplink %s --help'.\n", cmd);
	return AMP_EXIT_USAGE;
}

bool amp_cli_progress_enabled(void)
{
	return isatty(STDERR_FILENO) != 0;
}
