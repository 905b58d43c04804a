/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tlsrpt.c: RFC 8460 reporting URIs and the _smtp._tls record. The rua value
 * is a comma-separated list, so a raw ',' or ';' inside one URI would split
 * or end it for every sender that reads the record.
 *
 * Inputs may write long runs as "c{N}" (N copies of c; see unit_repeat()).
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../../config/strvec.h"
#include "../../config/tlsrpt.h"
#include "unit.h"

/* ---- tlsrpt_uri_check -------------------------------------------------- */

/* Accepted without a message, or refused with `why` in the message. */
static const struct {
	const char	*why;
	const char	*uri[14];
} uri_cases[] = {
	/* mailto: and https: are accepted, with percent escapes; scheme
	 * names are case-insensitive (RFC 3986 3.1), and the host part is
	 * checked as a host name, so its case does not matter either;
	 * exactly the length limit (TLSRPT_URI_MAX, 1024) is fine. */
	{ NULL, { "mailto:tlsrpt@example.net",
	    "mailto:tls-reports+mta@mail.example.net",
	    "https://reports.example.net/tlsrpt", "https://reports.example.net",
	    "https://reports.example.net:8443/v1/tlsrpt?x=1#f",
	    "mailto:tlsrpt@example.net?subject=report",
	    "MAILTO:tlsrpt@example.net", "HTTPS://reports.example.net/",
	    "mailto:tlsrpt@Example.NET", "mailto:a%2Cb@example.net",
	    "mailto:a%2cb@example.net", "https://reports.example.net/a%3Bb%2Cc",
	    "mailto:%22quoted%22@example.net",
	    "https://reports.example.net/a{996}" } },

	/* A raw comma or semicolon is refused. */
	{ "%2C", { "mailto:a,b@example.net",
	    "mailto:a@example.net,mailto:b@example.net" } },
	{ "%3B", { "https://reports.example.net/a;b",
	    "mailto:a@example.net;" } },

	/* So are spaces, quotes, control bytes and non-ASCII. */
	{ "space", { "mailto:a b@example.net", "mailto:tlsrpt@example.net ",
	    " mailto:tlsrpt@example.net", "mailto:a\tb@example.net" } },
	{ "quote", { "mailto:a\"b@example.net" } },
	{ "backslash", { "mailto:a\\b@example.net" } },
	{ "percent-encode", { "mailto:a\x7f" "b@example.net" } },
	{ "non-ASCII", { "mailto:j\xc3\xbcrgen@example.net",
	    "mailto:tlsrpt@b\xc3\xbc" "cher.example" } },

	/* Bad percent escapes. */
	{ "%XX", { "mailto:a%@example.net", "mailto:a%2@example.net",
	    "mailto:a%zz@example.net", "mailto:a%g1@example.net",
	    "https://reports.example.net/%",
	    "https://reports.example.net/%4" } },

	/* Other schemes; a mailto: without an address. */
	{ "neither a mailto: nor an https:",
	  { "http://reports.example.net/" } },
	{ "neither", { "ftp://reports.example.net/", "tlsrpt@example.net",
	    "mailto", "https:reports.example.net", "" } },
	{ "not a mail address", { "mailto:tlsrpt.example.net",
	    "mailto:@example.net", "mailto:" } },

	/* Bad host names. */
	{ "empty name", { "mailto:tlsrpt@" } },
	{ "single label", { "mailto:tlsrpt@localhost" } },
	{ "'_'", { "mailto:tlsrpt@exa_mple.net" } },
	{ "trailing dot", { "mailto:tlsrpt@example.net." } },
	{ "numeric",
	  { "mailto:tlsrpt@192.0.2.1", "https://192.0.2.1/tlsrpt" } },
	{ "'@'", { "mailto:a@b@example.net" } },
	{ "no host name", { "https://", "https:///tlsrpt" } },
	{ "'-'", { "https://-reports.example.net/" } },
	{ "'['", { "https://[2001:db8::1]/tlsrpt" } },

	/* One byte over the length limit. */
	{ "longer than", { "https://reports.example.net/a{997}" } },
};

TEST_NO_LEAK(tlsrpt_uri_check, cases)
{
	for (size_t i = 0; i < UNIT_COUNT(uri_cases); i++)
		UNIT_EACH(spec, uri_cases[i].uri) {
			char	*uri = unit_repeat(*spec);
			char	*why = unit_why_before(uri_cases[i].why);
			bool	 ok;

			unit_case_input(uri);
			ok = tlsrpt_uri_check(uri, &why);
			unit_expect_verdict(ok, why, uri_cases[i].why);
			free(uri);
		}
}

/* ---- tlsrpt_record ----------------------------------------------------- */

/* The URIs, in order, joined by commas. */
static const struct {
	const char	*rua[4];
	const char	*want;
} record_cases[] = {
	{ { "mailto:tlsrpt@example.net" },
	  "v=TLSRPTv1; rua=mailto:tlsrpt@example.net" },
	{ { "a", "b" }, "v=TLSRPTv1; rua=a,b" },
	{ { "mailto:a@example.net", "https://reports.example.net/x",
	    "mailto:b%2Cc@example.net" },
	  "v=TLSRPTv1; rua=mailto:a@example.net,"
	  "https://reports.example.net/x,mailto:b%2Cc@example.net" },
};

TEST_NO_LEAK(tlsrpt_record, cases)
{
	for (size_t i = 0; i < UNIT_COUNT(record_cases); i++) {
		struct strvec	 sv = { 0 };
		char		*rec;

		unit_case_input(record_cases[i].want);
		for (size_t j = 0; j < 4 && record_cases[i].rua[j] != NULL; j++)
			strvec_push(&sv, strdup(record_cases[i].rua[j]));
		rec = tlsrpt_record(&sv);
		strvec_free(&sv);
		cr_assert_not_null(rec, CASE);
		cr_assert_str_eq(rec, record_cases[i].want, "case %s: got %s",
		    unit_case, rec);
		free(rec);
	}
}
