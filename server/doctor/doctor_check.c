#include "doctor.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../config/dns.h"
#include "../../config/name.h"
#include "../../config/policy.h"
#include "../../config/record.h"
#include "../../config/xalloc.h"
#include "doctor_probe.h"

/* Buckets of the MX cache: a hoster has few MX hosts, a registrar many. */
#define DOC_MX_BUCKETS		1024

enum doc_mx_state {
	DOC_MX_RUNNING,
	DOC_MX_DONE,
};

/* One address of an MX host and what STARTTLS there gave. */
struct doc_mx_addr {
	char			*ma_address;
	struct smtp_probe	 ma_probe;
};

struct doc_mx_entry {
	struct doc_mx_entry	*me_next;
	char			*me_host;
	enum doc_mx_state	 me_state;
	char			*me_dns_why;	/* the host does not resolve */
	struct doc_mx_addr	*me_addrs;
	size_t			 me_naddrs;
};

/* What one domain's checks learn on the way, for the later ones. */
struct doc_state {
	struct doc_run		*ds_run;
	struct doc_domain	*ds_dom;
	struct dns_set		 ds_records;	/* what `dns` would publish */
	char			 ds_dns_id[RECORD_STS_ID_MAX + 1];
	char			*ds_sts_name;	/* where the TXT was found */
	struct strvec		 ds_host_addrs;	/* mta-sts.<domain> */
	bool			 ds_have_policy;
	struct policy		 ds_policy;	/* configured, or fetched */
	char			*ds_served;	/* a body served, or NULL */
	size_t			 ds_served_len;
	bool			 ds_served_matches;
	struct strvec		 ds_mx;		/* MX hosts from DNS */
	bool			 ds_mx_clean;	/* all match, all pass */
	bool			 ds_mx_probed;
};

static void __attribute__((format(printf, 5, 6)))
doc_add(struct doc_state *st, const char *check, const char *subject,
    enum doc_status status, const char *fmt, ...)
{
	struct doc_domain	*dd = st->ds_dom;
	struct doc_check	*c;
	va_list			 ap;

	dd->dd_checks = xreallocarray(dd->dd_checks, dd->dd_nchecks + 1,
	    sizeof(*dd->dd_checks));
	c = &dd->dd_checks[dd->dd_nchecks++];
	memset(c, 0, sizeof(*c));
	c->dc_check = check;
	c->dc_subject = subject != NULL ? xstrdup(subject) : NULL;
	c->dc_status = status;
	va_start(ap, fmt);
	c->dc_message = xvasprintf(fmt, ap);
	va_end(ap);
}

/* The remedy of the check added last. */
static void __attribute__((format(printf, 2, 3)))
doc_remedy(struct doc_state *st, const char *fmt, ...)
{
	struct doc_check	*c = &st->ds_dom->dd_checks[
	    st->ds_dom->dd_nchecks - 1];
	va_list			 ap;

	free(c->dc_remedy);
	va_start(ap, fmt);
	c->dc_remedy = xvasprintf(fmt, ap);
	va_end(ap);
}

static enum policy_mode
doc_mode(const struct doc_state *st)
{
	return st->ds_have_policy ? st->ds_policy.pol_mode :
	    POLICY_MODE_TESTING;
}

/* A failure a sender would act on: fatal in enforce, reported in testing. */
static enum doc_status
doc_by_mode(const struct doc_state *st)
{
	return doc_mode(st) == POLICY_MODE_ENFORCE ? DOC_CRITICAL :
	    doc_mode(st) == POLICY_MODE_TESTING ? DOC_WARNING : DOC_OK;
}

static const char *
doc_consequence(const struct doc_state *st)
{
	switch (doc_mode(st)) {
	case POLICY_MODE_ENFORCE:
		return "a sender will not deliver to it (mail is queued, "
		    "then bounced)";
	case POLICY_MODE_TESTING:
		return "senders deliver anyway and report the failure "
		    "(TLS-RPT); in enforce mode they would not deliver";
	case POLICY_MODE_NONE:
		break;
	}
	return "mode none: senders do not act on it";
}

static long
doc_days(const struct doc_state *st, time_t t)
{
	return (long)((t - st->ds_run->dr_now) / 86400);
}

/* The record `dns` would publish for this domain with this purpose. */
static const struct dns_record *
doc_record(const struct doc_state *st, enum dns_purpose purpose)
{
	for (size_t z = 0; z < st->ds_records.ds_count; z++) {
		const struct dns_zone *zone = &st->ds_records.ds_zones[z];

		for (size_t i = 0; i < zone->dz_count; i++)
			if (zone->dz_records[i].dr_purpose == purpose)
				return &zone->dz_records[i];
	}
	return NULL;
}

/* "publish NAME. TYPE DATA" for a record `dns` would publish. */
static char *
doc_publish(const struct dns_record *r)
{
	if (r->dr_type == DNS_RTYPE_TXT)
		return xasprintf("publish %s. %s \"%s\"", r->dr_name,
		    dns_rtype_name(r->dr_type), r->dr_data);
	return xasprintf("publish %s. %s %s%s", r->dr_name,
	    dns_rtype_name(r->dr_type), r->dr_data,
	    r->dr_type == DNS_RTYPE_CNAME ? "." : "");
}

