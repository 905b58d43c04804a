/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "fleet.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdint.h>
#include <glob.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../config/config.h"
#include "../config/name.h"
#include "../config/pool.h"
#include "../config/stamp.h"
#include "../config/xalloc.h"
#include "../config/clock.h"
#include "log.h"
#include "snapshot.h"
#include "watch.h"

/*
 * Past this many paths in one burst, reading each one alone costs about
 * what a whole load costs, and a whole load sees everything at once.
 */
#define FLEET_PATHS_MAX		20000
/* Customer files read again at once, on every processor. */
#define FLEET_READ_BATCH	4096

/*
 * What a change of the main file's templates does to a customer file
 * (ff_tpl): nothing, when its domains name no template; or a read again;
 * or, when every domain of it is valid and names template
 * fl_tpl_names[ff_tpl - FLEET_TPL_FIRST] with no field of its own, its
 * names given that template's new policy without a read.
 */
#define FLEET_TPL_NONE		0
#define FLEET_TPL_ANY		1
#define FLEET_TPL_FIRST		2

/* A customer file the include patterns matched. */
struct fleet_file {
	struct stamp	ff_stamp;
	struct strvec	ff_names;	/* the domains it defines */
	char		*ff_path;
	unsigned	ff_scan;	/* the last SIGHUP scan that saw it */
	/* Bits, in what would be padding: a million files. */
	bool		ff_link : 1;	/* a symlink: its target is watched */
	/* In an update: its names get their template's new policy with no
	 * part of their own (fleet_rebind_hosts). */
	bool		ff_rebind : 1;
	/* A domain of it says `delegate: true`: another delegation zone
	 * concerns it (none makes that an error). */
	bool		ff_delegate : 1;
	uint16_t	ff_tpl;		/* FLEET_TPL_* */
	struct fleet_part *ff_part;	/* in an update: it read again */
};

/* The certificates whose subjectAltName has one dNSName. */
struct fleet_certs {
	struct cert	**fc_certs;	/* a reference each */
	size_t		  fc_count;
};

struct fleet {
	char		*fl_main;	/* the main file, as loaded */
	char		*fl_tickets;	/* the session ticket key file, or NULL */
	bool		 fl_lineages;	/* certbot lineages are read */
	unsigned	 fl_scan;	/* SIGHUP scans so far */
	struct strvec	 fl_includes;	/* include patterns, as resolved */
	struct strvec	 fl_flat;	/* certificate directories read flat */
	struct strvec	 fl_other;	/* named files changed only by a whole load */
	struct strmap	 fl_files;	/* customer file -> struct fleet_file */
	/* domain -> the struct fleet_file defining it: fl_mainfile for the
	 * main file's own, fl_whole for one only a whole load may change
	 * (defined twice). */
	struct strmap	 fl_owner;
	struct fleet_file fl_mainfile;	/* ff_path is fl_main */
	struct fleet_file fl_whole;
	bool		 fl_duplicates;	/* the whole load found some */
	struct strmap	 fl_sans;	/* dNSName -> struct fleet_certs */
	struct strmap	 fl_pairs;	/* chain file -> struct cert, a reference */
	/*
	 * Names the refusal rule kept, whose host is not what their files
	 * say -> struct fleet_kept: the policy their file gives them now,
	 * for when a certificate comes, or none while the file is in error
	 * (the kept policy goes on).
	 */
	struct strmap	 fl_kept;
	/*
	 * What the burst of a reload refused for the main file's errors named
	 * besides it ("watch/name" -> struct strvec of paths, as in struct
	 * watch_changes): read with the next change, which may name only the
	 * main file, mended.
	 */
	struct strmap	 fl_pending;
	/* A whole load was refused: what it would have read, only the next
	 * whole load reads. */
	bool		 fl_stale;
	/* The next time a certificate of the index begins or ends to be
	 * valid, after the last look (0: none). */
	time_t		 fl_next_validity;
	/* When the validity of every certificate was last looked at; during
	 * an update for that (fleet_validity_changes), the one before. */
	time_t		 fl_validity_look;
	time_t		 fl_validity_from;
	/* The templates files name (ff_tpl), and name -> index + 1. */
	struct strvec	 fl_tpl_names;
	struct strmap	 fl_tpl_index;
};

struct fleet_kept {
	struct served_policy	*fk_policy;	/* a reference, or NULL */
};

/* ---- The certificate index ------------------------------------------ */

/* A certificate's validity changes by itself: the fleet must look again
 * then (fleet_next_validity). */
static void
fleet_note_validity(struct fleet *fl, const struct cert *crt, time_t now)
{
	const time_t t[] = { crt->crt_not_before, crt->crt_not_after };

	for (size_t i = 0; i < 2; i++)
		if (t[i] > now && (fl->fl_next_validity == 0 ||
		    t[i] < fl->fl_next_validity))
			fl->fl_next_validity = t[i];
}

time_t
fleet_next_validity(const struct fleet *fl)
{
	return fl->fl_next_validity;
}

/* Did the certificate begin or cease to be valid in (from, to]? */
static bool
fleet_validity_crossed(const struct cert *crt, time_t from, time_t to)
{
	return (crt->crt_not_before > from && crt->crt_not_before <= to) ||
	    (crt->crt_not_after > from && crt->crt_not_after <= to);
}

static void
fleet_sans_add(struct fleet *fl, struct cert *crt)
{
	for (size_t i = 0; i < crt->crt_names.sv_count; i++) {
		const char		*name = crt->crt_names.sv_items[i];
		struct fleet_certs	*fc = strmap_get(&fl->fl_sans, name);

		if (fc == NULL) {
			fc = xcalloc(1, sizeof(*fc));
			(void)strmap_put(&fl->fl_sans, name, fc);
		}
		fc->fc_certs = xreallocarray(fc->fc_certs, fc->fc_count + 1,
		    sizeof(*fc->fc_certs));
		fc->fc_certs[fc->fc_count++] = cert_ref(crt);
	}
}

static void
fleet_sans_remove(struct fleet *fl, struct cert *crt)
{
	for (size_t i = 0; i < crt->crt_names.sv_count; i++) {
		const char		*name = crt->crt_names.sv_items[i];
		struct fleet_certs	*fc = strmap_get(&fl->fl_sans, name);

		for (size_t k = 0; fc != NULL && k < fc->fc_count; k++) {
			if (fc->fc_certs[k] != crt)
				continue;
			cert_unref(crt);
			fc->fc_certs[k] = fc->fc_certs[--fc->fc_count];
			break;
		}
		if (fc != NULL && fc->fc_count == 0) {
			free(fc->fc_certs);
			free(strmap_del(&fl->fl_sans, name));
		}
	}
}

static const struct cert *
fleet_best(const struct fleet *fl, const char *name, time_t now)
{
	const struct fleet_certs	*fc = strmap_get(&fl->fl_sans, name);
	const struct cert		*best = NULL;

	for (size_t k = 0; fc != NULL && k < fc->fc_count; k++)
		if (cert_better(fc->fc_certs[k], best, now))
			best = fc->fc_certs[k];
	return best;
}

/* certset_cover(), over the fleet's index. */
static struct cert *
fleet_cover(const struct fleet *fl, const char *domain, time_t now)
{
	char		*host = xasprintf(HOST_PREFIX "%s", domain);
	char		*wild = xasprintf("*%s", strchr(host, '.'));
	const struct cert *crt = NULL;

	if (strlen(host) <= NAME_MAX_LENGTH)
		crt = cert_choose(fleet_best(fl, host, now),
		    fleet_best(fl, wild, now));
	free(host);
	free(wild);
	return (struct cert *)crt;
}

/* The domain whose mta-sts name a dNSName covers, or NULL. */
static const char *
fleet_san_domain(const char *san)
{
	static const char prefix[] = HOST_PREFIX;

	if (strncmp(san, "*.", 2) == 0)
		return san + 2;	/* *.d covers mta-sts.d only */
	if (strncmp(san, prefix, sizeof(prefix) - 1) == 0)
		return san + sizeof(prefix) - 1;
	return NULL;
}

/* ---- Building and freeing ------------------------------------------- */

static struct fleet_file *
fleet_file_new(struct fleet *fl, const char *path, const struct stamp *st)
{
	struct fleet_file *ff = xcalloc(1, sizeof(*ff));

	ff->ff_stamp = *st;
	ff->ff_path = xstrdup(path);
	(void)strmap_put(&fl->fl_files, ff->ff_path, ff);
	return ff;
}

static void
fleet_file_free(void *p)
{
	struct fleet_file *ff = p;

	if (ff == NULL)
		return;
	strvec_free(&ff->ff_names);
	free(ff->ff_path);
	free(ff);
}

/* What a template change does to the file for one of its domains. */
static uint16_t
fleet_tpl_of(struct fleet *fl, const struct domain *d)
{
	uintptr_t i;

	if (d->dom_template == NULL)
		return FLEET_TPL_NONE;
	if (!d->dom_valid || d->dom_overrides)
		return FLEET_TPL_ANY;
	i = (uintptr_t)strmap_get(&fl->fl_tpl_index, d->dom_template);
	if (i == 0) {
		if (fl->fl_tpl_names.sv_count >= UINT16_MAX - FLEET_TPL_FIRST)
			return FLEET_TPL_ANY;
		strvec_push(&fl->fl_tpl_names, xstrdup(d->dom_template));
		i = fl->fl_tpl_names.sv_count;
		(void)strmap_put(&fl->fl_tpl_index, d->dom_template, (void *)i);
	}
	return (uint16_t)(FLEET_TPL_FIRST + i - 1);
}

/* The file's, from what it was for its domains so far (`first`: none)
 * and one more: one template for all, or a read. */
static uint16_t
fleet_tpl_join(uint16_t so_far, uint16_t one, bool first)
{
	return first || so_far == one ? one : FLEET_TPL_ANY;
}

static bool
fleet_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A Let's Encrypt root: read through its live/ lineages, which only a
 * whole load follows. */
static bool
fleet_lineage_root(const char *dir)
{
	char	*live = xasprintf("%s/live", dir);
	bool	 root = fleet_is_dir(live);

	free(live);
	return root;
}

/* Why only a whole load will do for the fleet's certificates, or NULL:
 * all of them are in flat directories. */
static const char *
fleet_not_flat(const struct fleet *fl)
{
	if (fl->fl_lineages)
		return "certbot lineages are read";
	for (size_t i = 0; i < fl->fl_other.sv_count; i++)
		if (fl->fl_tickets == NULL ||
		    strcmp(fl->fl_other.sv_items[i], fl->fl_tickets) != 0)
			return "the configuration names certificate files";
	return NULL;
}

