/* SPDX-License-Identifier: Apache-2.0 */
/* Findings list shared by the decoders. */
#include "decode.h"
#include "bytes.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void amp_insp_add(struct amp_insp_findings *fs, int region, uint32_t offset, const char *code,
		  const char *fmt, ...)
{
	if (fs == NULL) {
		return;
	}
	if (fs->n >= AMP_INSP_MAX_FINDINGS) {
		fs->dropped++;
		return;
	}
	struct amp_insp_finding *f = &fs->f[fs->n++];
	f->region = region;
	f->offset = offset;
	snprintf(f->code, sizeof(f->code), "%s", code);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof(f->text), fmt, ap);
	va_end(ap);
}

bool amp_insp_has(const struct amp_insp_findings *fs, const char *code, uint32_t offset)
{
	for (unsigned i = 0; i < fs->n; i++) {
		if (strcmp(fs->f[i].code, code) == 0 &&
		    (offset == UINT32_MAX || fs->f[i].offset == offset)) {
			return true;
		}
	}
	return false;
}