static void
doc_remedy_record(struct doc_state *st, enum dns_purpose purpose,
    const char *otherwise)
{
	const struct dns_record *r = doc_record(st, purpose);
	char *s;

	if (r == NULL && purpose == DNS_PURPOSE_POLICY_ID_ALIAS)
		r = doc_record(st, DNS_PURPOSE_POLICY_ID);
	if (r == NULL) {
		if (otherwise != NULL)
			doc_remedy(st, "%s", otherwise);
		return;
	}
	s = doc_publish(r);
	doc_remedy(st, "%s (mta-sts-hostd dns %s prints it)", s,
	    st->ds_dom->dd_name);
	free(s);
}

/* ---- 1. _mta-sts TXT -------------------------------------------------- */

static void
doc_sts_record(struct doc_state *st)
{
	const char		*d = st->ds_dom->dd_name;
	char			*name = xasprintf("_mta-sts.%s", d), *why = NULL;
	struct ddns_answer	 a;
	const char		*sts = NULL;
	size_t			 nsts = 0, nother = 0;

	ddns_query(st->ds_run->dr_dns, name, DDNS_TYPE_TXT, &a);
	if (a.da_status == DDNS_FAIL) {
		doc_add(st, "sts-record", NULL, DOC_CRITICAL, "%s", a.da_why);
		doc_remedy(st, "check the zone's name servers (and --resolver)");
		goto out;
	}
	st->ds_sts_name = xstrdup(a.da_canon != NULL ? a.da_canon : name);
	for (size_t i = 0; i < a.da_data.sv_count; i++) {
		if (record_is_sts(a.da_data.sv_items[i])) {
			sts = a.da_data.sv_items[i];
			nsts++;
		} else
			nother++;
	}
	if (nsts == 0) {
		doc_add(st, "sts-record", NULL, DOC_CRITICAL, "%s has no TXT "
		    "record starting with v=STSv1: senders see no MTA-STS "
		    "policy", name);
		doc_remedy_record(st, DNS_PURPOSE_POLICY_ID_ALIAS,
		    "publish _mta-sts TXT \"v=STSv1; id=...\"");
		goto out;
	}
	if (nsts > 1) {
		doc_add(st, "sts-record", NULL, DOC_CRITICAL, "%s has %zu TXT "
		    "records starting with v=STSv1: senders ignore the policy "
		    "unless there is exactly one (RFC 8461 3.1)",
		    st->ds_sts_name, nsts);
		doc_remedy(st, "delete all but one of them");
		goto out;
	}
	if (!record_sts_parse(sts, st->ds_dns_id, &why)) {
		doc_add(st, "sts-record", NULL, DOC_CRITICAL, "\"%s\" at %s is "
		    "not a valid record (%s): senders ignore the policy", sts,
		    st->ds_sts_name, why);
		doc_remedy_record(st, DNS_PURPOSE_POLICY_ID_ALIAS,
		    "publish \"v=STSv1; id=<letters and digits>\"");
		goto out;
	}
	if (nother > 0) {
		doc_add(st, "sts-record", NULL, DOC_WARNING, "%s has %zu other "
		    "TXT record(s) besides v=STSv1: some senders (go-mtasts, "
		    "KumoMTA) count every TXT record and then ignore the "
		    "policy", st->ds_sts_name, nother);
		doc_remedy(st, "move other TXT records away from %s",
		    st->ds_sts_name);
	}
	if (st->ds_dom->dd_conf == NULL ||
	    strcmp(st->ds_dns_id, st->ds_dom->dd_conf->dom_id) == 0)
		doc_add(st, "sts-record", NULL, DOC_OK, "\"%s\"%s%s%s", sts,
		    a.da_canon != NULL ? " (through the CNAME to " : "",
		    a.da_canon != NULL ? a.da_canon : "",
		    a.da_canon != NULL ? ")" : "");
	/* A stale id is judged once the served policy is known (below). */
out:
	free(why);
	free(name);
	ddns_answer_free(&a);
}

/* ---- 2. mta-sts.<domain> ---------------------------------------------- */

/* A and AAAA of `name` into `out`; the CNAME target in *canon. */
static enum ddns_status
doc_addresses(struct ddns *dns, const char *name, struct strvec *out,
    char **canon, char **why)
{
	static const int	 types[] = { DDNS_TYPE_A, DDNS_TYPE_AAAA };
	enum ddns_status	 best = DDNS_NXDOMAIN;

	for (size_t t = 0; t < 2; t++) {
		struct ddns_answer a;

		ddns_query(dns, name, types[t], &a);
		if (a.da_status == DDNS_OK) {
			best = DDNS_OK;
			for (size_t i = 0; i < a.da_data.sv_count; i++)
				strvec_push(out, xstrdup(a.da_data.sv_items[i]));
		} else if (a.da_status == DDNS_FAIL && best != DDNS_OK) {
			best = DDNS_FAIL;
			free(*why);
			*why = a.da_why;
			a.da_why = NULL;
		} else if (a.da_status == DDNS_NODATA && best == DDNS_NXDOMAIN)
			best = DDNS_NODATA;
		if (a.da_canon != NULL && canon != NULL && *canon == NULL) {
			*canon = a.da_canon;
			a.da_canon = NULL;
		}
		ddns_answer_free(&a);
	}
	return best;
}

