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

	cr_assert_not_null(body);
	cr_assert_eq(strlen(body), *lenp, "length %zu but strlen %zu", *lenp,
	    strlen(body));
	return body;
}

/* ---- policy_render ----------------------------------------------------- */

TEST_NO_LEAK(policy_render, exact_bytes_in_configured_order)
{
	static const char *const mx[] = { "a.example", "*.b.example" };
	struct policy	pol;
	size_t		len;
	char		*body;

	policy_init(&pol, POLICY_MODE_ENFORCE, 604800, mx, 2);
	body = render(&pol, &len);
	cr_assert_str_eq(body, "version: STSv1\r\nmode: enforce\r\n"
	    "mx: a.example\r\nmx: *.b.example\r\nmax_age: 604800\r\n");
	free(body);
	policy_free(&pol);
}

TEST_NO_LEAK(policy_render, every_line_ends_in_crlf_and_none_is_blank)
{
	static const char *const mx[] = { "mx1.example.net", "mx2.example.net",
	    "*.backup.example.net" };
	struct policy	pol;
	size_t		len;
	char		*body;

	policy_init(&pol, POLICY_MODE_TESTING, 31557600, mx, 3);
	body = render(&pol, &len);
	cr_assert(len >= 2 && body[len - 2] == '\r' && body[len - 1] == '\n',
	    "the last line must end in CRLF");
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)body[i];

		cr_assert(c < 0x80, "non-ASCII byte at %zu", i);
		if (c == '\n')
			cr_assert(i > 0 && body[i - 1] == '\r',
			    "bare LF at offset %zu", i);
		if (c == '\r')
			cr_assert(i + 1 < len && body[i + 1] == '\n',
			    "bare CR at offset %zu", i);
	}
	cr_assert_null(strstr(body, "\r\n\r\n"), "blank line in the body");
	cr_assert_neq(body[0], ' ');
	cr_assert_str_eq(body, "version: STSv1\r\nmode: testing\r\n"
	    "mx: mx1.example.net\r\nmx: mx2.example.net\r\n"
	    "mx: *.backup.example.net\r\nmax_age: 31557600\r\n");
	free(body);
	policy_free(&pol);
}

TEST_NO_LEAK(policy_render, mode_none)
{
	static const char *const mx[] = { "mx.example.net" };
	struct policy	pol;
	size_t		len;
	char		*body;

	policy_init(&pol, POLICY_MODE_NONE, 86400, mx, 1);
	body = render(&pol, &len);
	cr_assert_str_eq(body, NONE_BODY);
	free(body);
	policy_free(&pol);
}

