/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Core 0 ("app") of the seed example: runs the seed document's snippets
 * (seed_snippets.c) and checks, step by step, that what they start works:
 * the RPMsg endpoint binds, messages flow both ways, the IPM value arrives,
 * a block written to shared_ram is read back intact by the other core, a
 * message travels zero-copy (written in place, held by the receiver), and
 * the cross-core k_spinlock keeps a shared counter exact.
 *
 * The seed's endpoint_cb() ignores what it receives, so this core checks
 * its replies through the compatibility layer's endpoint statistics (count
 * and a running hash of every payload, in order).
 */
#include "demo.h"
#include "seed_app.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zephyr/amp_compat.h>
#include <zephyr/cache.h>
#include <zephyr/devicetree.h>
#include <zephyr/drivers/ipm.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/kernel.h>
#include <zephyr/spinlock.h>

/* The endpoint the seed's init_ipc_service() registers. */
struct ipc_ept ept;

static uint32_t expect_hash = AMP_ZEPHYR_HASH_INIT;
static uint32_t expect_msgs;
static int failures;

static void check(bool ok, const char *fmt, ...) DEMO_PRINTF(2, 3);

static void check(bool ok, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printk("[app] %s %s\n", ok ? "ok  " : "FAIL", line);
	if (!ok) {
		failures++;
	}
}

/* Replies arrive at the seed's endpoint_cb(); remember what they must be. */
static void expect_reply(const char *text)
{
	expect_hash = amp_zephyr_hash(expect_hash, text, strlen(text));
	expect_msgs++;
}

static struct amp_zephyr_ept_stats stats_now(void)
{
	struct amp_zephyr_ept_stats s;

	(void)amp_zephyr_ept_stats(&ept, &s);
	return s;
}

static bool wait_bound(void)
{
	for (int ms = 0; ms < DEMO_WAIT_MS; ms++) {
		if (stats_now().bound) {
			return true;
		}
		k_msleep(1);
	}
	return false;
}

static bool wait_replies(void)
{
	for (int ms = 0; ms < DEMO_WAIT_MS; ms++) {
		if (stats_now().rx_msgs >= expect_msgs) {
			return true;
		}
		k_msleep(1);
	}
	return false;
}

/* Send a text message, retrying while RPMsg has no free buffer. */
static int send_text(const char *fmt, ...) DEMO_PRINTF(1, 2);

static int send_text(const char *fmt, ...)
{
	char msg[64];
	va_list ap;
	int len, rc = -EAGAIN;

	va_start(ap, fmt);
	len = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (int ms = 0; ms < DEMO_WAIT_MS; ms++) {
		rc = ipc_service_send(&ept, msg, (size_t)len);
		if (rc != -ENOMEM && rc != -EBUSY) {
			break;
		}
		k_msleep(1);
	}
	if (rc < 0) {
		check(false, "send \"%s\": error %d", msg, rc);
	}
	return rc;
}

static void step_messages(void)
{
	char reply[32];

	for (uint32_t i = 1; i <= DEMO_PINGS; i++) {
		if (send_text("ping %u", i) < 0) {
			return;
		}
		snprintf(reply, sizeof(reply), "pong %u", i);
		expect_reply(reply);
	}
	printk("[app] sent %u pings on my_endpoint\n", DEMO_PINGS);
	check(wait_replies(), "%u pongs came back over RPMsg", DEMO_PINGS);
}

static void step_ipm(void)
{
	send_signal(); /* the seed's snippet: ipm_send(mailbox0, 0, 0x12345678, NULL, 0) */
	printk("[app] send_signal(): IPM value 0x12345678 sent on mailbox0\n");
	expect_reply("ipm 12345678");
	check(wait_replies(), "the other core confirms IPM value 0x12345678");
}

static void step_shared_ram(uint32_t seed)
{
	uint8_t *block = (uint8_t *)DT_REG_ADDR(DT_NODELABEL(shared_ram)) + DEMO_BLOCK_OFF;
	uint32_t hash;
	char reply[32];

	access_shared(); /* the seed's snippet (a sketch: it only forms the pointer) */
	for (uint32_t i = 0; i < DEMO_BLOCK_LEN; i++) {
		block[i] = demo_pattern(seed, i);
	}
	sys_cache_data_flush_range(block, DEMO_BLOCK_LEN);
	hash = amp_zephyr_hash(AMP_ZEPHYR_HASH_INIT, block, DEMO_BLOCK_LEN);
	printk("[app] wrote %u bytes at 0x%lx in shared_ram (flushed), hash %08x\n",
	       DEMO_BLOCK_LEN, (unsigned long)(uintptr_t)block, hash);
	if (send_text("shm %u %u %08x", DEMO_BLOCK_LEN, seed, hash) < 0) {
		return;
	}
	snprintf(reply, sizeof(reply), "shm ok %08x", hash);
	expect_reply(reply);
	check(wait_replies(), "the other core read the block back (invalidated) and checked it");
}

