/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pbuf rings both ways at once: each core writes PBUF_MSGS messages (lengths
 * 8..PBUF_MAX, sequence number, checksum) into its ring, rings the MHU after
 * each burst, and reads and checks the peer's messages. A full ring is normal
 * (the writer waits for the reader's doorbell); the case fails on any lost,
 * duplicated, reordered or corrupted message, a ring error, or no progress.
 */
#include <amplink/errno.h>
#include <amplink/pbuf.h>
#include <amplink/port.h>
#include <amplink/port_baremetal.h>

#include "cases.h"
#include "fw.h"

#define PBUF_MSGS 4000u
#define PBUF_MAX 200u
#define PBUF_ALIGN 32u /* dcache-alignment as on a Cortex-M7/M55 peer */

struct pbuf_shared {
	volatile uint32_t tx_ready[2]; /* core n initialised its tx ring */
	volatile uint32_t rx_done[2];  /* core n read everything */
};
#define PB ((struct pbuf_shared *)FW_SCRATCH_ADDR)

static const struct amp_pbuf_cfg pbuf_cfg[2] = {
	{ .region = (void *)FW_PBUF_C0_ADDR, .size = FW_PBUF_SIZE, .dcache_align = PBUF_ALIGN,
	  .handshake = false },
	{ .region = (void *)FW_PBUF_C1_ADDR, .size = FW_PBUF_SIZE, .dcache_align = PBUF_ALIGN,
	  .handshake = false },
};

static struct amp_pbuf pb_tx, pb_rx;
static struct amp_event pb_ev;

static void pbuf_doorbell(struct amp_mbox *mbox, uint32_t ch, void *ud, const struct amp_mbox_msg *msg)
{
	(void)mbox;
	(void)ch;
	(void)ud;
	(void)msg;
	amp_port_event_post(&pb_ev);
}

static int pbuf_setup(struct fw_msg *m)
{
	amp_port_event_init(&pb_ev);
	int r = amp_pbuf_tx_init(&pb_tx, &pbuf_cfg[fw_cpu]);
	if (r == 0) {
		r = amp_pbuf_rx_init(&pb_rx, &pbuf_cfg[fw_peer]);
	}
	if (r == 0) {
		r = amp_mbox_register_callback(&fw_mbox, fw_cpu, pbuf_doorbell, NULL);
	}
	if (r != 0) {
		return fw_fail(m, "init: %s", amp_strerror(r));
	}
	amp_port_mb();
	PB->tx_ready[fw_cpu] = 1;
	return 0;
}

static int pbuf_exchange(struct fw_msg *m)
{
	uint32_t salt = 0x5000u + fw_cpu, peer_salt = 0x5000u + fw_peer;
	uint32_t sent = 0, got = 0, full = 0;
	uint8_t buf[PBUF_MAX];
	int ret = 0;
	if (fw_wait_eq(&PB->tx_ready[fw_peer], 1, FW_PATIENCE_MS) != 0) {
		ret = fw_fail(m, "peer ring not initialised");
		goto out;
	}
	uint32_t last_progress = fw_ms();
	uint64_t t0 = amp_port_now_ns();
	while (sent < PBUF_MSGS || got < PBUF_MSGS) {
		bool progress = false;
		while (sent < PBUF_MSGS) {
			size_t len = fw_msg_len(sent, salt, PBUF_MAX);
			fw_msg_fill(buf, len, sent, salt);
#if FW_BREAK == FW_BREAK_WRONG
			if (fw_cpu == 1 && sent == PBUF_MSGS / 2) {
				buf[5] ^= 1u;
			}
#endif
			int r = amp_pbuf_write(&pb_tx, buf, len);
			if (r == AMP_ENOMEM) {
				full++;
				break;
			}
			if (r != (int)len) {
				ret = fw_fail(m, "write %u: %s", (unsigned)sent, amp_strerror(r));
				goto out;
			}
			sent++;
			progress = true;
		}
		if (progress) {
			(void)amp_mbox_send(&fw_mbox, fw_peer, NULL);
		}
		bool freed = false;
		for (;;) {
			int r = amp_pbuf_read(&pb_rx, buf, sizeof(buf));
			if (r == 0) {
				break;
			}
			if (r < 0) {
				ret = fw_fail(m, "read after %u: %s", (unsigned)got, amp_strerror(r));
				goto out;
			}
			const char *why = "";
			if (got >= PBUF_MSGS ||
			    fw_msg_check(buf, (size_t)r, got, peer_salt, PBUF_MAX, &why) != 0) {
				ret = fw_fail(m, "message %u (%d bytes): %s", (unsigned)got, r, why);
				goto out;
			}
			got++;
			freed = true;
		}
		if (freed) {
			/* Space freed: the writer may be waiting for it. */
			(void)amp_mbox_send(&fw_mbox, fw_peer, NULL);
			progress = true;
		}
		if (progress) {
			last_progress = fw_ms();
		} else if (fw_ms() - last_progress > FW_PATIENCE_MS || fw_aborted()) {
			ret = fw_fail(m, "stalled: sent %u, received %u", (unsigned)sent, (unsigned)got);
			goto out;
		} else {
			(void)amp_port_event_wait(&pb_ev, AMP_MSEC(5));
		}
	}
	uint64_t ns = amp_port_now_ns() - t0;
	amp_port_mb();
	PB->rx_done[fw_cpu] = 1;
	if (fw_wait_eq(&PB->rx_done[fw_peer], 1, FW_PATIENCE_MS) != 0) {
		ret = fw_fail(m, "peer did not finish");
		goto out;
	}
	if (fw_cpu == 0) {
		ret = fw_note(m, "%u messages each way, %u us total, ring full %u times",
			      (unsigned)PBUF_MSGS, (unsigned)(ns / 1000u), (unsigned)full);
	}
out:
	(void)amp_mbox_register_callback(&fw_mbox, fw_cpu, NULL, NULL);
	return ret;
}

static int pbuf_c0(struct fw_msg *m)
{
	int r = pbuf_setup(m);
	return r != 0 ? r : pbuf_exchange(m);
}

const struct fw_case fw_case_pbuf = { "pbuf_exchange", pbuf_setup, pbuf_c0, pbuf_exchange, 10000 };
