/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Devicetree validation (amp_dt_load, shared by the run-time loader and the
 * build-time generator) and the generator itself. Each case compiles a small
 * .dts with dtc: a valid two-core board, then the same board with one
 * mistake, which must be refused naming the node and the property.
 */
#define _GNU_SOURCE

#include <amplink/devicetree.h>
#include <amplink/errno.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

static const char base_dts[] =
	"/dts-v1/;\n"
	"/ {\n"
	"  #address-cells = <1>; #size-cells = <1>;\n"
	"  model = \"test board\";\n"
	"  memory@20000000 { device_type = \"memory\"; reg = <0x20000000 0x100000>; };\n"
	"  reserved-memory {\n"
	"    #address-cells = <1>; #size-cells = <1>; ranges;\n"
	"    shared_ram: shared_ram@20040000 { reg = <0x20040000 0x8000>; };\n"
	"    ipc_shm: ipc_shm@20070000 { reg = <0x20070000 0x8000>; };\n"
	"    tx_shm: tx_shm@20080000 { reg = <0x20080000 0x1000>; };\n"
	"    rx_shm: rx_shm@20081000 { reg = <0x20081000 0x1000>; };\n"
	"    mbox_shm: mbox_shm@200f0000 { reg = <0x200f0000 0x2000>; };\n"
	"    lock_shm: lock_shm@200f4000 { reg = <0x200f4000 0x1000>; amplink,uncached; };\n"
	"    flags: flags@200f5000 { reg = <0x200f5000 0x1000>;\n"
	"      zephyr,memory-region-mpu = \"RAM_NOCACHE\"; };\n"
	"  };\n"
	"  notres: notres@20090000 { reg = <0x20090000 0x1000>; };\n"
	"  plain: plain { compatible = \"vendor,thing\"; };\n"
	"  mbox: mbox {\n"
	"    compatible = \"amplink,linux-doorbell\"; memory-region = <&mbox_shm>;\n"
	"    #mbox-cells = <1>; amplink,channels = <4>; amplink,side = <0>;\n"
	"  };\n"
	"  ipc {\n"
	"    ipc0: ipc0 {\n"
	"      compatible = \"zephyr,ipc-openamp-static-vrings\";\n"
	"      memory-region = <&ipc_shm>; role = \"host\";\n"
	"      mboxes = <&mbox 0>, <&mbox 1>; mbox-names = \"tx\", \"rx\";\n"
	"    };\n"
	"    ipc1: ipc1 {\n"
	"      compatible = \"zephyr,ipc-icmsg\";\n"
	"      tx-region = <&tx_shm>; rx-region = <&rx_shm>;\n"
	"      mboxes = <&mbox 2>, <&mbox 3>; mbox-names = \"tx\", \"rx\";\n"
	"      dcache-alignment = <8>; unbound = \"detect\";\n"
	"    };\n"
	"  };\n"
	"};\n";

static char workdir[256];
static unsigned char blob[65536];

static void write_file(const char *path, const char *a, const char *b)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(a, f);
	if (b != NULL) {
		fputs(b, f);
	}
	fclose(f);
}

/* Compile base + @p change with dtc into @p dtb. */
static void compile(const char *change, const char *dtb)
{
	char dts[512], cmd[1400];

	snprintf(dts, sizeof(dts), "%s/case.dts", workdir);
	write_file(dts, base_dts, change);
	snprintf(cmd, sizeof(cmd), "%s -q -@ -I dts -O dtb -o %s %s", AMP_DTC, dtb, dts);
	assert_int_equal(system(cmd), 0);
}

static int load(const char *change, struct amp_dt_system *sys, struct amp_dt_error *err)
{
	char dtb[512];

	snprintf(dtb, sizeof(dtb), "%s/case.dtb", workdir);
	compile(change, dtb);
	return amp_dt_load_file(dtb, blob, sizeof(blob), sys, err);
}

/* The change must be refused with AMP_EINVAL naming @p node and @p prop. */
static void expect_error(const char *change, const char *node, const char *prop,
			 const char *words)
{
	static struct amp_dt_system sys;
	struct amp_dt_error err;
	char line[512];
	int rc = load(change, &sys, &err);

	amp_dt_error_format(&err, line, sizeof(line));
	print_message("  refused: %s\n", line);
	assert_int_equal(rc, AMP_EINVAL);
	assert_string_equal(err.node, node);
	assert_string_equal(err.property, prop);
	assert_non_null(strstr(err.message, words));
}

