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

/* ---- checks shared by the tests below ---------------------------------- */

static void
sts_ok(const char *txt, const char *want_id)
{
	char	 id[RECORD_STS_ID_MAX + 1];
	char	*why = (char *)"unset";

	memset(id, 'X', sizeof(id));
	cr_assert(record_is_sts(txt), "'%s' is not seen as an STS record", txt);
	cr_assert(record_sts_parse(txt, id, &why), "'%s' refused: %s", txt,
	    why != NULL ? why : "(no message)");
	cr_assert_null(why, "'%s' accepted but a message was set", txt);
	cr_assert_str_eq(id, want_id, "'%s' gave the id '%s'", txt, id);
}

static void
sts_bad(const char *txt, const char *needle)
{
	char	 id[RECORD_STS_ID_MAX + 1];
	char	 untouched[RECORD_STS_ID_MAX + 1];
	char	*why = NULL;

	memset(id, 'X', sizeof(id) - 1);
	id[RECORD_STS_ID_MAX] = '\0';
	memcpy(untouched, id, sizeof(id));
	cr_assert(record_is_sts(txt), "'%s' is not seen as an STS record", txt);
	cr_assert_not(record_sts_parse(txt, id, &why), "'%s' accepted (id "
	    "'%s')", txt, id);
	cr_assert_not_null(why, "'%s' refused without a message", txt);
	cr_assert(strstr(why, needle) != NULL,
	    "message for '%s' is \"%s\", expected \"%s\" in it", txt, why,
	    needle);
	cr_assert_eq(memcmp(id, untouched, sizeof(id)), 0,
	    "'%s' was refused but the id buffer was written", txt);
	free(why);
}

/* Parse into an empty list and compare with want[0..n-1]. */
static void
tlsrpt_ok(const char *txt, const char *const *want, size_t n)
{
	struct strvec	 rua = { 0 };
	char		*why = (char *)"unset";

	cr_assert(record_is_tlsrpt(txt), "'%s' is not seen as a TLS-RPT "
	    "record", txt);
	cr_assert(record_tlsrpt_parse(txt, &rua, &why), "'%s' refused: %s",
	    txt, why != NULL ? why : "(no message)");
	cr_assert_null(why, "'%s' accepted but a message was set", txt);
	cr_assert_eq(rua.sv_count, n, "'%s' gave %zu URIs, expected %zu", txt,
	    rua.sv_count, n);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(rua.sv_items[i], want[i],
		    "'%s': URI %zu is '%s', expected '%s'", txt, i,
		    rua.sv_items[i], want[i]);
	strvec_free(&rua);
}

static void
tlsrpt_bad(const char *txt, const char *needle)
{
	struct strvec	 rua = { 0 };
	char		*why = NULL;

	cr_assert(record_is_tlsrpt(txt), "'%s' is not seen as a TLS-RPT "
	    "record", txt);
	cr_assert_not(record_tlsrpt_parse(txt, &rua, &why), "'%s' accepted",
	    txt);
	cr_assert_not_null(why, "'%s' refused without a message", txt);
	cr_assert(strstr(why, needle) != NULL,
	    "message for '%s' is \"%s\", expected \"%s\" in it", txt, why,
	    needle);
	cr_assert_eq(rua.sv_count, 0, "'%s' was refused but %zu URIs were "
	    "stored", txt, rua.sv_count);
	cr_assert_null(rua.sv_items, "'%s' was refused but the list was "
	    "allocated", txt);
	free(why);
}

/* ---- record_is_sts / record_is_tlsrpt ---------------------------------- */

TEST_NO_LEAK(record_is, sts_version_then_delimiter_or_end)
{
	cr_assert(record_is_sts("v=STSv1; id=20240101"));
	cr_assert(record_is_sts("v=STSv1;id=20240101"));
	cr_assert(record_is_sts("v=STSv1 ; id=20240101"));
	cr_assert(record_is_sts("v=STSv1\t;id=20240101"));
	cr_assert(record_is_sts("v=STSv1;"));
	/* Seen as STS (and then refused by the parser for lack of an id). */
	cr_assert(record_is_sts("v=STSv1"));
}

