/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What each configured name needs. A certificate of ours (the one the
 * hooks install for the name: <install directory>/<name>.crt) is due
 * inside its renewal window: acme renew_before before it expires, or a
 * third of its lifetime for certificates that short, moved
 * earlier by up to a third of the window by a hash of the name, so that a
 * fleet onboarded in one day is not renewed in one pass. A certificate from
 * elsewhere (a wildcard, one pushed by another system, a Kubernetes
 * Secret) is left to whoever renews it, until it has expired.
 */
#include "certs_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../config/loadcache.h"
#include "../../config/policy.h"
#include "../../config/strmap.h"
#include "../../config/xalloc.h"

static const char *const certs_state_names[] = {
	[CERTS_OK] = "ok",
	[CERTS_PENDING] = "pending",
	[CERTS_ORDERING] = "ordering",
	[CERTS_WAITING_DNS] = "waiting-dns",
	[CERTS_FAILING] = "failing",
};

const char *
certs_plan_state_name(enum certs_state s)
{
	return certs_state_names[s];
}

void
certs_plan_time(time_t t, char *buf, size_t size)
{
	struct tm tm;

	if (t == 0) {
		snprintf(buf, size, "-");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static uint64_t
certs_plan_hash(const char *host, unsigned salt)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%u", salt);
	return strmap_hash(host, strlen(host)) ^
	    strmap_hash(buf, strlen(buf));
}

static time_t
certs_plan_renew_at(const struct acme_settings *acme, const struct cert *c,
    const char *host)
{
	time_t	life = c->crt_not_after - c->crt_not_before;
	time_t	window = acme->acme_renew_before;
	time_t	spread;

	if (life > 0 && window > life / 2)
		window = life / 3;
	spread = window / 3;
	return c->crt_not_after - window - (spread > 0 ?
	    (time_t)(certs_plan_hash(host, 0) % (uint64_t)spread) : 0);
}

static void
certs_plan_name(struct certs_plan *pl, const struct config *cfg,
    const struct domain *d)
{
	const struct acme_settings	*acme = &cfg->cfg_acme;
	struct certs_name		*nm = &pl->pl_names[pl->pl_count++];

	memset(nm, 0, sizeof(*nm));
	nm->nm_dom = d;
	nm->nm_host = xasprintf(HOST_PREFIX "%s", d->dom_name);
	nm->nm_cert = certset_cover(&pl->pl_certs, nm->nm_host, pl->pl_now);
	if (nm->nm_cert == NULL) {
		nm->nm_need = CERTS_NEED_MISSING;
		return;
	}
	nm->nm_managed = acme->acme_install_dir != NULL &&
	    cert_is_installed(nm->nm_cert->crt_file, acme->acme_install_dir,
	    nm->nm_host);
	nm->nm_renew_at = nm->nm_managed ?
	    certs_plan_renew_at(acme, nm->nm_cert, nm->nm_host) :
	    nm->nm_cert->crt_not_after;
	nm->nm_need = nm->nm_managed && pl->pl_now >= nm->nm_renew_at ?
	    CERTS_NEED_RENEWAL : CERTS_NEED_NONE;
}

/* The load cache of `certs` for files of `kind` (NULL: none). */
static struct loadcache *
certs_plan_cache(const struct config *cfg, enum loadcache_kind kind, bool run)
{
	const char *dir = loadcache_dir(cfg->cfg_acme.acme_cache_dir);

	if (dir == NULL)
		return NULL;
	return loadcache_open(dir, kind, run ? LOADCACHE_CERTS :
	    LOADCACHE_CERTS_READER);
}

/* A cache's work said (by a pass), and the cache closed. */
static void
certs_plan_cache_close(struct loadcache *lc, const char *what, bool run,
    struct diag_list *diags)
{
	size_t hits, misses;

	if (lc == NULL)
		return;
	loadcache_counts(lc, &hits, &misses);
	if (run)
		printf("certs: %s: %zu from the load cache %s, %zu read\n", what,
		    hits, loadcache_path(lc), misses);
	loadcache_close(lc, diags);
}

/*
 * A pass at a million customers otherwise parses a million customer files
 * and a million certificate pairs: the main file is read first for where
 * the cache is.
 */
struct config *
certs_load_config(const char *path, bool run)
{
	struct config		*main_cfg = config_load_main(path);
	struct loadcache	*lc = certs_plan_cache(main_cfg,
				    LOADCACHE_CUSTOMERS, run);
	struct diag_list	 diags = { 0 };
	struct config		*cfg;

	config_free(main_cfg);
	cfg = config_load_cached(path, lc);
	certs_plan_cache_close(lc, "customer files", run, &diags);
	diag_print(&diags, stderr);
	diag_free(&diags);
	return cfg;
}

/* The certificates, for their dates and names only, through the cache. */
static void
certs_plan_load(struct certs_plan *pl, const struct config *cfg, bool run)
{
	struct loadcache *lc = certs_plan_cache(cfg, LOADCACHE_CERTIFICATES,
	    run);

	certset_load_report(&pl->pl_certs, cfg, &pl->pl_diags, pl->pl_now, lc);
	certs_plan_cache_close(lc, "certificate pairs", run, &pl->pl_diags);
}

int
certs_plan_make(struct certs_plan *pl, const struct certs_options *opt,
    time_t now)
{
	const struct config	*cfg = opt->opt_cfg;
	int			 rc = 0;

	memset(pl, 0, sizeof(*pl));
	pl->pl_now = now;
	for (size_t i = 0; i < opt->opt_nnames; i++) {
		bool found = false;

		for (size_t j = 0; j < cfg->cfg_ndomains && !found; j++)
			found = strcmp(cfg->cfg_domains[j].dom_name,
			    opt->opt_names[i]) == 0;
		if (!found) {
			fprintf(stderr, "mta-sts-hostd certs: %s is not a "
			    "configured domain\n", opt->opt_names[i]);
			rc = -1;
		}
	}
	if (rc == -1)
		return -1;
	certs_plan_load(pl, cfg, opt->opt_run);
	pl->pl_names = xcalloc(cfg->cfg_ndomains + 1, sizeof(*pl->pl_names));
	for (size_t i = 0; i < cfg->cfg_ndomains; i++) {
		const struct domain	*d = &cfg->cfg_domains[i];
		bool			 wanted = opt->opt_nnames == 0;

		for (size_t j = 0; j < opt->opt_nnames && !wanted; j++)
			wanted = strcmp(d->dom_name, opt->opt_names[j]) == 0;
		/* An invalid domain is not served: no certificate for it. */
		if (wanted && d->dom_valid)
			certs_plan_name(pl, cfg, d);
	}
	return 0;
}

void
certs_plan_free(struct certs_plan *pl)
{
	for (size_t i = 0; i < pl->pl_count; i++)
		free(pl->pl_names[i].nm_host);
	free(pl->pl_names);
	certset_free(&pl->pl_certs);
	diag_free(&pl->pl_diags);
	memset(pl, 0, sizeof(*pl));
}

enum certs_state
certs_plan_state(const struct certs_name *nm, const struct order_entry *e,
    time_t now)
{
	if (nm->nm_need == CERTS_NEED_NONE)
		return CERTS_OK;
	if (e == NULL)
		return CERTS_PENDING;
	switch (e->oe_result) {
	case ORDER_ORDERING:
		return e->oe_claim_until > now ? CERTS_ORDERING :
		    CERTS_PENDING;
	case ORDER_WAITING_DNS:
		return CERTS_WAITING_DNS;
	case ORDER_FAILED:
		return CERTS_FAILING;
	case ORDER_ISSUED:
		/* Installed after the certificates were looked at. */
		if (e->oe_last >= now)
			return CERTS_OK;
		break;
	case ORDER_NONE:
		break;
	}
	return CERTS_PENDING;
}

void
certs_plan_count(const struct certs_plan *pl, struct orderstate *os,
    struct order_counts *oc)
{
	memset(oc, 0, sizeof(*oc));
	oc->oc_time = pl->pl_now;
	for (size_t i = 0; i < pl->pl_count; i++) {
		const struct certs_name *nm = &pl->pl_names[i];

		switch (certs_plan_state(nm, orderstate_get(os, nm->nm_host,
		    false), pl->pl_now)) {
		case CERTS_OK:
			break;
		case CERTS_PENDING:
			oc->oc_pending++;
			break;
		case CERTS_ORDERING:
			oc->oc_ordering++;
			break;
		case CERTS_WAITING_DNS:
			oc->oc_waiting_dns++;
			break;
		case CERTS_FAILING:
			oc->oc_failing++;
			break;
		}
	}
}

time_t
certs_plan_backoff(const struct acme_settings *acme, const char *host,
    unsigned failures)
{
	time_t delay = acme->acme_retry_min;

	for (unsigned i = 1; i < failures && delay < acme->acme_retry_max; i++)
		delay *= 2;
	if (delay > acme->acme_retry_max)
		delay = acme->acme_retry_max;
	/* Up to a tenth more, so that names failing together part. */
	if (delay >= 10)
		delay += (time_t)(certs_plan_hash(host, failures) %
		    (uint64_t)(delay / 10));
	return delay;
}
