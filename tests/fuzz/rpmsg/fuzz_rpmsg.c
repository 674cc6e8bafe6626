/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the input plays the peer core of an RPMsg instance.
 *
 * The first byte picks our role (host or remote), event-index mode and buffer
 * size. A genuine amplink peer first brings the region into a valid state
 * (so the fuzzer starts from realistic rings), then the input is a program of
 * operations: writes of the words the peer controls (status byte, ring
 * indices and flags, descriptors, avail and used entries), RPMsg headers and
 * name-service messages forged into buffers, raw byte writes anywhere in the
 * region, and calls on our side (process, send, zero-copy get/send/drop,
 * hold/release from the callback, register/deregister, close/reopen).
 * The region is a heap block of exactly its size, so ASan catches any access
 * outside it; UBSan catches overflow and misalignment. The local address of
 * the region differs from its peer-visible address.
 */
#include <amplink/errno.h>
#include <amplink/ipc.h>
#include <amplink/rpmsg.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PHYS 0x20070000ull
#define NEPT 3

struct in {
	const uint8_t *p;
	size_t n;
};

static uint8_t u8(struct in *in)
{
	if (in->n == 0) {
		return 0;
	}
	in->n--;
	return *in->p++;
}

static uint16_t u16(struct in *in)
{
	return (uint16_t)(u8(in) | (u8(in) << 8));
}

static uint32_t u32(struct in *in)
{
	return (uint32_t)u16(in) | ((uint32_t)u16(in) << 16);
}

static struct amp_rpmsg g_rp, g_peer;
static struct amp_ipc_instance g_inst, g_peer_inst;
static struct amp_ipc_ept g_ept[NEPT];
static struct amp_ipc_ept_cfg g_ecfg[NEPT];
static bool g_hold_next;
static void *g_held[8];
static int g_nheld;
static int g_which;

static void on_received(const void *data, size_t len, void *priv)
{
	struct amp_ipc_ept *e = priv;
	/* touch every byte the transport claims is payload */
	volatile uint8_t sum = 0;
	for (size_t i = 0; i < len; i++) {
		sum = (uint8_t)(sum + ((const uint8_t *)data)[i]);
	}
	(void)sum;
	if (g_hold_next && g_nheld < 8 && amp_ipc_hold_rx_buffer(e, (void *)(uintptr_t)data) == 0) {
		g_held[g_nheld++] = (void *)(uintptr_t)data;
	}
	if ((len & 7u) == 3u) {
		(void)amp_ipc_send(e, "echo", 4);
	}
	if ((len & 15u) == 5u) {
		(void)amp_ipc_deregister_endpoint(e); /* from its own callback */
	}
}

static void on_nothing(void *priv)
{
	(void)priv;
}

