/*
 * dns.c: the records that go with a configuration, built from YAML loaded
 * with config_load() and written as BIND zone-file snippets, an nsupdate
 * script and JSON. The records must carry the ids the daemon serves, the
 * configured TTLs, and, in delegation mode, exactly one shared TXT record per
 * template in the hoster zone.
 */
#include <ctype.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <criterion/criterion.h>

#include "../../config/config.h"
#include "../../config/dns.h"
#include "unit.h"

TestSuite(dns, .init = unit_setup, .fini = unit_teardown);

/* ---- Loading and building ---------------------------------------------- */

/* A configuration and the records of the domains selected from it. */
struct fixture {
	struct config		 *cfg;
	const struct domain	**sel;
	size_t			  nsel;
	struct dns_set		  set;
};

static char *
dump_diags(const struct config *cfg)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	cr_assert_not_null(fp);
	diag_print(&cfg->cfg_diags, fp);
	fclose(fp);
	return buf;
}

static struct config *
load(const char *yaml, size_t want_errors)
{
	char		*path = NULL;
	FILE		*fp;
	struct config	*cfg;

	cr_assert_neq(asprintf(&path, "%s/main.yaml", unit_dir), -1);
	fp = fopen(path, "w");
	cr_assert_not_null(fp);
	fputs(yaml, fp);
	cr_assert_eq(fclose(fp), 0);
	cfg = config_load(path);
	free(path);
	cr_assert_not_null(cfg);
	if (cfg->cfg_diags.dl_errors != want_errors)
		cr_assert_fail("expected %zu errors:\n%s", want_errors,
		    dump_diags(cfg));
	return cfg;
}

/* Builds the records of the named domains (all of them: `names` NULL). */
static void
build(struct fixture *fx, const char *yaml, size_t want_errors,
    const char *const *names, size_t nnames)
{
	memset(fx, 0, sizeof(*fx));
	fx->cfg = load(yaml, want_errors);
	if (names == NULL) {
		fx->sel = calloc(fx->cfg->cfg_ndomains + 1, sizeof(*fx->sel));
		cr_assert_not_null(fx->sel);
		for (size_t i = 0; i < fx->cfg->cfg_ndomains; i++)
			fx->sel[fx->nsel++] = &fx->cfg->cfg_domains[i];
	} else {
		fx->sel = calloc(nnames + 1, sizeof(*fx->sel));
		cr_assert_not_null(fx->sel);
		for (size_t i = 0; i < nnames; i++) {
			fx->sel[fx->nsel] = config_domain(fx->cfg, names[i]);
			cr_assert_not_null(fx->sel[fx->nsel], "%s", names[i]);
			fx->nsel++;
		}
	}
	dns_build(&fx->set, fx->cfg, fx->sel, fx->nsel);
}

static void
fixture_free(struct fixture *fx)
{
	dns_free(&fx->set);
	free(fx->sel);
	config_free(fx->cfg);
}

static const struct dns_zone *
zone(const struct fixture *fx, const char *name)
{
	for (size_t i = 0; i < fx->set.ds_count; i++)
		if (strcmp(fx->set.ds_zones[i].dz_name, name) == 0)
			return &fx->set.ds_zones[i];
	cr_assert_fail("no zone %s", name);
	return NULL;
}

static bool
has_zone(const struct fixture *fx, const char *name)
{
	for (size_t i = 0; i < fx->set.ds_count; i++)
		if (strcmp(fx->set.ds_zones[i].dz_name, name) == 0)
			return true;
	return false;
}

/* The one record of `type` named `name` in zone `zname`. */
static const struct dns_record *
record(const struct fixture *fx, const char *zname, const char *name,
    enum dns_rtype type)
{
	const struct dns_zone	*z = zone(fx, zname);
	const struct dns_record	*found = NULL;
	size_t			 n = 0;

	for (size_t i = 0; i < z->dz_count; i++) {
		if (strcmp(z->dz_records[i].dr_name, name) == 0 &&
		    z->dz_records[i].dr_type == type) {
			found = &z->dz_records[i];
			n++;
		}
	}
	cr_assert_eq(n, 1, "%zu %s records named %s in zone %s", n,
	    dns_rtype_name(type), name, zname);
	return found;
}

/* Records named `name` in any zone, of any type. */
static size_t
records_named(const struct fixture *fx, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < fx->set.ds_count; i++)
		for (size_t j = 0; j < fx->set.ds_zones[i].dz_count; j++)
			n += strcmp(fx->set.ds_zones[i].dz_records[j].dr_name,
			    name) == 0;
	return n;
}

static void
expect_record(const struct dns_record *r, uint32_t ttl, const char *data,
    enum dns_purpose purpose, const char *domain)
{
	cr_assert_eq(r->dr_ttl, ttl, "%s: TTL %u, expected %u", r->dr_name,
	    (unsigned)r->dr_ttl, (unsigned)ttl);
	cr_assert_str_eq(r->dr_data, data, "%s: data '%s'", r->dr_name,
	    r->dr_data);
	cr_assert_eq(r->dr_purpose, purpose, "%s: purpose %s", r->dr_name,
	    dns_purpose_name(r->dr_purpose));
	if (domain == NULL)
		cr_assert_null(r->dr_domain, "%s: domain %s", r->dr_name,
		    r->dr_domain);
	else {
		cr_assert_not_null(r->dr_domain, "%s: no domain", r->dr_name);
		cr_assert_str_eq(r->dr_domain, domain);
	}
}

static char *
sts_txt(const struct config *cfg, const char *domain)
{
	const struct domain	*d = config_domain(cfg, domain);
	char			*s = NULL;

	cr_assert_not_null(d);
	cr_assert(d->dom_valid);
	cr_assert_neq(asprintf(&s, "v=STSv1; id=%s", d->dom_id), -1);
	return s;
}

/* ---- Output ------------------------------------------------------------ */

static char *
bind_text(const struct fixture *fx, const char *source)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	cr_assert_not_null(fp);
	dns_write_bind(fp, fx->set.ds_zones, fx->set.ds_count, source);
	cr_assert_eq(fclose(fp), 0);
	return buf;
}

static char *
nsupdate_text(const struct fixture *fx, const char *server)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	cr_assert_not_null(fp);
	dns_write_nsupdate(fp, &fx->set, server);
	cr_assert_eq(fclose(fp), 0);
	return buf;
}

