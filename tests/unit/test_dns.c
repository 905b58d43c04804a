/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dns.c: the records that go with a configuration, built from YAML loaded
 * with config_load() and written as BIND zone-file snippets, an nsupdate
 * script and JSON. The records must carry the ids the daemon serves, the
 * configured TTLs, and, in delegation mode, exactly one shared TXT record per
 * template in the hoster zone.
 *
 * Expected texts may name a domain's policy id as {id:DOMAIN} and its
 * _mta-sts TXT text ("v=STSv1; id=...") as {sts:DOMAIN}.
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/*
 * Case `name`: builds the records of the domains in `names` (space-separated;
 * NULL: all of them) of `yaml`, which must have `want_errors` errors.
 */
static void
build(struct fixture *fx, const char *name, const char *yaml,
    size_t want_errors, const char *names)
{
	char *copy, *save = NULL;

	unit_case = name;
	memset(fx, 0, sizeof(*fx));
	unit_write("main.yaml", yaml);
	fx->cfg = unit_load("main.yaml");
	if (fx->cfg->cfg_diags.dl_errors != want_errors)
		cr_assert_fail("case %s: expected %zu errors:\n%s", unit_case,
		    want_errors, unit_diags(&fx->cfg->cfg_diags));
	fx->sel = calloc(fx->cfg->cfg_ndomains + 1, sizeof(*fx->sel));
	cr_assert_not_null(fx->sel);
	if (names == NULL) {
		for (size_t i = 0; i < fx->cfg->cfg_ndomains; i++)
			fx->sel[fx->nsel++] = &fx->cfg->cfg_domains[i];
	} else {
		copy = strdup(names);
		cr_assert_not_null(copy);
		for (char *w = strtok_r(copy, " ", &save); w != NULL;
		    w = strtok_r(NULL, " ", &save)) {
			fx->sel[fx->nsel] = config_domain(fx->cfg, w);
			cr_assert_not_null(fx->sel[fx->nsel], "case %s: %s",
			    unit_case, w);
			fx->nsel++;
		}
		free(copy);
	}
	dns_build(&fx->set, fx->cfg, fx->sel, fx->nsel);
}

static void
fixture_free(struct fixture *fx)
{
	dns_free(&fx->set);
	free(fx->sel);
	config_free(fx->cfg);
	unit_case_end();
}

/* `s` with {id:DOMAIN} and {sts:DOMAIN} written out; caller frees. */
static char *
with_ids(const struct fixture *fx, const char *s)
{
	struct unit_text	 t;
	FILE			*fp = unit_text_open(&t);

	while (*s != '\0') {
		bool		 sts = strncmp(s, "{sts:", 5) == 0;
		const char	*name, *end;
		const struct domain *d;
		char		*n;

		if (!sts && strncmp(s, "{id:", 4) != 0) {
			fputc(*s++, fp);
			continue;
		}
		name = s + (sts ? 5 : 4);
		end = strchr(name, '}');
		cr_assert_not_null(end, "case %s: unterminated %s", unit_case,
		    s);
		n = strndup(name, (size_t)(end - name));
		d = config_domain(fx->cfg, n);
		cr_assert_not_null(d, "case %s: no domain %s", unit_case, n);
		cr_assert(d->dom_valid, "case %s: %s is not valid", unit_case,
		    n);
		fprintf(fp, "%s%s", sts ? "v=STSv1; id=" : "", d->dom_id);
		free(n);
		s = end + 1;
	}
	return unit_text_close(&t);
}

/* The zones built, in order, space-separated. */
static void
expect_zones(const struct fixture *fx, const char *want)
{
	struct unit_text	 t;
	FILE			*fp = unit_text_open(&t);
	char			*got;

	for (size_t i = 0; i < fx->set.ds_count; i++)
		fprintf(fp, "%s%s", i > 0 ? " " : "",
		    fx->set.ds_zones[i].dz_name);
	got = unit_text_close(&t);
	cr_assert_str_eq(got, want, "case %s: zones '%s', expected '%s'",
	    unit_case, got, want);
	free(got);
}

static const struct dns_zone *
zone(const struct fixture *fx, const char *name)
{
	for (size_t i = 0; i < fx->set.ds_count; i++)
		if (strcmp(fx->set.ds_zones[i].dz_name, name) == 0)
			return &fx->set.ds_zones[i];
	cr_assert_fail("case %s: no zone %s", unit_case, name);
	return NULL;
}

static void
expect_zone_size(const struct fixture *fx, const char *name, size_t n)
{
	cr_assert_eq(zone(fx, name)->dz_count, n, "case %s: %zu records in "
	    "zone %s, expected %zu", unit_case, zone(fx, name)->dz_count, name,
	    n);
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
	cr_assert_eq(n, 1, "case %s: %zu %s records named %s in zone %s",
	    unit_case, n, dns_rtype_name(type), name, zname);
	return found;
}

