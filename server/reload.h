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

struct snapshot_diff {
	size_t	sd_added;		/* names served now, not before */
	size_t	sd_removed;		/* names no longer served */
	size_t	sd_policies;		/* names whose policy changed */
	size_t	sd_certificates;	/* names with another certificate */
	size_t	sd_certs_added;		/* certificate files, by serial */
	size_t	sd_certs_removed;
};

void	snapshot_diff(const struct snapshot *old, const struct snapshot *cur,
	    struct snapshot_diff *);
/* The acme and metrics settings, as text to compare across reloads. */
#define RELOAD_SIDE_MAX	1024
const char	*reload_side_settings(const struct config *, char *, size_t);

/* Returns 0 when the new snapshot is in service, -1 when the old stays. */
int	reload_run(struct server *, const char *path);

#endif