/* Through a real file this time, as `dns --format json > file` does. */
static char *
json_text(const struct fixture *fx)
{
	FILE	*fp = tmpfile();
	long	 size;
	char	*buf;

	cr_assert_not_null(fp);
	dns_write_json(fp, &fx->set, fx->cfg, fx->sel, fx->nsel);
	cr_assert_eq(fflush(fp), 0);
	size = ftell(fp);
	cr_assert_gt(size, 0);
	rewind(fp);
	buf = malloc((size_t)size + 1);
	cr_assert_not_null(buf);
	cr_assert_eq(fread(buf, 1, (size_t)size, fp), (size_t)size);
	buf[size] = '\0';
	fclose(fp);
	return buf;
}

/* Copies line `i` (0-based) of `text`; NULL past the end. Caller frees. */
static char *
line_at(const char *text, size_t i)
{
	const char *p = text, *nl;

	for (; i > 0; i--) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			return NULL;
		p = nl + 1;
	}
	if (*p == '\0')
		return NULL;
	nl = strchr(p, '\n');
	return strndup(p, nl != NULL ? (size_t)(nl - p) : strlen(p));
}

static size_t
count_lines_equal(const char *text, const char *want)
{
	size_t	 n = 0;
	char	*l;

	for (size_t i = 0; (l = line_at(text, i)) != NULL; i++) {
		n += strcmp(l, want) == 0;
		free(l);
	}
	return n;
}

/* Index of the first line equal to `want`, or -1. */
static long
line_index(const char *text, const char *want)
{
	char *l;

	for (size_t i = 0; (l = line_at(text, i)) != NULL; i++) {
		bool eq = strcmp(l, want) == 0;

		free(l);
		if (eq)
			return (long)i;
	}
	return -1;
}

/*
 * A resource record line of a zone file or an nsupdate script, split into
 * owner, TTL, class, type and the presentation rdata; whitespace between
 * fields does not matter.
 */
struct rr_line {
	char		owner[300];
	unsigned	ttl;
	char		class[8];
	char		type[8];
	const char	*rdata;		/* points into the line */
};

static bool
parse_rr(const char *line, struct rr_line *rr)
{
	int n = 0;

	if (sscanf(line, "%299s %u %7s %7s %n", rr->owner, &rr->ttl, rr->class,
	    rr->type, &n) != 4 || n == 0)
		return false;
	rr->rdata = line + n;
	return true;
}

/* The one line (after `prefix`) for owner/ttl/type with exactly `rdata`. */
static size_t
count_rr(const char *text, const char *prefix, const char *owner,
    unsigned ttl, const char *type, const char *rdata)
{
	size_t	 n = 0, plen = strlen(prefix);
	char	*l;

	for (size_t i = 0; (l = line_at(text, i)) != NULL; i++) {
		struct rr_line rr;

		if (strncmp(l, prefix, plen) == 0 && parse_rr(l + plen, &rr) &&
		    strcmp(rr.owner, owner) == 0 && rr.ttl == ttl &&
		    strcmp(rr.class, "IN") == 0 && strcmp(rr.type, type) == 0 &&
		    strcmp(rr.rdata, rdata) == 0)
			n++;
		free(l);
	}
	return n;
}

static void
expect_rr(const char *text, const char *prefix, const char *owner,
    unsigned ttl, const char *type, const char *rdata)
{
	size_t n = count_rr(text, prefix, owner, ttl, type, rdata);

	cr_assert_eq(n, 1, "%zu lines '%s%s %u IN %s %s' in:\n%s", n, prefix,
	    owner, ttl, type, rdata, text);
}

/* The zone-file lines under "$ORIGIN <origin>." up to the next section. */
static char *
origin_section(const char *text, const char *origin)
{
	char		*hdr = NULL, *out;
	const char	*start, *end, *z;

	cr_assert_neq(asprintf(&hdr, "$ORIGIN %s.\n", origin), -1);
	start = strstr(text, hdr);
	cr_assert_not_null(start, "no %s in:\n%s", hdr, text);
	start += strlen(hdr);
	free(hdr);
	end = strstr(start, "$ORIGIN ");
	z = strstr(start, "; zone ");
	if (end == NULL || (z != NULL && z < end))
		end = z;
	out = strndup(start, end != NULL ? (size_t)(end - start) :
	    strlen(start));
	cr_assert_not_null(out);
	return out;
}

/*
 * The character-strings of TXT presentation rdata ("a" "b"): each is checked
 * to be at most 255 bytes once unescaped; returns their concatenation and
 * the count. Caller frees.
 */
static char *
txt_strings(const char *rdata, size_t *count)
{
	char		*out = calloc(strlen(rdata) + 1, 1), *o = out;
	const char	*p = rdata;

	cr_assert_not_null(out);
	*count = 0;
	while (*p != '\0') {
		size_t len = 0;

		cr_assert_eq(*p, '"', "TXT rdata not quoted: %s", rdata);
		p++;
		while (*p != '"') {
			cr_assert_neq(*p, '\0', "unterminated: %s", rdata);
			if (*p == '\\')
				p++;
			*o++ = *p++;
			len++;
		}
		p++;
		cr_assert_leq(len, 255, "a %zu-byte character-string", len);
		(*count)++;
		if (*p == ' ')
			p++;
		else
			cr_assert_eq(*p, '\0', "junk after a string: %s", rdata);
	}
	*o = '\0';
	return out;
}

/* ---- A small JSON parser: does the output parse at all? --------------- */

struct json {
	const char	*p;
};

static bool json_value(struct json *, unsigned);

static void
json_ws(struct json *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static bool
json_string(struct json *j)
{
	if (*j->p != '"')
		return false;
	for (j->p++; *j->p != '"'; j->p++) {
		if ((unsigned char)*j->p < 0x20)
			return false;
		if (*j->p == '\\') {
			j->p++;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!isxdigit((unsigned char)j->p[i]))
						return false;
				j->p += 4;
			} else if (*j->p == '\0' || strchr("\"\\/bfnrt", *j->p)
			    == NULL)
				return false;
		}
	}
	j->p++;
	return true;
}

