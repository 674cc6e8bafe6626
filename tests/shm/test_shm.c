/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Named shared-memory regions (posix port): create-or-open across processes,
 * start order, the creation race, fixed addresses, and every error the
 * environment can cause, each provoked for real.
 */
#include "amp_proc.h"

#include <amplink/errno.h>
#include <amplink/shm.h>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <setjmp.h>
#include <cmocka.h>

#define CHILD_MS 20000u

static unsigned name_seq;

/* A region name unique to this run: test programs may run in parallel. */
static void make_name(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "t-shm-%ld-%s-%u", (long)getpid(), tag, name_seq++);
}

static const char *shm_dir(void)
{
	const char *d = getenv("AMPLINK_SHM_DIR");
	return d != NULL && d[0] != '\0' ? d : "/dev/shm";
}

/* A fresh private directory; the caller removes it. */
static void make_tmpdir(char *buf, size_t len)
{
	const char *base = getenv("TMPDIR");
	snprintf(buf, len, "%s/amp-shm-test-XXXXXX", base != NULL && base[0] ? base : "/tmp");
	assert_non_null(mkdtemp(buf));
}

/* Counts directory entries whose name contains @p needle. */
static int count_entries(const char *dir, const char *needle)
{
	DIR *d = opendir(dir);
	if (d == NULL) {
		return -1;
	}
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    (needle == NULL || strstr(e->d_name, needle) != NULL)) {
			n++;
		}
	}
	closedir(d);
	return n;
}

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++) {
		p[i] = (uint8_t)(seed + i * 7u);
	}
}

static bool check(const uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] != (uint8_t)(seed + i * 7u)) {
			return false;
		}
	}
	return true;
}

/* ---- create then open, both start orders ------------------------------ */

struct pair_arg {
	struct amp_shm_cfg cfg;
	int go[2];   /* parent -> child: "your turn" */
	int done[2]; /* child -> parent: "done my part" */
	bool child_first;
};

static int wait_byte(int fd)
{
	char c;
	ssize_t r;
	do {
		r = read(fd, &c, 1);
	} while (r < 0 && errno == EINTR);
	return r == 1 ? 0 : -1;
}

static void send_byte(int fd)
{
	char c = 1;
	while (write(fd, &c, 1) < 0 && errno == EINTR) {
	}
}

/* The child opens the region itself: as creator (child_first) it fills the
 * first half, else it checks the parent's half and fills the second. */
static int pair_child(void *argp)
{
	struct pair_arg *a = argp;
	struct amp_shm shm;
	if (!a->child_first && wait_byte(a->go[0]) != 0) {
		return 10;
	}
	if (amp_shm_open(&shm, &a->cfg) != 0) {
		return 11;
	}
	size_t half = a->cfg.size / 2;
	uint8_t *b = shm.base;
	if (a->child_first) {
		if (!shm.created || b[0] != 0 || b[a->cfg.size - 1] != 0) {
			return 12;
		}
		fill(b, half, 0x11);
	} else {
		if (shm.created || !check(b, half, 0x22)) {
			return 13;
		}
		fill(b + half, half, 0x33);
	}
	send_byte(a->done[1]);
	amp_shm_close(&shm);
	return 0;
}

static void run_pair(bool child_first)
{
	struct pair_arg a = { .child_first = child_first };
	char name[64];
	make_name(name, sizeof(name), child_first ? "cf" : "pf");
	a.cfg.name = name;
	a.cfg.size = 3 * 4096 + 200; /* not a page multiple on purpose */
	assert_int_equal(pipe(a.go), 0);
	assert_int_equal(pipe(a.done), 0);
	pid_t pid = amp_proc_spawn(pair_child, &a);
	assert_true(pid > 0);

	struct amp_shm shm;
	size_t half = a.cfg.size / 2;
	if (child_first) {
		assert_int_equal(wait_byte(a.done[0]), 0);
		assert_int_equal(amp_shm_open(&shm, &a.cfg), 0);
		assert_false(shm.created);
		assert_true(check(shm.base, half, 0x11));
	} else {
		assert_int_equal(amp_shm_open(&shm, &a.cfg), 0);
		assert_true(shm.created);
		fill(shm.base, half, 0x22);
		send_byte(a.go[1]);
		assert_int_equal(wait_byte(a.done[0]), 0);
		assert_true(check((uint8_t *)shm.base + half, half, 0x33));
	}
	assert_int_equal(amp_proc_wait(pid, CHILD_MS), 0);
	assert_int_equal(shm.size, a.cfg.size);
	assert_int_equal(amp_shm_close(&shm), 0);
	assert_int_equal(amp_shm_remove(&a.cfg), 0);
	close(a.go[0]);
	close(a.go[1]);
	close(a.done[0]);
	close(a.done[1]);
}

