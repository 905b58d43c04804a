/*
 * What the unit tests share: leak checking per test under ASan, and a fresh
 * temporary directory per test for files the code under test reads.
 */
#ifndef MTA_STS_UNIT_H
#define MTA_STS_UNIT_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <criterion/criterion.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

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

#endif
