/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the subcommands share: the table of commands with their usage
 * texts, loading the configuration, and writing the output.
 */
#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>
#include <wolfssl/options.h>
#include <wolfssl/version.h>
#include <yaml.h>

#include "../../config/config.h"
#include "../../config/diag.h"
#include "../snapshot.h"

#ifndef MTA_STS_VERSION
#define MTA_STS_VERSION "0.0.0"
#endif

static const struct command cmd_table[] = {
	{ "serve", cmd_serve, "[-c FILE] [--foreground]      (the default command)",
	  "Run the HTTPS policy server. SIGHUP reloads, SIGTERM stops." },
	{ "check", cmd_check, "[-c FILE] [--strict] [-q] [--skip-certificates]",
	  "Validate the configuration and print every error and warning." },
	{ "policy", cmd_policy, "[-c FILE] [--id] DOMAIN",
	  "Print the exact policy body served for DOMAIN, or its id." },
	{ "dns", cmd_dns, "[-c FILE] [--format bind|nsupdate|json] "
	  "[--output-dir DIR]\n[--server ADDRESS[:PORT]] [DOMAIN...]",
	  "Print the DNS records for all or the named domains." },
	{ "doctor", cmd_doctor, "[-c FILE] [--format text|json] "
	  "[--resolver ADDRESS[:PORT]]\n[--cafile FILE] [--timeout SECONDS] "
	  "[--jobs N] [--no-smtp]\n[--helo NAME] [--state FILE] [DOMAIN...]\n"
	  "or doctor --remote [OPTIONS] DOMAIN...",
	  "Check the live deployment as senders see it: DNS ids, the\n"
	  "policy over HTTPS, MX hosts against the policy, STARTTLS.\n"
	  "Exit status 0 OK, 1 warning, 2 critical, 3 unknown." },
	{ "names", cmd_names, "[-c FILE] [--missing | --expiring] [--days N]\n"
	  "[--format list|certbot|lego|dehydrated]",
	  "Print the mta-sts.<domain> names that need a certificate." },
	{ "certs", cmd_certs, "run [-c FILE] [--resolver ADDRESS[:PORT]] "
	  "[--timeout SECONDS]\n[--jobs N] [DOMAIN...]\n"
	  "or certs status [-c FILE] [--format text|json] [DOMAIN...]",
	  "Order the certificates that are missing or due through the\n"
	  "configured ACME client, within the order budget (run), or\n"
	  "report each domain's certificate and order state (status).\n"
	  "Exit status 3: the pass could not run." },
	{ "version", cmd_version, "", NULL },
};

const struct command *
cmd_find(const char *name)
{
	for (size_t i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++)
		if (strcmp(cmd_table[i].cmd_name, name) == 0)
			return &cmd_table[i];
	return NULL;
}

/* `text`, its lines after the first indented by `indent`. */
static void
cmd_print_lines(FILE *fp, const char *text, int indent)
{
	const char *nl;

	while ((nl = strchr(text, '\n')) != NULL) {
		fprintf(fp, "%.*s\n%*s", (int)(nl - text), text, indent, "");
		text = nl + 1;
	}
	fprintf(fp, "%s\n", text);
}

void
cmd_usage_all(FILE *fp)
{
	fputs("usage: mta-sts-hostd COMMAND [OPTIONS]\n\nCommands:\n", fp);
	for (size_t i = 0; i < sizeof(cmd_table) / sizeof(cmd_table[0]); i++) {
		const struct command *cmd = &cmd_table[i];

		if (*cmd->cmd_synopsis == '\0') {
			fprintf(fp, "  %s\n", cmd->cmd_name);
			continue;
		}
		fprintf(fp, "  %-6s ", cmd->cmd_name);
		cmd_print_lines(fp, cmd->cmd_synopsis, 9);
		if (cmd->cmd_summary != NULL) {
			fputs("         ", fp);
			cmd_print_lines(fp, cmd->cmd_summary, 9);
		}
	}
	fputs("  help\n\n"
	    "FILE defaults to " CONFIG_DEFAULT_PATH ".\n"
	    "Exit status: 0 valid, 1 the configuration has errors, 2 usage "
	    "error or\nthe output could not be written.\n", fp);
}

void
cmd_usage(const char *name)
{
	const struct command *cmd = cmd_find(name);

	fprintf(stderr, "usage: mta-sts-hostd %s ", name);
	cmd_print_lines(stderr, cmd != NULL ? cmd->cmd_synopsis : "",
	    (int)(sizeof("usage: mta-sts-hostd ") + strlen(name)));
}

int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("mta-sts-hostd %s\n", MTA_STS_VERSION);
	printf("wolfSSL %s, libmicrohttpd %s, libyaml %s\n",
	    LIBWOLFSSL_VERSION_STRING, MHD_get_version(),
	    yaml_get_version_string());
	return cmd_flush("version");
}

struct config *
cmd_load_config(const char *path)
{
	return config_load(path != NULL ? path : CONFIG_DEFAULT_PATH);
}

void
cmd_print_errors(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->cfg_diags.dl_count; i++)
		if (cfg->cfg_diags.dl_items[i].d_severity == DIAG_ERROR)
			diag_format(&cfg->cfg_diags.dl_items[i], stderr);
}

bool
cmd_number(const char *s, long min, long max, unsigned *out)
{
	char	*end;
	long	 v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

int
cmd_flush(const char *name)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "mta-sts-hostd %s: writing the output: %s\n",
		    name, strerror(errno));
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

struct snapshot *
cmd_snapshot(struct config *cfg, time_t now, struct certset *certs)
{
	struct certset		 local;
	struct diag_list	 cert_diags = { 0 };
	struct snapshot		*snap;

	if (certs == NULL)
		certs = &local;
	certset_load(certs, cfg, &cert_diags, now, NULL);
	snap = snapshot_build(config_ref(cfg), certs, &cert_diags, now, false,
	    NULL);
	if (certs == &local)
		certset_free(&local);
	return snap;
}