static void test_parent_creates_child_opens(void **state)
{
	(void)state;
	run_pair(false);
}

static void test_child_creates_parent_opens(void **state)
{
	(void)state;
	run_pair(true);
}

/* ---- the creation race ------------------------------------------------ */

#define RACERS 8
#define RACE_ROUNDS 12

struct race_arg {
	struct amp_shm_cfg cfg;
	int gate[2]; /* EOF on the read end releases every racer at once */
	int index;
};

static int race_child(void *argp)
{
	struct race_arg *a = argp;
	char c;
	close(a->gate[1]); /* else our own copy of the write end keeps us waiting */
	while (read(a->gate[0], &c, 1) < 0 && errno == EINTR) {
	}
	struct amp_shm shm;
	if (amp_shm_open(&shm, &a->cfg) != 0) {
		return 2;
	}
	/* Everyone marks its slot; the parent checks they all hit one region. */
	volatile uint8_t *b = shm.base;
	b[a->index] = 1;
	int created = shm.created ? 1 : 0;
	amp_shm_close(&shm);
	return created;
}

static void test_concurrent_create(void **state)
{
	(void)state;
	for (int round = 0; round < RACE_ROUNDS; round++) {
		char name[64];
		make_name(name, sizeof(name), "race");
		struct race_arg a = { .cfg = { .name = name, .size = 64 * 1024 } };
		assert_int_equal(pipe(a.gate), 0);
		pid_t pids[RACERS];
		for (int i = 0; i < RACERS; i++) {
			a.index = i;
			pids[i] = amp_proc_spawn(race_child, &a);
			assert_true(pids[i] > 0);
		}
		close(a.gate[1]); /* release them together */
		int created = 0, failed = 0;
		uint64_t deadline = amp_proc_now_ms() + CHILD_MS;
		for (int i = 0; i < RACERS; i++) {
			uint64_t now = amp_proc_now_ms();
			int rc = amp_proc_wait(pids[i], now < deadline ? (unsigned)(deadline - now) : 1u);
			pids[i] = 0;
			if (rc == 1) {
				created++;
			} else if (rc != 0) {
				failed++;
			}
		}
		close(a.gate[0]);
		assert_int_equal(failed, 0);
		assert_int_equal(created, 1);

		struct amp_shm shm;
		assert_int_equal(amp_shm_open(&shm, &a.cfg), 0);
		assert_false(shm.created);
		for (int i = 0; i < RACERS; i++) {
			assert_int_equal(((uint8_t *)shm.base)[i], 1);
		}
		assert_int_equal(amp_shm_close(&shm), 0);
		/* Only the region itself: no temporary files left behind. */
		assert_int_equal(count_entries(shm_dir(), name), 1);
		assert_int_equal(amp_shm_remove(&a.cfg), 0);
		assert_int_equal(count_entries(shm_dir(), name), 0);
	}
}

/* ---- argument checks -------------------------------------------------- */

static void test_size_mismatch(void **state)
{
	(void)state;
	char name[64];
	make_name(name, sizeof(name), "size");
	struct amp_shm_cfg cfg = { .name = name, .size = 8192 };
	struct amp_shm a, b;
	assert_int_equal(amp_shm_open(&a, &cfg), 0);
	struct amp_shm_cfg smaller = cfg, larger = cfg;
	smaller.size = 4096;
	larger.size = 8193;
	assert_int_equal(amp_shm_open(&b, &smaller), AMP_EEXIST);
	assert_int_equal(amp_shm_open(&b, &larger), AMP_EEXIST);
	assert_int_equal(amp_shm_open(&b, &cfg), 0); /* the right size still opens */
	assert_false(b.created);
	assert_int_equal(amp_shm_close(&b), 0);
	assert_int_equal(amp_shm_close(&a), 0);
	assert_int_equal(amp_shm_remove(&cfg), 0);
}

