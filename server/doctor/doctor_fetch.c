/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy-host and policy-fetch: the addresses of mta-sts.<domain>, each
 * one this deployment's, and the policy fetched over HTTPS from every one
 * of them as a sender fetches it (RFC 8461 3.3): a trusted certificate,
 * 200 without redirects, text/plain, the configured bytes, and the same
 * policy from every address.
 */
#include "doctor_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../config/policy.h"
#include "../../config/xalloc.h"
#include "doctor_probe.h"

/* "a, b, c": addresses in one message. */
static char *
doctor_fetch_join(const struct strvec *v)
{
	size_t	 len = 1;
	char	*s, *p;

	for (size_t i = 0; i < v->sv_count; i++)
		len += strlen(v->sv_items[i]) + 2;
	s = p = xmalloc(len);
	*p = '\0';
	for (size_t i = 0; i < v->sv_count; i++)
		p += sprintf(p, "%s%s", i > 0 ? ", " : "", v->sv_items[i]);
	return s;
}

/*
 * The addresses this deployment serves from, per its dns: section: once
 * per run, not once per domain (a hoster's cname is the same for all).
 */
void
doctor_fetch_expect(struct doctor_context *ctx)
{
	const struct dns_settings *dns;
	char *canon = NULL, *why = NULL;

	ctx->cx_host_how = NULL;
	if (ctx->cx_cfg == NULL)
		return;
	dns = &ctx->cx_cfg->cfg_dns;
	if (dns->dns_host_addresses.sv_count > 0) {
		strvec_copy(&ctx->cx_host_expected, &dns->dns_host_addresses);
		ctx->cx_host_how = "dns.policy_host.addresses";
	} else if (dns->dns_host_cname != NULL) {
		(void)doctor_dns_addresses(ctx->cx_dns, dns->dns_host_cname,
		    &ctx->cx_host_expected, &canon, &why);
		free(canon);
		free(why);
		ctx->cx_host_how = dns->dns_host_cname;
	}
}

/* What the addresses of mta-sts.<domain> say. */
enum doctor_host_verdict {
	DHOST_OK,
	DHOST_LOOKUP_FAILED,	/* says nothing of the record */
	DHOST_NO_ADDRESS,
	DHOST_ELSEWHERE,	/* an address that is not this deployment's */
};

/*
 * The policy-host check of `host` against the `expected` addresses (`how`
 * names where they come from; NULL: not known, any address will do): the
 * verdict, the addresses found in `addrs`, and the finding's words in
 * *message.
 */
static enum doctor_host_verdict
doctor_fetch_host_verdict(struct doctor_resolver *dns,
    const struct strvec *expected, const char *how, const char *host,
    struct strvec *addrs, char **message)
{
	char			*canon = NULL, *why = NULL, *list, *exp;
	enum doctor_dns_status	 s;
	enum doctor_host_verdict v = DHOST_OK;

	s = doctor_dns_addresses(dns, host, addrs, &canon, &why);
	if (s == DDNS_FAIL) {
		*message = xasprintf("%s: %s", host, why);
		free(canon);
		free(why);
		return DHOST_LOOKUP_FAILED;
	}
	free(why);
	if (s != DDNS_OK) {
		*message = xasprintf("%s: no A or AAAA record: senders cannot "
		    "fetch the policy", host);
		free(canon);
		return DHOST_NO_ADDRESS;
	}
	list = doctor_fetch_join(addrs);
	for (size_t i = 0; how != NULL && i < addrs->sv_count; i++) {
		if (strvec_contains(expected, addrs->sv_items[i]))
			continue;
		exp = doctor_fetch_join(expected);
		*message = xasprintf("%s resolves to %s, and %s is not this "
		    "deployment (%s: %s)", host, list, addrs->sv_items[i], how,
		    exp);
		free(exp);
		v = DHOST_ELSEWHERE;
		break;
	}
	if (v == DHOST_OK)
		*message = xasprintf("%s: %s%s%s%s", host, list,
		    canon != NULL ? " (through the CNAME to " : "",
		    canon != NULL ? canon : "", canon != NULL ? ")" : "");
	free(list);
	free(canon);
	return v;
}

