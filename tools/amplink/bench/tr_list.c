/* SPDX-License-Identifier: Apache-2.0 */
/* The amplink transports this build can measure. */
#include "bench.h"

#include <stddef.h>

#ifdef AMP_TOOL_HAVE_ICMSG
extern const struct bench_impl bench_icmsg_irq, bench_icmsg_poll, bench_icmsg_adaptive,
	bench_icmsg_burst;
#endif
#ifdef AMP_TOOL_HAVE_RPMSG
extern const struct bench_impl bench_rpmsg_irq, bench_rpmsg_poll, bench_rpmsg_adaptive;
#endif

const struct bench_impl *const bench_amplink_impls[] = {
#ifdef AMP_TOOL_HAVE_ICMSG
	&bench_icmsg_irq,
	&bench_icmsg_poll,
	&bench_icmsg_adaptive,
	&bench_icmsg_burst,
#endif
#ifdef AMP_TOOL_HAVE_RPMSG
	&bench_rpmsg_irq,
	&bench_rpmsg_poll,
	&bench_rpmsg_adaptive,
#endif
	NULL,
};
