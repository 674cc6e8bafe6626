/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of the non-coherent cache emulator. Two amp_shm_open()s of one
 * cacheable region in this process are two "cores": each has its own cache
 * (private copy), the region file is the memory between them.
 *
 * With the argument "env" the program instead checks activation from the
 * environment (CTest runs it that way with AMPLINK_CACHE_EMU set).
 */
#define _GNU_SOURCE
#include <amplink/cache_emu.h>
#include <amplink/errno.h>
#include <amplink/port.h>
#include <amplink/shm.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINE 32u
#define SIZE 4096u

static char g_name[40];
static struct amp_shm_cfg g_cfg;
static struct amp_shm g_a, g_b;

static uint8_t *A(void)
{
	return g_a.base;
}

static uint8_t *B(void)
{
	return g_b.base;
}

static void stats(struct amp_cache_emu_stats *st)
{
	assert_int_equal(amp_cache_emu_get_stats(st), 0);
}

static int setup(void **state)
{
	static unsigned n;
	(void)state;
	snprintf(g_name, sizeof(g_name), "cemu-unit-%d-%u", (int)getpid(), n++);
	g_cfg = (struct amp_shm_cfg){ .name = g_name, .size = SIZE, .cacheable = true };
	(void)amp_shm_remove(&g_cfg);
	struct amp_cache_emu_cfg ec = { .line_size = LINE, .quiet = true };
	assert_int_equal(amp_cache_emu_enable(&ec), 0);
	assert_int_equal(amp_shm_open(&g_a, &g_cfg), 0);
	assert_int_equal(amp_shm_open(&g_b, &g_cfg), 0);
	assert_ptr_not_equal(g_a.base, g_b.base);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	amp_cache_emu_set_filter(NULL, NULL);
	if (g_a.base != NULL) {
		amp_shm_close(&g_a);
	}
	if (g_b.base != NULL) {
		amp_shm_close(&g_b);
	}
	(void)amp_shm_remove(&g_cfg);
	assert_int_equal(amp_cache_emu_disable(), 0);
	return 0;
}

/* A store without clean never reaches the other core, even after it invalidates. */
static void test_write_without_clean_invisible(void **state)
{
	(void)state;
	A()[100] = 0x5a;
	amp_port_dcache_invalidate(&B()[100], 1);
	assert_int_equal(B()[100], 0);
	uint8_t m = 1;
	assert_int_equal(amp_cache_emu_peek_memory(&A()[100], &m), 0);
	assert_int_equal(m, 0);
	assert_int_equal(amp_cache_emu_dirty_lines(A(), SIZE), 1);

	amp_port_dcache_clean(&A()[100], 1);
	assert_int_equal(amp_cache_emu_dirty_lines(A(), SIZE), 0);
	/* Still stale on B until B invalidates: no coherence. */
	assert_int_equal(B()[100], 0);
	amp_port_dcache_invalidate(&B()[100], 1);
	assert_int_equal(B()[100], 0x5a);
}

/* Clean writes back exactly the lines the range touches, each one whole. */
static void test_clean_publishes_whole_covered_lines(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 4 * LINE; i++) {
		A()[i] = (uint8_t)(i + 1);
	}
	/* 2 bytes straddling the boundary of lines 1 and 2. */
	amp_port_dcache_clean(&A()[2 * LINE - 1], 2);
	amp_port_dcache_invalidate(B(), 4 * LINE);
	for (unsigned i = 0; i < 4 * LINE; i++) {
		uint8_t want = (i >= LINE && i < 3 * LINE) ? (uint8_t)(i + 1) : 0;
		assert_int_equal(B()[i], want);
	}
	assert_int_equal(amp_cache_emu_dirty_lines(A(), 4 * LINE), 2);
	/* Zero length: no line. */
	amp_port_dcache_clean(A(), 0);
	assert_int_equal(amp_cache_emu_dirty_lines(A(), 4 * LINE), 2);
}

