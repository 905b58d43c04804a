/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host names as RFC 8461 wants them: RFC 5321 host names in A-label form,
 * no trailing dot, no underscore; an mx pattern may start with "*." which
 * matches exactly one label.
 */
#ifndef MTA_STS_NAME_H
#define MTA_STS_NAME_H

#include <stdbool.h>

#define NAME_MAX_LENGTH		253	/* RFC 1035 2.3.4, without the root dot */
#define NAME_MAX_LABEL		63	/* RFC 1035 2.3.4 */

enum name_flags {
	NAME_WILDCARD = 1 << 0,		/* allow a leading "*." label */
};

/*
 * Validate `input` and return its canonical form (lower case, A-labels), to
 * be freed by the caller. A Unicode name is converted with libidn2. On error
 * returns NULL and sets *why to a message (freed by the caller) that says
 * what is wrong and what to write instead.
 */
char	*name_normalize(const char *input, int flags, char **why);

/* Does the mx pattern (canonical form) match the host name (canonical)? */
bool	 name_pattern_match(const char *pattern, const char *host);

/* A single DNS label of letters, digits and hyphens (template names). */
bool	 name_is_label(const char *);

#endif
