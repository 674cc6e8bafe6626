/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "dt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef AMP_TOOL_HAVE_DT
#include <amplink/devicetree.h>

/* As the Zephyr compatibility layer names region files on Linux:
 * $AMPLINK_SHM_PREFIX + node name with '@' replaced by '-'. */
static void file_name(char *dst, size_t cap, const char *node)
{
	const char *prefix = getenv("AMPLINK_SHM_PREFIX");
	snprintf(dst, cap, "%s%s", prefix != NULL ? prefix : "", node);
	for (char *p = dst; *p; p++) {
		if (*p == '@') {
			*p = '-';
		}
	}
}

/* Compile a .dts into a temporary .dtb; returns the path (caller unlinks) or NULL. */
static char *compile_dts(const char *src, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char *out = NULL;
	if (asprintf(&out, "%s/amplink-inspect-XXXXXX", tmp != NULL && *tmp ? tmp : "/tmp") < 0) {
		out = NULL;
	}
	int fd = out ? mkstemp(out) : -1;
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a temporary file");
		free(out);
		return NULL;
	}
	close(fd);
	pid_t pid = fork();
	if (pid == 0) {
		execlp("dtc", "dtc", "-q", "-@", "-I", "dts", "-O", "dtb", "-o", out, src,
		       (char *)NULL);
		_exit(127);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		snprintf(err, errlen, "dtc could not compile %s%s", src,
			 (WIFEXITED(st) && WEXITSTATUS(st) == 127) ? " (is dtc installed?)" : "");
		unlink(out);
		free(out);
		return NULL;
	}
	return out;
}

int amp_insp_dt_lookup(const char *path, const char *instance, const char *region,
		       struct amp_insp_dt_result *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof(*r));
	if ((instance == NULL) == (region == NULL)) {
		snprintf(err, errlen, "--dt needs exactly one of --instance or --region");
		return -1;
	}
	size_t n = strlen(path);
	char *tmp = NULL;
	if (n > 4 && strcmp(path + n - 4, ".dts") == 0) {
		tmp = compile_dts(path, err, errlen);
		if (tmp == NULL) {
			return -1;
		}
		path = tmp;
	}
	static uint8_t blob[1 << 20];
	static struct amp_dt_system sys;
	struct amp_dt_error e;
	memset(&e, 0, sizeof(e));
	int rc = amp_dt_load_file(path, blob, sizeof(blob), &sys, &e);
	if (tmp != NULL) {
		unlink(tmp);
		free(tmp);
	}
	if (rc != 0) {
		char line[400];
		amp_dt_error_format(&e, line, sizeof(line));
		snprintf(err, errlen, "devicetree refused: %s", line);
		return -1;
	}
	if (region != NULL) {
		int i = amp_dt_find_region(&sys, region);
		if (i < 0) {
			snprintf(err, errlen, "no reserved-memory region named '%s'", region);
			return -1;
		}
		r->fmt = AMP_INSP_DT_PBUF;
		r->addr[0] = sys.regions[i].addr;
		r->size = sys.regions[i].size;
		snprintf(r->name[0], sizeof(r->name[0]), "%s", sys.regions[i].name);
		file_name(r->file[0], sizeof(r->file[0]), sys.regions[i].name);
		return 0;
	}
	int i = amp_dt_find_ipc(&sys, instance);
	if (i < 0) {
		snprintf(err, errlen, "no IPC instance named '%s'", instance);
		return -1;
	}
	const struct amp_dt_ipc *ipc = &sys.ipc[i];
	if (ipc->type == AMP_DT_IPC_ICMSG) {
		r->fmt = AMP_INSP_DT_ICMSG;
		const struct amp_dt_region *tx = &sys.regions[ipc->tx_region];
		const struct amp_dt_region *rx = &sys.regions[ipc->rx_region];
		r->addr[0] = tx->addr;
		r->addr[1] = rx->addr;
		r->size = tx->size;
		r->size2 = rx->size;
		r->dcache_align = ipc->dcache_alignment;
		snprintf(r->unbound, sizeof(r->unbound), "%s",
			 ipc->unbound == AMP_DT_UNBOUND_ENABLE   ? "enable"
			 : ipc->unbound == AMP_DT_UNBOUND_DETECT ? "detect"
								 : "disable");
		snprintf(r->name[0], sizeof(r->name[0]), "%s", tx->name);
		snprintf(r->name[1], sizeof(r->name[1]), "%s", rx->name);
		file_name(r->file[0], sizeof(r->file[0]), tx->name);
		file_name(r->file[1], sizeof(r->file[1]), rx->name);
	} else {
		r->fmt = AMP_INSP_DT_RPMSG;
		const struct amp_dt_region *m = &sys.regions[ipc->memory_region];
		r->addr[0] = m->addr;
		r->size = m->size;
		r->buffer_size = ipc->buffer_size;
		snprintf(r->name[0], sizeof(r->name[0]), "%s", m->name);
		file_name(r->file[0], sizeof(r->file[0]), m->name);
	}
	return 0;
}

#else

int amp_insp_dt_lookup(const char *path, const char *instance, const char *region,
		       struct amp_insp_dt_result *r, char *err, size_t errlen)
{
	(void)path;
	(void)instance;
	(void)region;
	memset(r, 0, sizeof(*r));
	snprintf(err, errlen, "this amplink was built without the devicetree loader");
	return -1;
}

#endif