static void test_invalid_arguments(void **state)
{
	(void)state;
	struct amp_shm shm;
	char longest[AMP_SHM_NAME_MAX + 1], too_long[AMP_SHM_NAME_MAX + 2];
	memset(longest, 'n', AMP_SHM_NAME_MAX);
	longest[AMP_SHM_NAME_MAX] = '\0';
	memset(too_long, 'n', AMP_SHM_NAME_MAX + 1);
	too_long[AMP_SHM_NAME_MAX + 1] = '\0';
	static const char *const bad[] = { "", "a/b", "/abs", ".hidden", "..", ".", "sp ace",
					   "tab\t", "star*", "uml\xc3\xa4", "nl\n", "colon:" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct amp_shm_cfg cfg = { .name = bad[i], .size = 4096 };
		assert_int_equal(amp_shm_open(&shm, &cfg), AMP_EINVAL);
		assert_int_equal(amp_shm_remove(&cfg), AMP_EINVAL);
	}
	struct amp_shm_cfg cfg = { .name = too_long, .size = 4096 };
	assert_int_equal(amp_shm_open(&shm, &cfg), AMP_EINVAL);
	cfg.name = NULL;
	assert_int_equal(amp_shm_open(&shm, &cfg), AMP_EINVAL);
	assert_int_equal(amp_shm_remove(&cfg), AMP_EINVAL);
	assert_int_equal(amp_shm_open(&shm, NULL), AMP_EINVAL);
	assert_int_equal(amp_shm_remove(NULL), AMP_EINVAL);

	char name[64];
	make_name(name, sizeof(name), "inv");
	struct amp_shm_cfg ok = { .name = name, .size = 4096 };
	assert_int_equal(amp_shm_open(NULL, &ok), AMP_EINVAL);
	struct amp_shm_cfg zero = ok;
	zero.size = 0;
	assert_int_equal(amp_shm_open(&shm, &zero), AMP_EINVAL);
	struct amp_shm_cfg unaligned = ok;
	unaligned.addr = 0x40000000u + 64u;
	assert_int_equal(amp_shm_open(&shm, &unaligned), AMP_EINVAL);
	struct amp_shm_cfg wraps = ok;
	wraps.addr = UINTPTR_MAX - 4095u;
	wraps.size = 8192;
	assert_int_equal(amp_shm_open(&shm, &wraps), AMP_EINVAL);
	/* None of the rejected calls may have created anything. */
	assert_int_equal(count_entries(shm_dir(), name), 0);

	/* The edges of the valid set work. */
	char edge[AMP_SHM_NAME_MAX + 1];
	snprintf(edge, sizeof(edge), "%s", longest);
	char prefix[40];
	int n = snprintf(prefix, sizeof(prefix), "t-shm-%ld.A_z-0", (long)getpid());
	memcpy(edge, prefix, (size_t)n);
	assert_int_equal(strlen(edge), AMP_SHM_NAME_MAX);
	struct amp_shm_cfg good = { .name = edge, .size = 1 };
	assert_int_equal(amp_shm_open(&shm, &good), 0);
	assert_int_equal(amp_shm_close(&shm), 0);
	assert_int_equal(amp_shm_close(&shm), AMP_EINVAL); /* not open any more */
	assert_int_equal(amp_shm_close(NULL), AMP_EINVAL);
	assert_int_equal(amp_shm_remove(&good), 0);
}

/* ---- fixed addresses -------------------------------------------------- */

#define FIXED_SIZE (64u * 1024u)

