/* SPDX-License-Identifier: Apache-2.0 */
/* Devicetree lookups for `amplink inspect --dt` (through the library's loader). */
#ifndef AMP_INSPECT_DT_H
#define AMP_INSPECT_DT_H

#include <stddef.h>
#include <stdint.h>

enum amp_insp_dt_fmt { AMP_INSP_DT_PBUF, AMP_INSP_DT_ICMSG, AMP_INSP_DT_RPMSG };

struct amp_insp_dt_result {
	enum amp_insp_dt_fmt fmt;
	uint64_t addr[2];    /**< ICMsg: tx-region, rx-region; else the region */
	uint64_t size, size2;
	uint32_t dcache_align;
	char unbound[16];    /**< ICMsg "disable" / "enable" / "detect" */
	uint32_t buffer_size;
	char name[2][80];    /**< region names */
	char file[2][160];    /**< live region file names (node name, '@' -> '-') */
};

/**
 * Find @p instance (an IPC instance) or @p region (a reserved-memory region) in
 * the devicetree @p path (.dts is compiled with dtc first). Returns 0, or -1
 * with a message in @p err.
 */
int amp_insp_dt_lookup(const char *path, const char *instance, const char *region,
		       struct amp_insp_dt_result *r, char *err, size_t errlen);

#endif
