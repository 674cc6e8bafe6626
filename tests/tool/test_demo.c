/* SPDX-License-Identifier: Apache-2.0 */
/*
 * `amplink demo` end to end: the built-in two-process ICMsg system, and the
 * seed example's two cores when this build has them. Each run must tell the
 * whole story, exit 0 and leave no region file behind. argv[1] = amplink.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *amplink_bin;
static char out[1 << 18];

static int run(const char *args)
{
	char cmd[PATH_MAX + 256];
	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", amplink_bin, args);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	size_t n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = 0;
	int st = pclose(p);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int count_files(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		return 0;
	}
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	}
	closedir(d);
	return n;
}

static const char *shm_dir(void)
{
	const char *d = getenv("AMPLINK_SHM_DIR");
	return d != NULL && *d ? d : "/dev/shm";
}

static void test_builtin(void **state)
{
	(void)state;
	int before = count_files(shm_dir(), "amplink-demo-");
	int rc = run("demo --builtin --timeout 20");
	if (rc != 0) {
		print_message("%s\n", out);
	}
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "[app] endpoint bound"));
	assert_non_null(strstr(out, "[net] endpoint bound"));
	assert_non_null(strstr(out, "[net] received \"ping 5\""));
	assert_non_null(strstr(out, "[app] ok 5 pongs came back in order"));
	/* Act 2: net resets without closing; app notices the new session and rebinds. */
	assert_non_null(strstr(out, "[net] resetting now"));
	assert_non_null(strstr(out, "[app] endpoint unbound"));
	assert_non_null(strstr(out, "[app] ok traffic resumed after the reset: 3 pongs in order"));
	assert_non_null(strstr(out, "bound (v2 sessions mutually acknowledged)"));
	assert_non_null(strstr(out, "findings: none"));
	assert_non_null(strstr(out, "demo: PASSED"));
	assert_int_equal(count_files(shm_dir(), "amplink-demo-"), before);
}

static void test_seed(void **state)
{
	(void)state;
	char tmp[PATH_MAX], app[PATH_MAX + 64];
	snprintf(tmp, sizeof(tmp), "%s", amplink_bin);
	snprintf(app, sizeof(app), "%s/../examples/seed/seed_app", dirname(tmp));
	if (access(app, X_OK) != 0) {
		skip(); /* this build has no seed example */
	}
	int rc = run("demo --timeout 60");
	if (rc != 0) {
		print_message("%s\n", out);
	}
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "story:"));
	assert_null(strstr(out, "  [ ] "));
	assert_non_null(strstr(out, "demo: PASSED"));
}

static void test_usage(void **state)
{
	(void)state;
	assert_int_equal(run("demo --help"), 0);
	assert_non_null(strstr(out, "EXIT STATUS"));
	assert_int_equal(run("demo --app x"), 2);
	assert_int_equal(run("demo --timeout -1"), 2);
	assert_int_equal(run("demo extra"), 2);
}

int main(int argc, char **argv)
{
	amplink_bin = argc > 1 ? argv[1] : "amplink";
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_usage),
		cmocka_unit_test(test_builtin),
		cmocka_unit_test(test_seed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
