/*
 * `mta-sts-hostd doctor`: the live deployment, checked the way a sender
 * sees it (see doctor.h). Domains are checked concurrently, at most --jobs
 * at a time, each query and connection bounded by --timeout, so a hoster's
 * ten thousand domains take minutes; MX hosts shared by many domains are
 * probed once.
 */
#include <getopt.h>
#include <langinfo.h>
#include <locale.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/ecc.h>

#include "../../config/config.h"
#include "../../config/name.h"
#include "../../config/xalloc.h"
#include "cmd.h"
#include "../doctor/doctor.h"

#define DOCTOR_TIMEOUT_DEFAULT	10	/* seconds; senders allow less */
#define DOCTOR_TIMEOUT_MAX	300
#define DOCTOR_JOBS_DEFAULT	32
#define DOCTOR_JOBS_MAX		512
/* How often the progress line is redrawn on a terminal. */
#define DOCTOR_PROGRESS_MS	200

struct doctor_pool {
	struct doctor_context	*dp_ctx;
	struct doctor_domain	*dp_domains;
	size_t			 dp_count;
	atomic_size_t		 dp_next;
	atomic_size_t		 dp_done;
};

static void *
doctor_worker(void *arg)
{
	struct doctor_pool	*pool = arg;
	size_t			 i;

	while ((i = atomic_fetch_add(&pool->dp_next, 1)) < pool->dp_count) {
		doctor_domain_run(pool->dp_ctx, &pool->dp_domains[i]);
		atomic_fetch_add(&pool->dp_done, 1);
	}
	/* wolfSSL's fixed-point ECC cache is per thread; wolfSSL_Cleanup()
	 * frees only the calling thread's. */
	wc_ecc_fp_free();
	return NULL;
}

/* Check every domain with `jobs` threads; a progress line on a terminal. */
static void
doctor_run_all(struct doctor_pool *pool, unsigned jobs)
{
	pthread_t	*threads;
	size_t		 n = jobs < pool->dp_count ? jobs : pool->dp_count;
	bool		 tty = isatty(STDERR_FILENO);
	struct timespec	 pause = { 0, DOCTOR_PROGRESS_MS * 1000000L };

	threads = xcalloc(n, sizeof(*threads));
	for (size_t i = 0; i < n; i++)
		if (pthread_create(&threads[i], NULL, doctor_worker, pool) != 0) {
			n = i;		/* the others do the work */
			break;
		}
	if (n == 0)
		doctor_worker(pool);
	while (tty && atomic_load(&pool->dp_done) < pool->dp_count) {
		fprintf(stderr, "\rdoctor: %zu/%zu domains checked",
		    atomic_load(&pool->dp_done), pool->dp_count);
		nanosleep(&pause, NULL);
	}
	for (size_t i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	if (tty)
		fputs("\r\033[K", stderr);
	free(threads);
}

static int
doctor_usage(void)
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

static bool
doctor_number(const char *s, long min, long max, unsigned *out)
{
	char	*end;
	long	 v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > max)
		return false;
	*out = (unsigned)v;
	return true;
}

