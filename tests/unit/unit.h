/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the unit tests share: leak checking per test and per case under ASan,
 * a fresh temporary directory per test (or per case) for files the code
 * under test reads, the name of the case a table-driven test is at, and the
 * checks every table uses.
 */
#ifndef MTA_STS_UNIT_H
#define MTA_STS_UNIT_H

#include <ftw.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <criterion/criterion.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "../../config/config.h"

/* The number of rows of a table. */
#define UNIT_COUNT(table)	(sizeof(table) / sizeof((table)[0]))

/* Each string `p` of the array `list`, up to its first NULL. */
#define UNIT_EACH(p, list)						\
	for (const char *const *p = (list);				\
	    p < (list) + UNIT_COUNT(list) && *p != NULL; p++)

/*
 * The case a table-driven test is at. Every assertion a case can fail names
 * it: cr_assert_eq(a, b, CASE), or "case %s: ..." with unit_case.
 */
static const char *unit_case = "(none)";
#define CASE	"case %s", unit_case

/*
 * Criterion reports a test as passing even when LeakSanitizer finds a leak
 * as its process exits. Under ASan, check for leaks at the end of each test
 * body instead, so that a leak fails the test that caused it.
 */
static inline void
unit_check_no_leaks(void)
{
#ifdef __SANITIZE_ADDRESS__
	cr_assert_eq(__lsan_do_recoverable_leak_check(), 0,
	    "the test leaked memory (LeakSanitizer's report is above)");
#endif
}

#define TEST_NO_LEAK(suite, name)					\
	static void suite##_##name##_body(void);			\
	Test(suite, name)						\
	{								\
		suite##_##name##_body();				\
		unit_check_no_leaks();					\
	}								\
	static void suite##_##name##_body(void)

/* The end of a case that freed all it made: a leak fails that case. */
static inline void
unit_case_end(void)
{
#ifdef __SANITIZE_ADDRESS__
	cr_assert_eq(__lsan_do_recoverable_leak_check(), 0,
	    "case %s leaked memory (LeakSanitizer's report is above)",
	    unit_case);
#endif
}

/* ---- Text written to a stream ------------------------------------------ */

struct unit_text {
	char	*buf;
	size_t	 len;
	FILE	*fp;
};

static inline FILE *
unit_text_open(struct unit_text *t)
{
	t->buf = NULL;
	t->len = 0;
	t->fp = open_memstream(&t->buf, &t->len);
	cr_assert_not_null(t->fp);
	return t->fp;
}

/* What was written, caller frees. */
static inline char *
unit_text_close(struct unit_text *t)
{
	cr_assert_eq(fclose(t->fp), 0);
	return t->buf;
}

/* Every diagnostic in the compiler format, for failure messages. */
static inline char *
unit_diags(const struct diag_list *dl)
{
	struct unit_text t;

	diag_print(dl, unit_text_open(&t));
	return unit_text_close(&t);
}

/* ---- Cases named by their input ---------------------------------------- */

/*
 * `len` bytes of `s` as a C string literal, for a case named by its input;
 * long inputs are cut. The result lasts until the next call.
 */
