/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the run-time devicetree loader on arbitrary blobs (tools
 * load .dtb files they are given). Whatever the input, amp_dt_load() returns
 * a code, never reads outside the blob, and a success describes indexes that
 * are in range.
 */
#include <amplink/devicetree.h>
#include <amplink/errno.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t blob[8192]; /* aligned copy, as a file read would give */
	static struct amp_dt_system sys;
	struct amp_dt_error err;
	char line[512];
	int rc;

	if (size > sizeof(blob)) {
		return 0;
	}
	memcpy(blob, data, size);
	rc = amp_dt_load(blob, size, &sys, &err);
	amp_dt_error_format(&err, line, sizeof(line));
	if (rc != 0) {
		if (rc != AMP_EINVAL && rc != AMP_EBADMSG && rc != AMP_ENOMEM) {
			abort();
		}
		return 0;
	}
	if (sys.num_regions > AMP_DT_MAX_REGIONS || sys.num_mboxes > AMP_DT_MAX_MBOXES ||
	    sys.num_ipc > AMP_DT_MAX_IPC) {
		abort();
	}
	for (uint32_t i = 0; i < sys.num_ipc; i++) {
		const struct amp_dt_ipc *d = &sys.ipc[i];

		if (d->tx.mbox >= sys.num_mboxes || d->rx.mbox >= sys.num_mboxes ||
		    d->tx.channel >= sys.mboxes[d->tx.mbox].channels ||
		    d->rx.channel >= sys.mboxes[d->rx.mbox].channels ||
		    d->tx_region >= (int32_t)sys.num_regions ||
		    d->rx_region >= (int32_t)sys.num_regions ||
		    d->memory_region >= (int32_t)sys.num_regions) {
			abort();
		}
	}
	return 0;
}
