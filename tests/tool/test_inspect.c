/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `amplink inspect` on deliberately corrupted images (each corruption yields
 * the expected finding at the expected offset, from the decoder and from the
 * command with exit status 1), the command's sources (dump, live region file,
 * devicetree) and its exit codes. argv[1] is the amplink binary.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "inspect_util.h"

/* ---- deliberate corruption ---------------------------------------------------- */


static void put32(uint8_t *b, uint32_t off, uint32_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
	b[off + 2] = (uint8_t)(v >> 16);
	b[off + 3] = (uint8_t)(v >> 24);
}


/* The command on a corrupted image: exit 1 and the finding at its offset. */
static void expect_cmd(const char *args, const uint8_t *buf, size_t len, const char *code,
		       uint32_t offset)
{
	static char out[1 << 16];
	const char *tmp = getenv("TMPDIR");
	char tpl[512];
	snprintf(tpl, sizeof(tpl), "%s/amp-insp-img-XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp");
	int fd = mkstemp(tpl);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	close(fd);
	char cmd[8192];
	snprintf(cmd, sizeof(cmd), "%s inspect --json %s --dump %s", amplink_bin, args, tpl);
	int rc = run(cmd, out, sizeof(out));
	unlink(tpl);
	assert_int_equal(rc, 1);
	char pat[64];
	snprintf(pat, sizeof(pat), "\"code\":\"%s\"", code);
	bool found = false;
	for (const char *p = strstr(out, pat); p != NULL; p = strstr(p + 1, pat)) {
		const char *o = strstr(p, "\"offset\":");
		const char *e = strchr(p, '}');
		if (o != NULL && e != NULL && o < e && strtoul(o + 9, NULL, 10) == offset) {
			found = true;
		}
	}
	if (!found) {
		fail_msg("%s: no finding %s at offset %u in: %s", args, code, offset, out);
	}
}

static void test_pbuf_corrupt(void **state)
{
	(void)state;
	struct amp_vec_case c;
	size_t sz;
	/* size256_align0_hs0 step 22: several packets pending, wrapped. */
	uint8_t *img = load_image("pbuf", "size256_align0_hs0", "22.bin", &sz, &c);
	struct amp_insp_pbuf_cfg cfg = { .size = 256, .dcache_align = 0, .handshake = false };
	uint8_t *w = malloc(sz);

	memset(&fs, 0, sizeof(fs));
	amp_insp_pbuf_decode(&pb_out, &cfg, img, sz, 0, &fs);
	assert_int_equal(fs.n, 0);
	assert_true(pb_out.npackets >= 3);
	uint32_t first_hdr = pb_out.data_off + pb_out.pkt[0].hdr_idx;

	memcpy(w, img, sz);
	put32(w, 4, 252); /* wr_idx beyond the 248-byte data area */
	memset(&fs, 0, sizeof(fs));
	amp_insp_pbuf_decode(&pb_out, &cfg, w, sz, 0, &fs);
	assert_true(amp_insp_has(&fs, "wr_idx_out_of_range", 4));
	expect_cmd("--format pbuf --size 256", w, sz, "wr_idx_out_of_range", 4);

	memcpy(w, img, sz);
	put32(w, 0, 1000);
	memset(&fs, 0, sizeof(fs));
	amp_insp_pbuf_decode(&pb_out, &cfg, w, sz, 0, &fs);
	assert_true(amp_insp_has(&fs, "rd_idx_out_of_range", 0));
	expect_cmd("--format pbuf --size 256", w, sz, "rd_idx_out_of_range", 0);

	memcpy(w, img, sz);
	w[first_hdr] = 0xff; /* length 0xff.. > occupied */
	memset(&fs, 0, sizeof(fs));
	amp_insp_pbuf_decode(&pb_out, &cfg, w, sz, 0, &fs);
	assert_true(amp_insp_has(&fs, "packet_len_exceeds_used", first_hdr));
	assert_int_equal(fs.n, 1);
	expect_cmd("--format pbuf --size 256", w, sz, "packet_len_exceeds_used", first_hdr);

	memcpy(w, img, sz);
	w[first_hdr] = 0;
	w[first_hdr + 1] = 0;
	memset(&fs, 0, sizeof(fs));
	amp_insp_pbuf_decode(&pb_out, &cfg, w, sz, 0, &fs);
	assert_true(amp_insp_has(&fs, "packet_len_zero", first_hdr));
	expect_cmd("--format pbuf --size 256", w, sz, "packet_len_zero", first_hdr);

	/* A truncated copy never reads past its end and says so. */
	memset(&fs, 0, sizeof(fs));
	amp_insp_pbuf_decode(&pb_out, &cfg, img, 100, 0, &fs);
	assert_true(amp_insp_has(&fs, "region_truncated", 100));

	free(w);
	free(img);
	amp_vec_free(&c);
}

