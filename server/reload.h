/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reload: build the next snapshot next to the current one, from the files
 * that changed (fleet.c) or from every file, check it, swap it in, and say
 * what changed. Every trigger (SIGHUP, inotify) comes here.
 */
#ifndef MTA_STS_RELOAD_H
#define MTA_STS_RELOAD_H

#include <stddef.h>

#include "fleet.h"
#include "watch.h"

struct config;
struct server;
struct snapshot;

void	reload_diff(const struct snapshot *old, const struct snapshot *cur,
	    struct fleet_diff *);
/* The acme and metrics settings, as text to compare across reloads. */
#define RELOAD_SIDE_MAX	1024
const char	*reload_side_settings(const struct config *, char *, size_t);

/*
 * Returns 0 when the new snapshot is in service (or nothing changed), -1
 * when the old stays. With `changes` (what inotify named) only those files
 * are read again where that is enough; without, or when they cannot be
 * tied to single files, every file is.
 */
int	reload_run(struct server *, const char *path,
	    const struct watch_changes *changes);

#endif