TEST_NO_LEAK(record_is, sts_other_texts_are_not_sts)
{
	static const char *const other[] = {
		"v=STSv1x; id=1", "v=STSv10; id=1", "v=STSv2; id=1",
		"v=stsv1; id=1", "V=STSv1; id=1", " v=STSv1; id=1",
		"v=STSv", "v=STS", "", "id=1; v=STSv1",
		"v=TLSRPTv1; rua=mailto:a@example.net",
		"v=spf1 -all",
	};

	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		cr_assert_not(record_is_sts(other[i]), "'%s' seen as STS",
		    other[i]);
}

TEST_NO_LEAK(record_is, tlsrpt_version_then_delimiter_or_end)
{
	static const char *const other[] = {
		"v=TLSRPTv1x; rua=mailto:a@example.net",
		"v=TLSRPTv10; rua=mailto:a@example.net",
		"v=tlsrptv1; rua=mailto:a@example.net",
		" v=TLSRPTv1; rua=mailto:a@example.net",
		"v=TLSRPT", "", "v=STSv1; id=1",
	};

	cr_assert(record_is_tlsrpt("v=TLSRPTv1; rua=mailto:a@example.net"));
	cr_assert(record_is_tlsrpt("v=TLSRPTv1;rua=mailto:a@example.net"));
	cr_assert(record_is_tlsrpt("v=TLSRPTv1 \t; rua=mailto:a@example.net"));
	cr_assert(record_is_tlsrpt("v=TLSRPTv1"));
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		cr_assert_not(record_is_tlsrpt(other[i]),
		    "'%s' seen as TLS-RPT", other[i]);
}

/* ---- record_sts_parse: accepted ---------------------------------------- */

TEST_NO_LEAK(record_sts, plain_record_gives_the_id)
{
	sts_ok("v=STSv1; id=20160831085700Z", "20160831085700Z");
	sts_ok("v=STSv1; id=f8928e3814db8de48e11b4362bc16d61",
	    "f8928e3814db8de48e11b4362bc16d61");
	sts_ok("v=STSv1; id=1", "1");
	sts_ok("v=STSv1; id=a", "a");
	/* Letters keep their case: the id is compared byte for byte. */
	sts_ok("v=STSv1; id=AbC123xyZ", "AbC123xyZ");
}

TEST_NO_LEAK(record_sts, whitespace_around_semicolons)
{
	sts_ok("v=STSv1;id=abc", "abc");
	sts_ok("v=STSv1 ;id=abc", "abc");
	sts_ok("v=STSv1; id=abc", "abc");
	sts_ok("v=STSv1  ;  id=abc", "abc");
	sts_ok("v=STSv1\t;\tid=abc", "abc");
	sts_ok("v=STSv1 \t ; \t id=abc", "abc");
	/* Blanks after the last field, before the end. */
	sts_ok("v=STSv1; id=abc ", "abc");
	sts_ok("v=STSv1; id=abc\t \t", "abc");
}

TEST_NO_LEAK(record_sts, trailing_semicolon)
{
	sts_ok("v=STSv1; id=abc;", "abc");
	sts_ok("v=STSv1; id=abc ;", "abc");
	sts_ok("v=STSv1; id=abc; ", "abc");
	sts_ok("v=STSv1; id=abc \t;\t ", "abc");
}

