/* `mta-sts-hostd check`: is this configuration fit to serve? */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "../config/config.h"
#include "cmd.h"

int
cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "strict", no_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ NULL, 0, NULL, 0 },
	};
	const char	*path = NULL;
	bool		 strict = false, quiet = false;
	struct config	*cfg;
	size_t		 valid;
	int		 ch, rc;

	while ((ch = getopt_long(argc, argv, "c:q", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 's':
			strict = true;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			fputs("usage: mta-sts-hostd check [-c FILE] [--strict] "
			    "[-q]\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "mta-sts-hostd check: unexpected argument "
		    "'%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	cfg = cmd_load_config(path);
	diag_print(&cfg->cfg_diags, stderr);
	valid = config_valid_domains(cfg);
	rc = cfg->cfg_diags.dl_errors > 0 ||
	    (strict && cfg->cfg_diags.dl_warnings > 0) ? EXIT_INVALID : EXIT_OK;
	if (!quiet || rc != EXIT_OK)
		fprintf(rc == EXIT_OK ? stdout : stderr,
		    "%s: %zu domain%s (%zu servable), %zu polic%s template%s, "
		    "%zu file%s; %zu error%s, %zu warning%s%s\n",
		    cfg->cfg_path, cfg->cfg_ndomains,
		    cfg->cfg_ndomains == 1 ? "" : "s", valid,
		    cfg->cfg_ntemplates, cfg->cfg_ntemplates == 1 ? "y" : "y",
		    cfg->cfg_ntemplates == 1 ? "" : "s",
		    cfg->cfg_files.sv_count,
		    cfg->cfg_files.sv_count == 1 ? "" : "s",
		    cfg->cfg_diags.dl_errors,
		    cfg->cfg_diags.dl_errors == 1 ? "" : "s",
		    cfg->cfg_diags.dl_warnings,
		    cfg->cfg_diags.dl_warnings == 1 ? "" : "s",
		    rc == EXIT_OK ? "" : " (not valid)");
	config_free(cfg);
	return rc;
}