/* Invalidate drops this core's unwritten changes and counts a hazard. */
static void test_invalidate_discards_dirty_lines(void **state)
{
	(void)state;
	B()[200] = 7;
	amp_port_dcache_clean(&B()[200], 1);
	A()[201] = 9; /* same line, never cleaned */
	struct amp_cache_emu_stats st;
	amp_cache_emu_reset_stats();
	amp_port_dcache_invalidate(&A()[200], 1);
	assert_int_equal(A()[200], 7);
	assert_int_equal(A()[201], 0);
	stats(&st);
	assert_int_equal(st.discards, 1);
	assert_int_equal(st.hazards, 1);
	assert_int_equal(st.invalidate_calls, 1);
	/* A clean line invalidated is no hazard. */
	amp_port_dcache_invalidate(&A()[200], 1);
	stats(&st);
	assert_int_equal(st.discards, 1);
}

struct hook_seen {
	int n;
	enum amp_cache_emu_hazard kind;
	size_t first, last;
};

static void hook(enum amp_cache_emu_hazard kind, const char *region, size_t first, size_t last,
		 const void *caller, void *user)
{
	struct hook_seen *h = user;
	(void)region;
	(void)caller;
	h->n++;
	h->kind = kind;
	h->first = first;
	h->last = last;
}

/* Two cores writing different words of one line: the later write-back takes
 * the whole line, the earlier writer's word is lost, a clobber is counted. */
static void test_shared_line_clobbers(void **state)
{
	(void)state;
	struct hook_seen seen = { 0 };
	amp_cache_emu_set_hazard_hook(hook, &seen);
	volatile uint32_t *wa = (volatile uint32_t *)(void *)&A()[LINE * 3];
	volatile uint32_t *wb = (volatile uint32_t *)(void *)&B()[LINE * 3 + 4];
	amp_cache_emu_reset_stats();
	*wa = 0x11111111u;
	*wb = 0x22222222u;
	amp_port_dcache_clean(wa, 4);
	amp_port_dcache_clean(wb, 4); /* B's stale copy of A's word goes with it */
	struct amp_cache_emu_stats st;
	stats(&st);
	assert_int_equal(st.clobbers, 1);
	assert_int_equal(st.lines_written_back, 2);
	/* The hook names exactly the 4 bytes A wrote and B's write-back undid. */
	assert_int_equal(seen.n, 1);
	assert_int_equal(seen.kind, AMP_CACHE_EMU_CLOBBER);
	assert_int_equal(seen.first, LINE * 3);
	assert_int_equal(seen.last, LINE * 3 + 3);
	amp_cache_emu_set_hazard_hook(NULL, NULL);
	amp_port_dcache_invalidate(wa, 8);
	assert_int_equal(wa[0], 0);
	assert_int_equal(wa[1], 0x22222222u);

	/* Different lines: no interference. */
	amp_cache_emu_reset_stats();
	*wa = 0x33333333u;
	volatile uint32_t *wb2 = (volatile uint32_t *)(void *)&B()[LINE * 4];
	*wb2 = 0x44444444u;
	amp_port_dcache_clean(wa, 4);
	amp_port_dcache_clean(wb2, 4);
	stats(&st);
	assert_int_equal(st.clobbers, 0);
	amp_port_dcache_invalidate(&B()[LINE * 3], 4);
	assert_int_equal(*(volatile uint32_t *)(void *)&B()[LINE * 3], 0x33333333u);
}

/* A store of the value already cached is invisible to the emulator; a clean
 * of that line still publishes it when memory differs (the core is taken to
 * have written what it cleans), counted as a restore, and since B had taken
 * the byte over in between, as a clobber too. */
