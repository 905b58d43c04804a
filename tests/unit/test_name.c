/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * name.c: host names as RFC 8461 wants them (RFC 5321 host names in A-label
 * form, lower case, no trailing dot), mx patterns with a leading "*." label,
 * pattern matching, and the single labels that name templates.
 *
 * Inputs may write long runs as "c{N}" (N copies of c; see unit_repeat()).
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../../config/name.h"
#include "unit.h"

/* ---- name_normalize ---------------------------------------------------- */

/*
 * With `flags`, accepted with the canonical form `want` (NULL: the input
 * itself) and no message, or (`why` set) refused with `why` in the message.
 * `len`, when set, is the length of each input once written out, checked so
 * that the table cannot drift.
 */
static const struct {
	int		 flags;
	const char	*want;
	const char	*why;
	size_t		 len;
	const char	*input[12];
} normalize_cases[] = {
	/* Ordinary host names; a label of 63 bytes, the most there is. */
	{ 0, NULL, NULL, 0, { "example.com", "mx1.example.net",
	    "mail-in.a-b.example", "123.example.org", "a.b.c.d.e.example",
	    "x.y", "a{63}.example", "m-x.example.net",
	    "xn--bcher-kva.example" } },
	/* A name of 253 bytes, the most there is: 4 labels of 63 and the
	 * dots between them are 255, trimmed to size. */
	{ 0, NULL, NULL, 253, { "a{63}.a{63}.a{63}.b{61}" } },
	/* The flag allows a wildcard, as the whole left-most label;
	 * ordinary names pass unchanged. */
	{ NAME_WILDCARD, NULL, NULL, 0, { "mx.example.net", "*.example.net",
	    "*.mx.example.net" } },

	/* Lower case; Unicode becomes an A-label, with the UTS #46 mapping
	 * (upper-case Unicode maps to the same A-label) of IDNA2008, not the
	 * transitional one (ß stays ß). */
	{ 0, "mx1.example.net", NULL, 0, { "MX1.Example.NET" } },
	{ NAME_WILDCARD, "*.example.net", NULL, 0, { "*.EXAMPLE.Net" } },
	{ 0, "xn--bcher-kva.example", NULL, 0, { "bücher.example",
	    "BÜCHER.example" } },
	{ 0, "mx.xn--bcher-kva.example", NULL, 0, { "mx.bücher.example" } },
	{ NAME_WILDCARD, "*.xn--bcher-kva.example", NULL, 0,
	  { "*.bücher.example" } },
	{ 0, "xn--strae-oqa.example", NULL, 0, { "straße.example" } },

	/* No trailing dot, no underscore, no empty name or label. */
	{ 0, NULL, "trailing dot", 0, { "example.com.", "." } },
	{ NAME_WILDCARD, NULL, "trailing dot", 0, { "*.example.com.", "*." } },
	{ 0, NULL, "'_'", 0, { "_mta-sts.example.com" } },
	{ NAME_WILDCARD, NULL, "'_'", 0, { "mx_1.example.net" } },
	{ 0, NULL, "empty name", 0, { "" } },
	{ 0, NULL, "empty label", 0, { "a..example", ".example.com" } },
	{ NAME_WILDCARD, NULL, "empty label", 0, { "*..example.net" } },

	/* A label is at most 63 bytes, a name at most 253. */
	{ 0, NULL, "at most 63", 0, { "a{64}.example", "mx.a{64}" } },
	{ 0, NULL, "at most 253", 254, { "a{63}.a{63}.a{63}.b{62}" } },

	/* No hyphen at either end of a label. */
	{ 0, NULL, "starts or ends with '-'", 0, { "-mx.example.net",
	    "mx-.example.net", "mx.example-.net", "mx.example.-net" } },

	/* Not a single label, even in Unicode or after a wildcard: "*.example"
	 * would match every host in a TLD-like name. */
	{ 0, NULL, "single label", 0, { "localhost", "bücher" } },
	{ NAME_WILDCARD, NULL, "single label", 0, { "com", "*.example" } },

	/* No address, no numeric last label; IPv6 literals are not host
	 * names either. */
	{ 0, NULL, "numeric", 0, { "192.0.2.1", "example.123", "12345" } },
	{ NAME_WILDCARD, NULL, "numeric", 0, { "*.192.0.2.1" } },
	{ 0, NULL, "':'", 0, { "2001:db8::1" } },
	{ 0, NULL, "'['", 0, { "[2001:db8::1]" } },

	/* No other characters. */
	{ 0, NULL, "' '", 0, { "ex ample.com" } },
	{ 0, NULL, "'@'", 0, { "user@example.com" } },
	{ 0, NULL, "'/'", 0, { "exa/mple.com" } },

	/* Without the flag (domain names, zones) a wildcard is refused, in
	 * Unicode too; with it, anywhere but the whole left-most label. */
	{ 0, NULL, "'*'", 0, { "*.example.net", "*.bücher.example" } },
	{ NAME_WILDCARD, NULL, "'*'", 0, { "a.*.example.net", "*mx.example.net",
	    "mx*.example.net", "**.example.net", "*.*.example.net",
	    "example.*", "*" } },

	/* Invalid internationalized names: a symbol IDNA2008 disallows, bytes
	 * that are not UTF-8, a zero-width joiner outside its allowed
	 * context. */
	{ 0, NULL, "internationalized", 0, { "\xe2\x98\x83.example",
	    "a\xff.example", "a\xe2\x80\x8d" "b.example" } },
};