static void test_icmsg_corrupt(void **state)
{
	(void)state;
	struct amp_vec_case c;
	size_t sz;
	uint8_t *img = load_image("icmsg", "v2_enable_align8_peer_reset", "23.bin", &sz, &c);
	struct amp_insp_icmsg_cfg cfg = { .size = 256, .dcache_align = 8,
					  .unbound = AMP_INSP_UNBOUND_ENABLE };
	memset(&fs, 0, sizeof(fs));
	amp_insp_icmsg_decode(&ic_out, &cfg, img, 256, img + 256, 256, &fs);
	assert_int_equal(fs.n, 0);
	assert_true(ic_out.bound_v2);
	/* B (writes a2b's word) claims to acknowledge a session without requesting one. */
	put32(img, 4, 0x00050000);
	memset(&fs, 0, sizeof(fs));
	amp_insp_icmsg_decode(&ic_out, &cfg, img, 256, img + 256, 256, &fs);
	assert_true(amp_insp_has(&fs, "handshake_inconsistent", 4));
	expect_cmd("--format icmsg --size 256 --dcache-alignment 8 --handshake enable", img, 512,
		   "handshake_inconsistent", 4);
	assert_int_equal(fs.f[0].region, 0);
	assert_false(ic_out.bound_v2);
	/* Misaligned wr_idx in the b2a region is reported in region 1 at offset 8. */
	put32(img, 256 + 8, 6);
	memset(&fs, 0, sizeof(fs));
	amp_insp_icmsg_decode(&ic_out, &cfg, img, 256, img + 256, 256, &fs);
	assert_true(amp_insp_has(&fs, "wr_idx_misaligned", 8));
	expect_cmd("--format icmsg --size 256 --dcache-alignment 8 --handshake enable", img, 512,
		   "wr_idx_misaligned", 8);
	free(img);
	amp_vec_free(&c);
}

