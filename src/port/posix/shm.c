/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Named shared-memory regions on Linux: a file in a directory, mapped
 * MAP_SHARED.
 *
 * Creation is race-free and leaves nothing half-made behind. The file is first
 * built where no other process can see it: an unnamed O_TMPFILE, or, where the
 * file system lacks that, a temporary name that no valid region name can take
 * (region names never start with '.'). It is sized and its blocks reserved,
 * then link() publishes it under the region name in one step. link() never
 * replaces an existing name, so when two processes race exactly one link
 * succeeds; the loser drops its copy and opens the winner's, which is complete
 * by the time the name exists. Reserving the blocks up front (fallocate)
 * turns a full tmpfs into AMP_ENOSPC here instead of SIGBUS on first touch.
 *
 * The directory and the files in it may be shared with an untrusted peer, so
 * the existing file is opened without following symlinks, without blocking
 * (a FIFO planted under the name must not hang us), and must be a regular file
 * of exactly the requested size.
 */
#define _GNU_SOURCE
#include "amp_log.h"
#include "cache_emu_internal.h"

#include <amplink/errno.h>
#include <amplink/port.h>
#include <amplink/shm.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
/* Older C library headers; the kernel value is the same on every architecture. */
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#ifndef O_TMPFILE
#define AMP_SHM_HAVE_TMPFILE 0
#else
#define AMP_SHM_HAVE_TMPFILE 1
#endif

/* A region file is private to its owner's user and group: peers normally run
 * as the same user. The process umask can only narrow this. */
#define AMP_SHM_FILE_MODE 0660

/* Tries at "open existing / else create" before giving up: each retry means
 * another process removed the file between our two steps, which a test tool
 * may do once, never endlessly. */
#define AMP_SHM_OPEN_TRIES 16

static int amp_shm_errno(int err)
{
	switch (err) {
	case EACCES:
	case EPERM:
	case EROFS:
		return AMP_EACCES;
	case ENOSPC:
	case EDQUOT:
	case EFBIG: /* RLIMIT_FSIZE or the file system's largest file */
		return AMP_ENOSPC;
	case ENOENT:
	case ENOTDIR:
		return AMP_ENOENT;
	case ENAMETOOLONG:
		return AMP_EINVAL;
	case ENOMEM:
		return AMP_ENOMEM;
	default:
		return AMP_EIO;
	}
}

static bool amp_shm_name_ok(const char *name)
{
	if (name == NULL || name[0] == '\0' || name[0] == '.') {
		return false;
	}
	size_t n = 0;
	for (const char *p = name; *p != '\0'; p++, n++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
		if (!ok || n >= AMP_SHM_NAME_MAX) {
			return false;
		}
	}
	return true;
}

static const char *amp_shm_dir(const struct amp_shm_cfg *cfg)
{
	if (cfg->dir != NULL && cfg->dir[0] != '\0') {
		return cfg->dir;
	}
	const char *env = getenv("AMPLINK_SHM_DIR");
	if (env != NULL && env[0] != '\0') {
		return env;
	}
	return "/dev/shm";
}

static int amp_shm_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= len) {
		return AMP_EINVAL;
	}
	return 0;
}

/*
 * Reserves the blocks of [0, size). Linux fallocate() and not posix_fallocate():
 * where the file system cannot reserve, glibc's posix_fallocate() emulates it
 * by reading each block and writing a zero byte back where it read zero, which
 * races with a peer writing the live region. Without support we go on without
 * the reservation (only the early-ENOSPC guarantee is lost).
 */
static int amp_shm_reserve(int f, size_t size)
{
	if (fallocate(f, 0, 0, (off_t)size) == 0) {
		return 0;
	}
	if (errno == EOPNOTSUPP || errno == ENOSYS || errno == EINVAL) {
		return 0;
	}
	return amp_shm_errno(errno);
}