static bool
json_number(struct json *j)
{
	const char *start;

	if (*j->p == '-')
		j->p++;
	start = j->p;
	while (isdigit((unsigned char)*j->p))
		j->p++;
	if (j->p == start || (*start == '0' && j->p - start > 1))
		return false;
	if (*j->p == '.') {
		j->p++;
		if (!isdigit((unsigned char)*j->p))
			return false;
		while (isdigit((unsigned char)*j->p))
			j->p++;
	}
	return true;
}

static bool
json_container(struct json *j, char close, bool object, unsigned depth)
{
	j->p++;
	json_ws(j);
	if (*j->p == close) {
		j->p++;
		return true;
	}
	for (;;) {
		json_ws(j);
		if (object) {
			if (!json_string(j))
				return false;
			json_ws(j);
			if (*j->p++ != ':')
				return false;
		}
		if (!json_value(j, depth + 1))
			return false;
		json_ws(j);
		if (*j->p == close) {
			j->p++;
			return true;
		}
		if (*j->p++ != ',')
			return false;
	}
}

static bool
json_value(struct json *j, unsigned depth)
{
	if (depth > 32)
		return false;
	json_ws(j);
	switch (*j->p) {
	case '{':
		return json_container(j, '}', true, depth);
	case '[':
		return json_container(j, ']', false, depth);
	case '"':
		return json_string(j);
	case 't':
		return strncmp(j->p, "true", 4) == 0 && (j->p += 4);
	case 'f':
		return strncmp(j->p, "false", 5) == 0 && (j->p += 5);
	case 'n':
		return strncmp(j->p, "null", 4) == 0 && (j->p += 4);
	default:
		return json_number(j);
	}
}

static void
expect_json(const char *text)
{
	struct json j = { .p = text };

	cr_assert(json_value(&j, 0), "JSON does not parse at offset %zu:\n%s",
	    (size_t)(j.p - text), text);
	json_ws(&j);
	cr_assert_eq(*j.p, '\0', "junk after the JSON value:\n%s", text);
}

static void
expect_contains(const char *text, const char *needle)
{
	cr_assert_not_null(strstr(text, needle), "\"%s\" is not in:\n%s",
	    needle, text);
}

/* ---- Direct mode -------------------------------------------------------- */

static const char direct_yaml[] =
    "dns:\n"
    "  ttl:\n"
    "    policy_id: 111\n"
    "    tlsrpt: 222\n"
    "    policy_host: 333\n"
    "  policy_host:\n"
    "    cname: mta-sts.hoster.example\n"
    "  tlsrpt:\n"
    "    rua: [mailto:tlsrpt@hoster.example]\n"
    "domains:\n"
    "  a.example:\n"
    "    mode: enforce\n"
    "    mx: [mx.example.net]\n"
    "  b.example:\n"
    "    mode: testing\n"
    "    mx: [mx.example.net]\n"
    "    tlsrpt:\n"
    "      rua: [mailto:tls@b.example, https://reports.b.example/v1]\n";

TEST_NO_LEAK(dns, direct_mode_records_with_configured_ttls)
{
	struct fixture	 fx;
	char		*txt_a, *txt_b;

	build(&fx, direct_yaml, 0, NULL, 0);
	txt_a = sts_txt(fx.cfg, "a.example");
	txt_b = sts_txt(fx.cfg, "b.example");
	cr_assert_eq(fx.set.ds_count, 2);
	cr_assert_str_eq(fx.set.ds_zones[0].dz_name, "a.example");
	cr_assert_str_eq(fx.set.ds_zones[1].dz_name, "b.example");
	cr_assert_eq(zone(&fx, "a.example")->dz_count, 3);

	expect_record(record(&fx, "a.example", "_mta-sts.a.example",
	    DNS_RTYPE_TXT), 111, txt_a, DNS_PURPOSE_POLICY_ID, "a.example");
	expect_record(record(&fx, "a.example", "_smtp._tls.a.example",
	    DNS_RTYPE_TXT), 222, "v=TLSRPTv1; rua=mailto:tlsrpt@hoster.example",
	    DNS_PURPOSE_TLSRPT, "a.example");
	expect_record(record(&fx, "a.example", "mta-sts.a.example",
	    DNS_RTYPE_CNAME), 333, "mta-sts.hoster.example",
	    DNS_PURPOSE_POLICY_HOST, "a.example");

	expect_record(record(&fx, "b.example", "_mta-sts.b.example",
	    DNS_RTYPE_TXT), 111, txt_b, DNS_PURPOSE_POLICY_ID, "b.example");
	/* A domain's own rua replaces the default. */
	expect_record(record(&fx, "b.example", "_smtp._tls.b.example",
	    DNS_RTYPE_TXT), 222, "v=TLSRPTv1; rua=mailto:tls@b.example,"
	    "https://reports.b.example/v1", DNS_PURPOSE_TLSRPT, "b.example");
	/* Exactly one _mta-sts record each: senders reject two. */
	cr_assert_eq(records_named(&fx, "_mta-sts.a.example"), 1);
	cr_assert_eq(records_named(&fx, "_smtp._tls.a.example"), 1);
	cr_assert_str_neq(txt_a, txt_b);
	free(txt_a);
	free(txt_b);
	fixture_free(&fx);
}

TEST_NO_LEAK(dns, direct_mode_bind_output)
{
	struct fixture	 fx;
	char		*text, *txt_a, *quoted = NULL, *sec;
	long		 origin, za, zb;

	build(&fx, direct_yaml, 0, NULL, 0);
	txt_a = sts_txt(fx.cfg, "a.example");
	text = bind_text(&fx, "/etc/mta-sts-hostd/mta-sts-hostd.yaml");
	cr_assert_neq(asprintf(&quoted, "\"%s\"", txt_a), -1);

	expect_contains(text, "generated by mta-sts-hostd from "
	    "/etc/mta-sts-hostd/mta-sts-hostd.yaml");
	za = line_index(text, "; zone a.example");
	zb = line_index(text, "; zone b.example");
	origin = line_index(text, "$ORIGIN a.example.");
	cr_assert(za >= 0 && zb > za && origin > za && origin < zb,
	    "zone sections out of order:\n%s", text);
	/* Owner names relative to the $ORIGIN, targets absolute. */
	sec = origin_section(text, "a.example");
	expect_rr(sec, "", "_mta-sts", 111, "TXT", quoted);
	expect_rr(sec, "", "_smtp._tls", 222, "TXT",
	    "\"v=TLSRPTv1; rua=mailto:tlsrpt@hoster.example\"");
	expect_rr(sec, "", "mta-sts", 333, "CNAME", "mta-sts.hoster.example.");
	free(sec);
	cr_assert_eq(count_lines_equal(text, "$ORIGIN b.example."), 1);
	sec = origin_section(text, "b.example");
	expect_rr(sec, "", "_smtp._tls", 222, "TXT", "\"v=TLSRPTv1; "
	    "rua=mailto:tls@b.example,https://reports.b.example/v1\"");
	free(sec);
	free(quoted);
	free(txt_a);
	free(text);
	fixture_free(&fx);
}