static void test_clean_restores_unchanged_line(void **state)
{
	(void)state;
	A()[300] = 5;
	amp_port_dcache_clean(&A()[300], 1);
	amp_port_dcache_invalidate(&B()[300], 1);
	B()[300] = 6; /* B takes the byte over */
	amp_port_dcache_clean(&B()[300], 1);
	amp_cache_emu_reset_stats();
	A()[300] = 5; /* A stores again what its copy already holds */
	amp_port_dcache_clean(&A()[300], 1);
	uint8_t m = 0;
	assert_int_equal(amp_cache_emu_peek_memory(&A()[300], &m), 0);
	assert_int_equal(m, 5);
	struct amp_cache_emu_stats st;
	stats(&st);
	assert_int_equal(st.lines_restored, 1);
	assert_int_equal(st.lines_written_back, 1);
	assert_int_equal(st.clobbers, 1);
	/* A line equal to memory is left alone. */
	amp_port_dcache_clean(&A()[300], 1);
	stats(&st);
	assert_int_equal(st.lines_written_back, 1);
}

static void test_counters(void **state)
{
	(void)state;
	amp_cache_emu_reset_stats();
	static uint8_t outside[64];
	amp_port_dcache_clean(A(), 1);
	amp_port_dcache_clean(B(), 1);
	amp_port_dcache_invalidate(A(), SIZE);
	amp_port_dcache_clean(outside, sizeof(outside));
	amp_port_dcache_invalidate(outside, sizeof(outside));
	struct amp_cache_emu_stats st;
	stats(&st);
	assert_int_equal(st.clean_calls, 2);
	assert_int_equal(st.invalidate_calls, 1);
	assert_int_equal(st.outside_calls, 2);
	assert_int_equal(st.lines_fetched, SIZE / LINE);
	assert_int_equal(st.lines_written_back, 0); /* nothing was dirty */
	assert_int_equal(st.regions, 2);
	assert_int_equal(st.hazards, 0);
	assert_int_equal(amp_cache_emu_get_stats(NULL), AMP_EINVAL);
	assert_int_equal(amp_cache_emu_line_size(), LINE);
	assert_true(amp_cache_emu_active());
}

/* The range is clamped to the region; a region size that is not a multiple
 * of the line or of 4 works to its last byte. */
static void test_odd_sizes(void **state)
{
	(void)state;
	char n[64];
	snprintf(n, sizeof(n), "%.40s-odd", g_name);
	struct amp_shm_cfg c = { .name = n, .size = 45, .cacheable = true };
	(void)amp_shm_remove(&c);
	struct amp_shm x, y;
	assert_int_equal(amp_shm_open(&x, &c), 0);
	assert_int_equal(amp_shm_open(&y, &c), 0);
	uint8_t *px = x.base, *py = y.base;
	for (unsigned i = 0; i < 45; i++) {
		px[i] = (uint8_t)(0x80 + i);
	}
	amp_port_dcache_clean(&px[44], 1000); /* clamped: only the last line */
	amp_port_dcache_invalidate(py, 45);
	for (unsigned i = 0; i < 45; i++) {
		assert_int_equal(py[i], i >= LINE ? 0x80 + i : 0);
	}
	amp_port_dcache_clean(px, 45);
	amp_port_dcache_invalidate(py, 45);
	assert_int_equal(py[0], 0x80);
	assert_int_equal(amp_shm_close(&x), 0);
	assert_int_equal(amp_shm_close(&y), 0);
	(void)amp_shm_remove(&c);
}

/* Non-cacheable regions (doorbells, locks) stay direct mappings. */
static void test_non_cacheable_is_direct(void **state)
{
	(void)state;
	char n[64];
	snprintf(n, sizeof(n), "%.40s-nc", g_name);
	struct amp_shm_cfg c = { .name = n, .size = 4096, .cacheable = false };
	(void)amp_shm_remove(&c);
	struct amp_shm x, y;
	assert_int_equal(amp_shm_open(&x, &c), 0);
	assert_int_equal(amp_shm_open(&y, &c), 0);
	((volatile uint8_t *)x.base)[5] = 3;
	assert_int_equal(((volatile uint8_t *)y.base)[5], 3);
	assert_int_equal(amp_cache_emu_dirty_lines(x.base, 1), AMP_ENOENT);
	uint8_t m;
	assert_int_equal(amp_cache_emu_peek_memory(x.base, &m), AMP_ENOENT);
	assert_int_equal(amp_shm_close(&x), 0);
	assert_int_equal(amp_shm_close(&y), 0);
	(void)amp_shm_remove(&c);
}

