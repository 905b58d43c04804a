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
