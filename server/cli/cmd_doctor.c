/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `mta-sts-hostd doctor`: the options and the configuration; the doctor
 * itself, the live deployment checked the way a sender sees it, is
 * server/doctor/ (doctor_run()).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../config/config.h"
#include "cmd.h"
#include "../doctor/doctor.h"

#define DOCTOR_TIMEOUT_DEFAULT	10	/* seconds; senders allow less */
#define DOCTOR_TIMEOUT_MAX	300
#define DOCTOR_JOBS_DEFAULT	32
#define DOCTOR_JOBS_MAX		512

static int
cmd_doctor_usage(void)
{
	fputs("usage: mta-sts-hostd doctor [-c FILE] [--format text|json] "
	    "[--resolver ADDRESS[:PORT]]\n"
	    "           [--cafile FILE] [--timeout SECONDS] [--jobs N] "
	    "[--no-smtp] [--helo NAME]\n"
	    "           [--state FILE] [DOMAIN...]\n"
	    "       mta-sts-hostd doctor --remote [OPTIONS] DOMAIN...\n",
	    stderr);
	return DOC_UNKNOWN;
}

int
cmd_doctor(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "remote", no_argument, NULL, 'r' },
		{ "format", required_argument, NULL, 'f' },
		{ "resolver", required_argument, NULL, 'R' },
		{ "cafile", required_argument, NULL, 'C' },
		{ "timeout", required_argument, NULL, 't' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "no-smtp", no_argument, NULL, 'n' },
		{ "helo", required_argument, NULL, 'H' },
		{ "state", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char		*path = NULL;
	bool			 remote = false;
	unsigned		 timeout = DOCTOR_TIMEOUT_DEFAULT;
	char			 helo[256] = "";
	struct config		*cfg = NULL;
	struct doctor_options	 opt = { .opt_jobs = DOCTOR_JOBS_DEFAULT,
	    .opt_smtp = true, .opt_helo = helo };
	int			 ch, rc = DOC_UNKNOWN;

	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'r':
			remote = true;
			break;
		case 'f':
			if (strcmp(optarg, "json") != 0 &&
			    strcmp(optarg, "text") != 0)
				return cmd_doctor_usage();
			opt.opt_json = strcmp(optarg, "json") == 0;
			break;
		case 'R':
			opt.opt_resolver = optarg;
			break;
		case 'C':
			opt.opt_cafile = optarg;
			break;
		case 't':
			if (!cmd_number(optarg, 1, DOCTOR_TIMEOUT_MAX,
			    &timeout))
				return cmd_doctor_usage();
			break;
		case 'j':
			if (!cmd_number(optarg, 1, DOCTOR_JOBS_MAX,
			    &opt.opt_jobs))
				return cmd_doctor_usage();
			break;
		case 'n':
			opt.opt_smtp = false;
			break;
		case 'H':
			snprintf(helo, sizeof(helo), "%s", optarg);
			break;
		case 's':
			opt.opt_state = optarg;
			break;
		default:
			return cmd_doctor_usage();
		}
	}
	if ((remote && (path != NULL || optind == argc)))
		return cmd_doctor_usage();
	if (helo[0] == '\0' && (gethostname(helo, sizeof(helo) - 1) != 0 ||
	    helo[0] == '\0'))
		snprintf(helo, sizeof(helo), "localhost");
	if (!remote) {
		cfg = cmd_load_config(path);
		cmd_print_errors(cfg);
		if (config_global_errors(cfg) > 0) {
			fprintf(stderr, "mta-sts-hostd doctor: the "
			    "configuration cannot be used (errors above)\n");
			goto out;
		}
	}
	opt.opt_cfg = cfg;
	opt.opt_names = argv + optind;
	opt.opt_nnames = (size_t)(argc - optind);
	opt.opt_timeout_ms = timeout * 1000;
	rc = doctor_run(&opt);
out:
	if (cfg != NULL)
		config_free(cfg);
	return rc;
}