struct fleet *
fleet_new(const struct config *cfg)
{
	struct fleet	*fl = xcalloc(1, sizeof(*fl));

	/* Keyed by the paths their values hold. */
	fl->fl_files.sm_borrowed = true;
	fl->fl_pairs.sm_borrowed = true;
	fl->fl_main = xstrdup(cfg->cfg_path);
	strvec_copy(&fl->fl_includes, &cfg->cfg_includes);
	for (size_t i = 0; i < cfg->cfg_ncerts; i++) {
		const struct cert_source *cs = &cfg->cfg_certs[i];

		if (cs->csrc_directory == NULL) {
			strvec_push(&fl->fl_other, xstrdup(cs->csrc_cert));
			strvec_push(&fl->fl_other, xstrdup(cs->csrc_key));
			continue;
		}
		if (!fleet_lineage_root(cs->csrc_directory))
			strvec_push(&fl->fl_flat, xstrdup(cs->csrc_directory));
		else
			fl->fl_lineages = true;
	}
	if (cfg->cfg_ticket_keys != NULL) {
		strvec_push(&fl->fl_other, xstrdup(cfg->cfg_ticket_keys));
		fl->fl_tickets = xstrdup(cfg->cfg_ticket_keys);
	}
	if (cfg->cfg_files.sv_count > 0)
		fl->fl_mainfile.ff_stamp = cfg->cfg_stamps[0];
	fl->fl_mainfile.ff_path = fl->fl_main;
	/* cfg_files[0] is the main file. */
	for (size_t i = 1; i < cfg->cfg_files.sv_count; i++)
		(void)fleet_file_new(fl, cfg->cfg_files.sv_items[i],
		    &cfg->cfg_stamps[i]);
	for (size_t i = 0; i < cfg->cfg_nlinks; i++) {
		struct fleet_file *ff = cfg->cfg_links[i] == 0 ? NULL :
		    strmap_get(&fl->fl_files,
		    cfg->cfg_files.sv_items[cfg->cfg_links[i]]);

		if (ff != NULL)
			ff->ff_link = true;
	}
	for (size_t i = 0; i < cfg->cfg_ndomains; i++) {
		const struct domain	*d = &cfg->cfg_domains[i];
		const char		*file = d->dom_pos.sp_file;
		struct fleet_file	*ff = file == NULL ? &fl->fl_whole :
		    strcmp(file, fl->fl_main) == 0 ? &fl->fl_mainfile :
		    strmap_get(&fl->fl_files, file);

		if (ff == NULL)
			ff = &fl->fl_whole;
		if (ff != &fl->fl_whole) {
			ff->ff_tpl = fleet_tpl_join(ff->ff_tpl,
			    fleet_tpl_of(fl, d), ff->ff_names.sv_count == 0);
			ff->ff_delegate |= d->dom_delegate_asked;
			strvec_push(&ff->ff_names, xstrdup(d->dom_name));
		}
		(void)strmap_put(&fl->fl_owner, d->dom_name, ff);
	}
	for (size_t i = 0; i < cfg->cfg_duplicates.sv_count; i++)
		(void)strmap_put(&fl->fl_owner, cfg->cfg_duplicates.sv_items[i],
		    &fl->fl_whole);
	fl->fl_duplicates = cfg->cfg_duplicates.sv_count > 0;
	return fl;
}

void
fleet_add_certs(struct fleet *fl, const struct certset *certs, time_t now)
{
	for (size_t i = 0; i < certs->cs_count; i++) {
		struct cert *crt = certs->cs_certs[i];

		/* A file two sources name is one certificate. */
		if (strmap_get(&fl->fl_pairs, crt->crt_file) != NULL)
			continue;
		(void)strmap_put(&fl->fl_pairs, crt->crt_file, cert_ref(crt));
		fleet_sans_add(fl, crt);
		fleet_note_validity(fl, crt, now);
	}
	fl->fl_validity_look = now;
}

struct fleet *
fleet_build(const struct config *cfg, const struct certset *certs,
    time_t now)
{
	struct fleet *fl = fleet_new(cfg);

	fleet_add_certs(fl, certs, now);
	return fl;
}

struct fleet_building {
	struct fleet		*fb_fleet;
	const struct certset	*fb_certs;
	time_t			 fb_now;
	pthread_t		 fb_thread;
	bool			 fb_threaded;
};

static void *
fleet_building_run(void *arg)
{
	struct fleet_building *fb = arg;

	fleet_add_certs(fb->fb_fleet, fb->fb_certs, fb->fb_now);
	return NULL;
}

struct fleet_building *
fleet_add_certs_begin(struct fleet *fl, const struct certset *certs,
    time_t now)
{
	struct fleet_building *fb = xcalloc(1, sizeof(*fb));

	*fb = (struct fleet_building){ .fb_fleet = fl, .fb_certs = certs,
	    .fb_now = now };
	/* No thread to be had: done here. */
	fb->fb_threaded = pthread_create(&fb->fb_thread, NULL,
	    fleet_building_run, fb) == 0;
	if (!fb->fb_threaded)
		(void)fleet_building_run(fb);
	return fb;
}

void
fleet_add_certs_end(struct fleet_building *fb)
{
	if (fb->fb_threaded)
		pthread_join(fb->fb_thread, NULL);
	free(fb);
}

static void
fleet_kept_free(void *p)
{
	struct fleet_kept *fk = p;

	served_policy_unref(fk->fk_policy);
	free(fk);
}

static void
fleet_kept_set(struct fleet *fl, const char *domain,
    struct served_policy *policy)
{
	struct fleet_kept *fk = xcalloc(1, sizeof(*fk));

	fk->fk_policy = policy != NULL ? served_policy_ref(policy) : NULL;
	if ((fk = strmap_put(&fl->fl_kept, domain, fk)) != NULL)
		fleet_kept_free(fk);
}

static void
fleet_paths_free(void *p)
{
	strvec_free(p);
	free(p);
}

static void
fleet_pending_clear(struct fleet *fl)
{
	strmap_free_with(&fl->fl_pending, fleet_paths_free);
}

/* The paths of `files` kept for the next update (fl_pending). */
static void
fleet_pending_keep(struct fleet *fl, const struct strmap *files)
{
	const char	*key;
	void		*value;

	for (size_t pos = 0; strmap_next(files, &pos, &key, &value);) {
		struct strvec *paths;

		if (strmap_get(&fl->fl_pending, key) != NULL)
			continue;
		paths = xcalloc(1, sizeof(*paths));
		strvec_copy(paths, value);
		(void)strmap_put(&fl->fl_pending, key, paths);
	}
}

static void
fleet_kept_clear(struct fleet *fl, const char *domain)
{
	struct fleet_kept *fk;

	if (fl->fl_kept.sm_count > 0 &&
	    (fk = strmap_del(&fl->fl_kept, domain)) != NULL)
		fleet_kept_free(fk);
}

static void
fleet_certs_free(void *p)
{
	struct fleet_certs *fc = p;

	for (size_t k = 0; k < fc->fc_count; k++)
		cert_unref(fc->fc_certs[k]);
	free(fc->fc_certs);
	free(fc);
}

static void
fleet_cert_unref(void *p)
{
	cert_unref(p);
}

void
fleet_free(struct fleet *fl)
{
	if (fl == NULL)
		return;
	strmap_free_with(&fl->fl_files, fleet_file_free);
	strmap_free(&fl->fl_owner);
	strmap_free_with(&fl->fl_sans, fleet_certs_free);
	strmap_free_with(&fl->fl_pairs, fleet_cert_unref);
	strmap_free_with(&fl->fl_kept, fleet_kept_free);
	fleet_pending_clear(fl);
	strvec_free(&fl->fl_mainfile.ff_names);
	strvec_free(&fl->fl_includes);
	strvec_free(&fl->fl_flat);
	strvec_free(&fl->fl_other);
	strvec_free(&fl->fl_tpl_names);
	strmap_free(&fl->fl_tpl_index);
	free(fl->fl_main);
	free(fl->fl_tickets);
	free(fl);
}

void
fleet_mark_stale(struct fleet *fl)
{
	fl->fl_stale = true;
}

const char *
fleet_file_of(const struct fleet *fl, const char *domain)
{
	const struct fleet_file *ff;

	if (fl == NULL || (ff = strmap_get(&fl->fl_owner, domain)) == NULL)
		return NULL;
	return ff->ff_path != NULL ? ff->ff_path : fl->fl_main;
}

static void
fleet_adopt_owner(struct fleet *fl, const char *domain, const char *file)
{
	struct fleet_file *ff = strcmp(file, fl->fl_main) == 0 ?
	    &fl->fl_mainfile : strmap_get(&fl->fl_files, file);

	if (strmap_get(&fl->fl_owner, domain) != NULL)
		return;
	if (ff != NULL)
		strvec_push(&ff->ff_names, xstrdup(domain));
	(void)strmap_put(&fl->fl_owner, domain, ff != NULL ? ff :
	    &fl->fl_whole);
}

void
fleet_adopt(struct fleet *fl, const char *domain, const char *file,
    struct served_policy *policy)
{
	fleet_kept_set(fl, domain, policy);
	fleet_adopt_owner(fl, domain, file);
}

/* ---- What changed ----------------------------------------------------- */

/*
 * A domain of a customer file read again, as much of it as the fleet
 * needs: a parsed file is reduced to these as soon as it is read, so that
 * a million files read again hold a million of these, not a million
 * configurations.
 */
struct fleet_entry {
	char			*fe_name;	/* until the fleet's books take it */
	struct served_policy	*fe_policy;	/* a reference; NULL: invalid */
	unsigned		 fe_line, fe_col;
};

/* A customer file read again: its domains, or none if it is gone. */
struct fleet_part {
	char			*fp_path;
	struct fleet_file	*fp_old;	/* NULL: a new file */
	struct fleet_entry	*fp_entries;	/* sorted by name, */
	struct fleet_entry	 fp_one;	/* or this one alone */
	size_t			 fp_nentries;
	size_t			 fp_errors;	/* in the file */
	struct stamp		 fp_stamp;
	bool			 fp_read;	/* false: removed */
	bool			 fp_same;	/* as it was: nothing to do */
	bool			 fp_main;	/* the main file (fleet_read_main) */
	bool			 fp_is_main;	/* a pattern matches the main file */
	bool			 fp_own_path;	/* else fp_old's, borrowed */
	bool			 fp_gone;	/* fp_old left the books */
	bool			 fp_link;	/* a symlink */
	/* Not read: its names get their template's new policy. */
	bool			 fp_rebind;
	/* The entries' names are fp_old's, borrowed: the books keep theirs. */
	bool			 fp_same_names;
	bool			 fp_delegate;	/* ff_delegate */
	uint16_t		 fp_tpl;	/* FLEET_TPL_* */
	struct config		*fp_cfg;	/* parsed, until fleet_part_take */
};

/* A certificate pair of a flat directory read again. */
struct fleet_pair {
	char		*fq_chain;
	struct cert	*fq_old;	/* in service (the fleet's reference) */
	struct cert	*fq_new;	/* a reference, or NULL */
	size_t		 fq_errors;
	bool		 fq_same;
};

/* One name whose host may change, and what it becomes. */
struct fleet_name {
	const struct host	*fn_old;	/* in service, or NULL */
	struct host		*fn_new;	/* NULL: no longer configured */
	const char		*fn_file;	/* where it is (was) defined */
	bool			 fn_kept;	/* the refusal rule kept fn_old */
	bool			 fn_read;	/* its file (new or old) was read */
	struct fleet_part	*fn_to;		/* the part that defines it now */
};

