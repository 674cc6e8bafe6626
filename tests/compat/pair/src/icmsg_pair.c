/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Both cores of the ICMsg pair (CONFIG_AMP_CORE_ID tells them apart), written
 * against the Zephyr API. Core 0 sends messages of 1..64 bytes and checks
 * that exactly those come back (count and hash); a 65-byte send must fail
 * with -EMSGSIZE (CONFIG_PBUF_RX_READ_BUF_SIZE=64). Core 1 echoes from its
 * main thread. At the end core 0 deregisters and core 1 must see `unbound`.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <zephyr/amp_compat.h>
#include <zephyr/devicetree.h>
#include <zephyr/ipc/ipc_service.h>
#include <zephyr/kernel.h>

#define MESSAGES 300u
#define MAX_LEN CONFIG_PBUF_RX_READ_BUF_SIZE
#define WAIT_MS 10000
#define QLEN 512u /* >= MESSAGES: the callback never has to drop */

static struct ipc_ept ept;
static K_SEM_DEFINE(events, 0, 100000);
static volatile bool bound, unbound;
static struct {
	uint8_t data[MAX_LEN];
	uint32_t len;
} queue[QLEN];
static volatile uint32_t q_head, q_tail, q_lost;

static void on_bound(void *priv)
{
	(void)priv;
	bound = true;
	k_sem_give(&events);
}

static void on_unbound(void *priv)
{
	(void)priv;
	unbound = true;
	k_sem_give(&events);
}

static void on_received(const void *data, size_t len, void *priv)
{
	uint32_t h = q_head;

	(void)priv;
	if (h - q_tail >= QLEN || len > MAX_LEN) {
		q_lost++;
	} else {
		memcpy(queue[h % QLEN].data, data, len);
		queue[h % QLEN].len = (uint32_t)len;
		__atomic_store_n(&q_head, h + 1, __ATOMIC_RELEASE);
	}
	k_sem_give(&events);
}

static void message(uint32_t i, uint8_t *buf, uint32_t *len)
{
	*len = 1 + (i * 7u) % MAX_LEN;
	for (uint32_t k = 0; k < *len; k++) {
		buf[k] = (uint8_t)(i * 31u + k);
	}
}

static int send_retry(const void *data, size_t len)
{
	int rc = -EAGAIN;

	for (int ms = 0; ms < WAIT_MS; ms++) {
		rc = ipc_service_send(&ept, data, len);
		if (rc != -ENOMEM) {
			break;
		}
		k_msleep(1);
	}
	return rc;
}

static bool wait_for(volatile bool *flag)
{
	for (int ms = 0; ms < WAIT_MS && !*flag; ms++) {
		(void)k_sem_take(&events, K_MSEC(1));
	}
	return *flag;
}

static int core0(void)
{
	uint8_t buf[MAX_LEN + 1];
	uint32_t len, expect = AMP_ZEPHYR_HASH_INIT;
	struct amp_zephyr_ept_stats st;
	int rc;

	for (uint32_t i = 0; i < MESSAGES; i++) {
		message(i, buf, &len);
		expect = amp_zephyr_hash(expect, buf, len);
		rc = send_retry(buf, len);
		if (rc != (int)len) {
			printk("[a] FAIL send %u (%u bytes): %d\n", i, len, rc);
			return 1;
		}
	}
	memset(buf, 0x77, sizeof(buf));
	rc = ipc_service_send(&ept, buf, MAX_LEN + 1);
	if (rc != -EMSGSIZE) {
		printk("[a] FAIL a %d-byte send returned %d, not -EMSGSIZE\n", MAX_LEN + 1, rc);
		return 1;
	}
	for (int ms = 0; ms < WAIT_MS; ms++) {
		(void)amp_zephyr_ept_stats(&ept, &st);
		if (st.rx_msgs >= MESSAGES) {
			break;
		}
		k_msleep(1);
	}
	if (st.rx_msgs != MESSAGES || st.rx_hash != expect) {
		printk("[a] FAIL echoes: %u messages, hash %08x (expected %u, %08x)\n", st.rx_msgs,
		       st.rx_hash, MESSAGES, expect);
		return 1;
	}
	printk("[a] ok %u echoes intact; oversize send refused with -EMSGSIZE\n", MESSAGES);
	rc = ipc_service_deregister_endpoint(&ept);
	if (rc != 0) {
		printk("[a] FAIL deregister: %d\n", rc);
		return 1;
	}
	return 0;
}

static int core1(void)
{
	uint32_t echoed = 0;

	while (!unbound) {
		if (k_sem_take(&events, K_MSEC(WAIT_MS)) != 0) {
			printk("[b] FAIL nothing happened for %d ms (%u echoed)\n", WAIT_MS, echoed);
			return 1;
		}
		while (q_tail != __atomic_load_n(&q_head, __ATOMIC_ACQUIRE)) {
			int rc = send_retry(queue[q_tail % QLEN].data, queue[q_tail % QLEN].len);

			if (rc < 0) {
				printk("[b] FAIL echo: %d\n", rc);
				return 1;
			}
			echoed++;
			__atomic_store_n(&q_tail, q_tail + 1, __ATOMIC_RELEASE);
		}
	}
	if (q_lost != 0 || echoed != MESSAGES) {
		printk("[b] FAIL echoed %u, lost %u\n", echoed, q_lost);
		return 1;
	}
	printk("[b] ok echoed %u messages, then the peer's close arrived as unbound\n", echoed);
	return 0;
}

int main(void)
{
	const struct ipc_ept_cfg cfg = {
		.name = "pair",
		.cb = {.bound = on_bound, .unbound = on_unbound, .received = on_received},
	};
	int rc = ipc_service_register_endpoint(DEVICE_DT_GET(DT_NODELABEL(ipc0)), &ept, &cfg);

	if (rc != 0) {
		printk("FAIL register: %d\n", rc);
		return 1;
	}
	if (!wait_for(&bound)) {
		printk("FAIL not bound within %d ms\n", WAIT_MS);
		return 1;
	}
	printk("[%c] bound over ICMsg (%s)\n", CONFIG_AMP_CORE_ID ? 'b' : 'a',
	       DT_PROP(DT_NODELABEL(ipc0), unbound));
	return CONFIG_AMP_CORE_ID == 0 ? core0() : core1();
}
