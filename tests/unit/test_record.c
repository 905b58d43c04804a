/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * record.c: the _mta-sts TXT record (RFC 8461 section 3.1) and the
 * _smtp._tls TXT record (RFC 8460 section 3), read the way senders read
 * them. What is accepted must give the id or the rua list a sender would
 * use; what is refused must say why and store nothing.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "../../config/record.h"
#include "../../config/strvec.h"
#include "unit.h"

/* ---- record_is_sts / record_is_tlsrpt ---------------------------------- */

/* Whether a TXT text is seen as a record of each kind at all. */
static const struct {
	bool		 sts, tlsrpt;
	const char	*txt[16];
} is_cases[] = {
	/* The STS version, then a delimiter or the end; the version alone is
	 * seen as STS (and then refused by the parser for lack of an id). */
	{ true, false, { "v=STSv1; id=20240101", "v=STSv1;id=20240101",
	    "v=STSv1 ; id=20240101", "v=STSv1\t;id=20240101", "v=STSv1;",
	    "v=STSv1; id=1", "v=STSv1" } },
	/* The TLS-RPT version, then a delimiter or the end. */
	{ false, true, { "v=TLSRPTv1; rua=mailto:a@example.net",
	    "v=TLSRPTv1;rua=mailto:a@example.net",
	    "v=TLSRPTv1 \t; rua=mailto:a@example.net", "v=TLSRPTv1" } },
	/* Other texts are neither. */
	{ false, false, { "v=STSv1x; id=1", "v=STSv10; id=1", "v=STSv2; id=1",
	    "v=stsv1; id=1", "V=STSv1; id=1", " v=STSv1; id=1", "v=STSv",
	    "v=STS", "", "id=1; v=STSv1", "v=spf1 -all",
	    "v=TLSRPTv1x; rua=mailto:a@example.net",
	    "v=TLSRPTv10; rua=mailto:a@example.net",
	    "v=tlsrptv1; rua=mailto:a@example.net",
	    " v=TLSRPTv1; rua=mailto:a@example.net", "v=TLSRPT" } },
};

TEST_NO_LEAK(record_is, cases)
{
	for (size_t i = 0; i < UNIT_COUNT(is_cases); i++)
		UNIT_EACH(txt, is_cases[i].txt) {
			unit_case_input(*txt);
			cr_assert_eq(record_is_sts(*txt), is_cases[i].sts,
			    "case %s: %sseen as STS", unit_case,
			    is_cases[i].sts ? "not " : "");
			cr_assert_eq(record_is_tlsrpt(*txt), is_cases[i].tlsrpt,
			    "case %s: %sseen as TLS-RPT", unit_case,
			    is_cases[i].tlsrpt ? "not " : "");
		}
}

/* ---- record_sts_parse -------------------------------------------------- */