/* A region with a fixed address gets its private copy exactly there; the
 * second open at the same address is refused as without the emulator. */
static void test_fixed_address(void **state)
{
	(void)state;
	/* Find a free range: map and unmap it. */
	void *p = mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(p != MAP_FAILED);
	munmap(p, 8192);
	char n[64];
	snprintf(n, sizeof(n), "%.40s-fix", g_name);
	struct amp_shm_cfg c = { .name = n, .size = 8192, .addr = (uintptr_t)p, .cacheable = true };
	(void)amp_shm_remove(&c);
	struct amp_shm x, y;
	assert_int_equal(amp_shm_open(&x, &c), 0);
	assert_ptr_equal(x.base, p);
	assert_true(x.phys == (uintptr_t)p);
	assert_int_equal(amp_shm_open(&y, &c), AMP_EADDRINUSE);
	((volatile uint8_t *)x.base)[8000] = 1;
	assert_int_equal(amp_cache_emu_dirty_lines(x.base, 8192), 1);
	assert_int_equal(amp_shm_close(&x), 0);
	assert_int_equal(amp_cache_emu_dirty_lines(p, 1), AMP_ENOENT);
	(void)amp_shm_remove(&c);
}

/* Settings cannot change under open regions; bad settings are refused. */
static void test_enable_rules(void **state)
{
	(void)state;
	assert_int_equal(amp_cache_emu_enable(NULL), AMP_EBUSY);
	assert_int_equal(amp_cache_emu_disable(), AMP_EBUSY);
	struct amp_cache_emu_cfg bad = { .line_size = 48 };
	assert_int_equal(amp_cache_emu_enable(&bad), AMP_EINVAL);
	bad = (struct amp_cache_emu_cfg){ .line_size = 2 };
	assert_int_equal(amp_cache_emu_enable(&bad), AMP_EINVAL);
	bad = (struct amp_cache_emu_cfg){ .evict_permille = 1001 };
	assert_int_equal(amp_cache_emu_enable(&bad), AMP_EINVAL);
}

/* With the emulator off, cacheable regions are plain shared mappings again. */
static void test_off_is_coherent(void **state)
{
	(void)state;
	amp_shm_close(&g_a);
	amp_shm_close(&g_b);
	assert_int_equal(amp_cache_emu_disable(), 0);
	assert_false(amp_cache_emu_active());
	assert_int_equal(amp_shm_open(&g_a, &g_cfg), 0);
	assert_int_equal(amp_shm_open(&g_b, &g_cfg), 0);
	A()[9] = 4;
	assert_int_equal(((volatile uint8_t *)B())[9], 4);
	amp_shm_close(&g_a);
	amp_shm_close(&g_b);
	struct amp_cache_emu_stats st;
	stats(&st);
	assert_int_equal(st.regions, 0);
}

static bool drop_cleans(enum amp_cache_emu_op op, const volatile void *addr, size_t len, void *u)
{
	(void)addr;
	(void)len;
	(*(int *)u)++;
	return op != AMP_CACHE_EMU_CLEAN;
}

