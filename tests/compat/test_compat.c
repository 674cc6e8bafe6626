/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The Zephyr compatibility layer on one core (built with amp_add_core from
 * boards/compat.dts + compat.conf): devicetree macros as compile-time
 * constants, device start-up, Zephyr return codes of ipc_service_*, mbox_*,
 * ipm_* and the kernel objects, and an IPM round trip with a native peer
 * opened in the same process.
 */
#define _GNU_SOURCE

#include <amplink/errno.h>
#include <amplink/mbox.h>
#include <amplink/mbox_linux.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zephyr/amp_compat.h>
#include <zephyr/cache.h>
#include <zephyr/device.h>
#include <zephyr/devicetree.h>
#include <zephyr/drivers/ipm.h>
#include <zephyr/drivers/mbox.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/kernel.h>
#include <zephyr/logging/log.h>
#include <zephyr/spinlock.h>

#include <cmocka.h>

LOG_MODULE_REGISTER(test_compat, LOG_LEVEL_INF);

#define IPC0 DT_NODELABEL(ipc0)
#define IPC1 DT_NODELABEL(ipc1)

/* ---- devicetree macros are constants ------------------------------------ */

_Static_assert(DT_REG_ADDR(DT_NODELABEL(shared_ram)) == 0x20040000UL, "reg address");
_Static_assert(DT_REG_SIZE(DT_NODELABEL(shared_ram)) == 0x8000UL, "reg size");
_Static_assert(sizeof(DT_REG_ADDR(DT_NODELABEL(shared_ram))) == sizeof(void *), "pointer-sized");
_Static_assert(DT_NUM_REGS(DT_NODELABEL(ipc_shm)) == 1, "one reg entry");
_Static_assert(DT_PROP(IPC1, dcache_alignment) == 8, "int property");
_Static_assert(DT_PROP_OR(IPC0, zephyr_buffer_size, 512) == 512, "absent -> default");
_Static_assert(DT_PROP_OR(IPC1, dcache_alignment, 4) == 8, "present -> value");
_Static_assert(DT_NODE_HAS_PROP(IPC0, role) == 1, "has role");
_Static_assert(DT_NODE_HAS_PROP(IPC0, unbound) == 0, "no unbound");
_Static_assert(DT_PROP_LEN(IPC0, mbox_names) == 2, "two names");
_Static_assert(DT_NODE_HAS_STATUS(IPC0, okay) == 1, "okay");
_Static_assert(DT_NODE_HAS_STATUS_OKAY(DT_NODELABEL(off)) == 0, "disabled");
_Static_assert(DT_NODE_HAS_STATUS(DT_NODELABEL(off), disabled) == 1, "disabled status");
_Static_assert(DT_NODE_EXISTS(DT_NODELABEL(off)) == 1, "exists");
_Static_assert(DT_HAS_CHOSEN(zephyr_ipc) == 1, "chosen");
_Static_assert(DT_SAME_NODE(DT_CHOSEN(zephyr_ipc), IPC0), "chosen ipc0");
_Static_assert(DT_SAME_NODE(DT_ALIAS(ipm), DT_NODELABEL(mailbox0)), "alias");
_Static_assert(DT_SAME_NODE(DT_PATH(ipc, ipc0), IPC0), "path");
_Static_assert(DT_SAME_NODE(DT_PROP(IPC0, memory_region), DT_NODELABEL(ipc_shm)), "phandle");
_Static_assert(DT_SAME_NODE(DT_MBOX_CTLR_BY_NAME(IPC0, tx), DT_NODELABEL(mbox)), "mbox ctlr");
_Static_assert(DT_MBOX_CHANNEL_BY_NAME(IPC1, rx) == 3, "mbox channel");
_Static_assert(DT_NODE_HAS_COMPAT(IPC1, zephyr_ipc_icmsg) == 1, "compat");
_Static_assert(IS_ENABLED(CONFIG_IPC_SERVICE) && !IS_ENABLED(CONFIG_NOT_AN_OPTION), "kconfig");
_Static_assert(CONFIG_PBUF_RX_READ_BUF_SIZE == 256, "int option");
_Static_assert(CONFIG_IPC_SERVICE_STATIC_VRINGS_MEM_ALIGNMENT == 4, "default of an int option");

