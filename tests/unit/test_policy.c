/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * policy.c: the exact bytes served (RFC 8461 3.2) and the id derived from
 * them, which the DNS record must carry and which must change exactly when
 * the bytes do.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "../../config/policy.h"
#include "../../config/strvec.h"
#include "unit.h"

/*
 * printf 'version: STSv1\r\nmode: none\r\nmx: mx.example.net\r\nmax_age: 86400\r\n' \
 *     | sha256sum
 * gives f8928e3814db8de48e11b4362bc16d611e7955636ba859dd7b81aca02dd01a94;
 * the id is its first 32 hex digits.
 */
#define NONE_BODY	"version: STSv1\r\nmode: none\r\nmx: mx.example.net\r\n" \
			"max_age: 86400\r\n"
#define NONE_BODY_ID	"f8928e3814db8de48e11b4362bc16d61"

#define ENFORCE		POLICY_MODE_ENFORCE
#define TESTING		POLICY_MODE_TESTING
#define NONE		POLICY_MODE_NONE

/* The mx patterns of a table row: at most 4, the rest NULL. */
#define MX_MAX		4

static size_t
mx_count(const char *const *mx)
{
	size_t n = 0;

	while (n < MX_MAX && mx[n] != NULL)
		n++;
	return n;
}

static void
policy_init(struct policy *pol, enum policy_mode mode, uint32_t max_age,
    const char *const *mx, size_t nmx)
{
	memset(pol, 0, sizeof(*pol));
	pol->pol_mode = mode;
	pol->pol_max_age = max_age;
	for (size_t i = 0; i < nmx; i++)
		strvec_push(&pol->pol_mx, strdup(mx[i]));
}

/* The id computed here, independently of policy_id(). */
static void
sha256_prefix(const char *body, size_t len, char out[POLICY_ID_LEN + 1])
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		digest[WC_SHA256_DIGEST_SIZE];

	cr_assert_eq(wc_Sha256Hash((const unsigned char *)body, (word32)len,
	    digest), 0);
	for (size_t i = 0; i < POLICY_ID_LEN / 2; i++) {
		out[2 * i] = hex[digest[i] >> 4];
		out[2 * i + 1] = hex[digest[i] & 0xf];
	}
	out[POLICY_ID_LEN] = '\0';
}

static char *
render(const struct policy *pol, size_t *lenp)
{
	char *body = policy_render(pol, lenp);

	cr_assert_not_null(body, CASE);
	cr_assert_eq(strlen(body), *lenp, "case %s: length %zu but strlen %zu",
	    unit_case, *lenp, strlen(body));
	return body;
}

/* ASCII, every line ends in CRLF, no line is blank. */
static void
expect_well_formed(const char *body, size_t len)
{
	cr_assert(len >= 2 && body[len - 2] == '\r' && body[len - 1] == '\n',
	    "case %s: the last line must end in CRLF", unit_case);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)body[i];

		cr_assert(c < 0x80, "case %s: non-ASCII byte at %zu",
		    unit_case, i);
		if (c == '\n')
			cr_assert(i > 0 && body[i - 1] == '\r',
			    "case %s: bare LF at offset %zu", unit_case, i);
		if (c == '\r')
			cr_assert(i + 1 < len && body[i + 1] == '\n',
			    "case %s: bare CR at offset %zu", unit_case, i);
	}
	cr_assert_null(strstr(body, "\r\n\r\n"), "case %s: blank line in the "
	    "body", unit_case);
	cr_assert_neq(body[0], ' ', CASE);
}

/* ---- policy_parse: shared checks --------------------------------------- */

/* Parse `len` bytes with no terminator after them (ASan sees overreads). */
static bool
parse_n(const char *body, size_t len, struct policy *pol, char **why)
{
	char	*copy = malloc(len > 0 ? len : 1);
	bool	 ok;

	cr_assert_not_null(copy);
	memcpy(copy, body, len);
	ok = policy_parse(copy, len, pol, why);
	free(copy);
	return ok;
}

static void
parse_ok_n(const char *body, size_t len, struct policy *pol)
{
	char *why = unit_why_before(NULL);
	bool  ok;

	memset(pol, 0xa5, sizeof(*pol));
	ok = parse_n(body, len, pol, &why);
	unit_expect_verdict(ok, why, NULL);
}