/* Records named `name` in any zone, of any type, must be `want`. */
static void
expect_named(const struct fixture *fx, const char *name, size_t want)
{
	size_t n = 0;

	for (size_t i = 0; i < fx->set.ds_count; i++)
		for (size_t j = 0; j < fx->set.ds_zones[i].dz_count; j++)
			n += strcmp(fx->set.ds_zones[i].dz_records[j].dr_name,
			    name) == 0;
	cr_assert_eq(n, want, "case %s: %zu records named %s, expected %zu",
	    unit_case, n, name, want);
}

/*
 * A record a case expects: the one of `type` named `name` in `zone`, with
 * these TTL, data, purpose and domain (data NULL: only that it is there);
 * `zone` NULL ends a list.
 */
struct want_record {
	const char		*zone, *name;
	enum dns_rtype		 type;
	uint32_t		 ttl;
	const char		*data;
	enum dns_purpose	 purpose;
	const char		*domain;	/* NULL: shared */
};

static void
expect_records(const struct fixture *fx, const struct want_record *w,
    size_t n)
{
	for (size_t i = 0; i < n && w[i].zone != NULL; i++) {
		const struct dns_record *r = record(fx, w[i].zone, w[i].name,
		    w[i].type);
		char *data;

		if (w[i].data == NULL)
			continue;
		data = with_ids(fx, w[i].data);
		cr_assert_eq(r->dr_ttl, w[i].ttl, "case %s: %s: TTL %u, "
		    "expected %u", unit_case, r->dr_name, (unsigned)r->dr_ttl,
		    (unsigned)w[i].ttl);
		cr_assert_str_eq(r->dr_data, data, "case %s: %s: data '%s'",
		    unit_case, r->dr_name, r->dr_data);
		cr_assert_eq(r->dr_purpose, w[i].purpose, "case %s: %s: "
		    "purpose %s", unit_case, r->dr_name,
		    dns_purpose_name(r->dr_purpose));
		if (w[i].domain == NULL)
			cr_assert_null(r->dr_domain, "case %s: %s: domain %s",
			    unit_case, r->dr_name, r->dr_domain);
		else {
			cr_assert_not_null(r->dr_domain, "case %s: %s: no "
			    "domain", unit_case, r->dr_name);
			cr_assert_str_eq(r->dr_domain, w[i].domain, CASE);
		}
		free(data);
	}
}

/* ---- Output ------------------------------------------------------------ */

static char *
bind_text(const struct fixture *fx, const char *source)
{
	struct unit_text t;

	dns_write_bind(unit_text_open(&t), fx->set.ds_zones, fx->set.ds_count,
	    source);
	return unit_text_close(&t);
}

static char *
nsupdate_text(const struct fixture *fx, const char *server)
{
	struct unit_text t;

	dns_write_nsupdate(unit_text_open(&t), &fx->set, server);
	return unit_text_close(&t);
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

	cr_assert_eq(n, 1, "case %s: %zu lines '%s%s %u IN %s %s' in:\n%s",
	    unit_case, n, prefix, owner, ttl, type, rdata, text);
}

/* The zone-file lines under "$ORIGIN <origin>." up to the next section. */
static char *
origin_section(const char *text, const char *origin)
{
	char		*hdr = NULL, *out;
	const char	*start, *end, *z;

	cr_assert_neq(asprintf(&hdr, "$ORIGIN %s.\n", origin), -1);
	start = strstr(text, hdr);
	cr_assert_not_null(start, "case %s: no %s in:\n%s", unit_case, hdr,
	    text);
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

		cr_assert_eq(*p, '"', "case %s: TXT rdata not quoted: %s",
		    unit_case, rdata);
		p++;
		while (*p != '"') {
			cr_assert_neq(*p, '\0', "case %s: unterminated: %s",
			    unit_case, rdata);
			if (*p == '\\')
				p++;
			*o++ = *p++;
			len++;
		}
		p++;
		cr_assert_leq(len, 255, "case %s: a %zu-byte "
		    "character-string", unit_case, len);
		(*count)++;
		if (*p == ' ')
			p++;
		else
			cr_assert_eq(*p, '\0', "case %s: junk after a string: "
			    "%s", unit_case, rdata);
	}
	*o = '\0';
	return out;
}

/* ---- A small JSON parser: does the output parse at all? ---------------- */

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

	cr_assert(json_value(&j, 0), "case %s: JSON does not parse at offset "
	    "%zu:\n%s", unit_case, (size_t)(j.p - text), text);
	json_ws(&j);
	cr_assert_eq(*j.p, '\0', "case %s: junk after the JSON value:\n%s",
	    unit_case, text);
}

/* ---- What a case expects in an output ---------------------------------- */

/*
 * A resource record line: exactly one for owner, TTL, type and rdata (with
 * {sts:...} written out) after the prefix, in the $ORIGIN section `origin`
 * (NULL: anywhere); `owner` NULL ends a list.
 */