static int setup(void **state)
{
	const char *dir = getenv("AMPLINK_SHM_DIR");

	(void)state;
	snprintf(workdir, sizeof(workdir), "%s/dt-%d", dir != NULL ? dir : "/tmp", (int)getpid());
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "mkdir -p %s", workdir);
	return system(cmd) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", workdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_valid_board(void **state)
{
	static struct amp_dt_system sys;
	struct amp_dt_error err;
	int i;

	(void)state;
	assert_int_equal(load(NULL, &sys, &err), 0);
	assert_string_equal(sys.model, "test board");
	assert_int_equal(sys.num_regions, 7);
	assert_true(sys.regions[amp_dt_find_region(&sys, "shared_ram")].cacheable);
	assert_false(sys.regions[amp_dt_find_region(&sys, "lock_shm")].cacheable);
	assert_false(sys.regions[amp_dt_find_region(&sys, "flags")].cacheable);
	assert_int_equal(sys.num_mboxes, 1);
	assert_int_equal(sys.num_ipc, 2);

	i = amp_dt_find_region(&sys, "shared_ram");
	assert_true(i >= 0);
	assert_int_equal(sys.regions[i].addr, 0x20040000u);
	assert_int_equal(sys.regions[i].size, 0x8000u);
	assert_string_equal(sys.regions[i].name, "shared_ram@20040000");
	assert_int_equal(amp_dt_find_region(&sys, "shared_ram@20040000"), i);
	assert_int_equal(amp_dt_find_region(&sys, "nope"), AMP_ENOENT);

	assert_int_equal(sys.mboxes[0].type, AMP_DT_MBOX_LINUX_DOORBELL);
	assert_int_equal(sys.mboxes[0].channels, 4);
	assert_int_equal(sys.mboxes[0].side, 0);
	assert_int_equal(sys.mboxes[0].tx_mask, 0x5u); /* ipc0 tx 0, ipc1 tx 2 */
	assert_int_equal(sys.mboxes[0].rx_mask, 0xau);
	assert_int_equal(sys.mboxes[0].region, amp_dt_find_region(&sys, "mbox_shm"));

	i = amp_dt_find_ipc(&sys, "ipc0");
	assert_true(i >= 0);
	assert_int_equal(sys.ipc[i].type, AMP_DT_IPC_RPMSG);
	assert_int_equal(sys.ipc[i].role, AMP_DT_ROLE_HOST);
	assert_int_equal(sys.ipc[i].buffer_size, 512);
	assert_int_equal(sys.ipc[i].memory_region, amp_dt_find_region(&sys, "ipc_shm"));
	assert_int_equal(sys.ipc[i].tx.channel, 0);
	assert_int_equal(sys.ipc[i].rx.channel, 1);

	i = amp_dt_find_ipc(&sys, "ipc1");
	assert_int_equal(sys.ipc[i].type, AMP_DT_IPC_ICMSG);
	assert_int_equal(sys.ipc[i].unbound, AMP_DT_UNBOUND_DETECT);
	assert_int_equal(sys.ipc[i].dcache_alignment, 8);
	assert_int_equal(sys.ipc[i].tx_region, amp_dt_find_region(&sys, "tx_shm"));
	assert_int_equal(sys.ipc[i].rx_region, amp_dt_find_region(&sys, "rx_shm"));
}

static void test_disabled_nodes_ignored(void **state)
{
	static struct amp_dt_system sys;
	struct amp_dt_error err;

	(void)state;
	assert_int_equal(load("&ipc1 { status = \"disabled\"; };\n", &sys, &err), 0);
	assert_int_equal(sys.num_ipc, 1);
	/* its mailbox channels are free again */
	assert_int_equal(sys.mboxes[0].tx_mask, 0x1u);
}