static void
expect_fields(const struct policy *pol, enum policy_mode mode,
    uint32_t max_age, const char *const *mx, size_t nmx)
{
	cr_assert_eq(pol->pol_mode, mode, "case %s: mode %s, expected %s",
	    unit_case, policy_mode_name(pol->pol_mode),
	    policy_mode_name(mode));
	cr_assert_eq(pol->pol_max_age, max_age, "case %s: max_age %u, "
	    "expected %u", unit_case, (unsigned)pol->pol_max_age,
	    (unsigned)max_age);
	cr_assert_eq(pol->pol_mx.sv_count, nmx, "case %s: %zu mx, expected "
	    "%zu", unit_case, pol->pol_mx.sv_count, nmx);
	for (size_t i = 0; i < nmx; i++)
		cr_assert_str_eq(pol->pol_mx.sv_items[i], mx[i],
		    "case %s: mx %zu is '%s', expected '%s'", unit_case, i,
		    pol->pol_mx.sv_items[i], mx[i]);
	if (nmx == 0)
		cr_assert_null(pol->pol_mx.sv_items, CASE);
}

/*
 * Refused, with `needle` in the message, and no mx left in `pol`; freeing
 * the refused policy again is harmless.
 */
static void
parse_bad_n(const char *body, size_t len, const char *needle)
{
	struct policy	 pol;
	char		*why = unit_why_before(needle);
	bool		 ok;

	memset(&pol, 0xa5, sizeof(pol));
	ok = parse_n(body, len, &pol, &why);
	if (ok)
		policy_free(&pol);	/* so the failure below is no leak */
	unit_expect_verdict(ok, why, needle);
	cr_assert_eq(pol.pol_mx.sv_count, 0, "case %s: refused, but %zu mx "
	    "stored", unit_case, pol.pol_mx.sv_count);
	cr_assert_null(pol.pol_mx.sv_items, "case %s: refused, but the mx "
	    "list is allocated", unit_case);
	policy_free(&pol);
}

/* ---- policy_render, policy_id and back --------------------------------- */

/*
 * Each policy renders to exactly `body`, well formed; its id is the SHA-256
 * prefix (`id` where known), the same for an identical policy; parsing the
 * body gives the policy back, and rendering that gives the same bytes.
 */
static const struct {
	const char		*name;
	enum policy_mode	 mode;
	uint32_t		 max_age;
	const char		*mx[MX_MAX];
	const char		*body;
	const char		*id;
} render_cases[] = {
	{ "the configured order", ENFORCE, 604800,
	  { "a.example", "*.b.example" },
	  "version: STSv1\r\nmode: enforce\r\n"
	  "mx: a.example\r\nmx: *.b.example\r\nmax_age: 604800\r\n", NULL },
	{ "three mx for a year", TESTING, 31557600,
	  { "mx1.example.net", "mx2.example.net", "*.backup.example.net" },
	  "version: STSv1\r\nmode: testing\r\n"
	  "mx: mx1.example.net\r\nmx: mx2.example.net\r\n"
	  "mx: *.backup.example.net\r\nmax_age: 31557600\r\n", NULL },
	{ "mode none", NONE, 86400, { "mx.example.net" }, NONE_BODY,
	  NONE_BODY_ID },
	{ "two weeks of testing", TESTING, 1209600,
	  { "mx1.example.net", "mx2.example.net" },
	  "version: STSv1\r\nmode: testing\r\n"
	  "mx: mx1.example.net\r\nmx: mx2.example.net\r\nmax_age: 1209600\r\n",
	  NULL },
	{ "four mx", ENFORCE, 604800,
	  { "mx1.example.net", "*.example.org", "mx-2.backup.example.com",
	      "*.b.example" },
	  "version: STSv1\r\nmode: enforce\r\n"
	  "mx: mx1.example.net\r\nmx: *.example.org\r\n"
	  "mx: mx-2.backup.example.com\r\nmx: *.b.example\r\n"
	  "max_age: 604800\r\n", NULL },
	{ "one mx in testing", TESTING, 86400, { "mx.example.net" },
	  "version: STSv1\r\nmode: testing\r\n"
	  "mx: mx.example.net\r\nmax_age: 86400\r\n", NULL },
	{ "mode none without mx", NONE, 0, { NULL },
	  "version: STSv1\r\nmode: none\r\nmax_age: 0\r\n", NULL },
	{ "two mx for a year", ENFORCE, 31557600,
	  { "mx1.example.net", "*.example.org" },
	  "version: STSv1\r\nmode: enforce\r\n"
	  "mx: mx1.example.net\r\nmx: *.example.org\r\n"
	  "max_age: 31557600\r\n", NULL },
	{ "a second", TESTING, 1,
	  { "*.example.org", "mx-2.backup.example.com", "*.b.example" },
	  "version: STSv1\r\nmode: testing\r\n"
	  "mx: *.example.org\r\nmx: mx-2.backup.example.com\r\n"
	  "mx: *.b.example\r\nmax_age: 1\r\n", NULL },
};

