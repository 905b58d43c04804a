/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `mta-sts-hostd names`: the mta-sts.<domain> names that need a
 * certificate, for an ACME client. One certificate per name is the
 * recommended layout (see the README).
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../config/config.h"
#include "cmd.h"
#include "../snapshot.h"

/* ACME clients renew 30 days before expiry; so does this by default. */
#define NAMES_EXPIRING_DAYS	30

enum names_format {
	NAMES_LIST,
	NAMES_CERTBOT,
	NAMES_LEGO,
	NAMES_DEHYDRATED,
};

static void
cmd_names_print(enum names_format format, const char *name)
{
	switch (format) {
	case NAMES_LIST:
	case NAMES_DEHYDRATED:	/* domains.txt: one certificate a line */
		printf("%s\n", name);
		break;
	case NAMES_CERTBOT:
		printf("--cert-name %s -d %s\n", name, name);
		break;
	case NAMES_LEGO:
		printf("-d %s\n", name);
		break;
	}
}

static int
cmd_names_usage(void)
{
	cmd_usage("names");
	return EXIT_USAGE;
}

int
cmd_names(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "missing", no_argument, NULL, 'm' },
		{ "expiring", no_argument, NULL, 'e' },
		{ "days", required_argument, NULL, 'd' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char		*path = NULL;
	bool			 missing = false, expiring = false;
	long			 days = NAMES_EXPIRING_DAYS;
	enum names_format	 format = NAMES_LIST;
	struct config		*cfg;
	struct snapshot		*snap;
	struct certset		 certs;
	time_t			 now = time(NULL);
	char			*end;
	int			 ch, rc;

	while ((ch = getopt_long(argc, argv, "c:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'm':
			missing = true;
			break;
		case 'e':
			expiring = true;
			break;
		case 'd':
			days = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || days < 0 ||
			    days > 3650)
				return cmd_names_usage();
			break;
		case 'f':
			if (strcmp(optarg, "list") == 0)
				format = NAMES_LIST;
			else if (strcmp(optarg, "certbot") == 0)
				format = NAMES_CERTBOT;
			else if (strcmp(optarg, "lego") == 0)
				format = NAMES_LEGO;
			else if (strcmp(optarg, "dehydrated") == 0)
				format = NAMES_DEHYDRATED;
			else
				return cmd_names_usage();
			break;
		default:
			return cmd_names_usage();
		}
	}
	if (optind != argc || (missing && expiring))
		return cmd_names_usage();

	cfg = cmd_load_config(path);
	rc = cfg->cfg_diags.dl_errors > 0 ? EXIT_INVALID : EXIT_OK;
	cmd_print_errors(cfg);
	snap = cmd_snapshot(cfg, now, &certs);
	/* Certificate files that cannot be used count as missing: say why. */
	for (size_t i = 0; i < snap->snap_diags.dl_count; i++)
		if (snap->snap_diags.dl_items[i].d_subject == NULL)
			diag_format(&snap->snap_diags.dl_items[i], stderr);
	for (size_t i = 0; i < cfg->cfg_ndomains; i++) {
		const struct domain	*d = &cfg->cfg_domains[i];
		const struct cert	*crt;
		char			 name[512];

		if (!d->dom_valid)
			continue;	/* its errors are above */
		snprintf(name, sizeof(name), HOST_PREFIX "%s", d->dom_name);
		crt = certset_cover(&certs, name, now);
		if (missing && crt != NULL)
			continue;
		if (expiring && crt != NULL &&
		    crt->crt_not_after - now >= (time_t)days * 86400)
			continue;
		cmd_names_print(format, name);
	}
	if (cmd_flush("names") != EXIT_OK)
		rc = EXIT_USAGE;
	snapshot_unref(snap);
	certset_free(&certs);
	config_free(cfg);
	return rc;
}