static char *
doc_join(const struct strvec *v)
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
doctor_expect_addresses(struct doc_run *run)
{
	const struct dns_settings *dns;
	char *canon = NULL, *why = NULL;

	run->dr_host_how = NULL;
	if (run->dr_cfg == NULL)
		return;
	dns = &run->dr_cfg->cfg_dns;
	if (dns->dns_host_addresses.sv_count > 0) {
		strvec_copy(&run->dr_host_expected, &dns->dns_host_addresses);
		run->dr_host_how = "dns.policy_host.addresses";
	} else if (dns->dns_host_cname != NULL) {
		(void)doc_addresses(run->dr_dns, dns->dns_host_cname,
		    &run->dr_host_expected, &canon, &why);
		free(canon);
		free(why);
		run->dr_host_how = dns->dns_host_cname;
	}
}

static void
doc_policy_host(struct doc_state *st)
{
	char		*host = xasprintf(HOST_PREFIX "%s", st->ds_dom->dd_name);
	char		*canon = NULL, *why = NULL, *list = NULL, *exp = NULL;
	const struct strvec *expected = &st->ds_run->dr_host_expected;
	const char	*how = st->ds_run->dr_host_how;
	enum ddns_status s;

	s = doc_addresses(st->ds_run->dr_dns, host, &st->ds_host_addrs, &canon,
	    &why);
	if (s != DDNS_OK) {
		doc_add(st, "policy-host", NULL, DOC_CRITICAL, "%s: %s", host,
		    s == DDNS_FAIL ? why : "no A or AAAA record: senders "
		    "cannot fetch the policy");
		doc_remedy_record(st, DNS_PURPOSE_POLICY_HOST,
		    "point it at the policy host (A/AAAA or a CNAME)");
		goto out;
	}
	list = doc_join(&st->ds_host_addrs);
	if (how != NULL) {
		for (size_t i = 0; i < st->ds_host_addrs.sv_count; i++) {
			if (strvec_contains(expected,
			    st->ds_host_addrs.sv_items[i]))
				continue;
			exp = doc_join(expected);
			doc_add(st, "policy-host", NULL, DOC_CRITICAL, "%s "
			    "resolves to %s, and %s is not this deployment "
			    "(%s: %s)", host, list,
			    st->ds_host_addrs.sv_items[i], how, exp);
			doc_remedy_record(st, DNS_PURPOSE_POLICY_HOST, NULL);
			goto out;
		}
	}
	doc_add(st, "policy-host", NULL, DOC_OK, "%s: %s%s%s%s", host, list,
	    canon != NULL ? " (through the CNAME to " : "",
	    canon != NULL ? canon : "", canon != NULL ? ")" : "");
out:
	free(exp);
	free(list);
	free(canon);
	free(why);
	free(host);
}

/* ---- 3. the HTTPS fetch ----------------------------------------------- */

static bool
doc_is_text_plain(const char *ct)
{
	size_t n = strcspn(ct, "; \t");

	return n == 10 && strncasecmp(ct, "text/plain", 10) == 0;
}

/* What a failed fetch means and what to do: false if the fetch is fine. */
static bool
doc_fetch_problem(struct doc_state *st, const char *addr, const char *url,
    const struct https_fetch *hf)
{
	const char *d = st->ds_dom->dd_name;

	if (!hf->hf_connected && hf->hf_no_route) {
		/* Typically IPv6 from a host without it: no verdict. */
		doc_add(st, "policy-fetch", addr, DOC_WARNING, "%s: not "
		    "checked from here: %s", url, hf->hf_why);
		doc_remedy(st, "run the doctor where %s is reachable", addr);
		return true;
	}
	if (!hf->hf_connected) {
		doc_add(st, "policy-fetch", addr, DOC_CRITICAL, "%s: %s", url,
		    hf->hf_why);
		doc_remedy(st, "make the policy host reachable on port 443 at "
		    "%s", addr);
		return true;
	}
	if (hf->hf_tls.dt_result != DTLS_OK) {
		doc_add(st, "policy-fetch", addr, DOC_CRITICAL, "%s: %s: "
		    "senders cannot fetch the policy", url,
		    hf->hf_tls.dt_why);
		doc_remedy(st, "install a certificate for " HOST_PREFIX "%s "
		    "that chains to a public root (mta-sts-hostd names "
		    "--missing)", d);
		return true;
	}
	if (hf->hf_status == 0) {
		doc_add(st, "policy-fetch", addr, DOC_CRITICAL, "%s: %s", url,
		    hf->hf_why != NULL ? hf->hf_why : "no HTTP answer");
		return true;
	}
	if (hf->hf_status >= 300 && hf->hf_status < 400) {
		doc_add(st, "policy-fetch", addr, DOC_CRITICAL, "%s answers "
		    "%d%s%s: senders never follow redirects (RFC 8461 3.3)",
		    url, hf->hf_status, hf->hf_location != NULL ?
		    " to " : "", hf->hf_location != NULL ?
		    hf->hf_location : "");
		doc_remedy(st, "serve the policy at this URL itself");
		return true;
	}
	if (hf->hf_status != 200) {
		doc_add(st, "policy-fetch", addr, DOC_CRITICAL, "%s answers "
		    "%d: only 200 is a policy", url, hf->hf_status);
		doc_remedy(st, "check that the daemon serves %s (mta-sts-hostd "
		    "check)", d);
		return true;
	}
	if (hf->hf_content_type == NULL ||
	    !doc_is_text_plain(hf->hf_content_type)) {
		doc_add(st, "policy-fetch", addr, DOC_CRITICAL, "%s has %s%s: "
		    "several senders require text/plain", url,
		    hf->hf_content_type != NULL ? "Content-Type " :
		    "no Content-Type", hf->hf_content_type != NULL ?
		    hf->hf_content_type : "");
		doc_remedy(st, "serve it as Content-Type: text/plain");
		return true;
	}
	if (hf->hf_body == NULL) {
		doc_add(st, "policy-fetch", addr, DOC_CRITICAL, "%s: %s", url,
		    hf->hf_why != NULL ? hf->hf_why : "no body");
		return true;
	}
	if (hf->hf_too_large) {
		doc_add(st, "policy-fetch", addr, DOC_CRITICAL, "%s is larger "
		    "than %u bytes: senders refuse it", url,
		    POLICY_BODY_LIMIT);
		return true;
	}
	return false;
}

