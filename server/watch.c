/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "watch.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../config/config.h"
#include "../config/strvec.h"
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
	struct strvec	 wa_dirs;	/* what is watched, for messages */
	/* The names that matter in the watched directories (watch_matters):
	 * the configuration's files, and its include patterns' last parts. */
	struct strvec	 wa_names;
	struct strvec	 wa_globs;
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

/* A directory, and the directory its symlinks lead to. */
static void
watch_add_dir(struct strvec *dirs, const char *dir)
{
	char real[PATH_MAX];

	if (!watch_is_dir(dir))
		return;
	if (!strvec_contains(dirs, dir))
		strvec_push(dirs, xstrdup(dir));
	if (realpath(dir, real) != NULL && !strvec_contains(dirs, real))
		strvec_push(dirs, xstrdup(real));
}

static void
watch_add_parent(struct strvec *dirs, const char *path)
{
	const char	*slash = strrchr(path, '/');
	char		*dir, real[PATH_MAX];

	dir = slash == NULL ? xstrdup(".") : slash == path ? xstrdup("/") :
	    xstrndup(path, (size_t)(slash - path));
	watch_add_dir(dirs, dir);
	free(dir);
	/* A file that is a symlink (Kubernetes: name -> ..data/name) also
	 * changes when its target's directory does. */
	if (realpath(path, real) != NULL && strcmp(real, path) != 0)
		watch_add_parent(dirs, real);
}

/*
 * The nearest existing directory above `path`: a directory that is removed
 * and created again shows there, where a watch on the directory itself was
 * removed with it.
 */
static void
watch_add_ancestor(struct strvec *dirs, const char *path)
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
watch_add_pattern(struct strvec *dirs, const char *pattern)
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
watch_add_cert_dir(struct strvec *dirs, const char *dir, int depth)
{
	struct dirent	*e;
	DIR		*d;
	char		*sub;

	watch_add_dir(dirs, dir);
	if (depth > 1 || (d = opendir(dir)) == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
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
watch_add_name(struct strvec *names, const char *path)
{
	const char *base = watch_base(path);

	if (*base != '\0' && !strvec_contains(names, base))
		strvec_push(names, xstrdup(base));
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
	if (strvec_contains(&wa->wa_names, name))
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

size_t
watch_set(struct watcher *wa, const struct config *cfg)
{
	struct strvec	dirs = { 0 };

	if (wa->wa_fd == -1)
		return 0;
	strvec_free(&wa->wa_names);
	strvec_free(&wa->wa_globs);
	watch_add_name(&wa->wa_names, cfg->cfg_path);
	for (size_t i = 0; i < cfg->cfg_files.sv_count; i++)
		watch_add_name(&wa->wa_names, cfg->cfg_files.sv_items[i]);
	for (size_t i = 0; i < cfg->cfg_includes.sv_count; i++)
		watch_add_name(&wa->wa_globs, cfg->cfg_includes.sv_items[i]);
	if (cfg->cfg_ticket_keys != NULL)
		watch_add_name(&wa->wa_names, cfg->cfg_ticket_keys);
	for (size_t i = 0; i < cfg->cfg_ncerts; i++)
		if (cfg->cfg_certs[i].csrc_directory == NULL) {
			watch_add_name(&wa->wa_names, cfg->cfg_certs[i].csrc_cert);
			watch_add_name(&wa->wa_names, cfg->cfg_certs[i].csrc_key);
		}
	watch_add_parent(&dirs, cfg->cfg_path);
	for (size_t i = 0; i < cfg->cfg_files.sv_count; i++)
		watch_add_parent(&dirs, cfg->cfg_files.sv_items[i]);
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
	/* Re-arming a directory already watched returns the same watch. */
	for (size_t i = 0; i < wa->wa_nwds; i++)
		inotify_rm_watch(wa->wa_fd, wa->wa_wds[i]);
	free(wa->wa_wds);
	wa->wa_wds = xcalloc(dirs.sv_count, sizeof(*wa->wa_wds));
	wa->wa_nwds = 0;
	for (size_t i = 0; i < dirs.sv_count; i++) {
		int wd = inotify_add_watch(wa->wa_fd, dirs.sv_items[i],
		    WATCH_MASK);

		if (wd == -1) {
			log_warn("inotify: cannot watch %s%s", dirs.sv_items[i],
			    errno == ENOSPC ? " (raise fs.inotify."
			    "max_user_watches)" : "");
			continue;
		}
		wa->wa_wds[wa->wa_nwds++] = wd;
	}
	strvec_free(&wa->wa_dirs);
	wa->wa_dirs = dirs;
	return wa->wa_nwds;
}

bool
watch_read(struct watcher *wa)
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
			if (!(ev->mask & IN_IGNORED) && watch_matters(wa, ev))
				any = true;
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
	strvec_free(&wa->wa_dirs);
	strvec_free(&wa->wa_names);
	strvec_free(&wa->wa_globs);
	free(wa);
}
