/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../config/config.h"
#include "../config/strmap.h"
#include "../config/xalloc.h"
#include "log.h"

/* What changes a file or a directory entry, and nothing that only reads. */
#define WATCH_MASK	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | \
			 IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | \
			 IN_MOVE_SELF | IN_ONLYDIR)

struct watcher {
	int		 wa_fd;
	int		*wa_wds;
	size_t		 wa_nwds;
	/* The names that matter in the watched directories (watch_matters):
	 * the configuration's files (a set: a hoster has a million), and
	 * its include patterns' last parts. */
	struct strmap	 wa_names;
	struct strvec	 wa_globs;
	/* Each watch's directory, under every spelling the configuration
	 * uses (a symlinked directory and its target share a watch): "wd" ->
	 * struct strvec. */
	struct strmap	 wa_spellings;
};

struct watcher *
watch_new(void)
{
	struct watcher *wa = xcalloc(1, sizeof(*wa));

	wa->wa_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (wa->wa_fd == -1) {
		log_warn("inotify: changes will be picked up on SIGHUP only");
	}
	return wa;
}

int
watch_fd(const struct watcher *wa)
{
	return wa->wa_fd;
}

static bool
watch_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * A directory, and the directory its symlinks lead to. `dirs` is a set:
 * the files of a million customers share a few directories, and each is
 * resolved once.
 */
static void
watch_add_dir(struct strmap *dirs, const char *dir)
{
	char real[PATH_MAX];

	if (strmap_get(dirs, dir) != NULL || !watch_is_dir(dir))
		return;
	(void)strmap_put(dirs, dir, dirs);
	if (realpath(dir, real) != NULL)
		(void)strmap_put(dirs, real, dirs);
}

/* The length of the directory part of `path` (0: none, it is in "."). */
static size_t
watch_dir_len(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash == NULL ? 0 : slash == path ? 1 : (size_t)(slash - path);
}

/* The directory `path` is in. */
static void
watch_add_dir_of(struct strmap *dirs, const char *path)
{
	size_t	 len = watch_dir_len(path);
	char	*dir = len == 0 ? xstrdup(".") : xstrndup(path, len);

	watch_add_dir(dirs, dir);
	free(dir);
}

static void watch_add_parent(struct strmap *, const char *);
static void watch_add_name(struct strmap *, const char *);

/* A file that is a symlink (Kubernetes: name -> ..data/name) also changes
 * when its target's directory does, and under the target's name (into
 * `names`, when given); a directory on the way that is a symlink was
 * resolved by watch_add_dir(). */
static void
watch_add_target(struct strmap *dirs, struct strmap *names, const char *path)
{
	char real[PATH_MAX];

	if (realpath(path, real) == NULL || strcmp(real, path) == 0)
		return;
	watch_add_parent(dirs, real);
	if (names != NULL)
		watch_add_name(names, real);
}

static void
watch_add_parent(struct strmap *dirs, const char *path)
{
	struct stat st;

	watch_add_dir_of(dirs, path);
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
		watch_add_target(dirs, NULL, path);
}

/*
 * The directories of the included files: what their patterns matched, in
 * the patterns' order, so a run of files in one directory costs one
 * comparison each; and the targets' of those that are symlinks.
 */
static void
watch_add_included(struct strmap *dirs, struct strmap *names,
    const struct watch_files *files)
{
	const char	*prev = NULL, *path;
	size_t		 prev_len = 0, pos = 0;
	bool		 link = false;

	while ((path = files->wf_next(files->wf_arg, &pos, &link)) != NULL) {
		size_t len = watch_dir_len(path);

		if (link)
			watch_add_target(dirs, names, path);
		if (prev != NULL && len == prev_len &&
		    strncmp(prev, path, len) == 0)
			continue;
		watch_add_dir_of(dirs, path);
		prev = path;
		prev_len = len;
	}
}

/* A configuration's own included files: cfg_files past the main file, the
 * loader having said which are symlinks (cfg_links, in order). */
struct watch_cfg_files {
	const struct config	*wcf_cfg;
	size_t			 wcf_link;	/* the next of cfg_links */
};

static const char *
watch_cfg_next(void *arg, size_t *pos, bool *link)
{
	struct watch_cfg_files	*wcf = arg;
	const struct config	*cfg = wcf->wcf_cfg;
	size_t			 i = ++*pos;	/* cfg_files[0] is the main file */

	if (i >= cfg->cfg_files.sv_count)
		return NULL;
	while (wcf->wcf_link < cfg->cfg_nlinks &&
	    cfg->cfg_links[wcf->wcf_link] < i)
		wcf->wcf_link++;
	*link = wcf->wcf_link < cfg->cfg_nlinks &&
	    cfg->cfg_links[wcf->wcf_link] == i;
	return cfg->cfg_files.sv_items[i];
}