/* Accepted with the id `id`, or refused with `why` in the message. */
static const struct {
	const char	*id;
	const char	*why;
	const char	*txt[24];
} sts_cases[] = {
	/* A plain record gives the id; letters keep their case: the id is
	 * compared byte for byte. */
	{ "20160831085700Z", NULL, { "v=STSv1; id=20160831085700Z" } },
	{ "f8928e3814db8de48e11b4362bc16d61", NULL,
	  { "v=STSv1; id=f8928e3814db8de48e11b4362bc16d61" } },
	{ "1", NULL, { "v=STSv1; id=1" } },
	{ "a", NULL, { "v=STSv1; id=a" } },
	{ "AbC123xyZ", NULL, { "v=STSv1; id=AbC123xyZ" } },
	{ "abc", NULL, {
	    /* Whitespace around semicolons. */
	    "v=STSv1;id=abc", "v=STSv1 ;id=abc", "v=STSv1; id=abc",
	    "v=STSv1  ;  id=abc", "v=STSv1\t;\tid=abc",
	    "v=STSv1 \t ; \t id=abc",
	    /* Blanks after the last field, before the end. */
	    "v=STSv1; id=abc ", "v=STSv1; id=abc\t \t",
	    /* A trailing semicolon. */
	    "v=STSv1; id=abc;", "v=STSv1; id=abc ;", "v=STSv1; id=abc; ",
	    "v=STSv1; id=abc \t;\t ",
	    /* Extension fields are skipped. */
	    "v=STSv1; id=abc; foo=bar", "v=STSv1; foo=bar; id=abc",
	    "v=STSv1; x.y_z-1=v!a:l<u>e~; id=abc;",
	    /* Every character a value may have: %x21-3A / %x3C / %x3E-7E. */
	    "v=STSv1; id=abc; e=!\"#$%&'()*+,-./0123456789:<>?@AZ"
	    "[\\]^_`az{|}~",
	    /* A name of 32 characters (the longest), starting with a digit. */
	    "v=STSv1; id=abc; 0bcdefghijklmnopqrstuvwxyz_-.789=1",
	    /* Several extensions, around the id. */
	    "v=STSv1; a=1; b=2; id=abc; c=3;",
	    /* A field named like the version is just an extension here. */
	    "v=STSv1; id=abc; v=STSv1",
	    /* Field names are case-sensitive: "ID" is an extension, not the
	     * id. */
	    "v=STSv1; ID=other; id=abc" } },
	/* An id of exactly 32 characters. */
	{ "0123456789abcdefABCDEF0123456789", NULL,
	  { "v=STSv1; id=0123456789abcdefABCDEF0123456789" } },
	{ "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", NULL,
	  { "v=STSv1; id=zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz;" } },

	/* No id, or two. */
	{ NULL, "no id field", { "v=STSv1", "v=STSv1;", "v=STSv1; ",
	    "v=STSv1; foo=bar", "v=STSv1; ID=abc", "v=STSv1; Id=abc;" } },
	{ NULL, "two id fields", { "v=STSv1; id=abc; id=abc",
	    "v=STSv1; id=abc; id=def", "v=STSv1; id=abc; foo=bar; id=def;" } },

	/* The id is 1 to 32 characters. */
	{ NULL, "33 characters",
	  { "v=STSv1; id=0123456789abcdefABCDEF01234567890" } },
	{ NULL, "1 to 32",
	  { "v=STSv1; id=0123456789abcdefABCDEF01234567890" } },
	{ NULL, "64 characters",
	  { "v=STSv1; id=f8928e3814db8de48e11b4362bc16d61"
	    "1e7955636ba859dd7b81aca02dd01a94" } },
	{ NULL, "0 characters", { "v=STSv1; id=", "v=STSv1; id=;",
	    "v=STSv1; id=  ;" } },

	/* An id with other characters is refused. */
	{ NULL, "contains '-'", { "v=STSv1; id=2024-01-01" } },
	{ NULL, "contains '_'", { "v=STSv1; id=abc_def" } },
	{ NULL, "contains '.'", { "v=STSv1; id=abc.def" } },
	{ NULL, "contains ' '", { "v=STSv1; id=abc def", "v=STSv1; id= abc" } },
	{ NULL, "contains '='", { "v=STSv1; id=abc=def" } },
	{ NULL, "only letters and digits", { "v=STSv1; id=\"abc\"",
	    "v=STSv1; id=caf\xc3\xa9" } },

	/* Invalid extension fields are refused. Names: (ALPHA / DIGIT)
	 * *31(ALPHA / DIGIT / "_" / "-" / "."). */
	{ NULL, "not a valid field name", { "v=STSv1; id=abc; _foo=bar",
	    "v=STSv1; id=abc; -foo=bar", "v=STSv1; id=abc; .foo=bar",
	    "v=STSv1; id=abc; fo o=bar", "v=STSv1; id=abc; fo+o=bar",
	    "v=STSv1; id =abc",
	    "v=STSv1; id=abc; 0bcdefghijklmnopqrstuvwxyz_-.7890=1" } },
	/* Values: 1*(%x21-3A / %x3C / %x3E-7E). */
	{ NULL, "has no value", { "v=STSv1; id=abc; foo=",
	    "v=STSv1; id=abc; foo=;" } },
	{ NULL, "contains a space", { "v=STSv1; id=abc; foo=a b",
	    "v=STSv1; id=abc; foo=a\tb" } },
	{ NULL, "'='", { "v=STSv1; id=abc; foo=a=b" } },
	{ NULL, "printable ASCII", { "v=STSv1; id=abc; foo=caf\xc3\xa9",
	    "v=STSv1; id=abc; foo=a\x7f" } },

	/* Bad delimiters are refused: fields are separated by ";", not by
	 * blanks; a field with no '=', or empty between two delimiters, is
	 * no field. */
	{ NULL, "not followed by ';'",
	  { "v=STSv1 id=abc", "v=STSv1\tid=abc" } },
	{ NULL, "not a name=value field", { "v=STSv1; id",
	    "v=STSv1; foo; id=abc", "v=STSv1; =abc", "v=STSv1;; id=abc",
	    "v=STSv1; id=abc;;", "v=STSv1; id=abc; ;" } },
	/* A comma is no delimiter: "abc,x=1" is the id value. */
	{ NULL, "contains ','", { "v=STSv1; id=abc,x=1" } },
};

