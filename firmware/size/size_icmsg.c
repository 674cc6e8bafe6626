/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Minimal core-0 image with service + ICMsg + pbuf over the MHU: what a
 * firmware that only talks ICMsg links. Built for scripts/size-report.sh (its
 * link map gives the per-component sizes); runs, but is not a test.
 */
#include <amplink/icmsg.h>
#include <amplink/ipc.h>
#include <amplink/mbox_mhu.h>
#include <amplink/port_baremetal.h>

#include "memmap.h"

static struct amp_mbox mbox;
static struct amp_mbox_mhu mhu;
static const struct amp_mbox_mhu_cfg mhu_cfg = { .base = FW_MHU0_BASE, .irq = (int)FW_MHU0_IRQ };
static struct amp_icmsg ic;
static struct amp_ipc_ept ept;
static volatile unsigned received;

static const struct amp_icmsg_cfg ic_cfg = {
	.tx_region = (void *)FW_ICMSG_C0_ADDR, .tx_size = FW_ICMSG_SIZE,
	.rx_region = (void *)FW_ICMSG_C1_ADDR, .rx_size = FW_ICMSG_SIZE, .mbox = &mbox,
	.tx_channel = 1, .rx_channel = 0, .profile = AMP_ICMSG_V2, .dcache_align = 8,
};

static void on_received(const void *data, size_t len, void *priv)
{
	(void)data;
	(void)len;
	(void)priv;
	received++;
}

static const struct amp_ipc_ept_cfg ept_cfg = { .name = "ep0", .cb = { .received = on_received } };

void fw_mhu0_isr(void);
void fw_mhu0_isr(void)
{
	amp_mbox_mhu_isr(&mbox);
}

int main(void);
int main(void)
{
	static const char hello[] = "hello";
	if (amp_mbox_mhu_init(&mbox, &mhu, &mhu_cfg) != 0 || amp_icmsg_init(&ic, &ic_cfg) != 0 ||
	    amp_ipc_register_endpoint(amp_icmsg_instance(&ic), &ept, &ept_cfg) != 0) {
		return 1;
	}
	/* No peer runs: sending fails with AMP_EBUSY, which is all this needs. */
	return amp_ipc_send(&ept, hello, sizeof(hello)) == (int)sizeof(hello) ? 0 : 1;
}