void
doctor_fetch_host(struct doctor_domain_check *dc)
{
	char	*host = xasprintf(HOST_PREFIX "%s", dc->dc_dom->dm_name);
	char	*message = NULL;

	switch (doctor_fetch_host_verdict(dc->dc_ctx->cx_dns,
	    &dc->dc_ctx->cx_host_expected, dc->dc_ctx->cx_host_how, host,
	    &dc->dc_host_addrs, &message)) {
	case DHOST_LOOKUP_FAILED:
		dc->dc_host_unknown = true;
		doctor_finding_add(dc, "policy-host", NULL, DOC_CRITICAL, "%s",
		    message);
		doctor_finding_remedy(dc, "check the zone's name servers (and "
		    "--resolver)");
		break;
	case DHOST_NO_ADDRESS:
		doctor_finding_add(dc, "policy-host", NULL, DOC_CRITICAL, "%s",
		    message);
		doctor_finding_remedy_record(dc, DNS_PURPOSE_POLICY_HOST,
		    "point it at the policy host (A/AAAA or a CNAME)");
		break;
	case DHOST_ELSEWHERE:
		doctor_finding_add(dc, "policy-host", NULL, DOC_CRITICAL, "%s",
		    message);
		doctor_finding_remedy_record(dc, DNS_PURPOSE_POLICY_HOST, NULL);
		break;
	case DHOST_OK:
		doctor_finding_add(dc, "policy-host", NULL, DOC_OK, "%s",
		    message);
		break;
	}
	free(message);
	free(host);
}

/* ---- The check alone, for `certs` (doctor.h) --------------------------- */

struct doctor_hostcheck {
	struct doctor_context	hc_ctx;	/* its resolver and expectation */
};

struct doctor_hostcheck *
doctor_hostcheck_open(const struct config *cfg, const char *resolver,
    unsigned timeout_ms, char **why)
{
	struct doctor_hostcheck *hc = xcalloc(1, sizeof(*hc));

	hc->hc_ctx.cx_cfg = cfg;
	hc->hc_ctx.cx_timeout_ms = timeout_ms;
	hc->hc_ctx.cx_dns = doctor_dns_open(resolver, timeout_ms, why);
	if (hc->hc_ctx.cx_dns == NULL) {
		free(hc);
		return NULL;
	}
	doctor_fetch_expect(&hc->hc_ctx);
	if (hc->hc_ctx.cx_host_how != NULL &&
	    hc->hc_ctx.cx_host_expected.sv_count == 0) {
		*why = xasprintf("the policy host %s has no address: no name "
		    "can be checked against it", hc->hc_ctx.cx_host_how);
		doctor_hostcheck_close(hc);
		return NULL;
	}
	return hc;
}

enum doctor_status
doctor_hostcheck_run(struct doctor_hostcheck *hc, const char *domain,
    char **message)
{
	struct strvec	addrs = { 0 };
	char		*host = xasprintf(HOST_PREFIX "%s", domain);
	enum doctor_host_verdict v;

	v = doctor_fetch_host_verdict(hc->hc_ctx.cx_dns,
	    &hc->hc_ctx.cx_host_expected, hc->hc_ctx.cx_host_how, host,
	    &addrs, message);
	strvec_free(&addrs);
	free(host);
	return v == DHOST_OK ? DOC_OK : v == DHOST_LOOKUP_FAILED ?
	    DOC_UNKNOWN : DOC_CRITICAL;
}

void
doctor_hostcheck_close(struct doctor_hostcheck *hc)
{
	if (hc == NULL)
		return;
	strvec_free(&hc->hc_ctx.cx_host_expected);
	doctor_dns_close(hc->hc_ctx.cx_dns);
	free(hc);
}

static bool
doctor_fetch_is_text_plain(const char *ct)
{
	size_t n = strcspn(ct, "; \t");

	return n == 10 && strncasecmp(ct, "text/plain", 10) == 0;
}