TEST_NO_LEAK(record_sts, id_of_exactly_32_characters)
{
	sts_ok("v=STSv1; id=0123456789abcdefABCDEF0123456789",
	    "0123456789abcdefABCDEF0123456789");
	sts_ok("v=STSv1; id=zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz;",
	    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz");
}

TEST_NO_LEAK(record_sts, extension_fields_are_skipped)
{
	sts_ok("v=STSv1; id=abc; foo=bar", "abc");
	sts_ok("v=STSv1; foo=bar; id=abc", "abc");
	sts_ok("v=STSv1; x.y_z-1=v!a:l<u>e~; id=abc;", "abc");
	/* Every character a value may have: %x21-3A / %x3C / %x3E-7E. */
	sts_ok("v=STSv1; id=abc; e=!\"#$%&'()*+,-./0123456789:<>?@AZ"
	    "[\\]^_`az{|}~", "abc");
	/* A name of 32 characters (the longest), starting with a digit. */
	sts_ok("v=STSv1; id=abc; 0bcdefghijklmnopqrstuvwxyz_-.789=1", "abc");
	/* Several extensions, around the id. */
	sts_ok("v=STSv1; a=1; b=2; id=abc; c=3;", "abc");
	/* A field named like the version is just an extension here. */
	sts_ok("v=STSv1; id=abc; v=STSv1", "abc");
	/* Field names are case-sensitive: "ID" is an extension, not the id. */
	sts_ok("v=STSv1; ID=other; id=abc", "abc");
}

/* ---- record_sts_parse: refused ----------------------------------------- */

TEST_NO_LEAK(record_sts, no_id_is_refused)
{
	sts_bad("v=STSv1", "no id field");
	sts_bad("v=STSv1;", "no id field");
	sts_bad("v=STSv1; ", "no id field");
	sts_bad("v=STSv1; foo=bar", "no id field");
	sts_bad("v=STSv1; ID=abc", "no id field");
	sts_bad("v=STSv1; Id=abc;", "no id field");
}

TEST_NO_LEAK(record_sts, two_ids_are_refused)
{
	sts_bad("v=STSv1; id=abc; id=abc", "two id fields");
	sts_bad("v=STSv1; id=abc; id=def", "two id fields");
	sts_bad("v=STSv1; id=abc; foo=bar; id=def;", "two id fields");
}

TEST_NO_LEAK(record_sts, id_length_limits)
{
	sts_bad("v=STSv1; id=0123456789abcdefABCDEF01234567890",
	    "33 characters");
	sts_bad("v=STSv1; id=0123456789abcdefABCDEF01234567890", "1 to 32");
	sts_bad("v=STSv1; id=f8928e3814db8de48e11b4362bc16d611e7955636ba859dd"
	    "7b81aca02dd01a94", "64 characters");
	sts_bad("v=STSv1; id=", "0 characters");
	sts_bad("v=STSv1; id=;", "0 characters");
	sts_bad("v=STSv1; id=  ;", "0 characters");
}

TEST_NO_LEAK(record_sts, id_with_other_characters_is_refused)
{
	sts_bad("v=STSv1; id=2024-01-01", "contains '-'");
	sts_bad("v=STSv1; id=abc_def", "contains '_'");
	sts_bad("v=STSv1; id=abc.def", "contains '.'");
	sts_bad("v=STSv1; id=abc def", "contains ' '");
	sts_bad("v=STSv1; id= abc", "contains ' '");
	sts_bad("v=STSv1; id=abc=def", "contains '='");
	sts_bad("v=STSv1; id=\"abc\"", "only letters and digits");
	sts_bad("v=STSv1; id=caf\xc3\xa9", "only letters and digits");
}

TEST_NO_LEAK(record_sts, invalid_extension_fields_are_refused)
{
	/* Names: (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / "."). */
	sts_bad("v=STSv1; id=abc; _foo=bar", "not a valid field name");
	sts_bad("v=STSv1; id=abc; -foo=bar", "not a valid field name");
	sts_bad("v=STSv1; id=abc; .foo=bar", "not a valid field name");
	sts_bad("v=STSv1; id=abc; fo o=bar", "not a valid field name");
	sts_bad("v=STSv1; id=abc; fo+o=bar", "not a valid field name");
	sts_bad("v=STSv1; id =abc", "not a valid field name");
	sts_bad("v=STSv1; id=abc; 0bcdefghijklmnopqrstuvwxyz_-.7890=1",
	    "not a valid field name");
	/* Values: 1*(%x21-3A / %x3C / %x3E-7E). */
	sts_bad("v=STSv1; id=abc; foo=", "has no value");
	sts_bad("v=STSv1; id=abc; foo=;", "has no value");
	sts_bad("v=STSv1; id=abc; foo=a b", "contains a space");
	sts_bad("v=STSv1; id=abc; foo=a=b", "'='");
	sts_bad("v=STSv1; id=abc; foo=a\tb", "contains a space");
	sts_bad("v=STSv1; id=abc; foo=caf\xc3\xa9", "printable ASCII");
	sts_bad("v=STSv1; id=abc; foo=a\x7f", "printable ASCII");
}

TEST_NO_LEAK(record_sts, bad_delimiters_are_refused)
{
	/* Fields are separated by ";", not by blanks. */
	sts_bad("v=STSv1 id=abc", "not followed by ';'");
	sts_bad("v=STSv1\tid=abc", "not followed by ';'");
	/* A field with no '='. */
	sts_bad("v=STSv1; id", "not a name=value field");
	sts_bad("v=STSv1; foo; id=abc", "not a name=value field");
	sts_bad("v=STSv1; =abc", "not a name=value field");
	/* Two delimiters in a row leave an empty field. */
	sts_bad("v=STSv1;; id=abc", "not a name=value field");
	sts_bad("v=STSv1; id=abc;;", "not a name=value field");
	sts_bad("v=STSv1; id=abc; ;", "not a name=value field");
	/* A comma is no delimiter: "abc,x=1" is the id value. */
	sts_bad("v=STSv1; id=abc,x=1", "contains ','");
}

/* ---- record_tlsrpt_parse: accepted ------------------------------------- */

TEST_NO_LEAK(record_tlsrpt, one_mailto_or_https)
{
	static const char *const m[] = { "mailto:tlsrpt@example.net" };
	static const char *const h[] = { "https://reports.example.net/v1" };

	tlsrpt_ok("v=TLSRPTv1; rua=mailto:tlsrpt@example.net", m, 1);
	tlsrpt_ok("v=TLSRPTv1;rua=mailto:tlsrpt@example.net", m, 1);
	tlsrpt_ok("v=TLSRPTv1 ; rua=mailto:tlsrpt@example.net ;", m, 1);
	tlsrpt_ok("v=TLSRPTv1; rua=mailto:tlsrpt@example.net; ", m, 1);
	tlsrpt_ok("v=TLSRPTv1\t;\trua=mailto:tlsrpt@example.net\t", m, 1);
	tlsrpt_ok("v=TLSRPTv1; rua=https://reports.example.net/v1", h, 1);
}

TEST_NO_LEAK(record_tlsrpt, mailto_and_https_in_order)
{
	static const char *const mh[] = { "mailto:tlsrpt@example.net",
	    "https://reports.example.net/v1" };
	static const char *const hm[] = { "https://reports.example.net/v1",
	    "mailto:tlsrpt@example.net" };
	static const char *const three[] = { "mailto:a@example.net",
	    "mailto:b@example.org", "https://r.example.com:8443/x?y=1" };

	tlsrpt_ok("v=TLSRPTv1; rua=mailto:tlsrpt@example.net,"
	    "https://reports.example.net/v1", mh, 2);
	tlsrpt_ok("v=TLSRPTv1; rua=https://reports.example.net/v1,"
	    "mailto:tlsrpt@example.net", hm, 2);
	/* A '=' inside a URI belongs to the URI, not to the field syntax. */
	tlsrpt_ok("v=TLSRPTv1; rua=mailto:a@example.net,mailto:b@example.org,"
	    "https://r.example.com:8443/x?y=1;", three, 3);
}

TEST_NO_LEAK(record_tlsrpt, spaces_around_commas)
{
	static const char *const ab[] = { "mailto:a@example.net",
	    "https://r.example.net/" };

	tlsrpt_ok("v=TLSRPTv1; rua=mailto:a@example.net "
	    ",https://r.example.net/", ab, 2);
	tlsrpt_ok("v=TLSRPTv1; rua=mailto:a@example.net, "
	    "https://r.example.net/", ab, 2);
	tlsrpt_ok("v=TLSRPTv1; rua=mailto:a@example.net  ,\t "
	    "https://r.example.net/ ", ab, 2);
}

TEST_NO_LEAK(record_tlsrpt, percent_encoded_comma_stays_in_the_uri)
{
	static const char *const one[] = { "mailto:a%2Cb@example.net" };
	static const char *const two[] = { "mailto:a%2cb@example.net",
	    "https://r.example.net/a%3Bb" };

	tlsrpt_ok("v=TLSRPTv1; rua=mailto:a%2Cb@example.net", one, 1);
	tlsrpt_ok("v=TLSRPTv1; rua=mailto:a%2cb@example.net,"
	    "https://r.example.net/a%3Bb", two, 2);
}

TEST_NO_LEAK(record_tlsrpt, extension_fields_are_skipped)
{
	static const char *const m[] = { "mailto:tlsrpt@example.net" };

	tlsrpt_ok("v=TLSRPTv1; foo=bar; rua=mailto:tlsrpt@example.net", m, 1);
	tlsrpt_ok("v=TLSRPTv1; rua=mailto:tlsrpt@example.net; x.y-z_1=!~;", m,
	    1);
	/* "RUA" is an extension (names are case-sensitive). */
	tlsrpt_ok("v=TLSRPTv1; RUA=mailto:x@example.org; "
	    "rua=mailto:tlsrpt@example.net", m, 1);
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

/* ---- record_tlsrpt_parse: refused -------------------------------------- */

TEST_NO_LEAK(record_tlsrpt, rua_is_required)
{
	tlsrpt_bad("v=TLSRPTv1", "no rua field");
	tlsrpt_bad("v=TLSRPTv1;", "no rua field");
	tlsrpt_bad("v=TLSRPTv1; foo=bar", "no rua field");
	tlsrpt_bad("v=TLSRPTv1; RUA=mailto:a@example.net", "no rua field");
	tlsrpt_bad("v=TLSRPTv1", "RFC 8460");
}

TEST_NO_LEAK(record_tlsrpt, two_rua_fields_are_refused)
{
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a@example.net; "
	    "rua=mailto:b@example.net", "two rua fields");
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a@example.net; "
	    "rua=mailto:a@example.net;", "two rua fields");
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a@example.net,"
	    "https://r.example.net/; foo=1; rua=mailto:b@example.net",
	    "two rua fields");
}