static void test_missing_properties(void **state)
{
	(void)state;
	expect_error("&ipc0 { /delete-property/ role; };\n", "/ipc/ipc0", "role", "missing");
	expect_error("&ipc0 { /delete-property/ memory-region; };\n", "/ipc/ipc0", "memory-region",
		     "missing");
	expect_error("&ipc0 { /delete-property/ mboxes; };\n", "/ipc/ipc0", "mboxes", "missing");
	expect_error("&ipc1 { /delete-property/ tx-region; };\n", "/ipc/ipc1", "tx-region",
		     "missing");
	expect_error("&mbox { /delete-property/ amplink,side; };\n", "/mbox", "amplink,side",
		     "missing");
	expect_error("&shared_ram { /delete-property/ reg; };\n",
		     "/reserved-memory/shared_ram@20040000", "reg", "missing");
}

static void test_region_overlap(void **state)
{
	(void)state;
	expect_error("/ { reserved-memory { over: over@20047000 { reg = <0x20047000 0x2000>; }; }; };\n",
		     "/reserved-memory/over@20047000", "reg", "overlaps");
}

static void test_region_outside(void **state)
{
	(void)state;
	expect_error("/ { reserved-memory { far: far@30000000 { reg = <0x30000000 0x1000>; }; }; };\n",
		     "/reserved-memory/far@30000000", "reg", "outside every /memory node");
	expect_error("&ipc0 { memory-region = <&notres>; };\n", "/ipc/ipc0", "memory-region",
		     "not a child of /reserved-memory");
}

static void test_unknown_compatible(void **state)
{
	(void)state;
	expect_error("&ipc0 { compatible = \"zephyr,ipc-carrier-pigeon\"; };\n", "/ipc/ipc0",
		     "compatible", "unknown compatible");
	expect_error("&mbox { compatible = \"amplink,smoke-signal\"; };\n", "/mbox", "compatible",
		     "unknown compatible");
}

static void test_channel_range_and_use(void **state)
{
	(void)state;
	expect_error("&ipc0 { mboxes = <&mbox 0>, <&mbox 7>; };\n", "/ipc/ipc0", "mboxes",
		     "out of range");
	expect_error("&ipc1 { mboxes = <&mbox 0>, <&mbox 3>; };\n", "/ipc/ipc1", "mboxes",
		     "already used");
	expect_error("&ipc0 { mboxes = <&plain 0>, <&mbox 1>; };\n", "/ipc/ipc0", "mboxes",
		     "not an enabled mailbox controller");
	expect_error("&ipc0 { mbox-names = \"tx\", \"in\"; };\n", "/ipc/ipc0", "mbox-names",
		     "no \"rx\" entry");
	expect_error("&mbox { amplink,channels = <40>; };\n", "/mbox", "amplink,channels", "1..32");
}

static void test_bad_strings(void **state)
{
	(void)state;
	expect_error("&ipc0 { role = \"master\"; };\n", "/ipc/ipc0", "role",
		     "invalid value \"master\"");
	expect_error("&ipc1 { unbound = \"sometimes\"; };\n", "/ipc/ipc1", "unbound",
		     "invalid value \"sometimes\"");
	expect_error("&mbox { amplink,wait = \"nap\"; };\n", "/mbox", "amplink,wait",
		     "invalid value \"nap\"");
}

static void test_bad_numbers(void **state)
{
	(void)state;
	expect_error("&ipc1 { dcache-alignment = <12>; };\n", "/ipc/ipc1", "dcache-alignment",
		     "power of two");
	expect_error("&ipc0 { zephyr,buffer-size = <10>; };\n", "/ipc/ipc0", "zephyr,buffer-size",
		     "not a usable buffer size");
	expect_error("&mbox_shm { reg = <0x200f0000 0x100>; };\n", "/mbox", "memory-region",
		     "a doorbell needs at least");
	expect_error("&ipc1 { rx-region = <&tx_shm>; };\n", "/ipc/ipc1", "rx-region",
		     "must differ");
	expect_error("&mbox { amplink,ipm-mode = \"id-in-data\"; };\n", "/mbox", "amplink,ipm-mode",
		     "amplink,mtu >= 4");
}

