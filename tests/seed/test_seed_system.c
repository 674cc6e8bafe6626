/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seed example as a two-core system: fork+exec core 0 ("app") and core 1
 * ("net") as two processes that map the same regions, in either start order,
 * and check that both pass every check of the story (bind, messages both ways
 * over RPMsg, IPM 0x12345678, shared_ram block, cross-core spinlock). A fourth
 * case runs core 0 built from the snippets extracted from the seed document
 * itself. Children are killed and reaped on every path; alarm() backstops.
 */
#include "two_cores.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include <cmocka.h>

/* Run app and net, the second one @p delay_us after the first. */
static void run_system(const char *app_bin, bool app_first, unsigned int delay_us, const char *tag)
{
	struct core_proc cores[2] = {
		{.name = "app", .bin = app_bin},
		{.name = "net", .bin = SEED_NET},
	};
	static const char *const app_lines[] = {
		"[app] my_endpoint bound", "ok   5 pongs came back over RPMsg",
		"ok   the other core confirms IPM value 0x12345678",
		"ok   shared counter = 40000", "[app] all checks passed",
	};
	static const char *const net_lines[] = {
		"[net] my_endpoint bound", "ok   received \"ping 5\" over RPMsg",
		"ok   IPM value 0x12345678 arrived on mailbox0", "0 bytes differ",
		"ok   zero copy: held the 403-byte message",
		"[net] all checks passed",
	};
	char prefix[64];
	bool ok;

	snprintf(prefix, sizeof(prefix), "tseed-%d-%s-", (int)getpid(), tag);
	ok = two_cores_run(cores, prefix, app_first ? 0 : 1, delay_us, 25);
	for (size_t i = 0; ok && i < sizeof(app_lines) / sizeof(app_lines[0]); i++) {
		if (!two_cores_log_has(&cores[0], app_lines[i])) {
			print_message("app never said \"%s\":\n%s", app_lines[i], two_cores_log(&cores[0]));
			ok = false;
		}
	}
	for (size_t i = 0; ok && i < sizeof(net_lines) / sizeof(net_lines[0]); i++) {
		if (!two_cores_log_has(&cores[1], net_lines[i])) {
			print_message("net never said \"%s\":\n%s", net_lines[i], two_cores_log(&cores[1]));
			ok = false;
		}
	}
	two_cores_remove(prefix);
	assert_true(ok);
}

static void test_app_first(void **state)
{
	(void)state;
	run_system(SEED_APP, true, 100000, "af");
}

static void test_net_first(void **state)
{
	(void)state;
	run_system(SEED_APP, false, 100000, "nf");
}

static void test_together(void **state)
{
	(void)state;
	run_system(SEED_APP, true, 0, "tg");
}

static void test_extracted_snippets(void **state)
{
	(void)state;
#ifdef SEED_EXTRACTED_APP
	run_system(SEED_EXTRACTED_APP, true, 0, "ex");
#else
	skip();
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_app_first),
		cmocka_unit_test(test_net_first),
		cmocka_unit_test(test_together),
		cmocka_unit_test(test_extracted_snippets),
	};

	alarm(110);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
