/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Cases that need only the port and the MHU driver: shared SRAM seen by both
 * cores, the time base, MHU doorbell ping-pong (MBOX view) and the IPM view.
 */
#include <amplink/errno.h>
#include <amplink/port.h>
#include <amplink/port_baremetal.h>

#include <string.h>

#include "cases.h"
#include "fw.h"

/* ---- shared memory: a pattern transformed by the other core ------------ */

#define SHM_WORDS 256u

struct shm_scratch {
	volatile uint32_t posted; /* core 0: pattern written */
	volatile uint32_t answered;
	volatile uint32_t pattern[SHM_WORDS];
	volatile uint32_t answer[SHM_WORDS];
};

static uint32_t shm_transform(uint32_t x, uint32_t i)
{
	return ~x ^ (i * 0x9E3779B9u);
}

static int shm_c0(struct fw_msg *m)
{
	struct shm_scratch *s = (struct shm_scratch *)FW_SCRATCH_ADDR;
	uint32_t rng = 0x12345678u;
	for (uint32_t i = 0; i < SHM_WORDS; i++) {
		s->pattern[i] = fw_rand(&rng);
	}
	amp_port_mb();
	s->posted = 1;
	if (fw_wait_eq(&s->answered, 1, FW_PATIENCE_MS) != 0) {
		return fw_fail(m, "no answer from core 1");
	}
	rng = 0x12345678u;
	for (uint32_t i = 0; i < SHM_WORDS; i++) {
		uint32_t want = shm_transform(fw_rand(&rng), i);
		if (s->answer[i] != want) {
			return fw_fail(m, "word %u: 0x%08x, expected 0x%08x", (unsigned)i,
				       (unsigned)s->answer[i], (unsigned)want);
		}
	}
	return fw_note(m, "%u words each way", (unsigned)SHM_WORDS);
}

static int shm_c1(struct fw_msg *m)
{
	struct shm_scratch *s = (struct shm_scratch *)FW_SCRATCH_ADDR;
	if (fw_wait_eq(&s->posted, 1, FW_PATIENCE_MS) != 0) {
		return fw_fail(m, "no pattern from core 0");
	}
	for (uint32_t i = 0; i < SHM_WORDS; i++) {
		s->answer[i] = shm_transform(s->pattern[i], i);
	}
#if FW_BREAK == FW_BREAK_FAULT
	__asm__ volatile("udf #0"); /* the deliberate fault */
#endif
#if FW_BREAK == FW_BREAK_ASSERT
	amp_port_assert_failed(__FILE__, __LINE__, "deliberate assertion");
#endif
#if FW_BREAK == FW_BREAK_WRONG
	s->answer[SHM_WORDS / 2] ^= 0x00010000u; /* the deliberate wrong answer */
#endif
	amp_port_mb();
	s->answered = 1;
	return 0;
}

/* ---- time base ---------------------------------------------------------- */

static bool irq_masked(void)
{
	uint32_t v;
	__asm__ volatile("mrs %0, primask" : "=r"(v));
	return (v & 1u) != 0;
}

static int time_c0(struct fw_msg *m)
{
	uint64_t a = amp_port_now_ns();
	amp_port_sleep_us(20000);
	uint64_t b = amp_port_now_ns();
	uint64_t d = b - a;
	if (b <= a || d < 20000000u || d > 2000000000u) {
		return fw_fail(m, "sleep 20 ms took %u us", (unsigned)(d / 1000u));
	}
	struct amp_event ev;
	amp_port_event_init(&ev);
	if (amp_port_event_wait(&ev, AMP_NO_WAIT) != AMP_ETIMEDOUT) {
		return fw_fail(m, "unposted event taken");
	}
	amp_port_event_post(&ev);
	if (amp_port_event_wait(&ev, AMP_MSEC(10)) != 0) {
		return fw_fail(m, "posted event not taken");
	}
	uint64_t c = amp_port_now_ns();
	if (amp_port_event_wait(&ev, AMP_MSEC(5)) != AMP_ETIMEDOUT) {
		return fw_fail(m, "event wait did not time out");
	}
	uint64_t e = amp_port_now_ns() - c;
	uint32_t k1 = amp_port_irq_lock();
	uint32_t k2 = amp_port_irq_lock();
	bool masked = irq_masked();
	amp_port_irq_unlock(k2);
	bool still = irq_masked();
	amp_port_irq_unlock(k1);
	if (!masked || !still || irq_masked() || amp_port_in_isr()) {
		return fw_fail(m, "irq lock nesting/in_isr wrong");
	}
	char fb[80];
	int n = amp_bm_snprintf(fb, sizeof(fb), "%5d|%-4s|%08x|%lu|%lld|%c|%.3s|%%|%X|%zu", -42, "ab",
				0xBEEFu, 4000000000ul, -1234567890123ll, 'z', "abcdef", 0xABCu,
				(size_t)7);
	static const char want[] = "  -42|ab  |0000beef|4000000000|-1234567890123|z|abc|%|ABC|7";
	if (n != (int)sizeof(want) - 1 || memcmp(fb, want, sizeof(want)) != 0 ||
	    amp_bm_snprintf(fb, 4, "%s", "truncated") != 9 || memcmp(fb, "tru", 4) != 0) {
		return fw_fail(m, "formatter: \"%s\"", fb);
	}
	amp_bm_set_log_level(AMP_LOG_INF);
	amp_port_log(AMP_LOG_INF, "log line from the port (%s)", "amp_port_log");
	amp_port_log(AMP_LOG_DBG, "this debug line must not appear");
	amp_bm_set_log_level(AMP_LOG_WRN);
	return fw_note(m, "sleep 20 ms = %u us, 5 ms timeout = %u us", (unsigned)(d / 1000u),
		       (unsigned)(e / 1000u));
}