TEST_NO_LEAK(record_tlsrpt, empty_rua_and_empty_entries)
{
	tlsrpt_bad("v=TLSRPTv1; rua=", "rua field is empty");
	tlsrpt_bad("v=TLSRPTv1; rua=;", "rua field is empty");
	tlsrpt_bad("v=TLSRPTv1; rua= ", "rua field is empty");
	tlsrpt_bad("v=TLSRPTv1; rua=,mailto:a@example.net", "empty entry");
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a@example.net,,mailto:b@example.net",
	    "empty entry");
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a@example.net, ,"
	    "mailto:b@example.net", "empty entry");
	tlsrpt_bad("v=TLSRPTv1; rua=,", "empty entry");
}

TEST_NO_LEAK(record_tlsrpt, trailing_comma_is_refused)
{
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a@example.net,",
	    "ends with a comma");
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a@example.net, ",
	    "ends with a comma");
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a@example.net,;",
	    "ends with a comma");
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a@example.net,"
	    "https://r.example.net/,", "ends with a comma");
}

TEST_NO_LEAK(record_tlsrpt, invalid_uris_are_refused)
{
	/* A raw comma splits the URI into two, the first not an address. */
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a,b@example.net",
	    "not a mail address");
	tlsrpt_bad("v=TLSRPTv1; rua=http://r.example.net/",
	    "neither a mailto: nor an https:");
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a@example.net,http://r.example.net/",
	    "neither");
	tlsrpt_bad("v=TLSRPTv1; rua=https://r.example.net/,tlsrpt@example.net",
	    "neither");
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:tlsrpt@localhost", "single label");
	tlsrpt_bad("v=TLSRPTv1; rua=https:///x", "no host name");
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a%2@example.net", "%XX");
	/* Two URIs separated by a blank and no comma are one bad URI. */
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a@example.net mailto:b@example.net",
	    "space");
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a\"b@example.net", "quote");
	/* A raw ';' ends the field: the rest is not a name=value field. */
	tlsrpt_bad("v=TLSRPTv1; rua=https://r.example.net/a;b",
	    "not a name=value field");
}

TEST_NO_LEAK(record_tlsrpt, invalid_extensions_and_delimiters_are_refused)
{
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a@example.net; _x=1",
	    "not a valid field name");
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a@example.net; x=",
	    "has no value");
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a@example.net; x=a b",
	    "contains a space");
	tlsrpt_bad("v=TLSRPTv1 rua=mailto:a@example.net",
	    "not followed by ';'");
	tlsrpt_bad("v=TLSRPTv1;; rua=mailto:a@example.net",
	    "not a name=value field");
	tlsrpt_bad("v=TLSRPTv1; rua=mailto:a@example.net; junk",
	    "not a name=value field");
}
