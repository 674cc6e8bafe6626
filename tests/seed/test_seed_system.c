/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The seed example as a two-core system: fork+exec core 0 ("app") and core 1
 * ("net") as two processes that map the same regions, in either start order,
 * and check that both pass every check of the story (bind, messages both ways
 * over RPMsg, IPM 0x12345678, shared_ram block, cross-core spinlock). A third
 * case runs core 0 built from the snippets extracted from the seed document
 * itself. Children are killed and reaped on every path; alarm() backstops.
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define CASE_TIMEOUT_S 25

struct core {
	const char *name;
	const char *bin;
	pid_t pid;
	int status;
	char log[512];
};

static const char *shm_dir(void)
{
	const char *d = getenv("AMPLINK_SHM_DIR");

	return d != NULL && d[0] != '\0' ? d : "/dev/shm";
}

static void remove_prefixed(const char *prefix)
{
	DIR *dir = opendir(shm_dir());
	struct dirent *e;
	char path[1024];

	if (dir == NULL) {
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
			snprintf(path, sizeof(path), "%s/%s", shm_dir(), e->d_name);
			unlink(path);
		}
	}
	closedir(dir);
}

static pid_t start(struct core *c, const char *prefix)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(c->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			close(fd);
		}
		setenv("AMPLINK_SHM_PREFIX", prefix, 1);
		execl(c->bin, c->bin, (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", c->bin, strerror(errno));
		_exit(127);
	}
	c->pid = pid;
	return pid;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait for both cores; kill whatever is left at the deadline. Always reaps. */
static void wait_all(struct core *cores, int n)
{
	double deadline = now_s() + CASE_TIMEOUT_S;
	int left = n;

	while (left > 0) {
		for (int i = 0; i < n; i++) {
			int st;

			if (cores[i].pid > 0 && waitpid(cores[i].pid, &st, WNOHANG) == cores[i].pid) {
				cores[i].status = st;
				cores[i].pid = 0;
				left--;
			}
		}
		if (left > 0 && now_s() > deadline) {
			for (int i = 0; i < n; i++) {
				if (cores[i].pid > 0) {
					kill(cores[i].pid, SIGKILL);
					waitpid(cores[i].pid, &cores[i].status, 0);
					cores[i].pid = 0;
					print_message("%s: killed after %d s\n", cores[i].name,
						      CASE_TIMEOUT_S);
				}
			}
			break;
		}
		usleep(5000);
	}
}

static char *read_log(const char *path)
{
	static char buf[16384];
	FILE *f = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

static bool log_has(const struct core *c, const char *needle)
{
	return strstr(read_log(c->log), needle) != NULL;
}

/* Run app and net, the second one @p delay_us after the first. */
static void run_system(const char *app_bin, bool app_first, useconds_t delay_us, const char *tag)
{
	struct core cores[2] = {
		{.name = "app", .bin = app_bin},
		{.name = "net", .bin = SEED_NET},
	};
	char prefix[64];
	bool ok;

	for (int i = 0; i < 2; i++) {
		if (access(cores[i].bin, X_OK) != 0) {
			fail_msg("%s is not built (%s)", cores[i].bin, strerror(errno));
		}
	}
	snprintf(prefix, sizeof(prefix), "tseed-%d-%s-", (int)getpid(), tag);
	for (int i = 0; i < 2; i++) {
		snprintf(cores[i].log, sizeof(cores[i].log), "%s/%s%s.log", shm_dir(), prefix,
			 cores[i].name);
	}
	remove_prefixed(prefix);
	start(&cores[app_first ? 0 : 1], prefix);
	usleep(delay_us);
	start(&cores[app_first ? 1 : 0], prefix);
	wait_all(cores, 2);

	ok = true;
	for (int i = 0; i < 2; i++) {
		bool passed = WIFEXITED(cores[i].status) && WEXITSTATUS(cores[i].status) == 0;

		if (!passed) {
			print_message("---- %s (%s) failed, status 0x%x; its output:\n%s----\n",
				      cores[i].name, cores[i].bin, cores[i].status,
				      read_log(cores[i].log));
			ok = false;
		}
	}
	if (ok) {
		ok = log_has(&cores[0], "[app] my_endpoint bound") &&
		     log_has(&cores[1], "[net] my_endpoint bound") &&
		     log_has(&cores[1], "ok   IPM value 0x12345678 arrived on mailbox0") &&
		     log_has(&cores[1], "ok   received \"ping 5\" over RPMsg") &&
		     log_has(&cores[0], "ok   5 pongs came back over RPMsg") &&
		     log_has(&cores[1], "0 bytes differ") &&
		     log_has(&cores[0], "ok   shared counter = 40000") &&
		     log_has(&cores[0], "[app] all checks passed") &&
		     log_has(&cores[1], "[net] all checks passed");
		if (!ok) {
			print_message("story incomplete; app:\n%s", read_log(cores[0].log));
			print_message("net:\n%s", read_log(cores[1].log));
		}
	}
	remove_prefixed(prefix);
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
