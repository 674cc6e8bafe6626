/* SPDX-License-Identifier: Apache-2.0 */
/**
 * @file zephyr/logging/log.h
 * @brief Zephyr's logging macros, printed with printk (amplink compatibility layer).
 *
 * LOG_ERR/LOG_WRN/LOG_INF/LOG_DBG print "<level> <module>: message" when the
 * level is at or below the module's level (LOG_MODULE_REGISTER's second
 * argument, default LOG_LEVEL_INF). Not deferred: lines appear at once.
 */
#ifndef AMP_ZEPHYR_LOGGING_LOG_H
#define AMP_ZEPHYR_LOGGING_LOG_H

#include <zephyr/sys/printk.h>

#define LOG_LEVEL_NONE 0
#define LOG_LEVEL_ERR 1
#define LOG_LEVEL_WRN 2
#define LOG_LEVEL_INF 3
#define LOG_LEVEL_DBG 4

#define Z_AMP_LOG_MODULE_REGISTER2(name, level)                                  \
	static const char z_amp_log_name[] __attribute__((unused)) = #name;  \
	static const int z_amp_log_level __attribute__((unused)) = level
#define Z_AMP_LOG_MODULE_REGISTER1(name) Z_AMP_LOG_MODULE_REGISTER2(name, LOG_LEVEL_INF)
#define Z_AMP_LOG_PICK(_1, _2, m, ...) m
#define LOG_MODULE_REGISTER(...)                                                       \
	Z_AMP_LOG_PICK(__VA_ARGS__, Z_AMP_LOG_MODULE_REGISTER2, Z_AMP_LOG_MODULE_REGISTER1, \
		       ~)(__VA_ARGS__)
#define LOG_MODULE_DECLARE(...) LOG_MODULE_REGISTER(__VA_ARGS__)

#define Z_AMP_LOG(lvl, tag, ...)                                     \
	do {                                                         \
		if ((lvl) <= z_amp_log_level) {                      \
			printk("<%s> %s: ", tag, z_amp_log_name);   \
			printk(__VA_ARGS__);                         \
			printk("\n");                                \
		}                                                    \
	} while (0)

#define LOG_ERR(...) Z_AMP_LOG(LOG_LEVEL_ERR, "err", __VA_ARGS__)
#define LOG_WRN(...) Z_AMP_LOG(LOG_LEVEL_WRN, "wrn", __VA_ARGS__)
#define LOG_INF(...) Z_AMP_LOG(LOG_LEVEL_INF, "inf", __VA_ARGS__)
#define LOG_DBG(...) Z_AMP_LOG(LOG_LEVEL_DBG, "dbg", __VA_ARGS__)

#endif /* AMP_ZEPHYR_LOGGING_LOG_H */