struct fleet_work {
	struct fleet		*fw_fleet;
	struct fleet_update	*fw_fu;
	struct fleet_part	*fw_parts;
	size_t			 fw_nparts;
	size_t			 fw_parts_cap;
	struct fleet_pair	*fw_pairs;
	size_t			 fw_npairs;
	struct strmap		 fw_chains;	/* chain files seen (dedup) */
	struct strmap		 fw_named;	/* customer files named (dedup) */
	struct strmap		 fw_names;	/* domain -> struct fleet_name */
	struct stamp		 fw_main;
	bool			 fw_main_changed;	/* inotify named it */
	struct config		*fw_main_cfg;	/* then: the main part's */
	/* What customer files are read with: fw_main_cfg, or the
	 * configuration in service. */
	const struct config	*fw_resolve;
	/* The main file's templates or DNS settings changed: the customer
	 * files they concern are read again or given their template's new
	 * policy (fleet_add_template_parts). */
	bool			 fw_all_parts;
	/* Then, for each of fl_tpl_names: its new policy, for the files to
	 * be given it without a read (fp_rebind); NULL for the others. */
	struct served_policy	**fw_rebind;
	size_t			  fw_nrebind;
	/* The files whose served names all get it that way (ff_rebind). */
	struct fleet_file	**fw_rebinds;
	size_t			  fw_nrebinds;
	/* Its include patterns or flat certificate directories changed: the
	 * new ones, for the books once the change goes in. */
	bool			 fw_sources;
	struct strvec		 fw_includes;
	struct strvec		 fw_flat;
	size_t			 fw_batch;	/* the first part being read */
};

static bool
fleet_matches(const struct strvec *patterns, const char *path)
{
	for (size_t i = 0; i < patterns->sv_count; i++)
		if (fnmatch(patterns->sv_items[i], path,
		    FNM_PATHNAME | FNM_PERIOD) == 0)
			return true;
	return false;
}

static bool
fleet_matches_include(const struct fleet *fl, const char *path)
{
	return fleet_matches(&fl->fl_includes, path);
}

static void
fleet_add_chain(struct fleet_work *fw, const char *chain)
{
	if (strmap_get(&fw->fw_chains, chain) != NULL)
		return;
	(void)strmap_put(&fw->fw_chains, chain, fw);
	fw->fw_pairs = xreallocarray(fw->fw_pairs, fw->fw_npairs + 1,
	    sizeof(*fw->fw_pairs));
	memset(&fw->fw_pairs[fw->fw_npairs], 0, sizeof(*fw->fw_pairs));
	fw->fw_pairs[fw->fw_npairs++].fq_chain = xstrdup(chain);
}

/*
 * A file of a flat certificate directory: the chains it may be part of
 * (a key belongs to <name>.crt and <name>.pem alike). False if it is not
 * one a reload can read alone.
 */
static bool
fleet_classify_cert(struct fleet_work *fw, const char *dir, const char *name)
{
	const char	*suffix = strrchr(name, '.');
	char		*base, *chain;

	if (suffix == NULL || strcmp(name, "fullchain.pem") == 0 ||
	    strcmp(name, "privkey.pem") == 0)
		return false;
	base = xasprintf("%s/%.*s", dir, (int)(suffix - name), name);
	if (strcmp(suffix, ".key") == 0) {
		chain = xasprintf("%s.crt", base);
		fleet_add_chain(fw, chain);
		free(chain);
		chain = xasprintf("%s.pem", base);
		fleet_add_chain(fw, chain);
		free(chain);
	} else if (strcmp(suffix, ".crt") == 0 || strcmp(suffix, ".pem") == 0) {
		chain = xasprintf("%s/%s", dir, name);
		fleet_add_chain(fw, chain);
		free(chain);
	}
	free(base);
	return true;
}

/* Room for `n` parts in all (a million files: not twice the room). */
static void
fleet_reserve_parts(struct fleet_work *fw, size_t n)
{
	if (n <= fw->fw_parts_cap)
		return;
	fw->fw_parts = xreallocarray(fw->fw_parts, n, sizeof(*fw->fw_parts));
	fw->fw_parts_cap = n;
}

/* A new part, zeroed, at the end of the work's. */
static struct fleet_part *
fleet_new_part(struct fleet_work *fw)
{
	struct fleet_part *fp;

	if (fw->fw_nparts == fw->fw_parts_cap)
		fleet_reserve_parts(fw, fw->fw_parts_cap > 0 ?
		    2 * fw->fw_parts_cap : 8);
	fp = &fw->fw_parts[fw->fw_nparts++];
	memset(fp, 0, sizeof(*fp));
	return fp;
}

static struct fleet_part *
fleet_add_part(struct fleet_work *fw, const char *path)
{
	struct fleet_part *fp = fleet_new_part(fw);

	fp->fp_path = xstrdup(path);
	fp->fp_own_path = true;
	return fp;
}

/* A file of the fleet's, read again: its path is the fleet's. */
static void
fleet_add_known_part(struct fleet_work *fw, struct fleet_file *ff)
{
	struct fleet_part *fp = fleet_new_part(fw);

	fp->fp_path = ff->ff_path;
	fp->fp_old = ff;
}

/* The part's entries: fp_one when it has one domain (most have). */
static struct fleet_entry *
fleet_part_entries(struct fleet_part *fp)
{
	return fp->fp_nentries == 1 ? &fp->fp_one : fp->fp_entries;
}

static int
fleet_entry_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct fleet_entry *)elem)->fe_name);
}

/* The part's domain `name`, or NULL. */
static const struct fleet_entry *
fleet_part_entry(struct fleet_part *fp, const char *name)
{
	if (fp->fp_nentries == 0)
		return NULL;
	return bsearch(name, fleet_part_entries(fp), fp->fp_nentries,
	    sizeof(struct fleet_entry), fleet_entry_cmp);
}

static void
fleet_part_free(struct fleet_part *fp)
{
	struct fleet_entry *e = fleet_part_entries(fp);

	for (size_t k = 0; k < fp->fp_nentries; k++) {
		if (!fp->fp_same_names)
			free(e[k].fe_name);
		served_policy_unref(e[k].fe_policy);
	}
	free(fp->fp_entries);
	config_free(fp->fp_cfg);
	if (fp->fp_own_path)
		free(fp->fp_path);
}

/* One file the burst named, under each of its paths: a customer file, a
 * pair, or the main file; or why it needs a whole load. */
static const char *
fleet_classify_paths(struct fleet_work *fw, const struct strvec *paths)
{
	const struct fleet	*fl = fw->fw_fleet;
	bool			 known = false;

	for (size_t i = 0; i < paths->sv_count && !known; i++) {
		const char *path = paths->sv_items[i];

		if (strcmp(path, fl->fl_main) == 0)
			known = fw->fw_main_changed = true;
		else if (strvec_contains(&fl->fl_other, path))
			return "a certificate or key file named in the "
			    "configuration changed";
	}
	/* The spelling the configuration uses is the one to read. */
	for (size_t i = 0; i < paths->sv_count && !known; i++) {
		const char	*path = paths->sv_items[i];
		const char	*slash = strrchr(path, '/');
		char		*dir;

		if (fleet_matches_include(fl, path)) {
			if (strmap_get(&fw->fw_named, path) == NULL) {
				(void)strmap_put(&fw->fw_named, path, fw);
				fleet_add_part(fw, path);
			}
			known = true;
		} else if (slash != NULL) {
			dir = xstrndup(path, (size_t)(slash - path));
			known = strvec_contains(&fl->fl_flat, dir) &&
			    fleet_classify_cert(fw, dir, slash + 1);
			free(dir);
		}
	}
	return known ? NULL : "a file neither a customer file nor a "
	    "certificate of a flat directory changed";
}

/* Sort the paths the burst named, and those a refused reload left
 * (fl_pending), into customer files and certificate pairs, or say why
 * they need a whole load. */
static const char *
fleet_classify(struct fleet_work *fw)
{
	const struct fleet	*fl = fw->fw_fleet;
	const struct strmap	*files = fw->fw_fu->fu_files;
	const char		*key, *why = NULL;
	void			*value;

	if (fl->fl_stale)
		return "an earlier reload was refused";
	if (files->sm_count + fl->fl_pending.sm_count > FLEET_PATHS_MAX)
		return "too many files changed at once";
	for (size_t pos = 0; why == NULL && strmap_next(files, &pos, &key,
	    &value);)
		why = fleet_classify_paths(fw, value);
	for (size_t pos = 0; why == NULL && strmap_next(&fl->fl_pending, &pos,
	    &key, &value);)
		if (strmap_get(files, key) == NULL)
			why = fleet_classify_paths(fw, value);
	return why;
}

/* ---- Reading again ---------------------------------------------------- */

static struct fleet_name *fleet_name(struct fleet_work *, const char *);

/* The changed file that defined `domain` before, or NULL. */
static struct fleet_part *
fleet_old_part(const struct fleet_work *fw, const char *domain)
{
	const struct fleet_file *owner = strmap_get(&fw->fw_fleet->fl_owner,
	    domain);

	return owner != NULL ? owner->ff_part : NULL;
}

/*
 * Each domain the changed files define is defined by no other file
 * afterwards: a new one, one of its own file, or one moved from another
 * changed file that no longer defines it. Anything else (a domain of the
 * main file, or one defined twice) is the whole load's to sort out, and
 * so is a move with errors about, which holding back one side of would
 * leave defined twice.
 */
static const char *
fleet_check_owners(struct fleet_work *fw)
{
	bool moves = false, errors = false;

	for (size_t i = 0; i < fw->fw_nparts; i++) {
		struct fleet_part *fp = &fw->fw_parts[i];

		errors = errors || fp->fp_errors > 0;
		for (size_t k = 0; k < fp->fp_nentries; k++) {
			const char		*name =
			    fleet_part_entries(fp)[k].fe_name;
			const struct fleet_file	*owner = strmap_get(
			    &fw->fw_fleet->fl_owner, name);
			struct fleet_part	*from;

			if (owner == NULL || owner == fp->fp_old)
				continue;
			from = fleet_old_part(fw, name);
			if (from == NULL || from->fp_same ||
			    fleet_part_entry(from, name) != NULL)
				return "a domain is defined in more than one "
				    "file";
			moves = true;
		}
	}
	if (moves && errors)
		return "a domain moved between files with errors";
	return NULL;
}

/*
 * A parsed file reduced to its entries (fleet_entry), on this thread: its
 * messages, its policies taken from those served already or made. The
 * names move from the configuration, which goes (the main file's stays,
 * for the snapshot's settings).
 */
/* Does `cfg` define the domains `names` has, in the same order? */
static bool
fleet_same_names(const struct strvec *names, const struct config *cfg)
{
	if (names->sv_count != cfg->cfg_ndomains)
		return false;
	for (size_t k = 0; k < cfg->cfg_ndomains; k++)
		if (strcmp(names->sv_items[k], cfg->cfg_domains[k].dom_name) != 0)
			return false;
	return true;
}

/*
 * A file of one template's plain domains given the template's new policy
 * without a read (fw_rebind): its names, stamp and books stay. The places
 * of its domains in the file are not kept: a message about one of them
 * names the file alone.
 */