static void test_rpmsg_corrupt(void **state)
{
	(void)state;
	struct amp_vec_case c;
	size_t sz;
	uint8_t *img = load_image("rpmsg_static_vrings", "size8704_buf512_align4_remote_first",
				  "11.bin", &sz, &c);
	struct amp_insp_rpmsg_cfg cfg = { .size = 8704, .addr = 0x20070000, .buffer_size = 512,
					  .mem_align = 4 };
	uint8_t *w = malloc(sz);
	memset(&fs, 0, sizeof(fs));
	amp_insp_rpmsg_decode(&rp_out, &cfg, img, sz, &fs);
	assert_int_equal(fs.n, 0);
	assert_int_equal(rp_out.ring[0].npending, 1); /* the remote's 32-byte message */
	const uint32_t v0 = rp_out.ring[0].off, n = rp_out.num_desc;
	const uint32_t used0 = rp_out.ring[0].used_off, avail0 = rp_out.ring[0].avail_off;
	uint32_t msg_off = (uint32_t)(rp_out.ring[0].pending[0].addr - cfg.addr);
	uint16_t msg_desc = rp_out.ring[0].pending[0].desc;

	/* Descriptor pointing outside the region. */
	memcpy(w, img, sz);
	put32(w, v0 + 16 * msg_desc, 0x10000000);
	memset(&fs, 0, sizeof(fs));
	amp_insp_rpmsg_decode(&rp_out, &cfg, w, sz, &fs);
	assert_true(amp_insp_has(&fs, "desc_outside_region", v0 + 16 * msg_desc));
	expect_cmd("--format rpmsg --size 8704 --base 0x20070000", w, sz, "desc_outside_region", v0 + 16 * msg_desc);

	/* Avail ring entry naming a descriptor that does not exist. */
	memcpy(w, img, sz);
	w[avail0 + 4] = (uint8_t)(n + 3);
	memset(&fs, 0, sizeof(fs));
	amp_insp_rpmsg_decode(&rp_out, &cfg, w, sz, &fs);
	assert_true(amp_insp_has(&fs, "avail_entry_out_of_range", avail0 + 4));
	expect_cmd("--format rpmsg --size 8704 --base 0x20070000", w, sz, "avail_entry_out_of_range", avail0 + 4);

	/* used.idx far ahead of avail.idx. */
	memcpy(w, img, sz);
	w[used0 + 2] = 0x40;
	memset(&fs, 0, sizeof(fs));
	amp_insp_rpmsg_decode(&rp_out, &cfg, w, sz, &fs);
	assert_true(amp_insp_has(&fs, "vring_idx_inconsistent", used0 + 2));
	expect_cmd("--format rpmsg --size 8704 --base 0x20070000", w, sz, "vring_idx_inconsistent", used0 + 2);

	/* RPMsg header claiming more payload than a buffer holds. */
	memcpy(w, img, sz);
	w[msg_off + 12] = 0xff;
	w[msg_off + 13] = 0x01;
	memset(&fs, 0, sizeof(fs));
	amp_insp_rpmsg_decode(&rp_out, &cfg, w, sz, &fs);
	assert_true(amp_insp_has(&fs, "rpmsg_len_exceeds_buffer", msg_off + 12));
	expect_cmd("--format rpmsg --size 8704 --base 0x20070000", w, sz, "rpmsg_len_exceeds_buffer", msg_off + 12);

	/* FAILED status. */
	memcpy(w, img, sz);
	w[0] = 0x84;
	memset(&fs, 0, sizeof(fs));
	amp_insp_rpmsg_decode(&rp_out, &cfg, w, sz, &fs);
	assert_true(amp_insp_has(&fs, "status_failed", 0));
	expect_cmd("--format rpmsg --size 8704 --base 0x20070000", w, sz, "status_failed", 0);

	free(w);
	free(img);
	amp_vec_free(&c);
}

/* ---- the command itself ------------------------------------------------------ */


static void test_command(void **state)
{
	(void)state;
	static char out[1 << 16];
	char cmd[8192];
	const char *v = amp_vec_root();

	/* Clean image: exit 0, packets listed. */
	snprintf(cmd, sizeof(cmd),
		 "%s inspect --format pbuf --size 256 --dump %s/pbuf/size256_align0_hs0/22.bin",
		 amplink_bin, v);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "findings: none"));

	/* Corrupted image (a poked header): exit 1, finding with its offset in JSON. */
	snprintf(cmd, sizeof(cmd),
		 "%s inspect --json --format pbuf --size 256 --dump "
		 "%s/pbuf/size256_align0_hs0/101.bin",
		 amplink_bin, v);
	assert_int_equal(run(cmd, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "\"code\":\"packet_len_exceeds_used\""));
	assert_non_null(strstr(out, "\"offset\":236"));
	assert_non_null(strstr(out, "\"ok\":false"));

	/* ICMsg from one dump holding both regions, with addresses. */
	snprintf(cmd, sizeof(cmd),
		 "%s inspect --format icmsg --size 256 --dcache-alignment 8 --handshake enable "
		 "--dump %s/icmsg/v2_enable_align8_peer_reset/23.bin --base 0x20000000 "
		 "--addr 0x20000000",
		 amplink_bin, v);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "bound (v2"));

	/* RPMsg with the region address so descriptors resolve; JSON is parseable-looking. */
	snprintf(cmd, sizeof(cmd),
		 "%s inspect --json --format rpmsg --size 8704 --base 0x20070000 --dump "
		 "%s/rpmsg_static_vrings/size8704_buf512_align4_remote_first/02.bin",
		 amplink_bin, v);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "\"name\":\"ep0\""));
	assert_non_null(strstr(out, "\"num_desc\":8"));

	/* Garbage: findings, not a crash. */
	snprintf(cmd, sizeof(cmd),
		 "%s inspect --format rpmsg --size 8704 --dump %s/pbuf/size2048_align0_hs0/00.bin",
		 amplink_bin, v);
	assert_int_equal(run(cmd, out, sizeof(out)), 1);

	/* Usage errors: exit 2. */
	snprintf(cmd, sizeof(cmd), "%s inspect --format nope --size 1 --dump x 2>/dev/null",
		 amplink_bin);
	assert_int_equal(run(cmd, out, sizeof(out)), 2);
	snprintf(cmd, sizeof(cmd), "%s inspect --format pbuf 2>/dev/null", amplink_bin);
	assert_int_equal(run(cmd, out, sizeof(out)), 2);
	snprintf(cmd, sizeof(cmd), "%s inspect --help", amplink_bin);
	assert_int_equal(run(cmd, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "EXIT STATUS"));
	/* --watch re-reads: two refreshes, the last one's status. */
	snprintf(cmd, sizeof(cmd),
		 "%s inspect --watch=0.05 --count 2 --format pbuf --size 256 --dump "
		 "%s/pbuf/size256_align0_hs0/101.bin",
		 amplink_bin, v);
	assert_int_equal(run(cmd, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "refresh 1 --"));
	assert_non_null(strstr(out, "refresh 2 --"));
	assert_null(strstr(out, "refresh 3 --"));
	/* Missing file: failure. */
	snprintf(cmd, sizeof(cmd),
		 "%s inspect --format pbuf --size 256 --dump /nonexistent/x 2>/dev/null",
		 amplink_bin);
	assert_int_equal(run(cmd, out, sizeof(out)), 1);
}

