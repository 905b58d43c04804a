/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `mta-sts-hostd dns`: the records DNS operators publish. */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../config/config.h"
#include "../../config/dns.h"
#include "../../config/name.h"
#include "../../config/xalloc.h"
#include "cmd.h"

/* A port number, 1 to 65535, in decimal. */
static bool
cmd_dns_port_ok(const char *s)
{
	unsigned long port = 0;

	if (*s == '\0' || strlen(s) > 5 || strspn(s, "0123456789") != strlen(s))
		return false;
	port = strtoul(s, NULL, 10);
	return port >= 1 && port <= 65535;
}

/* "ADDR", "ADDR:PORT" or "[ADDR6]:PORT" to nsupdate's "ADDR [PORT]". */
static char *
cmd_dns_server_arg(const char *arg)
{
	const char *colon;

	if (arg[0] == '[') {
		const char *close = strchr(arg, ']');

		if (close == NULL || close == arg + 1)
			return NULL;
		if (close[1] == '\0')
			return xstrndup(arg + 1, (size_t)(close - arg - 1));
		if (close[1] != ':' || !cmd_dns_port_ok(close + 2))
			return NULL;
		return xasprintf("%.*s %s", (int)(close - arg - 1), arg + 1,
		    close + 2);
	}
	if (arg[0] == '\0' || strpbrk(arg, " \t\n") != NULL)
		return NULL;
	colon = strchr(arg, ':');
	if (colon == NULL || strchr(colon + 1, ':') != NULL)
		return xstrdup(arg);	/* a name, IPv4, or bare IPv6 */
	if (colon == arg || !cmd_dns_port_ok(colon + 1))
		return NULL;
	return xasprintf("%.*s %s", (int)(colon - arg), arg, colon + 1);
}

/* One file per zone, replaced atomically so a reader never sees half. */
static bool
cmd_dns_write_dir(const char *dir, const struct dns_set *set, const char *source)
{
	for (size_t i = 0; i < set->ds_count; i++) {
		char	*path = xasprintf("%s/%s.zone", dir,
		    set->ds_zones[i].dz_name);
		char	*tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
		FILE	*fp = fopen(tmp, "w");
		bool	 ok;

		if (fp == NULL) {
			fprintf(stderr, "mta-sts-hostd dns: %s: %s\n", tmp,
			    strerror(errno));
			free(tmp);
			free(path);
			return false;
		}
		dns_write_bind(fp, &set->ds_zones[i], 1, source);
		ok = fflush(fp) == 0 && fsync(fileno(fp)) == 0;
		ok = fclose(fp) == 0 && ok;
		if (ok)
			ok = rename(tmp, path) == 0;
		if (!ok) {
			fprintf(stderr, "mta-sts-hostd dns: %s: %s\n", path,
			    strerror(errno));
			unlink(tmp);
		}
		free(tmp);
		free(path);
		if (!ok)
			return false;
	}
	return true;
}

static int
cmd_dns_usage(void)
{
	cmd_usage("dns");
	return EXIT_USAGE;
}

/* The domains to emit: all, or those named on the command line. */
static const struct domain **
cmd_dns_select(struct config *cfg, int argc, char **argv, size_t *count, int *rc)
{
	const struct domain	**sel;
	size_t			  n = 0;

	if (argc == 0) {
		sel = xcalloc(cfg->cfg_ndomains, sizeof(*sel));
		for (size_t i = 0; i < cfg->cfg_ndomains; i++)
			sel[n++] = &cfg->cfg_domains[i];
		*count = n;
		return sel;
	}
	sel = xcalloc((size_t)argc, sizeof(*sel));
	for (int i = 0; i < argc; i++) {
		char		*why, *name = name_normalize(argv[i], 0, &why);
		struct domain	*d = name ? config_domain(cfg, name) : NULL;

		if (name == NULL) {
			fprintf(stderr, "mta-sts-hostd dns: %s\n", why);
			free(why);
			*rc = EXIT_USAGE;
		} else if (d == NULL) {
			fprintf(stderr, "mta-sts-hostd dns: %s is not "
			    "configured in %s\n", name, cfg->cfg_path);
			*rc = EXIT_INVALID;
		} else {
			/* Named twice: emit its records once. */
			bool dup = false;

			for (size_t j = 0; j < n; j++)
				dup |= sel[j] == d;
			if (!dup)
				sel[n++] = d;
		}
		free(name);
	}
	*count = n;
	return sel;
}

