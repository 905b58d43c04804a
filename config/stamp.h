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
#include <sys/stat.h>

struct stamp {
	dev_t		stp_dev;
	ino_t		stp_ino;
	off_t		stp_size;
	struct timespec	stp_mtim;
	struct timespec	stp_ctim;
};

static inline struct stamp
stamp_of(const struct stat *st)
{
	return (struct stamp){ st->st_dev, st->st_ino, st->st_size,
	    st->st_mtim, st->st_ctim };
}

static inline bool
stamp_equal(const struct stamp *a, const struct stamp *b)
{
	return a->stp_dev == b->stp_dev && a->stp_ino == b->stp_ino &&
	    a->stp_size == b->stp_size &&
	    a->stp_mtim.tv_sec == b->stp_mtim.tv_sec &&
	    a->stp_mtim.tv_nsec == b->stp_mtim.tv_nsec &&
	    a->stp_ctim.tv_sec == b->stp_ctim.tv_sec &&
	    a->stp_ctim.tv_nsec == b->stp_ctim.tv_nsec;
}

#endif
