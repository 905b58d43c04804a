/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy-sanity: the policy's own settings, whoever serves it: mode none
 * (MTA-STS being withdrawn), a max_age too short for the mode, and a
 * testing policy whose MX hosts all pass what enforce demands, with how
 * long it has been so (--state).
 */
#include "doctor_check.h"

#include "../../config/policy.h"

/* Testing this long with every MX passing: time to enforce. */
#define DOC_TESTING_READY_DAYS	14

/* Testing, and every MX passes what enforce demands: how long for? */
static void
doctor_sanity_testing_ready(struct doctor_domain_check *dc)
{
	time_t	since = dc->dc_dom->dm_mode_since;
	long	days = since != 0 ? (long)((dc->dc_ctx->cx_now - since) /
	    86400) : -1;

	if (days < 0) {
		doctor_finding_add(dc, "policy-sanity", NULL, DOC_OK, "mode "
		    "testing, and every MX host passes what enforce demands: "
		    "ready for enforce once the TLS-RPT reports are clean too");
	} else if (days >= DOC_TESTING_READY_DAYS) {
		doctor_finding_add(dc, "policy-sanity", NULL, DOC_OK, "mode "
		    "testing for %ld days, and every MX host passes what "
		    "enforce demands: time to enforce", days);
	} else {
		doctor_finding_add(dc, "policy-sanity", NULL, DOC_OK, "mode "
		    "testing for %ld day%s, every MX host passing so far "
		    "(enforce after %d days of clean checks and TLS-RPT "
		    "reports)", days, days == 1 ? "" : "s",
		    DOC_TESTING_READY_DAYS);
		return;
	}
	doctor_finding_remedy(dc, "serve mode: enforce first, then publish its "
	    "id (RFC 8461 8.1; examples/testing-to-enforce)");
}

void
doctor_sanity_policy(struct doctor_domain_check *dc)
{
	const struct policy	*pol = &dc->dc_policy;
	uint32_t		 age = pol->pol_max_age;

	if (!dc->dc_have_policy)
		return;
	if (pol->pol_mode == POLICY_MODE_NONE) {
		doctor_finding_add(dc, "policy-sanity", NULL, DOC_WARNING,
		    "mode none: MTA-STS is being withdrawn (RFC 8461 8.3)");
		doctor_finding_remedy(dc, "once the previous policy's max_age "
		    "has passed since mode none was published, remove the "
		    "_mta-sts record, then the policy");
		return;
	}
	if (age < POLICY_MAX_AGE_WARN) {
		doctor_finding_add(dc, "policy-sanity", NULL, DOC_WARNING,
		    "max_age %u is less than a day: validators reject it, and "
		    "senders refetch the policy all the time", (unsigned)age);
		doctor_finding_remedy(dc, "use at least 604800 (a week); "
		    "1209600 or more in enforce mode");
		return;
	}
	if (pol->pol_mode == POLICY_MODE_ENFORCE &&
	    age < POLICY_MAX_AGE_ENFORCE_WARN) {
		doctor_finding_add(dc, "policy-sanity", NULL, DOC_WARNING,
		    "max_age %u in enforce mode: the protection lapses %u days "
		    "after a sender's last fetch", (unsigned)age,
		    (unsigned)(age / 86400));
		doctor_finding_remedy(dc, "use 1209600 (two weeks) or more "
		    "once enforce works");
		return;
	}
	if (pol->pol_mode == POLICY_MODE_TESTING && dc->dc_mx_clean &&
	    dc->dc_mx_probed) {
		doctor_sanity_testing_ready(dc);
		return;
	}
	doctor_finding_add(dc, "policy-sanity", NULL, DOC_OK,
	    "mode %s, max_age %u (%u days)", policy_mode_name(pol->pol_mode),
	    (unsigned)age, (unsigned)(age / 86400));
}
