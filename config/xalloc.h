/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Allocation that cannot fail. The configuration is built at start-up and on
 * reload; running out of memory there is not something a caller can repair,
 * so these abort with a message instead of threading NULL through every parser.
 */
#ifndef MTA_STS_XALLOC_H
#define MTA_STS_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xreallocarray(void *, size_t, size_t);
/*
 * Room for item `n` of an array that holds `n` items and grows by
 * doubling: 2 places at first, twice as many whenever n reaches a power of
 * two. For lists without a capacity field that reach a million items.
 */
void	*xgrow(void *, size_t n, size_t size);
char	*xstrdup(const char *);
char	*xstrndup(const char *, size_t);
char	*xasprintf(const char *, ...) __attribute__((format(printf, 1, 2)));
char	*xvasprintf(const char *, va_list) __attribute__((format(printf, 1, 0)));

#endif