/* An address range free right now: reserve, note, release. */
static uintptr_t free_range(size_t size)
{
	void *p = mmap(NULL, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	munmap(p, size);
	return (uintptr_t)p;
}

struct fixed_arg {
	struct amp_shm_cfg cfg;
	int done[2];
};

/* The child maps the region at the agreed address and leaves, inside it, a
 * pointer to a string that also lives inside it. */
static int fixed_child(void *argp)
{
	struct fixed_arg *a = argp;
	struct amp_shm shm;
	if (amp_shm_open(&shm, &a->cfg) != 0) {
		return 20;
	}
	if ((uintptr_t)shm.base != a->cfg.addr || shm.phys != a->cfg.addr) {
		return 21;
	}
	char *text = (char *)shm.base + 1024;
	strcpy(text, "written by the child");
	char **slot = shm.base;
	*slot = text;
	send_byte(a->done[1]);
	amp_shm_close(&shm);
	return 0;
}

static void test_fixed_address_two_processes(void **state)
{
	(void)state;
	char name[64];
	make_name(name, sizeof(name), "fixed");
	struct fixed_arg a = { .cfg = { .name = name, .size = FIXED_SIZE } };
	a.cfg.addr = free_range(FIXED_SIZE);
	assert_int_equal(pipe(a.done), 0);
	pid_t pid = amp_proc_spawn(fixed_child, &a);
	assert_true(pid > 0);
	assert_int_equal(wait_byte(a.done[0]), 0);

	struct amp_shm shm;
	assert_int_equal(amp_shm_open(&shm, &a.cfg), 0);
	assert_false(shm.created);
	assert_ptr_equal(shm.base, (void *)a.cfg.addr);
	char **slot = shm.base;
	/* The child's pointer is valid here: it points into our mapping. */
	assert_true((uintptr_t)*slot >= a.cfg.addr && (uintptr_t)*slot < a.cfg.addr + a.cfg.size);
	assert_string_equal(*slot, "written by the child");

	assert_int_equal(amp_proc_wait(pid, CHILD_MS), 0);
	assert_int_equal(amp_shm_close(&shm), 0);
	assert_int_equal(amp_shm_remove(&a.cfg), 0);
	close(a.done[0]);
	close(a.done[1]);
}

static void test_address_in_use(void **state)
{
	(void)state;
	long page = sysconf(_SC_PAGESIZE);
	char name[64];
	make_name(name, sizeof(name), "busy");
	/* Five pages; give the first back so the page before `taken` is free. */
	uint8_t *area = mmap(NULL, 5 * (size_t)page, PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(area != MAP_FAILED);
	munmap(area, (size_t)page);
	uint8_t *taken = area + page;
	memset(taken, 0x5a, 4 * (size_t)page);

	struct amp_shm shm;
	struct amp_shm_cfg exact = { .name = name, .size = 4 * (size_t)page,
				     .addr = (uintptr_t)taken };
	assert_int_equal(amp_shm_open(&shm, &exact), AMP_EADDRINUSE);
	/* Overlapping only the first page of the taken range. */
	struct amp_shm_cfg overlap = exact;
	overlap.addr = (uintptr_t)taken - (uintptr_t)page;
	overlap.size = 2 * (size_t)page;
	assert_int_equal(amp_shm_open(&shm, &overlap), AMP_EADDRINUSE);
	/* The existing mapping is untouched. */
	for (long i = 0; i < 4 * page; i++) {
		assert_int_equal(taken[i], 0x5a);
	}
	/* A failed open leaves no region file behind. */
	assert_int_equal(count_entries(shm_dir(), name), 0);
	munmap(taken, 4 * (size_t)page);
}

/* ---- permissions ------------------------------------------------------ */

struct perm_arg {
	char dir[PATH_MAX];
	char existing[64];
	bool drop_root;
};

static int perm_child(void *argp)
{
	struct perm_arg *a = argp;
	if (a->drop_root) {
		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0) {
			return AMP_PROC_SKIP;
		}
		if (geteuid() == 0) {
			return 30;
		}
	}
	struct amp_shm shm;
	struct amp_shm_cfg cfg = { .name = a->existing, .size = 4096, .dir = a->dir };
	if (amp_shm_open(&shm, &cfg) != AMP_EACCES) {
		return 31; /* the region exists but its file mode shuts us out */
	}
	struct amp_shm_cfg fresh = { .name = "t-shm-perm-new", .size = 4096, .dir = a->dir };
	if (amp_shm_open(&shm, &fresh) != AMP_EACCES) {
		return 32; /* no write permission on the directory */
	}
	if (amp_shm_remove(&cfg) != AMP_EACCES) {
		return 33;
	}
	return 0;
}

static void test_permission_denied(void **state)
{
	(void)state;
	struct perm_arg a = { .drop_root = geteuid() == 0 };
	make_tmpdir(a.dir, sizeof(a.dir));
	make_name(a.existing, sizeof(a.existing), "perm");
	struct amp_shm_cfg cfg = { .name = a.existing, .size = 4096, .dir = a.dir };
	struct amp_shm shm;
	assert_int_equal(amp_shm_open(&shm, &cfg), 0);
	assert_int_equal(amp_shm_close(&shm), 0);
	if (a.drop_root) {
		/* Root ignores modes: the child becomes "nobody", which may
		 * enter the directory but not write it or open the file. */
		assert_int_equal(chmod(a.dir, 0755), 0);
	} else {
		char path[PATH_MAX + 80];
		snprintf(path, sizeof(path), "%s/%s", a.dir, a.existing);
		assert_int_equal(chmod(path, 0), 0);
		assert_int_equal(chmod(a.dir, 0555), 0);
	}
	pid_t pid = amp_proc_spawn(perm_child, &a);
	int rc = amp_proc_wait(pid, CHILD_MS);
	chmod(a.dir, 0700);
	assert_int_equal(amp_shm_remove(&cfg), 0);
	assert_int_equal(count_entries(a.dir, NULL), 0);
	assert_int_equal(rmdir(a.dir), 0);
	if (rc == AMP_PROC_SKIP) {
		print_message("permission test skipped: cannot switch to an unprivileged user\n");
		skip();
	}
	assert_int_equal(rc, 0);
}

/* ---- out of space ----------------------------------------------------- */

static int nospace_tmpfs_child(void *argp)
{
	const char *dir = argp;
	/* A private mount namespace: the tiny tmpfs is visible to this child
	 * only and disappears with it. */
	if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("amp-test", dir, "tmpfs", 0, "size=256k") != 0) {
		return AMP_PROC_SKIP;
	}
	struct amp_shm shm;
	struct amp_shm_cfg big = { .name = "big", .size = 1024 * 1024, .dir = dir };
	if (amp_shm_open(&shm, &big) != AMP_ENOSPC) {
		return 40;
	}
	if (count_entries(dir, NULL) != 0) {
		return 41; /* nothing half-created left behind */
	}
	struct amp_shm_cfg fits = { .name = "fits", .size = 160 * 1024, .dir = dir };
	if (amp_shm_open(&shm, &fits) != 0 || !shm.created) {
		return 42;
	}
	memset(shm.base, 0xa5, fits.size); /* reserved up front: no SIGBUS */
	struct amp_shm_cfg rest = { .name = "rest", .size = 160 * 1024, .dir = dir };
	struct amp_shm other;
	if (amp_shm_open(&other, &rest) != AMP_ENOSPC) {
		return 43;
	}
	if (count_entries(dir, NULL) != 1) {
		return 44;
	}
	amp_shm_close(&shm);
	return 0;
}

