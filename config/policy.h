/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The policy file of RFC 8461 section 3.2, rendered canonically, and the id
 * derived from its bytes.
 */
#ifndef MTA_STS_POLICY_H
#define MTA_STS_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strvec.h"

/* RFC 8461 3.2: max_age is at most 31557600 (one year). */
#define POLICY_MAX_AGE_LIMIT		31557600u
/* Public validators call less than a day an error ... */
#define POLICY_MAX_AGE_WARN		86400u
/* ... and less than a week in enforce mode a mistake. */
#define POLICY_MAX_AGE_ENFORCE_WARN	604800u
#define POLICY_MAX_AGE_DEFAULT		604800u
/* Senders refuse larger bodies (64 KiB is the common cap). */
#define POLICY_BODY_LIMIT		(64u * 1024)
/*
 * The id is the first 32 hex digits of SHA-256 over the served body: the
 * longest id RFC 8461 3.1 allows, and an operator can recompute it with
 * `sha256sum | cut -c1-32`.
 */
#define POLICY_ID_LEN			32

enum policy_mode {
	POLICY_MODE_ENFORCE,
	POLICY_MODE_TESTING,
	POLICY_MODE_NONE,
};

struct policy {
	enum policy_mode	pol_mode;
	struct strvec		pol_mx;		/* canonical patterns, in order */
	uint32_t		pol_max_age;
};

const char	*policy_mode_name(enum policy_mode);
int		 policy_mode_parse(const char *, enum policy_mode *);

/* The exact bytes served: CRLF after every line, ASCII, no blank line. */
char		*policy_render(const struct policy *, size_t *lenp);
void		 policy_id(const char *body, size_t len,
		    char id[POLICY_ID_LEN + 1]);

/*
 * Parse a policy body the way a sender does (RFC 8461 3.2): the fields in
 * any order, LF or CRLF line ends, unknown fields ignored. On the first
 * problem that makes a sender discard the policy, returns false with *why
 * (the caller frees it) and leaves `pol` empty.
 */
bool		 policy_parse(const char *body, size_t len, struct policy *pol,
		    char **why);

void		 policy_copy(struct policy *, const struct policy *);
void		 policy_free(struct policy *);

#endif
