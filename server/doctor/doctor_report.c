/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "doctor_check.h"

#include <string.h>

#include "../../config/json.h"

#define DOCTOR_JSON_SCHEMA	"mta-sts-hostd.doctor/1"

static const struct {
	const char	*id;
	const char	*label;
} doctor_report_labels[] = {
	{ "configuration", "configuration" },
	{ "sts-record", "_mta-sts TXT" },
	{ "policy-host", "policy host" },
	{ "policy-fetch", "policy fetch" },
	{ "mx-match", "MX" },
	{ "mx-pattern", "mx pattern" },
	{ "smtp-starttls", "STARTTLS" },
	{ "tlsrpt-record", "TLS-RPT" },
	{ "policy-sanity", "policy" },
};

static const char *
doctor_report_label(const char *id)
{
	for (size_t i = 0; i < sizeof(doctor_report_labels) /
	    sizeof(doctor_report_labels[0]); i++)
		if (strcmp(doctor_report_labels[i].id, id) == 0)
			return doctor_report_labels[i].label;
	return id;
}

static const char *
doctor_report_status(enum doctor_status s)
{
	switch (s) {
	case DOC_OK:
		return "ok";
	case DOC_WARNING:
		return "warning";
	case DOC_CRITICAL:
		return "critical";
	case DOC_UNKNOWN:
		return "unknown";
	case DOC_SKIPPED:
		break;
	}
	return "skipped";
}

static const char *
doctor_report_mark(enum doctor_status s, bool utf8)
{
	switch (s) {
	case DOC_OK:
		return utf8 ? "\u2713" : "ok  ";
	case DOC_WARNING:
		return utf8 ? "!" : "WARN";
	case DOC_CRITICAL:
		return utf8 ? "\u2717" : "CRIT";
	case DOC_UNKNOWN:
	case DOC_SKIPPED:
		break;
	}
	return utf8 ? "-" : "skip";
}

enum doctor_status
doctor_report_overall(const struct doctor_domain *dm, size_t n)
{
	enum doctor_status worst = DOC_OK;

	for (size_t i = 0; i < n; i++)
		if (dm[i].dm_status > worst && dm[i].dm_status != DOC_SKIPPED)
			worst = dm[i].dm_status;
	return worst;
}

void
doctor_report_text(FILE *fp, const struct doctor_domain *dm, size_t n,
    bool utf8)
{
	size_t count[3] = { 0 };

	for (size_t i = 0; i < n; i++) {
		const struct doctor_domain *d = &dm[i];

		fprintf(fp, "%s: %s", d->dm_name,
		    d->dm_status == DOC_OK ? "OK" :
		    d->dm_status == DOC_WARNING ? "WARNING" : "CRITICAL");
		if (d->dm_conf != NULL && d->dm_conf->dom_valid)
			fprintf(fp, " (%s, id %s)",
			    policy_mode_name(d->dm_conf->dom_policy.pol_mode),
			    d->dm_conf->dom_id);
		fputc('\n', fp);
		for (size_t j = 0; j < d->dm_nfindings; j++) {
			const struct doctor_finding *f = &d->dm_findings[j];

			fprintf(fp, "  %s %-14s %s\n",
			    doctor_report_mark(f->df_status, utf8),
			    doctor_report_label(f->df_check), f->df_message);
			if (f->df_remedy != NULL)
				fprintf(fp, "  %s %-14s %s\n", utf8 ? " " :
				    "    ", "", f->df_remedy);
		}
		if (d->dm_status <= DOC_CRITICAL)
			count[d->dm_status]++;
		fputc('\n', fp);
	}
	fprintf(fp, "doctor: %zu domain%s: %zu OK, %zu WARNING, %zu "
	    "CRITICAL\n", n, n == 1 ? "" : "s", count[DOC_OK],
	    count[DOC_WARNING], count[DOC_CRITICAL]);
}

void
doctor_report_json(FILE *fp, const struct doctor_domain *dm, size_t n)
{
	fputs("{\n  \"schema\": \"" DOCTOR_JSON_SCHEMA "\",\n", fp);
	fprintf(fp, "  \"status\": \"%s\",\n",
	    doctor_report_status(doctor_report_overall(dm, n)));
	fputs("  \"domains\": [", fp);
	for (size_t i = 0; i < n; i++) {
		const struct doctor_domain *d = &dm[i];
		const struct domain *conf = d->dm_conf;
		bool valid = conf != NULL && conf->dom_valid;

		fprintf(fp, "%s\n    {\"domain\": ", i > 0 ? "," : "");
		json_string(fp, d->dm_name);
		fprintf(fp, ", \"status\": \"%s\", \"configured\": %s,\n",
		    doctor_report_status(d->dm_status),
		    conf != NULL ? "true" : "false");
		fputs("     \"policy_id\": ", fp);
		json_string(fp, valid ? conf->dom_id : NULL);
		fputs(", \"mode\": ", fp);
		json_string(fp, valid ?
		    policy_mode_name(conf->dom_policy.pol_mode) : NULL);
		fputs(",\n     \"checks\": [", fp);
		for (size_t j = 0; j < d->dm_nfindings; j++) {
			const struct doctor_finding *f = &d->dm_findings[j];

			fprintf(fp, "%s\n      {\"check\": \"%s\", \"status\": "
			    "\"%s\", \"subject\": ", j > 0 ? "," : "",
			    f->df_check, doctor_report_status(f->df_status));
			json_string(fp, f->df_subject);
			fputs(",\n       \"message\": ", fp);
			json_string(fp, f->df_message);
			fputs(",\n       \"remedy\": ", fp);
			json_string(fp, f->df_remedy);
			fputc('}', fp);
		}
		fputs("]}", fp);
	}
	fputs("\n  ]\n}\n", fp);
}