/* What a failed fetch means and what to do: false if the fetch is fine. */
static bool
doctor_fetch_problem(struct doctor_domain_check *dc, const char *addr,
    const char *url, const struct doctor_https_fetch *hf)
{
	const char *d = dc->dc_dom->dm_name;

	if (!hf->hf_connected && hf->hf_no_route) {
		/* Typically IPv6 from a host without it: no verdict. */
		doctor_finding_add(dc, "policy-fetch", addr, DOC_WARNING,
		    "%s: not checked from here: %s", url, hf->hf_why);
		doctor_finding_remedy(dc, "run the doctor where %s is "
		    "reachable", addr);
		return true;
	}
	if (!hf->hf_connected) {
		doctor_finding_add(dc, "policy-fetch", addr, DOC_CRITICAL,
		    "%s: %s", url, hf->hf_why);
		doctor_finding_remedy(dc, "make the policy host reachable on "
		    "port 443 at %s", addr);
		return true;
	}
	if (hf->hf_tls.tr_verdict != DTLS_OK) {
		doctor_finding_add(dc, "policy-fetch", addr, DOC_CRITICAL,
		    "%s: %s: senders cannot fetch the policy", url,
		    hf->hf_tls.tr_why);
		doctor_finding_remedy(dc, "install a certificate for "
		    HOST_PREFIX "%s that chains to a public root "
		    "(mta-sts-hostd names --missing)", d);
		return true;
	}
	if (hf->hf_status == 0) {
		doctor_finding_add(dc, "policy-fetch", addr, DOC_CRITICAL,
		    "%s: %s", url,
		    hf->hf_why != NULL ? hf->hf_why : "no HTTP answer");
		return true;
	}
	if (hf->hf_status >= 300 && hf->hf_status < 400) {
		doctor_finding_add(dc, "policy-fetch", addr, DOC_CRITICAL,
		    "%s answers %d%s%s: senders never follow redirects "
		    "(RFC 8461 3.3)", url, hf->hf_status,
		    hf->hf_location != NULL ? " to " : "",
		    hf->hf_location != NULL ? hf->hf_location : "");
		doctor_finding_remedy(dc, "serve the policy at this URL "
		    "itself");
		return true;
	}
	if (hf->hf_status != 200) {
		doctor_finding_add(dc, "policy-fetch", addr, DOC_CRITICAL, "%s "
		    "answers %d: only 200 is a policy", url, hf->hf_status);
		doctor_finding_remedy(dc, "check that the daemon serves %s "
		    "(mta-sts-hostd check)", d);
		return true;
	}
	if (hf->hf_content_type == NULL ||
	    !doctor_fetch_is_text_plain(hf->hf_content_type)) {
		doctor_finding_add(dc, "policy-fetch", addr, DOC_CRITICAL, "%s "
		    "has %s%s: several senders require text/plain", url,
		    hf->hf_content_type != NULL ? "Content-Type " :
		    "no Content-Type",
		    hf->hf_content_type != NULL ? hf->hf_content_type : "");
		doctor_finding_remedy(dc, "serve it as Content-Type: "
		    "text/plain");
		return true;
	}
	if (hf->hf_body == NULL) {
		doctor_finding_add(dc, "policy-fetch", addr, DOC_CRITICAL,
		    "%s: %s", url, hf->hf_why != NULL ? hf->hf_why : "no body");
		return true;
	}
	if (hf->hf_too_large) {
		doctor_finding_add(dc, "policy-fetch", addr, DOC_CRITICAL, "%s "
		    "is larger than %u bytes: senders refuse it", url,
		    POLICY_BODY_LIMIT);
		return true;
	}
	return false;
}