static void test_not_a_blob(void **state)
{
	static struct amp_dt_system sys;
	static const char junk[64] = "this is not a devicetree";
	struct amp_dt_error err;

	(void)state;
	assert_int_equal(amp_dt_load(junk, sizeof(junk), &sys, &err), AMP_EBADMSG);

	/* A valid blob with a hostile header: libfdt itself would read out of
	 * bounds on some of these (found by fuzz_devicetree). */
	{
		char dtb[512];
		static uint64_t copy[8192];
		FILE *f;
		size_t n;

		snprintf(dtb, sizeof(dtb), "%s/hdr.dtb", workdir);
		compile(NULL, dtb);
		f = fopen(dtb, "rb");
		assert_non_null(f);
		n = fread(copy, 1, sizeof(copy), f);
		fclose(f);
		assert_int_equal(amp_dt_load(copy, n, &sys, &err), 0);
		((uint8_t *)copy)[23] = 15; /* version 17 -> 15 */
		assert_int_equal(amp_dt_load(copy, n, &sys, &err), AMP_EBADMSG);
		((uint8_t *)copy)[23] = 17;
		((uint8_t *)copy)[38] += 0x10; /* size_dt_struct 4 KiB beyond the blob */
		assert_int_equal(amp_dt_load(copy, n, &sys, &err), AMP_EBADMSG);
		((uint8_t *)copy)[38] -= 0x10;
		assert_int_equal(amp_dt_load(copy, n - 8, &sys, &err), AMP_EBADMSG); /* truncated */
	}
	assert_int_equal(amp_dt_load(NULL, 0, &sys, &err), AMP_EINVAL);
	assert_int_equal(amp_dt_load_file("/nonexistent/x.dtb", blob, sizeof(blob), &sys, &err),
			 AMP_ENOENT);
}

/* Run amp_dtgen; returns its exit status, stderr in @p out. */
static int run_generator(const char *change, char *out, size_t out_size)
{
	char dtb[512], cmd[2048];
	FILE *p;
	size_t n;
	int st;

	snprintf(dtb, sizeof(dtb), "%s/gen.dtb", workdir);
	compile(change, dtb);
	snprintf(cmd, sizeof(cmd),
		 "%s --dtb %s --header %s/gen.h --source %s/gen.c --name board.dts 2>&1", AMP_DTGEN,
		 dtb, workdir, workdir);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, out_size - 1, p);
	out[n] = '\0';
	st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_generator(void **state)
{
	char out[2048], path[512];
	static char header[1 << 18];
	FILE *f;
	size_t n;

	(void)state;
	assert_int_equal(run_generator("&ipc0 { role = \"boss\"; };\n", out, sizeof(out)), 1);
	print_message("  generator: %s", out);
	assert_non_null(strstr(out, "board.dts: error: node '/ipc/ipc0': property 'role'"));

	assert_int_equal(run_generator(NULL, out, sizeof(out)), 0);
	snprintf(path, sizeof(path), "%s/gen.h", workdir);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(header, 1, sizeof(header) - 1, f);
	header[n] = '\0';
	fclose(f);
	assert_non_null(strstr(header, "#define DT_N_NODELABEL_ipc0 DT_N_S_ipc_S_ipc0\n"));
	assert_non_null(strstr(header,
			       "#define DT_N_S_reserved_memory_S_shared_ram_20040000_REG_IDX_0_VAL_ADDRESS "
			       "0x20040000UL\n"));
	assert_non_null(strstr(header, "#define DT_N_S_ipc_S_ipc0_P_role \"host\"\n"));
	assert_non_null(strstr(header, "#define DT_N_S_ipc_S_ipc0_P_mboxes_NAME_rx_VAL_channel 1\n"));
	assert_non_null(strstr(header, "#define DT_N_S_ipc_S_ipc0_DEVICE amp_dt_dev_"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_board),
		cmocka_unit_test(test_disabled_nodes_ignored),
		cmocka_unit_test(test_missing_properties),
		cmocka_unit_test(test_region_overlap),
		cmocka_unit_test(test_region_outside),
		cmocka_unit_test(test_unknown_compatible),
		cmocka_unit_test(test_channel_range_and_use),
		cmocka_unit_test(test_bad_strings),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_not_a_blob),
		cmocka_unit_test(test_generator),
	};

	alarm(50);
	return cmocka_run_group_tests(tests, setup, teardown);
}
