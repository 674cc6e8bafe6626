/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Two cores over ICMsg through the compatibility layer, built from one board
 * .dts plus a per-core overlay: bind, 300 messages echoed intact, the
 * CONFIG_PBUF_RX_READ_BUF_SIZE limit enforced, and the v2 close seen by the
 * peer as `unbound`. Both start orders.
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

static void run_pair(int first, const char *tag)
{
	struct core_proc cores[2] = {
		{.name = "a", .bin = PAIR_A},
		{.name = "b", .bin = PAIR_B},
	};
	char prefix[64];
	bool ok;

	snprintf(prefix, sizeof(prefix), "tpair-%d-%s-", (int)getpid(), tag);
	ok = two_cores_run(cores, prefix, first, 50000, 25) &&
	     two_cores_log_has(&cores[0], "[a] ok 300 echoes intact") &&
	     two_cores_log_has(&cores[1], "then the peer's close arrived as unbound");
	if (!ok) {
		print_message("a:\n%s", two_cores_log(&cores[0]));
		print_message("b:\n%s", two_cores_log(&cores[1]));
	}
	two_cores_remove(prefix);
	assert_true(ok);
}

static void test_a_first(void **state)
{
	(void)state;
	run_pair(0, "a");
}

static void test_b_first(void **state)
{
	(void)state;
	run_pair(1, "b");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_first),
		cmocka_unit_test(test_b_first),
	};

	alarm(80);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