static void
fleet_part_rebind(struct fleet_work *fw, struct fleet_part *fp)
{
	const struct fleet_file	*ff = fp->fp_old;
	struct served_policy	*policy =
	    fw->fw_rebind[ff->ff_tpl - FLEET_TPL_FIRST];

	fp->fp_read = true;
	fp->fp_stamp = ff->ff_stamp;
	fp->fp_link = ff->ff_link;
	fp->fp_tpl = ff->ff_tpl;
	fp->fp_delegate = ff->ff_delegate;
	fp->fp_same_names = true;
	fp->fp_nentries = ff->ff_names.sv_count;
	if (fp->fp_nentries > 1)
		fp->fp_entries = xcalloc(fp->fp_nentries,
		    sizeof(*fp->fp_entries));
	for (size_t k = 0; k < fp->fp_nentries; k++) {
		struct fleet_entry *e = &fleet_part_entries(fp)[k];

		e->fe_name = ff->ff_names.sv_items[k];
		e->fe_policy = served_policy_ref(policy);
	}
}

static const char *
fleet_part_take(struct fleet_work *fw, struct fleet_part *fp)
{
	struct fleet_update	*fu = fw->fw_fu;
	struct config		*cfg = fp->fp_cfg;
	const char		*why = NULL;

	if (fp->fp_rebind) {
		fleet_part_rebind(fw, fp);
		return NULL;
	}
	if (fp->fp_is_main)
		why = "an include pattern matches the main file";
	if (cfg == NULL)
		return why;
	fp->fp_read = true;
	fp->fp_errors = cfg->cfg_diags.dl_errors;
	diag_append(&fu->fu_diags, &cfg->cfg_diags);
	if (cfg->cfg_nlinks > 0 && !fp->fp_main) {
		strvec_push(&fu->fu_links, xstrdup(fp->fp_path));
		fp->fp_link = true;
	}
	if (cfg->cfg_part_templates)
		why = "a customer file defines templates";
	fp->fp_nentries = cfg->cfg_ndomains;
	if (fp->fp_nentries > 1)
		fp->fp_entries = xcalloc(fp->fp_nentries,
		    sizeof(*fp->fp_entries));
	/* Its names as they were (a file read again for its templates): the
	 * books keep theirs. */
	fp->fp_same_names = fp->fp_old != NULL &&
	    fleet_same_names(&fp->fp_old->ff_names, cfg);
	for (size_t k = 0; k < cfg->cfg_ndomains; k++) {
		struct domain		*d = &cfg->cfg_domains[k];
		struct fleet_entry	*e = &fleet_part_entries(fp)[k];

		fp->fp_tpl = fleet_tpl_join(fp->fp_tpl,
		    fleet_tpl_of(fw->fw_fleet, d), k == 0);
		fp->fp_delegate |= d->dom_delegate_asked;
		/* A copy made here: the configuration's memory, a pool
		 * thread's, goes back whole. */
		e->fe_name = fp->fp_same_names ?
		    fp->fp_old->ff_names.sv_items[k] : xstrdup(d->dom_name);
		e->fe_policy = d->dom_valid ? served_policy_get(fu->fu_policies,
		    d, true) : NULL;
		e->fe_line = d->dom_pos.sp_line;
		e->fe_col = d->dom_pos.sp_col;
	}
	if (!fp->fp_main) {
		config_free(cfg);
		fp->fp_cfg = NULL;
	}
	return why;
}

/* On a pool thread: one customer file looked at, and parsed if changed. */
static void
fleet_part_load(void *arg, size_t i)
{
	struct fleet_work	*fw = arg;
	struct fleet_part	*fp = &fw->fw_parts[fw->fw_batch + i];
	struct stat		 st;

	if (fp->fp_main)
		return;
	if (fw->fw_sources && !fleet_matches(&fw->fw_includes, fp->fp_path)) {
		fp->fp_rebind = false;
		return;		/* no pattern includes it now: it goes */
	}
	if (fp->fp_rebind)
		return;		/* given its template's policy, unread */
	if (stat(fp->fp_path, &st) == -1 || !S_ISREG(st.st_mode))
		return;		/* gone */
	fp->fp_stamp = stamp_of(&st);
	if (st.st_dev == fw->fw_main.stp_dev &&
	    st.st_ino == fw->fw_main.stp_ino) {
		fp->fp_is_main = true;
		return;
	}
	if (fp->fp_old != NULL &&
	    stamp_equal(&fp->fp_old->ff_stamp, &fp->fp_stamp)) {
		/* Unchanged: nothing to do, unless its templates changed. */
		fp->fp_same = !fw->fw_all_parts;
		if (fp->fp_same)
			return;
	}
	fp->fp_cfg = config_load_part(fw->fw_resolve, fp->fp_path);
}

/* Does `dir` hold lineages of its own (<name>/fullchain.pem), which only
 * a whole load reads? */
static bool
fleet_has_lineage_dirs(const char *dir)
{
	struct dirent	*e;
	struct stat	 st;
	DIR		*d = opendir(dir);
	bool		 found = false;

	while (d != NULL && !found && (e = readdir(d)) != NULL) {
		char *chain;

		if (e->d_name[0] == '.' || e->d_type == DT_REG)
			continue;
		chain = xasprintf("%s/%s/fullchain.pem", dir, e->d_name);
		found = stat(chain, &st) == 0;
		free(chain);
	}
	if (d != NULL)
		closedir(d);
	return found;
}

/*
 * The main file names other include patterns or certificate directories
 * (and the same files one by one): what they add or take away is read or
 * withdrawn as if inotify had named it (fleet_sources_list). Certbot
 * lineages need the whole load, as in fleet_rescan().
 */
static const char *
fleet_sources_check(struct fleet_work *fw, const struct config *cfg)
{
	struct fleet	*fl = fw->fw_fleet;

	if (!config_named_files_equal(cfg, fw->fw_fu->fu_cur->snap_cfg))
		return "the main file's certificate files or session ticket "
		    "key file changed";
	if (fl->fl_lineages)
		return "the main file's certificate sources changed, and "
		    "certbot lineages are read";
	for (size_t i = 0; i < cfg->cfg_ncerts; i++) {
		const char	*dir = cfg->cfg_certs[i].csrc_directory;
		bool		 lineages;

		if (dir == NULL)
			continue;
		lineages = fleet_lineage_root(dir);
		if (!lineages && !strvec_contains(&fl->fl_flat, dir))
			lineages = fleet_has_lineage_dirs(dir);
		if (lineages)
			return "a certificate directory of certbot lineages "
			    "was added";
		strvec_push(&fw->fw_flat, xstrdup(dir));
	}
	strvec_copy(&fw->fw_includes, &cfg->cfg_includes);
	fw->fw_sources = true;
	return NULL;
}

/*
 * The main file changed: read alone, it goes as one more part, of the
 * main file's own domains, when it gives the other files the same include
 * patterns, certificate sources and ticket keys (config_sources_equal):
 * then settings, comments and its own domains change without the whole
 * load. When its templates or DNS settings changed too, the customer
 * files they concern are read again with them (fw_all_parts), the
 * certificates staying as they are; when its include patterns or certificate directories
 * changed, the files and pairs they add or take away are read
 * (fleet_sources_check). Anything else needs the whole load.
 */
static const char *
fleet_read_main(struct fleet_work *fw)
{
	struct fleet		*fl = fw->fw_fleet;
	struct fleet_update	*fu = fw->fw_fu;
	struct fleet_part	*fp;
	struct config		*cfg;
	struct stat		 st;

	if (fl->fl_duplicates)
		return "the main file changed, and a domain is defined in "
		    "more than one file";
	for (size_t i = 0; i < fu->fu_cur->snap_cfg->cfg_ntemplates; i++) {
		const char *file =
		    fu->fu_cur->snap_cfg->cfg_templates[i].tpl_pos.sp_file;

		if (file != NULL && strcmp(file, fl->fl_main) != 0)
			return "the main file changed, and a customer file "
			    "defines templates";
	}
	if (stat(fl->fl_main, &st) == -1 || !S_ISREG(st.st_mode))
		return "the main file cannot be read";
	cfg = config_load_main(fl->fl_main);
	if (config_global_errors(cfg) > 0) {
		/* Refused as the whole load would, without reading the rest. */
		diag_append(&fu->fu_diags, &cfg->cfg_diags);
		fu->fu_broken = true;
		config_free(cfg);
		return NULL;
	}
	if (cfg->cfg_nlinks > 0) {
		config_free(cfg);
		return "the main file changed, and it is a symlink";
	}
	if (!config_sources_equal(cfg, fu->fu_cur->snap_cfg)) {
		const char *why = fleet_sources_check(fw, cfg);

		if (why != NULL) {
			config_free(cfg);
			return why;
		}
	}
	fw->fw_all_parts = !config_resolution_equal(cfg, fu->fu_cur->snap_cfg);
	fw->fw_main_cfg = cfg;
	fw->fw_resolve = cfg;
	fp = fleet_add_part(fw, fl->fl_main);
	fp->fp_main = true;
	fp->fp_old = &fl->fl_mainfile;
	fp->fp_cfg = cfg;
	fp->fp_stamp = stamp_of(&st);
	return fleet_part_take(fw, fp);
}

/* The fleet's customer files, for the watcher. */
static const char *
fleet_watch_next(void *arg, size_t *pos, bool *link)
{
	const struct fleet	*fl = arg;
	const char		*path;
	void			*value;

	if (!strmap_next(&fl->fl_files, pos, &path, &value))
		return NULL;
	*link = ((const struct fleet_file *)value)->ff_link;
	return path;
}

void
fleet_watch(const struct fleet *fl, struct watcher *wa,
    const struct config *cfg)
{
	const struct watch_files files = { fleet_watch_next, (void *)fl };

	if (wa != NULL)
		(void)watch_set_files(wa, cfg, &files);
}

/* Is `path` under one of `dirs`, at any depth (a lineage of a flat
 * directory is read with it)? */
static bool
fleet_in_dirs(const struct strvec *dirs, const char *path)
{
	for (size_t i = 0; i < dirs->sv_count; i++) {
		size_t len = strlen(dirs->sv_items[i]);

		if (strncmp(dirs->sv_items[i], path, len) == 0 &&
		    path[len] == '/')
			return true;
	}
	return false;
}

/* A customer file a new pattern matches, unless the books or the burst
 * have it already. */
static void
fleet_add_new_file(struct fleet_work *fw, const char *path)
{
	if (strmap_get(&fw->fw_fleet->fl_files, path) != NULL ||
	    strmap_get(&fw->fw_named, path) != NULL)
		return;
	(void)strmap_put(&fw->fw_named, path, fw);
	fleet_add_part(fw, path);
}

/*
 * The files and pairs that new include patterns or certificate directories
 * add or take away (fw_sources): every file a new pattern matches that
 * the books do not have, every chain of a new flat directory; and when a
 * pattern or a directory went, each file no pattern includes now and each
 * pair of a directory no longer read, which go when read (fleet_part_load,
 * fleet_read_pairs). The new directories are watched first, so that a
 * file made meanwhile is not missed.
 */
