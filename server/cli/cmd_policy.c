/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `mta-sts-hostd policy DOMAIN`: the exact bytes the daemon serves. */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../config/config.h"
#include "../../config/name.h"
#include "cmd.h"

int
cmd_policy(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "id", no_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*path = NULL;
	bool		 want_id = false;
	struct config	*cfg;
	struct domain	*d;
	char		*name, *why;
	int		 ch, rc = EXIT_OK;

	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'i':
			want_id = true;
			break;
		default:
			goto usage;
		}
	}
	if (optind + 1 != argc)
		goto usage;
	name = name_normalize(argv[optind], 0, &why);
	if (name == NULL) {
		fprintf(stderr, "mta-sts-hostd policy: %s\n", why);
		free(why);
		return EXIT_USAGE;
	}
	cfg = cmd_load_config(path);
	d = config_domain(cfg, name);
	if (d == NULL) {
		fprintf(stderr, "mta-sts-hostd policy: %s is not configured "
		    "in %s\n", name, cfg->cfg_path);
		cmd_print_errors(cfg);
		rc = EXIT_INVALID;
	} else if (!d->dom_valid) {
		cmd_print_errors(cfg);
		fprintf(stderr, "mta-sts-hostd policy: %s cannot be served "
		    "until the errors above are fixed\n", name);
		rc = EXIT_INVALID;
	} else if (want_id)
		printf("%s\n", d->dom_id);
	else
		fwrite(d->dom_body, 1, d->dom_body_len, stdout);
	if (cmd_flush("policy") != EXIT_OK)
		rc = EXIT_USAGE;
	free(name);
	config_free(cfg);
	return rc;
usage:
	cmd_usage("policy");
	return EXIT_USAGE;
}
