/* SPDX-License-Identifier: Apache-2.0 */
/* The cases, one descriptor each; cases.c puts the available ones in order. */
#ifndef FW_CASES_H
#define FW_CASES_H

#include "fw.h"

extern const struct fw_case fw_case_shm;
extern const struct fw_case fw_case_time;
extern const struct fw_case fw_case_mhu_ping;
extern const struct fw_case fw_case_mhu_ipm;
extern const struct fw_case fw_case_mhu_pending;
extern const struct fw_case fw_case_spinlock_ticket;
extern const struct fw_case fw_case_spinlock_peterson;
extern const struct fw_case fw_case_pbuf;
extern const struct fw_case fw_case_icmsg;
extern const struct fw_case fw_case_icmsg_reset;
extern const struct fw_case fw_case_icmsg_v1;
extern const struct fw_case fw_case_rpmsg;

#endif /* FW_CASES_H */