TEST_NO_LEAK(policy_render, long_mx_list_fits_exactly)
{
	struct policy	 pol;
	size_t		 len, want = 0;
	char		*body, name[320];

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

/* ---- policy_id --------------------------------------------------------- */

TEST_NO_LEAK(policy_id, known_vector_from_sha256sum)
{
	char id[POLICY_ID_LEN + 1];

	policy_id(NONE_BODY, strlen(NONE_BODY), id);
	cr_assert_str_eq(id, NONE_BODY_ID);
}

TEST_NO_LEAK(policy_id, first_32_lowercase_hex_of_sha256)
{
	static const char *const mx[] = { "a.example", "*.b.example" };
	struct policy	pol;
	size_t		len;
	char		*body, id[POLICY_ID_LEN + 1], want[POLICY_ID_LEN + 1];

	policy_init(&pol, POLICY_MODE_ENFORCE, 604800, mx, 2);
	body = render(&pol, &len);
	memset(id, 'X', sizeof(id));
	policy_id(body, len, id);
	sha256_prefix(body, len, want);
	cr_assert_eq(strlen(id), POLICY_ID_LEN);
	cr_assert_eq(strspn(id, "0123456789abcdef"), POLICY_ID_LEN,
	    "id '%s' is not lower-case hex", id);
	cr_assert_str_eq(id, want);
	free(body);
	policy_free(&pol);
}

TEST_NO_LEAK(policy_id, identical_policies_share_an_id)
{
	static const char *const mx[] = { "mx1.example.net", "mx2.example.net" };
	struct policy	a, b;
	size_t		la, lb;
	char		*ba, *bb, ia[POLICY_ID_LEN + 1], ib[POLICY_ID_LEN + 1];

	policy_init(&a, POLICY_MODE_TESTING, 1209600, mx, 2);
	policy_init(&b, POLICY_MODE_TESTING, 1209600, mx, 2);
	ba = render(&a, &la);
	bb = render(&b, &lb);
	policy_id(ba, la, ia);
	policy_id(bb, lb, ib);
	cr_assert_str_eq(ia, ib);
	free(ba);
	free(bb);
	policy_free(&a);
	policy_free(&b);
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

TEST_NO_LEAK(policy_mode, parses_the_three_lower_case_names)
{
	enum policy_mode m = POLICY_MODE_NONE;

	cr_assert_eq(policy_mode_parse("enforce", &m), 0);
	cr_assert_eq(m, POLICY_MODE_ENFORCE);
	cr_assert_eq(policy_mode_parse("testing", &m), 0);
	cr_assert_eq(m, POLICY_MODE_TESTING);
	cr_assert_eq(policy_mode_parse("none", &m), 0);
	cr_assert_eq(m, POLICY_MODE_NONE);
	cr_assert_str_eq(policy_mode_name(POLICY_MODE_ENFORCE), "enforce");
	cr_assert_str_eq(policy_mode_name(POLICY_MODE_TESTING), "testing");
	cr_assert_str_eq(policy_mode_name(POLICY_MODE_NONE), "none");
}

TEST_NO_LEAK(policy_mode, is_case_sensitive_and_exact)
{
	static const char *const bad[] = { "Enforce", "ENFORCE", "Testing",
	    "NONE", "enforce ", " enforce", "enforced", "test", "", "off" };
	enum policy_mode m = POLICY_MODE_TESTING;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(policy_mode_parse(bad[i], &m), -1,
		    "'%s' parsed as a mode", bad[i]);
		cr_assert_eq(m, POLICY_MODE_TESTING, "'%s' changed the output",
		    bad[i]);
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
	char *why = (char *)"unset";

	memset(pol, 0xa5, sizeof(*pol));
	cr_assert(parse_n(body, len, pol, &why), "policy refused: %s\n%.*s",
	    why != NULL ? why : "(no message)", (int)len, body);
	cr_assert_null(why, "policy accepted but a message was set");
}

static void
parse_ok(const char *body, struct policy *pol)
{
	parse_ok_n(body, strlen(body), pol);
}

static void
expect_fields(const struct policy *pol, enum policy_mode mode,
    uint32_t max_age, const char *const *mx, size_t nmx)
{
	cr_assert_eq(pol->pol_mode, mode, "mode %s, expected %s",
	    policy_mode_name(pol->pol_mode), policy_mode_name(mode));
	cr_assert_eq(pol->pol_max_age, max_age, "max_age %u, expected %u",
	    (unsigned)pol->pol_max_age, (unsigned)max_age);
	cr_assert_eq(pol->pol_mx.sv_count, nmx, "%zu mx, expected %zu",
	    pol->pol_mx.sv_count, nmx);
	for (size_t i = 0; i < nmx; i++)
		cr_assert_str_eq(pol->pol_mx.sv_items[i], mx[i],
		    "mx %zu is '%s', expected '%s'", i, pol->pol_mx.sv_items[i],
		    mx[i]);
}

/* Refused, with `needle` in the message, and no mx left in `pol`. */
static void
parse_bad_n(const char *body, size_t len, const char *needle)
{
	struct policy	 pol;
	char		*why = NULL;
	bool		 ok;

	memset(&pol, 0xa5, sizeof(pol));
	ok = parse_n(body, len, &pol, &why);
	if (ok)
		policy_free(&pol);	/* so the failure below is no leak */
	cr_assert_not(ok, "policy accepted:\n%.*s", (int)len, body);
	cr_assert_not_null(why, "policy refused without a message:\n%.*s",
	    (int)len, body);
	cr_assert(strstr(why, needle) != NULL,
	    "message is \"%s\", expected \"%s\" in it, for:\n%.*s", why,
	    needle, (int)len, body);
	cr_assert_eq(pol.pol_mx.sv_count, 0, "refused, but %zu mx stored",
	    pol.pol_mx.sv_count);
	cr_assert_null(pol.pol_mx.sv_items, "refused, but the mx list is "
	    "allocated");
	free(why);
}

static void
parse_bad(const char *body, const char *needle)
{
	parse_bad_n(body, strlen(body), needle);
}

/* The fixed lines every test body starts with, in either line end. */
#define HEAD_LF		"version: STSv1\nmode: enforce\nmax_age: 604800\n"
#define HEAD_CRLF	"version: STSv1\r\nmode: enforce\r\nmax_age: 604800\r\n"

/* ---- policy_parse: accepted -------------------------------------------- */

TEST_NO_LEAK(policy_parse, crlf_body)
{
	static const char *const mx[] = { "mx.example.net" };
	struct policy pol;

	parse_ok(NONE_BODY, &pol);
	expect_fields(&pol, POLICY_MODE_NONE, 86400, mx, 1);
	policy_free(&pol);
}

TEST_NO_LEAK(policy_parse, lf_only_body)
{
	static const char *const mx[] = { "mx1.example.net",
	    "mx2.example.net" };
	struct policy pol;

	parse_ok("version: STSv1\nmode: enforce\nmx: mx1.example.net\n"
	    "mx: mx2.example.net\nmax_age: 604800\n", &pol);
	expect_fields(&pol, POLICY_MODE_ENFORCE, 604800, mx, 2);
	policy_free(&pol);
}

TEST_NO_LEAK(policy_parse, mixed_line_ends)
{
	static const char *const mx[] = { "mx1.example.net",
	    "mx2.example.net" };
	struct policy pol;

	parse_ok("version: STSv1\r\nmode: testing\nmx: mx1.example.net\r\n"
	    "mx: mx2.example.net\nmax_age: 86400\r\n", &pol);
	expect_fields(&pol, POLICY_MODE_TESTING, 86400, mx, 2);
	policy_free(&pol);
}

TEST_NO_LEAK(policy_parse, last_line_without_terminator)
{
	static const char *const mx[] = { "mx.example.net" };
	struct policy pol;

	parse_ok("version: STSv1\nmode: enforce\nmx: mx.example.net\n"
	    "max_age: 604800", &pol);
	expect_fields(&pol, POLICY_MODE_ENFORCE, 604800, mx, 1);
	policy_free(&pol);
	parse_ok("version: STSv1\r\nmode: enforce\r\nmx: mx.example.net\r\n"
	    "max_age: 604800", &pol);
	expect_fields(&pol, POLICY_MODE_ENFORCE, 604800, mx, 1);
	policy_free(&pol);
	/* The unterminated last line may be an mx line too. */
	parse_ok(HEAD_CRLF "mx: mx.example.net", &pol);
	expect_fields(&pol, POLICY_MODE_ENFORCE, 604800, mx, 1);
	policy_free(&pol);
}

TEST_NO_LEAK(policy_parse, fields_in_any_order)
{
	static const char *const mx[] = { "b.example.net", "a.example.net" };
	struct policy pol;

	parse_ok("max_age: 1209600\r\nmx: b.example.net\r\nmode: testing\r\n"
	    "mx: a.example.net\r\nversion: STSv1\r\n", &pol);
	expect_fields(&pol, POLICY_MODE_TESTING, 1209600, mx, 2);
	policy_free(&pol);
	parse_ok("mx: b.example.net\nmx: a.example.net\nmode: enforce\n"
	    "max_age: 86400\nversion: STSv1\n", &pol);
	expect_fields(&pol, POLICY_MODE_ENFORCE, 86400, mx, 2);
	policy_free(&pol);
}

TEST_NO_LEAK(policy_parse, blanks_after_the_colon_and_at_the_end)
{
	static const char *const mx[] = { "mx.example.net" };
	struct policy pol;

	parse_ok("version:STSv1\nmode:enforce\nmx:mx.example.net\n"
	    "max_age:604800\n", &pol);
	expect_fields(&pol, POLICY_MODE_ENFORCE, 604800, mx, 1);
	policy_free(&pol);
	parse_ok("version:   STSv1\nmode:\tenforce\nmx: \t mx.example.net\n"
	    "max_age:  604800\n", &pol);
	expect_fields(&pol, POLICY_MODE_ENFORCE, 604800, mx, 1);
	policy_free(&pol);
	parse_ok("version: STSv1 \r\nmode: enforce\t\r\n"
	    "mx: mx.example.net  \r\nmax_age: 604800 \t\r\n", &pol);
	expect_fields(&pol, POLICY_MODE_ENFORCE, 604800, mx, 1);
	policy_free(&pol);
}

TEST_NO_LEAK(policy_parse, mx_patterns_in_canonical_lower_case)
{
	static const char *const mx[] = { "mx1.example.net", "*.example.com",
	    "*.backup.example.org", "mx-2.example.net" };
	struct policy pol;

	parse_ok(HEAD_LF "mx: MX1.Example.NET\nmx: *.example.com\n"
	    "mx: *.Backup.EXAMPLE.org\nmx: mx-2.example.net\n", &pol);
	expect_fields(&pol, POLICY_MODE_ENFORCE, 604800, mx, 4);
	policy_free(&pol);
}

TEST_NO_LEAK(policy_parse, mode_none_needs_no_mx)
{
	struct policy pol;

	parse_ok("version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n", &pol);
	expect_fields(&pol, POLICY_MODE_NONE, 86400, NULL, 0);
	cr_assert_null(pol.pol_mx.sv_items);
	policy_free(&pol);
}

TEST_NO_LEAK(policy_parse, max_age_range)
{
	struct policy pol;

	parse_ok("version: STSv1\nmode: none\nmax_age: 0\n", &pol);
	expect_fields(&pol, POLICY_MODE_NONE, 0, NULL, 0);
	policy_free(&pol);
	parse_ok("version: STSv1\nmode: none\nmax_age: 31557600\n", &pol);
	expect_fields(&pol, POLICY_MODE_NONE, 31557600, NULL, 0);
	policy_free(&pol);
	/* Ten digits is the most the grammar allows, leading zeros included. */
	parse_ok("version: STSv1\nmode: none\nmax_age: 0000086400\n", &pol);
	expect_fields(&pol, POLICY_MODE_NONE, 86400, NULL, 0);
	policy_free(&pol);
}

TEST_NO_LEAK(policy_parse, unknown_fields_are_ignored)
{
	static const char *const mx[] = { "mx.example.net" };
	struct policy pol;

	parse_ok("version: STSv1\nfoo: bar\nmode: enforce\nmx: mx.example.net\n"
	    "x-extension.v2_1: some value: with colons\nmax_age: 604800\n",
	    &pol);
	expect_fields(&pol, POLICY_MODE_ENFORCE, 604800, mx, 1);
	policy_free(&pol);
	/* Keys are case-sensitive: these are unknown fields, not duplicates. */
	parse_ok("version: STSv1\nVersion: STSv2\nmode: enforce\nMode: none\n"
	    "mx: mx.example.net\nMX: other.example.org\nmax_age: 604800\n"
	    "MAX_AGE: -1\n", &pol);
	expect_fields(&pol, POLICY_MODE_ENFORCE, 604800, mx, 1);
	policy_free(&pol);
}

/* ---- policy_parse: refused --------------------------------------------- */

TEST_NO_LEAK(policy_parse, required_fields)
{
	parse_bad("mode: enforce\nmx: mx.example.net\nmax_age: 604800\n",
	    "no 'version' line");
	parse_bad("version: STSv1\nmx: mx.example.net\nmax_age: 604800\n",
	    "no 'mode' line");
	parse_bad("version: STSv1\nmode: enforce\nmx: mx.example.net\n",
	    "no 'max_age' line");
	parse_bad("", "no 'version' line");
	parse_bad_n("", 0, "no 'version' line");
	parse_bad("foo: bar\n", "no 'version' line");
}

TEST_NO_LEAK(policy_parse, keys_are_case_sensitive)
{
	parse_bad("version: STSv1\nMode: enforce\nmx: mx.example.net\n"
	    "max_age: 604800\n", "no 'mode' line");
	parse_bad("Version: STSv1\nmode: enforce\nmx: mx.example.net\n"
	    "max_age: 604800\n", "no 'version' line");
	parse_bad("version: STSv1\nmode: enforce\nmx: mx.example.net\n"
	    "Max_Age: 604800\n", "no 'max_age' line");
	/* "MX" is not "mx", so enforce mode has no mx at all. */
	parse_bad("version: STSv1\nmode: enforce\nMX: mx.example.net\n"
	    "max_age: 604800\n", "needs at least one mx");
}

TEST_NO_LEAK(policy_parse, values_are_case_sensitive)
{
	parse_bad("version: STSv1\nmode: Enforce\nmx: mx.example.net\n"
	    "max_age: 604800\n", "case-sensitive");
	parse_bad("version: STSv1\nmode: TESTING\nmx: mx.example.net\n"
	    "max_age: 604800\n", "'TESTING' is not enforce, testing or none");
	parse_bad("version: STSv1\nmode: enforced\nmx: mx.example.net\n"
	    "max_age: 604800\n", "'enforced'");
	parse_bad("version: STSv1\nmode:\nmx: mx.example.net\n"
	    "max_age: 604800\n", "mode ''");
	parse_bad("version: stsv1\nmode: enforce\nmx: mx.example.net\n"
	    "max_age: 604800\n", "not 'STSv1'");
	parse_bad("version: STSv2\nmode: enforce\nmx: mx.example.net\n"
	    "max_age: 604800\n", "version is 'STSv2'");
}

TEST_NO_LEAK(policy_parse, mx_required_unless_mode_none)
{
	parse_bad("version: STSv1\nmode: testing\nmax_age: 86400\n",
	    "mode testing needs at least one mx line");
	parse_bad("version: STSv1\r\nmode: enforce\r\nmax_age: 86400\r\n",
	    "mode enforce needs at least one mx line");
}

TEST_NO_LEAK(policy_parse, max_age_out_of_range_or_not_digits)
{
	static const char *const bad[] = {
		"31557601", "-1", "12345678901", "00000000001", "99999999999",
		"4294967296", "18446744073709551617", "", "1e5", "+1",
		"86400s", "0x10", "86 400", "1.5", "one",
	};
	char body[128];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body), "version: STSv1\nmode: none\n"
		    "max_age: %s\n", bad[i]);
		parse_bad(body,
		    "is not a number of seconds from 0 to 31557600");
	}
	parse_bad("version: STSv1\nmode: none\nmax_age: 31557601\n",
	    "'31557601'");
}