/* Opens an existing region file. 0 with *fd set, AMP_ENOENT if absent. */
static int amp_shm_open_existing(const char *path, size_t size, int *fd)
{
	int f = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (f < 0) {
		if (errno == ELOOP) {
			AMP_LOGE("shm %s: is a symlink, refused", path);
			return AMP_EEXIST;
		}
		if (errno == ENXIO || errno == EISDIR) { /* a FIFO with no writer, a directory */
			AMP_LOGE("shm %s: not a regular file", path);
			return AMP_EEXIST;
		}
		return amp_shm_errno(errno);
	}
	struct stat st;
	if (fstat(f, &st) != 0) {
		int err = amp_shm_errno(errno);
		close(f);
		return err;
	}
	if (!S_ISREG(st.st_mode)) {
		AMP_LOGE("shm %s: not a regular file", path);
		close(f);
		return AMP_EEXIST;
	}
	if (st.st_size < 0 || (uintmax_t)st.st_size != (uintmax_t)size) {
		AMP_LOGE("shm %s: exists with %jd bytes, %zu requested", path,
			 (intmax_t)st.st_size, size);
		close(f);
		return AMP_EEXIST;
	}
	/* A file someone else made sparse (truncate(1), an older tool) would
	 * raise SIGBUS when a full file system cannot back a page; reserving
	 * is cheap when the blocks are already there. */
	int err = amp_shm_reserve(f, size);
	if (err == AMP_ENOSPC) {
		close(f);
		return err;
	}
	*fd = f;
	return 0;
}

/* Sizes a fresh, still invisible file and reserves its blocks. */
static int amp_shm_prepare(int f, size_t size)
{
	if (ftruncate(f, (off_t)size) != 0) {
		return amp_shm_errno(errno);
	}
	return amp_shm_reserve(f, size);
}

/* A created but not yet published region file. */
struct amp_shm_new {
	int fd;
	bool named;              /* true: tmp[] names it; false: O_TMPFILE */
	char tmp[PATH_MAX];
};

/* Builds a sized, reserved region file nobody else can see yet. */
static int amp_shm_make(const char *dir, const char *name, size_t size, struct amp_shm_new *nf)
{
	int err;
	nf->named = true;
#if AMP_SHM_HAVE_TMPFILE
	/* Publishing an O_TMPFILE needs its /proc/self/fd link. */
	if (access("/proc/self/fd", X_OK) == 0) {
		int f = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, AMP_SHM_FILE_MODE);
		if (f >= 0) {
			err = amp_shm_prepare(f, size);
			if (err != 0) {
				close(f); /* an unnamed file vanishes with its descriptor */
				return err;
			}
			nf->fd = f;
			nf->named = false;
			return 0;
		}
		if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
			return amp_shm_errno(errno);
		}
	}
#endif
	/* Named temporary: a leading '.' keeps it out of the region namespace,
	 * pid + counter keep concurrent creators apart. */
	static unsigned counter;
	unsigned seq = __atomic_fetch_add(&counter, 1u, __ATOMIC_RELAXED);
	int n = snprintf(nf->tmp, sizeof(nf->tmp), "%s/.%s.%ld.%u.tmp", dir, name,
			 (long)getpid(), seq);
	if (n < 0 || (size_t)n >= sizeof(nf->tmp)) {
		return AMP_EINVAL;
	}
	int t = open(nf->tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		     AMP_SHM_FILE_MODE);
	if (t < 0) {
		return amp_shm_errno(errno);
	}
	err = amp_shm_prepare(t, size);
	if (err != 0) {
		unlink(nf->tmp);
		close(t);
		return err;
	}
	nf->fd = t;
	return 0;
}

/* Makes the new file visible under @p path in one step. 0, AMP_EEXIST if
 * another process published first, or an error. The temporary name, if any,
 * is gone afterwards either way. */
static int amp_shm_publish(struct amp_shm_new *nf, const char *path)
{
	int rc;
	if (nf->named) {
		rc = link(nf->tmp, path);
	} else {
		char proc[64];
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", nf->fd);
		rc = linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
	}
	int err = rc == 0 ? 0 : (errno == EEXIST ? AMP_EEXIST : amp_shm_errno(errno));
	if (nf->named) {
		unlink(nf->tmp);
	}
	return err;
}