/* glibc numbers errno like Linux: the conversion is the identity here. */
_Static_assert(AMP_EINVAL == -EINVAL && AMP_ENOTSUP == -ENOTSUP && AMP_EALREADY == -EALREADY &&
		       AMP_EMSGSIZE == -EMSGSIZE && AMP_ENOTCONN == -ENOTCONN,
	       "errno values");

static void test_devicetree_values(void **state)
{
	static const uint32_t regs[] = DT_PROP(DT_NODELABEL(shared_ram), reg);
	static const char *const names[] = DT_PROP(IPC0, mbox_names);
	struct mbox_dt_spec tx = MBOX_DT_SPEC_GET(IPC0, tx);
	struct mbox_dt_spec rx = MBOX_DT_SPEC_GET(IPC1, rx);

	(void)state;
	assert_string_equal(DT_PROP(IPC0, role), "host");
	assert_string_equal(DT_PROP(DT_ROOT, model), "compat test core");
	assert_string_equal(DT_NODE_PATH(IPC1), "/ipc/ipc1");
	assert_string_equal(DT_NODE_FULL_NAME(DT_NODELABEL(shared_ram)), "shared_ram@20040000");
	assert_int_equal(regs[0], 0x20040000u);
	assert_int_equal(regs[1], 0x8000u);
	assert_string_equal(names[1], "rx");
	assert_ptr_equal(tx.dev, DEVICE_DT_GET(DT_NODELABEL(mbox)));
	assert_int_equal(tx.channel_id, 0);
	assert_int_equal(rx.channel_id, 3);
	assert_null(DEVICE_DT_GET_OR_NULL(DT_NODELABEL(shared_ram)));
	assert_ptr_equal(DEVICE_DT_GET_OR_NULL(IPC0), DEVICE_DT_GET(IPC0));
}

static void test_devices_started(void **state)
{
	size_t size = 0;

	(void)state;
	assert_int_equal(amp_zephyr_init(), 0); /* idempotent: reports the start-up result */
	assert_true(device_is_ready(DEVICE_DT_GET(IPC0)));
	assert_true(device_is_ready(DEVICE_DT_GET(IPC1)));
	assert_true(device_is_ready(DEVICE_DT_GET(DT_NODELABEL(mbox))));
	assert_true(device_is_ready(DEVICE_DT_GET(DT_NODELABEL(mailbox0))));
	assert_false(device_is_ready(NULL));
	assert_ptr_equal(device_get_binding("ipc1"), DEVICE_DT_GET(IPC1));
	assert_null(device_get_binding("ipc9"));
	/* regions appear at their devicetree address */
	assert_ptr_equal(amp_zephyr_region("shared_ram", &size),
			 (void *)DT_REG_ADDR(DT_NODELABEL(shared_ram)));
	assert_int_equal(size, 0x8000);
	assert_ptr_equal(amp_zephyr_region("shared_ram@20040000", NULL), (void *)0x20040000UL);
	assert_null(amp_zephyr_region("nothing", NULL));
	assert_non_null(amp_zephyr_mbox(DEVICE_DT_GET(DT_NODELABEL(mbox))));
	assert_null(amp_zephyr_mbox(DEVICE_DT_GET(IPC0)));
	assert_non_null(amp_zephyr_ipc_instance(DEVICE_DT_GET(IPC0)));
	/* the memory is there and writable */
	memset((void *)DT_REG_ADDR(DT_NODELABEL(shared_ram)), 0x5a, 64);
	assert_int_equal(sys_cache_data_flush_range((void *)DT_REG_ADDR(DT_NODELABEL(shared_ram)), 64), 0);
	assert_int_equal(sys_cache_data_invd_range((void *)DT_REG_ADDR(DT_NODELABEL(shared_ram)), 64), 0);
	assert_int_equal(((volatile uint8_t *)DT_REG_ADDR(DT_NODELABEL(shared_ram)))[63], 0x5a);
}

