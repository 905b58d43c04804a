/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "policy.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "name.h"
#include "xalloc.h"

static const char *const policy_mode_names[] = {
	[POLICY_MODE_ENFORCE] = "enforce",
	[POLICY_MODE_TESTING] = "testing",
	[POLICY_MODE_NONE] = "none",
};

const char *
policy_mode_name(enum policy_mode mode)
{
	return policy_mode_names[mode];
}

/* Values are case-sensitive (RFC 8461 3.2): "Enforce" is not a mode. */
int
policy_mode_parse(const char *s, enum policy_mode *mode)
{
	for (size_t i = 0; i < sizeof(policy_mode_names) /
	    sizeof(policy_mode_names[0]); i++) {
		if (strcmp(s, policy_mode_names[i]) == 0) {
			*mode = (enum policy_mode)i;
			return 0;
		}
	}
	return -1;
}

char *
policy_render(const struct policy *pol, size_t *lenp)
{
	char	*body, *p;
	size_t	 cap;
	int	 n;

	/* Fixed lines plus "mx: " and CRLF around each pattern. */
	cap = 64;
	for (size_t i = 0; i < pol->pol_mx.sv_count; i++)
		cap += strlen(pol->pol_mx.sv_items[i]) + 6;
	body = p = xmalloc(cap);
	n = snprintf(p, cap, "version: STSv1\r\nmode: %s\r\n",
	    policy_mode_name(pol->pol_mode));
	p += n;
	for (size_t i = 0; i < pol->pol_mx.sv_count; i++) {
		n = snprintf(p, cap - (size_t)(p - body), "mx: %s\r\n",
		    pol->pol_mx.sv_items[i]);
		p += n;
	}
	n = snprintf(p, cap - (size_t)(p - body), "max_age: %u\r\n",
	    (unsigned)pol->pol_max_age);
	p += n;
	*lenp = (size_t)(p - body);
	return body;
}

void
policy_id(const char *body, size_t len, char id[POLICY_ID_LEN + 1])
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		digest[WC_SHA256_DIGEST_SIZE];

	if (wc_Sha256Hash((const unsigned char *)body, (word32)len,
	    digest) != 0)
		abort();	/* wolfCrypt fails only on a broken build */
	for (size_t i = 0; i < POLICY_ID_LEN / 2; i++) {
		id[2 * i] = hex[digest[i] >> 4];
		id[2 * i + 1] = hex[digest[i] & 0xf];
	}
	id[POLICY_ID_LEN] = '\0';
}

/* RFC 8461 3.2: max_age is 1*10(DIGIT). */
#define POLICY_MAX_AGE_DIGITS	10

/* What the grammar's field lines have seen, to require each once. */
struct policy_seen {
	bool	ps_version;
	bool	ps_mode;
	bool	ps_max_age;
};

static bool
policy_parse_field(const char *key, const char *value, struct policy *pol,
    struct policy_seen *seen, char **why)
{
	char	*canon, *inner = NULL;
	size_t	 n;

	if (strcmp(key, "version") == 0) {
		if (seen->ps_version) {
			*why = xstrdup("'version' appears twice");
			return false;
		}
		seen->ps_version = true;
		if (strcmp(value, "STSv1") != 0) {
			*why = xasprintf("version is '%s', not 'STSv1'", value);
			return false;
		}
	} else if (strcmp(key, "mode") == 0) {
		if (seen->ps_mode) {
			*why = xstrdup("'mode' appears twice");
			return false;
		}
		seen->ps_mode = true;
		if (policy_mode_parse(value, &pol->pol_mode) != 0) {
			*why = xasprintf("mode '%s' is not enforce, testing or "
			    "none (values are case-sensitive)", value);
			return false;
		}
	} else if (strcmp(key, "max_age") == 0) {
		unsigned long v;

		if (seen->ps_max_age) {
			*why = xstrdup("'max_age' appears twice");
			return false;
		}
		seen->ps_max_age = true;
		n = strspn(value, "0123456789");
		errno = 0;
		v = strtoul(value, NULL, 10);
		if (n == 0 || value[n] != '\0' || n > POLICY_MAX_AGE_DIGITS ||
		    errno != 0 || v > POLICY_MAX_AGE_LIMIT) {
			*why = xasprintf("max_age '%s' is not a number of "
			    "seconds from 0 to %u", value, POLICY_MAX_AGE_LIMIT);
			return false;
		}
		pol->pol_max_age = (uint32_t)v;
	} else if (strcmp(key, "mx") == 0) {
		canon = name_normalize(value, NAME_WILDCARD, &inner);
		if (canon == NULL) {
			*why = xasprintf("mx: %s", inner);
			free(inner);
			return false;
		}
		strvec_push(&pol->pol_mx, canon);
	}
	/* Anything else is an extension field: senders ignore it. */
	return true;
}

