/* SPDX-License-Identifier: Apache-2.0 */
/* Conventions shared by the subcommands: exit codes, number parsing, help. */
#ifndef AMP_TOOL_CLI_H
#define AMP_TOOL_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define AMP_EXIT_OK 0       /**< success, nothing to report */
#define AMP_EXIT_FINDINGS 1 /**< findings, missed targets, or a failure */
#define AMP_EXIT_USAGE 2    /**< bad command line */

/** Parse an unsigned number: decimal, 0x hex, optional K/M/G (x1024) suffix. */
bool amp_cli_u64(const char *s, uint64_t *out);
/** Parse a duration: "2", "0.5s", "200ms", "50us". Result in seconds. */
bool amp_cli_seconds(const char *s, double *out);
/** Print "amplink <cmd>: <message>" and a hint to stderr; returns AMP_EXIT_USAGE. */
int amp_cli_usage_error(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
/** True if stderr is a terminal (progress output goes there only then). */
bool amp_cli_progress_enabled(void);

int amp_cmd_bench(int argc, char **argv);
int amp_cmd_inspect(int argc, char **argv);
int amp_cmd_demo(int argc, char **argv);

#endif