/* ---- MHU doorbell ping-pong (MBOX view) --------------------------------- */

#define PING_ROUNDS 10000u

static struct amp_event ping_ev;
static volatile uint32_t ping_count;
static volatile bool ping_in_isr = true;

static void ping_c0_cb(struct amp_mbox *mbox, uint32_t ch, void *ud, const struct amp_mbox_msg *msg)
{
	(void)mbox;
	(void)ch;
	(void)ud;
	if (msg != NULL || !amp_port_in_isr()) {
		ping_in_isr = false;
	}
	ping_count++;
	amp_port_event_post(&ping_ev);
}

static void ping_c1_cb(struct amp_mbox *mbox, uint32_t ch, void *ud, const struct amp_mbox_msg *msg)
{
	(void)ch;
	(void)ud;
	(void)msg;
	ping_count++;
#if FW_BREAK == FW_BREAK_HANG
	if (ping_count == PING_ROUNDS / 2) {
		__asm__ volatile("cpsid i");
		for (;;) {
		}
	}
#endif
	(void)amp_mbox_send(mbox, fw_peer, NULL);
}

static int ping_c1_setup(struct fw_msg *m)
{
	ping_count = 0;
	int r = amp_mbox_register_callback(&fw_mbox, fw_cpu, ping_c1_cb, NULL);
	return r == 0 ? 0 : fw_fail(m, "register_callback: %s", amp_strerror(r));
}

static int ping_c1(struct fw_msg *m)
{
	uint32_t start = fw_ms();
	while (ping_count < PING_ROUNDS && fw_ms() - start < 4u * FW_PATIENCE_MS && !fw_aborted()) {
		amp_bm_idle();
	}
	(void)amp_mbox_register_callback(&fw_mbox, fw_cpu, NULL, NULL);
	if (ping_count != PING_ROUNDS) {
		return fw_fail(m, "saw %u pings, %u deliveries, own status %x",
			       (unsigned)ping_count, (unsigned)fw_mhu.deliveries,
			       (unsigned)fw_mhu_status(fw_cpu));
	}
	return 0;
}

static int ping_c0(struct fw_msg *m)
{
	amp_port_event_init(&ping_ev);
	ping_count = 0;
	int r = amp_mbox_register_callback(&fw_mbox, fw_cpu, ping_c0_cb, NULL);
	if (r != 0) {
		return fw_fail(m, "register_callback: %s", amp_strerror(r));
	}
	/* Contract checks of the MHU channel map: only the peer's channel is
	 * outbound, only ours inbound, signalling only. */
	struct amp_mbox_msg one = { .data = "x", .size = 1 };
	if (amp_mbox_send(&fw_mbox, fw_cpu, NULL) != AMP_EINVAL ||
	    amp_mbox_send(&fw_mbox, 2, NULL) != AMP_EINVAL ||
	    amp_mbox_send(&fw_mbox, fw_peer, &one) != AMP_EMSGSIZE ||
	    amp_mbox_mtu(&fw_mbox) != 0 || amp_mbox_max_channels(&fw_mbox) != 2 ||
	    amp_mbox_register_callback(&fw_mbox, fw_peer, ping_c0_cb, NULL) != AMP_EINVAL) {
		(void)amp_mbox_register_callback(&fw_mbox, fw_cpu, NULL, NULL);
		return fw_fail(m, "channel map checks");
	}
	uint64_t t0 = amp_port_now_ns();
	uint32_t i;
	for (i = 0; i < PING_ROUNDS; i++) {
		r = amp_mbox_send(&fw_mbox, fw_peer, NULL);
		if (r != 0 || amp_port_event_wait(&ping_ev, AMP_MSEC(FW_PATIENCE_MS)) != 0) {
			break;
		}
	}
	uint64_t t1 = amp_port_now_ns();
	(void)amp_mbox_register_callback(&fw_mbox, fw_cpu, NULL, NULL);
	if (i != PING_ROUNDS) {
		return fw_fail(m, "no pong for ping %u (send %s), %u deliveries, peer status %x",
			       (unsigned)i, amp_strerror(r), (unsigned)fw_mhu.deliveries,
			       (unsigned)fw_mhu_status(fw_peer));
	}
	if (ping_count != PING_ROUNDS || !ping_in_isr) {
		return fw_fail(m, "%u pongs, in ISR %d", (unsigned)ping_count, (int)ping_in_isr);
	}
	return fw_note(m, "%u round trips, %u ns each", (unsigned)PING_ROUNDS,
		       (unsigned)((t1 - t0) / PING_ROUNDS));
}

