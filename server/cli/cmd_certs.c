/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `mta-sts-hostd certs run | status`: the options and the configuration;
 * the scheduler itself is server/certs/.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../config/config.h"
#include "cmd.h"
#include "../certs/certs.h"

#define CERTS_TIMEOUT_DEFAULT	10	/* seconds, each DNS query */
#define CERTS_TIMEOUT_MAX	300
#define CERTS_JOBS_DEFAULT	8
#define CERTS_JOBS_MAX		8

static int
cmd_certs_usage(void)
{
	cmd_usage("certs");
	return EXIT_USAGE;
}

int
cmd_certs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "resolver", required_argument, NULL, 'R' },
		{ "timeout", required_argument, NULL, 't' },
		{ "jobs", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	const char		*path = NULL, *what;
	unsigned		 timeout = CERTS_TIMEOUT_DEFAULT;
	struct certs_options	 opt = { .opt_jobs = CERTS_JOBS_DEFAULT };
	struct config		*cfg;
	bool			 run;
	int			 ch, rc;

	if (argc < 2)
		return cmd_certs_usage();
	what = argv[1];
	if (strcmp(what, "run") != 0 && strcmp(what, "status") != 0)
		return cmd_certs_usage();
	run = strcmp(what, "run") == 0;
	argc--;
	argv++;
	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			if (run || (strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "text") != 0))
				return cmd_certs_usage();
			opt.opt_json = strcmp(optarg, "json") == 0;
			break;
		case 'R':
			if (!run)
				return cmd_certs_usage();
			opt.opt_resolver = optarg;
			break;
		case 't':
			if (!run || !cmd_number(optarg, 1, CERTS_TIMEOUT_MAX,
			    &timeout))
				return cmd_certs_usage();
			break;
		case 'j':
			if (!run || !cmd_number(optarg, 1, CERTS_JOBS_MAX,
			    &opt.opt_jobs))
				return cmd_certs_usage();
			break;
		default:
			return cmd_certs_usage();
		}
	}
	cfg = certs_load_config(path != NULL ? path : CONFIG_DEFAULT_PATH, run);
	cmd_print_errors(cfg);
	if (config_global_errors(cfg) > 0) {
		fprintf(stderr, "mta-sts-hostd certs: the configuration cannot "
		    "be used (errors above)\n");
		config_free(cfg);
		return EXIT_INVALID;
	}
	opt.opt_cfg = cfg;
	opt.opt_run = run;
	opt.opt_names = argv + optind;
	opt.opt_nnames = (size_t)(argc - optind);
	opt.opt_timeout_ms = timeout * 1000;
	rc = run ? certs_run(&opt) : certs_status(&opt);
	if (rc == EXIT_OK)
		rc = cmd_flush("certs");
	config_free(cfg);
	return rc;
}
