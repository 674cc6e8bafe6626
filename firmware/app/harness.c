/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Boot of both cores and the case runner. Output contract (core 0, UART):
 * one line per case, "PASS <name>: <detail>" or "FAIL <name>: <reason>",
 * then "<n> passed, <m> failed"; QEMU then exits with 0 only if m == 0.
 */
#include <amplink/errno.h>
#include <amplink/port.h>
#include <amplink/port_baremetal.h>

#include <stdarg.h>
#include <string.h>

#include "fw.h"

struct amp_mbox fw_mbox;
struct amp_mbox_mhu fw_mhu;
static const struct amp_mbox_mhu_cfg fw_mhu_cfg = {
	.base = FW_MHU0_BASE,
	.cpu_identity = 0, /* Zephyr's rule: (base & 0xF0000000) + 0x1F000 */
	.irq = (int)FW_MHU0_IRQ,
};
uint32_t fw_cpu, fw_peer;

uint32_t fw_mhu_status(uint32_t cpu)
{
	return *(volatile uint32_t *)(FW_MHU0_BASE + AMP_MHU_CPU_STRIDE * cpu + AMP_MHU_CPU0INTR_STAT);
}

void fw_mhu0_isr(void);
void fw_mhu0_isr(void)
{
	amp_mbox_mhu_isr(&fw_mbox);
}

int fw_mhu_reinit(void)
{
	/* What a rebooting core does: the driver state starts over, every
	 * callback is gone, the inbound channel is enabled again. */
	int ret = amp_mbox_mhu_init(&fw_mbox, &fw_mhu, &fw_mhu_cfg);
	if (ret == 0) {
		ret = amp_mbox_set_enabled(&fw_mbox, fw_cpu, true);
	}
	return ret;
}

static int fw_vmsg(struct fw_msg *m, int ret, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
static int fw_vmsg(struct fw_msg *m, int ret, const char *fmt, va_list ap)
{
	amp_bm_vsnprintf(m->text, sizeof(m->text), fmt, ap);
	return ret;
}

int fw_fail(struct fw_msg *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = fw_vmsg(m, -1, fmt, ap);
	va_end(ap);
	return r;
}

int fw_note(struct fw_msg *m, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int r = fw_vmsg(m, 0, fmt, ap);
	va_end(ap);
	return r;
}

uint32_t fw_ms(void)
{
	return (uint32_t)(amp_port_now_ns() / 1000000u);
}

static uint32_t fw_current_seq;

bool fw_aborted(void)
{
	return fw_cpu == 1 && FW_CTL->abort_seq == fw_current_seq;
}

int fw_wait_eq(volatile uint32_t *word, uint32_t value, uint32_t timeout_ms)
{
	uint32_t start = fw_ms();
	while (*word != value) {
		if (fw_ms() - start >= timeout_ms || fw_aborted()) {
			return -1;
		}
		amp_port_cpu_relax();
	}
	amp_port_mb();
	return 0;
}

uint32_t fw_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t a = 1, b = 0;
	for (size_t i = 0; i < len; i++) {
		a = (a + p[i]) % 65521u;
		b = (b + a) % 65521u;
	}
	return (b << 16) | a;
}

uint32_t fw_rand(uint32_t *state)
{
	uint32_t x = *state;
	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	*state = x;
	return x;
}

size_t fw_msg_len(uint32_t seq, uint32_t salt, size_t max)
{
	uint32_t r = (seq + 1u) * 0x9E3779B9u ^ salt;
	(void)fw_rand(&r);
	return 8u + (size_t)(r % (uint32_t)(max - 7u));
}

void fw_msg_fill(uint8_t *buf, size_t len, uint32_t seq, uint32_t salt)
{
	uint32_t r = seq ^ salt ^ 0xA5A5A5A5u;
	buf[0] = (uint8_t)seq;
	buf[1] = (uint8_t)(seq >> 8);
	buf[2] = (uint8_t)(seq >> 16);
	buf[3] = (uint8_t)(seq >> 24);
	for (size_t i = 4; i < len - 4; i++) {
		buf[i] = (uint8_t)fw_rand(&r);
	}
	uint32_t sum = fw_checksum(buf, len - 4);
	for (size_t i = 0; i < 4; i++) {
		buf[len - 4 + i] = (uint8_t)(sum >> (8 * i));
	}
}

int fw_msg_check(const volatile uint8_t *buf, size_t len, uint32_t seq, uint32_t salt, size_t max,
		 const char **why)
{
	uint8_t copy[512];
	if (len < 8 || len > sizeof(copy)) {
		*why = "bad length";
		return -1;
	}
	for (size_t i = 0; i < len; i++) {
		copy[i] = buf[i];
	}
	uint32_t got = (uint32_t)copy[0] | (uint32_t)copy[1] << 8 | (uint32_t)copy[2] << 16 |
		       (uint32_t)copy[3] << 24;
	if (got != seq) {
		*why = "sequence";
		return -2;
	}
	if (len != fw_msg_len(seq, salt, max)) {
		*why = "length";
		return -3;
	}
	uint32_t sum = fw_checksum(copy, len - 4);
	uint32_t stored = (uint32_t)copy[len - 4] | (uint32_t)copy[len - 3] << 8 |
			  (uint32_t)copy[len - 2] << 16 | (uint32_t)copy[len - 1] << 24;
	if (sum != stored) {
		*why = "checksum";
		return -4;
	}
	uint8_t want[512];
	fw_msg_fill(want, len, seq, salt);
	for (size_t i = 0; i < len; i++) {
		if (want[i] != copy[i]) {
			*why = "content";
			return -5;
		}
	}
	return 0;
}