/*
 * Errors that make the output incomplete or wrong: every error when all
 * domains are emitted; with a selection, those about no particular domain
 * (a TTL, an unreadable file, a domain name that is not valid) and those
 * about a selected domain (a second definition of it, say).
 */
static size_t
cmd_dns_errors(const struct config *cfg, const struct domain *const *sel,
    size_t nsel, bool all)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->cfg_diags.dl_count; i++) {
		const struct diag *dg = &cfg->cfg_diags.dl_items[i];
		bool applies = all || dg->d_subject == NULL;

		if (dg->d_severity != DIAG_ERROR)
			continue;
		for (size_t j = 0; j < nsel && !applies; j++)
			applies = strcmp(dg->d_subject, sel[j]->dom_name) == 0;
		n += applies;
	}
	return n;
}

int
cmd_dns(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "format", required_argument, NULL, 'f' },
		{ "output-dir", required_argument, NULL, 'o' },
		{ "server", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char		 *path = NULL, *outdir = NULL;
	char			 *server = NULL;
	enum dns_format		  format = DNS_FORMAT_BIND;
	const struct domain	**sel;
	struct config		 *cfg;
	struct dns_set		  set;
	size_t			  nsel, invalid = 0;
	int			  ch, rc = EXIT_OK;

	while ((ch = getopt_long(argc, argv, "c:f:o:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "bind") == 0)
				format = DNS_FORMAT_BIND;
			else if (strcmp(optarg, "nsupdate") == 0)
				format = DNS_FORMAT_NSUPDATE;
			else if (strcmp(optarg, "json") == 0)
				format = DNS_FORMAT_JSON;
			else {
				fprintf(stderr, "mta-sts-hostd dns: format '%s' "
				    "is not bind, nsupdate or json\n", optarg);
				free(server);
				return EXIT_USAGE;
			}
			break;
		case 'o':
			outdir = optarg;
			break;
		case 's':
			free(server);
			server = cmd_dns_server_arg(optarg);
			if (server == NULL) {
				fprintf(stderr, "mta-sts-hostd dns: --server "
				    "'%s' is not ADDRESS[:PORT]\n", optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			free(server);
			return cmd_dns_usage();
		}
	}
	if ((outdir != NULL && format != DNS_FORMAT_BIND) ||
	    (server != NULL && format != DNS_FORMAT_NSUPDATE)) {
		fputs("mta-sts-hostd dns: --output-dir goes with --format bind, "
		    "--server with --format nsupdate\n", stderr);
		free(server);
		return EXIT_USAGE;
	}

	cfg = cmd_load_config(path);
	diag_print(&cfg->cfg_diags, stderr);
	sel = cmd_dns_select(cfg, argc - optind, argv + optind, &nsel, &rc);
	for (size_t i = 0; i < nsel; i++)
		invalid += !sel[i]->dom_valid;
	if (invalid > 0) {
		fprintf(stderr, "mta-sts-hostd dns: %zu domain%s left out "
		    "because of the errors above\n", invalid,
		    invalid == 1 ? "" : "s");
		if (rc == EXIT_OK)
			rc = EXIT_INVALID;
	}
	/* Exit 1 whenever the configuration has errors, as documented. */
	if (rc == EXIT_OK && cmd_dns_errors(cfg, sel, nsel, optind == argc) > 0)
		rc = EXIT_INVALID;
	dns_build(&set, cfg, sel, nsel);
	switch (format) {
	case DNS_FORMAT_BIND:
		if (outdir != NULL) {
			if (!cmd_dns_write_dir(outdir, &set, cfg->cfg_path))
				rc = EXIT_USAGE;
		} else
			dns_write_bind(stdout, set.ds_zones, set.ds_count,
			    cfg->cfg_path);
		break;
	case DNS_FORMAT_NSUPDATE:
		dns_write_nsupdate(stdout, &set, server);
		break;
	case DNS_FORMAT_JSON:
		dns_write_json(stdout, &set, cfg, sel, nsel);
		break;
	}
	if (cmd_flush("dns") != EXIT_OK)
		rc = EXIT_USAGE;
	dns_free(&set);
	free(sel);
	free(server);
	config_free(cfg);
	return rc;
}