/*
 * The nearest existing directory above `path`: a directory that is removed
 * and created again shows there, where a watch on the directory itself was
 * removed with it.
 */
static void
watch_add_ancestor(struct strmap *dirs, const char *path)
{
	char	*p = xstrdup(path), *slash;

	for (;;) {
		size_t len = strlen(p);

		while (len > 1 && p[len - 1] == '/')
			p[--len] = '\0';
		if ((slash = strrchr(p, '/')) == NULL) {
			watch_add_dir(dirs, ".");
			break;
		}
		if (slash == p)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (watch_is_dir(p)) {
			watch_add_dir(dirs, p);
			break;
		}
		if (strcmp(p, "/") == 0)
			break;
	}
	free(p);
}

/* The part of a glob pattern before its first wildcard, as a directory,
 * and the directory above it. */
static void
watch_add_pattern(struct strmap *dirs, const char *pattern)
{
	size_t	 len = strcspn(pattern, "*?[");
	char	*prefix = xstrndup(pattern, len);

	watch_add_parent(dirs, prefix);
	watch_add_ancestor(dirs, prefix[0] != '\0' ? prefix : ".");
	free(prefix);
}

/* A certificate directory, and the lineage directories certbot keeps in
 * it (live/<name>/ holds the symlinks a renewal replaces). */
static void
watch_add_cert_dir(struct strmap *dirs, const char *dir, int depth)
{
	struct dirent	*e;
	DIR		*d;
	char		*sub;

	watch_add_dir(dirs, dir);
	if (depth > 1 || (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		/* The entry's type spares a stat(2) for each of a million
		 * certificate files. */
		if (e->d_name[0] == '.' || (e->d_type != DT_DIR &&
		    e->d_type != DT_LNK && e->d_type != DT_UNKNOWN))
			continue;
		sub = xasprintf("%s/%s", dir, e->d_name);
		if (watch_is_dir(sub))
			watch_add_cert_dir(dirs, sub, depth + 1);
		free(sub);
	}
	closedir(d);
}

static const char *
watch_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

static void
watch_add_name(struct strmap *names, const char *path)
{
	const char *base = watch_base(path);

	if (*base != '\0')
		(void)strmap_put(names, base, names);
}

static void
watch_add_glob(struct strvec *globs, const char *pattern)
{
	const char *base = watch_base(pattern);

	if (*base != '\0' && !strvec_contains(globs, base))
		strvec_push(globs, xstrdup(base));
}

/*
 * Does a change to `name` in a watched directory matter? A directory does
 * (a certificate directory or certbot lineage made or removed), and so do
 * the configuration's own files, what its include patterns match,
 * certificates and keys (*.crt, *.key, *.pem: every layout the daemon
 * reads, Kubernetes' tls.crt and tls.key too) and Kubernetes' ..data
 * swap (..data, ..2026_12_04_...). Dotfiles do not: the ACME hooks and
 * editors write them first and rename them into place, and the rename
 * carries the real name. Nor does anything else: a log or state file
 * written next to the configuration must not reload a fleet.
 */
static bool
watch_matters(const struct watcher *wa, const struct inotify_event *ev)
{
	static const char *const suffixes[] = { ".crt", ".key", ".pem" };
	const char	*name = ev->name;
	size_t		 len;

	if (ev->len == 0 || (ev->mask & (IN_ISDIR | IN_Q_OVERFLOW |
	    IN_DELETE_SELF | IN_MOVE_SELF)))
		return true;
	if (name[0] == '.')
		return name[1] == '.';
	if (strmap_get(&wa->wa_names, name) != NULL)
		return true;
	for (size_t i = 0; i < wa->wa_globs.sv_count; i++)
		if (fnmatch(wa->wa_globs.sv_items[i], name, FNM_PERIOD) == 0)
			return true;
	len = strlen(name);
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		size_t n = strlen(suffixes[i]);

		if (len > n && strcmp(name + len - n, suffixes[i]) == 0)
			return true;
	}
	return false;
}

static void
watch_spelling_add(struct strmap *spellings, int wd, const char *dir)
{
	char		 key[16];
	struct strvec	*sv;

	snprintf(key, sizeof(key), "%d", wd);
	if ((sv = strmap_get(spellings, key)) == NULL) {
		sv = xcalloc(1, sizeof(*sv));
		(void)strmap_put(spellings, key, sv);
	}
	strvec_push(sv, xstrdup(dir));
}

