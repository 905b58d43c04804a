/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `mta-sts-hostd check`: is this configuration fit to serve? */
#include <getopt.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "../../config/config.h"
#include "../../config/xalloc.h"
#include "cmd.h"
#include "../snapshot.h"
#include "../ticket.h"

/* ACME clients renew 30 days ahead; this close to expiry, renewal failed. */
#define CHECK_EXPIRY_WARN_DAYS	14

/* Each served domain's certificate, in the order of the domains. */
static void
cmd_check_coverage(const struct config *cfg, const struct snapshot *snap,
    time_t now, bool quiet, struct diag_list *warnings)
{
	for (size_t i = 0; i < cfg->cfg_ndomains; i++) {
		const struct domain	*d = &cfg->cfg_domains[i];
		char			*name = xasprintf(HOST_PREFIX "%s",
		    d->dom_name);
		const struct host	*h = snapshot_lookup(snap, name,
		    strlen(name));
		const struct cert	*crt;
		long			 days;
		char			 date[32];
		struct tm		 tm;

		free(name);
		if (h == NULL)
			continue;
		crt = h->h_cert;
		days = (long)((crt->crt_not_after - now) / 86400);
		gmtime_r(&crt->crt_not_after, &tm);
		strftime(date, sizeof(date), "%Y-%m-%d", &tm);
		if (!quiet)
			printf("%s: %s: %s certificate %s, expires %s (%ld "
			    "day%s)\n", d->dom_name, h->h_name,
			    crt->crt_ecdsa ? "ECDSA" : "RSA", crt->crt_file,
			    date, days, days == 1 ? "" : "s");
		if (days < CHECK_EXPIRY_WARN_DAYS)
			diag_add(warnings, DIAG_WARNING, &d->dom_pos,
			    d->dom_name, "the certificate for %s "
			    "expires in %ld day%s (%s): its renewal is overdue",
			    h->h_name, days, days == 1 ? "" : "s", crt->crt_file);
	}
}

/* The session ticket key file, read as the daemon would read it. */
static int
cmd_check_ticket_keys(const struct config *cfg)
{
	struct ticket_keys	keys = { 0 };
	char			err[512];
	int			rc = 0;

	if (cfg->cfg_ticket_keys == NULL)
		return 0;
	if ((rc = ticket_keys_load(&keys, cfg->cfg_ticket_keys, err,
	    sizeof(err))) == -1)
		fprintf(stderr, "%s: error: session_ticket_keys: %s\n",
		    cfg->cfg_path, err);
	ticket_keys_wipe(&keys);
	return rc;
}

int
cmd_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "strict", no_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "skip-certificates", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char		*path = NULL;
	bool			 strict = false, quiet = false, certs = true;
	struct config		*cfg;
	struct snapshot		*snap = NULL;
	struct diag_list	 expiry = { 0 };
	size_t			 domains, files, templates, errors, warnings;
	size_t			 servable;
	time_t			 now = time(NULL);
	int			 ch, rc;

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
		case 'k':
			certs = false;
			break;
		default:
			cmd_usage("check");
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
	domains = cfg->cfg_ndomains;
	files = cfg->cfg_files.sv_count;
	templates = cfg->cfg_ntemplates;
	errors = cfg->cfg_diags.dl_errors;
	warnings = cfg->cfg_diags.dl_warnings;
	servable = config_valid_domains(cfg);
	if (cmd_check_ticket_keys(cfg) == -1)
		errors++;
	if (certs) {
		/* The snapshot the daemon would build, certificates and all. */
		snap = cmd_snapshot(cfg, now, NULL);
		diag_print(&snap->snap_diags, stderr);
		cmd_check_coverage(cfg, snap, now, quiet, &expiry);
		diag_print(&expiry, stderr);
		errors += snap->snap_diags.dl_errors;
		warnings += snap->snap_diags.dl_warnings + expiry.dl_warnings;
		servable = snap->snap_nhosts;
	}
	rc = errors > 0 || (strict && warnings > 0) ? EXIT_INVALID : EXIT_OK;
	if (!quiet || rc != EXIT_OK)
		fprintf(rc == EXIT_OK ? stdout : stderr,
		    "%s: %zu domain%s (%zu servable), %zu policy template%s, "
		    "%zu file%s%s; %zu error%s, %zu warning%s%s\n",
		    path != NULL ? path : CONFIG_DEFAULT_PATH, domains,
		    domains == 1 ? "" : "s", servable, templates,
		    templates == 1 ? "" : "s", files, files == 1 ? "" : "s",
		    certs ? "" : " (certificates not checked)",
		    errors, errors == 1 ? "" : "s", warnings,
		    warnings == 1 ? "" : "s", rc == EXIT_OK ? "" : " (not valid)");
	diag_free(&expiry);
	snapshot_unref(snap);
	config_free(cfg);
	return rc;
}
