/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One domain, checked the way a sender meets it: the configuration, then
 * the checks in order, each using what the earlier ones learnt (the
 * policy fetched, the MX hosts found); the domain's status is its worst
 * finding.
 */
#include "doctor_check.h"

#include <stdlib.h>

#include "../../config/policy.h"

void
doctor_domain_run(struct doctor_context *ctx, struct doctor_domain *dm)
{
	struct doctor_domain_check dc = { .dc_ctx = ctx, .dc_dom = dm };

	if (dm->dm_conf != NULL && !dm->dm_conf->dom_valid) {
		doctor_finding_add(&dc, "configuration", NULL, DOC_CRITICAL,
		    "%s has errors in the configuration and is not served",
		    dm->dm_name);
		doctor_finding_remedy(&dc, "run mta-sts-hostd check");
		goto out;
	}
	if (dm->dm_conf != NULL) {
		policy_copy(&dc.dc_policy, &dm->dm_conf->dom_policy);
		dc.dc_have_policy = true;
		dns_build(&dc.dc_records, ctx->cx_cfg, &dm->dm_conf, 1);
	}
	doctor_sts_record(&dc);
	doctor_fetch_host(&dc);
	doctor_fetch_policy(&dc);
	doctor_sts_id(&dc);
	doctor_mx_match(&dc);
	doctor_mx_starttls(&dc);
	doctor_tlsrpt_record(&dc);
	if (dc.dc_have_policy) {
		dm->dm_mode = dc.dc_policy.pol_mode;
		dm->dm_mode_since = doctor_history_since(ctx->cx_history,
		    dm->dm_name, dm->dm_mode, ctx->cx_now);
	}
	doctor_sanity_policy(&dc);
out:
	dm->dm_status = DOC_OK;
	for (size_t i = 0; i < dm->dm_nfindings; i++)
		if (dm->dm_findings[i].df_status != DOC_SKIPPED &&
		    dm->dm_findings[i].df_status > dm->dm_status)
			dm->dm_status = dm->dm_findings[i].df_status;
	dns_free(&dc.dc_records);
	policy_free(&dc.dc_policy);
	strvec_free(&dc.dc_host_addrs);
	strvec_free(&dc.dc_mx);
	free(dc.dc_sts_name);
	free(dc.dc_served);
}

void
doctor_domain_free(struct doctor_domain *dm)
{
	for (size_t i = 0; i < dm->dm_nfindings; i++) {
		free(dm->dm_findings[i].df_subject);
		free(dm->dm_findings[i].df_message);
		free(dm->dm_findings[i].df_remedy);
	}
	free(dm->dm_findings);
	free(dm->dm_name);
}