TEST_NO_LEAK(policy, render_id_and_parse_back)
{
	for (size_t i = 0; i < UNIT_COUNT(render_cases); i++) {
		const char *const *mx = render_cases[i].mx;
		size_t		 nmx = mx_count(mx), len, len2, len3;
		struct policy	 src, same, back;
		char		*body, *twin, *again;
		char		 id[POLICY_ID_LEN + 1], want[POLICY_ID_LEN + 1];
		char		 twin_id[POLICY_ID_LEN + 1];

		unit_case = render_cases[i].name;
		policy_init(&src, render_cases[i].mode, render_cases[i].max_age,
		    mx, nmx);
		body = render(&src, &len);
		cr_assert_str_eq(body, render_cases[i].body, "case %s: got\n%s",
		    unit_case, body);
		expect_well_formed(body, len);

		memset(id, 'X', sizeof(id));
		policy_id(body, len, id);
		sha256_prefix(body, len, want);
		cr_assert_eq(strlen(id), POLICY_ID_LEN, CASE);
		cr_assert_eq(strspn(id, "0123456789abcdef"), POLICY_ID_LEN,
		    "case %s: id '%s' is not lower-case hex", unit_case, id);
		cr_assert_str_eq(id, want, CASE);
		if (render_cases[i].id != NULL)
			cr_assert_str_eq(id, render_cases[i].id, CASE);

		/* Identical policies share an id. */
		policy_init(&same, render_cases[i].mode,
		    render_cases[i].max_age, mx, nmx);
		twin = render(&same, &len2);
		policy_id(twin, len2, twin_id);
		cr_assert_str_eq(twin_id, id, CASE);

		/* Parsing what was rendered gives every field back ... */
		parse_ok_n(body, len, &back);
		expect_fields(&back, render_cases[i].mode,
		    render_cases[i].max_age, mx, nmx);
		/* ... and rendering what was parsed gives the same bytes. */
		again = render(&back, &len3);
		cr_assert_eq(len3, len, CASE);
		cr_assert_str_eq(again, body, CASE);

		free(again);
		free(twin);
		free(body);
		policy_free(&back);
		policy_free(&same);
		policy_free(&src);
		unit_case_end();
	}
}

TEST_NO_LEAK(policy_render, long_mx_list_fits_exactly)
{
	struct policy	 pol;
	size_t		 len, want = 0;
	char		*body, name[320];

	unit_case = "200 long mx";
	memset(&pol, 0, sizeof(pol));
	pol.pol_mode = POLICY_MODE_ENFORCE;
	pol.pol_max_age = 4294967295u;	/* the widest number it may print */
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "mx%03d.%060d.%060d.%060d.example",
		    i, 0, 0, 0);
		strvec_push(&pol.pol_mx, strdup(name));
		want += strlen("mx: \r\n") + strlen(name);
	}
	want += strlen("version: STSv1\r\nmode: enforce\r\nmax_age: 4294967295\r\n");
	body = render(&pol, &len);
	cr_assert_eq(len, want);
	cr_assert(strncmp(body + len - 21, "max_age: 4294967295\r\n", 21) == 0);
	free(body);
	policy_free(&pol);
}

