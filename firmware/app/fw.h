/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Dual-core test application: the harness that runs the same case table on
 * both cores. Core 0 drives (starts each case, prints its result line, exits
 * QEMU); core 1 follows commands in the control block in shared memory.
 *
 * The control block is polled, never signalled through the MHU, so a broken
 * mailbox fails its own cases instead of the whole run.
 */
#ifndef FW_H
#define FW_H

#include <amplink/mbox.h>
#include <amplink/mbox_mhu.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "memmap.h"

/* Deliberately broken builds (ctest WILL_FAIL) prove the harness catches failures. */
#define FW_BREAK_NONE 0
#define FW_BREAK_WRONG 1 /* core 1 computes a wrong answer */
#define FW_BREAK_FAULT 2 /* core 1 executes an undefined instruction */
#define FW_BREAK_HANG 3  /* core 1 stops answering mid-case */
#define FW_BREAK_STUCK 4 /* core 0 itself hangs: only the runner's timeout ends it */
#define FW_BREAK_ASSERT 5 /* core 1 fails an assertion (amp_port_assert_failed) */
#ifndef FW_BREAK
#define FW_BREAK FW_BREAK_NONE
#endif

/* How long any wait for the other core's progress lasts before it counts as a
 * failure. Generous: on a loaded CI host a QEMU vCPU thread can be descheduled
 * for a long time while the other one keeps running. */
#define FW_PATIENCE_MS 5000u

#define FW_C1_ALIVE 0xC0DE0001u
#define FW_MSG_LEN 120

struct fw_ctl {
	volatile uint32_t c1_alive;     /* core 1: FW_C1_ALIVE once running */
	volatile uint32_t console_lock; /* amp_bm_console_set_lock() */
	volatile uint32_t cmd_seq;      /* core 0: sequence number of the current case */
	volatile uint32_t cmd_case;     /* core 0: its index in fw_cases[] */
	volatile uint32_t ready_seq;    /* core 1: set up for cmd_seq */
	volatile uint32_t done_seq;     /* core 1: finished cmd_seq */
	volatile int32_t c1_status;     /* core 1: 0 passed, < 0 failed */
	volatile uint32_t abort_seq;    /* core 0: gave up on this case; core 1 stops waiting */
	char c1_msg[FW_MSG_LEN];        /* core 1: detail for the result line */
};
_Static_assert(sizeof(struct fw_ctl) <= 0x1000, "control block fits its slot");

#define FW_CTL ((struct fw_ctl *)FW_CTL_ADDR)

/* Result text of one side of a case. */
struct fw_msg {
	char text[FW_MSG_LEN];
};

/* Record a failure (returns -1) or a note (returns 0) in @p m. */
int fw_fail(struct fw_msg *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fw_note(struct fw_msg *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct fw_case {
	const char *name;
	/* core 1, before telling core 0 it is ready (register callbacks, init rx) */
	int (*c1_setup)(struct fw_msg *m);
	/* core 0, once core 1 is ready */
	int (*c0_run)(struct fw_msg *m);
	/* core 1, concurrently with c0_run */
	int (*c1_run)(struct fw_msg *m);
	/* how long core 0 waits for core 1's result after its own side, ms */
	uint32_t timeout_ms;
};

extern const struct fw_case *const fw_cases[];
extern const unsigned fw_num_cases;

/* The MHU0 doorbell of this core, its driver state, and a raw status read
 * (CPUn_INTR_STAT) for diagnostics. */
extern struct amp_mbox fw_mbox;
extern struct amp_mbox_mhu fw_mhu;
uint32_t fw_mhu_status(uint32_t cpu);
/* (Re)initialise the MHU driver and enable the inbound channel, as at boot. */
int fw_mhu_reinit(void);
/* This core's index and the peer's (= the outbound MHU channel). */
extern uint32_t fw_cpu, fw_peer;

/* True when core 0 gave up on the current case (core 1 side: stop waiting). */
bool fw_aborted(void);
/* Milliseconds since boot (SysTick). */
uint32_t fw_ms(void);
/* Spin until *word == value or timeout (also stops on abort). 0 or -1. */
int fw_wait_eq(volatile uint32_t *word, uint32_t value, uint32_t timeout_ms);
/* Bytewise checksum (Fletcher-32 over bytes) for message payloads. */
uint32_t fw_checksum(const void *data, size_t len);
/* Deterministic pseudo-random sequence (xorshift32). */
uint32_t fw_rand(uint32_t *state);

/*
 * Test messages: [seq u32 LE][bytes derived from seq and salt][Fletcher-32 of
 * everything before it]. Length 8..max, derived from seq, so the receiver
 * knows what to expect and a lost, duplicated, reordered, truncated or
 * corrupted message is detected.
 */
size_t fw_msg_len(uint32_t seq, uint32_t salt, size_t max);
void fw_msg_fill(uint8_t *buf, size_t len, uint32_t seq, uint32_t salt);
/* 0 if @p buf is message @p seq, else a negative code; what went wrong in @p why. */
int fw_msg_check(const volatile uint8_t *buf, size_t len, uint32_t seq, uint32_t salt, size_t max,
		 const char **why);

#endif /* FW_H */