/* Devicetree route: an ICMsg instance described in a .dts, regions found in a
 * RAM dump at their `reg` addresses. Skipped when this build has no loader. */
static const char test_dts[] =
	"/dts-v1/;\n"
	"/ {\n"
	"	#address-cells = <1>;\n"
	"	#size-cells = <1>;\n"
	"	sram: memory@20000000 { device_type = \"memory\"; reg = <0x20000000 0x100000>; };\n"
	"	reserved-memory {\n"
	"		#address-cells = <1>;\n"
	"		#size-cells = <1>;\n"
	"		ranges;\n"
	"		tx: memory@20070000 { reg = <0x20070000 0x100>; };\n"
	"		rx: memory@20070400 { reg = <0x20070400 0x100>; };\n"
	"		mb: mb@200f0000 { reg = <0x200f0000 0x2000>; };\n"
	"	};\n"
	"	mbox: mbox {\n"
	"		compatible = \"amplink,linux-doorbell\";\n"
	"		memory-region = <&mb>;\n"
	"		#mbox-cells = <1>;\n"
	"		amplink,channels = <2>;\n"
	"		amplink,side = <0>;\n"
	"	};\n"
	"	ipc {\n"
	"		ipc0: ipc0 {\n"
	"			compatible = \"zephyr,ipc-icmsg\";\n"
	"			tx-region = <&tx>;\n"
	"			rx-region = <&rx>;\n"
	"			mboxes = <&mbox 0>, <&mbox 1>;\n"
	"			mbox-names = \"tx\", \"rx\";\n"
	"			dcache-alignment = <8>;\n"
	"			unbound = \"enable\";\n"
	"		};\n"
	"	};\n"
	"};\n";

