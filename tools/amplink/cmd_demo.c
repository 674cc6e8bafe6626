/* SPDX-License-Identifier: Apache-2.0 */
#define _GNU_SOURCE
#include "cli.h"

int amp_cmd_demo(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return AMP_EXIT_FINDINGS;
}