TEST_NO_LEAK(policy_id, any_byte_change_changes_the_id)
{
	char	body[] = NONE_BODY;
	size_t	len = strlen(body);
	char	orig[POLICY_ID_LEN + 1], id[POLICY_ID_LEN + 1];

	policy_id(body, len, orig);
	for (size_t i = 0; i < len; i++) {
		char saved = body[i];

		body[i] = (char)(saved ^ 0x01);
		policy_id(body, len, id);
		cr_assert_str_neq(id, orig, "flipping byte %zu kept the id", i);
		body[i] = saved;
	}
	/* One byte less (the final LF) or more changes it too. */
	policy_id(body, len - 1, id);
	cr_assert_str_neq(id, orig);
	policy_id(NONE_BODY "\r\n", len + 2, id);
	cr_assert_str_neq(id, orig);
	policy_id(body, len, id);
	cr_assert_str_eq(id, orig);
}

TEST_NO_LEAK(policy_id, mx_order_and_each_field_change_it)
{
	static const char *const ab[] = { "a.example", "b.example" };
	static const char *const ba[] = { "b.example", "a.example" };
	struct policy	p[4];
	char		ids[4][POLICY_ID_LEN + 1];

	unit_case = "mx order, mode and max_age";
	policy_init(&p[0], POLICY_MODE_ENFORCE, 604800, ab, 2);
	policy_init(&p[1], POLICY_MODE_ENFORCE, 604800, ba, 2);
	policy_init(&p[2], POLICY_MODE_TESTING, 604800, ab, 2);
	policy_init(&p[3], POLICY_MODE_ENFORCE, 604801, ab, 2);
	for (int i = 0; i < 4; i++) {
		size_t	 len;
		char	*body = render(&p[i], &len);

		policy_id(body, len, ids[i]);
		free(body);
		policy_free(&p[i]);
	}
	for (int i = 0; i < 4; i++)
		for (int j = i + 1; j < 4; j++)
			cr_assert_str_neq(ids[i], ids[j], "ids %d and %d equal",
			    i, j);
}

/* ---- modes ------------------------------------------------------------- */

/* The three lower-case names, and nothing else: no case, no blanks. */
static const struct {
	const char		*text;
	enum policy_mode	 mode;
} mode_names[] = {
	{ "enforce", ENFORCE }, { "testing", TESTING }, { "none", NONE },
};

static const char *const bad_modes[] = { "Enforce", "ENFORCE", "Testing",
    "NONE", "enforce ", " enforce", "enforced", "test", "", "off" };

TEST_NO_LEAK(policy_mode, cases)
{
	/* An accepted name sets the mode, from another one; its name is
	 * the text. */
	for (size_t i = 0; i < UNIT_COUNT(mode_names); i++) {
		enum policy_mode m =
		    (enum policy_mode)((mode_names[i].mode + 1) % 3);

		unit_case_input(mode_names[i].text);
		cr_assert_eq(policy_mode_parse(mode_names[i].text, &m), 0,
		    "case %s: refused", unit_case);
		cr_assert_eq(m, mode_names[i].mode, "case %s: mode %d",
		    unit_case, (int)m);
		cr_assert_str_eq(policy_mode_name(m), mode_names[i].text, CASE);
	}
	/* A refused one leaves the output as it was. */
	UNIT_EACH(text, bad_modes) {
		enum policy_mode m = TESTING;

		unit_case_input(*text);
		cr_assert_eq(policy_mode_parse(*text, &m), -1,
		    "case %s: parsed as a mode", unit_case);
		cr_assert_eq(m, TESTING, "case %s: changed the output",
		    unit_case);
	}
}

/* ---- copy -------------------------------------------------------------- */

TEST_NO_LEAK(policy_copy, is_a_deep_copy)
{
	static const char *const mx[] = { "mx.example.net" };
	struct policy src, dst;

	policy_init(&src, POLICY_MODE_TESTING, 86400, mx, 1);
	memset(&dst, 0xa5, sizeof(dst));
	policy_copy(&dst, &src);
	cr_assert_eq(dst.pol_mode, POLICY_MODE_TESTING);
	cr_assert_eq(dst.pol_max_age, 86400);
	cr_assert_eq(dst.pol_mx.sv_count, 1);
	cr_assert_neq(dst.pol_mx.sv_items[0], src.pol_mx.sv_items[0]);
	cr_assert_str_eq(dst.pol_mx.sv_items[0], "mx.example.net");
	policy_free(&src);
	/* The copy outlives the original (ASan catches a shared string). */
	cr_assert_str_eq(dst.pol_mx.sv_items[0], "mx.example.net");
	policy_free(&dst);
}

