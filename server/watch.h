/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Watching the files a snapshot was built from, with inotify. Directories
 * are watched, not files: editors, install(1), certbot (live/ symlinks into
 * archive/) and Kubernetes volumes (the ..data symlink swap) all replace
 * files by rename, which a watch on the old file would never see. Symlinked
 * directories are watched at their targets, and the whole set is recomputed
 * after every reload, so a target that moves is followed.
 */
#ifndef MTA_STS_WATCH_H
#define MTA_STS_WATCH_H

#include <stdbool.h>
#include <stddef.h>

#include "../config/strmap.h"

struct config;
struct watcher;

/*
 * What a burst of events named, for a reload that looks only at that: the
 * files that changed, each under every spelling of its directory that the
 * configuration uses (a symlinked directory and its target are one
 * watch), or, when events cannot be tied to files (a queue overflow, a
 * directory made or removed, Kubernetes' ..data swap), everything.
 */
struct watch_changes {
	bool		wc_all;
	/* "watch/name" -> struct strvec of the file's paths */
	struct strmap	wc_files;
};

struct watcher	*watch_new(void);
int		 watch_fd(const struct watcher *);
/* Watch what `cfg` was read from and names; returns the number watched. */
size_t		 watch_set(struct watcher *, const struct config *);
/*
 * The included files of a configuration read alone (its main file): the
 * caller's books have them. wf_next() gives the next one at *pos (from 0),
 * or NULL at the end, and says whether it is a symlink.
 */
struct watch_files {
	const char	*(*wf_next)(void *arg, size_t *pos, bool *link);
	void		  *wf_arg;
};
/* watch_set(), with the included files `files` has instead of cfg's. */
size_t		 watch_set_files(struct watcher *, const struct config *,
		    const struct watch_files *files);
/*
 * The watches of `main` (the main file read alone, watched with
 * watch_set() before the customer files were read) completed for `cfg`,
 * the whole configuration read after it: when `main` named the same
 * sources, only what the included files add (their directories and
 * symlinks' targets) is watched besides, and the certificate directories
 * are not listed again; otherwise (the main file changed in between),
 * watch_set(cfg).
 */
void		 watch_set_after(struct watcher *, const struct config *main,
		    const struct config *cfg);
/*
 * A customer file read alone (a reload of the files named) that is a
 * symlink: its target's directory is watched too, as watch_set() would.
 */
void		 watch_follow(struct watcher *, const char *path);
/* Drain pending events into `changes`; true if any may concern the
 * configuration. */
bool		 watch_read(struct watcher *, struct watch_changes *);
void		 watch_changes_clear(struct watch_changes *);
void		 watch_free(struct watcher *);

#endif