TEST_NO_LEAK(dns, policy_host_addresses_give_a_and_aaaa)
{
	struct fixture	 fx;
	char		*text;

	build(&fx,
	    "dns:\n"
	    "  policy_host:\n"
	    "    addresses: [192.0.2.10, \"2001:DB8:0::10\"]\n"
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net]\n", 0, NULL, 0);
	expect_record(record(&fx, "a.example", "mta-sts.a.example",
	    DNS_RTYPE_A), 3600, "192.0.2.10", DNS_PURPOSE_POLICY_HOST,
	    "a.example");
	expect_record(record(&fx, "a.example", "mta-sts.a.example",
	    DNS_RTYPE_AAAA), 3600, "2001:db8::10", DNS_PURPOSE_POLICY_HOST,
	    "a.example");
	cr_assert_eq(records_named(&fx, "mta-sts.a.example"), 2);
	text = bind_text(&fx, "x");
	expect_rr(text, "", "mta-sts", 3600, "A", "192.0.2.10");
	expect_rr(text, "", "mta-sts", 3600, "AAAA", "2001:db8::10");
	cr_assert_null(strstr(text, "CNAME"));
	free(text);
	fixture_free(&fx);
}

TEST_NO_LEAK(dns, no_policy_host_and_no_rua_means_only_the_id)
{
	struct fixture	 fx;
	char		*txt;

	build(&fx,
	    "dns:\n"
	    "  tlsrpt:\n"
	    "    rua: [mailto:tlsrpt@hoster.example]\n"
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net]\n"
	    "    tlsrpt:\n"
	    "      rua: []\n", 0, NULL, 0);
	txt = sts_txt(fx.cfg, "a.example");
	cr_assert_eq(fx.set.ds_count, 1);
	cr_assert_eq(zone(&fx, "a.example")->dz_count, 1);
	/* Default TTL of the id record: short, 300 seconds. */
	expect_record(record(&fx, "a.example", "_mta-sts.a.example",
	    DNS_RTYPE_TXT), 300, txt, DNS_PURPOSE_POLICY_ID, "a.example");
	free(txt);
	fixture_free(&fx);
}

TEST_NO_LEAK(dns, records_go_to_the_configured_zone)
{
	struct fixture	 fx;
	char		*text;

	build(&fx,
	    "domains:\n"
	    "  one.f.example:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net]\n"
	    "    zone: f.example\n"
	    "  two.f.example:\n"
	    "    mode: testing\n"
	    "    mx: [mx.example.net]\n"
	    "    zone: f.example\n"
	    "  f.example:\n"
	    "    mode: none\n"
	    "    mx: [mx.example.net]\n", 0, NULL, 0);
	cr_assert_eq(fx.set.ds_count, 1);
	cr_assert_eq(zone(&fx, "f.example")->dz_count, 3);
	record(&fx, "f.example", "_mta-sts.one.f.example", DNS_RTYPE_TXT);
	record(&fx, "f.example", "_mta-sts.two.f.example", DNS_RTYPE_TXT);
	record(&fx, "f.example", "_mta-sts.f.example", DNS_RTYPE_TXT);
	text = bind_text(&fx, "x");
	cr_assert_eq(count_lines_equal(text, "; zone f.example"), 1);
	/* One $ORIGIN per domain keeps the owner names short. */
	cr_assert_eq(count_lines_equal(text, "$ORIGIN one.f.example."), 1);
	cr_assert_eq(count_lines_equal(text, "$ORIGIN two.f.example."), 1);
	cr_assert_eq(count_lines_equal(text, "$ORIGIN f.example."), 1);
	free(text);
	fixture_free(&fx);
}

/* ---- Delegation mode ---------------------------------------------------- */

static const char delegation_yaml[] =
    "dns:\n"
    "  ttl:\n"
    "    policy_id: 120\n"
    "  policy_host:\n"
    "    cname: mta-sts.hoster.example\n"
    "  delegation:\n"
    "    zone: policies.hoster.example\n"
    "policies:\n"
    "  std:\n"
    "    mode: enforce\n"
    "    mx: [mx1.hoster.example, mx2.hoster.example]\n"
    "  other:\n"
    "    mode: testing\n"
    "    mx: [mx3.hoster.example]\n"
    "domains:\n"
    "  a.example: std\n"
    "  b.example: std\n"
    "  c.example:\n"
    "    policy: std\n"
    "    max_age: 1209600\n"
    "  d.example:\n"
    "    mode: testing\n"
    "    mx: [mx.d.example]\n"
    "  e.example:\n"
    "    policy: std\n"
    "    delegate: false\n"
    "  f.example: other\n";