TEST_NO_LEAK(policy_parse, duplicate_fields)
{
	parse_bad("version: STSv1\nversion: STSv1\nmode: enforce\n"
	    "mx: mx.example.net\nmax_age: 604800\n", "'version' appears twice");
	parse_bad(HEAD_LF "mode: enforce\nmx: mx.example.net\n",
	    "'mode' appears twice");
	parse_bad(HEAD_LF "mode: testing\nmx: mx.example.net\n",
	    "'mode' appears twice");
	parse_bad(HEAD_LF "mx: mx.example.net\nmax_age: 604800\n",
	    "'max_age' appears twice");
	parse_bad(HEAD_LF "mx: mx.example.net\nmax_age: 86400\n",
	    "'max_age' appears twice");
}

TEST_NO_LEAK(policy_parse, blank_lines)
{
	/* Two newlines at the end are a blank last line. */
	parse_bad(HEAD_LF "mx: mx.example.net\n\n", "blank line");
	parse_bad(HEAD_CRLF "mx: mx.example.net\r\n\r\n", "blank line");
	parse_bad(HEAD_CRLF "mx: mx.example.net\n\r\n", "blank line");
	parse_bad("version: STSv1\n\nmode: enforce\nmx: mx.example.net\n"
	    "max_age: 604800\n", "blank line");
	parse_bad("\r\n" HEAD_CRLF "mx: mx.example.net\r\n", "blank line");
	parse_bad("\n", "blank line");
	parse_bad("\r\n", "blank line");
}

