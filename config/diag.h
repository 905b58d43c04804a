/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Diagnostics: errors and warnings about configuration input, each tied to a
 * file, line and column and, where it has one, the domain or template it is
 * about. Loading collects them all so one run reports every problem.
 */
#ifndef MTA_STS_DIAG_H
#define MTA_STS_DIAG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

struct srcpos {
	const char	*sp_file;	/* owned by whoever loaded the file */
	unsigned	 sp_line;	/* 1-based; 0 when the whole file is meant */
	unsigned	 sp_col;	/* 1-based; 0 when unknown */
};

enum diag_severity {
	DIAG_ERROR,
	DIAG_WARNING,
};

struct diag {
	enum diag_severity	 d_severity;
	char			*d_file;	/* NULL: not about a file */
	unsigned		 d_line;
	unsigned		 d_col;
	char			*d_subject;	/* "example.com", "policy 'x'" or NULL */
	char			*d_msg;
	size_t			 d_seq;		/* order found, for a stable sort */
};

struct diag_list {
	struct diag	*dl_items;
	size_t		 dl_count;
	size_t		 dl_cap;
	size_t		 dl_errors;
	size_t		 dl_warnings;
};

void	diag_add(struct diag_list *, enum diag_severity, const struct srcpos *,
	    const char *subject, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
void	diag_vadd(struct diag_list *, enum diag_severity, const struct srcpos *,
	    const char *subject, const char *fmt, va_list)
	    __attribute__((format(printf, 5, 0)));
/* Order by file (in the order of `files`), line and column. */
struct strvec;
void	diag_sort(struct diag_list *, const struct strvec *files);
void	diag_print(const struct diag_list *, FILE *);
void	diag_format(const struct diag *, FILE *);
/* A copy of each diagnostic of `src` added to `dst`. */
void	diag_append(struct diag_list *dst, const struct diag_list *src);
void	diag_free(struct diag_list *);

#endif