static int amp_shm_map(struct amp_shm *shm, const struct amp_shm_cfg *cfg, int fd)
{
	/* Cache emulator: the shared mapping goes anywhere and is kept by the
	 * emulator; the caller gets a private copy (at cfg->addr if given). */
	const bool emu = amp_cemu_wants(cfg);
	const uintptr_t at = emu ? 0u : cfg->addr;
	void *want = (void *)at;
	int flags = MAP_SHARED;
	if (at != 0) {
		flags |= MAP_FIXED_NOREPLACE;
	}
	void *p = mmap(want, cfg->size, PROT_READ | PROT_WRITE, flags, fd, 0);
	if (p == MAP_FAILED) {
		if (at != 0 && errno == EEXIST) {
			return AMP_EADDRINUSE;
		}
		if (at != 0 && errno == EPERM) {
			return AMP_EINVAL; /* below vm.mmap_min_addr */
		}
		return amp_shm_errno(errno);
	}
	if (at != 0 && p != want) {
		/* Kernels before 4.17 do not know MAP_FIXED_NOREPLACE and treat
		 * the address as a hint: a different address means it was taken. */
		munmap(p, cfg->size);
		return AMP_EADDRINUSE;
	}
	if (emu) {
		return amp_cemu_attach(cfg, p, &shm->base); /* unmaps p on failure */
	}
	shm->base = p;
	return 0;
}

/* Undoes amp_shm_map(). */
static void amp_shm_unmap(void *base, size_t size)
{
	if (!amp_cemu_detach(base, size)) {
		munmap(base, size);
	}
}

int amp_shm_open(struct amp_shm *shm, const struct amp_shm_cfg *cfg)
{
	if (shm == NULL || cfg == NULL || !amp_shm_name_ok(cfg->name) || cfg->size == 0 ||
	    cfg->size > (size_t)PTRDIFF_MAX) {
		return AMP_EINVAL;
	}
	long page = sysconf(_SC_PAGESIZE);
	if (page <= 0) {
		page = 4096;
	}
	if (cfg->addr != 0 &&
	    (cfg->addr % (uintptr_t)page != 0 || cfg->addr > UINTPTR_MAX - cfg->size)) {
		return AMP_EINVAL;
	}

	const char *dir = amp_shm_dir(cfg);
	char path[PATH_MAX];
	int err = amp_shm_path(path, sizeof(path), dir, cfg->name);
	if (err != 0) {
		return err;
	}

	for (int tries = 0; tries < AMP_SHM_OPEN_TRIES; tries++) {
		int fd = -1;
		err = amp_shm_open_existing(path, cfg->size, &fd);
		if (err == 0) {
			err = amp_shm_map(shm, cfg, fd);
			if (err != 0) {
				close(fd);
				return err;
			}
			shm->created = false;
			shm->fd = fd;
			break;
		}
		if (err != AMP_ENOENT) {
			return err;
		}
		/* Absent: build our own, map it while still private (so a
		 * mapping failure never leaves a published region behind),
		 * then publish it. */
		struct amp_shm_new nf;
		err = amp_shm_make(dir, cfg->name, cfg->size, &nf);
		if (err != 0) {
			return err;
		}
		err = amp_shm_map(shm, cfg, nf.fd);
		if (err != 0) {
			if (nf.named) {
				unlink(nf.tmp);
			}
			close(nf.fd);
			return err;
		}
		err = amp_shm_publish(&nf, path);
		if (err == 0) {
			shm->created = true;
			shm->fd = nf.fd;
			break;
		}
		amp_shm_unmap(shm->base, cfg->size);
		shm->base = NULL;
		close(nf.fd);
		if (err != AMP_EEXIST) {
			return err;
		}
		/* Lost the race: the winner's file is complete; open that one. */
	}
	if (err != 0) {
		AMP_LOGE("shm %s: keeps appearing and vanishing", path);
		return AMP_EIO;
	}
	shm->cfg = cfg;
	shm->size = cfg->size;
	shm->phys = cfg->addr != 0 ? cfg->addr : (uintptr_t)shm->base;
	return 0;
}

int amp_shm_close(struct amp_shm *shm)
{
	if (shm == NULL || shm->base == NULL || shm->size == 0) {
		return AMP_EINVAL;
	}
	amp_shm_unmap(shm->base, shm->size);
	if (shm->fd >= 0) {
		close(shm->fd);
	}
	shm->base = NULL;
	shm->size = 0;
	shm->phys = 0;
	shm->fd = -1;
	shm->created = false;
	return 0;
}

int amp_shm_remove(const struct amp_shm_cfg *cfg)
{
	if (cfg == NULL || !amp_shm_name_ok(cfg->name)) {
		return AMP_EINVAL;
	}
	char path[PATH_MAX];
	int err = amp_shm_path(path, sizeof(path), amp_shm_dir(cfg), cfg->name);
	if (err != 0) {
		return err;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		return amp_shm_errno(errno);
	}
	return 0;
}
