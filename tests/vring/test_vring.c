/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vring unit tests: layout arithmetic, driver/device round trips with u16
 * index wrap, OpenAMP's free-chain bytes, notification suppression with flags
 * and with event indices, address translation (local != peer-visible), and
 * every validation rule for values the peer writes.
 */
#include <amplink/errno.h>
#include <amplink/vring.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#define NUM 8u
#define ALIGN 4u
#define BUFSZ 64u
#define PHYS 0x80000000ull /* peer-visible pool address, unlike the local pointer */

struct fixture {
	uint8_t ring[AMP_VRING_SIZE(NUM, ALIGN)] __attribute__((aligned(8)));
	uint8_t pool[NUM * BUFSZ * 2] __attribute__((aligned(8)));
	struct amp_vring_cfg dcfg, vcfg;
	struct amp_vring drv, dev;
};

static int setup_common(void **state, bool event_idx)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (f == NULL) {
		return -1;
	}
	struct amp_vring_cfg c = {
		.mem = f->ring, .num = NUM, .align = ALIGN, .event_idx = event_idx,
		.pool = f->pool, .pool_phys = PHYS, .pool_size = sizeof(f->pool),
		.device_writes = true, .min_len = 16, .max_len = BUFSZ,
	};
	f->dcfg = c;
	f->dcfg.role = AMP_VRING_DRIVER;
	f->vcfg = c;
	f->vcfg.role = AMP_VRING_DEVICE;
	if (amp_vring_init(&f->drv, &f->dcfg) != 0 || amp_vring_init(&f->dev, &f->vcfg) != 0) {
		free(f);
		return -1;
	}
	memset(f->ring, 0xa5, sizeof(f->ring));
	amp_vring_reset_shared(&f->drv);
	*state = f;
	return 0;
}

static int setup(void **state)
{
	return setup_common(state, false);
}

static int setup_evidx(void **state)
{
	return setup_common(state, true);
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* raw shared-memory views for the tests playing a hostile peer */
static volatile uint16_t *avail_idx(struct fixture *f)
{
	return (volatile uint16_t *)(void *)(f->ring + 16 * NUM + 2);
}
static volatile uint16_t *avail_ring(struct fixture *f, unsigned i)
{
	return (volatile uint16_t *)(void *)(f->ring + 16 * NUM + 4 + 2 * i);
}
static volatile uint16_t *used_idx(struct fixture *f)
{
	return (volatile uint16_t *)(void *)(f->ring + AMP_VRING_USED_OFFSET(NUM, ALIGN) + 2);
}
static volatile uint32_t *used_elem(struct fixture *f, unsigned i)
{
	return (volatile uint32_t *)(void *)(f->ring + AMP_VRING_USED_OFFSET(NUM, ALIGN) + 4 + 8 * i);
}
static uint8_t *desc(struct fixture *f, unsigned i)
{
	return f->ring + 16 * i;
}

static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(AMP_VRING_SIZE(16, 4), 430);
	assert_int_equal(AMP_VRING_SIZE(8, 4), 222);
	assert_int_equal(AMP_VRING_SIZE(4, 4), 118);
	assert_int_equal(AMP_VRING_SIZE(4, 32), 134);
	assert_int_equal(AMP_VRING_SIZE(256, 4096), 10246);
	assert_int_equal(AMP_VRING_USED_OFFSET(8, 4), 152);
	assert_int_equal(AMP_VRING_USED_OFFSET(4, 32), 96);
}

static void test_init_rejects(void **state)
{
	struct fixture *f = *state;
	struct amp_vring v;
	struct amp_vring_cfg c = f->dcfg;
	assert_int_equal(amp_vring_init(NULL, &c), AMP_EINVAL);
	assert_int_equal(amp_vring_init(&v, NULL), AMP_EINVAL);
	c.num = 6;
	assert_int_equal(amp_vring_init(&v, &c), AMP_EINVAL);
	c.num = AMP_VRING_NUM_MAX * 2;
	assert_int_equal(amp_vring_init(&v, &c), AMP_EINVAL);
	c = f->dcfg;
	c.align = 2;
	assert_int_equal(amp_vring_init(&v, &c), AMP_EINVAL);
	c = f->dcfg;
	c.mem = f->ring + 2;
	assert_int_equal(amp_vring_init(&v, &c), AMP_EINVAL);
	c = f->dcfg;
	c.pool_phys = UINT64_MAX - 10;
	assert_int_equal(amp_vring_init(&v, &c), AMP_EINVAL);
}

