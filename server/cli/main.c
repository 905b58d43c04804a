/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mta-sts-hostd: an MTA-STS (RFC 8461) policy host. One binary, subcommands
 * for the daemon and for the tools around it (cmd.c has their table).
 */
#include <stdio.h>
#include <string.h>

#include "cmd.h"

int
main(int argc, char **argv)
{
	const struct command *cmd;

	/* `serve` is the default command: `mta-sts-hostd -c FILE`. */
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-h") == 0)) {
			cmd_usage_all(stdout);
			return EXIT_OK;
		}
		if (argc >= 2 && strcmp(argv[1], "--version") == 0)
			return cmd_version(argc - 1, argv + 1);
		return cmd_serve(argc, argv);
	}
	if (strcmp(argv[1], "help") == 0) {
		cmd_usage_all(stdout);
		return EXIT_OK;
	}
	if ((cmd = cmd_find(argv[1])) != NULL)
		return cmd->cmd_run(argc - 1, argv + 1);
	fprintf(stderr, "mta-sts-hostd: unknown command '%s'\n\n", argv[1]);
	cmd_usage_all(stderr);
	return EXIT_USAGE;
}