static void
normalize_case(const char *spec, int flags, const char *want_spec,
    const char *want_why, size_t len)
{
	char	*input = unit_repeat(spec);
	char	*want = unit_repeat(want_spec != NULL ? want_spec : spec);
	char	*why = unit_why_before(want_why);
	char	*out, name[300];

	snprintf(name, sizeof(name), "%s (flags %d)",
	    unit_quote(input, strlen(input)), flags);
	unit_case = name;
	if (len != 0)
		cr_assert_eq(strlen(input), len, CASE);
	out = name_normalize(input, flags, &why);
	unit_expect_verdict(out != NULL, why, want_why);
	if (want_why == NULL)
		cr_assert_str_eq(out, want, "case %s: normalised to '%s', "
		    "want '%s'", unit_case, out, want);
	free(out);
	free(want);
	free(input);
}

TEST_NO_LEAK(name_normalize, cases)
{
	for (size_t i = 0; i < UNIT_COUNT(normalize_cases); i++)
		UNIT_EACH(input, normalize_cases[i].input)
			normalize_case(*input, normalize_cases[i].flags,
			    normalize_cases[i].want, normalize_cases[i].why,
			    normalize_cases[i].len);
}

/* ---- name_pattern_match ------------------------------------------------ */

/* A wildcard matches exactly one label; patterns match in any case. */
static const struct {
	const char	*pattern;
	bool		 match;
	const char	*host[8];
} match_cases[] = {
	{ "*.example.net", true, { "mx1.example.net", "a.example.net",
	    "MX1.Example.NET" } },
	{ "*.example.net", false, { "a.b.example.net", "example.net",
	    ".example.net", "mx1.example.org", "mx1.xexample.net",
	    "mx1example.net" } },
	{ "mx.example.net", true, { "mx.example.net", "MX.Example.Net" } },
	{ "mx.example.net", false, { "mx2.example.net", "a.mx.example.net",
	    "example.net", "mx.example.net.evil" } },
};

TEST_NO_LEAK(name_pattern_match, cases)
{
	for (size_t i = 0; i < UNIT_COUNT(match_cases); i++)
		UNIT_EACH(host, match_cases[i].host)
			cr_assert_eq(name_pattern_match(match_cases[i].pattern,
			    *host), match_cases[i].match,
			    "case '%s' against '%s': expected %s",
			    match_cases[i].pattern, *host,
			    match_cases[i].match ? "a match" : "no match");
}

/* ---- name_is_label ----------------------------------------------------- */

/* Letters, digits and inner hyphens, at most 63 of them. */
static const struct {
	bool		 ok;
	const char	*label[10];
} label_cases[] = {
	{ true, { "hoster-mx", "a", "Std2", "2024", "a{63}" } },
	{ false, { "a{64}", "", "a.b", "-a", "a-", "a_b", "a b", "*",
	    "b\xc3\xbc" "cher" } },
};

TEST_NO_LEAK(name_is_label, cases)
{
	for (size_t i = 0; i < UNIT_COUNT(label_cases); i++)
		UNIT_EACH(spec, label_cases[i].label) {
			char *label = unit_repeat(*spec);

			unit_case_input(label);
			cr_assert_eq(name_is_label(label), label_cases[i].ok,
			    "case %s: expected %s", unit_case,
			    label_cases[i].ok ? "a label" : "no label");
			free(label);
		}
}
