/* SPDX-License-Identifier: Apache-2.0 */
/*
 * amplink: the command-line companion of the library.
 *   amplink bench    latency/throughput against the ordinary Linux mechanisms
 *   amplink inspect  decode a shared-memory region, live or from a dump
 *   amplink demo     two cores (processes) talking over amplink
 */
#define _GNU_SOURCE
#include "cli.h"

#include <string.h>

#ifndef AMP_TOOL_VERSION
#define AMP_TOOL_VERSION "0"
#endif

static void usage(FILE *out)
{
	fputs("NAME\n"
	      "    amplink - inter-processor communication toolbox\n"
	      "\n"
	      "SYNOPSIS\n"
	      "    amplink COMMAND [OPTIONS]\n"
	      "    amplink COMMAND --help\n"
	      "\n"
	      "COMMANDS\n"
	      "    bench     measure round trip and throughput of amplink transports between two\n"
	      "              processes, against raw shared memory, futex, pipe and sockets\n"
	      "    inspect   decode a pbuf, ICMsg or RPMsg shared-memory region (live or dump)\n"
	      "    demo      run a two-core (two-process) system and narrate what happens\n"
	      "\n"
	      "EXIT STATUS\n"
	      "    0 success, 1 findings or failure, 2 usage error\n",
	      out);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return AMP_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		if (argc > 2 && strcmp(cmd, "help") == 0) {
			char *sub[] = { argv[2], (char *)"--help", NULL };
			argv = sub;
			argc = 2;
			cmd = argv[0];
			if (strcmp(cmd, "bench") == 0) {
				return amp_cmd_bench(argc, argv);
			}
			if (strcmp(cmd, "inspect") == 0) {
				return amp_cmd_inspect(argc, argv);
			}
			if (strcmp(cmd, "demo") == 0) {
				return amp_cmd_demo(argc, argv);
			}
		}
		usage(stdout);
		return AMP_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("amplink %s\n", AMP_TOOL_VERSION);
		return AMP_EXIT_OK;
	}
	if (strcmp(cmd, "bench") == 0) {
		return amp_cmd_bench(argc - 1, argv + 1);
	}
	if (strcmp(cmd, "inspect") == 0) {
		return amp_cmd_inspect(argc - 1, argv + 1);
	}
	if (strcmp(cmd, "demo") == 0) {
		return amp_cmd_demo(argc - 1, argv + 1);
	}
	fprintf(stderr, "amplink: unknown command '%s'\n", cmd);
	usage(stderr);
	return AMP_EXIT_USAGE;
}