static void
fleet_sources_list(struct fleet_work *fw)
{
	struct fleet	*fl = fw->fw_fleet;
	struct strvec	 gone = { 0 };
	const char	*path;
	void		*value;
	bool		 unmatched = false;

	fleet_watch(fl, fw->fw_fu->fu_watcher, fw->fw_main_cfg);
	for (size_t i = 0; i < fl->fl_includes.sv_count; i++)
		unmatched = unmatched || !strvec_contains(&fw->fw_includes,
		    fl->fl_includes.sv_items[i]);
	for (size_t pos = 0; unmatched &&
	    strmap_next(&fl->fl_files, &pos, &path, &value);)
		if (!fleet_matches(&fw->fw_includes, path) &&
		    strmap_get(&fw->fw_named, path) == NULL) {
			(void)strmap_put(&fw->fw_named, path, fw);
			fleet_add_known_part(fw, value);
		}
	for (size_t i = 0; i < fw->fw_includes.sv_count; i++) {
		const char	*pattern = fw->fw_includes.sv_items[i];
		glob_t		 g;

		if (strvec_contains(&fl->fl_includes, pattern) ||
		    glob(pattern, 0, NULL, &g) != 0)
			continue;
		for (size_t k = 0; k < g.gl_pathc; k++)
			fleet_add_new_file(fw, g.gl_pathv[k]);
		globfree(&g);
	}
	for (size_t i = 0; i < fw->fw_flat.sv_count; i++) {
		const char	*dir = fw->fw_flat.sv_items[i];
		struct dirent	*e;
		DIR		*d;

		if (strvec_contains(&fl->fl_flat, dir) ||
		    (d = opendir(dir)) == NULL)
			continue;
		while ((e = readdir(d)) != NULL)
			if (cert_is_chain_name(e->d_name)) {
				char *chain = xasprintf("%s/%s", dir, e->d_name);

				fleet_add_chain(fw, chain);
				free(chain);
			}
		closedir(d);
	}
	for (size_t i = 0; i < fl->fl_flat.sv_count; i++)
		if (!strvec_contains(&fw->fw_flat, fl->fl_flat.sv_items[i]))
			strvec_push(&gone, xstrdup(fl->fl_flat.sv_items[i]));
	for (size_t pos = 0; gone.sv_count > 0 &&
	    strmap_next(&fl->fl_pairs, &pos, &path, &value);)
		if (fleet_in_dirs(&gone, path))
			fleet_add_chain(fw, path);
	strvec_free(&gone);
}

/* Template t's policy, served as a domain of it alone would be. */
static struct served_policy *
fleet_template_policy(struct fleet_work *fw, const struct policy_template *t)
{
	struct domain		 d = { 0 };
	struct served_policy	*pr;

	d.dom_body = policy_render(&t->tpl_policy, &d.dom_body_len);
	policy_id(d.dom_body, d.dom_body_len, d.dom_id);
	pr = served_policy_get(fw->fw_fu->fu_policies, &d, true);
	free(d.dom_body);
	return pr;
}


/*
 * Can the file's names get their template's new policy with no part of
 * their own: is each served now, and none kept by the refusal rule (whose
 * policy is not its host's)? Then only their hosts change.
 */
static bool
fleet_rebind_alone(const struct fleet_work *fw, const struct fleet_file *ff)
{
	const struct fleet	*fl = fw->fw_fleet;
	char			 host[NAME_MAX_LENGTH + 1];

	for (size_t k = 0; k < ff->ff_names.sv_count; k++) {
		const char		*domain = ff->ff_names.sv_items[k];
		const struct host	*o;
		int			 n;

		n = snprintf(host, sizeof(host), HOST_PREFIX "%s", domain);
		if (n < 0 || (size_t)n >= sizeof(host))
			return false;
		o = hosttab_get(&fw->fw_fu->fu_cur->snap_hosts, host, (size_t)n);
		if (o == NULL || o->h_cert == NULL || o->h_policy == NULL ||
		    (fl->fl_kept.sm_count > 0 &&
		    strmap_get(&fl->fl_kept, domain) != NULL))
			return false;
	}
	return true;
}

/*
 * The main file's templates or DNS settings changed (fw_all_parts). Only
 * the files whose domains name a changed template are concerned by the
 * templates: a file of one template's plain domains is given its new
 * policy without a read when it is valid (fleet_part_rebind,
 * fleet_rebind_hosts); the others are read again. Another delegation zone
 * serves nothing differently: it concerns only the files that say
 * `delegate: true`, which are read again (none makes that an error, one
 * mends it). Other TLS-RPT addresses change no domain's service.
 */
static void
fleet_add_template_parts(struct fleet_work *fw)
{
	struct fleet		*fl = fw->fw_fleet;
	const struct config	*old = fw->fw_fu->fu_cur->snap_cfg;
	const struct config	*cur = fw->fw_main_cfg;
	size_t			 ntpl = fl->fl_tpl_names.sv_count;
	size_t			 read = 0, rebound = 0, delegating = 0;
	bool			*changed, templates, delegation;
	const char		*path;
	void			*value;

	delegation = !config_delegation_equal(old, cur);
	templates = !config_templates_equal(old, cur);
	changed = xcalloc(ntpl + 1, sizeof(*changed));
	fw->fw_rebind = xcalloc(ntpl + 1, sizeof(*fw->fw_rebind));
	fw->fw_nrebind = ntpl;
	for (size_t i = 0; i < ntpl; i++) {
		const char			*name = fl->fl_tpl_names.sv_items[i];
		const struct policy_template	*t = config_template(cur, name);

		changed[i] = !config_template_equal(config_template(old, name),
		    t);
		if (changed[i] && t != NULL && t->tpl_valid)
			fw->fw_rebind[i] = fleet_template_policy(fw, t);
	}
	for (size_t pos = 0; strmap_next(&fl->fl_files, &pos, &path, &value);) {
		const struct fleet_file	*ff = value;
		size_t			 t = ff->ff_tpl - FLEET_TPL_FIRST;
		bool			 asks = delegation && ff->ff_delegate;
		bool			 rebind = !asks &&
		    ff->ff_tpl >= FLEET_TPL_FIRST && fw->fw_rebind[t] != NULL;

		/* Named already (a part), or no longer included: the list
		 * of sources takes it away (fleet_sources_list). Not named
		 * here: a map of a million paths is memory a template change
		 * does not need. */
		if ((!asks && (ff->ff_tpl == FLEET_TPL_NONE || !templates ||
		    (ff->ff_tpl >= FLEET_TPL_FIRST && !changed[t]))) ||
		    strmap_get(&fw->fw_named, path) != NULL ||
		    (fw->fw_sources && !fleet_matches(&fw->fw_includes, path)))
			continue;
		if (rebind && fleet_rebind_alone(fw, ff)) {
			fw->fw_rebinds = xgrow(fw->fw_rebinds, fw->fw_nrebinds,
			    sizeof(*fw->fw_rebinds));
			fw->fw_rebinds[fw->fw_nrebinds++] = value;
			((struct fleet_file *)value)->ff_rebind = true;
			rebound++;
			continue;
		}
		fleet_add_known_part(fw, value);
		fw->fw_parts[fw->fw_nparts - 1].fp_rebind = rebind;
		if (asks)
			delegating++;
		else if (rebind)
			rebound++;
		else
			read++;
	}
	free(changed);
	if (templates)
		log_info("reload: templates changed: %zu customer files given "
		    "their template's new policy, %zu read again", rebound,
		    read);
	if (delegation)
		log_info("reload: the delegation zone changed: %zu customer "
		    "files say delegate: true and are read again", delegating);
	if (!templates && !delegation)
		log_info("reload: the TLS-RPT addresses changed, which no "
		    "domain serves: no customer file read");
}

static const char *
fleet_read_parts(struct fleet_work *fw)
{
	struct fleet	*fl = fw->fw_fleet;
	const char	*why = NULL;
	size_t		 nparts;

	/* The main file first: the others are read with its templates. */
	fw->fw_resolve = fw->fw_fu->fu_cur->snap_cfg;
	if (fw->fw_main_changed)
		why = fleet_read_main(fw);
	if (why != NULL || fw->fw_fu->fu_broken)
		return why;
	if (fw->fw_all_parts)
		fleet_add_template_parts(fw);
	if (fw->fw_sources)
		fleet_sources_list(fw);
	nparts = fw->fw_nparts;
	for (size_t i = 0; i < nparts; i++)
		if (fw->fw_parts[i].fp_old == NULL)
			fw->fw_parts[i].fp_old = strmap_get(&fl->fl_files,
			    fw->fw_parts[i].fp_path);
	/* Read on every processor, a batch at a time, each batch reduced to
	 * its entries in order before the next is read. */
	for (fw->fw_batch = 0; fw->fw_batch < nparts && why == NULL;
	    fw->fw_batch += FLEET_READ_BATCH) {
		size_t n = nparts - fw->fw_batch < FLEET_READ_BATCH ?
		    nparts - fw->fw_batch : FLEET_READ_BATCH;

		pool_run(n, fleet_part_load, fw);
		for (size_t i = 0; i < n; i++) {
			struct fleet_part	*fp = &fw->fw_parts[fw->fw_batch + i];
			const char		*w;

			if (!fp->fp_main && (w = fleet_part_take(fw, fp)) !=
			    NULL && why == NULL)
				why = w;
		}
	}
	for (size_t i = 0; i < nparts && why == NULL; i++) {
		struct fleet_part *fp = &fw->fw_parts[i];

		if (fp->fp_old != NULL)
			fp->fp_old->ff_part = fp;
		for (size_t k = 0; k < fp->fp_nentries; k++) {
			struct fleet_name *fn = fleet_name(fw,
			    fleet_part_entries(fp)[k].fe_name);

			if (fn->fn_to != NULL)
				why = "a domain is defined in more than one "
				    "file";
			fn->fn_to = fp;
		}
	}
	return why != NULL ? why : fleet_check_owners(fw);
}

/* Is the chain still read: not in a certificate directory that went? */
static bool
fleet_pair_read(const struct fleet_work *fw, const char *chain)
{
	return !fw->fw_sources || fleet_in_dirs(&fw->fw_flat, chain) ||
	    strvec_contains(&fw->fw_fleet->fl_other, chain);
}

static void
fleet_read_pairs(struct fleet_work *fw)
{
	struct fleet_update	*fu = fw->fw_fu;
	struct stat		 st;

	for (size_t i = 0; i < fw->fw_npairs; i++) {
		struct fleet_pair	*fq = &fw->fw_pairs[i];
		const char		*slash = strrchr(fq->fq_chain, '/');
		struct certset		 one = { 0 };
		size_t			 errors = fu->fu_diags.dl_errors;
		char			*dir;

		fq->fq_old = strmap_get(&fw->fw_fleet->fl_pairs, fq->fq_chain);
		if (fleet_pair_read(fw, fq->fq_chain) &&
		    stat(fq->fq_chain, &st) == 0 && S_ISREG(st.st_mode)) {
			dir = xstrndup(fq->fq_chain,
			    (size_t)(slash - fq->fq_chain));
			certset_load_file(&one, dir, slash + 1, &fu->fu_diags,
			    fu->fu_now, fu->fu_certcache);
			free(dir);
		}
		if (one.cs_count > 0) {
			fq->fq_new = cert_ref(one.cs_certs[0]);
		}
		certset_free(&one);
		fq->fq_errors = fu->fu_diags.dl_errors - errors;
		/* The cache gives back the very certificate of a pair whose
		 * files are as they were, unless it began or ceased to be
		 * valid (fleet_validity_changes): its names are looked at
		 * again. A pair that was not in service and is not now has
		 * changed all the same (an error gone, or another): the reload
		 * says what it serves. */
		if (fq->fq_new == fq->fq_old && fq->fq_old != NULL &&
		    !fleet_validity_crossed(fq->fq_old,
		    fw->fw_fleet->fl_validity_from, fw->fw_fleet->fl_validity_look))
			fq->fq_same = true;
	}
}

