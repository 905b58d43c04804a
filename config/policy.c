#include "policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "xalloc.h"

static const char *const policy_mode_names[] = {
	[POLICY_MODE_ENFORCE] = "enforce",
	[POLICY_MODE_TESTING] = "testing",
	[POLICY_MODE_NONE] = "none",
};

const char *
policy_mode_name(enum policy_mode mode)
{
	return policy_mode_names[mode];
}

/* Values are case-sensitive (RFC 8461 3.2): "Enforce" is not a mode. */
int
policy_mode_parse(const char *s, enum policy_mode *mode)
{
	for (size_t i = 0; i < sizeof(policy_mode_names) /
	    sizeof(policy_mode_names[0]); i++) {
		if (strcmp(s, policy_mode_names[i]) == 0) {
			*mode = (enum policy_mode)i;
			return 0;
		}
	}
	return -1;
}

char *
policy_render(const struct policy *pol, size_t *lenp)
{
	char	*body, *p;
	size_t	 cap;
	int	 n;

	/* Fixed lines plus "mx: " and CRLF around each pattern. */
	cap = 64;
	for (size_t i = 0; i < pol->pol_mx.sv_count; i++)
		cap += strlen(pol->pol_mx.sv_items[i]) + 6;
	body = p = xmalloc(cap);
	n = snprintf(p, cap, "version: STSv1\r\nmode: %s\r\n",
	    policy_mode_name(pol->pol_mode));
	p += n;
	for (size_t i = 0; i < pol->pol_mx.sv_count; i++) {
		n = snprintf(p, cap - (size_t)(p - body), "mx: %s\r\n",
		    pol->pol_mx.sv_items[i]);
		p += n;
	}
	n = snprintf(p, cap - (size_t)(p - body), "max_age: %u\r\n",
	    (unsigned)pol->pol_max_age);
	p += n;
	*lenp = (size_t)(p - body);
	return body;
}

void
policy_id(const char *body, size_t len, char id[POLICY_ID_LEN + 1])
{
	static const char	hex[] = "0123456789abcdef";
	unsigned char		digest[WC_SHA256_DIGEST_SIZE];

	if (wc_Sha256Hash((const unsigned char *)body, (word32)len,
	    digest) != 0)
		abort();	/* wolfCrypt fails only on a broken build */
	for (size_t i = 0; i < POLICY_ID_LEN / 2; i++) {
		id[2 * i] = hex[digest[i] >> 4];
		id[2 * i + 1] = hex[digest[i] & 0xf];
	}
	id[POLICY_ID_LEN] = '\0';
}

void
policy_copy(struct policy *dst, const struct policy *src)
{
	dst->pol_mode = src->pol_mode;
	dst->pol_max_age = src->pol_max_age;
	memset(&dst->pol_mx, 0, sizeof(dst->pol_mx));
	strvec_copy(&dst->pol_mx, &src->pol_mx);
}

void
policy_free(struct policy *pol)
{
	strvec_free(&pol->pol_mx);
}
