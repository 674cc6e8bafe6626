/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Arm MHU (SSE-200) doorbell driver. See amplink/mbox_mhu.h for the channel
 * model. Everything the peer can influence is one status word in our own
 * register triple; any value in it just means "look at shared memory".
 */
#include <amplink/errno.h>
#include <amplink/mbox_mhu.h>
#include <amplink/port.h>
#include <amplink/port_baremetal.h>

#include <string.h>

static volatile uint32_t *amp_mhu_reg(const struct amp_mbox_mhu *mhu, uint32_t cpu, uint32_t off)
{
	return (volatile uint32_t *)(mhu->cfg->base + cpu * AMP_MHU_CPU_STRIDE + off);
}

static int amp_mhu_send(struct amp_mbox *mbox, uint32_t channel, const struct amp_mbox_msg *msg)
{
	struct amp_mbox_mhu *mhu = mbox->driver;
	(void)msg; /* signalling mode: the generic layer passes NULL */
	/* Shared-memory writes before the doorbell: the peer's handler reads
	 * them as soon as its interrupt fires. */
	amp_port_mb();
	*amp_mhu_reg(mhu, channel, AMP_MHU_CPU0INTR_SET) = 1u;
	return 0;
}

static int amp_mhu_tx_busy(struct amp_mbox *mbox, uint32_t channel)
{
	struct amp_mbox_mhu *mhu = mbox->driver;
	return (*amp_mhu_reg(mhu, channel, AMP_MHU_CPU0INTR_STAT) & 1u) != 0 ? 1 : 0;
}

/* Take and deliver. Returns 1 if a callback ran. Runs in the MHU interrupt
 * or with amp_port_irq_lock() held (poll). */
static int amp_mhu_deliver(struct amp_mbox *mbox, struct amp_mbox_mhu *mhu)
{
	uint32_t me = mhu->cpu;
	if ((amp_mbox_ready_mask(mbox) & (1u << me)) == 0) {
		/* Nobody to deliver to: leave the status set (the signal stays
		 * pending) and mask the level interrupt so it cannot storm;
		 * enabling the channel or registering a callback unmasks it. */
		if (mhu->cfg->irq >= 0) {
			amp_bm_irq_disable((uint32_t)mhu->cfg->irq);
		}
		return 0;
	}
	uint32_t stat = *amp_mhu_reg(mhu, me, AMP_MHU_CPU0INTR_STAT);
	if (stat == 0) {
		return 0; /* spurious or already taken by poll */
	}
	*amp_mhu_reg(mhu, me, AMP_MHU_CPU0INTR_CLR) = stat;
	/* The clear must reach the MHU before the callback scans shared memory:
	 * a ring after that scan then re-raises the line instead of being wiped. */
	__asm__ volatile("dsb" ::: "memory");
	mhu->last_status = stat;
	mhu->deliveries++;
	return amp_mbox_dispatch(mbox, me, NULL) ? 1 : 0;
}

void amp_mbox_mhu_isr(struct amp_mbox *mbox)
{
	if (mbox == NULL || mbox->driver == NULL) {
		return;
	}
	(void)amp_mhu_deliver(mbox, mbox->driver);
}

static int amp_mhu_set_enabled(struct amp_mbox *mbox, uint32_t channel, bool enable)
{
	struct amp_mbox_mhu *mhu = mbox->driver;
	(void)channel; /* the only inbound channel is the own CPU */
	if (mhu->cfg->irq < 0) {
		return 0;
	}
	if (enable) {
		/* A status still set from before fires the handler right away. */
		amp_bm_irq_enable((uint32_t)mhu->cfg->irq);
	} else {
		amp_bm_irq_disable((uint32_t)mhu->cfg->irq);
	}
	return 0;
}

static int amp_mhu_poll(struct amp_mbox *mbox)
{
	struct amp_mbox_mhu *mhu = mbox->driver;
	uint32_t key = amp_port_irq_lock();
	int n = amp_mhu_deliver(mbox, mhu);
	if (n == 0 && mhu->cfg->irq >= 0 &&
	    (amp_mbox_ready_mask(mbox) & (1u << mhu->cpu)) != 0) {
		/* deliver() may have masked the line for lack of a callback
		 * earlier; the channel is deliverable again now. */
		amp_bm_irq_enable((uint32_t)mhu->cfg->irq);
	}
	amp_port_irq_unlock(key);
	return n;
}

static const struct amp_mbox_ops amp_mhu_ops = {
	.send = amp_mhu_send,
	.set_enabled = amp_mhu_set_enabled,
	.poll = amp_mhu_poll,
	.tx_busy = amp_mhu_tx_busy,
};

int amp_mbox_mhu_init(struct amp_mbox *mbox, struct amp_mbox_mhu *mhu,
		      const struct amp_mbox_mhu_cfg *cfg)
{
	if (mbox == NULL || mhu == NULL || cfg == NULL || cfg->base == 0) {
		return AMP_EINVAL;
	}
	uintptr_t id_addr = cfg->cpu_identity != 0
				    ? cfg->cpu_identity
				    : (cfg->base & (uintptr_t)0xF0000000u) + 0x1F000u;
	uint32_t cpu = *(volatile const uint32_t *)id_addr;
	if (cpu >= AMP_MHU_NUM_CPUS) {
		return AMP_ENODEV;
	}
	if (cfg->irq >= 0) {
		amp_bm_irq_disable((uint32_t)cfg->irq);
	}
	memset(mhu, 0, sizeof(*mhu));
	mhu->cfg = cfg;
	mhu->cpu = cpu;
	memset(mbox, 0, sizeof(*mbox));
	mbox->ops = &amp_mhu_ops;
	mbox->driver = mhu;
	mbox->name = "mhu";
	mbox->num_channels = AMP_MHU_NUM_CPUS;
	mbox->tx_mask = 1u << (cpu ^ 1u);
	mbox->rx_mask = 1u << cpu;
	mbox->mtu = 0;
	mbox->ipm_max_id = AMP_MHU_NUM_CPUS - 1u;
	mbox->ipm_mode = AMP_MBOX_IPM_ID_IS_CHANNEL;
	return 0;
}