TEST_NO_LEAK(policy_parse, space_before_the_colon)
{
	parse_bad("version: STSv1\nmode : enforce\nmx: mx.example.net\n"
	    "max_age: 604800\n", "no space is allowed before the colon");
	parse_bad("version: STSv1\nmode: enforce\nmx\t: mx.example.net\n"
	    "max_age: 604800\n", "no space is allowed before the colon");
	parse_bad("version : STSv1\nmode: enforce\nmx: mx.example.net\n"
	    "max_age: 604800\n", "'version '");
	/* A line that starts with a blank is no field either. */
	parse_bad("version: STSv1\n mode: enforce\nmx: mx.example.net\n"
	    "max_age: 604800\n", "' mode'");
}

TEST_NO_LEAK(policy_parse, lines_that_are_not_key_value)
{
	parse_bad(HEAD_LF "mx mx.example.net\n", "is not a 'key: value' line");
	parse_bad(HEAD_LF "mx: mx.example.net\n: value\n",
	    "': value' is not a 'key: value' line");
	parse_bad(HEAD_LF "mx: mx.example.net\n \n",
	    "is not a 'key: value' line");
	parse_bad(HEAD_LF "mx: mx.example.net\nfoo=bar\n",
	    "'foo=bar' is not a 'key: value' line");
}

