/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The files of a configuration: the main file, whose keys are the daemon's
 * sections and the customers', then the files its `include:` patterns
 * match, which hold customers only (policies and domains), so that a
 * hoster can keep one file per customer. Also the paths written in them,
 * which are relative to the main file's directory.
 */
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config_internal.h"
#include "loadcache.h"
#include "pool.h"
#include "stamp.h"
#include "strmap.h"
#include "xalloc.h"
#include "yamlread.h"

struct include_pattern {
	char		*ip_pattern;	/* absolute */
	struct srcpos	 ip_pos;
};

/* A path relative to the main file's directory, as short as it can be. */
static char *
files_join(const char *dir, const char *path)
{
	if (path[0] == '/' || strcmp(dir, ".") == 0)
		return xstrdup(path);
	return xasprintf("%s/%s", dir, path);
}

static char *
files_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/*
 * Paths (certificates, the ACME webroot) are made absolute: the daemon must
 * not depend on its working directory.
 */
char *
files_path(struct loader *ld, const struct ynode *n, const char *what)
{
	const char	*s = yread_scalar(ld, n, what);
	char		*rel, *abs, cwd[PATH_MAX];

	if (s == NULL)
		return NULL;
	rel = files_join(ld->ld_dir, s);
	if (rel[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return rel;
	abs = xasprintf("%s/%s", cwd, rel);
	free(rel);
	return abs;
}

static void files_read_include(struct loader *, struct ynode *, void *);

static const struct yread_key files_main_keys[] = {
	{ "server", sections_read_server },
	{ "limits", sections_read_limits },
	{ "certificates", sections_read_certificates },
	{ "dns", sections_read_dns },
	{ "acme", sections_read_acme },
	{ "metrics", sections_read_metrics },
	{ "policies", domains_read_policies },
	{ "domains", domains_read_domains },
	{ "include", files_read_include },
	{ NULL, NULL },
};

/* Included files hold customers: domains and templates, nothing global. */
static const struct yread_key files_include_keys[] = {
	{ "policies", domains_read_policies },
	{ "domains", domains_read_domains },
	{ NULL, NULL },
};

/* The file's name where srcpos can point to it (`path`, taken), its stamp
 * as it was read (zero if it could not be opened), and whether the path is
 * a symlink. */
static const char *
files_name(struct config *cfg, char *path, const struct stat *st, bool link)
{
	size_t n = cfg->cfg_files.sv_count;

	if (link) {
		cfg->cfg_links = xgrow(cfg->cfg_links, cfg->cfg_nlinks,
		    sizeof(*cfg->cfg_links));
		cfg->cfg_links[cfg->cfg_nlinks++] = n;
	}
	cfg->cfg_stamps = xgrow(cfg->cfg_stamps, n, sizeof(*cfg->cfg_stamps));
	cfg->cfg_stamps[n] = stamp_of(st);
	strvec_push(&cfg->cfg_files, path);
	return path;
}

/*
 * Has this file been read already? By identity, not by name: a glob like
 * *.yaml may match the main file under another spelling of its path. `st`
 * is the file's as opened; one that could not be opened is not seen.
 */
static bool
files_seen(struct loader *ld, const struct stat *st)
{
	char id[64];

	if (st->st_dev == 0 && st->st_ino == 0)
		return false;
	snprintf(id, sizeof(id), "%jx:%jx", (uintmax_t)st->st_dev,
	    (uintmax_t)st->st_ino);
	if (strmap_get(&ld->ld_seen, id) != NULL)
		return true;
	(void)strmap_put(&ld->ld_seen, id, ld);
	return false;
}

/* A file's tree walked into the configuration, then freed. */
static void
files_walk(struct loader *ld, struct ynode *root, bool main_file)
{
	if (root == NULL)
		return;
	yread_walk(ld, root, main_file ? "the configuration" : "an included "
	    "file (only 'domains' and 'policies' belong there)",
	    main_file ? files_main_keys : files_include_keys, NULL);
	ytree_free(root);
}

/* The main file, or one included file read alone. */
static void
files_read_file(struct loader *ld, const char *path, bool main_file)
{
	struct config	*cfg = ld->ld_cfg;
	char		*name = xstrdup(path);
	struct stat	 st;
	struct ynode	*root;
	bool		 failed, link;

	root = ytree_load_file(name, &st, &link, &cfg->cfg_diags, &failed);
	/* So that no include pattern reads the main file again. */
	if (main_file)
		(void)files_seen(ld, &st);
	files_name(cfg, name, &st, link);
	files_walk(ld, root, main_file);
}

/*
 * An included file, opened, read and parsed on a pool thread; what the
 * pattern matched is taken into the configuration afterwards, in the
 * pattern's order, a batch at a time so that only a batch of trees is
 * held at once.
 */
struct files_job {
	char			*fj_path;
	/* Looked at relative to its directory, open (the name past fj_base:
	 * one component to look up, not the whole path); AT_FDCWD: none. */
	int			 fj_dirfd;
	size_t			 fj_base;
	struct stat		 fj_st;
	bool			 fj_link;	/* the path is a symlink */
	bool			 fj_dir;	/* matched, but a directory */
	struct ynode		*fj_root;
	struct diag_list	 fj_diags;
	/* With a load cache: the file's record, found or made. */
	struct loadcache_record	 fj_record;
};

struct files_batch {
	struct files_job	*fb_jobs;
	struct loadcache	*fb_cache;	/* NULL: none */
};

#define FILES_BATCH	4096

/*
 * The file's tree from the load cache, if it holds the file as it is: a
 * stat(2) instead of opening, reading and parsing it. The stamp is the
 * target's, and the symlink told apart, as ytree_open() has them.
 */
static bool
files_job_cached(struct files_job *j, struct loadcache *lc)
{
	const char	*name = j->fj_path + j->fj_base;
	struct stamp	 st;

	if (fstatat(j->fj_dirfd, name, &j->fj_st, AT_SYMLINK_NOFOLLOW) == -1)
		return false;
	j->fj_link = S_ISLNK(j->fj_st.st_mode);
	if (j->fj_link && fstatat(j->fj_dirfd, name, &j->fj_st, 0) == -1)
		return false;
	if (!S_ISREG(j->fj_st.st_mode))
		return false;
	st = stamp_of(&j->fj_st);
	return loadcache_customer(lc, j->fj_path, &st, j->fj_link,
	    &j->fj_root, &j->fj_record);
}

/*
 * The directories of a batch's files, open for the files to be looked at
 * relative to them. Matches come sorted, so those of one directory come
 * together; a batch spread over more directories than FILES_DIRS looks
 * at the rest by their paths.
 */
#define FILES_DIRS	16

struct files_dirs {
	int	fds_fd[FILES_DIRS];
	size_t	fds_count;
	char	*fds_last;	/* the last one's path, with its slash */
	int	fds_last_fd;
};

static void
files_dirs_close(struct files_dirs *fds)
{
	for (size_t i = 0; i < fds->fds_count; i++)
		close(fds->fds_fd[i]);
	free(fds->fds_last);
	memset(fds, 0, sizeof(*fds));
}

static void
files_job_dir(struct files_job *j, struct files_dirs *fds)
{
	const char	*slash = strrchr(j->fj_path, '/');
	size_t		 len;

	j->fj_dirfd = AT_FDCWD;
	if (slash == NULL)
		return;
	len = (size_t)(slash - j->fj_path) + 1;
	if (fds->fds_last == NULL || strlen(fds->fds_last) != len ||
	    strncmp(fds->fds_last, j->fj_path, len) != 0) {
		int fd;

		if (fds->fds_count == FILES_DIRS)
			return;
		free(fds->fds_last);
		fds->fds_last = xstrndup(j->fj_path, len);
		fd = open(fds->fds_last, O_PATH | O_DIRECTORY | O_CLOEXEC);
		fds->fds_last_fd = fd;
		if (fd != -1)
			fds->fds_fd[fds->fds_count++] = fd;
	}
	if (fds->fds_last_fd != -1) {
		j->fj_dirfd = fds->fds_last_fd;
		j->fj_base = len;
	}
}

static void
files_job_run(void *arg, size_t i)
{
	struct files_batch	*fb = arg;
	struct files_job	*j = &fb->fb_jobs[i];
	struct stamp		 st;
	bool			 failed;
	int			 fd;

	if (fb->fb_cache != NULL && files_job_cached(j, fb->fb_cache))
		return;
	fd = ytree_open(j->fj_path, &j->fj_st, &j->fj_link, &j->fj_diags);
	if (fd == -1)
		return;
	if (S_ISDIR(j->fj_st.st_mode)) {
		close(fd);
		j->fj_dir = true;
		return;
	}
	j->fj_root = ytree_load_fd(fd, j->fj_path, &j->fj_st, &j->fj_diags,
	    &failed);
	/* A file with anything to say is read again at every start. */
	if (fb->fb_cache != NULL && !failed && j->fj_diags.dl_count == 0) {
		st = stamp_of(&j->fj_st);
		loadcache_customer_encode(&j->fj_record, j->fj_path, &st,
		    j->fj_link, j->fj_root);
	}
}

static void
files_job_take(struct loader *ld, struct files_job *j)
{
	struct config *cfg = ld->ld_cfg;

	if (j->fj_dir || files_seen(ld, &j->fj_st)) {
		/* A directory, the main file, or a file matched twice. */
		ytree_free(j->fj_root);
		diag_free(&j->fj_diags);
		loadcache_record_free(&j->fj_record);
		free(j->fj_path);
		return;
	}
	if (ld->ld_cache != NULL) {
		if (j->fj_record.lr_bytes == NULL || j->fj_record.lr_owned)
			loadcache_missed(ld->ld_cache);
		loadcache_put(ld->ld_cache, &j->fj_record);
	}
	files_name(cfg, j->fj_path, &j->fj_st, j->fj_link);
	diag_append(&cfg->cfg_diags, &j->fj_diags);
	diag_free(&j->fj_diags);
	files_walk(ld, j->fj_root, false);
}

static int
files_glob_error(const char *path, int err)
{
	(void)path;
	(void)err;
	/* Reported by the caller from glob()'s result; keep going. */
	return 0;
}

/*
 * Patterns are expanded after the whole main file is read, so definitions in
 * the main file come first wherever `include:` stands in it: when a domain is
 * defined twice, the one kept does not depend on the order of keys.
 */
static void
files_read_include(struct loader *ld, struct ynode *n, void *obj)
{
	struct ynode	**items;
	size_t		  count;

	(void)obj;
	if (ytree_is_null(n))
		return;
	if (yread_list(ld, n, "include", &items, &count) == -1)
		return;
	for (size_t i = 0; i < count; i++) {
		struct ynode		*item = yread_list_item(n, items, i);
		const char		*s = yread_scalar(ld, item, "include");
		struct include_pattern	*ip;

		if (s == NULL)
			continue;
		ld->ld_includes = xreallocarray(ld->ld_includes,
		    ld->ld_nincludes + 1, sizeof(*ld->ld_includes));
		ip = &ld->ld_includes[ld->ld_nincludes++];
		ip->ip_pattern = files_join(ld->ld_dir, s);
		ip->ip_pos = item->yn_pos;
		strvec_push(&ld->ld_cfg->cfg_includes, xstrdup(ip->ip_pattern));
	}
}

static void
files_include_pattern(struct loader *ld, const struct include_pattern *ip)
{
	struct config		*cfg = ld->ld_cfg;
	struct files_job	*jobs;
	struct files_batch	 fb;
	struct files_dirs	 dirs = { 0 };
	glob_t			 g;
	int			 rc;

	/* No GLOB_MARK: it costs a stat(2) per match, where the reader's
	 * fstat(2) tells a directory apart anyway. */
	rc = glob(ip->ip_pattern, 0, files_glob_error, &g);
	if (rc == GLOB_NOMATCH) {
		/* An empty domains.d/ is a normal state for a new hoster. */
		globfree(&g);
		return;
	}
	if (rc != 0) {
		diag_add(&cfg->cfg_diags, DIAG_ERROR, &ip->ip_pos, NULL,
		    "include '%s': %s", ip->ip_pattern, rc == GLOB_NOSPACE ?
		    "out of memory" : "cannot read the directory");
		return;
	}
	jobs = xcalloc(FILES_BATCH, sizeof(*jobs));
	fb = (struct files_batch){ jobs, ld->ld_cache };
	for (size_t base = 0; base < g.gl_pathc; base += FILES_BATCH) {
		size_t n = g.gl_pathc - base < FILES_BATCH ?
		    g.gl_pathc - base : FILES_BATCH;

		memset(jobs, 0, n * sizeof(*jobs));
		for (size_t i = 0; i < n; i++) {
			jobs[i].fj_path = xstrdup(g.gl_pathv[base + i]);
			if (fb.fb_cache != NULL)
				files_job_dir(&jobs[i], &dirs);
			else
				jobs[i].fj_dirfd = AT_FDCWD;
		}
		pool_run(n, files_job_run, &fb);
		files_dirs_close(&dirs);
		for (size_t i = 0; i < n; i++)
			files_job_take(ld, &jobs[i]);
	}
	free(jobs);
	globfree(&g);
}

static void
files_read_includes(struct loader *ld)
{
	if (!ld->ld_main_only && ld->ld_nincludes > 0)
		loadcache_load(ld->ld_cache);
	for (size_t i = 0; i < ld->ld_nincludes; i++) {
		if (!ld->ld_main_only)
			files_include_pattern(ld, &ld->ld_includes[i]);
		free(ld->ld_includes[i].ip_pattern);
	}
	free(ld->ld_includes);
	ld->ld_includes = NULL;
	ld->ld_nincludes = 0;
}

void
files_read_part(struct loader *ld, const char *path)
{
	ld->ld_dir = files_dirname(path);
	files_read_file(ld, path, false);
	free(ld->ld_dir);
	ld->ld_dir = NULL;
}

void
files_read(struct loader *ld, const char *path)
{
	ld->ld_dir = files_dirname(path);
	files_read_file(ld, path, true);
	files_read_includes(ld);
	strmap_free(&ld->ld_seen);
	free(ld->ld_dir);
	ld->ld_dir = NULL;
}
