/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for ICMsg. The input plays the peer core against one
 * amplink instance: it writes whatever it likes into the words the peer owns
 * (its write index and packets in our rx region, its read index and its
 * handshake word in our tx region), can also behave like a correct peer
 * (well-formed packets, the magic, acknowledging our session, draining our
 * ring) to get deep into the state machine, and interleaves that with
 * doorbells (receive processing), sends, open and close — for the v1, v2 and
 * detect profiles.
 *
 * Checked on every call:
 *  - no out-of-bounds access: each region is an exactly sized heap block and
 *    the bounce buffer too (ASan); no undefined behaviour (UBSan);
 *  - every return value is one icmsg.h documents for that call;
 *  - a delivered message lies entirely inside the rx region's data area or the
 *    bounce buffer, and is never longer than the ring can carry;
 *  - the state is one of the enum values; callbacks come in sane order.
 * Each input is a finite list of operations and every receive pass consumes
 * or changes something per step, so nothing can loop (libFuzzer's -timeout
 * would catch it).
 *
 * Input: byte 0 = configuration (bits 0-1 profile, bits 2-3 alignment, bits
 * 4-7 region size), byte 1 = peer_max_msg selector, then operations: one
 * opcode byte followed by its arguments.
 */
#define _POSIX_C_SOURCE 200809L /* setenv, posix_memalign */
#include <amplink/errno.h>
#include <amplink/icmsg.h>
#include <amplink/mbox_loopback.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#define CHECK(cond)                                                                       \
	do {                                                                              \
		if (!(cond)) {                                                            \
			fprintf(stderr, "fuzz_icmsg: %s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                                         \
			abort();                                                          \
		}                                                                         \
	} while (0)

struct input {
	const uint8_t *p;
	size_t n;
};

static uint8_t take8(struct input *in)
{
	if (in->n == 0) {
		return 0;
	}
	in->n--;
	return *in->p++;
}

static uint16_t take16(struct input *in)
{
	uint16_t lo = take8(in);
	return (uint16_t)(lo | (uint16_t)(take8(in) << 8));
}

static uint32_t take32(struct input *in)
{
	uint32_t lo = take16(in);
	return lo | ((uint32_t)take16(in) << 16);
}

static struct {
	uint8_t *tx;   /* our tx region = the peer's rx region */
	uint8_t *rx;   /* our rx region = the peer's tx region */
	uint8_t *bounce;
	uint32_t size;
	uint32_t bounce_size;
	uint32_t data_off;
	uint32_t data_len;
	bool hs;
	int bound, unbound, received, errors;
	uint32_t peer_wr;     /* the well-behaved peer's private write index */
} fz;

static struct amp_icmsg ic;

static void cb_bound(void *p)
{
	(void)p;
	fz.bound++;
}

static void cb_unbound(void *p)
{
	(void)p;
	fz.unbound++;
}

static void cb_error(const char *m, void *p)
{
	(void)p;
	CHECK(m != NULL);
	fz.errors++;
}

static void cb_received(const void *d, size_t len, void *p)
{
	(void)p;
	const uint8_t *b = d;
	CHECK(len > 0);
	CHECK(len <= fz.data_len - 8u);
	const bool in_ring = b >= fz.rx + fz.data_off && b + len <= fz.rx + fz.size;
	const bool in_bounce = b >= fz.bounce && b + len <= fz.bounce + fz.bounce_size;
	const bool in_inline = b >= ic.rx_inline && b + len <= ic.rx_inline + sizeof(ic.rx_inline);
	CHECK(in_ring || in_bounce || in_inline);
	/* Touch every byte: ASan reports any that is not ours to read. */
	volatile uint8_t sum = 0;
	for (size_t i = 0; i < len; i++) {
		sum = (uint8_t)(sum + b[i]);
	}
	(void)sum;
	fz.received++;
}

static void put32(uint8_t *region, uint32_t off, uint32_t v)
{
	if (off + 4u <= fz.size) {
		memcpy(region + off, &v, 4);
	}
}

static uint32_t get32(const uint8_t *region, uint32_t off)
{
	uint32_t v = 0;
	if (off + 4u <= fz.size) {
		memcpy(&v, region + off, 4);
	}
	return v;
}

/* A correct peer appends one packet to our rx ring (if it fits). */
static void peer_write_packet(const uint8_t *payload, uint32_t len) /* payload >= 64 bytes */
{
	const uint32_t L = fz.data_len;
	uint32_t rd = get32(fz.rx, 0);
	uint32_t wr = fz.peer_wr;
	if (len == 0 || rd >= L || (rd % 4u) != 0 || wr >= L) {
		return;
	}
	uint32_t occ = wr >= rd ? wr - rd : L - (rd - wr);
	if (L - occ - 4u < len + 4u) {
		return;
	}
	uint8_t *d = fz.rx + fz.data_off;
	d[wr] = (uint8_t)(len >> 8);
	d[wr + 1] = (uint8_t)len;
	d[wr + 2] = 0;
	d[wr + 3] = 0;
	uint32_t pos = (wr + 4u) % L;
	for (uint32_t i = 0; i < len; i++) {
		d[pos] = payload[i % 64u];
		pos = (pos + 1u) % L;
	}
	wr = (wr + 4u) % L;
	wr = ((wr + len + 3u) & ~3u) % L;
	fz.peer_wr = wr;
	put32(fz.rx, fz.data_off - 4u, wr);
}

static bool documented_send(int r, size_t len)
{
	return r == (int)len || r == AMP_EBUSY || r == AMP_ENOTCONN || r == AMP_ENODATA ||
	       r == AMP_EMSGSIZE || r == AMP_ENOMEM || r == AMP_EINVAL || r == AMP_EPROTO;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("AMP_LOG_LEVEL", "-1", 1); /* the peer is hostile on purpose */
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	static const uint32_t aligns[4] = { 0, 8, 32, 64 };
	const uint8_t c0 = take8(&in);
	const enum amp_icmsg_profile prof = (enum amp_icmsg_profile)((c0 & 3u) % 3u);
	uint32_t align = aligns[(c0 >> 2) & 3u];
	if (prof != AMP_ICMSG_V1 && align < 8u) {
		align = 8; /* Zephyr's layout rule; invalid configs are unit-tested */
	}
	fz.size = 96u + 32u * (uint32_t)(c0 >> 4); /* 96..576 */
	fz.hs = prof != AMP_ICMSG_V1;
	fz.data_off = AMP_PBUF_DATA_OFFSET(align, fz.hs);
	fz.data_len = fz.size - fz.data_off;
	fz.bounce_size = 16u + take8(&in);
	void *t = NULL, *r = NULL;
	CHECK(posix_memalign(&t, 64, fz.size) == 0 && posix_memalign(&r, 64, fz.size) == 0);
	fz.tx = t;
	fz.rx = r;
	memset(fz.tx, 0, fz.size);
	memset(fz.rx, 0, fz.size);
	fz.bounce = malloc(fz.bounce_size);
	CHECK(fz.bounce != NULL);
	fz.bound = fz.unbound = fz.received = fz.errors = 0;
	fz.peer_wr = 0;

	static struct amp_mbox_loopback mlb;
	static struct amp_mbox ours, theirs;
	static const struct amp_mbox_loopback_cfg mcfg = {
		.num_channels = 2, .a_tx_mask = 1u, .b_tx_mask = 2u,
		.mode = AMP_MBOX_LOOPBACK_DEFERRED,
	};
	CHECK(amp_mbox_loopback_init(&mlb, &ours, &theirs, &mcfg) == 0);

	const uint32_t ring_max = fz.data_len - 8u;
	const uint8_t pm = take8(&in);
	struct amp_icmsg_cfg cfg = {
		.name = "fuzz",
		.tx_region = fz.tx, .tx_size = fz.size,
		.rx_region = fz.rx, .rx_size = fz.size,
		.mbox = &ours, .tx_channel = 0, .rx_channel = 1,
		.profile = prof, .dcache_align = align,
		.peer_max_msg = pm == 0 ? 0 : 1u + (uint32_t)pm * 4u % ring_max,
		.rx_buf = (pm & 1u) ? fz.bounce : NULL,
		.rx_buf_size = (pm & 1u) ? fz.bounce_size : 0,
		.rx_copy = (pm & 2u) != 0 && (pm & 1u) != 0,
	};
	CHECK(amp_icmsg_init(&ic, &cfg) == 0);
	const struct amp_ipc_ept_cfg ecfg = {
		.name = "ep",
		.cb = { cb_bound, cb_unbound, cb_received, cb_error },
	};
	CHECK(amp_icmsg_open(&ic, &ecfg) == 0);

	static uint8_t msg[1024];
	static uint8_t magic64[64] = "Em1l1K0rn3li4";
	for (size_t i = 0; i < sizeof(msg); i++) {
		msg[i] = (uint8_t)(i * 7u);
	}
	const uint32_t wr_off = fz.data_off - 4u;

	for (int ops = 0; in.n > 0 && ops < 256; ops++) {
		const uint8_t op = take8(&in);
		switch (op % 16u) {
		case 0: /* hostile: any word of our rx region (the peer's ring) */
			put32(fz.rx, take16(&in) % fz.size & ~3u, take32(&in));
			break;
		case 1: /* hostile: any byte of our rx region */
			fz.rx[take16(&in) % fz.size] = take8(&in);
			break;
		case 2: /* hostile: the peer's write index */
			put32(fz.rx, wr_off, take32(&in));
			break;
		case 3: /* hostile: the peer's read index of our ring */
			put32(fz.tx, 0, take32(&in));
			break;
		case 4: /* hostile: the peer's handshake word */
			if (fz.hs) {
				put32(fz.tx, 4, take32(&in));
			}
			break;
		case 5: { /* correct peer: one packet */
			uint32_t len = 1u + take16(&in) % (ring_max + 8u);
			peer_write_packet(msg, len);
			break;
		}
		case 6: /* correct peer: reset its ring and write the magic (v1 open) */
			put32(fz.rx, wr_off, 0);
			put32(fz.rx, 0, 0);
			fz.peer_wr = 0;
			peer_write_packet(magic64, 13);
			break;
		case 7: /* correct peer: request session x and acknowledge ours */
			if (fz.hs) {
				const uint16_t ours_sid = (uint16_t)get32(fz.rx, 4);
				const uint16_t req = (uint16_t)(1u + take8(&in));
				if (take8(&in) & 1u) {
					put32(fz.rx, wr_off, 0); /* its tx_init, as the protocol says */
					fz.peer_wr = 0;
				}
				put32(fz.tx, 4, (uint32_t)req | ((uint32_t)ours_sid << 16));
			}
			break;
		case 8: /* correct peer: consume everything we wrote */
			put32(fz.tx, 0, get32(fz.tx, wr_off));
			break;
		case 9: /* doorbell */
		case 10: {
			int r = amp_icmsg_process(&ic);
			CHECK(r >= 0);
			break;
		}
		case 11: {
			int r = amp_icmsg_process_budget(&ic, take8(&in) % 4u);
			CHECK(r >= 0 && r <= 3);
			break;
		}
		case 12: { /* we send */
			size_t len = take16(&in) % (sizeof(msg) + 1u);
			int r = amp_icmsg_send(&ic, msg, len);
			CHECK(documented_send(r, len));
			break;
		}
		case 13: { /* we send, no waiting allowed */
			size_t len = take8(&in);
			int r = amp_icmsg_send_wait(&ic, msg, len, AMP_NO_WAIT);
			CHECK(documented_send(r, len));
			break;
		}
		case 14: { /* re-open (rebind) */
			int r = amp_icmsg_open(&ic, &ecfg);
			CHECK(r == 0 || r == AMP_EALREADY);
			break;
		}
		case 15: { /* close */
			int r = amp_icmsg_close(&ic);
			CHECK(r == 0 || r == AMP_EALREADY);
			if (take8(&in) & 1u) {
				CHECK(amp_icmsg_open(&ic, &ecfg) == 0);
			}
			break;
		}
		default:
			break;
		}
		const int st = amp_icmsg_state(&ic);
		CHECK(st >= AMP_ICMSG_OFF && st <= AMP_ICMSG_DISCONNECTED);
		CHECK(amp_icmsg_max_msg(&ic) > 0 && (uint32_t)amp_icmsg_max_msg(&ic) <= ring_max);
	}
	if (getenv("FUZZ_ICMSG_VERBOSE") != NULL) {
		fprintf(stderr, "profile %d state %d bound %d unbound %d received %d errors %d\n",
			(int)prof, amp_icmsg_state(&ic), fz.bound, fz.unbound, fz.received, fz.errors);
	}
	(void)amp_icmsg_close(&ic);
	CHECK(fz.unbound <= fz.bound); /* only a bound session can be lost */
	free(fz.tx);
	free(fz.rx);
	free(fz.bounce);
	return 0;
}