static void on_error(const char *msg, void *priv)
{
	(void)msg;
	(void)priv;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in in = { data, size };
	uint8_t mode = u8(&in);
	bool host = (mode & 1u) != 0;
	static const uint32_t bufs[4] = { 64, 128, 256, 512 };
	uint32_t b = bufs[(mode >> 2) & 3u];
	size_t region_size = 4096u + (size_t)((mode >> 4) & 3u) * 1024u;

	uint8_t *region = malloc(region_size);
	if (region == NULL) {
		return 0;
	}
	memset(region, 0, region_size);

	struct amp_rpmsg_cfg cfg = {
		.role = host ? AMP_RPMSG_ROLE_HOST : AMP_RPMSG_ROLE_REMOTE,
		.shm = region, .shm_phys = PHYS, .shm_size = region_size, .buffer_size = b,
		.poll = true, .event_idx = (mode & 2u) != 0, .name = "fuzz",
	};
	struct amp_rpmsg_cfg pcfg = cfg;
	pcfg.role = host ? AMP_RPMSG_ROLE_REMOTE : AMP_RPMSG_ROLE_HOST;
	if (amp_rpmsg_init(&g_rp, &cfg, &g_inst) != 0 ||
	    amp_rpmsg_init(&g_peer, &pcfg, &g_peer_inst) != 0) {
		free(region);
		return 0;
	}
	struct amp_ipc_ept peer_ept = { 0 };
	struct amp_ipc_ept_cfg peer_cfg = { .name = "e0", .cb = { .received = on_received }, .priv = &peer_ept };
	/* a genuine peer sets the scene: host first, then the remote */
	if (host) {
		(void)amp_ipc_open_instance(&g_inst);
		(void)amp_ipc_open_instance(&g_peer_inst);
	} else {
		(void)amp_ipc_open_instance(&g_peer_inst);
		(void)amp_ipc_open_instance(&g_inst);
	}
	(void)amp_ipc_register_endpoint(&g_peer_inst, &peer_ept, &peer_cfg);
	static const char *names[NEPT] = { "e0", "e1", "e2" };
	memset(g_ept, 0, sizeof(g_ept));
	for (int i = 0; i < NEPT; i++) {
		g_ecfg[i] = (struct amp_ipc_ept_cfg){
			.name = names[i],
			.cb = { .bound = on_nothing, .unbound = on_nothing, .received = on_received,
				.error = on_error },
			.priv = &g_ept[i],
		};
		(void)amp_ipc_register_endpoint(&g_inst, &g_ept[i], &g_ecfg[i]);
	}
	(void)amp_rpmsg_process(&g_peer);
	(void)amp_rpmsg_process(&g_rp);
	(void)amp_rpmsg_process(&g_peer);
	(void)amp_rpmsg_process(&g_rp);
	g_nheld = 0;
	g_hold_next = false;

	const struct amp_rpmsg_layout *L = &g_rp.layout;
	uint32_t n = L->num_desc;
	uint8_t *rings[2] = { region + L->vring0_off, region + L->vring1_off };
	void *txbuf[4] = { 0 };
	int ntx = 0;

	for (int steps = 0; in.n > 0 && steps < 256; steps++) {
		uint8_t op = u8(&in);
		uint8_t *r = rings[op & 1u];
		uint32_t used = AMP_VRING_USED_OFFSET(n, L->status_size);
		switch ((op >> 1) % 14u) {
		case 0: /* status byte */
			region[0] = u8(&in);
			break;
		case 1: { /* a 16-bit ring word: avail flags/idx/used_event, used flags/idx/avail_event */
			static const uint32_t which[6] = { 0, 2, 0xffff, 0x10000, 0x10002, 0x1ffff };
			uint32_t w = which[u8(&in) % 6u];
			uint32_t off = w == 0xffff ? 16u * n + 4u + 2u * n
				     : w == 0x1ffff ? used + 4u + 8u * n
				     : w >= 0x10000 ? used + (w - 0x10000u)
						    : 16u * n + w;
			uint16_t cur;
			memcpy(&cur, r + off, 2);
			uint16_t v = (u8(&in) & 1u) ? (uint16_t)(cur + (u8(&in) % 4u)) : u16(&in);
			memcpy(r + off, &v, 2);
			break;
		}
		case 2: { /* used element */
			uint32_t i = u8(&in) % n;
			uint32_t id = u8(&in) & 1u ? u32(&in) : u8(&in) % (n + 1u);
			uint32_t len = u8(&in) & 1u ? u32(&in) : b;
			memcpy(r + used + 4u + 8u * i, &id, 4);
			memcpy(r + used + 8u + 8u * i, &len, 4);
			break;
		}
		case 3: { /* descriptor */
			uint32_t i = u8(&in) % n;
			uint64_t addr = PHYS + L->pool_off + (uint64_t)(u8(&in) % (2u * n + 2u)) * b +
					(uint64_t)(int8_t)u8(&in);
			if (u8(&in) == 0xff) {
				addr = ((uint64_t)u32(&in) << 32) | u32(&in);
			}
			uint32_t len = u8(&in) & 1u ? u32(&in) : b;
			uint16_t flags = u8(&in) & 7u;
			memcpy(r + 16u * i, &addr, 8);
			memcpy(r + 16u * i + 8u, &len, 4);
			memcpy(r + 16u * i + 12u, &flags, 2);
			break;
		}
		case 4: { /* avail entry */
			uint32_t i = u8(&in) % n;
			uint16_t v = u8(&in) & 1u ? u16(&in) : (uint16_t)(u8(&in) % (n + 1u));
			memcpy(r + 16u * n + 4u + 2u * i, &v, 2);
			break;
		}
		case 5: { /* RPMsg header forged into a pool slot */
			uint32_t s = u8(&in) % (2u * n);
			uint8_t *buf = region + L->pool_off + (size_t)s * b;
			static const uint32_t dsts[6] = { 53, 1024, 1025, 1026, 0xffffffffu, 7 };
			uint32_t src = u8(&in) & 1u ? u32(&in) : 1024u + (u8(&in) & 3u);
			uint32_t dst = dsts[u8(&in) % 6u];
			uint16_t len = u8(&in) & 1u ? u16(&in) : (uint16_t)(u8(&in) % (b - 15u));
			memcpy(buf, &src, 4);
			memcpy(buf + 4, &dst, 4);
			memcpy(buf + 12, &len, 2);
			break;
		}
		case 6: { /* name-service payload */
			uint32_t s = u8(&in) % (2u * n);
			uint8_t *buf = region + L->pool_off + (size_t)s * b + 16u;
			for (int i = 0; i < 32; i++) {
				buf[i] = u8(&in) & 1u ? (uint8_t)('e' + (i & 1)) : u8(&in);
			}
			uint32_t addr = 1024u + (u8(&in) & 7u);
			uint32_t flags = u8(&in) % 3u;
			memcpy(buf + 32, &addr, 4);
			memcpy(buf + 36, &flags, 4);
			break;
		}
		case 7: /* raw byte anywhere */
			region[u16(&in) % region_size] = u8(&in);
			break;
		case 8:
			(void)amp_rpmsg_process(&g_rp);
			break;
		case 9: { /* copying send of any length */
			uint8_t msg[600];
			size_t len = u16(&in) % sizeof(msg);
			memset(msg, 0x5a, len);
			(void)amp_ipc_send(&g_ept[u8(&in) % NEPT], msg, len);
			break;
		}
		case 10: { /* zero copy */
			struct amp_ipc_ept *e = &g_ept[u8(&in) % NEPT];
			uint8_t what = u8(&in) % 3u;
			if (what == 0 && ntx < 4) {
				uint32_t sz = u8(&in) & 1u ? 0 : u16(&in);
				void *p = NULL;
				if (amp_ipc_get_tx_buffer(e, &p, &sz, AMP_NO_WAIT) == 0) {
					memset(p, 0x33, sz);
					txbuf[ntx++] = p;
				}
			} else if (ntx > 0) {
				void *p = txbuf[--ntx];
				if (what == 1) {
					(void)amp_ipc_send_nocopy(e, p, u16(&in) % 600u);
				} else {
					(void)amp_ipc_drop_tx_buffer(e, p);
				}
			} else {
				/* pointers that were never handed out */
				(void)amp_ipc_drop_tx_buffer(e, region + (u16(&in) % region_size));
				(void)amp_ipc_send_nocopy(e, region + (u16(&in) % region_size), 4);
			}
			break;
		}
		case 11: /* holds */
			g_hold_next = (u8(&in) & 1u) != 0;
			if (g_nheld > 0 && (u8(&in) & 1u)) {
				g_nheld--;
				(void)amp_ipc_release_rx_buffer(&g_ept[g_which % NEPT], g_held[g_nheld]);
				g_which++;
			}
			break;
		case 12: { /* endpoints come and go */
			int i = u8(&in) % NEPT;
			if (g_ept[i].instance != NULL) {
				(void)amp_ipc_deregister_endpoint(&g_ept[i]);
			} else {
				(void)amp_ipc_register_endpoint(&g_inst, &g_ept[i], &g_ecfg[i]);
			}
			break;
		}
		default: /* the genuine peer takes a turn */
			(void)amp_rpmsg_process(&g_peer);
			break;
		}
	}
	for (int i = 0; i < NEPT; i++) {
		if (g_ept[i].instance != NULL) {
			(void)amp_ipc_deregister_endpoint(&g_ept[i]);
		}
	}
	(void)amp_ipc_close_instance(&g_inst);
	free(region);
	return 0;
}
