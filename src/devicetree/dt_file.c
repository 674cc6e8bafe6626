/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Run-time loader on Linux: read a .dtb into caller storage, then validate it
 * with the same code the build-time generator uses.
 */
#include <amplink/devicetree.h>
#include <amplink/errno.h>

#include <stdint.h>
#include <stdio.h>
#include <string.h>

static int file_error(struct amp_dt_error *err, const char *path, const char *what, int rc)
{
	if (err != NULL) {
		memset(err, 0, sizeof(*err));
		snprintf(err->message, sizeof(err->message), "%s: %s", path, what);
	}
	return rc;
}

int amp_dt_load_file(const char *path, void *buf, size_t buf_size, struct amp_dt_system *sys,
		     struct amp_dt_error *err)
{
	/* libfdt wants the blob on an 8-byte boundary: use the first one in buf. */
	size_t skip = (8u - ((uintptr_t)buf % 8u)) % 8u;
	FILE *f;
	size_t got;
	int extra;

	if (path == NULL || buf == NULL || sys == NULL || buf_size <= skip) {
		return AMP_EINVAL;
	}
	buf = (char *)buf + skip;
	buf_size -= skip;
	f = fopen(path, "rb");
	if (f == NULL) {
		return file_error(err, path, "cannot open", AMP_ENOENT);
	}
	got = fread(buf, 1, buf_size, f);
	extra = fgetc(f);
	if (ferror(f)) {
		fclose(f);
		return file_error(err, path, "read error", AMP_EIO);
	}
	fclose(f);
	if (extra != EOF) {
		return file_error(err, path, "larger than the buffer given", AMP_ENOMEM);
	}
	return amp_dt_load(buf, got, sys, err);
}
