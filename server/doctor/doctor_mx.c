/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mx-match, mx-pattern and smtp-starttls: the domain's MX hosts against
 * the policy's mx patterns (MX drift: a host no pattern matches, a
 * pattern no host uses), then STARTTLS on every address of every MX host
 * as a sender does it (RFC 8461 4.1, 4.2). MX hosts shared by many
 * domains (a hoster's) are resolved and probed once per run, in a cache.
 */
#include "doctor_check.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../config/name.h"
#include "../../config/xalloc.h"
#include "doctor_probe.h"

/* Buckets of the MX cache: a hoster has few MX hosts, a registrar many. */
#define DOC_MX_BUCKETS		1024

enum doctor_mx_state {
	DOC_MX_RUNNING,
	DOC_MX_DONE,
};

/* One address of an MX host and what STARTTLS there gave. */
struct doctor_mx_addr {
	char			*ma_address;
	struct doctor_smtp_probe ma_probe;
};

/* One MX host: its addresses probed, or why it does not resolve. */
struct doctor_mx_host {
	struct doctor_mx_host	*mh_next;
	char			*mh_host;
	enum doctor_mx_state	 mh_state;
	char			*mh_dns_why;	/* the host does not resolve */
	struct doctor_mx_addr	*mh_addrs;
	size_t			 mh_naddrs;
};

void
doctor_mx_match(struct doctor_domain_check *dc)
{
	const char		*d = dc->dc_dom->dm_name;
	const struct strvec	*pat = &dc->dc_policy.pol_mx;
	struct doctor_dns_answer a;
	size_t			 matched = 0;

	dc->dc_mx_clean = false;
	if (!dc->dc_have_policy) {
		doctor_finding_add(dc, "mx-match", NULL, DOC_SKIPPED, "no "
		    "policy to match the MX hosts of %s against", d);
		return;
	}
	doctor_dns_query(dc->dc_ctx->cx_dns, d, DDNS_TYPE_MX, &a);
	if (a.da_status == DDNS_FAIL) {
		doctor_finding_add(dc, "mx-match", NULL, DOC_WARNING, "%s",
		    a.da_why);
		goto out;
	}
	if (a.da_status != DDNS_OK) {
		doctor_finding_add(dc, "mx-match", NULL, DOC_WARNING, "%s has "
		    "no MX record: MTA-STS applies to MX hosts", d);
		doctor_finding_remedy(dc, "publish the MX records the policy "
		    "names");
		goto out;
	}
	for (size_t i = 0; i < a.da_data.sv_count; i++) {
		const char *mx = a.da_data.sv_items[i];
		const char *hit = NULL;

		if (*mx == '\0') {
			doctor_finding_add(dc, "mx-match", ".", DOC_WARNING,
			    "%s has a null MX (RFC 7505): it accepts no mail, "
			    "so its policy protects nothing", d);
			continue;
		}
		strvec_push(&dc->dc_mx, xstrdup(mx));
		for (size_t j = 0; j < pat->sv_count && hit == NULL; j++)
			if (name_pattern_match(pat->sv_items[j], mx))
				hit = pat->sv_items[j];
		if (hit != NULL) {
			matched++;
			doctor_finding_add(dc, "mx-match", mx, DOC_OK,
			    "MX %s matches mx: %s", mx, hit);
			continue;
		}
		doctor_finding_add(dc, "mx-match", mx,
		    doctor_finding_severity(dc), "MX %s matches no mx pattern "
		    "of the policy: %s", mx, doctor_finding_consequence(dc));
		doctor_finding_remedy(dc, "add 'mx: %s' to the policy (or "
		    "correct the MX record), then publish the new id", mx);
	}
	for (size_t j = 0; j < pat->sv_count; j++) {
		bool used = false;

		for (size_t i = 0; i < dc->dc_mx.sv_count && !used; i++)
			used = name_pattern_match(pat->sv_items[j],
			    dc->dc_mx.sv_items[i]);
		if (used)
			continue;
		doctor_finding_add(dc, "mx-pattern", pat->sv_items[j],
		    DOC_WARNING, "mx: %s matches no MX host of %s (a stale "
		    "pattern; '*.' matches exactly one label)",
		    pat->sv_items[j], d);
		doctor_finding_remedy(dc, "remove it from the policy, or "
		    "publish the MX it stands for");
	}
	dc->dc_mx_clean = matched == dc->dc_mx.sv_count && matched > 0;
out:
	doctor_dns_answer_free(&a);
}

static unsigned
doctor_mx_hash(const char *s)
{
	unsigned h = 5381;

	for (; *s != '\0'; s++)
		h = h * 33 + (unsigned char)*s;
	return h % DOC_MX_BUCKETS;
}

void
doctor_mx_cache_init(struct doctor_mx_cache *mc)
{
	pthread_mutex_init(&mc->mc_lock, NULL);
	pthread_cond_init(&mc->mc_cond, NULL);
	mc->mc_buckets = xcalloc(DOC_MX_BUCKETS, sizeof(*mc->mc_buckets));
}

/* Resolve and probe every address of one MX host (outside the lock). */
static void
doctor_mx_probe(struct doctor_context *ctx, struct doctor_mx_host *e)
{
	struct strvec	 addrs = { 0 };
	char		*why = NULL;

	if (doctor_dns_addresses(ctx->cx_dns, e->mh_host, &addrs, NULL, &why) !=
	    DDNS_OK) {
		e->mh_dns_why = why != NULL ? why :
		    xstrdup("no A or AAAA record");
		strvec_free(&addrs);
		return;
	}
	free(why);
	for (size_t i = 0; i < addrs.sv_count && i < DOC_ADDRESSES_MAX; i++)
		e->mh_naddrs++;
	e->mh_addrs = xcalloc(e->mh_naddrs, sizeof(*e->mh_addrs));
	for (size_t i = 0; i < e->mh_naddrs; i++) {
		struct doctor_mx_addr *ma = &e->mh_addrs[i];

		ma->ma_address = xstrdup(addrs.sv_items[i]);
		doctor_probe_smtp(ctx->cx_tls, ma->ma_address, e->mh_host,
		    ctx->cx_helo, ctx->cx_timeout_ms, &ma->ma_probe);
	}
	strvec_free(&addrs);
}

/* The cache entry of `host`, probed by whoever asked first. */
static const struct doctor_mx_host *
doctor_mx_lookup(struct doctor_context *ctx, const char *host)
{
	struct doctor_mx_cache	*mc = &ctx->cx_mx;
	struct doctor_mx_host	*e;
	unsigned		 h = doctor_mx_hash(host);

	pthread_mutex_lock(&mc->mc_lock);
	for (e = mc->mc_buckets[h]; e != NULL; e = e->mh_next)
		if (strcasecmp(e->mh_host, host) == 0)
			break;
	if (e == NULL) {
		e = xcalloc(1, sizeof(*e));
		e->mh_host = xstrdup(host);
		e->mh_state = DOC_MX_RUNNING;
		e->mh_next = mc->mc_buckets[h];
		mc->mc_buckets[h] = e;
		pthread_mutex_unlock(&mc->mc_lock);
		doctor_mx_probe(ctx, e);
		pthread_mutex_lock(&mc->mc_lock);
		e->mh_state = DOC_MX_DONE;
		pthread_cond_broadcast(&mc->mc_cond);
	}
	while (e->mh_state != DOC_MX_DONE)
		pthread_cond_wait(&mc->mc_cond, &mc->mc_lock);
	pthread_mutex_unlock(&mc->mc_lock);
	return e;
}

static bool
doctor_mx_starttls_one(struct doctor_domain_check *dc, const char *mx,
    const char *addr, const struct doctor_smtp_probe *sm)
{
	const struct doctor_tls_result *tr = &sm->sm_tls;

	if (!sm->sm_connected) {
		doctor_finding_add(dc, "smtp-starttls", mx, DOC_WARNING,
		    "%s [%s]: not checked: %s", mx, addr, sm->sm_why);
		doctor_finding_remedy(dc, "check from a host that may connect "
		    "to port 25 (or use --no-smtp where outbound port 25 is "
		    "blocked)");
		return false;
	}
	if (!sm->sm_tls_done && sm->sm_why != NULL) {
		doctor_finding_add(dc, "smtp-starttls", mx,
		    doctor_finding_severity(dc), "%s [%s]: %s: %s", mx, addr,
		    sm->sm_why, doctor_finding_consequence(dc));
		doctor_finding_remedy(dc, "check that %s answers SMTP on port "
		    "25", mx);
		return false;
	}
	if (!sm->sm_starttls) {
		doctor_finding_add(dc, "smtp-starttls", mx,
		    doctor_finding_severity(dc), "%s [%s] does not offer "
		    "STARTTLS: %s", mx, addr, doctor_finding_consequence(dc));
		doctor_finding_remedy(dc, "enable STARTTLS on %s", mx);
		return false;
	}
	if (tr->tr_verdict != DTLS_OK) {
		doctor_finding_add(dc, "smtp-starttls", mx,
		    doctor_finding_severity(dc), "%s [%s]: %s: %s", mx, addr,
		    tr->tr_why, doctor_finding_consequence(dc));
		doctor_finding_remedy(dc, tr->tr_verdict == DTLS_VERSION ?
		    "enable TLS 1.2 or 1.3 on %s" : "install a certificate for "
		    "%s that chains to a public root", mx);
		return false;
	}
	doctor_finding_add(dc, "smtp-starttls", mx, DOC_OK, "%s [%s]: "
	    "STARTTLS, %s %s, certificate valid for %s for %ld more days: a "
	    "sender delivers", mx, addr, tr->tr_version, tr->tr_cipher, mx,
	    doctor_finding_days(dc, tr->tr_not_after));
	if (doctor_finding_days(dc, tr->tr_not_after) < DOC_CERT_WARN_DAYS) {
		doctor_finding_add(dc, "smtp-starttls", mx, DOC_WARNING, "the "
		    "certificate of %s expires in %ld days", mx,
		    doctor_finding_days(dc, tr->tr_not_after));
		doctor_finding_remedy(dc, "renew it before it expires");
	}
	return true;
}

void
doctor_mx_starttls(struct doctor_domain_check *dc)
{
	bool clean = true;

	if (!dc->dc_ctx->cx_smtp) {
		doctor_finding_add(dc, "smtp-starttls", NULL, DOC_SKIPPED,
		    "not checked (--no-smtp)");
		return;
	}
	for (size_t i = 0; i < dc->dc_mx.sv_count; i++) {
		const char *mx = dc->dc_mx.sv_items[i];
		const struct doctor_mx_host *e;

		e = doctor_mx_lookup(dc->dc_ctx, mx);
		if (e->mh_dns_why != NULL) {
			doctor_finding_add(dc, "smtp-starttls", mx,
			    doctor_finding_severity(dc), "MX %s: %s: no sender "
			    "can deliver to it", mx, e->mh_dns_why);
			doctor_finding_remedy(dc, "publish its A/AAAA records, "
			    "or remove the MX record");
			clean = false;
			continue;
		}
		for (size_t j = 0; j < e->mh_naddrs; j++)
			if (!doctor_mx_starttls_one(dc, mx,
			    e->mh_addrs[j].ma_address,
			    &e->mh_addrs[j].ma_probe))
				clean = false;
	}
	dc->dc_mx_probed = true;
	dc->dc_mx_clean = dc->dc_mx_clean && clean;
}

void
doctor_mx_cache_free(struct doctor_mx_cache *mc)
{
	for (size_t h = 0; h < DOC_MX_BUCKETS; h++) {
		struct doctor_mx_host *e, *next;

		for (e = mc->mc_buckets[h]; e != NULL; e = next) {
			next = e->mh_next;
			free(e->mh_host);
			free(e->mh_dns_why);
			for (size_t i = 0; i < e->mh_naddrs; i++) {
				struct doctor_mx_addr *ma = &e->mh_addrs[i];

				free(ma->ma_address);
				doctor_probe_smtp_free(&ma->ma_probe);
			}
			free(e->mh_addrs);
			free(e);
		}
	}
	free(mc->mc_buckets);
	pthread_cond_destroy(&mc->mc_cond);
	pthread_mutex_destroy(&mc->mc_lock);
}