/* ---- The names concerned ---------------------------------------------- */

static struct fleet_name *
fleet_name(struct fleet_work *fw, const char *domain)
{
	struct fleet_name	*fn = strmap_get(&fw->fw_names, domain);
	char			*host;

	if (fn != NULL)
		return fn;
	fn = xcalloc(1, sizeof(*fn));
	host = xasprintf(HOST_PREFIX "%s", domain);
	fn->fn_old = hosttab_get(&fw->fw_fu->fu_cur->snap_hosts, host,
	    strlen(host));
	free(host);
	(void)strmap_put(&fw->fw_names, domain, fn);
	return fn;
}

static bool
fleet_served(const struct host *h)
{
	return h != NULL && h->h_cert != NULL;
}

/* The certificate index follows the pairs read again. */
static void
fleet_swap_certs(struct fleet_work *fw)
{
	for (size_t i = 0; i < fw->fw_npairs; i++) {
		struct fleet_pair *fq = &fw->fw_pairs[i];

		if (fq->fq_same)
			continue;
		if (fq->fq_old != NULL)
			fleet_sans_remove(fw->fw_fleet, fq->fq_old);
		if (fq->fq_new != NULL) {
			fleet_sans_add(fw->fw_fleet, fq->fq_new);
			fleet_note_validity(fw->fw_fleet, fq->fq_new,
			    fw->fw_fu->fu_now);
		}
	}
}

static void
fleet_touch_sans(struct fleet_work *fw, const struct cert *crt)
{
	for (size_t k = 0; crt != NULL && k < crt->crt_names.sv_count; k++) {
		const char *domain = fleet_san_domain(crt->crt_names.sv_items[k]);

		if (domain != NULL)
			(void)fleet_name(fw, domain);
	}
}

/* The new host of each name concerned. */
static void
fleet_new_hosts(struct fleet_work *fw)
{
	struct fleet		*fl = fw->fw_fleet;
	struct fleet_update	*fu = fw->fw_fu;
	const char		*domain;
	void			*value;

	for (size_t i = 0; i < fw->fw_nparts; i++) {
		struct fleet_part *fp = &fw->fw_parts[i];

		if (fp->fp_same)
			continue;
		for (size_t k = 0; fp->fp_old != NULL &&
		    k < fp->fp_old->ff_names.sv_count; k++)
			(void)fleet_name(fw, fp->fp_old->ff_names.sv_items[k]);
		for (size_t k = 0; k < fp->fp_nentries; k++)
			(void)fleet_name(fw, fleet_part_entries(fp)[k].fe_name);
	}
	for (size_t i = 0; i < fw->fw_npairs; i++) {
		if (fw->fw_pairs[i].fq_same)
			continue;
		fleet_touch_sans(fw, fw->fw_pairs[i].fq_old);
		fleet_touch_sans(fw, fw->fw_pairs[i].fq_new);
	}
	for (size_t pos = 0; strmap_next(&fw->fw_names, &pos, &domain,
	    &value);) {
		struct fleet_name	*fn = value;
		struct fleet_file	*owner = strmap_get(&fl->fl_owner, domain);
		struct fleet_part	*from = fleet_old_part(fw, domain);
		struct fleet_part	*to = fn->fn_to;
		const struct fleet_entry *e;
		struct cert		*crt;
		struct srcpos		 at = { 0 };
		struct fleet_kept	*kept;
		struct served_policy	*policy;

		/* Where it was defined and where it is now, if either file
		 * changed and goes in. */
		if (from != NULL && from->fp_same)
			from = NULL;
		if (to != NULL && to->fp_same)
			to = NULL;
		if (from != NULL || to != NULL) {
			fn->fn_read = true;
			fn->fn_file = to != NULL ? to->fp_path : from->fp_path;
			if (to == NULL)
				continue;	/* no longer configured */
			e = fleet_part_entry(to, domain);
			crt = e->fe_policy != NULL ? fleet_cover(fl, domain,
			    fu->fu_now) : NULL;
			at = (struct srcpos){ to->fp_path, e->fe_line,
			    e->fe_col };
			fn->fn_new = snapshot_host_of(domain, e->fe_policy, &at,
			    crt, &fu->fu_diags);
			/* A file read again for its templates: most of its
			 * names keep the host they have. */
			if (fn->fn_old != NULL && host_same(fn->fn_new, fn->fn_old)) {
				host_unref(fn->fn_new);
				fn->fn_new = host_ref((struct host *)fn->fn_old);
			}
			continue;
		}
		/* Defined where nothing changed: only its certificate may. */
		if (fn->fn_old == NULL || owner == NULL) {
			fn->fn_new = NULL;	/* a name no domain has */
			fn->fn_old = NULL;
			continue;
		}
		fn->fn_file = owner->ff_path != NULL ? owner->ff_path :
		    fl->fl_main;
		/* A kept host's policy may not be its file's; a name of a
		 * file given its template's new policy has that. */
		kept = strmap_get(&fl->fl_kept, domain);
		policy = kept != NULL && kept->fk_policy != NULL ?
		    kept->fk_policy : owner->ff_rebind ?
		    fw->fw_rebind[owner->ff_tpl - FLEET_TPL_FIRST] :
		    fn->fn_old->h_policy;
		if (policy == NULL) {
			fn->fn_new = host_ref((struct host *)fn->fn_old);
			continue;
		}
		crt = fleet_cover(fl, domain, fu->fu_now);
		if (crt == fn->fn_old->h_cert && policy ==
		    fn->fn_old->h_policy) {
			fn->fn_new = host_ref((struct host *)fn->fn_old);
			continue;
		}
		at.sp_file = fn->fn_file;
		fn->fn_new = snapshot_host_of(domain, policy, &at, crt,
		    &fu->fu_diags);
	}
}

/*
 * The refusal rule, per name: a name served now that the change would
 * take away keeps its host when an error concerns it (its domain, or the
 * file it is defined in), so that a file caught half-written, a key
 * renewed before its certificate or a certificate deleted by mistake
 * takes nothing away; every other name goes ahead. A certificate that has
 * expired is no error: its name goes.
 */
bool
fleet_concerns(const struct diag_list *dl, const char *domain,
    const char *file)
{
	for (size_t i = 0; i < dl->dl_count; i++) {
		const struct diag *d = &dl->dl_items[i];

		if (d->d_severity == DIAG_ERROR &&
		    ((d->d_subject != NULL &&
		    strcmp(d->d_subject, domain) == 0) ||
		    (d->d_file != NULL && file != NULL &&
		    strcmp(d->d_file, file) == 0)))
			return true;
	}
	return false;
}

static void
fleet_keep(struct fleet_work *fw)
{
	struct fleet_update	*fu = fw->fw_fu;
	const char		*domain;
	void			*value;

	for (size_t pos = 0; strmap_next(&fw->fw_names, &pos, &domain,
	    &value);) {
		struct fleet_name *fn = value;

		if (!fleet_served(fn->fn_old) || fleet_served(fn->fn_new) ||
		    fn->fn_old->h_cert->crt_not_after <= fu->fu_now ||
		    !fleet_concerns(&fu->fu_diags, domain, fn->fn_file))
			continue;
		/* What its file says now, for when its certificate comes. */
		fleet_kept_set(fw->fw_fleet, domain, fn->fn_new != NULL ?
		    fn->fn_new->h_policy : NULL);
		host_unref(fn->fn_new);
		fn->fn_new = host_ref((struct host *)fn->fn_old);
		fn->fn_kept = true;
		if (fu->fu_kept == NULL)
			fu->fu_kept = xstrdup(domain);
	}
}

/* ---- Committing ------------------------------------------------------- */

static bool
fleet_same_cert(const struct cert *a, const struct cert *b)
{
	return a == b || (a != NULL && b != NULL &&
	    strcmp(a->crt_serial, b->crt_serial) == 0 &&
	    strcmp(a->crt_file, b->crt_file) == 0);
}

/*
 * The names of the files given their template's new policy with no part
 * (fw_rebinds), served before and after with the same certificate: each a
 * new host in `snap`, unless another change of the burst made its host.
 */
static void
fleet_rebind_hosts(struct fleet_work *fw, struct snapshot *snap)
{
	struct fleet_diff	*rd = &fw->fw_fu->fu_diff;
	char			 host[NAME_MAX_LENGTH + 1];

	for (size_t i = 0; i < fw->fw_nrebinds; i++) {
		const struct fleet_file	*ff = fw->fw_rebinds[i];
		struct served_policy	*policy =
		    fw->fw_rebind[ff->ff_tpl - FLEET_TPL_FIRST];

		for (size_t k = 0; k < ff->ff_names.sv_count; k++) {
			const char		*domain = ff->ff_names.sv_items[k];
			const struct srcpos	 at = { ff->ff_path, 0, 0 };
			const struct host	*o;
			struct host		*n;
			int			 len;

			if (strmap_get(&fw->fw_names, domain) != NULL)
				continue;	/* fleet_new_hosts made it */
			len = snprintf(host, sizeof(host), HOST_PREFIX "%s",
			    domain);
			o = hosttab_get(&fw->fw_fu->fu_cur->snap_hosts, host,
			    (size_t)len);
			if (o->h_policy == policy)
				continue;
			n = snapshot_host_of(domain, policy, &at, o->h_cert,
			    &fw->fw_fu->fu_diags);
			rd->fd_policies += strcmp(o->h_policy->pr_id,
			    policy->pr_id) != 0;
			atomic_store(&n->h_fetches, atomic_load(&o->h_fetches));
			hosttab_put(&snap->snap_hosts, n);
		}
	}
}