static void step_zero_copy(void)
{
	void *buf = NULL;
	uint32_t size = 0; /* as large as possible */
	uint8_t *p;
	int rc;
	char reply[32];

	rc = ipc_service_get_tx_buffer(&ept, &buf, &size, K_MSEC(DEMO_WAIT_MS));
	if (rc != 0 || size < 3 + DEMO_ZC_LEN) {
		check(false, "ipc_service_get_tx_buffer: %d (size %u)", rc, size);
		return;
	}
	p = buf;
	memcpy(p, "zc ", 3);
	for (uint32_t i = 0; i < DEMO_ZC_LEN; i++) {
		p[3 + i] = demo_pattern(0x2c0, i);
	}
	rc = ipc_service_send_nocopy(&ept, buf, 3 + DEMO_ZC_LEN);
	printk("[app] zero copy: wrote %u bytes in place into a %u-byte RPMsg buffer at 0x%lx, sent it (%d)\n",
	       3 + DEMO_ZC_LEN, size, (unsigned long)(uintptr_t)buf, rc);
	if (rc != (int)(3 + DEMO_ZC_LEN)) {
		check(false, "ipc_service_send_nocopy: %d", rc);
		(void)ipc_service_drop_tx_buffer(&ept, buf);
		return;
	}
	snprintf(reply, sizeof(reply), "zc ok %u", 3 + DEMO_ZC_LEN);
	expect_reply(reply);
	check(wait_replies(), "the other core held the buffer, checked it in place and released it");
}

static void step_spinlock(void)
{
	uint8_t *base = (uint8_t *)DT_REG_ADDR(DT_NODELABEL(shared_ram));
	struct k_spinlock *lock = (struct k_spinlock *)DT_REG_ADDR(DT_NODELABEL(demo_lock));
	volatile uint32_t *counter = (volatile uint32_t *)(void *)(base + DEMO_COUNTER_OFF);
	uint32_t final;

	*counter = 0;
	sys_cache_data_flush_range((void *)(uintptr_t)counter, sizeof(*counter));
	if (send_text("lock %u", DEMO_LOCK_ROUNDS) < 0) {
		return;
	}
	expect_reply("lock done");
	for (uint32_t i = 0; i < DEMO_LOCK_ROUNDS; i++) {
		k_spinlock_key_t key = k_spin_lock(lock);

		sys_cache_data_invd_range((void *)(uintptr_t)counter, sizeof(*counter));
		*counter = *counter + 1;
		sys_cache_data_flush_range((void *)(uintptr_t)counter, sizeof(*counter));
		k_spin_unlock(lock, key);
	}
	if (!wait_replies()) {
		check(false, "the other core did not finish its increments");
		return;
	}
	sys_cache_data_invd_range((void *)(uintptr_t)counter, sizeof(*counter));
	final = *counter;
	check(final == 2 * DEMO_LOCK_ROUNDS,
	      "shared counter = %u after 2 x %u increments under k_spin_lock", final,
	      DEMO_LOCK_ROUNDS);
}

int main(void)
{
	const struct device *ipc_dev = DEVICE_DT_GET(DT_NODELABEL(ipc0));
	const struct device *ipm_dev = DEVICE_DT_GET(DT_NODELABEL(mailbox0));
	struct amp_zephyr_ept_stats s;

	printk("[app] core 0 up: ipc0 = RPMsg %s, shared_ram = 0x%lx (%lu bytes)\n",
	       DT_PROP(DT_NODELABEL(ipc0), role), DT_REG_ADDR(DT_NODELABEL(shared_ram)),
	       DT_REG_SIZE(DT_NODELABEL(shared_ram)));
	if (!device_is_ready(ipc_dev) || !device_is_ready(ipm_dev)) {
		printk("[app] FAIL devices not ready (ipc0 %d, mailbox0 %d)\n",
		       device_is_ready(ipc_dev), device_is_ready(ipm_dev));
		return 2;
	}

	init_ipc_service(); /* the seed's snippet: registers "my_endpoint" on ipc0 */
	if (!wait_bound()) {
		check(false, "my_endpoint did not bind within %d ms", DEMO_WAIT_MS);
		return 1;
	}
	printk("[app] my_endpoint bound\n");

	step_messages();
	if (failures == 0) {
		step_ipm();
	}
	if (failures == 0) {
		step_shared_ram((uint32_t)k_uptime_get() * 2654435761u + 1u);
	}
	if (failures == 0) {
		step_zero_copy();
	}
	if (failures == 0) {
		step_spinlock();
	}
	(void)send_text("bye");

	s = stats_now();
	check(s.rx_msgs == expect_msgs && s.rx_hash == expect_hash,
	      "%u replies received by the seed's endpoint_cb, content hash %08x (expected %u, %08x)",
	      s.rx_msgs, s.rx_hash, expect_msgs, expect_hash);
	printk("[app] %s\n", failures == 0 ? "all checks passed" : "FAILED");
	return failures == 0 ? 0 : 1;
}