/* The filter drops calls (fault injection) and sees every one on emulated memory. */
static void test_filter(void **state)
{
	(void)state;
	int seen = 0;
	amp_cache_emu_set_filter(drop_cleans, &seen);
	amp_cache_emu_reset_stats();
	A()[0] = 1;
	amp_port_dcache_clean(A(), 1);
	amp_port_dcache_invalidate(&B()[0], 1);
	assert_int_equal(B()[0], 0);
	struct amp_cache_emu_stats st;
	stats(&st);
	assert_int_equal(st.dropped_calls, 1);
	assert_int_equal(st.clean_calls, 0);
	assert_int_equal(st.invalidate_calls, 1);
	assert_int_equal(seen, 2);
	amp_cache_emu_set_filter(NULL, NULL);
	amp_port_dcache_clean(A(), 1);
	amp_port_dcache_invalidate(&B()[0], 1);
	assert_int_equal(B()[0], 1);
}

/* Eviction mode: a dirty line reaches memory without a clean, eventually;
 * a racing local store is never lost by a spontaneous re-fetch. */
static void test_spontaneous_eviction(void **state)
{
	(void)state;
	amp_shm_close(&g_a);
	amp_shm_close(&g_b);
	struct amp_cache_emu_cfg ec = { .line_size = LINE, .evict_permille = 1000, .seed = 7,
					.quiet = true };
	assert_int_equal(amp_cache_emu_enable(&ec), 0);
	assert_int_equal(amp_shm_open(&g_a, &g_cfg), 0);
	assert_int_equal(amp_shm_open(&g_b, &g_cfg), 0);
	for (unsigned i = 0; i < SIZE; i += 4) {
		A()[i] = 0xee;
	}
	static uint8_t outside[4];
	for (int i = 0; i < 20000; i++) {
		amp_port_dcache_clean(outside, 1); /* any call may evict */
	}
	struct amp_cache_emu_stats st;
	stats(&st);
	assert_int_equal(st.evictions, 20000);
	assert_true(st.lines_written_back > 0);
	/* Every line of A was dirty and got evicted at least once by now
	 * (20000 draws over 2 x 128 lines); nothing A wrote was lost. */
	amp_port_dcache_invalidate(B(), SIZE);
	for (unsigned i = 0; i < SIZE; i += 4) {
		assert_int_equal(B()[i], 0xee);
		assert_int_equal(A()[i], 0xee);
	}
	assert_int_equal(st.hazards, 0);
}

/* "env" mode: the environment alone turns the emulator on. */
static int env_main(void)
{
	char n[64];
	snprintf(n, sizeof(n), "cemu-env-%d", (int)getpid());
	struct amp_shm_cfg c = { .name = n, .size = 256, .cacheable = true };
	(void)amp_shm_remove(&c);
	struct amp_shm x, y;
	if (amp_shm_open(&x, &c) != 0 || amp_shm_open(&y, &c) != 0) {
		return 2;
	}
	int rc = 0;
	if (!amp_cache_emu_active() || amp_cache_emu_line_size() != 64u) {
		rc = 3;
	}
	((volatile uint8_t *)x.base)[70] = 1;
	amp_port_dcache_clean(&((uint8_t *)x.base)[127], 1); /* line 64..127 */
	amp_port_dcache_invalidate(y.base, 256);
	if (((volatile uint8_t *)y.base)[70] != 1) {
		rc = 4;
	}
	((volatile uint8_t *)x.base)[10] = 1;
	amp_port_dcache_invalidate(y.base, 256);
	if (((volatile uint8_t *)y.base)[10] != 0) {
		rc = 5;
	}
	amp_shm_close(&x);
	amp_shm_close(&y);
	(void)amp_shm_remove(&c);
	printf("env activation: %s (rc %d)\n", rc == 0 ? "ok" : "FAILED", rc);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "env") == 0) {
		return env_main();
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_without_clean_invisible, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clean_publishes_whole_covered_lines, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_invalidate_discards_dirty_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_line_clobbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_clean_restores_unchanged_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_odd_sizes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_non_cacheable_is_direct, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fixed_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enable_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_off_is_coherent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_spontaneous_eviction, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
