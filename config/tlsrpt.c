/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tlsrpt.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "name.h"
#include "xalloc.h"

/*
 * RFC 8460 3: the rua value is a comma-separated list of URIs, so a comma or
 * semicolon inside one URI must be percent-encoded; a space ends the field.
 */
static bool
tlsrpt_chars_ok(const char *uri, char **why)
{
	for (const char *p = uri; *p != '\0'; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == ',' || c == ';') {
			*why = xasprintf("'%s' contains '%c'; write it "
			    "percent-encoded as %s", uri, c,
			    c == ',' ? "%2C" : "%3B");
			return false;
		}
		if (c <= 0x20 || c >= 0x7f || c == '"' || c == '\\') {
			*why = xasprintf("'%s' contains a space, quote, "
			    "backslash or non-ASCII character; "
			    "percent-encode it", uri);
			return false;
		}
		if (c == '%' && (!isxdigit((unsigned char)p[1]) ||
		    !isxdigit((unsigned char)p[2]))) {
			*why = xasprintf("'%s' has a '%%' that does not start "
			    "a %%XX escape", uri);
			return false;
		}
	}
	return true;
}

static bool
tlsrpt_host_ok(const char *uri, const char *host, size_t len, char **why)
{
	char	*h = xstrndup(host, len), *canon, *inner = NULL;
	bool	 ok;

	canon = name_normalize(h, 0, &inner);
	ok = canon != NULL;
	if (!ok)
		*why = xasprintf("'%s': %s", uri, inner);
	free(canon);
	free(inner);
	free(h);
	return ok;
}

bool
tlsrpt_uri_check(const char *uri, char **why)
{
	const char *rest, *at, *end;

	*why = NULL;
	if (strlen(uri) > TLSRPT_URI_MAX) {
		*why = xasprintf("a reporting URI is longer than %d characters",
		    TLSRPT_URI_MAX);
		return false;
	}
	if (!tlsrpt_chars_ok(uri, why))
		return false;
	if (strncasecmp(uri, "mailto:", 7) == 0) {
		rest = uri + 7;
		at = strchr(rest, '@');
		if (at == NULL || at == rest) {
			*why = xasprintf("'%s' is not a mail address; write "
			    "mailto:reports@example.net", uri);
			return false;
		}
		end = at + 1 + strcspn(at + 1, "?");
		return tlsrpt_host_ok(uri, at + 1, (size_t)(end - at - 1), why);
	}
	if (strncasecmp(uri, "https://", 8) == 0) {
		rest = uri + 8;
		end = rest + strcspn(rest, ":/?#");
		if (end == rest) {
			*why = xasprintf("'%s' has no host name", uri);
			return false;
		}
		return tlsrpt_host_ok(uri, rest, (size_t)(end - rest), why);
	}
	*why = xasprintf("'%s' is neither a mailto: nor an https: URI "
	    "(RFC 8460 3)", uri);
	return false;
}

char *
tlsrpt_record(const struct strvec *rua)
{
	size_t	 len = strlen("v=TLSRPTv1; rua=") + 1;
	char	*rec, *p;

	for (size_t i = 0; i < rua->sv_count; i++)
		len += strlen(rua->sv_items[i]) + 1;
	rec = xmalloc(len);
	p = stpcpy(rec, "v=TLSRPTv1; rua=");
	for (size_t i = 0; i < rua->sv_count; i++) {
		if (i > 0)
			*p++ = ',';
		p = stpcpy(p, rua->sv_items[i]);
	}
	return rec;
}
