/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Core 1 ("net") of the seed example: the peer the seed's snippets talk to,
 * written against the same Zephyr API. Its callbacks (interrupt context)
 * only queue what arrived and wake the main thread with a k_sem; the main
 * thread checks each request and answers it on "my_endpoint".
 */
#include "demo.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zephyr/amp_compat.h>
#include <zephyr/cache.h>
#include <zephyr/devicetree.h>
#include <zephyr/drivers/ipm.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/kernel.h>
#include <zephyr/spinlock.h>

#define QUEUE_LEN 16u
#define MSG_MAX 64u

static struct ipc_ept net_ept;
static K_SEM_DEFINE(work, 0, 1000);

/* Single-producer (callback) / single-consumer (main) queue of messages. */
static struct {
	char text[MSG_MAX];
	uint32_t len;
} queue[QUEUE_LEN];
static volatile uint32_t q_head, q_tail;
static volatile uint32_t q_overflow;

/* The zero-copy message: held past the callback, checked and released by main. */
static void *volatile zc_buf;
static volatile uint32_t zc_len;
static volatile int zc_hold_rc = 1;

static volatile bool ipm_seen;
static volatile uint32_t ipm_value;
static int failures;

static void check(bool ok, const char *fmt, ...) DEMO_PRINTF(2, 3);