struct want_rr {
	const char	*origin, *owner;
	unsigned	 ttl;
	const char	*type, *rdata;
};

static void
expect_rrs(const struct fixture *fx, const char *text, const char *prefix,
    const struct want_rr *w, size_t n)
{
	for (size_t i = 0; i < n && w[i].owner != NULL; i++) {
		char *sec = w[i].origin != NULL ?
		    origin_section(text, w[i].origin) : strdup(text);
		char *rdata = with_ids(fx, w[i].rdata);

		expect_rr(sec, prefix, w[i].owner, w[i].ttl, w[i].type, rdata);
		free(rdata);
		free(sec);
	}
}

/*
 * A text (with {id:...} and {sts:...} written out) that is, `lines` times,
 * a whole line of an output; or (HAS) somewhere in it; or (LACKS) nowhere.
 * `text` NULL ends a list.
 */
#define HAS	(-1)
#define LACKS	(-2)

struct want_text {
	const char	*text;
	int		 lines;
};

static void
expect_texts(const struct fixture *fx, const char *out,
    const struct want_text *w, size_t n)
{
	for (size_t i = 0; i < n && w[i].text != NULL; i++) {
		char *want = with_ids(fx, w[i].text);

		if (w[i].lines == HAS)
			cr_assert_not_null(strstr(out, want), "case %s: \"%s\" "
			    "is not in:\n%s", unit_case, want, out);
		else if (w[i].lines == LACKS)
			cr_assert_null(strstr(out, want), "case %s: \"%s\" is "
			    "in:\n%s", unit_case, want, out);
		else
			cr_assert_eq(count_lines_equal(out, want),
			    (size_t)w[i].lines, "case %s: not %d lines \"%s\" "
			    "in:\n%s", unit_case, w[i].lines, want, out);
		free(want);
	}
}

/* The line `first` comes before the line `then`, both there. */
struct want_order {
	const char	*first, *then;	/* NULL ends a list */
};

static void
expect_order(const char *text, const struct want_order *w, size_t n)
{
	for (size_t i = 0; i < n && w[i].first != NULL; i++) {
		long a = line_index(text, w[i].first);
		long b = line_index(text, w[i].then);

		cr_assert(a >= 0 && b > a, "case %s: \"%s\" must come before "
		    "\"%s\" in:\n%s", unit_case, w[i].first, w[i].then, text);
	}
}

/* Whether domains `a` and `b` (both valid) have the same policy id. */
static void
expect_same_id(const struct fixture *fx, const char *a, const char *b,
    bool same)
{
	char *ta = NULL, *tb = NULL, *ia, *ib;

	cr_assert_neq(asprintf(&ta, "{sts:%s}", a), -1);
	cr_assert_neq(asprintf(&tb, "{sts:%s}", b), -1);
	ia = with_ids(fx, ta);
	ib = with_ids(fx, tb);
	cr_assert_eq(strcmp(ia, ib) == 0, same, "case %s: %s and %s: %s, %s",
	    unit_case, a, b, ia, ib);
	free(ia);
	free(ib);
	free(ta);
	free(tb);
}

/* ---- nsupdate ---------------------------------------------------------- */

/* A server line first, if any; zone, its updates, send; then the next
 * zone. */
static void
expect_blocks(const struct fixture *fx, const char *text)
{
	char	*l, cur_zone[300] = "";
	size_t	 zones = 0, sends = 0;
	bool	 open = false;

	for (size_t i = 0; (l = line_at(text, i)) != NULL; i++) {
		if (l[0] == ';' || l[0] == '\0' || (zones == 0 &&
		    strncmp(l, "server ", 7) == 0)) {
			free(l);
			continue;
		}
		if (strncmp(l, "zone ", 5) == 0) {
			const char *zn = fx->set.ds_zones[zones].dz_name;

			cr_assert_not(open, "case %s: zone before send: %s",
			    unit_case, l);
			cr_assert_str_eq(l + 5 + strlen(zn), ".",
			    "case %s: zone line %s", unit_case, l);
			cr_assert_eq(strncmp(l + 5, zn, strlen(zn)), 0,
			    "case %s: zone %zu is %s", unit_case, zones, l);
			snprintf(cur_zone, sizeof(cur_zone), "%s", zn);
			open = true;
			zones++;
		} else if (strcmp(l, "send") == 0) {
			cr_assert(open, "case %s: send outside a zone block",
			    unit_case);
			open = false;
			sends++;
		} else {
			char	name[300];
			size_t	nl, zl;

			cr_assert(open, "case %s: update outside a zone "
			    "block: %s", unit_case, l);
			cr_assert(sscanf(l, "update %*s %299s", name) == 1,
			    "case %s: unexpected line: %s", unit_case, l);
			/* Every name is inside the block's zone. */
			nl = strlen(name);
			zl = strlen(cur_zone);
			cr_assert(nl >= zl + 2 && name[nl - 1] == '.' &&
			    name[nl - zl - 2] == '.' &&
			    strncmp(name + nl - zl - 1, cur_zone, zl) == 0,
			    "case %s: %s outside zone %s", unit_case, name,
			    cur_zone);
		}
		free(l);
	}
	cr_assert_not(open, "case %s: the last block has no send", unit_case);
	cr_assert_eq(zones, fx->set.ds_count, CASE);
	cr_assert_eq(sends, fx->set.ds_count, CASE);
}