/* ---- policy_parse ------------------------------------------------------ */

/* The fixed lines every test body starts with, in either line end. */
#define HEAD_LF		"version: STSv1\nmode: enforce\nmax_age: 604800\n"
#define HEAD_CRLF	"version: STSv1\r\nmode: enforce\r\nmax_age: 604800\r\n"

/* Bodies with a NUL byte; and one with lines past the length given. */
#define NUL_INSIDE	HEAD_LF "mx: mx.example.net\0\n"
#define NUL_FIRST	"\0" HEAD_LF "mx: mx.example.net\n"
#define PAST_LEN	HEAD_LF "mx: mx.example.net\n"
#define PAST_LEN_TAIL	"this line is past the length given\n\n"

/* A policy of mode none with this max_age. */
#define MAX_AGE(v)	"version: STSv1\nmode: none\nmax_age: " v "\n"

/*
 * Accepted with these fields (and, where `canonical` is set, rendered to
 * it). `len`, where set, is the length of each body; else it is the
 * string's.
 */
static const struct {
	enum policy_mode	 mode;
	uint32_t		 max_age;
	const char		*mx[MX_MAX];
	size_t			 len;
	const char		*canonical;
	const char		*body[10];
} accepted[] = {
	/* CRLF, LF only, and mixed line ends. */
	{ NONE, 86400, { "mx.example.net" }, 0, NULL, { NONE_BODY } },
	{ ENFORCE, 604800, { "mx1.example.net", "mx2.example.net" }, 0, NULL,
	  { "version: STSv1\nmode: enforce\nmx: mx1.example.net\n"
	    "mx: mx2.example.net\nmax_age: 604800\n" } },
	{ TESTING, 86400, { "mx1.example.net", "mx2.example.net" }, 0, NULL,
	  { "version: STSv1\r\nmode: testing\nmx: mx1.example.net\r\n"
	    "mx: mx2.example.net\nmax_age: 86400\r\n" } },
	{ ENFORCE, 604800, { "mx.example.net" }, 0, NULL, {
	    /* The last line without a line end, an mx line too. */
	    "version: STSv1\nmode: enforce\nmx: mx.example.net\n"
	    "max_age: 604800",
	    "version: STSv1\r\nmode: enforce\r\nmx: mx.example.net\r\n"
	    "max_age: 604800",
	    HEAD_CRLF "mx: mx.example.net",
	    /* Blanks after the colon and at the end of a line. */
	    "version:STSv1\nmode:enforce\nmx:mx.example.net\n"
	    "max_age:604800\n",
	    "version:   STSv1\nmode:\tenforce\nmx: \t mx.example.net\n"
	    "max_age:  604800\n",
	    "version: STSv1 \r\nmode: enforce\t\r\n"
	    "mx: mx.example.net  \r\nmax_age: 604800 \t\r\n",
	    /* Unknown fields are ignored; keys are case-sensitive: these
	     * are unknown fields, not duplicates. */
	    "version: STSv1\nfoo: bar\nmode: enforce\nmx: mx.example.net\n"
	    "x-extension.v2_1: some value: with colons\nmax_age: 604800\n",
	    "version: STSv1\nVersion: STSv2\nmode: enforce\nMode: none\n"
	    "mx: mx.example.net\nMX: other.example.org\nmax_age: 604800\n"
	    "MAX_AGE: -1\n" } },
	/* Only `len` bytes are read. */
	{ ENFORCE, 604800, { "mx.example.net" }, sizeof(PAST_LEN) - 1, NULL,
	  { PAST_LEN PAST_LEN_TAIL } },

	/* Fields in any order. */
	{ TESTING, 1209600, { "b.example.net", "a.example.net" }, 0, NULL,
	  { "max_age: 1209600\r\nmx: b.example.net\r\nmode: testing\r\n"
	    "mx: a.example.net\r\nversion: STSv1\r\n" } },
	{ ENFORCE, 86400, { "b.example.net", "a.example.net" }, 0, NULL,
	  { "mx: b.example.net\nmx: a.example.net\nmode: enforce\n"
	    "max_age: 86400\nversion: STSv1\n" } },

	/* mx patterns in canonical lower case. */
	{ ENFORCE, 604800, { "mx1.example.net", "*.example.com",
	    "*.backup.example.org", "mx-2.example.net" }, 0, NULL,
	  { HEAD_LF "mx: MX1.Example.NET\nmx: *.example.com\n"
	    "mx: *.Backup.EXAMPLE.org\nmx: mx-2.example.net\n" } },

	/* Mode none needs no mx; max_age from 0 to a year, ten digits the
	 * most the grammar allows, leading zeros included. */
	{ NONE, 86400, { NULL }, 0, NULL, {
	    "version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n",
	    "version: STSv1\nmode: none\nmax_age: 0000086400\n" } },
	{ NONE, 0, { NULL }, 0, NULL,
	  { "version: STSv1\nmode: none\nmax_age: 0\n" } },
	{ NONE, 31557600, { NULL }, 0, NULL,
	  { "version: STSv1\nmode: none\nmax_age: 31557600\n" } },

	/* Parsed and rendered again, a body is canonical. */
	{ TESTING, 86400, { "mx.example.net", "*.example.org" }, 0,
	  "version: STSv1\r\nmode: testing\r\n"
	  "mx: mx.example.net\r\nmx: *.example.org\r\nmax_age: 86400\r\n",
	  { "max_age:86400\nfoo: bar\nmx:  MX.Example.NET \n"
	    "mode: testing\nversion: STSv1\nmx: *.Example.ORG" } },
};

