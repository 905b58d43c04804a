/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every check uses to say what it found: a finding with its status,
 * subject, message and remedy, added to the domain under check; how severe
 * a failure is in the policy's mode, and what a sender then does; and the
 * record `mta-sts-hostd dns` would publish, as the remedy for a wrong one.
 */
#include "doctor_check.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../../config/xalloc.h"

void
doctor_finding_add(struct doctor_domain_check *dc, const char *check,
    const char *subject, enum doctor_status status, const char *fmt, ...)
{
	struct doctor_domain	*dm = dc->dc_dom;
	struct doctor_finding	*f;
	va_list			 ap;

	dm->dm_findings = xreallocarray(dm->dm_findings, dm->dm_nfindings + 1,
	    sizeof(*dm->dm_findings));
	f = &dm->dm_findings[dm->dm_nfindings++];
	memset(f, 0, sizeof(*f));
	f->df_check = check;
	f->df_subject = subject != NULL ? xstrdup(subject) : NULL;
	f->df_status = status;
	va_start(ap, fmt);
	f->df_message = xvasprintf(fmt, ap);
	va_end(ap);
}

void
doctor_finding_remedy(struct doctor_domain_check *dc, const char *fmt, ...)
{
	struct doctor_finding	*f = &dc->dc_dom->dm_findings[
	    dc->dc_dom->dm_nfindings - 1];
	va_list			 ap;

	free(f->df_remedy);
	va_start(ap, fmt);
	f->df_remedy = xvasprintf(fmt, ap);
	va_end(ap);
}

/* Without a policy, a sender's failure is judged as in testing. */
static enum policy_mode
doctor_finding_mode(const struct doctor_domain_check *dc)
{
	return dc->dc_have_policy ? dc->dc_policy.pol_mode :
	    POLICY_MODE_TESTING;
}

enum doctor_status
doctor_finding_severity(const struct doctor_domain_check *dc)
{
	enum policy_mode mode = doctor_finding_mode(dc);

	return mode == POLICY_MODE_ENFORCE ? DOC_CRITICAL :
	    mode == POLICY_MODE_TESTING ? DOC_WARNING : DOC_OK;
}

const char *
doctor_finding_consequence(const struct doctor_domain_check *dc)
{
	switch (doctor_finding_mode(dc)) {
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

long
doctor_finding_days(const struct doctor_domain_check *dc, time_t t)
{
	return (long)((t - dc->dc_ctx->cx_now) / 86400);
}

const struct dns_record *
doctor_finding_record(const struct doctor_domain_check *dc,
    enum dns_purpose purpose)
{
	for (size_t z = 0; z < dc->dc_records.ds_count; z++) {
		const struct dns_zone *zone = &dc->dc_records.ds_zones[z];

		for (size_t i = 0; i < zone->dz_count; i++)
			if (zone->dz_records[i].dr_purpose == purpose)
				return &zone->dz_records[i];
	}
	return NULL;
}

/* "publish NAME. TYPE DATA" for a record `dns` would publish. */
static char *
doctor_finding_publish(const struct dns_record *r)
{
	if (r->dr_type == DNS_RTYPE_TXT)
		return xasprintf("publish %s. %s \"%s\"", r->dr_name,
		    dns_rtype_name(r->dr_type), r->dr_data);
	return xasprintf("publish %s. %s %s%s", r->dr_name,
	    dns_rtype_name(r->dr_type), r->dr_data,
	    r->dr_type == DNS_RTYPE_CNAME ? "." : "");
}

void
doctor_finding_remedy_record(struct doctor_domain_check *dc,
    enum dns_purpose purpose, const char *otherwise)
{
	const struct dns_record *r = doctor_finding_record(dc, purpose);
	char *s;

	/* No CNAME to a shared id: then the domain's own _mta-sts TXT. */
	if (r == NULL && purpose == DNS_PURPOSE_POLICY_ID_ALIAS)
		r = doctor_finding_record(dc, DNS_PURPOSE_POLICY_ID);
	if (r == NULL) {
		if (otherwise != NULL)
			doctor_finding_remedy(dc, "%s", otherwise);
		return;
	}
	s = doctor_finding_publish(r);
	doctor_finding_remedy(dc, "%s (mta-sts-hostd dns %s prints it)", s,
	    dc->dc_dom->dm_name);
	free(s);
}