TEST_NO_LEAK(policy_parse, invalid_mx_patterns)
{
	parse_bad(HEAD_LF "mx: a.*.example.com\n",
	    "'*' is only allowed as the whole left-most label");
	parse_bad(HEAD_LF "mx: *mx.example.com\n", "left-most label");
	parse_bad(HEAD_LF "mx: *.*.example.com\n", "left-most label");
	parse_bad(HEAD_LF "mx: *\n", "left-most label");
	parse_bad(HEAD_LF "mx: *.com\n", "single label");
	parse_bad(HEAD_LF "mx: mx.example.net.\n", "trailing dot");
	parse_bad(HEAD_LF "mx: mx_1.example.net\n", "'_'");
	parse_bad(HEAD_LF "mx: 192.0.2.25\n", "numeric");
	parse_bad(HEAD_LF "mx: localhost\n", "single label");
	parse_bad(HEAD_LF "mx: -mx.example.net\n", "'-'");
	parse_bad(HEAD_LF "mx: mx..example.net\n", "empty label");
	parse_bad(HEAD_LF "mx:\n", "empty name");
	/* The bad one is refused even after good ones; the good ones go. */
	parse_bad(HEAD_LF "mx: mx1.example.net\nmx: *.example.org\n"
	    "mx: mx 2.example.net\n", "mx: ");
}