static int nospace_rlimit_child(void *argp)
{
	const char *dir = argp;
	signal(SIGXFSZ, SIG_IGN);
	struct rlimit rl = { 64 * 1024, 64 * 1024 };
	if (setrlimit(RLIMIT_FSIZE, &rl) != 0) {
		return AMP_PROC_SKIP;
	}
	struct amp_shm shm;
	struct amp_shm_cfg big = { .name = "over-limit", .size = 1024 * 1024, .dir = dir };
	if (amp_shm_open(&shm, &big) != AMP_ENOSPC) {
		return 45;
	}
	return count_entries(dir, NULL) == 0 ? 0 : 46;
}

static void test_out_of_space(void **state)
{
	(void)state;
	char dir[PATH_MAX];
	make_tmpdir(dir, sizeof(dir));
	int rc_fs = amp_proc_wait(amp_proc_spawn(nospace_tmpfs_child, dir), CHILD_MS);
	int rc_lim = amp_proc_wait(amp_proc_spawn(nospace_rlimit_child, dir), CHILD_MS);
	assert_int_equal(count_entries(dir, NULL), 0);
	assert_int_equal(rmdir(dir), 0);
	if (rc_fs == AMP_PROC_SKIP) {
		print_message("full-tmpfs case skipped: cannot mount in a private namespace\n");
	} else {
		assert_int_equal(rc_fs, 0);
	}
	if (rc_lim == AMP_PROC_SKIP) {
		print_message("file-size-limit case skipped: setrlimit refused\n");
	} else {
		assert_int_equal(rc_lim, 0);
	}
	if (rc_fs == AMP_PROC_SKIP && rc_lim == AMP_PROC_SKIP) {
		skip();
	}
}

