/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "record.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "tlsrpt.h"
#include "xalloc.h"

/* RFC 8461 3.1 and RFC 8460 3 share the extension grammar. */
#define RECORD_EXT_NAME_MAX	32

struct record_field {
	const char	*rf_name;
	size_t		 rf_name_len;
	const char	*rf_value;	/* through the last non-blank before ';' */
	size_t		 rf_value_len;
};

static bool
record_wsp(char c)
{
	return c == ' ' || c == '\t';
}

static bool
record_starts(const char *txt, const char *version)
{
	size_t n = strlen(version);

	return strncmp(txt, version, n) == 0 &&
	    (txt[n] == '\0' || txt[n] == ';' || record_wsp(txt[n]));
}

bool
record_is_sts(const char *txt)
{
	return record_starts(txt, RECORD_STS_VERSION);
}

bool
record_is_tlsrpt(const char *txt)
{
	return record_starts(txt, RECORD_TLSRPT_VERSION);
}

/*
 * The next `name=value` after a field delimiter (*WSP ";" *WSP). Returns 1
 * with a field, 0 at the end of the record (a trailing delimiter is
 * allowed), -1 on a syntax error.
 */
static int
record_next(const char **pp, struct record_field *f, char **why)
{
	const char *p = *pp, *eq, *end;

	while (record_wsp(*p))
		p++;
	if (*p == '\0')
		return 0;
	if (*p != ';') {
		*why = xasprintf("'%s' is not followed by ';' (fields are "
		    "separated by semicolons)", *pp);
		return -1;
	}
	p++;
	while (record_wsp(*p))
		p++;
	if (*p == '\0') {
		*pp = p;
		return 0;
	}
	eq = strchr(p, '=');
	end = p + strcspn(p, ";");
	if (eq == NULL || eq > end || eq == p) {
		*why = xasprintf("'%.*s' is not a name=value field",
		    (int)(end - p), p);
		return -1;
	}
	f->rf_name = p;
	f->rf_name_len = (size_t)(eq - p);
	f->rf_value = eq + 1;
	while (end > f->rf_value && record_wsp(end[-1]))
		end--;
	f->rf_value_len = (size_t)(end - f->rf_value);
	*pp = end;
	return 1;
}

static bool
record_field_is(const struct record_field *f, const char *name)
{
	return f->rf_name_len == strlen(name) &&
	    memcmp(f->rf_name, name, f->rf_name_len) == 0;
}

/* An extension field: the grammar both RFCs give for fields they ignore. */
static bool
record_extension_ok(const struct record_field *f, char **why)
{
	if (f->rf_name_len > RECORD_EXT_NAME_MAX ||
	    !isalnum((unsigned char)f->rf_name[0])) {
		*why = xasprintf("'%.*s' is not a valid field name",
		    (int)f->rf_name_len, f->rf_name);
		return false;
	}
	for (size_t i = 0; i < f->rf_name_len; i++) {
		unsigned char c = (unsigned char)f->rf_name[i];

		if (!isalnum(c) && c != '_' && c != '-' && c != '.') {
			*why = xasprintf("'%.*s' is not a valid field name",
			    (int)f->rf_name_len, f->rf_name);
			return false;
		}
	}
	if (f->rf_value_len == 0) {
		*why = xasprintf("field '%.*s' has no value",
		    (int)f->rf_name_len, f->rf_name);
		return false;
	}
	for (size_t i = 0; i < f->rf_value_len; i++) {
		unsigned char c = (unsigned char)f->rf_value[i];

		if (c < 0x21 || c > 0x7e || c == '=' || c == ';') {
			*why = xasprintf("the value of '%.*s' contains a space, "
			    "'=' or a character outside printable ASCII",
			    (int)f->rf_name_len, f->rf_name);
			return false;
		}
	}
	return true;
}

bool
record_sts_parse(const char *txt, char id[RECORD_STS_ID_MAX + 1], char **why)
{
	const char		*p = txt + strlen(RECORD_STS_VERSION);
	struct record_field	 f;
	const char		*found = NULL;
	size_t			 found_len = 0;
	int			 r;

	*why = NULL;
	while ((r = record_next(&p, &f, why)) == 1) {
		if (!record_field_is(&f, "id")) {
			if (!record_extension_ok(&f, why))
				return false;
			continue;
		}
		if (found != NULL) {
			*why = xstrdup("the record has two id fields");
			return false;
		}
		if (f.rf_value_len == 0 || f.rf_value_len > RECORD_STS_ID_MAX) {
			*why = xasprintf("the id has %zu characters; it must "
			    "have 1 to %d", f.rf_value_len, RECORD_STS_ID_MAX);
			return false;
		}
		for (size_t i = 0; i < f.rf_value_len; i++) {
			if (!isalnum((unsigned char)f.rf_value[i])) {
				*why = xasprintf("the id '%.*s' contains '%c'; "
				    "only letters and digits are allowed",
				    (int)f.rf_value_len, f.rf_value,
				    f.rf_value[i]);
				return false;
			}
		}
		found = f.rf_value;
		found_len = f.rf_value_len;
	}
	if (r < 0)
		return false;
	if (found == NULL) {
		*why = xstrdup("the record has no id field");
		return false;
	}
	memcpy(id, found, found_len);
	id[found_len] = '\0';
	return true;
}

/* rua = URI *(*WSP "," *WSP URI) */
static bool
record_rua(const struct record_field *f, struct strvec *out, char **why)
{
	const char *p = f->rf_value, *end = f->rf_value + f->rf_value_len;

	while (p < end) {
		const char	*comma = memchr(p, ',', (size_t)(end - p));
		const char	*stop = comma != NULL ? comma : end;
		char		*uri;

		while (p < stop && record_wsp(*p))
			p++;
		while (stop > p && record_wsp(stop[-1]))
			stop--;
		uri = xstrndup(p, (size_t)(stop - p));
		if (*uri == '\0') {
			*why = xstrdup("the rua list has an empty entry");
			free(uri);
			return false;
		}
		if (!tlsrpt_uri_check(uri, why)) {
			free(uri);
			return false;
		}
		strvec_push(out, uri);
		p = comma != NULL ? comma + 1 : end;
		if (comma != NULL && p == end) {
			*why = xstrdup("the rua list ends with a comma");
			return false;
		}
	}
	return true;
}

bool
record_tlsrpt_parse(const char *txt, struct strvec *rua, char **why)
{
	const char		*p = txt + strlen(RECORD_TLSRPT_VERSION);
	struct record_field	 f;
	struct strvec		 uris = { 0 };
	bool			 have = false;
	int			 r;

	*why = NULL;
	while ((r = record_next(&p, &f, why)) == 1) {
		if (!record_field_is(&f, "rua")) {
			if (!record_extension_ok(&f, why))
				goto fail;
			continue;
		}
		if (have) {
			*why = xstrdup("the record has two rua fields");
			goto fail;
		}
		have = true;
		if (f.rf_value_len == 0) {
			*why = xstrdup("the rua field is empty");
			goto fail;
		}
		if (!record_rua(&f, &uris, why))
			goto fail;
	}
	if (r < 0)
		goto fail;
	if (!have) {
		*why = xstrdup("the record has no rua field (RFC 8460 3: it "
		    "is required)");
		goto fail;
	}
	for (size_t i = 0; i < uris.sv_count; i++)
		strvec_push(rua, uris.sv_items[i]);
	free(uris.sv_items);
	return true;
fail:
	strvec_free(&uris);
	return false;
}