/* Each name is deleted once, before its first add, so a TXT that became a
 * CNAME or an old id leaves nothing behind. */
static void
expect_delete_before_add(const struct fixture *fx, const char *text)
{
	for (size_t zi = 0; zi < fx->set.ds_count; zi++) {
		const struct dns_zone *z = &fx->set.ds_zones[zi];

		for (size_t ri = 0; ri < z->dz_count; ri++) {
			char	*del = NULL, *add = NULL, *l;
			long	 di, ai = -1;

			cr_assert_neq(asprintf(&del, "update delete %s.",
			    z->dz_records[ri].dr_name), -1);
			cr_assert_eq(count_lines_equal(text, del), 1,
			    "case %s: %s", unit_case, del);
			di = line_index(text, del);
			cr_assert_neq(asprintf(&add, "update add %s. ",
			    z->dz_records[ri].dr_name), -1);
			for (size_t i = 0; (l = line_at(text, i)) != NULL; i++) {
				if (ai < 0 && strncmp(l, add, strlen(add)) == 0)
					ai = (long)i;
				free(l);
			}
			cr_assert(di >= 0 && ai > di, "case %s: %s must "
			    "precede %s", unit_case, del, add);
			free(del);
			free(add);
		}
	}
}

/* ---- Building and writing a case --------------------------------------- */

/* The records built, and the three outputs written from them. */
struct outputs {
	char	*bind, *nsupdate, *json;
};

/*
 * The records of the domains `select` (space-separated; NULL: all) of
 * `yaml`, which has `errors` errors: the zones built, in order; zones of
 * `sizes` with that many records; each of `records`; names in `named`
 * with that many records. Then the zone file written for `source`, the
 * nsupdate script for `server`, and JSON, each with what it must hold;
 * and what `check` asserts. Every nsupdate script is checked to be zone
 * blocks that delete each name before they add it, after a comment; every
 * JSON output to parse.
 */
struct dns_case {
	const char		*name;
	const char		*yaml;
	size_t			 errors;
	const char		*select;
	const char		*zones;
	struct {
		const char	*zone;		/* NULL ends the list */
		size_t		 records;
	}			 sizes[2];
	struct want_record	 records[12];
	struct {
		const char	*name;		/* NULL ends the list */
		size_t		 records;
	}			 named[3];
	const char		*source;
	struct want_rr		 bind_rrs[7];
	struct want_text	 bind[5];
	struct want_order	 bind_order[3];
	const char		*server;
	struct want_rr		 nsupdate_rrs[6];
	struct want_text	 nsupdate[4];
	struct want_order	 nsupdate_order[2];
	struct want_text	 json[11];
	void			(*check)(const struct fixture *,
				    const struct outputs *);
};

static void
run_dns_case(const struct dns_case *c)
{
	struct fixture	 fx;
	struct outputs	 out;
	char		*first;

	build(&fx, c->name, c->yaml, c->errors, c->select);
	if (c->zones != NULL)
		expect_zones(&fx, c->zones);
	for (size_t i = 0; i < UNIT_COUNT(c->sizes) &&
	    c->sizes[i].zone != NULL; i++)
		expect_zone_size(&fx, c->sizes[i].zone, c->sizes[i].records);
	expect_records(&fx, c->records, UNIT_COUNT(c->records));
	for (size_t i = 0; i < UNIT_COUNT(c->named) &&
	    c->named[i].name != NULL; i++)
		expect_named(&fx, c->named[i].name, c->named[i].records);

	out.bind = bind_text(&fx, c->source != NULL ? c->source : "x");
	expect_texts(&fx, out.bind, c->bind, UNIT_COUNT(c->bind));
	expect_order(out.bind, c->bind_order, UNIT_COUNT(c->bind_order));
	expect_rrs(&fx, out.bind, "", c->bind_rrs, UNIT_COUNT(c->bind_rrs));

	out.nsupdate = nsupdate_text(&fx, c->server);
	first = line_at(out.nsupdate, 0);
	cr_assert(first != NULL && first[0] == ';', "case %s: no comment "
	    "first in:\n%s", unit_case, out.nsupdate);
	free(first);
	expect_blocks(&fx, out.nsupdate);
	expect_delete_before_add(&fx, out.nsupdate);
	expect_texts(&fx, out.nsupdate, c->nsupdate, UNIT_COUNT(c->nsupdate));
	expect_order(out.nsupdate, c->nsupdate_order,
	    UNIT_COUNT(c->nsupdate_order));
	expect_rrs(&fx, out.nsupdate, "update add ", c->nsupdate_rrs,
	    UNIT_COUNT(c->nsupdate_rrs));

	out.json = json_text(&fx);
	expect_json(out.json);
	expect_texts(&fx, out.json, c->json, UNIT_COUNT(c->json));

	if (c->check != NULL)
		c->check(&fx, &out);
	free(out.bind);
	free(out.nsupdate);
	free(out.json);
	fixture_free(&fx);
}