static void fw_start_core1(void)
{
	/* Shared memory starts defined: core 1 must not see stale words. */
	memset((void *)FW_SHARED_BASE, 0, FW_SHARED_SIZE);
	amp_port_mb();
	*(volatile uint32_t *)FW_SYSCTL_INITSVTOR1 = FW_CORE1_IMAGE;
	amp_port_mb();
	/* CPUWAIT bit 1 going 1 -> 0 powers core 1 on from INITSVTOR1. */
	*(volatile uint32_t *)FW_SYSCTL_CPUWAIT = 0;
}

static int fw_core0(void)
{
	struct fw_ctl *ctl = FW_CTL;
	amp_bm_printf("amplink firmware on mps2-an521: core 0 up, starting core 1\n");
	fw_start_core1();
	amp_bm_console_set_lock(&ctl->console_lock);
	if (fw_wait_eq(&ctl->c1_alive, FW_C1_ALIVE, 5000) != 0) {
		amp_bm_printf("FAIL boot: core 1 did not start\n0 passed, 1 failed\n");
		return 1;
	}
	unsigned passed = 0, failed = 0;
	bool c1_dead = false;
	for (unsigned i = 0; i < fw_num_cases; i++) {
		const struct fw_case *c = fw_cases[i];
		struct fw_msg m0 = { { 0 } };
		uint32_t seq = i + 1;
		uint32_t t0 = fw_ms();
		/* Each case starts from zeroed shared memory, as after a power-up
		 * (ICMsg v1 relies on it: it has no reset detection); core 1 is
		 * idle now. The control block stays. */
		memset((void *)FW_SCRATCH_ADDR, 0, FW_SHARED_SIZE - (FW_SCRATCH_ADDR - FW_SHARED_BASE));
		ctl->cmd_case = i;
		amp_port_mb();
		ctl->cmd_seq = seq;
		int r0;
		if (c1_dead) {
			r0 = fw_fail(&m0, "skipped: core 1 stopped answering");
		} else if (fw_wait_eq(&ctl->ready_seq, seq, 5000) != 0) {
			r0 = fw_fail(&m0, "core 1 not ready within 5 s");
		} else {
			r0 = c->c0_run != NULL ? c->c0_run(&m0) : 0;
#if FW_BREAK == FW_BREAK_STUCK
			__asm__ volatile("cpsid i");
			for (;;) {
			}
#endif
		}
		int r1 = -1;
		const char *m1 = "";
		if (c1_dead) {
			m1 = "not run";
		} else if (fw_wait_eq(&ctl->done_seq, seq, r0 == 0 ? c->timeout_ms : 1000u) != 0) {
			/* (Core 0's side failed: core 1 likely waits for it, so it is
			 * told to stop after a second instead of the full timeout.) */
			ctl->abort_seq = seq;
			/* Core 1 gets a moment to notice before the next case starts;
			 * if it does not, it is hung and later cases are skipped. */
			if (fw_wait_eq(&ctl->done_seq, seq, 500) != 0) {
				c1_dead = true;
			}
			m1 = "core 1 gave no result in time";
		} else {
			r1 = ctl->c1_status;
			m1 = ctl->c1_msg;
		}
		uint32_t ms = fw_ms() - t0;
		if (r0 == 0 && r1 == 0) {
			passed++;
			amp_bm_printf("PASS %s: %s%s%s (%u ms)\n", c->name, m0.text,
				      (m0.text[0] && m1[0]) ? "; " : "", m1, (unsigned)ms);
		} else {
			failed++;
			amp_bm_printf("FAIL %s: core 0: %s | core 1: %s (%u ms)\n", c->name,
				      r0 == 0 ? "ok" : m0.text, r1 == 0 ? "ok" : m1, (unsigned)ms);
		}
	}
	amp_bm_printf("%u passed, %u failed\n", passed, failed);
	return failed == 0 ? 0 : 1;
}

static int fw_core1(void) __attribute__((noreturn));
static int fw_core1(void)
{
	struct fw_ctl *ctl = FW_CTL;
	amp_bm_console_set_lock(&ctl->console_lock);
	amp_port_mb();
	ctl->c1_alive = FW_C1_ALIVE;
	uint32_t seen = 0;
	for (;;) {
		uint32_t seq = ctl->cmd_seq;
		if (seq == seen) {
			amp_bm_idle();
			continue;
		}
		amp_port_mb();
		seen = seq;
		fw_current_seq = seq;
		uint32_t idx = ctl->cmd_case;
		struct fw_msg m = { { 0 } };
		int r = 0;
		if (idx >= fw_num_cases) {
			r = fw_fail(&m, "bad case index %u", (unsigned)idx);
		} else if (fw_cases[idx]->c1_setup != NULL) {
			r = fw_cases[idx]->c1_setup(&m);
		}
		ctl->ready_seq = seq;
		if (r == 0 && idx < fw_num_cases && fw_cases[idx]->c1_run != NULL) {
			r = fw_cases[idx]->c1_run(&m);
		}
		memcpy(ctl->c1_msg, m.text, sizeof(ctl->c1_msg));
		ctl->c1_status = r;
		amp_port_mb();
		ctl->done_seq = seq;
	}
}

int main(void)
{
	amp_bm_init();
	fw_cpu = amp_bm_cpu_index();
	fw_peer = fw_cpu ^ 1u;
	int ret = fw_mhu_reinit();
	if (ret != 0) {
		amp_bm_printf("FATAL on core%u: MHU init: %s\n", (unsigned)fw_cpu,
			      amp_strerror(ret));
		return 1;
	}
	__asm__ volatile("cpsie i" ::: "memory");
	return fw_cpu == 0 ? fw_core0() : fw_core1();
}