/* Compare the body with the configured one, or parse it (--remote). */
static bool
doc_fetch_body(struct doc_state *st, const char *addr, const char *url,
    const struct https_fetch *hf)
{
	const struct domain	*conf = st->ds_dom->dd_conf;
	char			*why = NULL;

	if (conf != NULL) {
		if (hf->hf_body_len == conf->dom_body_len &&
		    memcmp(hf->hf_body, conf->dom_body, conf->dom_body_len) == 0)
			return true;
		doc_add(st, "policy-fetch", addr, DOC_CRITICAL, "%s serves "
		    "other bytes than the configured policy (%zu bytes, id "
		    "%s)", url, conf->dom_body_len, conf->dom_id);
		doc_remedy(st, "reload the daemon (systemctl reload "
		    "mta-sts-hostd) and check that " HOST_PREFIX "%s points "
		    "at it", st->ds_dom->dd_name);
		return false;
	}
	if (st->ds_have_policy) {
		/* Senders pick any address: they must all agree. */
		if (hf->hf_body_len == st->ds_served_len &&
		    memcmp(hf->hf_body, st->ds_served, st->ds_served_len) == 0)
			return true;
		doc_add(st, "policy-fetch", addr, DOC_CRITICAL, "%s serves "
		    "another policy than the first address: senders get either "
		    "one", url);
		doc_remedy(st, "serve the same policy from every address of "
		    HOST_PREFIX "%s", st->ds_dom->dd_name);
		return false;
	}
	if (!policy_parse(hf->hf_body, hf->hf_body_len, &st->ds_policy,
	    &why)) {
		doc_add(st, "policy-fetch", addr, DOC_CRITICAL, "%s is not a "
		    "valid policy: %s: senders ignore it", url, why);
		free(why);
		return false;
	}
	st->ds_have_policy = true;
	return true;
}

static void
doc_policy_fetch(struct doc_state *st)
{
	const char	*d = st->ds_dom->dd_name;
	char		*host = xasprintf(HOST_PREFIX "%s", d);
	char		*url = xasprintf("https://%s/.well-known/mta-sts.txt",
	    host);
	size_t		 tried = 0, good = 0;
	time_t		 not_after = 0;
	char		 version[16] = "";

	if (st->ds_host_addrs.sv_count == 0) {
		doc_add(st, "policy-fetch", NULL, DOC_SKIPPED, "%s: not "
		    "fetched: %s has no address", url, host);
		goto out;
	}
	for (size_t i = 0; i < st->ds_host_addrs.sv_count &&
	    i < DOC_ADDRESSES_MAX; i++) {
		const char		*addr = st->ds_host_addrs.sv_items[i];
		struct https_fetch	 hf;

		tried++;
		probe_https(st->ds_run->dr_tls, addr, host,
		    st->ds_run->dr_timeout_ms, &hf);
		if (hf.hf_no_route)
			tried--;	/* a warning, not a failed address */
		if (doc_fetch_problem(st, addr, url, &hf)) {
			https_fetch_free(&hf);
			continue;
		}
		if (doc_fetch_body(st, addr, url, &hf)) {
			good++;
			if (not_after == 0 || hf.hf_tls.dt_not_after < not_after)
				not_after = hf.hf_tls.dt_not_after;
			snprintf(version, sizeof(version), "%s",
			    hf.hf_tls.dt_version);
		}
		/* The first policy served, for the id and the other addresses. */
		if (st->ds_served == NULL) {
			st->ds_served = hf.hf_body;
			st->ds_served_len = hf.hf_body_len;
			hf.hf_body = NULL;
		}
		https_fetch_free(&hf);
	}
	if (good == 0)
		goto out;
	st->ds_served_matches = good == tried && st->ds_dom->dd_conf != NULL;
	doc_add(st, "policy-fetch", NULL, good == tried ? DOC_OK :
	    DOC_CRITICAL, "%s: 200 text/plain over %s from %zu of %zu "
	    "address(es)%s; certificate valid %ld more days", url, version,
	    good, tried, st->ds_dom->dd_conf != NULL ?
	    ", the configured policy" : "", doc_days(st, not_after));
	if (doc_days(st, not_after) < DOC_CERT_WARN_DAYS) {
		doc_add(st, "policy-fetch", NULL, DOC_WARNING, "the "
		    "certificate of %s expires in %ld days", host,
		    doc_days(st, not_after));
		doc_remedy(st, "renew it (mta-sts-hostd names --expiring)");
	}
out:
	free(url);
	free(host);
}

