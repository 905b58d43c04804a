/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "dns.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "strmap.h"
#include "tlsrpt.h"
#include "xalloc.h"

static const char *const dns_rtype_names[] = {
	[DNS_RTYPE_TXT] = "TXT",
	[DNS_RTYPE_CNAME] = "CNAME",
	[DNS_RTYPE_A] = "A",
	[DNS_RTYPE_AAAA] = "AAAA",
};

static const char *const dns_purpose_names[] = {
	[DNS_PURPOSE_POLICY_ID] = "policy-id",
	[DNS_PURPOSE_POLICY_ID_ALIAS] = "policy-id-alias",
	[DNS_PURPOSE_SHARED_POLICY_ID] = "shared-policy-id",
	[DNS_PURPOSE_TLSRPT] = "tls-rpt",
	[DNS_PURPOSE_POLICY_HOST] = "policy-host",
};

const char *
dns_rtype_name(enum dns_rtype t)
{
	return dns_rtype_names[t];
}

const char *
dns_purpose_name(enum dns_purpose p)
{
	return dns_purpose_names[p];
}

/*
 * The zone of that name, added if new. `index` maps the names to their
 * place in ds_zones plus one (the array moves as it grows): a million
 * customers are a million zones, each looked up for each record.
 */
static struct dns_zone *
dns_zone_get(struct dns_set *set, struct strmap *index, const char *name)
{
	struct dns_zone	*z;
	uintptr_t	 at = (uintptr_t)strmap_get(index, name);

	if (at != 0)
		return &set->ds_zones[at - 1];
	set->ds_zones = xgrow(set->ds_zones, set->ds_count,
	    sizeof(*set->ds_zones));
	z = &set->ds_zones[set->ds_count++];
	memset(z, 0, sizeof(*z));
	z->dz_name = xstrdup(name);
	(void)strmap_put(index, z->dz_name, (void *)(uintptr_t)set->ds_count);
	return z;
}

static bool
dns_zone_has(const struct dns_zone *z, const char *name)
{
	for (size_t i = 0; i < z->dz_count; i++)
		if (strcmp(z->dz_records[i].dr_name, name) == 0)
			return true;
	return false;
}

static void
dns_add(struct dns_zone *z, const char *origin, char *name, uint32_t ttl,
    enum dns_rtype type, char *data, enum dns_purpose purpose,
    const char *domain)
{
	struct dns_record *r;

	z->dz_records = xgrow(z->dz_records, z->dz_count,
	    sizeof(*z->dz_records));
	r = &z->dz_records[z->dz_count++];
	*r = (struct dns_record){
		.dr_name = name,
		.dr_origin = origin,
		.dr_ttl = ttl,
		.dr_type = type,
		.dr_data = data,
		.dr_purpose = purpose,
		.dr_domain = domain,
	};
}

static char *
dns_sts_txt(const char *id)
{
	/* RFC 8461 3.1, exactly this form: senders match "v=STSv1;" literally. */
	return xasprintf("v=STSv1; id=%s", id);
}

/* Zone pointers move when a zone is added: look each one up just before use. */
static void
dns_build_domain(struct dns_set *set, struct strmap *index,
    const struct config *cfg, const struct domain *d)
{
	const struct dns_settings	*dns = &cfg->cfg_dns;
	const char			*origin = d->dom_name;
	struct dns_zone			*z;

	if (d->dom_delegate) {
		struct dns_zone	*hz = dns_zone_get(set, index,
		    dns->dns_delegation_zone);
		char		*shared = xasprintf("%s._mta-sts.%s",
		    config_delegation_key(d), dns->dns_delegation_zone);

		if (!dns_zone_has(hz, shared))
			dns_add(hz, hz->dz_name, xstrdup(shared),
			    dns->dns_ttl_policy_id, DNS_RTYPE_TXT,
			    dns_sts_txt(d->dom_id), DNS_PURPOSE_SHARED_POLICY_ID,
			    NULL);
		z = dns_zone_get(set, index, d->dom_zone);
		dns_add(z, origin, xasprintf("_mta-sts.%s", d->dom_name),
		    dns->dns_ttl_policy_id, DNS_RTYPE_CNAME, shared,
		    DNS_PURPOSE_POLICY_ID_ALIAS, d->dom_name);
	} else {
		z = dns_zone_get(set, index, d->dom_zone);
		dns_add(z, origin, xasprintf("_mta-sts.%s", d->dom_name),
		    dns->dns_ttl_policy_id, DNS_RTYPE_TXT,
		    dns_sts_txt(d->dom_id), DNS_PURPOSE_POLICY_ID, d->dom_name);
	}

	if (d->dom_rua.sv_count > 0)
		dns_add(z, origin, xasprintf("_smtp._tls.%s", d->dom_name),
		    dns->dns_ttl_tlsrpt, DNS_RTYPE_TXT,
		    tlsrpt_record(&d->dom_rua), DNS_PURPOSE_TLSRPT, d->dom_name);

	if (dns->dns_host_cname != NULL)
		dns_add(z, origin, xasprintf("mta-sts.%s", d->dom_name),
		    dns->dns_ttl_policy_host, DNS_RTYPE_CNAME,
		    xstrdup(dns->dns_host_cname), DNS_PURPOSE_POLICY_HOST,
		    d->dom_name);
	for (size_t i = 0; i < dns->dns_host_addresses.sv_count; i++) {
		const char *addr = dns->dns_host_addresses.sv_items[i];

		dns_add(z, origin, xasprintf("mta-sts.%s", d->dom_name),
		    dns->dns_ttl_policy_host, strchr(addr, ':') != NULL ?
		    DNS_RTYPE_AAAA : DNS_RTYPE_A, xstrdup(addr),
		    DNS_PURPOSE_POLICY_HOST, d->dom_name);
	}
}