TEST_NO_LEAK(dns, delegation_mode_records)
{
	static const char	 hz[] = "policies.hoster.example";
	struct fixture		 fx;
	char			*txt_a, *txt_b, *txt_c, *txt_d, *txt_e, *txt_f;
	const struct dns_zone	*h;

	build(&fx, delegation_yaml, 0, NULL, 0);
	txt_a = sts_txt(fx.cfg, "a.example");
	txt_b = sts_txt(fx.cfg, "b.example");
	txt_c = sts_txt(fx.cfg, "c.example");
	txt_d = sts_txt(fx.cfg, "d.example");
	txt_e = sts_txt(fx.cfg, "e.example");
	txt_f = sts_txt(fx.cfg, "f.example");
	/* Same template, same bytes, same id. */
	cr_assert_str_eq(txt_a, txt_b);
	cr_assert_str_eq(txt_a, txt_e);

	/* The hoster zone leads although it sorts after a.example. */
	cr_assert_eq(fx.set.ds_count, 7);
	cr_assert_str_eq(fx.set.ds_zones[0].dz_name, hz);
	for (size_t i = 2; i < fx.set.ds_count; i++)
		cr_assert_lt(strcmp(fx.set.ds_zones[i - 1].dz_name,
		    fx.set.ds_zones[i].dz_name), 0, "customer zones unsorted");

	/* One shared TXT per template used as it is, one per domain with a
	 * policy of its own; nothing for the domain that opted out. */
	h = zone(&fx, hz);
	cr_assert_eq(h->dz_count, 4);
	expect_record(record(&fx, hz, "std._mta-sts.policies.hoster.example",
	    DNS_RTYPE_TXT), 120, txt_a, DNS_PURPOSE_SHARED_POLICY_ID, NULL);
	expect_record(record(&fx, hz, "other._mta-sts.policies.hoster.example",
	    DNS_RTYPE_TXT), 120, txt_f, DNS_PURPOSE_SHARED_POLICY_ID, NULL);
	expect_record(record(&fx, hz,
	    "c.example._mta-sts.policies.hoster.example", DNS_RTYPE_TXT), 120,
	    txt_c, DNS_PURPOSE_SHARED_POLICY_ID, NULL);
	expect_record(record(&fx, hz,
	    "d.example._mta-sts.policies.hoster.example", DNS_RTYPE_TXT), 120,
	    txt_d, DNS_PURPOSE_SHARED_POLICY_ID, NULL);
	cr_assert_eq(records_named(&fx,
	    "e.example._mta-sts.policies.hoster.example"), 0);

	/* Customers' _mta-sts is a CNAME to the record for their policy. */
	expect_record(record(&fx, "a.example", "_mta-sts.a.example",
	    DNS_RTYPE_CNAME), 120, "std._mta-sts.policies.hoster.example",
	    DNS_PURPOSE_POLICY_ID_ALIAS, "a.example");
	expect_record(record(&fx, "b.example", "_mta-sts.b.example",
	    DNS_RTYPE_CNAME), 120, "std._mta-sts.policies.hoster.example",
	    DNS_PURPOSE_POLICY_ID_ALIAS, "b.example");
	expect_record(record(&fx, "c.example", "_mta-sts.c.example",
	    DNS_RTYPE_CNAME), 120, "c.example._mta-sts.policies.hoster.example",
	    DNS_PURPOSE_POLICY_ID_ALIAS, "c.example");
	expect_record(record(&fx, "d.example", "_mta-sts.d.example",
	    DNS_RTYPE_CNAME), 120, "d.example._mta-sts.policies.hoster.example",
	    DNS_PURPOSE_POLICY_ID_ALIAS, "d.example");
	expect_record(record(&fx, "f.example", "_mta-sts.f.example",
	    DNS_RTYPE_CNAME), 120, "other._mta-sts.policies.hoster.example",
	    DNS_PURPOSE_POLICY_ID_ALIAS, "f.example");
	/* The opted-out domain publishes its id directly. */
	expect_record(record(&fx, "e.example", "_mta-sts.e.example",
	    DNS_RTYPE_TXT), 120, txt_e, DNS_PURPOSE_POLICY_ID, "e.example");
	/* A CNAME owner has no other record. */
	cr_assert_eq(records_named(&fx, "_mta-sts.a.example"), 1);
	/* The policy host is still per customer. */
	record(&fx, "a.example", "mta-sts.a.example", DNS_RTYPE_CNAME);

	free(txt_a);
	free(txt_b);
	free(txt_c);
	free(txt_d);
	free(txt_e);
	free(txt_f);
	fixture_free(&fx);
}

TEST_NO_LEAK(dns, delegation_mode_bind_output)
{
	struct fixture	 fx;
	char		*text, *txt_a, *txt_c, *qa = NULL, *qc = NULL, *sec;
	long		 hoster, first_customer;

	build(&fx, delegation_yaml, 0, NULL, 0);
	txt_a = sts_txt(fx.cfg, "a.example");
	txt_c = sts_txt(fx.cfg, "c.example");
	cr_assert_neq(asprintf(&qa, "\"%s\"", txt_a), -1);
	cr_assert_neq(asprintf(&qc, "\"%s\"", txt_c), -1);
	text = bind_text(&fx, "x");
	hoster = line_index(text, "; zone policies.hoster.example");
	first_customer = line_index(text, "; zone a.example");
	cr_assert(hoster >= 0 && first_customer > hoster,
	    "the hoster zone must come first:\n%s", text);
	cr_assert_eq(count_lines_equal(text,
	    "$ORIGIN policies.hoster.example."), 1);
	sec = origin_section(text, "policies.hoster.example");
	expect_rr(sec, "", "std._mta-sts", 120, "TXT", qa);
	expect_rr(sec, "", "c.example._mta-sts", 120, "TXT", qc);
	free(sec);
	/* CNAME targets are absolute: a missing dot would append the origin. */
	sec = origin_section(text, "a.example");
	expect_rr(sec, "", "_mta-sts", 120, "CNAME",
	    "std._mta-sts.policies.hoster.example.");
	free(sec);
	sec = origin_section(text, "c.example");
	expect_rr(sec, "", "_mta-sts", 120, "CNAME",
	    "c.example._mta-sts.policies.hoster.example.");
	free(sec);
	sec = origin_section(text, "f.example");
	expect_rr(sec, "", "_mta-sts", 120, "CNAME",
	    "other._mta-sts.policies.hoster.example.");
	free(sec);
	sec = origin_section(text, "e.example");
	expect_rr(sec, "", "_mta-sts", 120, "TXT", qa);
	free(sec);
	free(qa);
	free(qc);
	free(txt_a);
	free(txt_c);
	free(text);
	fixture_free(&fx);
}