static void test_reset_shared_chain(void **state)
{
	struct fixture *f = *state;
	for (unsigned i = 0; i < NUM; i++) {
		uint16_t next;
		memcpy(&next, desc(f, i) + 14, 2);
		assert_int_equal(next, i + 1 < NUM ? i + 1 : AMP_VRING_FREE_END);
	}
	assert_int_equal(*avail_idx(f), 0);
	assert_int_equal(*used_idx(f), 0);
	assert_int_equal(amp_vring_drv_free_count(&f->drv), NUM);
}

/* Driver posts writable buffers, device fills and returns them, many times
 * round the 16-bit indices. */
static void test_roundtrip_wrap(void **state)
{
	struct fixture *f = *state;
	for (uint32_t iter = 0; iter < 70000u; iter++) {
		uint8_t *b = f->pool + (iter % NUM) * BUFSZ;
		uint16_t id;
		assert_int_equal(amp_vring_drv_add(&f->drv, b, BUFSZ, true, &id), 0);
		uint16_t head;
		void *buf;
		uint32_t len;
		assert_int_equal(amp_vring_dev_get_avail(&f->dev, &head, &buf, &len), 1);
		assert_int_equal(head, id);
		assert_ptr_equal(buf, b);
		assert_int_equal(len, BUFSZ);
		memcpy(buf, &iter, sizeof(iter));
		assert_int_equal(amp_vring_dev_put_used(&f->dev, head, 20), 0);
		uint16_t gid;
		void *gbuf;
		uint32_t glen;
		assert_int_equal(amp_vring_drv_get_used(&f->drv, &gid, &gbuf, &glen), 1);
		assert_int_equal(gid, id);
		assert_ptr_equal(gbuf, b);
		assert_int_equal(glen, 20);
		uint32_t got;
		memcpy(&got, gbuf, sizeof(got));
		assert_int_equal(got, iter);
	}
	assert_int_equal(amp_vring_drv_get_used(&f->drv, &(uint16_t){ 0 }, &(void *){ NULL },
						&(uint32_t){ 0 }),
			 0);
	assert_true(amp_vring_own_idx_intact(&f->drv));
	assert_true(amp_vring_own_idx_intact(&f->dev));
}

static void test_descriptor_bytes(void **state)
{
	struct fixture *f = *state;
	uint16_t id;
	assert_int_equal(amp_vring_drv_add(&f->drv, f->pool + BUFSZ, BUFSZ, true, &id), 0);
	assert_int_equal(id, 0);
	uint32_t lo, hi, len;
	uint16_t flags, next;
	memcpy(&lo, desc(f, 0), 4);
	memcpy(&hi, desc(f, 0) + 4, 4);
	memcpy(&len, desc(f, 0) + 8, 4);
	memcpy(&flags, desc(f, 0) + 12, 2);
	memcpy(&next, desc(f, 0) + 14, 2);
	assert_int_equal(((uint64_t)hi << 32 | lo), PHYS + BUFSZ);
	assert_int_equal(len, BUFSZ);
	assert_int_equal(flags, AMP_VRING_DESC_F_WRITE);
	assert_int_equal(next, 1); /* untouched free-chain link, as OpenAMP leaves it */
	assert_int_equal(*avail_ring(f, 0), 0);
	assert_int_equal(*avail_idx(f), 1);
	/* used returns it: freed LIFO, chain link mirrored into shared memory */
	*used_elem(f, 0) = 0;
	*(used_elem(f, 0) + 1) = 0;
	*used_idx(f) = 1;
	uint16_t gid;
	void *b;
	uint32_t l;
	assert_int_equal(amp_vring_drv_get_used(&f->drv, &gid, &b, &l), 1);
	memcpy(&next, desc(f, 0) + 14, 2);
	assert_int_equal(next, 1); /* head was 1 */
	assert_int_equal(amp_vring_drv_add(&f->drv, f->pool, BUFSZ, false, &id), 0);
	assert_int_equal(id, 0); /* LIFO */
	assert_int_equal(amp_vring_to_phys(&f->drv, f->pool + 3), PHYS + 3);
}

