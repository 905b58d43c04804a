/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One run of the doctor: the domains to check, the resolver and the TLS
 * context they share, then the checks, concurrently, at most --jobs
 * domains at a time, each query and connection bounded by --timeout, so a
 * hoster's ten thousand domains take minutes; MX hosts shared by many
 * domains are probed once. Then the report, and --state.
 */
#include "doctor_check.h"

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

#include "../../config/name.h"
#include "../../config/xalloc.h"

/* How often the progress line is redrawn on a terminal. */
#define DOC_PROGRESS_MS	200

/* The domains of a run, taken one at a time by the threads. */
struct doctor_pool {
	struct doctor_context	*dp_ctx;
	struct doctor_domain	*dp_domains;
	size_t			 dp_count;
	atomic_size_t		 dp_next;
	atomic_size_t		 dp_done;
};

static void *
doctor_run_worker(void *arg)
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
doctor_run_pool(struct doctor_pool *pool, unsigned jobs)
{
	pthread_t	*threads;
	size_t		 n = jobs < pool->dp_count ? jobs : pool->dp_count;
	bool		 tty = isatty(STDERR_FILENO);
	struct timespec	 pause = { 0, DOC_PROGRESS_MS * 1000000L };

	threads = xcalloc(n, sizeof(*threads));
	for (size_t i = 0; i < n; i++)
		if (pthread_create(&threads[i], NULL, doctor_run_worker,
		    pool) != 0) {
			n = i;		/* the others do the work */
			break;
		}
	if (n == 0)
		doctor_run_worker(pool);
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

/* The domains to check: named ones (in A-label form), or all configured. */
static struct doctor_domain *
doctor_run_domains(const struct config *cfg, char **names, size_t nnames,
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

/* The TLS client context and the resolver every check uses. */
static bool
doctor_run_open(struct doctor_context *ctx, const struct doctor_options *opt,
    char **why)
{
	ctx->cx_tls = doctor_net_tls_context(opt->opt_cafile, why);
	if (ctx->cx_tls == NULL)
		return false;
	ctx->cx_dns = doctor_dns_open(opt->opt_resolver, ctx->cx_timeout_ms,
	    why);
	return ctx->cx_dns != NULL;
}

/* The report on standard output; the exit code. */
static int
doctor_run_report(const struct doctor_options *opt,
    const struct doctor_pool *pool)
{
	setlocale(LC_CTYPE, "");
	if (opt->opt_json)
		doctor_report_json(stdout, pool->dp_domains, pool->dp_count);
	else
		doctor_report_text(stdout, pool->dp_domains, pool->dp_count,
		    strcmp(nl_langinfo(CODESET), "UTF-8") == 0);
	if (fflush(stdout) == EOF || ferror(stdout))
		return DOC_UNKNOWN;
	return (int)doctor_report_overall(pool->dp_domains, pool->dp_count);
}

int
doctor_run(const struct doctor_options *opt)
{
	struct doctor_history	 history = { 0 };
	struct doctor_context	 ctx = { .cx_smtp = opt->opt_smtp };
	struct doctor_pool	 pool = { .dp_ctx = &ctx };
	char			*why = NULL;
	int			 rc = DOC_UNKNOWN;

	pool.dp_domains = doctor_run_domains(opt->opt_cfg, opt->opt_names,
	    opt->opt_nnames, &pool.dp_count);
	if (pool.dp_domains == NULL)
		goto out;
	if (opt->opt_state != NULL &&
	    !doctor_history_load(&history, opt->opt_state, &why)) {
		fprintf(stderr, "mta-sts-hostd doctor: %s\n", why);
		goto out;
	}
	wolfSSL_Init();
	ctx.cx_history = &history;
	ctx.cx_cfg = opt->opt_cfg;
	ctx.cx_timeout_ms = opt->opt_timeout_ms;
	ctx.cx_helo = opt->opt_helo;
	ctx.cx_now = time(NULL);
	if (!doctor_run_open(&ctx, opt, &why)) {
		fprintf(stderr, "mta-sts-hostd doctor: %s\n", why);
		goto out;
	}
	doctor_fetch_expect(&ctx);
	doctor_mx_cache_init(&ctx.cx_mx);
	doctor_run_pool(&pool, opt->opt_jobs);
	doctor_mx_cache_free(&ctx.cx_mx);
	rc = doctor_run_report(opt, &pool);
	if (opt->opt_state != NULL && !doctor_history_save(&history,
	    pool.dp_domains, pool.dp_count, &why)) {
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
	wolfSSL_Cleanup();
	return rc;
}