static void
sts_case(const char *txt, const char *want_id, const char *want_why)
{
	char	 id[RECORD_STS_ID_MAX + 1];
	char	 untouched[RECORD_STS_ID_MAX + 1];
	char	*why = unit_why_before(want_why);
	bool	 ok;

	unit_case_input(txt);
	/* Unterminated when an id is expected: the parser ends it. */
	memset(id, 'X', sizeof(id));
	if (want_id == NULL)
		id[RECORD_STS_ID_MAX] = '\0';
	memcpy(untouched, id, sizeof(id));
	cr_assert(record_is_sts(txt), "case %s: not seen as an STS record",
	    unit_case);
	ok = record_sts_parse(txt, id, &why);
	unit_expect_verdict(ok, why, want_why);
	if (want_id != NULL)
		cr_assert_str_eq(id, want_id, "case %s: gave the id '%s'",
		    unit_case, id);
	else
		cr_assert_eq(memcmp(id, untouched, sizeof(id)), 0,
		    "case %s: refused, but the id buffer was written",
		    unit_case);
}

TEST_NO_LEAK(record_sts, cases)
{
	for (size_t i = 0; i < UNIT_COUNT(sts_cases); i++)
		UNIT_EACH(txt, sts_cases[i].txt)
			sts_case(*txt, sts_cases[i].id, sts_cases[i].why);
}

/* ---- record_tlsrpt_parse ----------------------------------------------- */

/*
 * Accepted into an empty list with the URIs `rua` in order, or refused with
 * `why` in the message and nothing stored.
 */
