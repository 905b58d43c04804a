/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reload: build a complete new snapshot next to the current one, check it,
 * swap it in, and say what changed. Every trigger (SIGHUP, inotify) comes
 * here.
 */
#ifndef MTA_STS_RELOAD_H
#define MTA_STS_RELOAD_H

#include <stddef.h>

struct config;
struct server;
struct snapshot;

struct reload_diff {
	size_t	rd_added;		/* names served now, not before */
	size_t	rd_removed;		/* names no longer served */
	size_t	rd_policies;		/* names whose policy changed */
	size_t	rd_certificates;	/* names with another certificate */
	size_t	rd_certs_added;		/* certificate files, by serial */
	size_t	rd_certs_removed;
};

void	reload_diff(const struct snapshot *old, const struct snapshot *cur,
	    struct reload_diff *);
/* The acme and metrics settings, as text to compare across reloads. */
#define RELOAD_SIDE_MAX	1024
const char	*reload_side_settings(const struct config *, char *, size_t);

/* Returns 0 when the new snapshot is in service, -1 when the old stays. */
int	reload_run(struct server *, const char *path);

#endif