/* Compare the body with the configured one, or parse it (--remote). */
static bool
doctor_fetch_body(struct doctor_domain_check *dc, const char *addr,
    const char *url, const struct doctor_https_fetch *hf)
{
	const struct domain	*conf = dc->dc_dom->dm_conf;
	char			*why = NULL;

	if (conf != NULL) {
		if (hf->hf_body_len == conf->dom_body_len &&
		    memcmp(hf->hf_body, conf->dom_body, conf->dom_body_len) == 0)
			return true;
		doctor_finding_add(dc, "policy-fetch", addr, DOC_CRITICAL, "%s "
		    "serves other bytes than the configured policy (%zu bytes, "
		    "id %s)", url, conf->dom_body_len, conf->dom_id);
		doctor_finding_remedy(dc, "reload the daemon (systemctl reload "
		    "mta-sts-hostd) and check that " HOST_PREFIX "%s points "
		    "at it", dc->dc_dom->dm_name);
		return false;
	}
	if (dc->dc_have_policy) {
		/* Senders pick any address: they must all agree. */
		if (hf->hf_body_len == dc->dc_served_len &&
		    memcmp(hf->hf_body, dc->dc_served, dc->dc_served_len) == 0)
			return true;
		doctor_finding_add(dc, "policy-fetch", addr, DOC_CRITICAL, "%s "
		    "serves another policy than the first address: senders get "
		    "either one", url);
		doctor_finding_remedy(dc, "serve the same policy from every "
		    "address of " HOST_PREFIX "%s", dc->dc_dom->dm_name);
		return false;
	}
	if (!policy_parse(hf->hf_body, hf->hf_body_len, &dc->dc_policy,
	    &why)) {
		doctor_finding_add(dc, "policy-fetch", addr, DOC_CRITICAL, "%s "
		    "is not a valid policy: %s: senders ignore it", url, why);
		free(why);
		return false;
	}
	dc->dc_have_policy = true;
	return true;
}

void
doctor_fetch_policy(struct doctor_domain_check *dc)
{
	const char	*d = dc->dc_dom->dm_name;
	char		*host = xasprintf(HOST_PREFIX "%s", d);
	char		*url = xasprintf("https://%s/.well-known/mta-sts.txt",
	    host);
	size_t		 tried = 0, good = 0;
	time_t		 not_after = 0;
	char		 version[16] = "";

	if (dc->dc_host_addrs.sv_count == 0) {
		doctor_finding_add(dc, "policy-fetch", NULL, DOC_SKIPPED, "%s: "
		    "not fetched: %s %s", url, host, dc->dc_host_unknown ?
		    "could not be looked up" : "has no address");
		goto out;
	}
	for (size_t i = 0; i < dc->dc_host_addrs.sv_count &&
	    i < DOC_ADDRESSES_MAX; i++) {
		const char		*addr = dc->dc_host_addrs.sv_items[i];
		struct doctor_https_fetch hf;

		tried++;
		doctor_probe_https(dc->dc_ctx->cx_tls, addr, host,
		    dc->dc_ctx->cx_timeout_ms, &hf);
		if (hf.hf_no_route)
			tried--;	/* a warning, not a failed address */
		if (doctor_fetch_problem(dc, addr, url, &hf)) {
			doctor_probe_https_free(&hf);
			continue;
		}
		if (doctor_fetch_body(dc, addr, url, &hf)) {
			good++;
			if (not_after == 0 || hf.hf_tls.tr_not_after < not_after)
				not_after = hf.hf_tls.tr_not_after;
			snprintf(version, sizeof(version), "%s",
			    hf.hf_tls.tr_version);
		}
		/* The first policy served, for the id and the other addresses. */
		if (dc->dc_served == NULL) {
			dc->dc_served = hf.hf_body;
			dc->dc_served_len = hf.hf_body_len;
			hf.hf_body = NULL;
		}
		doctor_probe_https_free(&hf);
	}
	if (good == 0)
		goto out;
	dc->dc_served_matches = good == tried && dc->dc_dom->dm_conf != NULL;
	doctor_finding_add(dc, "policy-fetch", NULL, good == tried ? DOC_OK :
	    DOC_CRITICAL, "%s: 200 text/plain over %s from %zu of %zu "
	    "address(es)%s; certificate valid %ld more days", url, version,
	    good, tried, dc->dc_dom->dm_conf != NULL ?
	    ", the configured policy" : "", doctor_finding_days(dc, not_after));
	if (doctor_finding_days(dc, not_after) < DOC_CERT_WARN_DAYS) {
		doctor_finding_add(dc, "policy-fetch", NULL, DOC_WARNING, "the "
		    "certificate of %s expires in %ld days", host,
		    doctor_finding_days(dc, not_after));
		doctor_finding_remedy(dc, "renew it (mta-sts-hostd names "
		    "--expiring)");
	}
out:
	free(url);
	free(host);
}
