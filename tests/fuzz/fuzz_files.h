/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the fuzz targets that hand the loaders real files share: writing
 * an input's bytes to a file, which must succeed.
 */
#ifndef MTA_STS_FUZZ_FILES_H
#define MTA_STS_FUZZ_FILES_H

#include <stdio.h>
#include <stdlib.h>

static inline void
fuzz_write(const char *path, const void *p, size_t n)
{
	FILE	*fp = fopen(path, "w");

	if (fp == NULL || (n > 0 && fwrite(p, 1, n, fp) != n) ||
	    fclose(fp) != 0) {
		perror(path);
		abort();
	}
}

#endif