TEST_NO_LEAK(policy_parse, non_ascii_and_control_bytes)
{
	static const char nul[] = HEAD_LF "mx: mx.example.net\0\n";

	parse_bad(HEAD_LF "mx: b\xc3\xbc" "cher.example\n",
	    "not printable ASCII");
	parse_bad(HEAD_LF "mx: mx.example.net\nfoo: caf\xc3\xa9\n",
	    "not printable ASCII");
	parse_bad(HEAD_LF "mx: mx.example.net\nfoo: \x1b[1m\n",
	    "not printable ASCII");
	parse_bad(HEAD_LF "mx: mx.example.net\f\n", "not printable ASCII");
	parse_bad(HEAD_LF "mx: mx.example.net\v\n", "not printable ASCII");
	/* The message names the offending byte's offset. */
	parse_bad("version: STSv1\x01\n", "byte 14 ");
	/* A NUL byte, within the length given. */
	parse_bad_n(nul, sizeof(nul) - 1, "not printable ASCII");
	parse_bad_n(nul, sizeof(nul) - 1, "byte 63 ");
	parse_bad_n("\0" HEAD_LF "mx: mx.example.net\n", sizeof(HEAD_LF) + 19,
	    "byte 0 ");
}

/* DEL (0x7f) is a control byte, outside the grammar's %x21-7E. */
TEST_NO_LEAK(policy_parse, del_byte)
{
	parse_bad(HEAD_LF "mx: mx.example.net\nfoo: a\x7f" "b\n",
	    "not printable ASCII");
}

TEST_NO_LEAK(policy_parse, cr_alone)
{
	parse_bad("version: STSv1\rmode: enforce\nmx: mx.example.net\n"
	    "max_age: 604800\n", "CR alone");
	parse_bad(HEAD_CRLF "mx: mx.example.net\r\r\n", "CR alone");
	parse_bad(HEAD_CRLF "mx: mx.example.net\rfoo: bar\r\n", "CR alone");
}

