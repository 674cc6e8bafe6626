/* SPDX-License-Identifier: Apache-2.0 */
/* Rendering of decoded regions: human text or JSON. */
#ifndef AMP_INSPECT_PRINT_H
#define AMP_INSPECT_PRINT_H

#include "decode.h"
#include "../json.h"

#include <stdio.h>

/** Where each decoded region came from, for messages. */
struct amp_insp_where {
	const char *name[2];  /**< region names */
	uint64_t addr[2];     /**< address of each region (0 if unknown) */
	bool has_addr[2];
	const char *source;   /**< file or region the bytes were read from */
};

void amp_insp_print_pbuf(FILE *out, struct amp_json *j, const struct amp_insp_pbuf *pb,
			 const struct amp_insp_where *w);
void amp_insp_print_icmsg(FILE *out, struct amp_json *j, const struct amp_insp_icmsg *ic,
			  const struct amp_insp_where *w);
void amp_insp_print_rpmsg(FILE *out, struct amp_json *j, const struct amp_insp_rpmsg *rp,
			  const struct amp_insp_where *w);
void amp_insp_print_findings(FILE *out, struct amp_json *j, const struct amp_insp_findings *fs,
			     const struct amp_insp_where *w);

#endif
