/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A file's identity and version, as stat(2) tells them: device, inode,
 * size, modification and change times. A file replaced by rename gets
 * another inode, one written in place another mtime, one whose owner or
 * mode changes another ctime; what was parsed from a file whose stamp is
 * unchanged is what parsing it again would give.
 */
#ifndef MTA_STS_STAMP_H
#define MTA_STS_STAMP_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>

/* 40 bytes: three of them are kept per customer. */
struct stamp {
	uint64_t	stp_dev;
	uint64_t	stp_ino;
	int64_t		stp_size;
	int64_t		stp_mtime;	/* nanoseconds */
	int64_t		stp_ctime;
};

static inline int64_t
stamp_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

static inline struct stamp
stamp_of(const struct stat *st)
{
	return (struct stamp){ st->st_dev, st->st_ino, st->st_size,
	    stamp_ns(&st->st_mtim), stamp_ns(&st->st_ctim) };
}

static inline bool
stamp_equal(const struct stamp *a, const struct stamp *b)
{
	return a->stp_dev == b->stp_dev && a->stp_ino == b->stp_ino &&
	    a->stp_size == b->stp_size && a->stp_mtime == b->stp_mtime &&
	    a->stp_ctime == b->stp_ctime;
}

#endif
