/*
 * mta-sts-hostd: an MTA-STS (RFC 8461) policy host. One binary, subcommands
 * for the daemon and for the tools around it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>
#include <wolfssl/options.h>
#include <wolfssl/version.h>
#include <yaml.h>

#include "../../config/config.h"
#include "../../config/diag.h"
#include "cmd.h"

#ifndef MTA_STS_VERSION
#define MTA_STS_VERSION "0.0.0"
#endif

static void
usage(FILE *fp)
{
	fputs(
"usage: mta-sts-hostd COMMAND [OPTIONS]\n"
"\n"
"Commands:\n"
"  serve  [-c FILE] [--foreground]      (the default command)\n"
"         Run the HTTPS policy server. SIGHUP reloads, SIGTERM stops.\n"
"  check  [-c FILE] [--strict] [-q] [--skip-certificates]\n"
"         Validate the configuration and print every error and warning.\n"
"  policy [-c FILE] [--id] DOMAIN\n"
"         Print the exact policy body served for DOMAIN, or its id.\n"
"  dns    [-c FILE] [--format bind|nsupdate|json] [--output-dir DIR]\n"
"         [--server ADDRESS[:PORT]] [DOMAIN...]\n"
"         Print the DNS records for all or the named domains.\n"
"  doctor [-c FILE] [--format text|json] [--resolver ADDRESS[:PORT]]\n"
"         [--cafile FILE] [--timeout SECONDS] [--jobs N] [--no-smtp]\n"
"         [--helo NAME] [--state FILE] [DOMAIN...]\n"
"         or doctor --remote [OPTIONS] DOMAIN...\n"
"         Check the live deployment as senders see it: DNS ids, the\n"
"         policy over HTTPS, MX hosts against the policy, STARTTLS.\n"
"         Exit status 0 OK, 1 warning, 2 critical, 3 unknown.\n"
"  names  [-c FILE] [--missing | --expiring] [--days N]\n"
"         [--format list|certbot|lego|dehydrated]\n"
"         Print the mta-sts.<domain> names that need a certificate.\n"
"  version\n"
"  help\n"
"\n"
"FILE defaults to " CONFIG_DEFAULT_PATH ".\n"
"Exit status: 0 valid, 1 the configuration has errors, 2 usage error or\n"
"the output could not be written.\n",
	    fp);
}

static int
cmd_version(void)
{
	printf("mta-sts-hostd %s\n", MTA_STS_VERSION);
	printf("wolfSSL %s, libmicrohttpd %s, libyaml %s\n",
	    LIBWOLFSSL_VERSION_STRING, MHD_get_version(),
	    yaml_get_version_string());
	return EXIT_OK;
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

int
main(int argc, char **argv)
{
	static const struct {
		const char	*name;
		int		(*run)(int, char **);
	} commands[] = {
		{ "check", cmd_check },
		{ "dns", cmd_dns },
		{ "doctor", cmd_doctor },
		{ "names", cmd_names },
		{ "policy", cmd_policy },
		{ "serve", cmd_serve },
	};

	/* `serve` is the default command: `mta-sts-hostd -c FILE`. */
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (strcmp(argv[1], "--help") == 0 ||
		    strcmp(argv[1], "-h") == 0)) {
			usage(stdout);
			return EXIT_OK;
		}
		if (argc >= 2 && strcmp(argv[1], "--version") == 0)
			return cmd_version();
		return cmd_serve(argc, argv);
	}
	if (strcmp(argv[1], "version") == 0)
		return cmd_version();
	if (strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "mta-sts-hostd: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
