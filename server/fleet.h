/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the snapshot in service was built from, kept by the main thread so
 * that a reload can look only at what changed: each customer file that the
 * include patterns matched, with its stamp and the domains it defines;
 * which file defines each domain; and the certificates of the certificate
 * directories, indexed by the names they cover.
 *
 * A reload given the paths that inotify named (fleet_update) reads again
 * only those customer files and certificate pairs, and makes the next
 * snapshot from the one in service by changing the hosts of the names they
 * concern: its cost follows what changed, not the size of the fleet. The
 * main file is read alone too, when it names the same files (its settings,
 * comments or own domains changed), with every customer file when its
 * templates changed, and with what its new include patterns or
 * certificate directories add or take away. What it cannot tie to single
 * files (certificate files or a ticket key file named in the main file,
 * templates in a customer file, a domain defined twice, a Let's Encrypt
 * lineage, a directory made or removed) needs the whole load, as at
 * start-up (fleet_build).
 */
#ifndef MTA_STS_FLEET_H
#define MTA_STS_FLEET_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "../config/cert.h"
#include "../config/diag.h"
#include "../config/strmap.h"
#include "../config/strvec.h"

struct config;
struct snapshot;
struct watcher;

struct fleet;

/* What a reload changed, for its log line. */
struct fleet_diff {
	size_t	fd_added;		/* names served now, not before */
	size_t	fd_removed;		/* names no longer served */
	size_t	fd_policies;		/* names whose policy changed */
	size_t	fd_certificates;	/* names with another certificate */
	size_t	fd_certs_added;		/* certificate files, by serial */
	size_t	fd_certs_removed;
};

/* The bookkeeping of a whole load: `cfg` and the certificates loaded. */
struct fleet	*fleet_build(const struct config *cfg,
		    const struct certset *certs, time_t now);
/*
 * fleet_build() in two steps, for start-up: the books of the files and
 * domains of `cfg` while the certificates are still being read, then the
 * certificates on a thread of their own while the caller builds the
 * snapshot from the same certificates (both only read them, and take
 * references atomically); fleet_add_certs_end() waits for it.
 */
struct fleet	*fleet_new(const struct config *cfg);
void		 fleet_add_certs(struct fleet *, const struct certset *,
		    time_t now);
struct fleet_building;
struct fleet_building *fleet_add_certs_begin(struct fleet *,
		    const struct certset *, time_t now);
void		 fleet_add_certs_end(struct fleet_building *);
/*
 * When a certificate of the fleet begins or ends to be valid next (0:
 * never): which certificate serves a name then changes with no file
 * changing, and only a whole reload looks at every name again.
 */
time_t		 fleet_next_validity(const struct fleet *);
void		 fleet_free(struct fleet *);
/* A whole load was refused (the main file's errors): the files it would
 * have read are read by the next whole load, which the next change gets. */
void		 fleet_mark_stale(struct fleet *);
/* The file that defines `domain` (the main file for its own and for
 * domains defined twice), or NULL. */
const char	*fleet_file_of(const struct fleet *, const char *domain);
/*
 * A name the refusal rule kept in a whole load: it stays `file`'s (its
 * file before), so that the file's next change takes it up again, and
 * `policy` is what its file gives it now (NULL: the file is in error),
 * for when its certificate comes.
 */
struct served_policy;
void		 fleet_adopt(struct fleet *, const char *domain,
		    const char *file, struct served_policy *policy);
/*
 * Does an error of `dl` concern the domain: about it, or about the file
 * it is defined in? The refusal rule keeps such a name's host when the
 * change would take it away.
 */
bool		 fleet_concerns(const struct diag_list *, const char *domain,
		    const char *file);

enum fleet_result {
	FLEET_APPLIED,		/* fu_next is the new snapshot */
	FLEET_REFUSED,		/* no host changes: what would have, the
				   refusal rule kept (fu_kept) */
	FLEET_UNCHANGED,	/* the files named are as they were */
	FLEET_WHOLE,		/* it needs a whole load (why: fu_why) */
	FLEET_BROKEN,		/* the main file has errors (fu_diags):
				   nothing changes */
};

/* What fleet_update() needs besides the fleet. */
struct fleet_update {
	const struct snapshot	*fu_cur;	/* in service */
	const struct strmap	*fu_files;	/* what changed (watch_changes) */
	time_t			 fu_now;
	struct certcache	*fu_certcache;
	/* Told what a new include pattern or certificate directory makes
	 * to watch (NULL: nothing is watched). */
	struct watcher		*fu_watcher;
	struct strmap		*fu_policies;	/* served policies by id */
	/* Out: the new snapshot, what changed, what was wrong (to log), and
	 * the name a refusal would have taken away. */
	struct snapshot		*fu_next;
	struct fleet_diff	 fu_diff;
	struct diag_list	 fu_diags;
	/* A domain the refusal rule kept as it was (owned; NULL: none). */
	char			*fu_kept;
	const char		*fu_why;	/* FLEET_WHOLE: why */
	bool			 fu_broken;	/* FLEET_BROKEN */
	size_t			 fu_read;	/* customer files and pairs read */
	/* The customer files read that are symlinks, whose targets' directories
	 * the watcher is to follow. */
	struct strvec		 fu_links;
};

/*
 * Apply the changes of fu_files to the fleet and make the next snapshot
 * from fu_cur. On FLEET_WHOLE the fleet is as it was.
 * The caller frees fu_diags, fu_kept and fu_links.
 */
enum fleet_result fleet_update(struct fleet *, struct fleet_update *);

/*
 * SIGHUP without a whole load: every customer file the include patterns
 * match and every chain of a flat certificate directory looked at (a
 * stat each, on every processor), and those new, changed or gone put in
 * `changed` as inotify would have named them ("path" -> struct strvec of
 * the path), for fleet_update(); *looked says how many files were
 * looked at. Non-NULL, and `changed` left as it is, when only a whole
 * load will do: why.
 */
const char	*fleet_rescan(struct fleet *, const struct certcache *,
		    struct strmap *changed, size_t *looked);
/*
 * A certificate of the fleet began or ceased to be valid
 * (fleet_next_validity() passed): the pairs of every certificate that did
 * since the last look put in `changed` as inotify would have named them
 * (*count of them), for fleet_update(), which looks at the names they
 * cover again. Non-NULL when only a whole load will do: why.
 */
const char	*fleet_validity_changes(struct fleet *, time_t now,
		    struct strmap *changed, size_t *count);
/*
 * Watch what `cfg` names and the fleet's customer files (watch_set_files):
 * after a rescan, a directory made or removed is watched, or no longer.
 * Does nothing without a watcher.
 */
void		 fleet_watch(const struct fleet *, struct watcher *,
		    const struct config *cfg);

#endif
