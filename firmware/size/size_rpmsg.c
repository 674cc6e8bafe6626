/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Minimal core-0 image with service + RPMsg (remote role) + vring over the
 * MHU, for scripts/size-report.sh; runs, but is not a test.
 */
#include <amplink/ipc.h>
#include <amplink/mbox_mhu.h>
#include <amplink/port_baremetal.h>
#include <amplink/rpmsg.h>

#include "memmap.h"

static struct amp_mbox mbox;
static struct amp_mbox_mhu mhu;
static const struct amp_mbox_mhu_cfg mhu_cfg = { .base = FW_MHU0_BASE, .irq = (int)FW_MHU0_IRQ };
static struct amp_rpmsg rp;
static struct amp_ipc_instance inst;
static struct amp_ipc_ept ept;
static volatile unsigned received;

static const struct amp_rpmsg_cfg rp_cfg = {
	.role = AMP_RPMSG_ROLE_REMOTE, .shm = (void *)FW_RPMSG_ADDR, .shm_phys = FW_RPMSG_ADDR,
	.shm_size = 0x8000u, .mbox = &mbox, .tx_channel = 1, .rx_channel = 0,
};

static void on_received(const void *data, size_t len, void *priv)
{
	(void)data;
	(void)len;
	(void)priv;
	received++;
}

static const struct amp_ipc_ept_cfg ept_cfg = { .name = "amp-test",
						.cb = { .received = on_received } };

void fw_mhu0_isr(void);
void fw_mhu0_isr(void)
{
	amp_mbox_mhu_isr(&mbox);
}

int main(void);
int main(void)
{
	static const char hello[] = "hello";
	if (amp_mbox_mhu_init(&mbox, &mhu, &mhu_cfg) != 0 ||
	    amp_rpmsg_init(&rp, &rp_cfg, &inst) != 0 || amp_ipc_open_instance(&inst) != 0 ||
	    amp_ipc_register_endpoint(&inst, &ept, &ept_cfg) != 0) {
		return 1;
	}
	return amp_ipc_send(&ept, hello, sizeof(hello)) == (int)sizeof(hello) ? 0 : 1;
}