/* ---- Direct mode ------------------------------------------------------- */

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

static void
direct_ids_differ(const struct fixture *fx, const struct outputs *out)
{
	(void)out;
	expect_same_id(fx, "a.example", "b.example", false);
}

/* ---- Delegation mode --------------------------------------------------- */

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

#define HZ	"policies.hoster.example"

/* The hoster's shared TXT for `key`, with the id of `domain`'s policy. */
#define SHARED(key, domain)						\
	{ HZ, key "._mta-sts." HZ, DNS_RTYPE_TXT, 120,			\
	  "{sts:" domain "}", DNS_PURPOSE_SHARED_POLICY_ID, NULL }
/* `domain`'s _mta-sts, a CNAME to the shared record for `key`. */
#define ALIAS(domain, key)						\
	{ domain, "_mta-sts." domain, DNS_RTYPE_CNAME, 120,		\
	  key "._mta-sts." HZ, DNS_PURPOSE_POLICY_ID_ALIAS, domain }
/* Only that the record is there. */
#define THERE(zone, name, type)	{ zone, name, type, 0, NULL, 0, NULL }

/* Same template, same bytes, same id; and the hoster zone leads in JSON
 * too. */
static void
delegation_ids_and_json(const struct fixture *fx, const struct outputs *out)
{
	expect_same_id(fx, "a.example", "b.example", true);
	expect_same_id(fx, "a.example", "e.example", true);
	cr_assert_lt(strstr(out->json, "{\"zone\": \"" HZ "\""),
	    strstr(out->json, "{\"zone\": \"a.example\""), CASE);
}

static void
four_selected(const struct fixture *fx, const struct outputs *out)
{
	(void)out;
	cr_assert_eq(fx->nsel, 4, CASE);
}

/* ---- Every build ------------------------------------------------------- */