static struct snapshot *
fleet_next(struct fleet_work *fw)
{
	const struct snapshot	*cur = fw->fw_fu->fu_cur;
	struct fleet_diff	*rd = &fw->fw_fu->fu_diff;
	struct snapshot		*snap = xcalloc(1, sizeof(*snap));
	const char		*domain;
	void			*value;

	atomic_init(&snap->snap_refs, 1);
	/* The main file's new settings, when it was read again. */
	snap->snap_cfg = config_ref(fw->fw_main_cfg != NULL ?
	    fw->fw_main_cfg : cur->snap_cfg);
	snap->snap_built = fw->fw_fu->fu_now;
	snap->snap_nhosts = cur->snap_nhosts;
	snap->snap_ncerts = fw->fw_fleet->fl_pairs.sm_count;
	hosttab_clone(&snap->snap_hosts, &cur->snap_hosts);
	for (size_t pos = 0; strmap_next(&fw->fw_names, &pos, &domain,
	    &value);) {
		struct fleet_name	*fn = value;
		const struct host	*o = fn->fn_old;
		struct host		*n = fn->fn_new;
		bool			 was = fleet_served(o);
		bool			 is = fleet_served(n);

		if (n == o) {
			host_unref(n);
			fn->fn_new = NULL;
			continue;
		}
		snap->snap_nhosts = snap->snap_nhosts - was + is;
		rd->fd_added += !was && is;
		rd->fd_removed += was && !is;
		if (was && is) {
			rd->fd_policies += strcmp(o->h_policy->pr_id,
			    n->h_policy->pr_id) != 0;
			rd->fd_certificates += !fleet_same_cert(o->h_cert,
			    n->h_cert);
		}
		if (n == NULL) {
			(void)hosttab_del(&snap->snap_hosts, o->h_name,
			    o->h_name_len);
			continue;
		}
		/* Policy fetch counters go on across reloads. */
		if (o != NULL)
			atomic_store(&n->h_fetches, atomic_load(&o->h_fetches));
		fn->fn_new = NULL;
		hosttab_put(&snap->snap_hosts, n);
	}
	fleet_rebind_hosts(fw, snap);
	snap->snap_ndomains = snap->snap_hosts.ht_count;
	return snap;
}

/* The fleet's books follow the change. */
static void
fleet_commit(struct fleet_work *fw)
{
	struct fleet		*fl = fw->fw_fleet;
	struct fleet_diff	*rd = &fw->fw_fu->fu_diff;
	const char		*domain;
	void			*value;

	/* Every old name out first: a domain may move between files. */
	for (size_t i = 0; i < fw->fw_nparts; i++) {
		struct fleet_file *ff = fw->fw_parts[i].fp_old;

		if (fw->fw_parts[i].fp_same || ff == NULL ||
		    fw->fw_parts[i].fp_same_names)
			continue;
		for (size_t k = 0; k < ff->ff_names.sv_count; k++)
			(void)strmap_del(&fl->fl_owner, ff->ff_names.sv_items[k]);
		strvec_free(&ff->ff_names);
	}
	for (size_t i = 0; i < fw->fw_nparts; i++) {
		struct fleet_part *fp = &fw->fw_parts[i];
		struct fleet_file *ff = fp->fp_old;

		if (fp->fp_same)
			continue;
		if (!fp->fp_read) {
			/* Freed with the work: names and paths point to it. */
			if (ff != NULL) {
				(void)strmap_del(&fl->fl_files, fp->fp_path);
				fp->fp_gone = true;
			}
			continue;
		}
		if (ff == NULL)
			ff = fleet_file_new(fl, fp->fp_path, &fp->fp_stamp);
		ff->ff_stamp = fp->fp_stamp;
		ff->ff_link = fp->fp_link;
		ff->ff_delegate = fp->fp_delegate;
		ff->ff_tpl = fp->fp_tpl;
		if (fp->fp_same_names)
			continue;
		for (size_t k = 0; k < fp->fp_nentries; k++) {
			char *name = fleet_part_entries(fp)[k].fe_name;

			/* The entry's name moves into the books. */
			fleet_part_entries(fp)[k].fe_name = NULL;
			strvec_push(&ff->ff_names, name);
			(void)strmap_put(&fl->fl_owner, name, ff);
		}
	}
	for (size_t i = 0; i < fw->fw_npairs; i++) {
		struct fleet_pair	*fq = &fw->fw_pairs[i];
		bool			 same;

		if (fq->fq_same)
			continue;
		/* Before the old one may go with its last reference. */
		same = fleet_same_cert(fq->fq_old, fq->fq_new);
		if (fq->fq_old != NULL) {
			rd->fd_certs_removed += !same;
			cert_unref(strmap_del(&fl->fl_pairs, fq->fq_chain));
			fq->fq_old = NULL;
		}
		if (fq->fq_new != NULL) {
			rd->fd_certs_added += !same;
			(void)strmap_put(&fl->fl_pairs, fq->fq_new->crt_file,
			    cert_ref(fq->fq_new));
		} else
			certcache_forget(fw->fw_fu->fu_certcache,
			    fq->fq_chain);
	}
	if (fw->fw_sources) {
		strvec_free(&fl->fl_includes);
		strvec_free(&fl->fl_flat);
		fl->fl_includes = fw->fw_includes;
		fl->fl_flat = fw->fw_flat;
		memset(&fw->fw_includes, 0, sizeof(fw->fw_includes));
		memset(&fw->fw_flat, 0, sizeof(fw->fw_flat));
	}
	/* A name kept by the refusal rule stays its file's, so that the
	 * file's next change (or removal) takes it up again. */
	for (size_t pos = 0; strmap_next(&fw->fw_names, &pos, &domain,
	    &value);) {
		const struct fleet_name *fn = value;

		if (fn->fn_kept)
			fleet_adopt_owner(fl, domain, fn->fn_file != NULL ?
			    fn->fn_file : "");
		else if (fn->fn_new != fn->fn_old || fn->fn_read)
			fleet_kept_clear(fl, domain);
	}
}

static void
fleet_work_free(struct fleet_work *fw)
{
	const char	*key;
	void		*value;

	for (size_t i = 0; i < fw->fw_nparts; i++) {
		struct fleet_part	*fp = &fw->fw_parts[i];
		struct fleet_file	*ff = fp->fp_gone ? fp->fp_old : NULL;

		if (fp->fp_old != NULL)
			fp->fp_old->ff_part = NULL;
		fleet_part_free(fp);
		fleet_file_free(ff);
	}
	free(fw->fw_parts);
	for (size_t i = 0; i < fw->fw_npairs; i++) {
		cert_unref(fw->fw_pairs[i].fq_new);
		free(fw->fw_pairs[i].fq_chain);
	}
	free(fw->fw_pairs);
	strmap_free(&fw->fw_chains);
	strmap_free(&fw->fw_named);
	strvec_free(&fw->fw_includes);
	strvec_free(&fw->fw_flat);
	for (size_t i = 0; i < fw->fw_nrebind; i++)
		served_policy_unref(fw->fw_rebind[i]);
	free(fw->fw_rebind);
	for (size_t i = 0; i < fw->fw_nrebinds; i++)
		fw->fw_rebinds[i]->ff_rebind = false;
	free(fw->fw_rebinds);
	for (size_t pos = 0; strmap_next(&fw->fw_names, &pos, &key, &value);) {
		host_unref(((struct fleet_name *)value)->fn_new);
		free(value);
	}
	strmap_free(&fw->fw_names);
}

/* Files and pairs that changed and were not held back. */
static size_t
fleet_active(const struct fleet_work *fw)
{
	size_t n = 0;

	for (size_t i = 0; i < fw->fw_nparts; i++)
		n += !fw->fw_parts[i].fp_same;
	for (size_t i = 0; i < fw->fw_npairs; i++)
		n += !fw->fw_pairs[i].fq_same;
	return n + fw->fw_nrebinds;
}

/* Does any name get another host? */
static bool
fleet_changes_hosts(const struct fleet_work *fw)
{
	const char	*domain;
	void		*value;

	for (size_t pos = 0; strmap_next(&fw->fw_names, &pos, &domain,
	    &value);) {
		const struct fleet_name *fn = value;

		if (fn->fn_new != fn->fn_old)
			return true;
	}
	return false;
}

static enum fleet_result
fleet_update_work(struct fleet *fl, struct fleet_update *fu)
{
	struct fleet_work	 fw = { .fw_fleet = fl, .fw_fu = fu };
	enum fleet_result	 rc;
	struct stat		 st;
	uint64_t		 phase = clock_us();

	memset(&fu->fu_diff, 0, sizeof(fu->fu_diff));
	fu->fu_next = NULL;
	fu->fu_kept = NULL;
	fu->fu_broken = false;
	fu->fu_why = fleet_classify(&fw);
	if (fu->fu_why == NULL && stat(fl->fl_main, &st) == 0)
		fw.fw_main = stamp_of(&st);
	log_phase("reload", "files named sorted", &phase);
	if (fu->fu_why == NULL)
		fu->fu_why = fleet_read_parts(&fw);
	log_phase("reload", "customer files read", &phase);
	if (fu->fu_why != NULL) {
		fleet_work_free(&fw);
		return FLEET_WHOLE;
	}
	if (fu->fu_broken) {
		/* Nothing else was read: the next change reads it. */
		fleet_pending_keep(fl, fu->fu_files);
		fleet_work_free(&fw);
		return FLEET_BROKEN;
	}
	fleet_pending_clear(fl);
	fleet_read_pairs(&fw);
	log_phase("reload", "certificate pairs read", &phase);
	if (fleet_active(&fw) == 0) {
		fleet_work_free(&fw);
		return FLEET_UNCHANGED;
	}
	/* The books follow the files; the refusal rule acts on hosts. */
	fleet_swap_certs(&fw);
	fleet_new_hosts(&fw);
	fleet_keep(&fw);
	log_phase("reload", "hosts made", &phase);
	fleet_commit(&fw);
	/* The books' files now, and no longer those that went. */
	if (fw.fw_sources)
		fleet_watch(fl, fu->fu_watcher, fw.fw_main_cfg);
	log_phase("reload", "books kept", &phase);
	/* New settings go in even when no host changes. */
	if (fu->fu_kept != NULL && !fleet_changes_hosts(&fw) &&
	    fw.fw_main_cfg == NULL)
		rc = FLEET_REFUSED;
	else {
		/* Even with the same hosts: the counts say what was read. */
		fu->fu_next = fleet_next(&fw);
		rc = FLEET_APPLIED;
	}
	/* The snapshot keeps the main file's settings, not its domains,
	 * as after a whole load. */
	if (fw.fw_main_cfg != NULL)
		config_drop_domains(fw.fw_main_cfg);
	log_phase("reload", "next snapshot made", &phase);
	fu->fu_read = fw.fw_nparts + fw.fw_npairs;
	fleet_work_free(&fw);
	return rc;
}

enum fleet_result
fleet_update(struct fleet *fl, struct fleet_update *fu)
{
	enum fleet_result rc = fleet_update_work(fl, fu);

	/* The certificates that crossed a validity date were looked at. */
	fl->fl_validity_from = fl->fl_validity_look;
	return rc;
}

/* ---- SIGHUP: every file looked at, only the changed ones read ---------- */

/*
 * A file the patterns match now, or a chain of a flat directory. The path
 * is glob's, or the directory's and a name in the scan's arena: a million
 * of them are not copied one by one.
 */
struct fleet_look {
	const char		*lk_path;	/* NULL: lk_dir/lk_name */
	const char		*lk_dir;
	size_t			 lk_name;	/* offset in sc_names */
	struct fleet_file	*lk_file;	/* the fleet's, or NULL */
	bool			 lk_pair;	/* a chain: its pair, through the cache */
	bool			 lk_known;	/* the fleet has the pair */
	bool			 lk_changed;	/* new, changed, or unreadable */
};

struct fleet_scan {
	struct fleet		*sc_fleet;
	const struct certcache	*sc_cache;
	struct fleet_look	*sc_looks;
	size_t			 sc_count;
	glob_t			*sc_globs;	/* one per include pattern */
	size_t			 sc_nglobs;
	struct strvec		 sc_dirs;	/* of the patterns listed by hand */
	char			*sc_names;	/* the chains' names, NUL after each */
	size_t			 sc_names_len;
	size_t			 sc_names_cap;
};

