/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `mta-sts-hostd serve` (the default command): the daemon's options.
 */
#include <getopt.h>
#include <stdbool.h>

#include "../../config/config.h"
#include "../serve.h"
#include "cmd.h"

int
cmd_serve(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "foreground", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*path = CONFIG_DEFAULT_PATH;
	bool		 foreground = false;
	int		 ch;

	while ((ch = getopt_long(argc, argv, "c:f", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			foreground = true;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	return serve_run(path, foreground);
usage:
	cmd_usage("serve");
	return EXIT_USAGE;
}
