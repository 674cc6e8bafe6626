/* SPDX-License-Identifier: Apache-2.0 */
/* Two core processes for tests: see two_cores.h. */
#define _GNU_SOURCE

#include "two_cores.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *two_cores_dir(void)
{
	const char *d = getenv("AMPLINK_SHM_DIR");

	return d != NULL && d[0] != '\0' ? d : "/dev/shm";
}

void two_cores_remove(const char *prefix)
{
	DIR *dir = opendir(two_cores_dir());
	struct dirent *e;
	char path[1024];

	if (dir == NULL) {
		return;
	}
	while ((e = readdir(dir)) != NULL) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
			snprintf(path, sizeof(path), "%s/%s", two_cores_dir(), e->d_name);
			unlink(path);
		}
	}
	closedir(dir);
}

static void start(struct core_proc *c, const char *prefix)
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
	c->pid = pid > 0 ? pid : 0;
	if (pid < 0) {
		c->status = -1;
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void wait_all(struct core_proc *cores, int n, int timeout_s)
{
	double deadline = now_s() + timeout_s;

	for (;;) {
		int left = 0;

		for (int i = 0; i < n; i++) {
			int st;

			if (cores[i].pid > 0 && waitpid(cores[i].pid, &st, WNOHANG) == cores[i].pid) {
				cores[i].status = st;
				cores[i].pid = 0;
			}
			left += cores[i].pid > 0;
		}
		if (left == 0) {
			return;
		}
		if (now_s() > deadline) {
			for (int i = 0; i < n; i++) {
				if (cores[i].pid > 0) {
					kill(cores[i].pid, SIGKILL);
					waitpid(cores[i].pid, &cores[i].status, 0);
					cores[i].pid = 0;
					fprintf(stdout, "%s: killed after %d s\n", cores[i].name, timeout_s);
				}
			}
			return;
		}
		usleep(5000);
	}
}

const char *two_cores_log(const struct core_proc *c)
{
	static char buf[32768];
	FILE *f = fopen(c->log, "r");
	size_t n = 0;

	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

bool two_cores_log_has(const struct core_proc *c, const char *needle)
{
	return strstr(two_cores_log(c), needle) != NULL;
}

bool two_cores_run(struct core_proc cores[2], const char *prefix, int first,
		   unsigned int delay_us, int timeout_s)
{
	bool ok = true;

	for (int i = 0; i < 2; i++) {
		if (access(cores[i].bin, X_OK) != 0) {
			fprintf(stdout, "%s: %s is not built (%s)\n", cores[i].name, cores[i].bin,
				strerror(errno));
			return false;
		}
		snprintf(cores[i].log, sizeof(cores[i].log), "%s/%s%s.log", two_cores_dir(), prefix,
			 cores[i].name);
		cores[i].pid = 0;
		cores[i].status = -1;
	}
	two_cores_remove(prefix);
	start(&cores[first], prefix);
	usleep(delay_us);
	start(&cores[1 - first], prefix);
	wait_all(cores, 2, timeout_s);
	for (int i = 0; i < 2; i++) {
		if (!WIFEXITED(cores[i].status) || WEXITSTATUS(cores[i].status) != 0) {
			fprintf(stdout, "---- %s (%s) failed, status 0x%x; its output:\n%s----\n",
				cores[i].name, cores[i].bin, (unsigned)cores[i].status,
				two_cores_log(&cores[i]));
			ok = false;
		}
	}
	return ok;
}