static void
watch_spellings_free(struct strmap *spellings)
{
	const char	*key;
	void		*sv;

	for (size_t pos = 0; strmap_next(spellings, &pos, &key, &sv);) {
		strvec_free(sv);
		free(sv);
	}
	strmap_free(spellings);
}

static int
watch_wd_cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

size_t
watch_set(struct watcher *wa, const struct config *cfg)
{
	struct watch_cfg_files	 wcf = { .wcf_cfg = cfg };
	const struct watch_files files = { watch_cfg_next, &wcf };

	return watch_set_files(wa, cfg, &files);
}

size_t
watch_set_files(struct watcher *wa, const struct config *cfg,
    const struct watch_files *files)
{
	struct strmap	 dirs = { 0 };
	const char	*dir;
	void		*unused;
	int		*wds;
	size_t		 nwds = 0;

	if (wa->wa_fd == -1)
		return 0;
	strmap_free(&wa->wa_names);
	strvec_free(&wa->wa_globs);
	/* Included files are named by their patterns, a million of them by
	 * one pattern: they need no name each. */
	watch_add_name(&wa->wa_names, cfg->cfg_path);
	for (size_t i = 0; i < cfg->cfg_includes.sv_count; i++)
		watch_add_glob(&wa->wa_globs, cfg->cfg_includes.sv_items[i]);
	if (cfg->cfg_ticket_keys != NULL)
		watch_add_name(&wa->wa_names, cfg->cfg_ticket_keys);
	for (size_t i = 0; i < cfg->cfg_ncerts; i++)
		if (cfg->cfg_certs[i].csrc_directory == NULL) {
			watch_add_name(&wa->wa_names, cfg->cfg_certs[i].csrc_cert);
			watch_add_name(&wa->wa_names, cfg->cfg_certs[i].csrc_key);
		}
	watch_add_parent(&dirs, cfg->cfg_path);
	watch_add_included(&dirs, &wa->wa_names, files);
	for (size_t i = 0; i < cfg->cfg_includes.sv_count; i++)
		watch_add_pattern(&dirs, cfg->cfg_includes.sv_items[i]);
	if (cfg->cfg_ticket_keys != NULL)
		watch_add_parent(&dirs, cfg->cfg_ticket_keys);
	for (size_t i = 0; i < cfg->cfg_ncerts; i++) {
		const struct cert_source *cs = &cfg->cfg_certs[i];

		if (cs->csrc_directory != NULL) {
			watch_add_cert_dir(&dirs, cs->csrc_directory, 0);
			watch_add_ancestor(&dirs, cs->csrc_directory);
		}
		else {
			watch_add_parent(&dirs, cs->csrc_cert);
			watch_add_parent(&dirs, cs->csrc_key);
		}
	}
	/*
	 * The new set first, then what left it goes: re-arming a directory
	 * already watched returns the same watch, so no change to it is
	 * missed in between.
	 */
	watch_spellings_free(&wa->wa_spellings);
	wds = xcalloc(dirs.sm_count, sizeof(*wds));
	for (size_t pos = 0; strmap_next(&dirs, &pos, &dir, &unused);) {
		int wd = inotify_add_watch(wa->wa_fd, dir, WATCH_MASK);

		if (wd == -1) {
			log_warn("inotify: cannot watch %s%s", dir,
			    errno == ENOSPC ? " (raise fs.inotify."
			    "max_user_watches)" : "");
			continue;
		}
		watch_spelling_add(&wa->wa_spellings, wd, dir);
		wds[nwds++] = wd;
	}
	if (nwds > 1)
		qsort(wds, nwds, sizeof(*wds), watch_wd_cmp);
	for (size_t i = 0; i < wa->wa_nwds; i++)
		if (bsearch(&wa->wa_wds[i], wds, nwds, sizeof(*wds),
		    watch_wd_cmp) == NULL)
			inotify_rm_watch(wa->wa_fd, wa->wa_wds[i]);
	free(wa->wa_wds);
	wa->wa_wds = wds;
	wa->wa_nwds = nwds;
	strmap_free(&dirs);
	return wa->wa_nwds;
}

/* The directories `dirs` watched besides those already: none is taken
 * away, and one watched already keeps its watch. */
