/* SPDX-License-Identifier: Apache-2.0 */
/* Case order: building blocks first, so the first failure points at the layer
 * that broke. FW_HAVE_* come from the build: a case is compiled when the
 * components it needs exist in this tree. */
#include "cases.h"

#ifndef FW_HAVE_SPINLOCK
#define FW_HAVE_SPINLOCK 0
#endif
#ifndef FW_HAVE_PBUF
#define FW_HAVE_PBUF 0
#endif
#ifndef FW_HAVE_ICMSG
#define FW_HAVE_ICMSG 0
#endif
#ifndef FW_HAVE_RPMSG
#define FW_HAVE_RPMSG 0
#endif

const struct fw_case *const fw_cases[] = {
	&fw_case_shm,
	&fw_case_time,
	&fw_case_mhu_ping,
	&fw_case_mhu_ipm,
	&fw_case_mhu_pending,
#if FW_HAVE_SPINLOCK
	&fw_case_spinlock_ticket,
	&fw_case_spinlock_peterson,
#endif
#if FW_HAVE_PBUF
	&fw_case_pbuf,
#endif
#if FW_HAVE_ICMSG
	&fw_case_icmsg,
	&fw_case_icmsg_reset,
	&fw_case_icmsg_v1,
#endif
#if FW_HAVE_RPMSG
	&fw_case_rpmsg,
#endif
};

const unsigned fw_num_cases = sizeof(fw_cases) / sizeof(fw_cases[0]);