static inline const char *
unit_quote(const char *s, size_t len)
{
	static char	 buf[256];
	size_t		 o = 0;

	buf[o++] = '"';
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (o > sizeof(buf) - 10) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c == '\n' || c == '\r' || c == '\t' || c == '"' ||
		    c == '\\') {
			buf[o++] = '\\';
			buf[o++] = c == '\n' ? 'n' : c == '\r' ? 'r' :
			    c == '\t' ? 't' : (char)c;
		} else if (c < 0x20 || c >= 0x7f)
			o += (size_t)snprintf(buf + o, 5, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

/* Names the case by its input, a string. */
static inline void
unit_case_input(const char *s)
{
	unit_case = unit_quote(s, strlen(s));
}

/*
 * `spec` with every "c{N}" written out as N copies of the byte c, so that a
 * table can hold a 64-byte label as "a{64}"; caller frees.
 */
static inline char *
unit_repeat(const char *spec)
{
	struct unit_text	 t;
	FILE			*fp = unit_text_open(&t);
	const char		*p = spec;

	while (*p != '\0') {
		char		*end;
		unsigned long	 n;

		if (p[1] == '{' && p[2] >= '0' && p[2] <= '9' &&
		    (n = strtoul(p + 2, &end, 10), *end == '}')) {
			for (unsigned long i = 0; i < n; i++)
				fputc(*p, fp);
			p = end + 1;
		} else
			fputc(*p++, fp);
	}
	return unit_text_close(&t);
}

/*
 * The verdict of a check that returns whether it accepts its input and, when
 * it refuses, sets *why to a message the caller frees: accepted without a
 * message when `needle` is NULL, else refused with `needle` in the message.
 * Set `why` with unit_why_before(needle), then call the check, then pass
 * what it returned and `why` here.
 */
static inline char *
unit_why_before(const char *needle)
{
	return needle == NULL ? (char *)"unset" : NULL;
}

static inline void
unit_expect_verdict(bool ok, char *why, const char *needle)
{
	if (needle == NULL) {
		cr_assert(ok, "case %s: refused: %s", unit_case,
		    why != NULL ? why : "(no message)");
		cr_assert_null(why, "case %s: accepted but a message was set",
		    unit_case);
		return;
	}
	cr_assert_not(ok, "case %s: accepted", unit_case);
	cr_assert_not_null(why, "case %s: refused without a message",
	    unit_case);
	cr_assert(strstr(why, needle) != NULL,
	    "case %s: the message is \"%s\", expected \"%s\" in it", unit_case,
	    why, needle);
	free(why);
}

/* ---- The temporary directory ------------------------------------------- */

/* This test's temporary directory (each test runs in its own process). */
static char *unit_dir;

static inline int
unit_rm_entry(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* For TestSuite(..., .init = unit_setup, .fini = unit_teardown). */
static inline void
unit_setup(void)
{
	char tmpl[] = "/tmp/mta-sts-hostd-unit-XXXXXX";

	cr_assert_not_null(mkdtemp(tmpl));
	unit_dir = strdup(tmpl);
}

static inline void
unit_teardown(void)
{
	if (unit_dir == NULL)
		return;
	nftw(unit_dir, unit_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(unit_dir);
	unit_dir = NULL;
}

/* An empty directory for the next case of a table. */
static inline void
unit_fresh_dir(void)
{
	unit_teardown();
	unit_setup();
}

/* `unit_dir/rel`, caller frees. */
static inline char *
unit_path(const char *rel)
{
	char *p = NULL;

	cr_assert_neq(asprintf(&p, "%s/%s", unit_dir, rel), -1);
	return p;
}

/* `text` with every "$DIR" replaced by the test directory; caller frees. */
static inline char *
unit_expand(const char *text)
{
	struct unit_text	 t;
	FILE			*fp = unit_text_open(&t);
	const char		*p = text, *d;

	while ((d = strstr(p, "$DIR")) != NULL) {
		fwrite(p, 1, (size_t)(d - p), fp);
		fputs(unit_dir, fp);
		p = d + 4;
	}
	fputs(p, fp);
	return unit_text_close(&t);
}

/* Writes `text` ($DIR expanded) to `unit_dir/rel`, making its directories. */
static inline void
unit_write(const char *rel, const char *text)
{
	char	*path = unit_path(rel), *body = unit_expand(text);
	FILE	*fp;

	for (char *s = path + strlen(unit_dir) + 1;
	    (s = strchr(s, '/')) != NULL; s++) {
		*s = '\0';
		mkdir(path, 0700);
		*s = '/';
	}
	fp = fopen(path, "w");
	cr_assert_not_null(fp, "case %s: cannot write %s", unit_case, path);
	cr_assert_geq(fputs(body, fp), 0);
	cr_assert_eq(fclose(fp), 0);
	free(body);
	free(path);
}

/* Loads `unit_dir/rel`. */
static inline struct config *
unit_load(const char *rel)
{
	char		*path = unit_path(rel);
	struct config	*cfg = config_load(path);

	free(path);
	cr_assert_not_null(cfg, CASE);
	return cfg;
}

/* A shell command (printf-style) that must succeed. */
static inline void __attribute__((format(printf, 1, 2)))
unit_sh(const char *fmt, ...)
{
	char	cmd[2048];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	cr_assert_eq(system(cmd), 0, "case %s: command failed: %s", unit_case,
	    cmd);
}

/* The next number of a xorshift64 sequence: randomized tests that a seed
 * repeats exactly. */
static inline uint64_t
unit_xorshift(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

#endif