static int
dns_zone_cmp(const void *a, const void *b)
{
	return strcmp(((const struct dns_zone *)a)->dz_name,
	    ((const struct dns_zone *)b)->dz_name);
}

void
dns_build(struct dns_set *set, const struct config *cfg,
    const struct domain *const *domains, size_t ndomains)
{
	struct strmap	index = { 0 };
	size_t		first = 0;

	memset(set, 0, sizeof(*set));
	index.sm_borrowed = true;	/* the keys are the zones' names */
	/* The hoster zone leads: its records must exist before customers
	 * point at them. */
	if (cfg->cfg_dns.dns_delegation_zone != NULL) {
		for (size_t i = 0; i < ndomains; i++) {
			if (domains[i]->dom_valid && domains[i]->dom_delegate) {
				dns_zone_get(set, &index,
				    cfg->cfg_dns.dns_delegation_zone);
				first = 1;
				break;
			}
		}
	}
	for (size_t i = 0; i < ndomains; i++)
		if (domains[i]->dom_valid)
			dns_build_domain(set, &index, cfg, domains[i]);
	strmap_free(&index);
	/* No zones: ds_zones is NULL, which qsort must not be given. */
	if (set->ds_count > first)
		qsort(set->ds_zones + first, set->ds_count - first,
		    sizeof(*set->ds_zones), dns_zone_cmp);
}

void
dns_free(struct dns_set *set)
{
	for (size_t i = 0; i < set->ds_count; i++) {
		struct dns_zone *z = &set->ds_zones[i];

		for (size_t j = 0; j < z->dz_count; j++) {
			free(z->dz_records[j].dr_name);
			free(z->dz_records[j].dr_data);
		}
		free(z->dz_records);
		free(z->dz_name);
	}
	free(set->ds_zones);
	memset(set, 0, sizeof(*set));
}

/* ---- Presentation format (RFC 1035 5.1), shared by bind and nsupdate --- */

static void
dns_write_txt(FILE *fp, const char *text)
{
	size_t len = strlen(text);

	for (size_t off = 0; off < len || off == 0; off += DNS_TXT_CHUNK) {
		if (off > 0)
			fputc(' ', fp);
		fputc('"', fp);
		for (size_t i = off; i < len && i < off + DNS_TXT_CHUNK; i++) {
			if (text[i] == '"' || text[i] == '\\')
				fputc('\\', fp);
			fputc(text[i], fp);
		}
		fputc('"', fp);
		if (len == 0)
			break;
	}
}

static void
dns_write_rdata(FILE *fp, const struct dns_record *r)
{
	if (r->dr_type == DNS_RTYPE_TXT)
		dns_write_txt(fp, r->dr_data);
	else if (r->dr_type == DNS_RTYPE_CNAME)
		fprintf(fp, "%s.", r->dr_data);
	else
		fputs(r->dr_data, fp);
}

/* The owner name relative to `origin`, "@" for the origin itself. */
static const char *
dns_relative(const char *name, const char *origin, char *buf, size_t size)
{
	size_t nl = strlen(name), ol = strlen(origin);

	if (strcmp(name, origin) == 0)
		return "@";
	if (nl > ol && name[nl - ol - 1] == '.' &&
	    strcmp(name + nl - ol, origin) == 0 && nl - ol - 1 < size) {
		memcpy(buf, name, nl - ol - 1);
		buf[nl - ol - 1] = '\0';
		return buf;
	}
	snprintf(buf, size, "%s.", name);
	return buf;
}

void
dns_write_bind(FILE *fp, const struct dns_zone *zones, size_t nzones,
    const char *source)
{
	fprintf(fp, "; MTA-STS records generated by mta-sts-hostd from %s\n",
	    source);
	for (size_t i = 0; i < nzones; i++) {
		const struct dns_zone	*z = &zones[i];
		const char		*origin = NULL;
		const char		*domain = NULL;

		fprintf(fp, "\n; zone %s\n", z->dz_name);
		for (size_t j = 0; j < z->dz_count; j++) {
			const struct dns_record	*r = &z->dz_records[j];
			char			 rel[512];

			if (r->dr_domain != NULL && (domain == NULL ||
			    strcmp(domain, r->dr_domain) != 0)) {
				domain = r->dr_domain;
				fprintf(fp, "; %s\n", domain);
			} else if (r->dr_domain == NULL && j == 0)
				fputs("; shared policy ids: customer _mta-sts "
				    "records are CNAMEs to these\n", fp);
			if (origin == NULL || strcmp(origin, r->dr_origin) != 0) {
				origin = r->dr_origin;
				fprintf(fp, "$ORIGIN %s.\n", origin);
			}
			fprintf(fp, "%-20s %u IN %-5s ",
			    dns_relative(r->dr_name, origin, rel, sizeof(rel)),
			    (unsigned)r->dr_ttl, dns_rtype_name(r->dr_type));
			dns_write_rdata(fp, r);
			fputc('\n', fp);
		}
	}
}