/* The domains to check: named ones (in A-label form), or all configured. */
static struct doctor_domain *
doctor_domains(const struct config *cfg, char **names, size_t nnames,
    size_t *countp)
{
	struct doctor_domain	*dm;
	size_t			 n = nnames > 0 ? nnames :
	    cfg != NULL ? cfg->cfg_ndomains : 0;
	bool			 ok = true;

	dm = xcalloc(n > 0 ? n : 1, sizeof(*dm));
	for (size_t i = 0; i < n; i++) {
		char *why = NULL;

		if (nnames == 0) {
			dm[i].dm_name = xstrdup(cfg->cfg_domains[i].dom_name);
			dm[i].dm_conf = &cfg->cfg_domains[i];
			continue;
		}
		dm[i].dm_name = name_normalize(names[i], 0, &why);
		if (dm[i].dm_name == NULL) {
			fprintf(stderr, "mta-sts-hostd doctor: %s\n", why);
			free(why);
			ok = false;
			continue;
		}
		if (cfg == NULL)
			continue;
		dm[i].dm_conf = config_domain(cfg, dm[i].dm_name);
		if (dm[i].dm_conf == NULL) {
			fprintf(stderr, "mta-sts-hostd doctor: %s is not in "
			    "the configuration (use --remote to check any "
			    "domain)\n", dm[i].dm_name);
			ok = false;
		}
	}
	*countp = n;
	if (ok)
		return dm;
	for (size_t i = 0; i < n; i++)
		doctor_domain_free(&dm[i]);
	free(dm);
	return NULL;
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
	const char		*path = NULL, *resolver = NULL, *cafile = NULL;
	const char		*state = NULL;
	struct doctor_history	 history = { 0 };
	bool			 remote = false, json = false;
	unsigned		 timeout = DOCTOR_TIMEOUT_DEFAULT;
	unsigned		 jobs = DOCTOR_JOBS_DEFAULT;
	char			 helo[256] = "";
	struct config		*cfg = NULL;
	struct doctor_context	 ctx = { .cx_smtp = true };
	struct doctor_pool	 pool = { .dp_ctx = &ctx };
	char			*why = NULL;
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
				return doctor_usage();
			json = strcmp(optarg, "json") == 0;
			break;
		case 'R':
			resolver = optarg;
			break;
		case 'C':
			cafile = optarg;
			break;
		case 't':
			if (!doctor_number(optarg, 1, DOCTOR_TIMEOUT_MAX,
			    &timeout))
				return doctor_usage();
			break;
		case 'j':
			if (!doctor_number(optarg, 1, DOCTOR_JOBS_MAX, &jobs))
				return doctor_usage();
			break;
		case 'n':
			ctx.cx_smtp = false;
			break;
		case 'H':
			snprintf(helo, sizeof(helo), "%s", optarg);
			break;
		case 's':
			state = optarg;
			break;
		default:
			return doctor_usage();
		}
	}
	if ((remote && (path != NULL || optind == argc)))
		return doctor_usage();
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
	pool.dp_domains = doctor_domains(cfg, argv + optind,
	    (size_t)(argc - optind), &pool.dp_count);
	if (pool.dp_domains == NULL)
		goto out;
	if (state != NULL && !doctor_history_load(&history, state, &why)) {
		fprintf(stderr, "mta-sts-hostd doctor: %s\n", why);
		goto out;
	}
	wolfSSL_Init();
	ctx.cx_history = &history;
	ctx.cx_cfg = cfg;
	ctx.cx_timeout_ms = timeout * 1000;
	ctx.cx_helo = helo;
	ctx.cx_now = time(NULL);
	if ((ctx.cx_tls = doctor_net_tls_context(cafile, &why)) == NULL ||
	    (ctx.cx_dns = doctor_dns_open(resolver, ctx.cx_timeout_ms,
	    &why)) == NULL) {
		fprintf(stderr, "mta-sts-hostd doctor: %s\n", why);
		goto out;
	}
	doctor_fetch_expect(&ctx);
	doctor_mx_cache_init(&ctx.cx_mx);
	doctor_run_all(&pool, jobs);
	doctor_mx_cache_free(&ctx.cx_mx);
	setlocale(LC_CTYPE, "");
	if (json)
		doctor_report_json(stdout, pool.dp_domains, pool.dp_count);
	else
		doctor_report_text(stdout, pool.dp_domains, pool.dp_count,
		    strcmp(nl_langinfo(CODESET), "UTF-8") == 0);
	rc = (int)doctor_report_overall(pool.dp_domains, pool.dp_count);
	if (fflush(stdout) == EOF || ferror(stdout))
		rc = DOC_UNKNOWN;
	if (state != NULL && !doctor_history_save(&history, pool.dp_domains,
	    pool.dp_count, &why)) {
		fprintf(stderr, "mta-sts-hostd doctor: cannot save the state: "
		    "%s\n", why);
		rc = DOC_UNKNOWN;
	}
out:
	free(why);
	doctor_history_free(&history);
	for (size_t i = 0; pool.dp_domains != NULL && i < pool.dp_count; i++)
		doctor_domain_free(&pool.dp_domains[i]);
	free(pool.dp_domains);
	strvec_free(&ctx.cx_host_expected);
	doctor_dns_close(ctx.cx_dns);
	if (ctx.cx_tls != NULL)
		wolfSSL_CTX_free(ctx.cx_tls);
	if (cfg != NULL)
		config_free(cfg);
	wolfSSL_Cleanup();
	return rc;
}