/* ---- IPM view of the same MHU ------------------------------------------- */

#define IPM_ROUNDS 200u

static volatile uint32_t ipm_bad_id;

static void ipm_c0_cb(struct amp_mbox *mbox, void *ud, uint32_t id, volatile void *data)
{
	(void)mbox;
	(void)ud;
	(void)data;
	if (id != fw_cpu) {
		ipm_bad_id++;
	}
	ping_count++;
	amp_port_event_post(&ping_ev);
}

static void ipm_c1_cb(struct amp_mbox *mbox, void *ud, uint32_t id, volatile void *data)
{
	(void)ud;
	(void)data;
	if (id != fw_cpu) {
		ipm_bad_id++;
	}
	ping_count++;
	(void)amp_ipm_send(mbox, 0, fw_peer, NULL, 0);
}

static int ipm_c1_setup(struct fw_msg *m)
{
	(void)m;
	ping_count = 0;
	ipm_bad_id = 0;
	amp_ipm_register_callback(&fw_mbox, ipm_c1_cb, NULL);
	return 0;
}

static int ipm_c1(struct fw_msg *m)
{
	uint32_t start = fw_ms();
	while (ping_count < IPM_ROUNDS && fw_ms() - start < 4u * FW_PATIENCE_MS && !fw_aborted()) {
		amp_bm_idle();
	}
	amp_ipm_register_callback(&fw_mbox, NULL, NULL);
	if (ping_count != IPM_ROUNDS || ipm_bad_id != 0) {
		return fw_fail(m, "saw %u messages, %u with a wrong id", (unsigned)ping_count,
			       (unsigned)ipm_bad_id);
	}
	return 0;
}

static int ipm_c0(struct fw_msg *m)
{
	amp_port_event_init(&ping_ev);
	ping_count = 0;
	ipm_bad_id = 0;
	amp_ipm_register_callback(&fw_mbox, ipm_c0_cb, NULL);
	uint8_t byte = 1;
	int e1 = amp_ipm_send(&fw_mbox, 0, 2, NULL, 0);
	int e2 = amp_ipm_send(&fw_mbox, 0, fw_peer, &byte, 1);
	int e3 = amp_ipm_send(&fw_mbox, 0, fw_cpu, NULL, 0);
	if (e1 != AMP_EINVAL || e2 != AMP_EMSGSIZE || e3 != AMP_EINVAL ||
	    amp_ipm_max_id_val_get(&fw_mbox) != 1 || amp_ipm_max_data_size_get(&fw_mbox) != 0) {
		amp_ipm_register_callback(&fw_mbox, NULL, NULL);
		return fw_fail(m, "argument checks: %d %d %d", e1, e2, e3);
	}
	uint32_t i;
	int r = 0;
	for (i = 0; i < IPM_ROUNDS; i++) {
		/* wait = 1: returns once core 1's handler cleared its status bit */
		r = amp_ipm_send(&fw_mbox, 1, fw_peer, NULL, 0);
		if (r != 0 || amp_port_event_wait(&ping_ev, AMP_MSEC(FW_PATIENCE_MS)) != 0) {
			break;
		}
	}
	amp_ipm_register_callback(&fw_mbox, NULL, NULL);
	if (i != IPM_ROUNDS || ipm_bad_id != 0) {
		return fw_fail(m, "round %u: send %s, %u wrong ids", (unsigned)i, amp_strerror(r),
			       (unsigned)ipm_bad_id);
	}
	return fw_note(m, "%u IPM round trips (id = target CPU, wait = 1)", (unsigned)IPM_ROUNDS);
}

/* ---- a ring that arrives while nobody can take it stays pending ----------- */