TEST_NO_LEAK(dns, selected_domains_only)
{
	static const char *const names[] = { "f.example", "e.example" };
	struct fixture fx;

	build(&fx, delegation_yaml, 0, names, 2);
	cr_assert_eq(fx.set.ds_count, 3);
	cr_assert_str_eq(fx.set.ds_zones[0].dz_name, "policies.hoster.example");
	cr_assert_str_eq(fx.set.ds_zones[1].dz_name, "e.example");
	cr_assert_str_eq(fx.set.ds_zones[2].dz_name, "f.example");
	cr_assert_eq(zone(&fx, "policies.hoster.example")->dz_count, 1);
	record(&fx, "policies.hoster.example",
	    "other._mta-sts.policies.hoster.example", DNS_RTYPE_TXT);
	cr_assert_eq(records_named(&fx, "std._mta-sts.policies.hoster.example"),
	    0);
	fixture_free(&fx);

	/* Without a delegated domain there is no hoster zone at all. */
	build(&fx, delegation_yaml, 0, names + 1, 1);
	cr_assert_eq(fx.set.ds_count, 1);
	cr_assert_str_eq(fx.set.ds_zones[0].dz_name, "e.example");
	fixture_free(&fx);
}

/* ---- Invalid domains ---------------------------------------------------- */

TEST_NO_LEAK(dns, invalid_domains_are_left_out)
{
	struct fixture	 fx;
	char		*bind, *ns, *json;

	build(&fx,
	    "dns:\n"
	    "  policy_host:\n"
	    "    cname: mta-sts.hoster.example\n"
	    "  tlsrpt:\n"
	    "    rua: [mailto:tlsrpt@hoster.example]\n"
	    "  delegation:\n"
	    "    zone: policies.hoster.example\n"
	    "policies:\n"
	    "  broken:\n"
	    "    mode: Enforce\n"
	    "    mx: [mx.example.net]\n"
	    "domains:\n"
	    "  good.example:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net]\n"
	    "    delegate: false\n"
	    "  bad.example:\n"
	    "    mode: enforce\n"
	    "    mx: [mx_1.example.net]\n"
	    "  worse.example: broken\n"
	    "  undefined.example: nowhere\n", 3, NULL, 0);
	cr_assert_eq(fx.nsel, 4);
	/* Only the valid domain; and as it does not delegate, no hoster
	 * zone: nothing would point at its records. */
	cr_assert_eq(fx.set.ds_count, 1);
	cr_assert_str_eq(fx.set.ds_zones[0].dz_name, "good.example");
	cr_assert_not(has_zone(&fx, "bad.example"));
	cr_assert_not(has_zone(&fx, "policies.hoster.example"));
	bind = bind_text(&fx, "x");
	ns = nsupdate_text(&fx, NULL);
	json = json_text(&fx);
	cr_assert_null(strstr(bind, "bad.example"), "%s", bind);
	cr_assert_null(strstr(bind, "worse.example"), "%s", bind);
	cr_assert_null(strstr(bind, "broken"), "%s", bind);
	cr_assert_null(strstr(ns, "bad.example"), "%s", ns);
	cr_assert_null(strstr(json, "bad.example"), "%s", json);
	cr_assert_null(strstr(json, "worse.example"), "%s", json);
	cr_assert_null(strstr(json, "undefined.example"), "%s", json);
	expect_json(json);
	free(bind);
	free(ns);
	free(json);
	fixture_free(&fx);
}

TEST_NO_LEAK(dns, no_valid_domain_gives_empty_output)
{
	struct fixture	 fx;
	char		*bind, *ns, *json;

	build(&fx,
	    "dns:\n"
	    "  delegation:\n"
	    "    zone: policies.hoster.example\n"
	    "domains:\n"
	    "  bad.example:\n"
	    "    mode: enforce\n", 1, NULL, 0);
	cr_assert_eq(fx.set.ds_count, 0);
	bind = bind_text(&fx, "x");
	ns = nsupdate_text(&fx, NULL);
	json = json_text(&fx);
	cr_assert_null(strstr(bind, "; zone"));
	cr_assert_null(strstr(ns, "zone "));
	cr_assert_null(strstr(ns, "send"));
	expect_json(json);
	expect_contains(json, "\"domains\": []");
	expect_contains(json, "\"zones\": []");
	free(bind);
	free(ns);
	free(json);
	fixture_free(&fx);
}

/* ---- TXT records longer than one character-string ---------------------- */

/* A domain whose TLS-RPT record is exactly `len` bytes long. */
static char *
tlsrpt_yaml(size_t len)
{
	/* "v=TLSRPTv1; rua=" + "mailto:" + local + "@example.net" */
	size_t	 local = len - strlen("v=TLSRPTv1; rua=mailto:@example.net");
	char	*yaml = NULL, *l = malloc(local + 1);

	cr_assert_not_null(l);
	for (size_t i = 0; i < local; i++)
		l[i] = (char)('a' + i % 26);
	l[local] = '\0';
	cr_assert_neq(asprintf(&yaml, "domains:\n  a.example:\n"
	    "    mode: enforce\n    mx: [mx.example.net]\n"
	    "    tlsrpt:\n      rua: [mailto:%s@example.net]\n", l), -1);
	free(l);
	return yaml;
}

/* The rdata of the one line for `owner` with `type`, split into strings. */
static char *
rdata_of(const char *text, const char *prefix, const char *owner,
    const char *type, size_t *count)
{
	size_t	 plen = strlen(prefix), n = 0;
	char	*l, *joined = NULL;

	for (size_t i = 0; (l = line_at(text, i)) != NULL; i++) {
		struct rr_line rr;

		if (strncmp(l, prefix, plen) == 0 && parse_rr(l + plen, &rr) &&
		    strcmp(rr.owner, owner) == 0 && strcmp(rr.type, type) == 0) {
			free(joined);
			joined = txt_strings(rr.rdata, count);
			n++;
		}
		free(l);
	}
	cr_assert_eq(n, 1, "%zu %s lines for %s in:\n%s", n, type, owner, text);
	return joined;
}