static const struct dns_case dns_cases[] = {
	{ .name = "direct mode", .yaml = direct_yaml,
	  .zones = "a.example b.example", .sizes = { { "a.example", 3 } },
	  .records = {
	      { "a.example", "_mta-sts.a.example", DNS_RTYPE_TXT, 111,
		"{sts:a.example}", DNS_PURPOSE_POLICY_ID, "a.example" },
	      { "a.example", "_smtp._tls.a.example", DNS_RTYPE_TXT, 222,
		"v=TLSRPTv1; rua=mailto:tlsrpt@hoster.example",
		DNS_PURPOSE_TLSRPT, "a.example" },
	      { "a.example", "mta-sts.a.example", DNS_RTYPE_CNAME, 333,
		"mta-sts.hoster.example", DNS_PURPOSE_POLICY_HOST,
		"a.example" },
	      { "b.example", "_mta-sts.b.example", DNS_RTYPE_TXT, 111,
		"{sts:b.example}", DNS_PURPOSE_POLICY_ID, "b.example" },
	      /* A domain's own rua replaces the default. */
	      { "b.example", "_smtp._tls.b.example", DNS_RTYPE_TXT, 222,
		"v=TLSRPTv1; rua=mailto:tls@b.example,"
		"https://reports.b.example/v1", DNS_PURPOSE_TLSRPT,
		"b.example" } },
	  /* Exactly one _mta-sts record each: senders reject two. */
	  .named = { { "_mta-sts.a.example", 1 },
	      { "_smtp._tls.a.example", 1 } },
	  /* Owner names relative to the $ORIGIN, targets absolute. */
	  .source = "/etc/mta-sts-hostd/mta-sts-hostd.yaml",
	  .bind_rrs = {
	      { "a.example", "_mta-sts", 111, "TXT", "\"{sts:a.example}\"" },
	      { "a.example", "_smtp._tls", 222, "TXT",
		"\"v=TLSRPTv1; rua=mailto:tlsrpt@hoster.example\"" },
	      { "a.example", "mta-sts", 333, "CNAME",
		"mta-sts.hoster.example." },
	      { "b.example", "_smtp._tls", 222, "TXT", "\"v=TLSRPTv1; "
		"rua=mailto:tls@b.example,https://reports.b.example/v1\"" } },
	  .bind = {
	      { "generated by mta-sts-hostd from "
		"/etc/mta-sts-hostd/mta-sts-hostd.yaml", HAS },
	      { "$ORIGIN b.example.", 1 } },
	  .bind_order = { { "; zone a.example", "$ORIGIN a.example." },
	      { "$ORIGIN a.example.", "; zone b.example" } },
	  /* The server line, once, before the first zone. */
	  .server = "192.0.2.53 5353",
	  .nsupdate = { { "server 192.0.2.53 5353", 1 } },
	  .nsupdate_order = { { "server 192.0.2.53 5353",
	      "zone a.example." } },
	  .json = { { "\"delegation_zone\": null", HAS },
	      { "\"purpose\": \"tls-rpt\"", HAS } },
	  .check = direct_ids_differ },

	/* Policy host addresses give A and AAAA. */
	{ .name = "policy host addresses",
	  .yaml =
	  "dns:\n"
	  "  policy_host:\n"
	  "    addresses: [192.0.2.10, \"2001:DB8:0::10\"]\n"
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n",
	  .records = {
	      { "a.example", "mta-sts.a.example", DNS_RTYPE_A, 3600,
		"192.0.2.10", DNS_PURPOSE_POLICY_HOST, "a.example" },
	      { "a.example", "mta-sts.a.example", DNS_RTYPE_AAAA, 3600,
		"2001:db8::10", DNS_PURPOSE_POLICY_HOST, "a.example" } },
	  .named = { { "mta-sts.a.example", 2 } },
	  .bind_rrs = { { NULL, "mta-sts", 3600, "A", "192.0.2.10" },
	      { NULL, "mta-sts", 3600, "AAAA", "2001:db8::10" } },
	  .bind = { { "CNAME", LACKS } } },

	/* No policy host and no rua means only the id, with the default
	 * TTL of the id record: short, 300 seconds. */
	{ .name = "only the id",
	  .yaml =
	  "dns:\n"
	  "  tlsrpt:\n"
	  "    rua: [mailto:tlsrpt@hoster.example]\n"
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    tlsrpt:\n"
	  "      rua: []\n",
	  .zones = "a.example", .sizes = { { "a.example", 1 } },
	  .records = { { "a.example", "_mta-sts.a.example", DNS_RTYPE_TXT,
	      300, "{sts:a.example}", DNS_PURPOSE_POLICY_ID, "a.example" } } },

	/* Records go to the configured zone; one $ORIGIN per domain keeps
	 * the owner names short. */
	{ .name = "the configured zone",
	  .yaml =
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
	  "    mx: [mx.example.net]\n",
	  .zones = "f.example", .sizes = { { "f.example", 3 } },
	  .records = {
	      THERE("f.example", "_mta-sts.one.f.example", DNS_RTYPE_TXT),
	      THERE("f.example", "_mta-sts.two.f.example", DNS_RTYPE_TXT),
	      THERE("f.example", "_mta-sts.f.example", DNS_RTYPE_TXT) },
	  .bind = { { "; zone f.example", 1 },
	      { "$ORIGIN one.f.example.", 1 }, { "$ORIGIN two.f.example.", 1 },
	      { "$ORIGIN f.example.", 1 } } },

	{ .name = "delegation mode", .yaml = delegation_yaml,
	  /* The hoster zone leads although it sorts after a.example. */
	  .zones = HZ " a.example b.example c.example d.example e.example "
	  "f.example",
	  .sizes = { { HZ, 4 } },
	  .records = {
	      /* One shared TXT per template used as it is, one per domain
	       * with a policy of its own; nothing for the domain that
	       * opted out. */
	      SHARED("std", "a.example"), SHARED("other", "f.example"),
	      SHARED("c.example", "c.example"),
	      SHARED("d.example", "d.example"),
	      /* Customers' _mta-sts is a CNAME to the record for their
	       * policy. */
	      ALIAS("a.example", "std"), ALIAS("b.example", "std"),
	      ALIAS("c.example", "c.example"), ALIAS("d.example", "d.example"),
	      ALIAS("f.example", "other"),
	      /* The opted-out domain publishes its id directly. */
	      { "e.example", "_mta-sts.e.example", DNS_RTYPE_TXT, 120,
		"{sts:e.example}", DNS_PURPOSE_POLICY_ID, "e.example" },
	      /* The policy host is still per customer. */
	      THERE("a.example", "mta-sts.a.example", DNS_RTYPE_CNAME) },
	  /* A CNAME owner has no other record. */
	  .named = { { "e.example._mta-sts." HZ, 0 },
	      { "_mta-sts.a.example", 1 } },
	  .bind_rrs = {
	      { HZ, "std._mta-sts", 120, "TXT", "\"{sts:a.example}\"" },
	      { HZ, "c.example._mta-sts", 120, "TXT", "\"{sts:c.example}\"" },
	      /* CNAME targets are absolute: a missing dot would append
	       * the origin. */
	      { "a.example", "_mta-sts", 120, "CNAME",
		"std._mta-sts." HZ "." },
	      { "c.example", "_mta-sts", 120, "CNAME",
		"c.example._mta-sts." HZ "." },
	      { "f.example", "_mta-sts", 120, "CNAME",
		"other._mta-sts." HZ "." },
	      /* The template's id, published directly. */
	      { "e.example", "_mta-sts", 120, "TXT", "\"{sts:a.example}\"" } },
	  .bind = { { "$ORIGIN " HZ ".", 1 } },
	  /* The hoster zone comes first. */
	  .bind_order = { { "; zone " HZ, "; zone a.example" } },
	  /* Records: absolute names without the final dot, purposes. */
	  .json = {
	      { "\"schema\": \"mta-sts-hostd.dns/1\"", HAS },
	      { "\"delegation_zone\": \"" HZ "\"", HAS },
	      { "{\"domain\": \"a.example\", "
		"\"policy_id\": \"{id:a.example}\", "
		"\"mode\": \"enforce\", \"max_age\": 604800, "
		"\"template\": \"std\", \"zone\": \"a.example\", "
		"\"delegated\": true, \"policy_url\": "
		"\"https://mta-sts.a.example/.well-known/mta-sts.txt\"}", HAS },
	      { "{\"domain\": \"d.example\", "
		"\"policy_id\": \"{id:d.example}\", "
		"\"mode\": \"testing\", \"max_age\": 604800, "
		"\"template\": null,", HAS },
	      { "\"domain\": \"e.example\"", HAS },
	      { "\"zone\": \"e.example\", \"delegated\": false,", HAS },
	      { "{\"name\": \"std._mta-sts." HZ "\", "
		"\"ttl\": 120, \"class\": \"IN\", \"type\": \"TXT\", "
		"\"data\": \"v=STSv1; id={id:a.example}\", "
		"\"purpose\": \"shared-policy-id\", \"domain\": null}", HAS },
	      { "{\"name\": \"_mta-sts.a.example\", \"ttl\": 120, "
		"\"class\": \"IN\", \"type\": \"CNAME\", "
		"\"data\": \"std._mta-sts." HZ "\", "
		"\"purpose\": \"policy-id-alias\", "
		"\"domain\": \"a.example\"}", HAS },
	      { "{\"name\": \"mta-sts.a.example\", \"ttl\": 3600, "
		"\"class\": \"IN\", \"type\": \"CNAME\", "
		"\"data\": \"mta-sts.hoster.example\", "
		"\"purpose\": \"policy-host\", \"domain\": \"a.example\"}",
		HAS },
	      { "{\"name\": \"_mta-sts.e.example\", \"ttl\": 120, "
		"\"class\": \"IN\", \"type\": \"TXT\", "
		"\"data\": \"v=STSv1; id={id:e.example}\", "
		"\"purpose\": \"policy-id\", \"domain\": \"e.example\"}",
		HAS } },
	  .check = delegation_ids_and_json },

	/* Selected domains only; without a delegated domain there is no
	 * hoster zone at all. */
	{ .name = "two domains", .yaml = delegation_yaml,
	  .select = "f.example e.example", .zones = HZ " e.example f.example",
	  .sizes = { { HZ, 1 } },
	  .records = { THERE(HZ, "other._mta-sts." HZ, DNS_RTYPE_TXT) },
	  .named = { { "std._mta-sts." HZ, 0 } } },
	{ .name = "a domain that does not delegate", .yaml = delegation_yaml,
	  .select = "e.example", .zones = "e.example" },

	/* Invalid domains are left out: only the valid domain; and as it
	 * does not delegate, no hoster zone: nothing would point at its
	 * records. */
	{ .name = "invalid domains",
	  .yaml =
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
	  "  undefined.example: nowhere\n",
	  .errors = 3, .zones = "good.example",
	  .bind = { { "bad.example", LACKS }, { "worse.example", LACKS },
	      { "broken", LACKS } },
	  .nsupdate = { { "bad.example", LACKS } },
	  .json = { { "bad.example", LACKS }, { "worse.example", LACKS },
	      { "undefined.example", LACKS } },
	  .check = four_selected },
	/* No valid domain gives empty output. */
	{ .name = "no valid domain",
	  .yaml =
	  "dns:\n"
	  "  delegation:\n"
	  "    zone: policies.hoster.example\n"
	  "domains:\n"
	  "  bad.example:\n"
	  "    mode: enforce\n",
	  .errors = 1, .zones = "",
	  .bind = { { "; zone", LACKS } },
	  .nsupdate = { { "zone ", LACKS }, { "send", LACKS } },
	  .json = { { "\"domains\": []", HAS }, { "\"zones\": []", HAS } } },

	/* nsupdate: one block per zone, the hoster zone first; A and AAAA
	 * share a name: one delete, two adds; the shared record, once, in
	 * the hoster zone block. */
	{ .name = "nsupdate",
	  .yaml =
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
	  "    zone: f.example\n",
	  .zones = HZ " a.example b.example e.example f.example",
	  .nsupdate_rrs = {
	      { NULL, "mta-sts.a.example.", 3600, "A", "192.0.2.10" },
	      { NULL, "mta-sts.a.example.", 3600, "AAAA", "2001:db8::10" },
	      { NULL, "_mta-sts.a.example.", 300, "CNAME",
		"std._mta-sts." HZ "." },
	      { NULL, "_mta-sts.e.example.", 300, "TXT",
		"\"{sts:e.example}\"" },
	      { NULL, "_mta-sts.one.f.example.", 300, "CNAME",
		"std._mta-sts." HZ "." } },
	  .nsupdate = { { "\nserver ", LACKS },
	      { "update delete mta-sts.a.example.", 1 },
	      { "update delete std._mta-sts." HZ ".", 1 } },
	  .nsupdate_order = { { "zone " HZ ".", "zone a.example." } } },
};