static void test_driver_full_and_bad_buffer(void **state)
{
	struct fixture *f = *state;
	for (unsigned i = 0; i < NUM; i++) {
		assert_int_equal(amp_vring_drv_add(&f->drv, f->pool + i * BUFSZ, BUFSZ, true, NULL), 0);
	}
	assert_int_equal(amp_vring_drv_add(&f->drv, f->pool, BUFSZ, true, NULL), AMP_ENOMEM);
	assert_int_equal(amp_vring_drv_free_count(&f->drv), 0);
	struct amp_vring v;
	assert_int_equal(amp_vring_init(&v, &f->dcfg), 0);
	assert_int_equal(amp_vring_drv_add(&v, f->pool + sizeof(f->pool) - 8, 16, true, NULL),
			 AMP_EINVAL);
	assert_int_equal(amp_vring_drv_add(&v, (void *)((uintptr_t)f->pool - 1), 16, true, NULL), AMP_EINVAL);
	/* role checks */
	assert_int_equal(amp_vring_dev_put_used(&v, 0, 0), AMP_EINVAL);
	assert_int_equal(amp_vring_drv_add(&f->dev, f->pool, 16, true, NULL), AMP_EINVAL);
}

/* The driver side against a hostile device writing the used ring. */
static void test_driver_validation(void **state)
{
	struct fixture *f = *state;
	uint16_t id;
	void *b;
	uint32_t l;
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(amp_vring_drv_add(&f->drv, f->pool + i * BUFSZ, 32, true, NULL), 0);
	}
	/* index jumps by more than num */
	*used_idx(f) = NUM + 1;
	assert_int_equal(amp_vring_drv_get_used(&f->drv, &id, &b, &l), AMP_EPROTO);
	assert_int_equal(amp_vring_pending(&f->drv), AMP_EPROTO);
	/* id out of range */
	*used_idx(f) = 1;
	used_elem(f, 0)[0] = NUM;
	assert_int_equal(amp_vring_drv_get_used(&f->drv, &id, &b, &l), AMP_EPROTO);
	/* id not outstanding */
	used_elem(f, 0)[0] = 5;
	assert_int_equal(amp_vring_drv_get_used(&f->drv, &id, &b, &l), AMP_EPROTO);
	/* length larger than posted: entry consumed, buffer handed back */
	used_elem(f, 0)[0] = 1;
	used_elem(f, 0)[1] = 33;
	assert_int_equal(amp_vring_drv_get_used(&f->drv, &id, &b, &l), AMP_EBADMSG);
	assert_int_equal(id, 1);
	assert_ptr_equal(b, f->pool + BUFSZ);
	assert_int_equal(l, 0);
	/* the same id again (duplicate) */
	*used_idx(f) = 2;
	used_elem(f, 1)[0] = 1;
	used_elem(f, 1)[1] = 8;
	assert_int_equal(amp_vring_drv_get_used(&f->drv, &id, &b, &l), AMP_EPROTO);
	/* the address in the descriptor is never read back: corrupt it */
	memset(desc(f, 0), 0xff, 8);
	used_elem(f, 1)[0] = 0;
	assert_int_equal(amp_vring_drv_get_used(&f->drv, &id, &b, &l), 1);
	assert_ptr_equal(b, f->pool);
}

static void post_desc(struct fixture *f, unsigned slot, uint16_t head, uint64_t addr,
		      uint32_t len, uint16_t flags)
{
	memcpy(desc(f, head), &addr, 8);
	memcpy(desc(f, head) + 8, &len, 4);
	memcpy(desc(f, head) + 12, &flags, 2);
	*avail_ring(f, slot % NUM) = head;
	*avail_idx(f) = (uint16_t)(slot + 1);
}