static void test_ipc_service_codes(void **state)
{
	const struct device *ipc0 = DEVICE_DT_GET(IPC0);
	const struct device *mbox = DEVICE_DT_GET(DT_NODELABEL(mbox));
	static struct ipc_ept a, b, c, d;
	const struct ipc_ept_cfg cfg_a = {.name = "alpha"};
	const struct ipc_ept_cfg cfg_b = {.name = "beta"};
	const struct ipc_ept_cfg cfg_c = {.name = "gamma"};
	const struct ipc_ept_cfg cfg_empty = {.name = ""};
	struct amp_zephyr_ept_stats st;
	void *buf = NULL;
	uint32_t size = 0;

	(void)state;
	assert_int_equal(ipc_service_open_instance(NULL), -EINVAL);
	assert_int_equal(ipc_service_close_instance(NULL), -EINVAL);
	assert_int_equal(ipc_service_open_instance(mbox), -EIO); /* not an IPC instance */
	assert_int_equal(ipc_service_register_endpoint(NULL, &a, &cfg_a), -EINVAL);
	assert_int_equal(ipc_service_register_endpoint(ipc0, NULL, &cfg_a), -EINVAL);
	assert_int_equal(ipc_service_register_endpoint(ipc0, &a, NULL), -EINVAL);
	assert_int_equal(ipc_service_register_endpoint(mbox, &a, &cfg_a), -EIO);
	assert_int_equal(ipc_service_deregister_endpoint(NULL), -EINVAL);
	assert_int_equal(ipc_service_deregister_endpoint(&a), -ENOENT);
	assert_int_equal(ipc_service_send(NULL, "x", 1), -EINVAL);
	assert_int_equal(ipc_service_send(&a, "x", 1), -ENOENT);
	assert_int_equal(ipc_service_get_tx_buffer_size(&a), -ENOENT);
	assert_int_equal(ipc_service_get_tx_buffer(&a, &buf, &size, K_NO_WAIT), -ENOENT);
	assert_int_equal(ipc_service_hold_rx_buffer(NULL, buf), -EINVAL);

	assert_int_equal(ipc_service_open_instance(ipc0), 0);
	assert_int_equal(ipc_service_open_instance(ipc0), -EALREADY);
	assert_int_equal(ipc_service_register_endpoint(ipc0, &a, &cfg_empty), -EINVAL);
	assert_null(a.instance);
	assert_int_equal(ipc_service_register_endpoint(ipc0, &a, &cfg_a), 0);
	assert_ptr_equal(a.instance, ipc0);
	assert_int_equal(ipc_service_register_endpoint(ipc0, &a, &cfg_a), -EALREADY);
	assert_int_equal(ipc_service_register_endpoint(ipc0, &b, &cfg_b), 0);
	/* CONFIG_IPC_SERVICE_BACKEND_RPMSG_NUM_ENDPOINTS_PER_INSTANCE=2 */
	assert_int_equal(ipc_service_register_endpoint(ipc0, &c, &cfg_c), -ENOMEM);
	/* no peer: not bound, so sending is refused, not lost */
	assert_int_equal(ipc_service_send(&a, "hello", 5), -EBUSY);
	assert_int_equal(amp_zephyr_ept_stats(&a, &st), 0);
	assert_false(st.bound);
	assert_int_equal(st.rx_msgs, 0);
	assert_int_equal(amp_zephyr_ept_stats(NULL, &st), -EINVAL);
	assert_int_equal(ipc_service_close_instance(ipc0), -EBUSY);

	assert_int_equal(ipc_service_deregister_endpoint(&a), 0);
	assert_null(a.instance);
	assert_int_equal(ipc_service_send(&a, "x", 1), -ENOENT);
	assert_int_equal(ipc_service_deregister_endpoint(&a), -ENOENT);
	/* the slot is free again */
	assert_int_equal(ipc_service_register_endpoint(ipc0, &d, &cfg_c), 0);
	assert_int_equal(ipc_service_deregister_endpoint(&d), 0);
	assert_int_equal(ipc_service_deregister_endpoint(&b), 0);
	assert_int_equal(ipc_service_close_instance(ipc0), 0);
	assert_int_equal(ipc_service_close_instance(ipc0), -EALREADY);
}

static void test_icmsg_instance(void **state)
{
	const struct device *ipc1 = DEVICE_DT_GET(IPC1);
	static struct ipc_ept e;
	const struct ipc_ept_cfg cfg = {.name = "ignored by icmsg"};

	(void)state;
	assert_int_equal(ipc_service_register_endpoint(ipc1, &e, &cfg), 0);
	assert_int_equal(ipc_service_send(&e, "x", 1), -EBUSY);
	assert_int_equal(ipc_service_deregister_endpoint(&e), 0);
}