TEST_NO_LEAK(dns, builds)
{
	for (size_t i = 0; i < UNIT_COUNT(dns_cases); i++)
		run_dns_case(&dns_cases[i]);
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
	cr_assert_eq(n, 1, "case %s: %zu %s lines for %s in:\n%s", unit_case,
	    n, type, owner, text);
	return joined;
}

/* The strings of the record, joined, are the record: nothing lost or
 * added as resolvers concatenate them. */
static void
expect_split(const char *text, const char *prefix, const char *owner,
    const struct dns_record *r, size_t strings)
{
	size_t	 n;
	char	*joined = rdata_of(text, prefix, owner, "TXT", &n);

	cr_assert_eq(n, strings, "case %s: %zu strings for %s, want %zu",
	    unit_case, n, owner, strings);
	if (r != NULL)
		cr_assert_str_eq(joined, r->dr_data, CASE);
	free(joined);
}

TEST_NO_LEAK(dns, long_txt_is_split_into_strings_of_255)
{
	static const struct {
		size_t	len, strings;
	} cases[] = { { 255, 1 }, { 256, 2 }, { 600, 3 } };

	for (size_t i = 0; i < UNIT_COUNT(cases); i++) {
		struct fixture		 fx;
		const struct dns_record	*r;
		char			*yaml = tlsrpt_yaml(cases[i].len);
		char			*bind, *ns, *json, name[32];

		snprintf(name, sizeof(name), "%zu bytes", cases[i].len);
		build(&fx, name, yaml, 0, NULL);
		free(yaml);
		r = record(&fx, "a.example", "_smtp._tls.a.example",
		    DNS_RTYPE_TXT);
		cr_assert_eq(strlen(r->dr_data), cases[i].len, CASE);

		bind = bind_text(&fx, "x");
		expect_split(bind, "", "_smtp._tls", r, cases[i].strings);
		ns = nsupdate_text(&fx, NULL);
		expect_split(ns, "update add ", "_smtp._tls.a.example.", r,
		    cases[i].strings);
		/* The id record stays one string. */
		expect_split(bind, "", "_mta-sts", NULL, 1);

		/* JSON carries the text unsplit. */
		json = json_text(&fx);
		cr_assert_not_null(strstr(json, r->dr_data), CASE);
		expect_json(json);
		free(bind);
		free(ns);
		free(json);
		fixture_free(&fx);
	}
}

