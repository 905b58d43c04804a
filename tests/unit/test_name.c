/*
 * name.c: host names as RFC 8461 wants them (RFC 5321 host names in A-label
 * form, lower case, no trailing dot), mx patterns with a leading "*." label,
 * pattern matching, and the single labels that name templates.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../../config/name.h"
#include "unit.h"

/* Accepted: the canonical form must be exactly `want`, with no message. */
static void
expect_name(const char *input, int flags, const char *want)
{
	char	*why = (char *)"unset";
	char	*out = name_normalize(input, flags, &why);

	cr_assert_not_null(out, "'%s' (flags %d) was refused: %s", input, flags,
	    why != NULL ? why : "(no message)");
	cr_assert_null(why, "'%s' accepted but a message was set", input);
	cr_assert_str_eq(out, want, "'%s' normalised to '%s', want '%s'", input,
	    out, want);
	free(out);
}

/* Refused: NULL and a message that contains `needle`. */
static void
expect_refused(const char *input, int flags, const char *needle)
{
	char	*why = NULL;
	char	*out = name_normalize(input, flags, &why);

	cr_assert_null(out, "'%s' (flags %d) was accepted as '%s'", input, flags,
	    out != NULL ? out : "");
	cr_assert_not_null(why, "'%s' refused without a message", input);
	cr_assert(strstr(why, needle) != NULL,
	    "message for '%s' is \"%s\", expected it to mention \"%s\"", input,
	    why, needle);
	free(why);
}