static void test_mbox_codes(void **state)
{
	const struct device *mbox = DEVICE_DT_GET(DT_NODELABEL(mbox));
	struct mbox_dt_spec tx = MBOX_DT_SPEC_GET(IPC0, tx);
	const struct mbox_msg data = {.data = "abc", .size = 3};

	(void)state;
	assert_true(mbox_is_ready_dt(&tx));
	assert_int_equal(mbox_mtu_get(mbox), 0);
	assert_int_equal(mbox_mtu_get_dt(&tx), 0);
	assert_int_equal(mbox_max_channels_get(mbox), 4);
	assert_int_equal(mbox_max_channels_get_dt(&tx), 4);
	assert_int_equal(mbox_send(NULL, 0, NULL), -EINVAL);
	assert_int_equal(mbox_send(mbox, 9, NULL), -EINVAL);
	assert_int_equal(mbox_send(mbox, 1, NULL), -EINVAL);   /* inbound channel */
	assert_int_equal(mbox_send(mbox, 0, &data), -EMSGSIZE); /* signalling mode */
	assert_int_equal(mbox_register_callback(mbox, 0, NULL, NULL), -EINVAL); /* outbound */
	assert_int_equal(mbox_set_enabled(mbox, 0, true), -EINVAL);
	assert_int_equal(mbox_set_enabled(DEVICE_DT_GET(IPC0), 1, true), -EIO);
}

/* ---- IPM round trip with a native peer in this process ----------------- */

static struct amp_mbox peer;
static struct amp_mbox_linux peer_drv;
static struct amp_mbox_linux_cfg peer_cfg;
static char peer_region[96];
static volatile uint32_t peer_got, local_got;
static const struct device *volatile local_dev;

static void peer_ipm(struct amp_mbox *m, void *user, uint32_t id, volatile void *data)
{
	(void)m;
	(void)user;
	(void)data;
	peer_got = id;
}

static void local_ipm(const struct device *dev, void *user, uint32_t id, volatile void *data)
{
	(void)user;
	(void)data;
	local_dev = dev;
	local_got = id;
}

static bool wait_value(volatile uint32_t *v, uint32_t want)
{
	for (int i = 0; i < 2000 && *v != want; i++) {
		k_msleep(1);
	}
	return *v == want;
}

static void test_ipm_round_trip(void **state)
{
	const struct device *ipm = DEVICE_DT_GET(DT_NODELABEL(mailbox0));
	const char *prefix = getenv("AMPLINK_SHM_PREFIX");

	(void)state;
	assert_int_equal(ipm_max_id_val_get(ipm), 0xFFFFFFFFu);
	assert_int_equal(ipm_max_data_size_get(ipm), 4);
	assert_int_equal(ipm_send(ipm, 0, 1, "12345", 5), -EMSGSIZE);
	assert_int_equal(ipm_send(NULL, 0, 1, NULL, 0), -EINVAL);
	assert_int_equal(ipm_max_data_size_get(NULL), -EINVAL);

	/* The other side of mailbox0, opened natively (anywhere in memory). */
	snprintf(peer_region, sizeof(peer_region), "%sipm_shm-200f2000", prefix ? prefix : "");
	peer_cfg.shm.name = peer_region;
	peer_cfg.side = 1;
	peer_cfg.num_channels = 2;
	peer_cfg.tx_mask = 1u << 1;
	peer_cfg.rx_mask = 1u << 0;
	peer_cfg.mtu = 8;
	peer_cfg.ipm_mode = AMP_MBOX_IPM_ID_IN_DATA;
	peer_cfg.ipm_tx_channel = 1;
	assert_int_equal(amp_mbox_linux_init(&peer, &peer_drv, &peer_cfg), 0);
	amp_ipm_register_callback(&peer, peer_ipm, NULL);
	assert_int_equal(amp_ipm_set_enabled(&peer, 1), 0);

	ipm_register_callback(ipm, local_ipm, NULL);
	assert_int_equal(ipm_set_enabled(ipm, 1), 0);

	assert_int_equal(ipm_send(ipm, 0, 0x12345678, NULL, 0), 0);
	assert_true(wait_value(&peer_got, 0x12345678u));
	assert_int_equal(amp_ipm_send(&peer, 0, 0xCAFEF00Du, NULL, 0), 0);
	assert_true(wait_value(&local_got, 0xCAFEF00Du));
	assert_ptr_equal(local_dev, ipm);
	assert_int_equal(amp_mbox_linux_deinit(&peer), 0);
}

/* ---- kernel objects ----------------------------------------------------- */