/* ---- the fallback for file systems without O_TMPFILE publishing -------- */

/* In a private mount namespace /proc is hidden under an empty tmpfs, so the
 * unnamed-file route (which publishes through /proc/self/fd) is unavailable
 * and creation must take the named-temporary route: it must be just as
 * race-free and leave no temporary behind, also when it fails. */
static int noproc_child(void *argp)
{
	const char *dir = argp;
	if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0 ||
	    mount("amp-test", "/proc", "tmpfs", 0, "size=4k") != 0) {
		return AMP_PROC_SKIP;
	}
	if (access("/proc/self/fd", X_OK) == 0) {
		return 70;
	}
	for (int round = 0; round < 4; round++) {
		char name[64];
		make_name(name, sizeof(name), "noproc");
		struct race_arg a = { .cfg = { .name = name, .size = 16 * 1024, .dir = dir } };
		if (pipe(a.gate) != 0) {
			return 71;
		}
		pid_t pids[RACERS];
		for (int i = 0; i < RACERS; i++) {
			a.index = i;
			pids[i] = amp_proc_spawn(race_child, &a);
		}
		close(a.gate[1]);
		int created = 0, failed = 0;
		for (int i = 0; i < RACERS; i++) {
			int rc = amp_proc_wait(pids[i], 5000);
			created += rc == 1;
			failed += rc != 0 && rc != 1;
		}
		close(a.gate[0]);
		if (failed != 0 || created != 1) {
			return 72;
		}
		if (count_entries(dir, NULL) != 1) {
			return 73; /* the region, and no temporary */
		}
		if (amp_shm_remove(&a.cfg) != 0) {
			return 74;
		}
	}
	/* A failing creation removes its temporary too. */
	if (mount("amp-test", dir, "tmpfs", 0, "size=64k") != 0) {
		return AMP_PROC_SKIP;
	}
	struct amp_shm shm;
	struct amp_shm_cfg big = { .name = "big", .size = 1024 * 1024, .dir = dir };
	if (amp_shm_open(&shm, &big) != AMP_ENOSPC) {
		return 75;
	}
	return count_entries(dir, NULL) == 0 ? 0 : 76;
}

static void test_create_without_tmpfile_route(void **state)
{
	(void)state;
	char dir[PATH_MAX];
	make_tmpdir(dir, sizeof(dir));
	int rc = amp_proc_wait(amp_proc_spawn(noproc_child, dir), CHILD_MS);
	assert_int_equal(count_entries(dir, NULL), 0);
	assert_int_equal(rmdir(dir), 0);
	if (rc == AMP_PROC_SKIP) {
		print_message("named-temporary route skipped: cannot hide /proc in a private "
			      "mount namespace\n");
		skip();
	}
	assert_int_equal(rc, 0);
}

/* ---- close, remove, directories, hostile names ------------------------ */

static void test_close_and_remove(void **state)
{
	(void)state;
	char name[64];
	make_name(name, sizeof(name), "rm");
	struct amp_shm_cfg cfg = { .name = name, .size = 4096 };
	struct amp_shm a, b;
	assert_int_equal(amp_shm_open(&a, &cfg), 0);
	assert_true(a.created);
	assert_true(a.fd >= 0);
	assert_ptr_equal(a.cfg, &cfg);
	assert_int_equal(a.phys, (uintptr_t)a.base);
	assert_int_equal(amp_shm_open(&b, &cfg), 0);
	assert_false(b.created);
	strcpy(a.base, "shared");
	assert_string_equal(b.base, "shared"); /* two mappings, one memory */
	assert_int_equal(amp_shm_close(&a), 0);
	assert_null(a.base);
	assert_int_equal(a.fd, -1);

	assert_int_equal(amp_shm_remove(&cfg), 0);
	assert_int_equal(count_entries(shm_dir(), name), 0);
	assert_int_equal(amp_shm_remove(&cfg), 0); /* absent is fine */
	assert_string_equal(b.base, "shared");     /* mappings outlive the name */

	assert_int_equal(amp_shm_open(&a, &cfg), 0); /* a fresh, zeroed region */
	assert_true(a.created);
	assert_int_equal(((char *)a.base)[0], 0);
	assert_string_equal(b.base, "shared");
	assert_int_equal(amp_shm_close(&a), 0);
	assert_int_equal(amp_shm_close(&b), 0);
	assert_int_equal(amp_shm_remove(&cfg), 0);
}

