/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tlsrpt-record: the _smtp._tls TXT record (RFC 8460) through which
 * senders report the deliveries MTA-STS made them refuse or flag: exactly
 * one, valid, and reporting where the configuration's tlsrpt.rua says.
 */
#include "doctor_check.h"

#include <stdlib.h>

#include "../../config/record.h"
#include "../../config/xalloc.h"

static bool
doctor_tlsrpt_same_uris(const struct strvec *a, const struct strvec *b)
{
	if (a->sv_count != b->sv_count)
		return false;
	for (size_t i = 0; i < a->sv_count; i++)
		if (!strvec_contains(b, a->sv_items[i]))
			return false;
	return true;
}

void
doctor_tlsrpt_record(struct doctor_domain_check *dc)
{
	const char		*d = dc->dc_dom->dm_name;
	const struct domain	*conf = dc->dc_dom->dm_conf;
	char			*name = xasprintf("_smtp._tls.%s", d), *why = NULL;
	struct doctor_dns_answer a;
	struct strvec		 rua = { 0 };
	const char		*rec = NULL;
	size_t			 n = 0;

	doctor_dns_query(dc->dc_ctx->cx_dns, name, DDNS_TYPE_TXT, &a);
	if (a.da_status == DDNS_FAIL) {
		doctor_finding_add(dc, "tlsrpt-record", NULL, DOC_WARNING, "%s",
		    a.da_why);
		goto out;
	}
	for (size_t i = 0; i < a.da_data.sv_count; i++)
		if (record_is_tlsrpt(a.da_data.sv_items[i])) {
			rec = a.da_data.sv_items[i];
			n++;
		}
	if (n == 0) {
		doctor_finding_add(dc, "tlsrpt-record", NULL, DOC_WARNING, "%s "
		    "has no v=TLSRPTv1 record: senders cannot report failed "
		    "deliveries to you (RFC 8460)", name);
		doctor_finding_remedy_record(dc, DNS_PURPOSE_TLSRPT,
		    "set tlsrpt.rua in the configuration and publish the "
		    "record mta-sts-hostd dns prints");
		goto out;
	}
	if (n > 1) {
		doctor_finding_add(dc, "tlsrpt-record", NULL, DOC_WARNING, "%s "
		    "has %zu v=TLSRPTv1 records: senders send no reports "
		    "unless there is exactly one", name, n);
		doctor_finding_remedy(dc, "delete all but one");
		goto out;
	}
	if (!record_tlsrpt_parse(rec, &rua, &why)) {
		doctor_finding_add(dc, "tlsrpt-record", NULL, DOC_WARNING,
		    "\"%s\" is not a valid TLS-RPT record: %s", rec, why);
		doctor_finding_remedy_record(dc, DNS_PURPOSE_TLSRPT, NULL);
		goto out;
	}
	if (conf != NULL && conf->dom_rua.sv_count > 0 &&
	    !doctor_tlsrpt_same_uris(&rua, &conf->dom_rua)) {
		doctor_finding_add(dc, "tlsrpt-record", NULL, DOC_WARNING,
		    "\"%s\" reports elsewhere than the configuration's "
		    "tlsrpt.rua", rec);
		doctor_finding_remedy_record(dc, DNS_PURPOSE_TLSRPT, NULL);
		goto out;
	}
	doctor_finding_add(dc, "tlsrpt-record", NULL, DOC_OK, "\"%s\"", rec);
out:
	strvec_free(&rua);
	free(why);
	free(name);
	doctor_dns_answer_free(&a);
}
