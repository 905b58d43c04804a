/*
 * tlsrpt.c: RFC 8460 reporting URIs and the _smtp._tls record. The rua value
 * is a comma-separated list, so a raw ',' or ';' inside one URI would split
 * or end it for every sender that reads the record.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../../config/strvec.h"
#include "../../config/tlsrpt.h"
#include "unit.h"

static void
expect_ok(const char *uri)
{
	char *why = (char *)"unset";

	cr_assert(tlsrpt_uri_check(uri, &why), "'%s' refused: %s", uri,
	    why != NULL ? why : "(no message)");
	cr_assert_null(why, "'%s' accepted but a message was set", uri);
}

static void
expect_bad(const char *uri, const char *needle)
{
	char *why = NULL;

	cr_assert_not(tlsrpt_uri_check(uri, &why), "'%s' accepted", uri);
	cr_assert_not_null(why, "'%s' refused without a message", uri);
	cr_assert(strstr(why, needle) != NULL,
	    "message for '%s' is \"%s\", expected \"%s\" in it", uri, why,
	    needle);
	free(why);
}

static char *
record_of(const char *const *uris, size_t n)
{
	struct strvec	 sv = { 0 };
	char		*rec;

	for (size_t i = 0; i < n; i++)
		strvec_push(&sv, strdup(uris[i]));
	rec = tlsrpt_record(&sv);
	strvec_free(&sv);
	cr_assert_not_null(rec);
	return rec;
}

/* ---- tlsrpt_uri_check -------------------------------------------------- */

TEST_NO_LEAK(tlsrpt_uri_check, accepts_mailto_and_https)
{
	expect_ok("mailto:tlsrpt@example.net");
	expect_ok("mailto:tls-reports+mta@mail.example.net");
	expect_ok("https://reports.example.net/tlsrpt");
	expect_ok("https://reports.example.net");
	expect_ok("https://reports.example.net:8443/v1/tlsrpt?x=1#f");
	expect_ok("mailto:tlsrpt@example.net?subject=report");
	/* Scheme names are case-insensitive (RFC 3986 3.1). */
	expect_ok("MAILTO:tlsrpt@example.net");
	expect_ok("HTTPS://reports.example.net/");
	/* The host part is checked as a host name, so case does not matter. */
	expect_ok("mailto:tlsrpt@Example.NET");
}

TEST_NO_LEAK(tlsrpt_uri_check, accepts_percent_escapes)
{
	expect_ok("mailto:a%2Cb@example.net");
	expect_ok("mailto:a%2cb@example.net");
	expect_ok("https://reports.example.net/a%3Bb%2Cc");
	expect_ok("mailto:%22quoted%22@example.net");
}

TEST_NO_LEAK(tlsrpt_uri_check, refuses_raw_comma_and_semicolon)
{
	expect_bad("mailto:a,b@example.net", "%2C");
	expect_bad("mailto:a@example.net,mailto:b@example.net", "%2C");
	expect_bad("https://reports.example.net/a;b", "%3B");
	expect_bad("mailto:a@example.net;", "%3B");
}

TEST_NO_LEAK(tlsrpt_uri_check, refuses_spaces_quotes_controls_and_non_ascii)
{
	expect_bad("mailto:a b@example.net", "space");
	expect_bad("mailto:tlsrpt@example.net ", "space");
	expect_bad(" mailto:tlsrpt@example.net", "space");
	expect_bad("mailto:a\tb@example.net", "space");
	expect_bad("mailto:a\"b@example.net", "quote");
	expect_bad("mailto:a\\b@example.net", "backslash");
	expect_bad("mailto:a\x7f" "b@example.net", "percent-encode");
	expect_bad("mailto:j\xc3\xbcrgen@example.net", "non-ASCII");
	expect_bad("mailto:tlsrpt@b\xc3\xbc" "cher.example", "non-ASCII");
}

TEST_NO_LEAK(tlsrpt_uri_check, refuses_bad_percent_escapes)
{
	expect_bad("mailto:a%@example.net", "%XX");
	expect_bad("mailto:a%2@example.net", "%XX");
	expect_bad("mailto:a%zz@example.net", "%XX");
	expect_bad("mailto:a%g1@example.net", "%XX");
	expect_bad("https://reports.example.net/%", "%XX");
	expect_bad("https://reports.example.net/%4", "%XX");
}

TEST_NO_LEAK(tlsrpt_uri_check, refuses_other_schemes)
{
	expect_bad("http://reports.example.net/", "neither a mailto: nor an https:");
	expect_bad("ftp://reports.example.net/", "neither");
	expect_bad("tlsrpt@example.net", "neither");
	expect_bad("mailto", "neither");
	expect_bad("https:reports.example.net", "neither");
	expect_bad("", "neither");
}

TEST_NO_LEAK(tlsrpt_uri_check, mailto_needs_an_address)
{
	expect_bad("mailto:tlsrpt.example.net", "not a mail address");
	expect_bad("mailto:@example.net", "not a mail address");
	expect_bad("mailto:", "not a mail address");
}

TEST_NO_LEAK(tlsrpt_uri_check, refuses_bad_host_names)
{
	expect_bad("mailto:tlsrpt@", "empty name");
	expect_bad("mailto:tlsrpt@localhost", "single label");
	expect_bad("mailto:tlsrpt@exa_mple.net", "'_'");
	expect_bad("mailto:tlsrpt@example.net.", "trailing dot");
	expect_bad("mailto:tlsrpt@192.0.2.1", "numeric");
	expect_bad("mailto:a@b@example.net", "'@'");
	expect_bad("https://", "no host name");
	expect_bad("https:///tlsrpt", "no host name");
	expect_bad("https://-reports.example.net/", "'-'");
	expect_bad("https://192.0.2.1/tlsrpt", "numeric");
	expect_bad("https://[2001:db8::1]/tlsrpt", "'['");
}

TEST_NO_LEAK(tlsrpt_uri_check, refuses_overlong_uris)
{
	char uri[TLSRPT_URI_MAX + 2];

	/* Exactly the limit is fine... */
	memset(uri, 'a', sizeof(uri));
	memcpy(uri, "https://reports.example.net/", 28);
	uri[TLSRPT_URI_MAX] = '\0';
	expect_ok(uri);
	/* ...one more is not. */
	uri[TLSRPT_URI_MAX] = 'a';
	uri[TLSRPT_URI_MAX + 1] = '\0';
	expect_bad(uri, "longer than");
}

/* ---- tlsrpt_record ----------------------------------------------------- */

TEST_NO_LEAK(tlsrpt_record, one_uri)
{
	static const char *const rua[] = { "mailto:tlsrpt@example.net" };
	char *rec = record_of(rua, 1);

	cr_assert_str_eq(rec, "v=TLSRPTv1; rua=mailto:tlsrpt@example.net");
	free(rec);
}

TEST_NO_LEAK(tlsrpt_record, joins_with_commas_in_order)
{
	static const char *const ab[] = { "a", "b" };
	static const char *const three[] = { "mailto:a@example.net",
	    "https://reports.example.net/x", "mailto:b%2Cc@example.net" };
	char *rec = record_of(ab, 2);

	cr_assert_str_eq(rec, "v=TLSRPTv1; rua=a,b");
	free(rec);
	rec = record_of(three, 3);
	cr_assert_str_eq(rec, "v=TLSRPTv1; rua=mailto:a@example.net,"
	    "https://reports.example.net/x,mailto:b%2Cc@example.net");
	free(rec);
}