/* The id in DNS against the configured policy and the one served. */
static void
doc_sts_id(struct doc_state *st)
{
	const struct domain	*conf = st->ds_dom->dd_conf;
	char			 served_id[POLICY_ID_LEN + 1];
	const struct dns_record	*r;

	if (conf == NULL || st->ds_dns_id[0] == '\0' ||
	    strcmp(st->ds_dns_id, conf->dom_id) == 0)
		return;
	if (st->ds_served_matches) {
		doc_add(st, "sts-record", NULL, DOC_CRITICAL, "%s has id=%s, "
		    "the policy served has id=%s: the DNS id is stale, and "
		    "senders that cached the old policy do not fetch the new "
		    "one", st->ds_sts_name, st->ds_dns_id, conf->dom_id);
		r = doc_record(st, DNS_PURPOSE_SHARED_POLICY_ID);
		if (r == NULL)
			r = doc_record(st, DNS_PURPOSE_POLICY_ID);
		doc_remedy(st, "update %s TXT to \"v=STSv1; id=%s\" (the new "
		    "policy is already served, so this is the safe order, "
		    "RFC 8461 8.1)", r != NULL ? r->dr_name : st->ds_sts_name,
		    conf->dom_id);
		return;
	}
	if (st->ds_served != NULL) {
		policy_id(st->ds_served, st->ds_served_len, served_id);
		if (strcmp(served_id, st->ds_dns_id) == 0) {
			doc_add(st, "sts-record", NULL, DOC_CRITICAL, "%s has "
			    "id=%s, the id of the policy still served; the "
			    "configuration's policy (id=%s) is not served "
			    "yet", st->ds_sts_name, st->ds_dns_id,
			    conf->dom_id);
			doc_remedy(st, "reload the daemon first, then publish "
			    "id=%s (RFC 8461 8.1)", conf->dom_id);
			return;
		}
	}
	doc_add(st, "sts-record", NULL, DOC_CRITICAL, "%s has id=%s, which "
	    "is neither the configured policy's (%s) nor the served one's",
	    st->ds_sts_name, st->ds_dns_id, conf->dom_id);
	doc_remedy(st, "serve the configured policy, then publish id=%s",
	    conf->dom_id);
}

/* ---- 4. MX hosts against the patterns --------------------------------- */

static void
doc_mx_match(struct doc_state *st)
{
	const char		*d = st->ds_dom->dd_name;
	const struct strvec	*pat = &st->ds_policy.pol_mx;
	struct ddns_answer	 a;
	size_t			 matched = 0;

	st->ds_mx_clean = false;
	if (!st->ds_have_policy) {
		doc_add(st, "mx-match", NULL, DOC_SKIPPED, "no policy to "
		    "match the MX hosts of %s against", d);
		return;
	}
	ddns_query(st->ds_run->dr_dns, d, DDNS_TYPE_MX, &a);
	if (a.da_status == DDNS_FAIL) {
		doc_add(st, "mx-match", NULL, DOC_WARNING, "%s", a.da_why);
		goto out;
	}
	if (a.da_status != DDNS_OK) {
		doc_add(st, "mx-match", NULL, DOC_WARNING, "%s has no MX "
		    "record: MTA-STS applies to MX hosts", d);
		doc_remedy(st, "publish the MX records the policy names");
		goto out;
	}
	for (size_t i = 0; i < a.da_data.sv_count; i++) {
		const char *mx = a.da_data.sv_items[i];
		const char *hit = NULL;

		if (*mx == '\0') {
			doc_add(st, "mx-match", ".", DOC_WARNING, "%s has a "
			    "null MX (RFC 7505): it accepts no mail, so its "
			    "policy protects nothing", d);
			continue;
		}
		strvec_push(&st->ds_mx, xstrdup(mx));
		for (size_t j = 0; j < pat->sv_count && hit == NULL; j++)
			if (name_pattern_match(pat->sv_items[j], mx))
				hit = pat->sv_items[j];
		if (hit != NULL) {
			matched++;
			doc_add(st, "mx-match", mx, DOC_OK, "MX %s matches "
			    "mx: %s", mx, hit);
			continue;
		}
		doc_add(st, "mx-match", mx, doc_by_mode(st), "MX %s matches no "
		    "mx pattern of the policy: %s", mx, doc_consequence(st));
		doc_remedy(st, "add 'mx: %s' to the policy (or correct the MX "
		    "record), then publish the new id", mx);
	}
	for (size_t j = 0; j < pat->sv_count; j++) {
		bool used = false;

		for (size_t i = 0; i < st->ds_mx.sv_count && !used; i++)
			used = name_pattern_match(pat->sv_items[j],
			    st->ds_mx.sv_items[i]);
		if (used)
			continue;
		doc_add(st, "mx-pattern", pat->sv_items[j], DOC_WARNING,
		    "mx: %s matches no MX host of %s (a stale pattern; '*.' "
		    "matches exactly one label)", pat->sv_items[j], d);
		doc_remedy(st, "remove it from the policy, or publish the MX "
		    "it stands for");
	}
	st->ds_mx_clean = matched == st->ds_mx.sv_count && matched > 0;
out:
	ddns_answer_free(&a);
}