void
dns_write_nsupdate(FILE *fp, const struct dns_set *set, const char *server)
{
	fputs("; MTA-STS records generated by mta-sts-hostd; apply with "
	    "nsupdate(1)\n", fp);
	if (server != NULL)
		fprintf(fp, "server %s\n", server);
	for (size_t i = 0; i < set->ds_count; i++) {
		const struct dns_zone *z = &set->ds_zones[i];

		/* One update per zone: RFC 2136 updates one zone at a time. */
		fprintf(fp, "zone %s.\n", z->dz_name);
		for (size_t j = 0; j < z->dz_count; j++) {
			const struct dns_record *r = &z->dz_records[j];
			bool seen = false;

			/* These names exist only for MTA-STS: replace whatever
			 * is there (a TXT that becomes a CNAME included). */
			for (size_t k = 0; k < j; k++)
				seen |= strcmp(z->dz_records[k].dr_name,
				    r->dr_name) == 0;
			if (!seen)
				fprintf(fp, "update delete %s.\n", r->dr_name);
			fprintf(fp, "update add %s. %u IN %s ", r->dr_name,
			    (unsigned)r->dr_ttl, dns_rtype_name(r->dr_type));
			dns_write_rdata(fp, r);
			fputc('\n', fp);
		}
		fputs("send\n", fp);
	}
}

/* ---- JSON --------------------------------------------------------------- */

static void
dns_json_record(FILE *fp, const struct dns_record *r)
{
	fputs("        {\"name\": ", fp);
	json_string(fp, r->dr_name);
	fprintf(fp, ", \"ttl\": %u, \"class\": \"IN\", \"type\": \"%s\", "
	    "\"data\": ", (unsigned)r->dr_ttl, dns_rtype_name(r->dr_type));
	json_string(fp, r->dr_data);
	fprintf(fp, ", \"purpose\": \"%s\", \"domain\": ",
	    dns_purpose_name(r->dr_purpose));
	if (r->dr_domain != NULL)
		json_string(fp, r->dr_domain);
	else
		fputs("null", fp);
	fputc('}', fp);
}

void
dns_write_json(FILE *fp, const struct dns_set *set, const struct config *cfg,
    const struct domain *const *domains, size_t ndomains)
{
	bool first = true;

	fputs("{\n  \"schema\": \"mta-sts-hostd.dns/1\",\n  \"domains\": [", fp);
	for (size_t i = 0; i < ndomains; i++) {
		const struct domain *d = domains[i];

		if (!d->dom_valid)
			continue;
		fputs(first ? "\n" : ",\n", fp);
		first = false;
		fputs("    {\"domain\": ", fp);
		json_string(fp, d->dom_name);
		fprintf(fp, ", \"policy_id\": \"%s\", \"mode\": \"%s\", "
		    "\"max_age\": %u, \"template\": ", d->dom_id,
		    policy_mode_name(d->dom_policy.pol_mode),
		    (unsigned)d->dom_policy.pol_max_age);
		if (d->dom_template != NULL)
			json_string(fp, d->dom_template);
		else
			fputs("null", fp);
		fputs(", \"zone\": ", fp);
		json_string(fp, d->dom_zone);
		fprintf(fp, ", \"delegated\": %s, \"policy_url\": "
		    "\"https://mta-sts.%s/.well-known/mta-sts.txt\"}",
		    d->dom_delegate ? "true" : "false", d->dom_name);
	}
	fputs(first ? "],\n" : "\n  ],\n", fp);
	fputs("  \"delegation_zone\": ", fp);
	if (cfg->cfg_dns.dns_delegation_zone != NULL)
		json_string(fp, cfg->cfg_dns.dns_delegation_zone);
	else
		fputs("null", fp);
	fputs(",\n  \"zones\": [", fp);
	for (size_t i = 0; i < set->ds_count; i++) {
		const struct dns_zone *z = &set->ds_zones[i];

		fputs(i == 0 ? "\n" : ",\n", fp);
		fputs("    {\"zone\": ", fp);
		json_string(fp, z->dz_name);
		fputs(", \"records\": [\n", fp);
		for (size_t j = 0; j < z->dz_count; j++) {
			dns_json_record(fp, &z->dz_records[j]);
			fputs(j + 1 < z->dz_count ? ",\n" : "\n", fp);
		}
		fputs("    ]}", fp);
	}
	fputs(set->ds_count > 0 ? "\n  ]\n}\n" : "]\n}\n", fp);
}