static void test_directory_choice(void **state)
{
	(void)state;
	char dir[PATH_MAX], envdir[PATH_MAX];
	make_tmpdir(dir, sizeof(dir));
	make_tmpdir(envdir, sizeof(envdir));
	char *saved = getenv("AMPLINK_SHM_DIR") ? strdup(getenv("AMPLINK_SHM_DIR")) : NULL;
	assert_int_equal(setenv("AMPLINK_SHM_DIR", envdir, 1), 0);

	struct amp_shm shm;
	struct amp_shm_cfg in_cfg = { .name = "t-shm-dir", .size = 4096, .dir = dir };
	struct amp_shm_cfg in_env = { .name = "t-shm-env", .size = 4096 };
	assert_int_equal(amp_shm_open(&shm, &in_cfg), 0);
	assert_int_equal(amp_shm_close(&shm), 0);
	assert_int_equal(amp_shm_open(&shm, &in_env), 0);
	assert_int_equal(amp_shm_close(&shm), 0);
	assert_int_equal(count_entries(dir, "t-shm-dir"), 1);
	assert_int_equal(count_entries(envdir, "t-shm-env"), 1);
	assert_int_equal(count_entries(dir, NULL) + count_entries(envdir, NULL), 2);
	assert_int_equal(amp_shm_remove(&in_cfg), 0);
	assert_int_equal(amp_shm_remove(&in_env), 0);

	/* A directory that does not exist. */
	char gone[PATH_MAX + 8];
	snprintf(gone, sizeof(gone), "%s/none", dir);
	struct amp_shm_cfg missing = { .name = "x", .size = 4096, .dir = gone };
	assert_int_equal(amp_shm_open(&shm, &missing), AMP_ENOENT);

	if (saved != NULL) {
		setenv("AMPLINK_SHM_DIR", saved, 1);
		free(saved);
	} else {
		unsetenv("AMPLINK_SHM_DIR");
	}
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(rmdir(envdir), 0);
}

/* Whatever a hostile peer plants under a region's name is refused promptly:
 * never followed, never waited on, never mapped. */
static void test_hostile_names(void **state)
{
	(void)state;
	char dir[PATH_MAX], path[PATH_MAX + 80], target[PATH_MAX + 80];
	make_tmpdir(dir, sizeof(dir));
	struct amp_shm shm;

	snprintf(target, sizeof(target), "%s/secret", dir);
	int fd = open(target, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	close(fd);
	snprintf(path, sizeof(path), "%s/link", dir);
	assert_int_equal(symlink(target, path), 0);
	struct amp_shm_cfg link_cfg = { .name = "link", .size = 4096, .dir = dir };
	assert_int_equal(amp_shm_open(&shm, &link_cfg), AMP_EEXIST);

	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	struct amp_shm_cfg fifo_cfg = { .name = "fifo", .size = 4096, .dir = dir };
	assert_int_equal(amp_shm_open(&shm, &fifo_cfg), AMP_EEXIST);

	snprintf(path, sizeof(path), "%s/subdir", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	struct amp_shm_cfg dir_cfg = { .name = "subdir", .size = 4096, .dir = dir };
	assert_int_equal(amp_shm_open(&shm, &dir_cfg), AMP_EEXIST);

	assert_int_equal(amp_shm_remove(&link_cfg), 0);
	assert_int_equal(amp_shm_remove(&fifo_cfg), 0);
	assert_int_equal(rmdir(path), 0);
	assert_int_equal(unlink(target), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	alarm(120); /* backstop: every wait below is bounded already */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parent_creates_child_opens),
		cmocka_unit_test(test_child_creates_parent_opens),
		cmocka_unit_test(test_concurrent_create),
		cmocka_unit_test(test_size_mismatch),
		cmocka_unit_test(test_invalid_arguments),
		cmocka_unit_test(test_fixed_address_two_processes),
		cmocka_unit_test(test_address_in_use),
		cmocka_unit_test(test_permission_denied),
		cmocka_unit_test(test_out_of_space),
		cmocka_unit_test(test_create_without_tmpfile_route),
		cmocka_unit_test(test_close_and_remove),
		cmocka_unit_test(test_directory_choice),
		cmocka_unit_test(test_hostile_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