/* ---- 5. STARTTLS on every MX ------------------------------------------ */

static unsigned
doc_mx_hash(const char *s)
{
	unsigned h = 5381;

	for (; *s != '\0'; s++)
		h = h * 33 + (unsigned char)*s;
	return h % DOC_MX_BUCKETS;
}

void
doctor_mx_cache_init(struct doc_mx_cache *mc)
{
	pthread_mutex_init(&mc->mc_lock, NULL);
	pthread_cond_init(&mc->mc_cond, NULL);
	mc->mc_buckets = xcalloc(DOC_MX_BUCKETS, sizeof(*mc->mc_buckets));
}

/* Resolve and probe every address of one MX host (outside the lock). */
static void
doc_mx_probe(struct doc_run *run, struct doc_mx_entry *e)
{
	struct strvec	 addrs = { 0 };
	char		*why = NULL;

	if (doc_addresses(run->dr_dns, e->me_host, &addrs, NULL, &why) !=
	    DDNS_OK) {
		e->me_dns_why = why != NULL ? why :
		    xstrdup("no A or AAAA record");
		strvec_free(&addrs);
		return;
	}
	free(why);
	for (size_t i = 0; i < addrs.sv_count && i < DOC_ADDRESSES_MAX; i++)
		e->me_naddrs++;
	e->me_addrs = xcalloc(e->me_naddrs, sizeof(*e->me_addrs));
	for (size_t i = 0; i < e->me_naddrs; i++) {
		struct doc_mx_addr *ma = &e->me_addrs[i];

		ma->ma_address = xstrdup(addrs.sv_items[i]);
		probe_smtp(run->dr_tls, ma->ma_address, e->me_host,
		    run->dr_helo, run->dr_timeout_ms, &ma->ma_probe);
	}
	strvec_free(&addrs);
}

/* The cache entry of `host`, probed by whoever asked first. */
static const struct doc_mx_entry *
doc_mx_lookup(struct doc_run *run, const char *host)
{
	struct doc_mx_cache	*mc = &run->dr_mx;
	struct doc_mx_entry	*e;
	unsigned		 h = doc_mx_hash(host);

	pthread_mutex_lock(&mc->mc_lock);
	for (e = mc->mc_buckets[h]; e != NULL; e = e->me_next)
		if (strcasecmp(e->me_host, host) == 0)
			break;
	if (e == NULL) {
		e = xcalloc(1, sizeof(*e));
		e->me_host = xstrdup(host);
		e->me_state = DOC_MX_RUNNING;
		e->me_next = mc->mc_buckets[h];
		mc->mc_buckets[h] = e;
		pthread_mutex_unlock(&mc->mc_lock);
		doc_mx_probe(run, e);
		pthread_mutex_lock(&mc->mc_lock);
		e->me_state = DOC_MX_DONE;
		pthread_cond_broadcast(&mc->mc_cond);
	}
	while (e->me_state != DOC_MX_DONE)
		pthread_cond_wait(&mc->mc_cond, &mc->mc_lock);
	pthread_mutex_unlock(&mc->mc_lock);
	return e;
}

static bool
doc_smtp_one(struct doc_state *st, const char *mx, const char *addr,
    const struct smtp_probe *sp)
{
	const struct dtls_info *ti = &sp->sp_tls;

	if (!sp->sp_connected) {
		doc_add(st, "smtp-starttls", mx, DOC_WARNING, "%s [%s]: not "
		    "checked: %s", mx, addr, sp->sp_why);
		doc_remedy(st, "check from a host that may connect to port 25 "
		    "(or use --no-smtp where outbound port 25 is blocked)");
		return false;
	}
	if (!sp->sp_tls_done && sp->sp_why != NULL) {
		doc_add(st, "smtp-starttls", mx, doc_by_mode(st), "%s [%s]: "
		    "%s: %s", mx, addr, sp->sp_why, doc_consequence(st));
		doc_remedy(st, "check that %s answers SMTP on port 25", mx);
		return false;
	}
	if (!sp->sp_starttls) {
		doc_add(st, "smtp-starttls", mx, doc_by_mode(st), "%s [%s] does "
		    "not offer STARTTLS: %s", mx, addr, doc_consequence(st));
		doc_remedy(st, "enable STARTTLS on %s", mx);
		return false;
	}
	if (ti->dt_result != DTLS_OK) {
		doc_add(st, "smtp-starttls", mx, doc_by_mode(st), "%s [%s]: %s: "
		    "%s", mx, addr, ti->dt_why, doc_consequence(st));
		doc_remedy(st, ti->dt_result == DTLS_VERSION ? "enable TLS 1.2 "
		    "or 1.3 on %s" : "install a certificate for %s that "
		    "chains to a public root", mx);
		return false;
	}
	doc_add(st, "smtp-starttls", mx, DOC_OK, "%s [%s]: STARTTLS, %s %s, "
	    "certificate valid for %s for %ld more days: a sender delivers",
	    mx, addr, ti->dt_version, ti->dt_cipher, mx,
	    doc_days(st, ti->dt_not_after));
	if (doc_days(st, ti->dt_not_after) < DOC_CERT_WARN_DAYS) {
		doc_add(st, "smtp-starttls", mx, DOC_WARNING, "the certificate "
		    "of %s expires in %ld days", mx,
		    doc_days(st, ti->dt_not_after));
		doc_remedy(st, "renew it before it expires");
	}
	return true;
}

