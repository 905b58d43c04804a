/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The files of a configuration: the main file, whose keys are the daemon's
 * sections and the customers', then the files its `include:` patterns
 * match, which hold customers only (policies and domains), so that a
 * hoster can keep one file per customer. Also the paths written in them,
 * which are relative to the main file's directory.
 */
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

/* The file's name where srcpos can point to it, and its stamp as it was
 * before it was read (zero if it could not be had). */
static const char *
files_name(struct config *cfg, const char *path, const struct stat *st)
{
	size_t n = cfg->cfg_files.sv_count;

	cfg->cfg_stamps = xreallocarray(cfg->cfg_stamps, n + 1,
	    sizeof(*cfg->cfg_stamps));
	if (st != NULL)
		cfg->cfg_stamps[n] = stamp_of(st);
	else
		memset(&cfg->cfg_stamps[n], 0, sizeof(cfg->cfg_stamps[n]));
	strvec_push(&cfg->cfg_files, xstrdup(path));
	return cfg->cfg_files.sv_items[n];
}

/*
 * Has this file been read already? By identity, not by name: a glob like
 * *.yaml may match the main file under another spelling of its path.
 */
static bool
files_seen(struct loader *ld, const char *path, struct stat *st)
{
	char id[64];

	if (stat(path, st) == -1) {
		memset(st, 0, sizeof(*st));
		return false;	/* opening it will say why */
	}
	snprintf(id, sizeof(id), "%jx:%jx", (uintmax_t)st->st_dev,
	    (uintmax_t)st->st_ino);
	if (strmap_get(&ld->ld_seen, id) != NULL)
		return true;
	(void)strmap_put(&ld->ld_seen, id, ld);
	return false;
}

static void
files_read_file(struct loader *ld, const char *path, bool main_file,
    const struct stat *st)
{
	struct config	*cfg = ld->ld_cfg;
	const char	*name = files_name(cfg, path, st);
	struct ynode	*root;
	bool		 failed;

	root = ytree_load_file(name, &cfg->cfg_diags, &failed);
	if (root == NULL)
		return;
	yread_walk(ld, root, main_file ? "the configuration" : "an included "
	    "file (only 'domains' and 'policies' belong there)",
	    main_file ? files_main_keys : files_include_keys, NULL);
	ytree_free(root);
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
	struct config	*cfg = ld->ld_cfg;
	struct stat	 st;
	glob_t		 g;
	int		 rc;

	rc = glob(ip->ip_pattern, GLOB_MARK, files_glob_error, &g);
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
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char	*path = g.gl_pathv[i];
		size_t		 len = strlen(path);

		if (len > 0 && path[len - 1] == '/')
			continue;	/* GLOB_MARK: a directory */
		if (files_seen(ld, path, &st))
			continue;	/* the main file, or matched twice */
		files_read_file(ld, path, false, &st);
	}
	globfree(&g);
}

static void
files_read_includes(struct loader *ld)
{
	for (size_t i = 0; i < ld->ld_nincludes; i++) {
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
	struct stat st;

	ld->ld_dir = files_dirname(path);
	if (stat(path, &st) == -1)
		memset(&st, 0, sizeof(st));
	files_read_file(ld, path, false, &st);
	free(ld->ld_dir);
	ld->ld_dir = NULL;
}

void
files_read(struct loader *ld, const char *path)
{
	ld->ld_dir = files_dirname(path);
	/* So that no include pattern reads the main file again. */
	struct stat st;

	(void)files_seen(ld, path, &st);
	files_read_file(ld, path, true, &st);
	files_read_includes(ld);
	strmap_free(&ld->ld_seen);
	free(ld->ld_dir);
	ld->ld_dir = NULL;
}
