/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sts-record: the _mta-sts TXT record senders look up first (RFC 8461
 * 3.1): exactly one v=STSv1 record, valid, and alone at its name; then,
 * once the policy served is known, whether its id is the configured
 * policy's, or stale.
 */
#include "doctor_check.h"

#include <stdlib.h>
#include <string.h>

#include "../../config/policy.h"
#include "../../config/record.h"
#include "../../config/xalloc.h"

void
doctor_sts_record(struct doctor_domain_check *dc)
{
	const char		*d = dc->dc_dom->dm_name;
	char			*name = xasprintf("_mta-sts.%s", d), *why = NULL;
	struct doctor_dns_answer a;
	const char		*sts = NULL;
	size_t			 nsts = 0, nother = 0;

	doctor_dns_query(dc->dc_ctx->cx_dns, name, DDNS_TYPE_TXT, &a);
	if (a.da_status == DDNS_FAIL) {
		doctor_finding_add(dc, "sts-record", NULL, DOC_CRITICAL, "%s",
		    a.da_why);
		doctor_finding_remedy(dc, "check the zone's name servers (and "
		    "--resolver)");
		goto out;
	}
	dc->dc_sts_name = xstrdup(a.da_canon != NULL ? a.da_canon : name);
	for (size_t i = 0; i < a.da_data.sv_count; i++) {
		if (record_is_sts(a.da_data.sv_items[i])) {
			sts = a.da_data.sv_items[i];
			nsts++;
		} else
			nother++;
	}
	if (nsts == 0) {
		doctor_finding_add(dc, "sts-record", NULL, DOC_CRITICAL, "%s "
		    "has no TXT record starting with v=STSv1: senders see no "
		    "MTA-STS policy", name);
		doctor_finding_remedy_record(dc, DNS_PURPOSE_POLICY_ID_ALIAS,
		    "publish _mta-sts TXT \"v=STSv1; id=...\"");
		goto out;
	}
	if (nsts > 1) {
		doctor_finding_add(dc, "sts-record", NULL, DOC_CRITICAL, "%s "
		    "has %zu TXT records starting with v=STSv1: senders ignore "
		    "the policy unless there is exactly one (RFC 8461 3.1)",
		    dc->dc_sts_name, nsts);
		doctor_finding_remedy(dc, "delete all but one of them");
		goto out;
	}
	if (!record_sts_parse(sts, dc->dc_dns_id, &why)) {
		doctor_finding_add(dc, "sts-record", NULL, DOC_CRITICAL,
		    "\"%s\" at %s is not a valid record (%s): senders ignore "
		    "the policy", sts, dc->dc_sts_name, why);
		doctor_finding_remedy_record(dc, DNS_PURPOSE_POLICY_ID_ALIAS,
		    "publish \"v=STSv1; id=<letters and digits>\"");
		goto out;
	}
	if (nother > 0) {
		doctor_finding_add(dc, "sts-record", NULL, DOC_WARNING, "%s "
		    "has %zu other TXT record(s) besides v=STSv1: some senders "
		    "(go-mtasts, KumoMTA) count every TXT record and then "
		    "ignore the policy", dc->dc_sts_name, nother);
		doctor_finding_remedy(dc, "move other TXT records away from %s",
		    dc->dc_sts_name);
	}
	if (dc->dc_dom->dm_conf == NULL ||
	    strcmp(dc->dc_dns_id, dc->dc_dom->dm_conf->dom_id) == 0)
		doctor_finding_add(dc, "sts-record", NULL, DOC_OK,
		    "\"%s\"%s%s%s", sts,
		    a.da_canon != NULL ? " (through the CNAME to " : "",
		    a.da_canon != NULL ? a.da_canon : "",
		    a.da_canon != NULL ? ")" : "");
	/* A stale id is judged with the policy served (doctor_sts_id). */
out:
	free(why);
	free(name);
	doctor_dns_answer_free(&a);
}

/* The id in DNS against the configured policy and the one served. */
void
doctor_sts_id(struct doctor_domain_check *dc)
{
	const struct domain	*conf = dc->dc_dom->dm_conf;
	char			 served_id[POLICY_ID_LEN + 1];
	const struct dns_record	*r;

	if (conf == NULL || dc->dc_dns_id[0] == '\0' ||
	    strcmp(dc->dc_dns_id, conf->dom_id) == 0)
		return;
	if (dc->dc_served_matches) {
		doctor_finding_add(dc, "sts-record", NULL, DOC_CRITICAL, "%s "
		    "has id=%s, the policy served has id=%s: the DNS id is "
		    "stale, and senders that cached the old policy do not "
		    "fetch the new one", dc->dc_sts_name, dc->dc_dns_id,
		    conf->dom_id);
		r = doctor_finding_record(dc, DNS_PURPOSE_SHARED_POLICY_ID);
		if (r == NULL)
			r = doctor_finding_record(dc, DNS_PURPOSE_POLICY_ID);
		doctor_finding_remedy(dc, "update %s TXT to \"v=STSv1; id=%s\" "
		    "(the new policy is already served, so this is the safe "
		    "order, RFC 8461 8.1)",
		    r != NULL ? r->dr_name : dc->dc_sts_name, conf->dom_id);
		return;
	}
	if (dc->dc_served != NULL) {
		policy_id(dc->dc_served, dc->dc_served_len, served_id);
		if (strcmp(served_id, dc->dc_dns_id) == 0) {
			doctor_finding_add(dc, "sts-record", NULL, DOC_CRITICAL,
			    "%s has id=%s, the id of the policy still served; "
			    "the configuration's policy (id=%s) is not served "
			    "yet", dc->dc_sts_name, dc->dc_dns_id,
			    conf->dom_id);
			doctor_finding_remedy(dc, "reload the daemon first, "
			    "then publish id=%s (RFC 8461 8.1)", conf->dom_id);
			return;
		}
	}
	doctor_finding_add(dc, "sts-record", NULL, DOC_CRITICAL, "%s has "
	    "id=%s, which is neither the configured policy's (%s) nor the "
	    "served one's", dc->dc_sts_name, dc->dc_dns_id, conf->dom_id);
	doctor_finding_remedy(dc, "serve the configured policy, then publish "
	    "id=%s", conf->dom_id);
}