static void check(bool ok, const char *fmt, ...)
{
	char line[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	printk("[net] %s %s\n", ok ? "ok  " : "FAIL", line);
	if (!ok) {
		failures++;
	}
}

static void on_bound(void *priv)
{
	(void)priv;
	printk("[net] my_endpoint bound\n");
	k_sem_give(&work);
}

static void on_received(const void *data, size_t len, void *priv)
{
	uint32_t head = q_head;

	(void)priv;
	if (len >= 3 && memcmp(data, "zc ", 3) == 0 && zc_buf == NULL) {
		/* Keep the buffer itself (no copy) until the main thread is done. */
		zc_hold_rc = ipc_service_hold_rx_buffer(&net_ept, (void *)(uintptr_t)data);
		zc_len = (uint32_t)len;
		__atomic_store_n(&zc_buf, (void *)(uintptr_t)data, __ATOMIC_RELEASE);
		k_sem_give(&work);
		return;
	}
	if (head - q_tail >= QUEUE_LEN || len >= MSG_MAX) {
		q_overflow++;
	} else {
		memcpy(queue[head % QUEUE_LEN].text, data, len);
		queue[head % QUEUE_LEN].text[len] = '\0';
		queue[head % QUEUE_LEN].len = (uint32_t)len;
		__atomic_store_n(&q_head, head + 1, __ATOMIC_RELEASE);
	}
	k_sem_give(&work);
}

static void on_ipm(const struct device *dev, void *user_data, uint32_t id, volatile void *data)
{
	(void)dev;
	(void)user_data;
	(void)data;
	ipm_value = id;
	ipm_seen = true;
	k_sem_give(&work);
}

static void reply(const char *fmt, ...) DEMO_PRINTF(1, 2);

static void reply(const char *fmt, ...)
{
	char msg[MSG_MAX];
	va_list ap;
	int len, rc = -EAGAIN;

	va_start(ap, fmt);
	len = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (int ms = 0; ms < DEMO_WAIT_MS; ms++) {
		rc = ipc_service_send(&net_ept, msg, (size_t)len);
		if (rc != -ENOMEM && rc != -EBUSY) {
			break;
		}
		k_msleep(1);
	}
	if (rc < 0) {
		check(false, "reply \"%s\": error %d", msg, rc);
	}
}

static void on_shm(const char *args)
{
	uint8_t *block = (uint8_t *)DT_REG_ADDR(DT_NODELABEL(shared_ram)) + DEMO_BLOCK_OFF;
	unsigned int len = 0, seed = 0, want = 0;
	uint32_t hash, bad = 0;

	if (sscanf(args, "%u %u %x", &len, &seed, &want) != 3 || len != DEMO_BLOCK_LEN) {
		check(false, "malformed shm request \"%s\"", args);
		return;
	}
	sys_cache_data_invd_range(block, len);
	hash = amp_zephyr_hash(AMP_ZEPHYR_HASH_INIT, block, len);
	for (uint32_t i = 0; i < len; i++) {
		bad += block[i] != demo_pattern(seed, i);
	}
	check(bad == 0 && hash == want,
	      "read %u bytes at 0x%lx in shared_ram (invalidated): hash %08x, %u bytes differ", len,
	      (unsigned long)(uintptr_t)block, hash, bad);
	reply("shm %s %08x", bad == 0 && hash == want ? "ok" : "BAD", hash);
}

static void on_zero_copy(void)
{
	const uint8_t *p = zc_buf;
	uint32_t bad = 0;
	int rc;

	if (zc_hold_rc != 0) {
		check(false, "ipc_service_hold_rx_buffer: %d", zc_hold_rc);
		return;
	}
	for (uint32_t i = 0; i + 3 < zc_len; i++) {
		bad += p[3 + i] != demo_pattern(0x2c0, i);
	}
	rc = ipc_service_release_rx_buffer(&net_ept, zc_buf);
	check(bad == 0 && zc_len == 3 + DEMO_ZC_LEN && rc == 0,
	      "zero copy: held the %u-byte message at 0x%lx past its callback, checked it in place "
	      "(%u bytes differ), released it (%d)",
	      zc_len, (unsigned long)(uintptr_t)p, bad, rc);
	reply("zc %s %u", bad == 0 && rc == 0 ? "ok" : "BAD", zc_len);
}

static void on_lock(const char *args)
{
	uint8_t *base = (uint8_t *)DT_REG_ADDR(DT_NODELABEL(shared_ram));
	struct k_spinlock *lock = (struct k_spinlock *)DT_REG_ADDR(DT_NODELABEL(demo_lock));
	volatile uint32_t *counter = (volatile uint32_t *)(void *)(base + DEMO_COUNTER_OFF);
	unsigned long rounds = strtoul(args, NULL, 10);

	for (unsigned long i = 0; i < rounds; i++) {
		k_spinlock_key_t key = k_spin_lock(lock);

		sys_cache_data_invd_range((void *)(uintptr_t)counter, sizeof(*counter));
		*counter = *counter + 1;
		sys_cache_data_flush_range((void *)(uintptr_t)counter, sizeof(*counter));
		k_spin_unlock(lock, key);
	}
	printk("[net] %lu increments of the shared counter under k_spin_lock done\n", rounds);
	reply("lock done");
}

int main(void)
{
	const struct device *ipc_dev = DEVICE_DT_GET(DT_NODELABEL(ipc0));
	const struct device *ipm_dev = DEVICE_DT_GET(DT_NODELABEL(mailbox0));
	const struct ipc_ept_cfg cfg = {
		.name = "my_endpoint",
		.cb = {.bound = on_bound, .received = on_received},
	};
	uint32_t next_ping = 1;
	bool bye = false, ipm_ok = false, shm_done = false, lock_done = false, zc_done = false;
	int rc;

	printk("[net] core 1 up: ipc0 = RPMsg %s\n", DT_PROP(DT_NODELABEL(ipc0), role));
	if (!device_is_ready(ipc_dev) || !device_is_ready(ipm_dev)) {
		printk("[net] FAIL devices not ready\n");
		return 2;
	}
	ipm_register_callback(ipm_dev, on_ipm, NULL);
	rc = ipm_set_enabled(ipm_dev, 1);
	check(rc == 0, "IPM callback enabled on mailbox0 (%d)", rc);
	rc = ipc_service_open_instance(ipc_dev);
	check(rc == 0 || rc == -EALREADY, "ipc0 opened (%d)", rc);
	rc = ipc_service_register_endpoint(ipc_dev, &net_ept, &cfg);
	check(rc == 0, "my_endpoint registered (%d)", rc);

	while (!bye && failures == 0) {
		if (k_sem_take(&work, K_MSEC(DEMO_WAIT_MS)) != 0) {
			check(false, "nothing from the other core for %d ms", DEMO_WAIT_MS);
			break;
		}
		if (ipm_seen && !ipm_ok) {
			ipm_ok = ipm_value == 0x12345678u;
			check(ipm_ok, "IPM value 0x%08x arrived on mailbox0", ipm_value);
			reply("ipm %08x", ipm_value);
		}
		if (__atomic_load_n(&zc_buf, __ATOMIC_ACQUIRE) != NULL && !zc_done) {
			on_zero_copy();
			zc_done = true;
		}
		while (q_tail != __atomic_load_n(&q_head, __ATOMIC_ACQUIRE)) {
			const char *m = queue[q_tail % QUEUE_LEN].text;
			unsigned int n = 0;

			if (sscanf(m, "ping %u", &n) == 1) {
				check(n == next_ping, "received \"%s\" over RPMsg, answering \"pong %u\"", m,
				      n);
				next_ping++;
				reply("pong %u", n);
			} else if (strncmp(m, "shm ", 4) == 0) {
				on_shm(m + 4);
				shm_done = true;
			} else if (strncmp(m, "lock ", 5) == 0) {
				on_lock(m + 5);
				lock_done = true;
			} else if (strcmp(m, "bye") == 0) {
				bye = true;
			} else {
				check(false, "unexpected message \"%s\"", m);
			}
			__atomic_store_n(&q_tail, q_tail + 1, __ATOMIC_RELEASE);
		}
	}
	check(q_overflow == 0, "no message lost in the receive queue");
	check(next_ping == DEMO_PINGS + 1 && ipm_ok && shm_done && zc_done && lock_done && bye,
	      "whole story seen (%u pings, IPM %s, shared_ram %s, zero copy %s, lock %s, bye %s)",
	      next_ping - 1, ipm_ok ? "yes" : "no", shm_done ? "yes" : "no", zc_done ? "yes" : "no",
	      lock_done ? "yes" : "no", bye ? "yes" : "no");
	printk("[net] %s\n", failures == 0 ? "all checks passed" : "FAILED");
	return failures == 0 ? 0 : 1;
}