/* A string of `n` copies of `c`, caller frees. */
static char *
repeat(char c, size_t n)
{
	char *s = malloc(n + 1);

	cr_assert_not_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static char *
concat3(const char *a, const char *b, const char *c)
{
	size_t	 la = strlen(a), lb = strlen(b), lc = strlen(c);
	char	*s = malloc(la + lb + lc + 1);

	cr_assert_not_null(s);
	memcpy(s, a, la);
	memcpy(s + la, b, lb);
	memcpy(s + la + lb, c, lc + 1);
	return s;
}

/* ---- name_normalize ---------------------------------------------------- */

TEST_NO_LEAK(name_normalize, accepts_ordinary_host_names)
{
	expect_name("example.com", 0, "example.com");
	expect_name("mx1.example.net", 0, "mx1.example.net");
	expect_name("mail-in.a-b.example", 0, "mail-in.a-b.example");
	expect_name("123.example.org", 0, "123.example.org");
	expect_name("a.b.c.d.e.example", 0, "a.b.c.d.e.example");
	expect_name("x.y", 0, "x.y");
	/* The flag only allows a wildcard; ordinary names pass unchanged. */
	expect_name("mx.example.net", NAME_WILDCARD, "mx.example.net");
}

TEST_NO_LEAK(name_normalize, lower_cases)
{
	expect_name("MX1.Example.NET", 0, "mx1.example.net");
	expect_name("*.EXAMPLE.Net", NAME_WILDCARD, "*.example.net");
}

TEST_NO_LEAK(name_normalize, refuses_trailing_dot)
{
	expect_refused("example.com.", 0, "trailing dot");
	expect_refused("*.example.com.", NAME_WILDCARD, "trailing dot");
	expect_refused(".", 0, "trailing dot");
}

TEST_NO_LEAK(name_normalize, refuses_underscore)
{
	expect_refused("_mta-sts.example.com", 0, "'_'");
	expect_refused("mx_1.example.net", NAME_WILDCARD, "'_'");
}

TEST_NO_LEAK(name_normalize, refuses_empty_names_and_labels)
{
	expect_refused("", 0, "empty name");
	expect_refused("a..example", 0, "empty label");
	expect_refused(".example.com", 0, "empty label");
}

TEST_NO_LEAK(name_normalize, label_length_limit_is_63)
{
	char *l63 = repeat('a', 63), *l64 = repeat('a', 64);
	char *ok = concat3(l63, ".example", "");
	char *bad = concat3(l64, ".example", "");
	char *bad_last = concat3("mx.", l64, "");

	expect_name(ok, 0, ok);
	expect_refused(bad, 0, "at most 63");
	expect_refused(bad_last, 0, "at most 63");
	free(l63);
	free(l64);
	free(ok);
	free(bad);
	free(bad_last);
}

TEST_NO_LEAK(name_normalize, name_length_limit_is_253)
{
	/* 4 labels of 63 and the dots between them: 255; trim to size. */
	char *l63 = repeat('a', 63), *l61 = repeat('b', 61), *l62 = repeat('b', 62);
	char *head = concat3(l63, ".", l63);		/* 127 */
	char *mid = concat3(head, ".", l63);		/* 191 */
	char *n253 = concat3(mid, ".", l61);		/* 253 */
	char *n254 = concat3(mid, ".", l62);		/* 254 */

	cr_assert_eq(strlen(n253), 253);
	cr_assert_eq(strlen(n254), 254);
	expect_name(n253, 0, n253);
	expect_refused(n254, 0, "at most 253");
	free(l63);
	free(l61);
	free(l62);
	free(head);
	free(mid);
	free(n253);
	free(n254);
}

TEST_NO_LEAK(name_normalize, refuses_leading_and_trailing_hyphen)
{
	expect_refused("-mx.example.net", 0, "starts or ends with '-'");
	expect_refused("mx-.example.net", 0, "starts or ends with '-'");
	expect_refused("mx.example-.net", 0, "starts or ends with '-'");
	expect_refused("mx.example.-net", 0, "starts or ends with '-'");
	/* A hyphen inside a label is fine. */
	expect_name("m-x.example.net", 0, "m-x.example.net");
}

TEST_NO_LEAK(name_normalize, refuses_a_single_label)
{
	expect_refused("localhost", 0, "single label");
	expect_refused("com", NAME_WILDCARD, "single label");
}

TEST_NO_LEAK(name_normalize, refuses_addresses_and_numeric_last_label)
{
	expect_refused("192.0.2.1", 0, "numeric");
	expect_refused("example.123", 0, "numeric");
	expect_refused("*.192.0.2.1", NAME_WILDCARD, "numeric");
	expect_refused("12345", 0, "numeric");
	/* IPv6 literals are not host names either. */
	expect_refused("2001:db8::1", 0, "':'");
	expect_refused("[2001:db8::1]", 0, "'['");
}

TEST_NO_LEAK(name_normalize, refuses_other_characters)
{
	expect_refused("ex ample.com", 0, "' '");
	expect_refused("user@example.com", 0, "'@'");
	expect_refused("exa/mple.com", 0, "'/'");
}

TEST_NO_LEAK(name_normalize, wildcard_only_as_whole_leftmost_label_with_flag)
{
	expect_name("*.example.net", NAME_WILDCARD, "*.example.net");
	expect_name("*.mx.example.net", NAME_WILDCARD, "*.mx.example.net");

	/* Without the flag (domain names, zones) a wildcard is refused. */
	expect_refused("*.example.net", 0, "'*'");

	/* Anywhere but the whole left-most label, refused even with it. */
	expect_refused("a.*.example.net", NAME_WILDCARD, "'*'");
	expect_refused("*mx.example.net", NAME_WILDCARD, "'*'");
	expect_refused("mx*.example.net", NAME_WILDCARD, "'*'");
	expect_refused("**.example.net", NAME_WILDCARD, "'*'");
	expect_refused("*.*.example.net", NAME_WILDCARD, "'*'");
	expect_refused("example.*", NAME_WILDCARD, "'*'");
	expect_refused("*", NAME_WILDCARD, "'*'");
}

TEST_NO_LEAK(name_normalize, wildcard_followed_by_a_single_label_is_refused)
{
	/* "*.example" would match every host in a TLD-like name. */
	expect_refused("*.example", NAME_WILDCARD, "single label");
	expect_refused("*.", NAME_WILDCARD, "trailing dot");
	expect_refused("*..example.net", NAME_WILDCARD, "empty label");
}

TEST_NO_LEAK(name_normalize, unicode_becomes_a_label)
{
	expect_name("bücher.example", 0, "xn--bcher-kva.example");
	expect_name("mx.bücher.example", 0, "mx.xn--bcher-kva.example");
	/* UTS #46 mapping: upper-case Unicode maps to the same A-label. */
	expect_name("BÜCHER.example", 0, "xn--bcher-kva.example");
	expect_name("*.bücher.example", NAME_WILDCARD, "*.xn--bcher-kva.example");
	/* IDNA2008, not the transitional mapping: ß stays ß. */
	expect_name("straße.example", 0, "xn--strae-oqa.example");
	/* The A-label form is accepted as it is. */
	expect_name("xn--bcher-kva.example", 0, "xn--bcher-kva.example");
}

TEST_NO_LEAK(name_normalize, invalid_idn_is_refused)
{
	/* A symbol IDNA2008 disallows. */
	expect_refused("\xe2\x98\x83.example", 0, "internationalized");
	/* Bytes that are not UTF-8. */
	expect_refused("a\xff.example", 0, "internationalized");
	/* A zero-width joiner outside its allowed context. */
	expect_refused("a\xe2\x80\x8d" "b.example", 0, "internationalized");
	/* A Unicode name still needs a second label... */
	expect_refused("bücher", 0, "single label");
	/* ...and the wildcard is still only for patterns. */
	expect_refused("*.bücher.example", 0, "'*'");
}

/* ---- name_pattern_match ------------------------------------------------ */

TEST_NO_LEAK(name_pattern_match, wildcard_matches_exactly_one_label)
{
	cr_assert(name_pattern_match("*.example.net", "mx1.example.net"));
	cr_assert(name_pattern_match("*.example.net", "a.example.net"));
	cr_assert_not(name_pattern_match("*.example.net", "a.b.example.net"));
	cr_assert_not(name_pattern_match("*.example.net", "example.net"));
	cr_assert_not(name_pattern_match("*.example.net", ".example.net"));
	cr_assert_not(name_pattern_match("*.example.net", "mx1.example.org"));
	cr_assert_not(name_pattern_match("*.example.net", "mx1.xexample.net"));
	cr_assert_not(name_pattern_match("*.example.net", "mx1example.net"));
}

TEST_NO_LEAK(name_pattern_match, wildcard_is_case_insensitive)
{
	cr_assert(name_pattern_match("*.example.net", "MX1.Example.NET"));
}

TEST_NO_LEAK(name_pattern_match, exact_patterns_match_case_insensitively)
{
	cr_assert(name_pattern_match("mx.example.net", "mx.example.net"));
	cr_assert(name_pattern_match("mx.example.net", "MX.Example.Net"));
	cr_assert_not(name_pattern_match("mx.example.net", "mx2.example.net"));
	cr_assert_not(name_pattern_match("mx.example.net", "a.mx.example.net"));
	cr_assert_not(name_pattern_match("mx.example.net", "example.net"));
	cr_assert_not(name_pattern_match("mx.example.net", "mx.example.net.evil"));
}

/* ---- name_is_label ----------------------------------------------------- */

TEST_NO_LEAK(name_is_label, letters_digits_and_inner_hyphens)
{
	char *l63 = repeat('a', 63), *l64 = repeat('a', 64);

	cr_assert(name_is_label("hoster-mx"));
	cr_assert(name_is_label("a"));
	cr_assert(name_is_label("Std2"));
	cr_assert(name_is_label("2024"));
	cr_assert(name_is_label(l63));
	cr_assert_not(name_is_label(l64));
	cr_assert_not(name_is_label(""));
	cr_assert_not(name_is_label("a.b"));
	cr_assert_not(name_is_label("-a"));
	cr_assert_not(name_is_label("a-"));
	cr_assert_not(name_is_label("a_b"));
	cr_assert_not(name_is_label("a b"));
	cr_assert_not(name_is_label("*"));
	cr_assert_not(name_is_label("b\xc3\xbc" "cher"));
	free(l63);
	free(l64);
}