TEST_NO_LEAK(dns, long_txt_is_split_into_strings_of_255)
{
	static const size_t	 lens[] = { 255, 256, 600 };
	static const size_t	 strings[] = { 1, 2, 3 };

	for (size_t i = 0; i < 3; i++) {
		struct fixture		 fx;
		const struct dns_record	*r;
		char			*yaml = tlsrpt_yaml(lens[i]);
		char			*bind, *ns, *json, *joined;
		size_t			 n;

		build(&fx, yaml, 0, NULL, 0);
		free(yaml);
		r = record(&fx, "a.example", "_smtp._tls.a.example",
		    DNS_RTYPE_TXT);
		cr_assert_eq(strlen(r->dr_data), lens[i]);

		bind = bind_text(&fx, "x");
		joined = rdata_of(bind, "", "_smtp._tls", "TXT", &n);
		cr_assert_eq(n, strings[i], "%zu bytes: %zu strings, want %zu",
		    lens[i], n, strings[i]);
		/* Resolvers concatenate the strings: nothing lost or added. */
		cr_assert_str_eq(joined, r->dr_data);
		free(joined);

		ns = nsupdate_text(&fx, NULL);
		joined = rdata_of(ns, "update add ", "_smtp._tls.a.example.",
		    "TXT", &n);
		cr_assert_eq(n, strings[i]);
		cr_assert_str_eq(joined, r->dr_data);
		free(joined);

		/* The id record stays one string. */
		joined = rdata_of(bind, "", "_mta-sts", "TXT", &n);
		cr_assert_eq(n, 1);
		free(joined);

		/* JSON carries the text unsplit. */
		json = json_text(&fx);
		expect_contains(json, r->dr_data);
		expect_json(json);
		free(bind);
		free(ns);
		free(json);
		fixture_free(&fx);
	}
}

/* ---- nsupdate ----------------------------------------------------------- */

TEST_NO_LEAK(dns, nsupdate_one_block_per_zone_delete_before_add)
{
	struct fixture	 fx;
	char		*text, *l, *txt_e, *want = NULL;
	char		 cur_zone[300] = "";
	size_t		 zones = 0, sends = 0;
	bool		 open = false;

	build(&fx,
	    "dns:\n"
	    "  policy_host:\n"
	    "    addresses: [192.0.2.10, \"2001:db8::10\"]\n"
	    "  tlsrpt:\n"
	    "    rua: [mailto:tlsrpt@hoster.example]\n"
	    "  delegation:\n"
	    "    zone: policies.hoster.example\n"
	    "policies:\n"
	    "  std:\n"
	    "    mode: enforce\n"
	    "    mx: [mx1.hoster.example]\n"
	    "domains:\n"
	    "  a.example: std\n"
	    "  b.example: std\n"
	    "  e.example:\n"
	    "    policy: std\n"
	    "    delegate: false\n"
	    "  one.f.example:\n"
	    "    policy: std\n"
	    "    zone: f.example\n"
	    "  two.f.example:\n"
	    "    policy: std\n"
	    "    zone: f.example\n", 0, NULL, 0);
	text = nsupdate_text(&fx, NULL);
	cr_assert_null(strstr(text, "\nserver "));

	/* zone, its updates, send; then the next zone. */
	for (size_t i = 0; (l = line_at(text, i)) != NULL; i++) {
		if (l[0] == ';' || l[0] == '\0') {
			free(l);
			continue;
		}
		if (strncmp(l, "zone ", 5) == 0) {
			cr_assert_not(open, "zone before send: %s", l);
			cr_assert_str_eq(l + 5 + strlen(fx.set.ds_zones[zones]
			    .dz_name), ".", "zone line %s", l);
			cr_assert_eq(strncmp(l + 5, fx.set.ds_zones[zones].dz_name,
			    strlen(fx.set.ds_zones[zones].dz_name)), 0,
			    "zone %zu is %s", zones, l);
			snprintf(cur_zone, sizeof(cur_zone), "%s",
			    fx.set.ds_zones[zones].dz_name);
			open = true;
			zones++;
		} else if (strcmp(l, "send") == 0) {
			cr_assert(open, "send outside a zone block");
			open = false;
			sends++;
		} else {
			char	name[300];
			size_t	nl, zl;

			cr_assert(open, "update outside a zone block: %s", l);
			cr_assert(sscanf(l, "update %*s %299s", name) == 1,
			    "unexpected line: %s", l);
			/* Every name is inside the block's zone. */
			nl = strlen(name);
			zl = strlen(cur_zone);
			cr_assert(nl >= zl + 2 && name[nl - 1] == '.' &&
			    name[nl - zl - 2] == '.' &&
			    strncmp(name + nl - zl - 1, cur_zone, zl) == 0,
			    "%s outside zone %s", name, cur_zone);
		}
		free(l);
	}
	cr_assert_not(open, "the last block has no send");
	cr_assert_eq(zones, fx.set.ds_count);
	cr_assert_eq(sends, fx.set.ds_count);
	cr_assert_eq(zones, 5);

	/* Each name is deleted once, before its first add, so a TXT that
	 * became a CNAME or an old id leaves nothing behind. */
	for (size_t zi = 0; zi < fx.set.ds_count; zi++) {
		const struct dns_zone *z = &fx.set.ds_zones[zi];

		for (size_t ri = 0; ri < z->dz_count; ri++) {
			char *del = NULL, *add = NULL;
			long di, ai;

			cr_assert_neq(asprintf(&del, "update delete %s.",
			    z->dz_records[ri].dr_name), -1);
			cr_assert_eq(count_lines_equal(text, del), 1, "%s", del);
			di = line_index(text, del);
			cr_assert_neq(asprintf(&add, "update add %s. ",
			    z->dz_records[ri].dr_name), -1);
			ai = -1;
			for (size_t i = 0; (l = line_at(text, i)) != NULL; i++) {
				if (ai < 0 && strncmp(l, add, strlen(add)) == 0)
					ai = (long)i;
				free(l);
			}
			cr_assert(di >= 0 && ai > di, "%s must precede %s", del,
			    add);
			free(del);
			free(add);
		}
	}

	/* A and AAAA share a name: one delete, two adds. */
	cr_assert_eq(count_lines_equal(text, "update delete mta-sts.a.example."),
	    1);
	expect_rr(text, "update add ", "mta-sts.a.example.", 3600, "A",
	    "192.0.2.10");
	expect_rr(text, "update add ", "mta-sts.a.example.", 3600, "AAAA",
	    "2001:db8::10");
	/* The shared record, once, in the hoster zone block. */
	cr_assert_eq(count_lines_equal(text,
	    "update delete std._mta-sts.policies.hoster.example."), 1);
	expect_rr(text, "update add ", "_mta-sts.a.example.", 300, "CNAME",
	    "std._mta-sts.policies.hoster.example.");
	txt_e = sts_txt(fx.cfg, "e.example");
	cr_assert_neq(asprintf(&want, "\"%s\"", txt_e), -1);
	expect_rr(text, "update add ", "_mta-sts.e.example.", 300, "TXT", want);
	expect_rr(text, "update add ", "_mta-sts.one.f.example.", 300, "CNAME",
	    "std._mta-sts.policies.hoster.example.");
	cr_assert_lt(line_index(text, "zone policies.hoster.example."),
	    line_index(text, "zone a.example."));
	free(want);
	free(txt_e);
	free(text);
	fixture_free(&fx);
}

