/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the fuzz input plays the peer core of a Linux mailbox. It
 * becomes the shared state this side reads (ring counters, slot states, lengths,
 * data) and the state of the peer's slots this side writes into; then this
 * side delivers (amp_mbox_poll) and sends. Nothing the peer writes may make it
 * crash, read or write out of bounds, or hand a callback more than the MTU.
 */
#include "drivers/mbox/linux/mbox_linux_layout.h"

#include <amplink/errno.h>
#include <amplink/mbox.h>
#include <amplink/mbox_linux.h>
#include <amplink/port.h>
#include <amplink/shm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FUZZ_MTU 16

static struct amp_mbox dev;
static struct amp_mbox_linux drv;
static struct amp_mbox_linux_cfg cfg;
static char name[64];
static int ready;

static void check_msg(const struct amp_mbox_msg *msg)
{
	if (msg != NULL && (msg->size > FUZZ_MTU || (msg->size > 0 && msg->data == NULL))) {
		abort();
	}
	if (msg != NULL && msg->size > 0) {
		volatile uint8_t sink = 0;
		for (size_t i = 0; i < msg->size; i++) {
			sink ^= ((const uint8_t *)msg->data)[i];
		}
		(void)sink;
	}
}

static void on_msg(struct amp_mbox *mbox, uint32_t channel, void *user_data,
		   const struct amp_mbox_msg *msg)
{
	(void)mbox;
	(void)user_data;
	if (channel > 1 || !amp_port_in_isr()) {
		abort();
	}
	check_msg(msg);
}

static void on_ipm(struct amp_mbox *mbox, void *user_data, uint32_t id, volatile void *data)
{
	(void)mbox;
	(void)user_data;
	(void)id;
	if (data != NULL) {
		volatile uint8_t sink = 0;
		for (int i = 0; i < FUZZ_MTU - 4; i++) {
			sink ^= ((volatile uint8_t *)data)[i];
		}
		(void)sink;
	}
}

static void cleanup(void)
{
	if (ready) {
		amp_mbox_linux_deinit(&dev);
		amp_shm_remove(&cfg.shm);
	}
}

static int setup(void)
{
	snprintf(name, sizeof(name), "amp-mbox-fuzz-%d", (int)getpid());
	cfg.shm.name = name;
	cfg.side = 1;
	cfg.num_channels = 8;
	cfg.rx_mask = 0x0f;
	cfg.tx_mask = 0xf0;
	cfg.mtu = FUZZ_MTU;
	cfg.wait = AMP_MBOX_LINUX_WAIT_IRQ;
	cfg.ipm_mode = AMP_MBOX_IPM_ID_IN_DATA;
	cfg.ipm_tx_channel = 4;
	amp_shm_remove(&cfg.shm);
	if (amp_mbox_linux_init(&dev, &drv, &cfg) != 0) {
		return -1;
	}
	amp_mbox_register_callback(&dev, 0, on_msg, NULL);
	amp_mbox_register_callback(&dev, 1, on_msg, NULL);
	amp_ipm_register_callback(&dev, on_ipm, NULL);
	amp_ipm_set_enabled(&dev, 1);
	ready = 1;
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ready && setup() != 0) {
		abort();
	}
	struct amp_mbox_linux_region *r = drv.region;
	/* First the part this side reads, then the peer's slots it writes. */
	size_t own = sizeof(r->side[1]);
	size_t n = size < own ? size : own;
	memcpy(&r->side[1], data, n);
	if (size > own) {
		size_t m = size - own < sizeof(r->side[0]) ? size - own : sizeof(r->side[0]);
		memcpy(&r->side[0], data + own, m);
	}
	int ran = amp_mbox_poll(&dev);
	if (ran < 0 || ran > 4) {
		abort();
	}
	uint8_t buf[FUZZ_MTU] = { 0 };
	struct amp_mbox_msg msg = { .data = buf, .size = size % (FUZZ_MTU + 1) };
	int ret = amp_mbox_send(&dev, 5, &msg);
	if (ret != 0 && ret != AMP_EBUSY) {
		abort();
	}
	ret = amp_ipm_send(&dev, 0, (uint32_t)size, buf, (int)(size % (FUZZ_MTU - 3)));
	if (ret != 0 && ret != AMP_EBUSY) {
		abort();
	}
	/* Leave no stale state for the next input's peer. */
	memset(&r->side[0], 0, sizeof(r->side[0]));
	return 0;
}
