/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MTA_STS_STRVEC_H
#define MTA_STS_STRVEC_H

#include <stdbool.h>
#include <stddef.h>

/* An owned, growable list of owned strings. */
struct strvec {
	char	**sv_items;
	size_t	  sv_count;
};

void	strvec_push(struct strvec *, char *);	/* takes ownership */
bool	strvec_contains(const struct strvec *, const char *);
/* The same strings in the same order. */
bool	strvec_equal(const struct strvec *, const struct strvec *);
void	strvec_copy(struct strvec *, const struct strvec *);
void	strvec_free(struct strvec *);

#endif
