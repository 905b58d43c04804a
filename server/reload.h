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
 * What a reload reads again: the files inotify named (`changes`), where
 * that is enough; for SIGHUP, and events that name no single file (a
 * directory made or removed, a queue overflow), the files that changed
 * since they were read, found by a stat of each; when a certificate began
 * or ceased to be valid, the names of those that did. Each falls back to
 * every file when the change cannot be tied to single files (certificate
 * files named in the main file, templates in a customer file, certbot
 * lineages...).
 */
enum reload_how {
	RELOAD_NAMED,
	RELOAD_RESCAN,
	RELOAD_VALIDITY,	/* a certificate began or ceased to be valid */
};

/*
 * Returns 0 when the new snapshot is in service (or nothing changed), -1
 * when the old stays. `changes` is RELOAD_NAMED's, NULL otherwise.
 */
int	reload_run(struct server *, const char *path, enum reload_how,
	    const struct watch_changes *changes);

#endif