struct pend_shared {
	volatile uint32_t step; /* core 0: ring now (1, 2) */
	volatile uint32_t rung; /* core 1: rang for step n */
};
#define PEND ((struct pend_shared *)FW_SCRATCH_ADDR)

static volatile uint32_t pend_count;

static void pend_cb(struct amp_mbox *mbox, uint32_t ch, void *ud, const struct amp_mbox_msg *msg)
{
	(void)mbox;
	(void)ch;
	(void)ud;
	(void)msg;
	pend_count++;
}

static int pend_c1(struct fw_msg *m)
{
	for (uint32_t step = 1; step <= 2; step++) {
		if (fw_wait_eq(&PEND->step, step, FW_PATIENCE_MS) != 0) {
			return fw_fail(m, "no step %u from core 0", (unsigned)step);
		}
		(void)amp_mbox_send(&fw_mbox, fw_peer, NULL);
		PEND->rung = step;
	}
	return 0;
}

/* Wait until our own MHU status shows the ring, then give the (wrongly
 * delivered) interrupt a few milliseconds to show up. */
static int pend_wait_ring(struct fw_msg *m, uint32_t step)
{
	if (fw_wait_eq(&PEND->rung, step, FW_PATIENCE_MS) != 0) {
		return fw_fail(m, "core 1 did not ring (step %u)", (unsigned)step);
	}
	uint32_t t0 = fw_ms();
	while ((fw_mhu_status(fw_cpu) & 1u) == 0) {
		if (fw_ms() - t0 > FW_PATIENCE_MS) {
			return fw_fail(m, "ring of step %u not in the status register", (unsigned)step);
		}
	}
	amp_port_sleep_us(5000);
	return 0;
}

static int pend_wait_count(uint32_t want)
{
	uint32_t t0 = fw_ms();
	while (pend_count < want && fw_ms() - t0 < FW_PATIENCE_MS) {
		amp_bm_idle();
	}
	return pend_count == want ? 0 : -1;
}

static int pend_c0(struct fw_msg *m)
{
	pend_count = 0;
	int r = amp_mbox_set_enabled(&fw_mbox, fw_cpu, false);
	if (r == 0) {
		r = amp_mbox_register_callback(&fw_mbox, fw_cpu, pend_cb, NULL);
	}
	if (r != 0) {
		(void)amp_mbox_set_enabled(&fw_mbox, fw_cpu, true);
		return fw_fail(m, "disable/register: %s", amp_strerror(r));
	}
	/* 1: channel disabled -> pending, delivered once on enable. */
	PEND->step = 1;
	r = pend_wait_ring(m, 1);
	uint32_t while_disabled = pend_count;
	int en = amp_mbox_set_enabled(&fw_mbox, fw_cpu, true);
	if (r != 0) {
		return r;
	}
	if (while_disabled != 0 || en != 0 || pend_wait_count(1) != 0 ||
	    (fw_mhu_status(fw_cpu) & 1u) != 0) {
		return fw_fail(m, "disabled: %u callbacks while disabled, enable %s, %u after",
			       (unsigned)while_disabled, amp_strerror(en), (unsigned)pend_count);
	}
	/* 2: enabled but no callback -> pending, delivered on registration. */
	(void)amp_mbox_register_callback(&fw_mbox, fw_cpu, NULL, NULL);
	PEND->step = 2;
	r = pend_wait_ring(m, 2);
	uint32_t without_cb = pend_count;
	int reg = amp_mbox_register_callback(&fw_mbox, fw_cpu, pend_cb, NULL);
	if (r == 0 && (without_cb != 1 || reg != 0 || pend_wait_count(2) != 0)) {
		r = fw_fail(m, "no callback: count %u before, register %s, %u after",
			    (unsigned)without_cb, amp_strerror(reg), (unsigned)pend_count);
	}
	(void)amp_mbox_register_callback(&fw_mbox, fw_cpu, NULL, NULL);
	return r != 0 ? r
		      : fw_note(m, "kept pending while disabled and while without callback, "
				   "delivered once each");
}

const struct fw_case fw_case_mhu_pending = { "mhu_pending", NULL, pend_c0, pend_c1, 10000 };

const struct fw_case fw_case_shm = { "shared_sram", NULL, shm_c0, shm_c1, 10000 };
const struct fw_case fw_case_time = { "port_basics", NULL, time_c0, NULL, 10000 };
const struct fw_case fw_case_mhu_ping = { "mhu_pingpong", ping_c1_setup, ping_c0, ping_c1, 10000 };
const struct fw_case fw_case_mhu_ipm = { "mhu_ipm", ipm_c1_setup, ipm_c0, ipm_c1, 10000 };