static K_SEM_DEFINE(sem, 0, 2);
static K_MUTEX_DEFINE(mtx);

static void *other_thread(void *arg)
{
	int *rc = arg;

	rc[0] = k_mutex_lock(&mtx, K_NO_WAIT);
	rc[1] = k_mutex_lock(&mtx, K_MSEC(5));
	rc[2] = k_mutex_unlock(&mtx);
	return NULL;
}

static void test_kernel(void **state)
{
	struct k_sem bad;
	int64_t t0;
	pthread_t th;
	int rc[3];
	static struct k_spinlock lock; /* zero = free, as in Zephyr */
	k_spinlock_key_t key, key2;

	(void)state;
	assert_int_equal(k_sem_take(&sem, K_NO_WAIT), -EBUSY);
	t0 = k_uptime_get();
	assert_int_equal(k_sem_take(&sem, K_MSEC(20)), -EAGAIN);
	assert_true(k_uptime_get() - t0 >= 19);
	k_sem_give(&sem);
	k_sem_give(&sem);
	k_sem_give(&sem); /* saturates at the limit */
	assert_int_equal(k_sem_count_get(&sem), 2);
	assert_int_equal(k_sem_take(&sem, K_FOREVER), 0);
	assert_int_equal(k_sem_take(&sem, K_MSEC(1)), 0);
	assert_int_equal(k_sem_init(&bad, 3, 2), -EINVAL);
	assert_int_equal(k_sem_init(&bad, 0, 0), -EINVAL);

	assert_int_equal(k_mutex_unlock(&mtx), -EINVAL);
	assert_int_equal(k_mutex_lock(&mtx, K_FOREVER), 0);
	assert_int_equal(k_mutex_lock(&mtx, K_NO_WAIT), 0); /* recursive */
	assert_int_equal(pthread_create(&th, NULL, other_thread, rc), 0);
	pthread_join(th, NULL);
	assert_int_equal(rc[0], -EBUSY);
	assert_int_equal(rc[1], -EAGAIN);
	assert_int_equal(rc[2], -EPERM);
	assert_int_equal(k_mutex_unlock(&mtx), 0);
	assert_int_equal(k_mutex_unlock(&mtx), 0);
	assert_int_equal(k_mutex_unlock(&mtx), -EINVAL);

	key = k_spin_lock(&lock);
	assert_int_equal(k_spin_trylock(&lock, &key2), -EBUSY);
	k_spin_unlock(&lock, key);
	assert_int_equal(k_spin_trylock(&lock, &key2), 0);
	k_spin_unlock(&lock, key2);

	assert_true(K_TIMEOUT_EQ(K_MSEC(2), K_USEC(2000)));
	assert_int_equal(k_timeout_to_us(K_FOREVER), AMP_FOREVER);
	assert_int_equal(k_timeout_to_us(K_NO_WAIT), 0);
	assert_int_equal(k_timeout_to_us(K_SECONDS(1)), 1000000);
	assert_false(k_is_in_isr());
	LOG_INF("log line through printk (%d)", 42);
}

static void test_err_to_errno(void **state)
{
	(void)state;
	for (int e = -130; e <= 5; e++) {
		int z = amp_err_to_errno(e);

		if (e >= 0) {
			assert_int_equal(z, e);
		} else if (amp_errname(e) != NULL) {
			assert_int_equal(z, e); /* glibc: identity */
		} else {
			assert_int_equal(z, -EIO);
		}
	}
}

static void remove_regions(void)
{
	const char *dir = getenv("AMPLINK_SHM_DIR");
	const char *prefix = getenv("AMPLINK_SHM_PREFIX");
	char path[1024];
	struct dirent *e;
	DIR *d;

	if (dir == NULL || prefix == NULL || prefix[0] == '\0' || (d = opendir(dir)) == NULL) {
		return;
	}
	while ((e = readdir(d)) != NULL) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			unlink(path);
		}
	}
	closedir(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_devicetree_values),
		cmocka_unit_test(test_devices_started),
		cmocka_unit_test(test_ipc_service_codes),
		cmocka_unit_test(test_icmsg_instance),
		cmocka_unit_test(test_mbox_codes),
		cmocka_unit_test(test_ipm_round_trip),
		cmocka_unit_test(test_kernel),
		cmocka_unit_test(test_err_to_errno),
	};
	int rc;

	alarm(50);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	remove_regions();
	return rc;
}