TEST_NO_LEAK(dns, nsupdate_server_line)
{
	struct fixture	 fx;
	char		*text, *l;

	build(&fx, direct_yaml, 0, NULL, 0);
	text = nsupdate_text(&fx, "192.0.2.53 5353");
	cr_assert_eq(count_lines_equal(text, "server 192.0.2.53 5353"), 1);
	/* Before the first zone. */
	cr_assert_lt(line_index(text, "server 192.0.2.53 5353"),
	    line_index(text, "zone a.example."));
	l = line_at(text, 0);
	cr_assert_eq(l[0], ';');
	free(l);
	free(text);
	fixture_free(&fx);
}

/* ---- JSON --------------------------------------------------------------- */

TEST_NO_LEAK(dns, json_parses_and_describes_domains_and_records)
{
	struct fixture	 fx;
	char		*json, *want = NULL;
	const struct domain *a, *d, *e;

	build(&fx, delegation_yaml, 0, NULL, 0);
	json = json_text(&fx);
	expect_json(json);
	a = config_domain(fx.cfg, "a.example");
	d = config_domain(fx.cfg, "d.example");
	e = config_domain(fx.cfg, "e.example");

	expect_contains(json, "\"schema\": \"mta-sts-hostd.dns/1\"");
	expect_contains(json, "\"delegation_zone\": \"policies.hoster.example\"");
	cr_assert_neq(asprintf(&want, "{\"domain\": \"a.example\", "
	    "\"policy_id\": \"%s\", \"mode\": \"enforce\", \"max_age\": 604800, "
	    "\"template\": \"std\", \"zone\": \"a.example\", \"delegated\": true, "
	    "\"policy_url\": \"https://mta-sts.a.example/.well-known/mta-sts.txt\"}",
	    a->dom_id), -1);
	expect_contains(json, want);
	free(want);
	cr_assert_neq(asprintf(&want, "{\"domain\": \"d.example\", "
	    "\"policy_id\": \"%s\", \"mode\": \"testing\", \"max_age\": 604800, "
	    "\"template\": null,", d->dom_id), -1);
	expect_contains(json, want);
	free(want);
	expect_contains(json, "\"domain\": \"e.example\"");
	cr_assert_neq(asprintf(&want, "\"zone\": \"e.example\", "
	    "\"delegated\": false,"), -1);
	expect_contains(json, want);
	free(want);

	/* Records: absolute names without the final dot, purposes. */
	cr_assert_neq(asprintf(&want, "{\"name\": "
	    "\"std._mta-sts.policies.hoster.example\", \"ttl\": 120, "
	    "\"class\": \"IN\", \"type\": \"TXT\", \"data\": \"v=STSv1; id=%s\", "
	    "\"purpose\": \"shared-policy-id\", \"domain\": null}", a->dom_id), -1);
	expect_contains(json, want);
	free(want);
	expect_contains(json, "{\"name\": \"_mta-sts.a.example\", \"ttl\": 120, "
	    "\"class\": \"IN\", \"type\": \"CNAME\", "
	    "\"data\": \"std._mta-sts.policies.hoster.example\", "
	    "\"purpose\": \"policy-id-alias\", \"domain\": \"a.example\"}");
	expect_contains(json, "{\"name\": \"mta-sts.a.example\", \"ttl\": 3600, "
	    "\"class\": \"IN\", \"type\": \"CNAME\", "
	    "\"data\": \"mta-sts.hoster.example\", "
	    "\"purpose\": \"policy-host\", \"domain\": \"a.example\"}");
	cr_assert_neq(asprintf(&want, "{\"name\": \"_mta-sts.e.example\", "
	    "\"ttl\": 120, \"class\": \"IN\", \"type\": \"TXT\", "
	    "\"data\": \"v=STSv1; id=%s\", \"purpose\": \"policy-id\", "
	    "\"domain\": \"e.example\"}", e->dom_id), -1);
	expect_contains(json, want);
	free(want);
	/* The hoster zone leads here too. */
	cr_assert_lt(strstr(json, "{\"zone\": \"policies.hoster.example\""),
	    strstr(json, "{\"zone\": \"a.example\""));
	free(json);
	fixture_free(&fx);

	build(&fx, direct_yaml, 0, NULL, 0);
	json = json_text(&fx);
	expect_json(json);
	expect_contains(json, "\"delegation_zone\": null");
	expect_contains(json, "\"purpose\": \"tls-rpt\"");
	free(json);
	fixture_free(&fx);
}

/* ---- Names -------------------------------------------------------------- */

TEST_NO_LEAK(dns, type_and_purpose_names)
{
	cr_assert_str_eq(dns_rtype_name(DNS_RTYPE_TXT), "TXT");
	cr_assert_str_eq(dns_rtype_name(DNS_RTYPE_CNAME), "CNAME");
	cr_assert_str_eq(dns_rtype_name(DNS_RTYPE_A), "A");
	cr_assert_str_eq(dns_rtype_name(DNS_RTYPE_AAAA), "AAAA");
	cr_assert_str_eq(dns_purpose_name(DNS_PURPOSE_POLICY_ID), "policy-id");
	cr_assert_str_eq(dns_purpose_name(DNS_PURPOSE_POLICY_ID_ALIAS),
	    "policy-id-alias");
	cr_assert_str_eq(dns_purpose_name(DNS_PURPOSE_SHARED_POLICY_ID),
	    "shared-policy-id");
	cr_assert_str_eq(dns_purpose_name(DNS_PURPOSE_TLSRPT), "tls-rpt");
	cr_assert_str_eq(dns_purpose_name(DNS_PURPOSE_POLICY_HOST),
	    "policy-host");
}