/* A final line ended by CR without LF is not ended by LF or CRLF either. */
TEST_NO_LEAK(policy_parse, cr_alone_at_the_end)
{
	parse_bad(HEAD_CRLF "mx: mx.example.net\r", "CR alone");
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
	memcpy(body, head, sizeof(head) - 1);
	memset(body + sizeof(head) - 1, 'x', len - (sizeof(head) - 1) - 1);
	body[len - 1] = '\n';
	parse_ok_n(body, len, &pol);
	expect_fields(&pol, POLICY_MODE_NONE, 86400, NULL, 0);
	policy_free(&pol);
	/* ... one byte more is not. */
	body[len - 1] = 'x';
	body[len] = '\n';
	parse_bad_n(body, len + 1, "65537 bytes");
	parse_bad_n(body, len + 1, "at most 65536");
	free(body);
}

TEST_NO_LEAK(policy_parse, only_len_bytes_are_read)
{
	static const char *const mx[] = { "mx.example.net" };
	static const char body[] = HEAD_LF "mx: mx.example.net\n"
	    "this line is past the length given\n\n";
	struct policy pol;

	parse_ok_n(body, sizeof(HEAD_LF) - 1 + strlen("mx: mx.example.net\n"),
	    &pol);
	expect_fields(&pol, POLICY_MODE_ENFORCE, 604800, mx, 1);
	policy_free(&pol);
}

TEST_NO_LEAK(policy_parse, refused_policy_is_left_empty)
{
	struct policy	 pol;
	char		*why = NULL;

	/* Two mx lines are stored before the duplicate mode is seen. */
	memset(&pol, 0xa5, sizeof(pol));
	cr_assert_not(policy_parse("version: STSv1\nmode: enforce\n"
	    "mx: mx1.example.net\nmx: mx2.example.net\nmode: enforce\n"
	    "max_age: 604800\n", strlen("version: STSv1\nmode: enforce\n"
	    "mx: mx1.example.net\nmx: mx2.example.net\nmode: enforce\n"
	    "max_age: 604800\n"), &pol, &why));
	cr_assert_not_null(why);
	cr_assert(strstr(why, "'mode' appears twice") != NULL, "%s", why);
	free(why);
	cr_assert_eq(pol.pol_mx.sv_count, 0);
	cr_assert_null(pol.pol_mx.sv_items);
	/* Freeing it again is harmless. */
	policy_free(&pol);
}

/* ---- policy_parse and policy_render ------------------------------------ */

TEST_NO_LEAK(policy_roundtrip, render_then_parse_keeps_every_field)
{
	static const char *const one[] = { "mx.example.net" };
	static const char *const many[] = { "mx1.example.net", "*.example.org",
	    "mx-2.backup.example.com", "*.b.example" };
	static const struct {
		enum policy_mode	 mode;
		uint32_t		 max_age;
		const char *const	*mx;
		size_t			 nmx;
	} cases[] = {
		{ POLICY_MODE_ENFORCE, 604800, many, 4 },
		{ POLICY_MODE_TESTING, 86400, one, 1 },
		{ POLICY_MODE_NONE, 86400, one, 1 },
		{ POLICY_MODE_NONE, 0, NULL, 0 },
		{ POLICY_MODE_ENFORCE, 31557600, many, 2 },
		{ POLICY_MODE_TESTING, 1, many + 1, 3 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy	 src, back;
		size_t		 len, len2;
		char		*body, *again;

		policy_init(&src, cases[i].mode, cases[i].max_age, cases[i].mx,
		    cases[i].nmx);
		body = render(&src, &len);
		parse_ok_n(body, len, &back);
		expect_fields(&back, cases[i].mode, cases[i].max_age,
		    cases[i].mx, cases[i].nmx);
		/* And rendering what was parsed gives the same bytes. */
		again = render(&back, &len2);
		cr_assert_eq(len2, len, "case %zu", i);
		cr_assert_str_eq(again, body, "case %zu", i);
		free(again);
		free(body);
		policy_free(&back);
		policy_free(&src);
	}
}

TEST_NO_LEAK(policy_roundtrip, parse_then_render_is_canonical)
{
	struct policy	 pol;
	size_t		 len;
	char		*body;

	parse_ok("max_age:86400\nfoo: bar\nmx:  MX.Example.NET \n"
	    "mode: testing\nversion: STSv1\nmx: *.Example.ORG", &pol);
	body = render(&pol, &len);
	cr_assert_str_eq(body, "version: STSv1\r\nmode: testing\r\n"
	    "mx: mx.example.net\r\nmx: *.example.org\r\nmax_age: 86400\r\n");
	free(body);
	policy_free(&pol);
}