static void
doc_smtp(struct doc_state *st)
{
	bool clean = true;

	if (!st->ds_run->dr_smtp) {
		doc_add(st, "smtp-starttls", NULL, DOC_SKIPPED, "not checked "
		    "(--no-smtp)");
		return;
	}
	for (size_t i = 0; i < st->ds_mx.sv_count; i++) {
		const char *mx = st->ds_mx.sv_items[i];
		const struct doc_mx_entry *e = doc_mx_lookup(st->ds_run, mx);

		if (e->me_dns_why != NULL) {
			doc_add(st, "smtp-starttls", mx, doc_by_mode(st),
			    "MX %s: %s: no sender can deliver to it", mx,
			    e->me_dns_why);
			doc_remedy(st, "publish its A/AAAA records, or remove "
			    "the MX record");
			clean = false;
			continue;
		}
		for (size_t j = 0; j < e->me_naddrs; j++)
			if (!doc_smtp_one(st, mx, e->me_addrs[j].ma_address,
			    &e->me_addrs[j].ma_probe))
				clean = false;
	}
	st->ds_mx_probed = true;
	st->ds_mx_clean = st->ds_mx_clean && clean;
}

void
doctor_mx_cache_free(struct doc_mx_cache *mc)
{
	for (size_t h = 0; h < DOC_MX_BUCKETS; h++) {
		struct doc_mx_entry *e, *next;

		for (e = mc->mc_buckets[h]; e != NULL; e = next) {
			next = e->me_next;
			free(e->me_host);
			free(e->me_dns_why);
			for (size_t i = 0; i < e->me_naddrs; i++) {
				free(e->me_addrs[i].ma_address);
				smtp_probe_free(&e->me_addrs[i].ma_probe);
			}
			free(e->me_addrs);
			free(e);
		}
	}
	free(mc->mc_buckets);
	pthread_cond_destroy(&mc->mc_cond);
	pthread_mutex_destroy(&mc->mc_lock);
}

/* ---- 6. TLS-RPT ------------------------------------------------------- */

static bool
doc_same_uris(const struct strvec *a, const struct strvec *b)
{
	if (a->sv_count != b->sv_count)
		return false;
	for (size_t i = 0; i < a->sv_count; i++)
		if (!strvec_contains(b, a->sv_items[i]))
			return false;
	return true;
}

static void
doc_tlsrpt(struct doc_state *st)
{
	const char		*d = st->ds_dom->dd_name;
	const struct domain	*conf = st->ds_dom->dd_conf;
	char			*name = xasprintf("_smtp._tls.%s", d), *why = NULL;
	struct ddns_answer	 a;
	struct strvec		 rua = { 0 };
	const char		*rec = NULL;
	size_t			 n = 0;

	ddns_query(st->ds_run->dr_dns, name, DDNS_TYPE_TXT, &a);
	if (a.da_status == DDNS_FAIL) {
		doc_add(st, "tlsrpt-record", NULL, DOC_WARNING, "%s", a.da_why);
		goto out;
	}
	for (size_t i = 0; i < a.da_data.sv_count; i++)
		if (record_is_tlsrpt(a.da_data.sv_items[i])) {
			rec = a.da_data.sv_items[i];
			n++;
		}
	if (n == 0) {
		doc_add(st, "tlsrpt-record", NULL, DOC_WARNING, "%s has no "
		    "v=TLSRPTv1 record: senders cannot report failed "
		    "deliveries to you (RFC 8460)", name);
		doc_remedy_record(st, DNS_PURPOSE_TLSRPT, "set tlsrpt.rua in "
		    "the configuration and publish the record mta-sts-hostd "
		    "dns prints");
		goto out;
	}
	if (n > 1) {
		doc_add(st, "tlsrpt-record", NULL, DOC_WARNING, "%s has %zu "
		    "v=TLSRPTv1 records: senders send no reports unless there "
		    "is exactly one", name, n);
		doc_remedy(st, "delete all but one");
		goto out;
	}
	if (!record_tlsrpt_parse(rec, &rua, &why)) {
		doc_add(st, "tlsrpt-record", NULL, DOC_WARNING, "\"%s\" is not "
		    "a valid TLS-RPT record: %s", rec, why);
		doc_remedy_record(st, DNS_PURPOSE_TLSRPT, NULL);
		goto out;
	}
	if (conf != NULL && conf->dom_rua.sv_count > 0 &&
	    !doc_same_uris(&rua, &conf->dom_rua)) {
		doc_add(st, "tlsrpt-record", NULL, DOC_WARNING, "\"%s\" "
		    "reports elsewhere than the configuration's tlsrpt.rua",
		    rec);
		doc_remedy_record(st, DNS_PURPOSE_TLSRPT, NULL);
		goto out;
	}
	doc_add(st, "tlsrpt-record", NULL, DOC_OK, "\"%s\"", rec);
out:
	strvec_free(&rua);
	free(why);
	free(name);
	ddns_answer_free(&a);
}

/* ---- 7. the policy's settings ----------------------------------------- */