static void test_devicetree(void **state)
{
	(void)state;
	static char out[1 << 16];
	char dir[] = "/tmp/amp-insp-dt-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char dts[128], dump[128], cmd[8192];
	snprintf(dts, sizeof(dts), "%s/board.dts", dir);
	snprintf(dump, sizeof(dump), "%s/ram.bin", dir);
	FILE *f = fopen(dts, "w");
	assert_non_null(f);
	fputs(test_dts, f);
	fclose(f);
	/* RAM from 0x20070000: a2b (A = this core's tx) at +0, b2a at +0x400. */
	struct amp_vec_case c;
	size_t sz;
	uint8_t *img = load_image("icmsg", "v2_enable_align8_peer_reset", "22.bin", &sz, &c);
	uint8_t *ram = calloc(1, 0x800);
	memcpy(ram, img, 256);
	memcpy(ram + 0x400, img + 256, 256);
	f = fopen(dump, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(ram, 1, 0x800, f), 0x800);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s inspect --json --dt %s --instance ipc0 --dump %s --base 0x20070000",
		 amplink_bin, dts, dump);
	int rc = run(cmd, out, sizeof(out));
	if (strstr(out, "without the devicetree loader") == NULL && rc != 0) {
		print_message("%s\n", out);
	}
	if (rc == 1 && strstr(out, "\"format\"") == NULL) {
		/* no loader in this build: the command says so and fails cleanly */
	} else {
		assert_int_equal(rc, 0);
		assert_non_null(strstr(out, "\"format\":\"icmsg\""));
		assert_non_null(strstr(out, "\"unbound\":\"enable\""));
		assert_non_null(strstr(out, "\"region\":\"memory@20070000\""));
		assert_non_null(strstr(out, "\"region\":\"memory@20070400\""));
		assert_non_null(strstr(out, "\"pending\":1")); /* B's 64-byte message, unread */
	}
	/* Live: no source given, the region files are named after the nodes. */
	const char *shm = getenv("AMPLINK_SHM_DIR");
	if (shm != NULL && *shm && rc == 0) {
		char prefix[32], a2b[4096], b2a[4096];
		snprintf(prefix, sizeof(prefix), "insp-%d-", (int)getpid());
		snprintf(a2b, sizeof(a2b), "%s/%smemory-20070000", shm, prefix);
		snprintf(b2a, sizeof(b2a), "%s/%smemory-20070400", shm, prefix);
		f = fopen(a2b, "wb");
		assert_non_null(f);
		fwrite(img, 1, 256, f);
		fclose(f);
		f = fopen(b2a, "wb");
		assert_non_null(f);
		fwrite(img + 256, 1, 256, f);
		fclose(f);
		snprintf(cmd, sizeof(cmd), "AMPLINK_SHM_PREFIX=%s %s inspect --json --dt %s --instance ipc0",
			 prefix, amplink_bin, dts);
		rc = run(cmd, out, sizeof(out));
		unlink(a2b);
		unlink(b2a);
		assert_int_equal(rc, 0);
		assert_non_null(strstr(out, "\"pending\":1"));
		assert_non_null(strstr(out, "\"bound\":true"));
	}
	unlink(dts);
	unlink(dump);
	rmdir(dir);
	free(ram);
	free(img);
	amp_vec_free(&c);
}

/* Structure-aware robustness: every golden image with random bytes changed
 * (fixed-seed generator) goes through every decoder. Under ASan/UBSan this
 * catches any out-of-bounds read or overflow the fuzzer's blind inputs miss. */
static void test_live_shm(void **state)
{
	(void)state;
	static char out[1 << 16];
	const char *dir = getenv("AMPLINK_SHM_DIR");
	if (dir == NULL || *dir == 0) {
		skip();
	}
	struct amp_vec_case c;
	size_t sz;
	uint8_t *img = load_image("pbuf", "size256_align0_hs0", "22.bin", &sz, &c);
	char name[64], path[4096], cmd[8192];
	snprintf(name, sizeof(name), "insp-live-%d", (int)getpid());
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(img, 1, sz, f), sz);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s inspect --json --format pbuf --size 256 --shm %s", amplink_bin,
		 name);
	int rc = run(cmd, out, sizeof(out));
	unlink(path);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "\"pending\":5"));
	snprintf(cmd, sizeof(cmd), "%s inspect --format pbuf --size 256 --shm %s-gone 2>/dev/null",
		 amplink_bin, name);
	assert_int_equal(run(cmd, out, sizeof(out)), 1);
	free(img);
	amp_vec_free(&c);
}

int main(int argc, char **argv)
{
	amplink_bin = argc > 1 ? argv[1] : "amplink";
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pbuf_corrupt),  cmocka_unit_test(test_icmsg_corrupt),
		cmocka_unit_test(test_rpmsg_corrupt), cmocka_unit_test(test_command),
		cmocka_unit_test(test_devicetree),    cmocka_unit_test(test_live_shm),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
