/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "name.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <idn2.h>

#include "xalloc.h"

static bool
name_has_non_ascii(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s >= 0x80)
			return true;
	return false;
}

static bool
name_label_ok(const char *label, size_t len, char **why, const char *name)
{
	if (len == 0) {
		*why = xasprintf("'%s' has an empty label", name);
		return false;
	}
	if (len > NAME_MAX_LABEL) {
		*why = xasprintf("'%s' has a label of %zu characters; "
		    "a label has at most %d", name, len, NAME_MAX_LABEL);
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)label[i];

		if (c == '_') {
			*why = xasprintf("'%s' contains '_'; host names allow "
			    "only letters, digits and '-' (RFC 5321)", name);
			return false;
		}
		if (c == '*') {
			*why = xasprintf("'%s': '*' is only allowed as the whole "
			    "left-most label of an mx pattern, as in "
			    "'*.example.net'", name);
			return false;
		}
		if (!isalnum(c) && c != '-') {
			*why = xasprintf("'%s' contains '%c'; host names allow "
			    "only letters, digits and '-'", name, c);
			return false;
		}
	}
	if (label[0] == '-' || label[len - 1] == '-') {
		*why = xasprintf("'%s' has a label that starts or ends with '-'",
		    name);
		return false;
	}
	return true;
}

/* `name` is lower-case ASCII without a wildcard. */
static bool
name_host_ok(const char *name, char **why)
{
	const char	*label = name, *dot;
	size_t		 labels = 0;
	bool		 last_numeric = true;

	if (strlen(name) > NAME_MAX_LENGTH) {
		*why = xasprintf("'%s' is %zu characters long; a name has at "
		    "most %d", name, strlen(name), NAME_MAX_LENGTH);
		return false;
	}
	for (;;) {
		size_t len;

		dot = strchr(label, '.');
		len = dot ? (size_t)(dot - label) : strlen(label);
		if (!name_label_ok(label, len, why, name))
			return false;
		labels++;
		last_numeric = strspn(label, "0123456789") == len;
		if (dot == NULL)
			break;
		label = dot + 1;
	}
	if (last_numeric) {
		*why = xasprintf("'%s' is not a host name (its last label is "
		    "numeric); write the host name, not an address", name);
		return false;
	}
	if (labels < 2) {
		*why = xasprintf("'%s' is a single label; write the fully "
		    "qualified name, such as '%s.example.net'", name, name);
		return false;
	}
	return true;
}

char *
name_normalize(const char *input, int flags, char **why)
{
	const char	*host = input;
	char		*ascii, *out;
	bool		 wildcard = false;
	size_t		 len = strlen(input);

	*why = NULL;
	if (len == 0) {
		*why = xstrdup("empty name");
		return NULL;
	}
	if (input[len - 1] == '.') {
		*why = xasprintf("'%s' ends with a dot; write it without the "
		    "trailing dot", input);
		return NULL;
	}
	if ((flags & NAME_WILDCARD) && strncmp(input, "*.", 2) == 0) {
		wildcard = true;
		host = input + 2;
	}
	if (name_has_non_ascii(host)) {
		int rc = idn2_to_ascii_8z(host, &ascii,
		    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);

		if (rc != IDN2_OK) {
			*why = xasprintf("'%s' is not a valid internationalized "
			    "name: %s", input, idn2_strerror(rc));
			return NULL;
		}
		out = xstrdup(ascii);
		idn2_free(ascii);
	} else
		out = xstrdup(host);
	for (char *p = out; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!name_host_ok(out, why)) {
		free(out);
		return NULL;
	}
	if (wildcard) {
		char *w = xasprintf("*.%s", out);

		free(out);
		out = w;
	}
	return out;
}

bool
name_pattern_match(const char *pattern, const char *host)
{
	const char *dot;

	if (strncmp(pattern, "*.", 2) != 0)
		return strcasecmp(pattern, host) == 0;
	/* "*." stands for exactly one label: strip one and compare the rest. */
	dot = strchr(host, '.');
	return dot != NULL && dot != host && strcasecmp(pattern + 2, dot + 1) == 0;
}

bool
name_is_label(const char *s)
{
	char	*why = NULL;
	bool	 ok;

	if (strchr(s, '.') != NULL)
		return false;
	ok = name_label_ok(s, strlen(s), &why, s);
	free(why);
	return ok;
}