/* Testing, and every MX passes what enforce demands: how long for? */
static void
doc_testing_ready(struct doc_state *st)
{
	time_t	since = st->ds_dom->dd_mode_since;
	long	days = since != 0 ? (long)((st->ds_run->dr_now - since) /
	    86400) : -1;

	if (days < 0) {
		doc_add(st, "policy-sanity", NULL, DOC_OK, "mode testing, and "
		    "every MX host passes what enforce demands: ready for "
		    "enforce once the TLS-RPT reports are clean too");
	} else if (days >= DOC_TESTING_READY_DAYS) {
		doc_add(st, "policy-sanity", NULL, DOC_OK, "mode testing for "
		    "%ld days, and every MX host passes what enforce "
		    "demands: time to enforce", days);
	} else {
		doc_add(st, "policy-sanity", NULL, DOC_OK, "mode testing for "
		    "%ld day%s, every MX host passing so far (enforce after "
		    "%d days of clean checks and TLS-RPT reports)", days,
		    days == 1 ? "" : "s", DOC_TESTING_READY_DAYS);
		return;
	}
	doc_remedy(st, "serve mode: enforce first, then publish its id (RFC "
	    "8461 8.1; examples/testing-to-enforce)");
}

static void
doc_sanity(struct doc_state *st)
{
	const struct policy	*pol = &st->ds_policy;
	uint32_t		 age = pol->pol_max_age;

	if (!st->ds_have_policy)
		return;
	if (pol->pol_mode == POLICY_MODE_NONE) {
		doc_add(st, "policy-sanity", NULL, DOC_WARNING, "mode none: "
		    "MTA-STS is being withdrawn (RFC 8461 8.3)");
		doc_remedy(st, "once the previous policy's max_age has passed "
		    "since mode none was published, remove the _mta-sts "
		    "record, then the policy");
		return;
	}
	if (age < POLICY_MAX_AGE_WARN) {
		doc_add(st, "policy-sanity", NULL, DOC_WARNING, "max_age %u is "
		    "less than a day: validators reject it, and senders "
		    "refetch the policy all the time", (unsigned)age);
		doc_remedy(st, "use at least 604800 (a week); 1209600 or "
		    "more in enforce mode");
		return;
	}
	if (pol->pol_mode == POLICY_MODE_ENFORCE &&
	    age < POLICY_MAX_AGE_ENFORCE_WARN) {
		doc_add(st, "policy-sanity", NULL, DOC_WARNING, "max_age %u in "
		    "enforce mode: the protection lapses %u days after a "
		    "sender's last fetch", (unsigned)age, (unsigned)(age /
		    86400));
		doc_remedy(st, "use 1209600 (two weeks) or more once enforce "
		    "works");
		return;
	}
	if (pol->pol_mode == POLICY_MODE_TESTING && st->ds_mx_clean &&
	    st->ds_mx_probed) {
		doc_testing_ready(st);
		return;
	}
	doc_add(st, "policy-sanity", NULL, DOC_OK, "mode %s, max_age %u (%u "
	    "days)", policy_mode_name(pol->pol_mode), (unsigned)age,
	    (unsigned)(age / 86400));
}

/* ---- the whole domain ------------------------------------------------- */

void
doctor_check_domain(struct doc_run *run, struct doc_domain *dd)
{
	struct doc_state st = { .ds_run = run, .ds_dom = dd };

	if (dd->dd_conf != NULL && !dd->dd_conf->dom_valid) {
		doc_add(&st, "configuration", NULL, DOC_CRITICAL, "%s has "
		    "errors in the configuration and is not served",
		    dd->dd_name);
		doc_remedy(&st, "run mta-sts-hostd check");
		goto out;
	}
	if (dd->dd_conf != NULL) {
		policy_copy(&st.ds_policy, &dd->dd_conf->dom_policy);
		st.ds_have_policy = true;
		dns_build(&st.ds_records, run->dr_cfg, &dd->dd_conf, 1);
	}
	doc_sts_record(&st);
	doc_policy_host(&st);
	doc_policy_fetch(&st);
	doc_sts_id(&st);
	doc_mx_match(&st);
	doc_smtp(&st);
	doc_tlsrpt(&st);
	if (st.ds_have_policy) {
		dd->dd_mode = st.ds_policy.pol_mode;
		dd->dd_mode_since = doctor_history_since(run->dr_history,
		    dd->dd_name, dd->dd_mode, run->dr_now);
	}
	doc_sanity(&st);
out:
	dd->dd_status = DOC_OK;
	for (size_t i = 0; i < dd->dd_nchecks; i++)
		if (dd->dd_checks[i].dc_status != DOC_SKIPPED &&
		    dd->dd_checks[i].dc_status > dd->dd_status)
			dd->dd_status = dd->dd_checks[i].dc_status;
	dns_free(&st.ds_records);
	policy_free(&st.ds_policy);
	strvec_free(&st.ds_host_addrs);
	strvec_free(&st.ds_mx);
	free(st.ds_sts_name);
	free(st.ds_served);
}

void
doctor_domain_free(struct doc_domain *dd)
{
	for (size_t i = 0; i < dd->dd_nchecks; i++) {
		free(dd->dd_checks[i].dc_subject);
		free(dd->dd_checks[i].dc_message);
		free(dd->dd_checks[i].dc_remedy);
	}
	free(dd->dd_checks);
	free(dd->dd_name);
}