TEST_NO_LEAK(policy_parse, accepted)
{
	for (size_t i = 0; i < UNIT_COUNT(accepted); i++)
		UNIT_EACH(body, accepted[i].body) {
			size_t		 len = accepted[i].len != 0 ?
			    accepted[i].len : strlen(*body);
			struct policy	 pol;

			unit_case = unit_quote(*body, len);
			parse_ok_n(*body, len, &pol);
			expect_fields(&pol, accepted[i].mode,
			    accepted[i].max_age, accepted[i].mx,
			    mx_count(accepted[i].mx));
			if (accepted[i].canonical != NULL) {
				size_t	 rlen;
				char	*again = render(&pol, &rlen);

				cr_assert_str_eq(again, accepted[i].canonical,
				    "case %s: rendered\n%s", unit_case, again);
				free(again);
			}
			policy_free(&pol);
		}
}

/* The body of a policy a sender would take, but for `line`. */
#define BUT(line)							\
	"version: STSv1\n" line "\nmx: mx.example.net\nmax_age: 604800\n"

/*
 * Refused with `why` in the message. `len`, where set, is the length of
 * each body; else it is the string's.
 */
static const struct {
	const char	*why;
	size_t		 len;
	const char	*body[16];
} refused[] = {
	/* Required fields. */
	{ "no 'version' line", 0, {
	    "mode: enforce\nmx: mx.example.net\nmax_age: 604800\n", "",
	    "foo: bar\n",
	    /* Keys are case-sensitive. */
	    "Version: STSv1\nmode: enforce\nmx: mx.example.net\n"
	    "max_age: 604800\n" } },
	{ "no 'mode' line", 0, {
	    "version: STSv1\nmx: mx.example.net\nmax_age: 604800\n",
	    BUT("Mode: enforce") } },
	{ "no 'max_age' line", 0, {
	    "version: STSv1\nmode: enforce\nmx: mx.example.net\n",
	    "version: STSv1\nmode: enforce\nmx: mx.example.net\n"
	    "Max_Age: 604800\n" } },
	/* "MX" is not "mx", so enforce mode has no mx at all. */
	{ "needs at least one mx", 0, {
	    "version: STSv1\nmode: enforce\nMX: mx.example.net\n"
	    "max_age: 604800\n" } },
	/* mx is required unless the mode is none. */
	{ "mode testing needs at least one mx line", 0,
	  { "version: STSv1\nmode: testing\nmax_age: 86400\n" } },
	{ "mode enforce needs at least one mx line", 0,
	  { "version: STSv1\r\nmode: enforce\r\nmax_age: 86400\r\n" } },

	/* Values are case-sensitive. */
	{ "case-sensitive", 0, { BUT("mode: Enforce") } },
	{ "'TESTING' is not enforce, testing or none", 0,
	  { BUT("mode: TESTING") } },
	{ "'enforced'", 0, { BUT("mode: enforced") } },
	{ "mode ''", 0, { BUT("mode:") } },
	{ "not 'STSv1'", 0, { "version: stsv1\nmode: enforce\n"
	    "mx: mx.example.net\nmax_age: 604800\n" } },
	{ "version is 'STSv2'", 0, { "version: STSv2\nmode: enforce\n"
	    "mx: mx.example.net\nmax_age: 604800\n" } },

	/* max_age out of range, or not digits. */
	{ "is not a number of seconds from 0 to 31557600", 0, {
	    MAX_AGE("31557601"), MAX_AGE("-1"), MAX_AGE("12345678901"),
	    MAX_AGE("00000000001"), MAX_AGE("99999999999"),
	    MAX_AGE("4294967296"), MAX_AGE("18446744073709551617"),
	    MAX_AGE(""), MAX_AGE("1e5"), MAX_AGE("+1"), MAX_AGE("86400s"),
	    MAX_AGE("0x10"), MAX_AGE("86 400"), MAX_AGE("1.5"),
	    MAX_AGE("one") } },
	{ "'31557601'", 0, { MAX_AGE("31557601") } },

	/* Duplicate fields; two mx lines are stored before the duplicate
	 * mode is seen, and none is left. */
	{ "'version' appears twice", 0, { "version: STSv1\nversion: STSv1\n"
	    "mode: enforce\nmx: mx.example.net\nmax_age: 604800\n" } },
	{ "'mode' appears twice", 0, {
	    HEAD_LF "mode: enforce\nmx: mx.example.net\n",
	    HEAD_LF "mode: testing\nmx: mx.example.net\n",
	    "version: STSv1\nmode: enforce\nmx: mx1.example.net\n"
	    "mx: mx2.example.net\nmode: enforce\nmax_age: 604800\n" } },
	{ "'max_age' appears twice", 0, {
	    HEAD_LF "mx: mx.example.net\nmax_age: 604800\n",
	    HEAD_LF "mx: mx.example.net\nmax_age: 86400\n" } },

	/* Blank lines; two newlines at the end are a blank last line. */
	{ "blank line", 0, {
	    HEAD_LF "mx: mx.example.net\n\n",
	    HEAD_CRLF "mx: mx.example.net\r\n\r\n",
	    HEAD_CRLF "mx: mx.example.net\n\r\n",
	    "version: STSv1\n\nmode: enforce\nmx: mx.example.net\n"
	    "max_age: 604800\n",
	    "\r\n" HEAD_CRLF "mx: mx.example.net\r\n", "\n", "\r\n" } },

	/* No space before the colon; a line that starts with a blank is no
	 * field either. */
	{ "no space is allowed before the colon", 0, {
	    BUT("mode : enforce"),
	    "version: STSv1\nmode: enforce\nmx\t: mx.example.net\n"
	    "max_age: 604800\n" } },
	{ "'version '", 0, { "version : STSv1\nmode: enforce\n"
	    "mx: mx.example.net\nmax_age: 604800\n" } },
	{ "' mode'", 0, { BUT(" mode: enforce") } },

	/* Lines that are not "key: value". */
	{ "is not a 'key: value' line", 0, { HEAD_LF "mx mx.example.net\n",
	    HEAD_LF "mx: mx.example.net\n \n" } },
	{ "': value' is not a 'key: value' line", 0,
	  { HEAD_LF "mx: mx.example.net\n: value\n" } },
	{ "'foo=bar' is not a 'key: value' line", 0,
	  { HEAD_LF "mx: mx.example.net\nfoo=bar\n" } },

	/* Invalid mx patterns; the bad one is refused even after good ones,
	 * and the good ones go. */
	{ "'*' is only allowed as the whole left-most label", 0,
	  { HEAD_LF "mx: a.*.example.com\n" } },
	{ "left-most label", 0, { HEAD_LF "mx: *mx.example.com\n",
	    HEAD_LF "mx: *.*.example.com\n", HEAD_LF "mx: *\n" } },
	{ "single label", 0, { HEAD_LF "mx: *.com\n",
	    HEAD_LF "mx: localhost\n" } },
	{ "trailing dot", 0, { HEAD_LF "mx: mx.example.net.\n" } },
	{ "'_'", 0, { HEAD_LF "mx: mx_1.example.net\n" } },
	{ "numeric", 0, { HEAD_LF "mx: 192.0.2.25\n" } },
	{ "'-'", 0, { HEAD_LF "mx: -mx.example.net\n" } },
	{ "empty label", 0, { HEAD_LF "mx: mx..example.net\n" } },
	{ "empty name", 0, { HEAD_LF "mx:\n" } },
	{ "mx: ", 0, { HEAD_LF "mx: mx1.example.net\nmx: *.example.org\n"
	    "mx: mx 2.example.net\n" } },

	/* Non-ASCII and control bytes, DEL (0x7f) among them: it is outside
	 * the grammar's %x21-7E. */
	{ "not printable ASCII", 0, {
	    HEAD_LF "mx: b\xc3\xbc" "cher.example\n",
	    HEAD_LF "mx: mx.example.net\nfoo: caf\xc3\xa9\n",
	    HEAD_LF "mx: mx.example.net\nfoo: \x1b[1m\n",
	    HEAD_LF "mx: mx.example.net\f\n", HEAD_LF "mx: mx.example.net\v\n",
	    HEAD_LF "mx: mx.example.net\nfoo: a\x7f" "b\n" } },
	/* The message names the offending byte's offset. */
	{ "byte 14 ", 0, { "version: STSv1\x01\n" } },
	/* A NUL byte, within the length given. */
	{ "not printable ASCII", sizeof(NUL_INSIDE) - 1, { NUL_INSIDE } },
	{ "byte 63 ", sizeof(NUL_INSIDE) - 1, { NUL_INSIDE } },
	{ "byte 0 ", sizeof(NUL_FIRST) - 1, { NUL_FIRST } },

	/* A CR alone; a final line ended by CR without LF is not ended by
	 * LF or CRLF either. */
	{ "CR alone", 0, {
	    "version: STSv1\rmode: enforce\nmx: mx.example.net\n"
	    "max_age: 604800\n",
	    HEAD_CRLF "mx: mx.example.net\r\r\n",
	    HEAD_CRLF "mx: mx.example.net\rfoo: bar\r\n",
	    HEAD_CRLF "mx: mx.example.net\r" } },
};

