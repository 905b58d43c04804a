#include "doctor.h"

#include <string.h>

#include "../../config/json.h"

#define DOCTOR_JSON_SCHEMA	"mta-sts-hostd.doctor/1"

static const struct {
	const char	*id;
	const char	*label;
} doctor_checks[] = {
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
doctor_label(const char *id)
{
	for (size_t i = 0; i < sizeof(doctor_checks) / sizeof(doctor_checks[0]);
	    i++)
		if (strcmp(doctor_checks[i].id, id) == 0)
			return doctor_checks[i].label;
	return id;
}

const char *
doctor_status_name(enum doc_status s)
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
doctor_mark(enum doc_status s, bool utf8)
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

enum doc_status
doctor_overall(const struct doc_domain *dd, size_t n)
{
	enum doc_status worst = DOC_OK;

	for (size_t i = 0; i < n; i++)
		if (dd[i].dd_status > worst && dd[i].dd_status != DOC_SKIPPED)
			worst = dd[i].dd_status;
	return worst;
}

void
doctor_write_text(FILE *fp, const struct doc_domain *dd, size_t n, bool utf8)
{
	size_t count[3] = { 0 };

	for (size_t i = 0; i < n; i++) {
		const struct doc_domain *d = &dd[i];

		fprintf(fp, "%s: %s", d->dd_name,
		    d->dd_status == DOC_OK ? "OK" :
		    d->dd_status == DOC_WARNING ? "WARNING" : "CRITICAL");
		if (d->dd_conf != NULL && d->dd_conf->dom_valid)
			fprintf(fp, " (%s, id %s)",
			    policy_mode_name(d->dd_conf->dom_policy.pol_mode),
			    d->dd_conf->dom_id);
		fputc('\n', fp);
		for (size_t j = 0; j < d->dd_nchecks; j++) {
			const struct doc_check *c = &d->dd_checks[j];

			fprintf(fp, "  %s %-14s %s\n",
			    doctor_mark(c->dc_status, utf8),
			    doctor_label(c->dc_check), c->dc_message);
			if (c->dc_remedy != NULL)
				fprintf(fp, "  %s %-14s %s\n", utf8 ? " " :
				    "    ", "", c->dc_remedy);
		}
		if (d->dd_status <= DOC_CRITICAL)
			count[d->dd_status]++;
		fputc('\n', fp);
	}
	fprintf(fp, "doctor: %zu domain%s: %zu OK, %zu WARNING, %zu "
	    "CRITICAL\n", n, n == 1 ? "" : "s", count[DOC_OK],
	    count[DOC_WARNING], count[DOC_CRITICAL]);
}

void
doctor_write_json(FILE *fp, const struct doc_domain *dd, size_t n)
{
	fputs("{\n  \"schema\": \"" DOCTOR_JSON_SCHEMA "\",\n", fp);
	fprintf(fp, "  \"status\": \"%s\",\n",
	    doctor_status_name(doctor_overall(dd, n)));
	fputs("  \"domains\": [", fp);
	for (size_t i = 0; i < n; i++) {
		const struct doc_domain *d = &dd[i];
		const struct domain *conf = d->dd_conf;
		bool valid = conf != NULL && conf->dom_valid;

		fprintf(fp, "%s\n    {\"domain\": ", i > 0 ? "," : "");
		json_string(fp, d->dd_name);
		fprintf(fp, ", \"status\": \"%s\", \"configured\": %s,\n",
		    doctor_status_name(d->dd_status),
		    conf != NULL ? "true" : "false");
		fputs("     \"policy_id\": ", fp);
		json_string(fp, valid ? conf->dom_id : NULL);
		fputs(", \"mode\": ", fp);
		json_string(fp, valid ?
		    policy_mode_name(conf->dom_policy.pol_mode) : NULL);
		fputs(",\n     \"checks\": [", fp);
		for (size_t j = 0; j < d->dd_nchecks; j++) {
			const struct doc_check *c = &d->dd_checks[j];

			fprintf(fp, "%s\n      {\"check\": \"%s\", \"status\": "
			    "\"%s\", \"subject\": ", j > 0 ? "," : "",
			    c->dc_check, doctor_status_name(c->dc_status));
			json_string(fp, c->dc_subject);
			fputs(",\n       \"message\": ", fp);
			json_string(fp, c->dc_message);
			fputs(",\n       \"remedy\": ", fp);
			json_string(fp, c->dc_remedy);
			fputc('}', fp);
		}
		fputs("]}", fp);
	}
	fputs("\n  ]\n}\n", fp);
}
