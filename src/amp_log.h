/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Library-internal logging: AMP_LOGE/W/I/D(fmt, ...) call amp_port_log() when
 * AMP_CONFIG_LOG_LEVEL admits the level. Otherwise the call sits behind a
 * constant false condition: the arguments are still type-checked (and count
 * as used, so no unused-variable warnings), but the call and its format
 * string are not in the image.
 */
#ifndef AMP_LOG_H
#define AMP_LOG_H

#include <amplink/config.h>
#include <amplink/port.h>

#define AMP_LOG_AT(level, ...)                                                                     \
	do {                                                                                       \
		if ((level) <= AMP_CONFIG_LOG_LEVEL) {                                             \
			amp_port_log((level), __VA_ARGS__);                                        \
		}                                                                                  \
	} while (0)

#define AMP_LOGE(...) AMP_LOG_AT(AMP_LOG_ERR, __VA_ARGS__)
#define AMP_LOGW(...) AMP_LOG_AT(AMP_LOG_WRN, __VA_ARGS__)
#define AMP_LOGI(...) AMP_LOG_AT(AMP_LOG_INF, __VA_ARGS__)
#define AMP_LOGD(...) AMP_LOG_AT(AMP_LOG_DBG, __VA_ARGS__)

/* A statistics counter update that AMP_CONFIG_STATS=0 removes. */
#if AMP_CONFIG_STATS
#define AMP_STAT_INC(ctr) ((ctr)++)
#define AMP_STAT_ADD(ctr, n) ((ctr) += (n))
#else
#define AMP_STAT_INC(ctr) ((void)0)
#define AMP_STAT_ADD(ctr, n) ((void)(n))
#endif

#endif /* AMP_LOG_H */