TEST_NO_LEAK(policy_parse, refused)
{
	for (size_t i = 0; i < UNIT_COUNT(refused); i++)
		UNIT_EACH(body, refused[i].body) {
			size_t len = refused[i].len != 0 ? refused[i].len :
			    strlen(*body);

			unit_case = unit_quote(*body, len);
			parse_bad_n(*body, len, refused[i].why);
		}
}

TEST_NO_LEAK(policy_parse, size_limit)
{
	static const char head[] = "version: STSv1\nmode: none\n"
	    "max_age: 86400\nfoo: ";
	size_t		 len = POLICY_BODY_LIMIT;
	char		*body = malloc(len + 1);
	struct policy	 pol;

	cr_assert_not_null(body);
	cr_assert_eq(POLICY_BODY_LIMIT, 65536);
	/* Exactly 64 KiB is accepted ... */
	unit_case = "64 KiB";
	memcpy(body, head, sizeof(head) - 1);
	memset(body + sizeof(head) - 1, 'x', len - (sizeof(head) - 1) - 1);
	body[len - 1] = '\n';
	parse_ok_n(body, len, &pol);
	expect_fields(&pol, POLICY_MODE_NONE, 86400, NULL, 0);
	policy_free(&pol);
	/* ... one byte more is not. */
	unit_case = "64 KiB and a byte";
	body[len - 1] = 'x';
	body[len] = '\n';
	parse_bad_n(body, len + 1, "65537 bytes");
	parse_bad_n(body, len + 1, "at most 65536");
	free(body);
}
