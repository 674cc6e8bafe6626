/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The fuzz input plays a corrupt or hostile region (or RAM dump) handed to
 * `amplink inspect`: the first bytes pick the format and its layout
 * parameters, the rest is the region. Decoders and printers must never read
 * out of bounds, loop forever or crash, whatever the bytes say.
 */
#include "inspect/decode.h"
#include "inspect/print.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink(void)
{
	static FILE *f;
	if (f == NULL) {
		f = fopen("/dev/null", "w");
	}
	return f;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t aligns[] = { 0, 4, 8, 16, 32, 64, 3, 12 };
	static const uint32_t bufsz[] = { 512, 128, 64, 32, 17, 16, 1000, 4096 };
	static const uint32_t malign[] = { 4, 1, 2, 8, 16, 32, 64, 3 };
	static struct amp_insp_findings fs;
	if (size < 8) {
		return 0;
	}
	uint8_t sel = data[0];
	uint8_t p1 = data[1];
	uint32_t addr = (uint32_t)data[2] << 24 | (uint32_t)data[3] << 16;
	/* Declared size: usually the real length, sometimes larger (truncated copy). */
	uint32_t extra = (data[4] & 0x80) ? (uint32_t)data[5] * 4 : 0;
	const uint8_t *img = data + 8;
	size_t len = size - 8;
	uint32_t declared = (uint32_t)len + extra;
	FILE *out = sink();
	struct amp_json j;
	amp_json_init(&j, out);
	struct amp_insp_where w = { .name = { "r0", "r1" }, .addr = { addr, addr + declared },
				    .has_addr = { true, true }, .source = "fuzz" };
	memset(&fs, 0, sizeof(fs));
	switch (sel % 3) {
	case 0: {
		static struct amp_insp_pbuf pb;
		struct amp_insp_pbuf_cfg cfg = { .size = declared & ~3u,
						 .dcache_align = aligns[p1 & 7],
						 .handshake = (p1 & 8) != 0 };
		if (p1 & 0x10) {
			cfg.size = declared; /* possibly not a multiple of 4 */
		}
		amp_insp_pbuf_decode(&pb, &cfg, img, len, 0, &fs);
		amp_insp_print_pbuf(out, NULL, &pb, &w);
		amp_insp_print_pbuf(out, &j, &pb, &w);
		break;
	}
	case 1: {
		static struct amp_insp_icmsg ic;
		size_t half = len / 2;
		struct amp_insp_icmsg_cfg cfg = { .size = (uint32_t)(half + extra) & ~3u,
						  .dcache_align = aligns[p1 & 7],
						  .unbound = (enum amp_insp_unbound)((p1 >> 3) % 3),
						  .rx_buffer_size = (p1 & 0x20) ? 128 : 0 };
		amp_insp_icmsg_decode(&ic, &cfg, img, half, img + half, len - half, &fs);
		amp_insp_print_icmsg(out, NULL, &ic, &w);
		amp_insp_print_icmsg(out, &j, &ic, &w);
		break;
	}
	default: {
		static struct amp_insp_rpmsg rp;
		struct amp_insp_rpmsg_cfg cfg = { .size = declared, .addr = addr,
						  .buffer_size = bufsz[p1 & 7],
						  .mem_align = malign[(p1 >> 3) & 7] };
		amp_insp_rpmsg_decode(&rp, &cfg, img, len, &fs);
		amp_insp_print_rpmsg(out, NULL, &rp, &w);
		amp_insp_print_rpmsg(out, &j, &rp, &w);
		break;
	}
	}
	amp_insp_print_findings(out, NULL, &fs, &w);
	amp_insp_print_findings(out, &j, &fs, &w);
	return 0;
}