/* The device side against a hostile driver writing descriptors and avail. */
static void test_device_validation(void **state)
{
	struct fixture *f = *state;
	uint16_t h;
	void *b;
	uint32_t l;
	const uint16_t W = AMP_VRING_DESC_F_WRITE;
	struct {
		uint64_t addr;
		uint32_t len;
		uint16_t flags;
	} bad[] = {
		{ PHYS, BUFSZ, W | AMP_VRING_DESC_F_NEXT },
		{ PHYS, BUFSZ, W | AMP_VRING_DESC_F_INDIRECT },
		{ PHYS, BUFSZ, 0 },                         /* wrong direction */
		{ PHYS - 1, BUFSZ, W },                     /* below the pool */
		{ PHYS + sizeof(f->pool) - 8, 16, W },     /* crosses the end */
		{ PHYS + sizeof(f->pool), 16, W },         /* starts at the end */
		{ PHYS + 0x100000000ull, 16, W },          /* high bits set */
		{ UINT64_MAX - 4, 16, W },                 /* overflow */
		{ PHYS, 8, W },                             /* shorter than min_len */
		{ PHYS, BUFSZ + 4, W },                     /* longer than max_len */
	};
	unsigned slot = 0;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++, slot++) {
		uint16_t head = (uint16_t)(slot % NUM);
		post_desc(f, slot, head, bad[i].addr, bad[i].len, bad[i].flags);
		assert_int_equal(amp_vring_dev_get_avail(&f->dev, &h, &b, &l), AMP_EBADMSG);
		assert_int_equal(h, head);
		assert_null(b);
		assert_int_equal(amp_vring_dev_put_used(&f->dev, h, 0), 0);
	}
	/* a good one */
	post_desc(f, slot, 3, PHYS + 2 * BUFSZ, BUFSZ, W);
	assert_int_equal(amp_vring_dev_get_avail(&f->dev, &h, &b, &l), 1);
	assert_ptr_equal(b, f->pool + 2 * BUFSZ);
	slot++;
	/* the same head while we still hold it */
	post_desc(f, slot, 3, PHYS, BUFSZ, W);
	assert_int_equal(amp_vring_dev_get_avail(&f->dev, &h, &b, &l), AMP_EPROTO);
	/* head out of range */
	*avail_ring(f, slot % NUM) = NUM;
	assert_int_equal(amp_vring_dev_get_avail(&f->dev, &h, &b, &l), AMP_EPROTO);
	/* index jump */
	*avail_idx(f) = (uint16_t)(slot + NUM + 1);
	assert_int_equal(amp_vring_dev_get_avail(&f->dev, &h, &b, &l), AMP_EPROTO);
	/* returning something not held */
	assert_int_equal(amp_vring_dev_put_used(&f->dev, 5, 0), AMP_EINVAL);
	assert_int_equal(amp_vring_dev_put_used(&f->dev, NUM, 0), AMP_EINVAL);
	assert_int_equal(amp_vring_dev_put_used(&f->dev, 3, 0), 0);
	assert_int_equal(amp_vring_dev_put_used(&f->dev, 3, 0), AMP_EINVAL);
}