/* "key:" *WSP value, the key being letters, digits, '_', '-' and '.'. */
static bool
policy_parse_line(char *line, struct policy *pol, struct policy_seen *seen,
    char **why)
{
	char	*colon, *value, *end;

	if (*line == '\0') {
		*why = xstrdup("the policy has a blank line (several senders "
		    "reject it)");
		return false;
	}
	colon = strchr(line, ':');
	if (colon == NULL || colon == line) {
		*why = xasprintf("'%s' is not a 'key: value' line", line);
		return false;
	}
	for (char *k = line; k < colon; k++) {
		if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-' &&
		    *k != '.') {
			*why = xasprintf("'%.*s' is not a field name (no "
			    "space is allowed before the colon)",
			    (int)(colon - line), line);
			return false;
		}
	}
	*colon = '\0';
	value = colon + 1;
	while (*value == ' ' || *value == '\t')
		value++;
	end = value + strlen(value);
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		*--end = '\0';
	return policy_parse_field(line, value, pol, seen, why);
}

bool
policy_parse(const char *body, size_t len, struct policy *pol, char **why)
{
	struct policy_seen	 seen = { 0 };
	char			*copy, *line, *next;
	bool			 ok = true;

	*why = NULL;
	memset(pol, 0, sizeof(*pol));
	if (len > POLICY_BODY_LIMIT) {
		*why = xasprintf("the policy has %zu bytes; senders accept at "
		    "most %u", len, POLICY_BODY_LIMIT);
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)body[i];

		if (c >= 0x7f || (c < 0x20 && c != '\t' && c != '\r' &&
		    c != '\n')) {
			*why = xasprintf("byte %zu is not printable ASCII", i);
			return false;
		}
	}
	copy = xstrndup(body, len);
	/* The last line may end with a terminator or not. */
	for (line = copy; ok && *line != '\0'; line = next) {
		char *eol = strchr(line, '\n');

		if (eol != NULL) {
			*eol = '\0';
			next = eol + 1;
			/* CRLF; a CR not followed by LF is caught below. */
			if (eol > line && eol[-1] == '\r')
				eol[-1] = '\0';
		} else
			next = line + strlen(line);
		if (strchr(line, '\r') != NULL) {
			*why = xstrdup("a line ends with CR alone");
			ok = false;
			break;
		}
		ok = policy_parse_line(line, pol, &seen, why);
	}
	if (ok && (!seen.ps_version || !seen.ps_mode || !seen.ps_max_age)) {
		*why = xasprintf("the policy has no '%s' line",
		    !seen.ps_version ? "version" : !seen.ps_mode ? "mode" :
		    "max_age");
		ok = false;
	}
	if (ok && pol->pol_mx.sv_count == 0 &&
	    pol->pol_mode != POLICY_MODE_NONE) {
		*why = xasprintf("mode %s needs at least one mx line",
		    policy_mode_name(pol->pol_mode));
		ok = false;
	}
	free(copy);
	if (!ok) {
		policy_free(pol);
		memset(pol, 0, sizeof(*pol));
	}
	return ok;
}

void
policy_copy(struct policy *dst, const struct policy *src)
{
	dst->pol_mode = src->pol_mode;
	dst->pol_max_age = src->pol_max_age;
	memset(&dst->pol_mx, 0, sizeof(dst->pol_mx));
	strvec_copy(&dst->pol_mx, &src->pol_mx);
}

void
policy_free(struct policy *pol)
{
	strvec_free(&pol->pol_mx);
}