/* ---- Names ------------------------------------------------------------- */

TEST_NO_LEAK(dns, type_and_purpose_names)
{
	static const struct {
		enum dns_rtype	 type;
		const char	*name;
	} types[] = {
		{ DNS_RTYPE_TXT, "TXT" }, { DNS_RTYPE_CNAME, "CNAME" },
		{ DNS_RTYPE_A, "A" }, { DNS_RTYPE_AAAA, "AAAA" },
	};
	static const struct {
		enum dns_purpose	 purpose;
		const char		*name;
	} purposes[] = {
		{ DNS_PURPOSE_POLICY_ID, "policy-id" },
		{ DNS_PURPOSE_POLICY_ID_ALIAS, "policy-id-alias" },
		{ DNS_PURPOSE_SHARED_POLICY_ID, "shared-policy-id" },
		{ DNS_PURPOSE_TLSRPT, "tls-rpt" },
		{ DNS_PURPOSE_POLICY_HOST, "policy-host" },
	};

	for (size_t i = 0; i < UNIT_COUNT(types); i++)
		cr_assert_str_eq(dns_rtype_name(types[i].type), types[i].name,
		    "case %s", types[i].name);
	for (size_t i = 0; i < UNIT_COUNT(purposes); i++)
		cr_assert_str_eq(dns_purpose_name(purposes[i].purpose),
		    purposes[i].name, "case %s", purposes[i].name);
}