static void
watch_arm(struct watcher *wa, const struct strmap *dirs)
{
	const char	*dir;
	void		*unused;

	for (size_t pos = 0; strmap_next(dirs, &pos, &dir, &unused);) {
		int		 wd = inotify_add_watch(wa->wa_fd, dir, WATCH_MASK);
		char		 key[16];
		struct strvec	*known;
		size_t		 at = 0;

		if (wd == -1) {
			log_warn("inotify: cannot watch %s", dir);
			continue;
		}
		snprintf(key, sizeof(key), "%d", wd);
		known = strmap_get(&wa->wa_spellings, key);
		if (known == NULL || !strvec_contains(known, dir))
			watch_spelling_add(&wa->wa_spellings, wd, dir);
		/* wa_wds stays sorted, each watch once. */
		while (at < wa->wa_nwds && wa->wa_wds[at] < wd)
			at++;
		if (at < wa->wa_nwds && wa->wa_wds[at] == wd)
			continue;
		wa->wa_wds = xreallocarray(wa->wa_wds, wa->wa_nwds + 1,
		    sizeof(*wa->wa_wds));
		memmove(&wa->wa_wds[at + 1], &wa->wa_wds[at],
		    (wa->wa_nwds - at) * sizeof(*wa->wa_wds));
		wa->wa_wds[at] = wd;
		wa->wa_nwds++;
	}
}

void
watch_follow(struct watcher *wa, const char *path)
{
	struct strmap dirs = { 0 };

	if (wa == NULL || wa->wa_fd == -1)
		return;
	watch_add_target(&dirs, &wa->wa_names, path);
	watch_arm(wa, &dirs);
	strmap_free(&dirs);
}

void
watch_set_after(struct watcher *wa, const struct config *main,
    const struct config *cfg)
{
	struct watch_cfg_files	 wcf = { .wcf_cfg = cfg };
	const struct watch_files files = { watch_cfg_next, &wcf };
	struct strmap		 dirs = { 0 };

	if (wa == NULL || wa->wa_fd == -1)
		return;
	if (!config_sources_equal(main, cfg)) {
		(void)watch_set(wa, cfg);
		return;
	}
	watch_add_included(&dirs, &wa->wa_names, &files);
	watch_arm(wa, &dirs);
	strmap_free(&dirs);
}

/* The paths an event names, or everything when it names no one file. */
static void
watch_note(const struct watcher *wa, const struct inotify_event *ev,
    struct watch_changes *wc)
{
	const struct strvec	*sv;
	struct strvec		*paths;
	char			 key[16], *file;

	if (wc->wc_all)
		return;
	snprintf(key, sizeof(key), "%d", ev->wd);
	sv = strmap_get(&wa->wa_spellings, key);
	if (ev->len == 0 || ev->name[0] == '.' || sv == NULL ||
	    (ev->mask & (IN_ISDIR | IN_Q_OVERFLOW | IN_DELETE_SELF |
	    IN_MOVE_SELF))) {
		wc->wc_all = true;
		return;
	}
	file = xasprintf("%d/%s", ev->wd, ev->name);
	if (strmap_get(&wc->wc_files, file) != NULL) {
		free(file);
		return;
	}
	paths = xcalloc(1, sizeof(*paths));
	(void)strmap_put(&wc->wc_files, file, paths);
	free(file);
	for (size_t i = 0; i < sv->sv_count; i++) {
		const char *dir = sv->sv_items[i];

		/* Spelled as the configuration spells its paths: relative
		 * to the working directory when it is ".". */
		strvec_push(paths, strcmp(dir, "/") == 0 ?
		    xasprintf("/%s", ev->name) : strcmp(dir, ".") == 0 ?
		    xstrdup(ev->name) : xasprintf("%s/%s", dir, ev->name));
	}
}

void
watch_changes_clear(struct watch_changes *wc)
{
	const char	*key;
	void		*paths;

	for (size_t pos = 0; strmap_next(&wc->wc_files, &pos, &key, &paths);) {
		strvec_free(paths);
		free(paths);
	}
	strmap_free(&wc->wc_files);
	wc->wc_all = false;
}

bool
watch_read(struct watcher *wa, struct watch_changes *wc)
{
	char	buf[16384] __attribute__((aligned(__alignof__(struct
		    inotify_event))));
	bool	any = false;
	ssize_t	n;

	while ((n = read(wa->wa_fd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const void *)p;

			/* A removed watch says goodbye; the next reload
			 * recomputes the set anyway. */
			if (!(ev->mask & IN_IGNORED) && watch_matters(wa, ev)) {
				any = true;
				watch_note(wa, ev, wc);
			}
			if (ev->mask & IN_Q_OVERFLOW)
				log_warnx("inotify: event queue overflow; "
				    "reloading");
			p += sizeof(*ev) + ev->len;
		}
	}
	return any;
}

void
watch_free(struct watcher *wa)
{
	if (wa == NULL)
		return;
	if (wa->wa_fd != -1)
		close(wa->wa_fd);
	free(wa->wa_wds);
	strmap_free(&wa->wa_names);
	strvec_free(&wa->wa_globs);
	watch_spellings_free(&wa->wa_spellings);
	free(wa);
}