static const struct {
	const char	*rua[4];
	const char	*why;
	const char	*txt[8];
} tlsrpt_cases[] = {
	/* One mailto: or https: URI; extension fields are skipped ("RUA" is
	 * one: names are case-sensitive). */
	{ { "mailto:tlsrpt@example.net" }, NULL, {
	    "v=TLSRPTv1; rua=mailto:tlsrpt@example.net",
	    "v=TLSRPTv1;rua=mailto:tlsrpt@example.net",
	    "v=TLSRPTv1 ; rua=mailto:tlsrpt@example.net ;",
	    "v=TLSRPTv1; rua=mailto:tlsrpt@example.net; ",
	    "v=TLSRPTv1\t;\trua=mailto:tlsrpt@example.net\t",
	    "v=TLSRPTv1; foo=bar; rua=mailto:tlsrpt@example.net",
	    "v=TLSRPTv1; rua=mailto:tlsrpt@example.net; x.y-z_1=!~;",
	    "v=TLSRPTv1; RUA=mailto:x@example.org; "
	    "rua=mailto:tlsrpt@example.net" } },
	{ { "https://reports.example.net/v1" }, NULL,
	  { "v=TLSRPTv1; rua=https://reports.example.net/v1" } },

	/* mailto: and https: in the order given. */
	{ { "mailto:tlsrpt@example.net", "https://reports.example.net/v1" },
	  NULL, { "v=TLSRPTv1; rua=mailto:tlsrpt@example.net,"
	      "https://reports.example.net/v1" } },
	{ { "https://reports.example.net/v1", "mailto:tlsrpt@example.net" },
	  NULL, { "v=TLSRPTv1; rua=https://reports.example.net/v1,"
	      "mailto:tlsrpt@example.net" } },
	/* A '=' inside a URI belongs to the URI, not to the field syntax. */
	{ { "mailto:a@example.net", "mailto:b@example.org",
	    "https://r.example.com:8443/x?y=1" }, NULL,
	  { "v=TLSRPTv1; rua=mailto:a@example.net,mailto:b@example.org,"
	      "https://r.example.com:8443/x?y=1;" } },
	/* Spaces around commas. */
	{ { "mailto:a@example.net", "https://r.example.net/" }, NULL, {
	    "v=TLSRPTv1; rua=mailto:a@example.net ,https://r.example.net/",
	    "v=TLSRPTv1; rua=mailto:a@example.net, https://r.example.net/",
	    "v=TLSRPTv1; rua=mailto:a@example.net  ,\t "
	    "https://r.example.net/ " } },
	/* A percent-encoded comma stays in the URI. */
	{ { "mailto:a%2Cb@example.net" }, NULL,
	  { "v=TLSRPTv1; rua=mailto:a%2Cb@example.net" } },
	{ { "mailto:a%2cb@example.net", "https://r.example.net/a%3Bb" }, NULL,
	  { "v=TLSRPTv1; rua=mailto:a%2cb@example.net,"
	      "https://r.example.net/a%3Bb" } },

	/* The rua field is required, once. */
	{ { NULL }, "no rua field", { "v=TLSRPTv1", "v=TLSRPTv1;",
	    "v=TLSRPTv1; foo=bar", "v=TLSRPTv1; RUA=mailto:a@example.net" } },
	{ { NULL }, "RFC 8460", { "v=TLSRPTv1" } },
	{ { NULL }, "two rua fields", {
	    "v=TLSRPTv1; rua=mailto:a@example.net; rua=mailto:b@example.net",
	    "v=TLSRPTv1; rua=mailto:a@example.net; rua=mailto:a@example.net;",
	    "v=TLSRPTv1; rua=mailto:a@example.net,"
	    "https://r.example.net/; foo=1; rua=mailto:b@example.net" } },

	/* An empty rua, empty entries, a trailing comma. */
	{ { NULL }, "rua field is empty", { "v=TLSRPTv1; rua=",
	    "v=TLSRPTv1; rua=;", "v=TLSRPTv1; rua= " } },
	{ { NULL }, "empty entry", { "v=TLSRPTv1; rua=,mailto:a@example.net",
	    "v=TLSRPTv1; rua=mailto:a@example.net,,mailto:b@example.net",
	    "v=TLSRPTv1; rua=mailto:a@example.net, ,mailto:b@example.net",
	    "v=TLSRPTv1; rua=," } },
	{ { NULL }, "ends with a comma", {
	    "v=TLSRPTv1; rua=mailto:a@example.net,",
	    "v=TLSRPTv1; rua=mailto:a@example.net, ",
	    "v=TLSRPTv1; rua=mailto:a@example.net,;",
	    "v=TLSRPTv1; rua=mailto:a@example.net,https://r.example.net/," } },

	/* Invalid URIs are refused. A raw comma splits the URI into two, the
	 * first not an address. */
	{ { NULL }, "not a mail address",
	  { "v=TLSRPTv1; rua=mailto:a,b@example.net" } },
	{ { NULL }, "neither a mailto: nor an https:",
	  { "v=TLSRPTv1; rua=http://r.example.net/" } },
	{ { NULL }, "neither", {
	    "v=TLSRPTv1; rua=mailto:a@example.net,http://r.example.net/",
	    "v=TLSRPTv1; rua=https://r.example.net/,tlsrpt@example.net" } },
	{ { NULL }, "single label",
	  { "v=TLSRPTv1; rua=mailto:tlsrpt@localhost" } },
	{ { NULL }, "no host name", { "v=TLSRPTv1; rua=https:///x" } },
	{ { NULL }, "%XX", { "v=TLSRPTv1; rua=mailto:a%2@example.net" } },
	/* Two URIs separated by a blank and no comma are one bad URI. */
	{ { NULL }, "space",
	  { "v=TLSRPTv1; rua=mailto:a@example.net mailto:b@example.net" } },
	{ { NULL }, "quote", { "v=TLSRPTv1; rua=mailto:a\"b@example.net" } },

	/* Invalid extensions and delimiters are refused; a raw ';' ends the
	 * field: the rest is not a name=value field. */
	{ { NULL }, "not a valid field name",
	  { "v=TLSRPTv1; rua=mailto:a@example.net; _x=1" } },
	{ { NULL }, "has no value",
	  { "v=TLSRPTv1; rua=mailto:a@example.net; x=" } },
	{ { NULL }, "contains a space",
	  { "v=TLSRPTv1; rua=mailto:a@example.net; x=a b" } },
	{ { NULL }, "not followed by ';'",
	  { "v=TLSRPTv1 rua=mailto:a@example.net" } },
	{ { NULL }, "not a name=value field", {
	    "v=TLSRPTv1; rua=https://r.example.net/a;b",
	    "v=TLSRPTv1;; rua=mailto:a@example.net",
	    "v=TLSRPTv1; rua=mailto:a@example.net; junk" } },
};