static struct fleet_look *
fleet_scan_add(struct fleet_scan *sc)
{
	sc->sc_looks = xgrow(sc->sc_looks, sc->sc_count,
	    sizeof(*sc->sc_looks));
	memset(&sc->sc_looks[sc->sc_count], 0, sizeof(*sc->sc_looks));
	return &sc->sc_looks[sc->sc_count++];
}

/* A file listed in `dir` (which outlives the scan): a chain, or a
 * customer file. */
static void
fleet_scan_add_name(struct fleet_scan *sc, const char *dir, const char *name,
    bool pair)
{
	struct fleet_look	*lk = fleet_scan_add(sc);
	size_t			 len = strlen(name) + 1;

	if (sc->sc_names_len + len > sc->sc_names_cap) {
		sc->sc_names_cap = 2 * (sc->sc_names_cap + len);
		sc->sc_names = xreallocarray(sc->sc_names, sc->sc_names_cap, 1);
	}
	memcpy(sc->sc_names + sc->sc_names_len, name, len);
	lk->lk_dir = dir;
	lk->lk_name = sc->sc_names_len;
	lk->lk_pair = pair;
	sc->sc_names_len += len;
}

/* The look's path, in `buf` for a chain; NULL if it does not fit. */
static const char *
fleet_look_path(const struct fleet_scan *sc, const struct fleet_look *lk,
    char *buf, size_t size)
{
	int n;

	if (lk->lk_path != NULL)
		return lk->lk_path;
	n = snprintf(buf, size, "%s/%s", lk->lk_dir, sc->sc_names + lk->lk_name);
	return n < 0 || (size_t)n >= size ? NULL : buf;
}

/* On a pool thread: one stat(2), or two for a pair, and reads only. */
static void
fleet_scan_look(void *arg, size_t i)
{
	struct fleet_scan	*sc = arg;
	struct fleet_look	*lk = &sc->sc_looks[i];
	const struct fleet	*fl = sc->sc_fleet;
	const char		*path;
	char			 buf[PATH_MAX];
	struct stat		 st;
	struct stamp		 stamp;

	if ((path = fleet_look_path(sc, lk, buf, sizeof(buf))) == NULL) {
		lk->lk_changed = true;
		return;
	}
	if (lk->lk_pair) {
		lk->lk_known = strmap_get(&fl->fl_pairs, path) != NULL;
		lk->lk_changed = !lk->lk_known ||
		    !certcache_unchanged(sc->sc_cache, path);
		return;
	}
	lk->lk_file = strmap_get(&fl->fl_files, path);
	if (stat(path, &st) == -1) {
		lk->lk_changed = lk->lk_file != NULL;	/* gone meanwhile */
		return;
	}
	stamp = stamp_of(&st);
	if (lk->lk_file == NULL)	/* new, unless a pattern matches the main file */
		lk->lk_changed = stamp.stp_dev != fl->fl_mainfile.ff_stamp.stp_dev ||
		    stamp.stp_ino != fl->fl_mainfile.ff_stamp.stp_ino;
	else
		lk->lk_changed = !stamp_equal(&stamp, &lk->lk_file->ff_stamp);
}

/* `path` goes into the changes, as inotify would have named it. */
static void
fleet_scan_mark(struct strmap *changed, const char *path)
{
	struct strvec *paths;

	if (strmap_get(changed, path) != NULL)
		return;
	paths = xcalloc(1, sizeof(*paths));
	strvec_push(paths, xstrdup(path));
	(void)strmap_put(changed, path, paths);
}

/*
 * A pattern with wildcards in its last part only, the file names of one
 * directory: the directory listed and each name matched as glob(3) would,
 * with no path made for each of a million files, and no sort. False for
 * another pattern.
 */
static bool
fleet_scan_list_dir(struct fleet_scan *sc, const char *pattern)
{
	const char	*slash = strrchr(pattern, '/');
	struct dirent	*e;
	char		*dir;
	DIR		*d;

	if (slash == NULL || slash == pattern ||
	    strcspn(pattern, "*?[\\") < (size_t)(slash - pattern))
		return false;
	dir = xstrndup(pattern, (size_t)(slash - pattern));
	strvec_push(&sc->sc_dirs, dir);
	if ((d = opendir(dir)) == NULL)
		return true;	/* gone: its files with it */
	while ((e = readdir(d)) != NULL)
		if (fnmatch(slash + 1, e->d_name, FNM_PERIOD) == 0)
			fleet_scan_add_name(sc, dir, e->d_name, false);
	closedir(d);
	return true;
}

/* What the include patterns match now. */
static void
fleet_scan_list_files(struct fleet_scan *sc)
{
	const struct fleet *fl = sc->sc_fleet;

	sc->sc_globs = xcalloc(fl->fl_includes.sv_count + 1,
	    sizeof(*sc->sc_globs));
	for (size_t i = 0; i < fl->fl_includes.sv_count; i++) {
		glob_t *g = &sc->sc_globs[sc->sc_nglobs];

		if (fleet_scan_list_dir(sc, fl->fl_includes.sv_items[i]))
			continue;
		if (glob(fl->fl_includes.sv_items[i], 0, NULL, g) != 0)
			continue;	/* nothing matched: all gone */
		sc->sc_nglobs++;
		for (size_t k = 0; k < g->gl_pathc; k++)
			fleet_scan_add(sc)->lk_path = g->gl_pathv[k];
	}
}

/* The chains the flat certificate directories hold now. */
static void
fleet_scan_list_pairs(struct fleet_scan *sc)
{
	const struct fleet *fl = sc->sc_fleet;

	for (size_t i = 0; i < fl->fl_flat.sv_count; i++) {
		const char	*dir = fl->fl_flat.sv_items[i];
		struct dirent	*e;
		DIR		*d;
		bool		 twice = false;

		for (size_t j = 0; j < i && !twice; j++)
			twice = strcmp(fl->fl_flat.sv_items[j], dir) == 0;
		if (twice || (d = opendir(dir)) == NULL)
			continue;	/* gone: its pairs with it */
		while ((e = readdir(d)) != NULL)
			if (cert_is_chain_name(e->d_name))
				fleet_scan_add_name(sc, dir, e->d_name, true);
		closedir(d);
	}
}

/*
 * What `known` (the fleet's files or pairs) has and the listing did not
 * show: gone without an event. Rare, so only then is a set of what was
 * seen made.
 */
static void
fleet_scan_gone(const struct fleet_scan *sc, const struct strmap *known,
    size_t seen, struct strmap *changed)
{
	struct strmap	 listed = { 0 };
	const char	*key, *path;
	void		*value;
	char		 buf[PATH_MAX];

	if (seen == known->sm_count)
		return;
	for (size_t i = 0; i < sc->sc_count; i++)
		if ((path = fleet_look_path(sc, &sc->sc_looks[i], buf,
		    sizeof(buf))) != NULL)
			(void)strmap_put(&listed, path, &listed);
	for (size_t pos = 0; strmap_next(known, &pos, &key, &value);)
		if (strmap_get(&listed, key) == NULL)
			fleet_scan_mark(changed, key);
	strmap_free(&listed);
}

/*
 * The files listed, looked at on the pool; the new, changed and gone put
 * in `changed`, and the listing freed. Returns how many were looked at.
 * Customer files and pairs go one kind after the other, so that only one
 * listing is held at a time.
 */
static size_t
fleet_scan_run(struct fleet_scan *sc, const struct strmap *known,
    struct strmap *changed)
{
	struct fleet	*fl = sc->sc_fleet;
	size_t		 seen = 0, looked = sc->sc_count;
	char		 buf[PATH_MAX];

	pool_run(sc->sc_count, fleet_scan_look, sc);
	/* A file two patterns match is counted once: by the scan's mark. */
	fl->fl_scan++;
	for (size_t i = 0; i < sc->sc_count; i++) {
		struct fleet_look	*lk = &sc->sc_looks[i];
		const char		*path;

		if (lk->lk_file != NULL && lk->lk_file->ff_scan != fl->fl_scan) {
			lk->lk_file->ff_scan = fl->fl_scan;
			seen++;
		}
		seen += lk->lk_known;
		if (lk->lk_changed && (path = fleet_look_path(sc, lk, buf,
		    sizeof(buf))) != NULL)
			fleet_scan_mark(changed, path);
	}
	fleet_scan_gone(sc, known, seen, changed);
	for (size_t i = 0; i < sc->sc_nglobs; i++)
		globfree(&sc->sc_globs[i]);
	free(sc->sc_globs);
	strvec_free(&sc->sc_dirs);
	free(sc->sc_names);
	free(sc->sc_looks);
	sc->sc_globs = NULL;
	sc->sc_names = NULL;
	sc->sc_looks = NULL;
	sc->sc_nglobs = sc->sc_count = 0;
	sc->sc_names_len = sc->sc_names_cap = 0;
	return looked;
}

const char *
fleet_rescan(struct fleet *fl, const struct certcache *cc,
    struct strmap *changed, size_t *looked)
{
	struct fleet_scan	 sc = { .sc_fleet = fl, .sc_cache = cc };
	struct stat		 st;
	struct stamp		 main_stamp;
	const char		*why;

	if (fl->fl_stale)
		return "an earlier reload was refused";
	if (stat(fl->fl_main, &st) == -1)
		return "the main file cannot be read";
	main_stamp = stamp_of(&st);
	if ((why = fleet_not_flat(fl)) != NULL)
		return why;
	for (size_t i = 0; i < fl->fl_flat.sv_count; i++)
		if (fleet_lineage_root(fl->fl_flat.sv_items[i]))
			return "a certificate directory now holds certbot "
			    "lineages";
	/* Read again as inotify would have named it (fleet_read_main). */
	if (!stamp_equal(&main_stamp, &fl->fl_mainfile.ff_stamp))
		fleet_scan_mark(changed, fl->fl_main);
	fleet_scan_list_files(&sc);
	*looked = fleet_scan_run(&sc, &fl->fl_files, changed);
	fleet_scan_list_pairs(&sc);
	*looked += fleet_scan_run(&sc, &fl->fl_pairs, changed);
	return NULL;
}

const char *
fleet_validity_changes(struct fleet *fl, time_t now, struct strmap *changed,
    size_t *count)
{
	const char	*path, *why;
	void		*value;

	*count = 0;
	if (fl->fl_stale || fl->fl_pending.sm_count > 0)
		return "an earlier reload was refused";
	if ((why = fleet_not_flat(fl)) != NULL)
		return why;
	fl->fl_validity_from = fl->fl_validity_look;
	fl->fl_validity_look = now;
	fl->fl_next_validity = 0;
	for (size_t pos = 0; strmap_next(&fl->fl_pairs, &pos, &path, &value);) {
		const struct cert *crt = value;

		if (fleet_validity_crossed(crt, fl->fl_validity_from, now)) {
			fleet_scan_mark(changed, path);
			++*count;
		}
		fleet_note_validity(fl, crt, now);
	}
	return NULL;
}