static void test_notify_flags(void **state)
{
	struct fixture *f = *state;
	/* nothing published: no notification */
	assert_false(amp_vring_need_notify(&f->drv));
	assert_int_equal(amp_vring_drv_add(&f->drv, f->pool, BUFSZ, true, NULL), 0);
	assert_true(amp_vring_need_notify(&f->drv));
	/* device asks not to be notified */
	amp_vring_disable_cb(&f->dev);
	assert_int_equal(amp_vring_drv_add(&f->drv, f->pool + BUFSZ, BUFSZ, true, NULL), 0);
	assert_int_equal(amp_vring_drv_add(&f->drv, f->pool + 2 * BUFSZ, BUFSZ, true, NULL), 0);
	assert_false(amp_vring_need_notify(&f->drv));
	/* re-enabling reports what is already pending */
	assert_true(amp_vring_enable_cb(&f->dev));
	uint16_t h;
	void *b;
	uint32_t l;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(amp_vring_dev_get_avail(&f->dev, &h, &b, &l), 1);
		assert_int_equal(amp_vring_dev_put_used(&f->dev, h, 0), 0);
	}
	assert_false(amp_vring_enable_cb(&f->dev));
	/* device returns: the driver's NO_INTERRUPT flag decides */
	assert_true(amp_vring_need_notify(&f->dev));
	amp_vring_disable_cb(&f->drv);
	assert_int_equal(amp_vring_drv_add(&f->drv, f->pool, BUFSZ, true, NULL), 0);
	assert_int_equal(amp_vring_dev_get_avail(&f->dev, &h, &b, &l), 1);
	assert_int_equal(amp_vring_dev_put_used(&f->dev, h, 0), 0);
	assert_false(amp_vring_need_notify(&f->dev));
	assert_true(amp_vring_enable_cb(&f->drv)); /* 4 used entries waiting */
}

static void test_notify_event_idx(void **state)
{
	struct fixture *f = *state;
	uint16_t h, id;
	void *b;
	uint32_t l;
	/* fresh: avail_event = 0, so the first publication notifies */
	assert_true(amp_vring_enable_cb(&f->dev) == false);
	assert_int_equal(amp_vring_drv_add(&f->drv, f->pool, BUFSZ, true, NULL), 0);
	assert_true(amp_vring_need_notify(&f->drv));
	/* device has not consumed: its event word still says 1 consumed → entry #1 is past it */
	assert_int_equal(amp_vring_drv_add(&f->drv, f->pool + BUFSZ, BUFSZ, true, NULL), 0);
	assert_false(amp_vring_need_notify(&f->drv));
	/* device consumes both and waits for more: next publication notifies */
	assert_int_equal(amp_vring_dev_get_avail(&f->dev, &h, &b, &l), 1);
	assert_int_equal(amp_vring_dev_get_avail(&f->dev, &h, &b, &l), 1);
	assert_int_equal(amp_vring_drv_add(&f->drv, f->pool + 2 * BUFSZ, BUFSZ, true, NULL), 0);
	assert_true(amp_vring_need_notify(&f->drv));
	/* disabled: parked event word, no notification */
	amp_vring_disable_cb(&f->dev);
	assert_int_equal(amp_vring_drv_add(&f->drv, f->pool + 3 * BUFSZ, BUFSZ, true, NULL), 0);
	assert_false(amp_vring_need_notify(&f->drv));
	/* device -> driver with the driver's used_event */
	assert_int_equal(amp_vring_dev_put_used(&f->dev, 0, 1), 0);
	assert_true(amp_vring_need_notify(&f->dev));
	assert_int_equal(amp_vring_drv_get_used(&f->drv, &id, &b, &l), 1);
	amp_vring_disable_cb(&f->drv);
	assert_int_equal(amp_vring_dev_put_used(&f->dev, 1, 1), 0);
	assert_false(amp_vring_need_notify(&f->dev));
	assert_true(amp_vring_enable_cb(&f->drv));
}

static void test_own_idx_intact(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(amp_vring_drv_add(&f->drv, f->pool, BUFSZ, true, NULL), 0);
	uint16_t h;
	void *b;
	uint32_t l;
	assert_int_equal(amp_vring_dev_get_avail(&f->dev, &h, &b, &l), 1);
	assert_int_equal(amp_vring_dev_put_used(&f->dev, h, 0), 0);
	assert_true(amp_vring_own_idx_intact(&f->dev));
	amp_vring_reset_shared(&f->drv); /* the host re-initialises the ring */
	assert_false(amp_vring_own_idx_intact(&f->dev));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout),
		cmocka_unit_test_setup_teardown(test_init_rejects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_shared_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip_wrap, setup_evidx, teardown),
		cmocka_unit_test_setup_teardown(test_descriptor_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_driver_full_and_bad_buffer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_driver_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_device_validation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify_event_idx, setup_evidx, teardown),
		cmocka_unit_test_setup_teardown(test_own_idx_intact, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