static void
tlsrpt_case(const char *txt, const char *const *want, const char *want_why)
{
	struct strvec	 rua = { 0 };
	char		*why = unit_why_before(want_why);
	size_t		 n = 0;
	bool		 ok;

	unit_case_input(txt);
	while (n < 4 && want[n] != NULL)
		n++;
	cr_assert(record_is_tlsrpt(txt), "case %s: not seen as a TLS-RPT "
	    "record", unit_case);
	ok = record_tlsrpt_parse(txt, &rua, &why);
	unit_expect_verdict(ok, why, want_why);
	cr_assert_eq(rua.sv_count, n, "case %s: %zu URIs, expected %zu",
	    unit_case, rua.sv_count, n);
	for (size_t j = 0; j < n; j++)
		cr_assert_str_eq(rua.sv_items[j], want[j],
		    "case %s: URI %zu is '%s', expected '%s'", unit_case, j,
		    rua.sv_items[j], want[j]);
	if (n == 0)
		cr_assert_null(rua.sv_items, "case %s: refused, but the list "
		    "was allocated", unit_case);
	strvec_free(&rua);
}

TEST_NO_LEAK(record_tlsrpt, cases)
{
	for (size_t i = 0; i < UNIT_COUNT(tlsrpt_cases); i++)
		UNIT_EACH(txt, tlsrpt_cases[i].txt)
			tlsrpt_case(*txt, tlsrpt_cases[i].rua,
			    tlsrpt_cases[i].why);
}

TEST_NO_LEAK(record_tlsrpt, appends_to_what_the_list_holds)
{
	struct strvec	 rua = { 0 };
	char		*why = NULL;

	strvec_push(&rua, strdup("mailto:first@example.net"));
	cr_assert(record_tlsrpt_parse("v=TLSRPTv1; rua=mailto:a@example.net,"
	    "https://r.example.net/", &rua, &why), "refused: %s", why);
	cr_assert_null(why);
	cr_assert_eq(rua.sv_count, 3);
	cr_assert_str_eq(rua.sv_items[0], "mailto:first@example.net");
	cr_assert_str_eq(rua.sv_items[1], "mailto:a@example.net");
	cr_assert_str_eq(rua.sv_items[2], "https://r.example.net/");
	/* A refused record leaves the list as it was. */
	cr_assert_not(record_tlsrpt_parse("v=TLSRPTv1; "
	    "rua=mailto:b@example.net,http://r.example.net/", &rua, &why));
	cr_assert_not_null(why);
	free(why);
	cr_assert_eq(rua.sv_count, 3);
	cr_assert_str_eq(rua.sv_items[2], "https://r.example.net/");
	strvec_free(&rua);
}
