/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "reload.h"

#include <pthread.h>
#include <stdbool.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../config/xalloc.h"
#include "log.h"
#include "notify.h"
#include "snapshot.h"
#include "watch.h"
#include "worker.h"

/* A reload of the files named that read this many gives back memory. */
#define RELOAD_TRIM_FILES	4096

static bool
reload_same_cert(const struct cert *a, const struct cert *b)
{
	return a == b || (strcmp(a->crt_serial, b->crt_serial) == 0 &&
	    strcmp(a->crt_file, b->crt_file) == 0);
}

static bool
reload_served(const struct host *h)
{
	return h != NULL && h->h_cert != NULL;
}

void
reload_diff(const struct snapshot *old, const struct snapshot *cur,
    struct fleet_diff *rd)
{
	const struct host	*h, *o;
	size_t			 pos = 0;

	memset(rd, 0, sizeof(*rd));
	while ((h = hosttab_next(&cur->snap_hosts, &pos)) != NULL) {
		if (!reload_served(h))
			continue;
		o = snapshot_lookup(old, h->h_name, h->h_name_len);
		if (o == NULL)
			rd->fd_added++;
		else {
			if (strcmp(o->h_policy->pr_id, h->h_policy->pr_id) != 0)
				rd->fd_policies++;
			if (!reload_same_cert(o->h_cert, h->h_cert))
				rd->fd_certificates++;
		}
	}
	pos = 0;
	while ((o = hosttab_next(&old->snap_hosts, &pos)) != NULL)
		if (reload_served(o) &&
		    snapshot_lookup(cur, o->h_name, o->h_name_len) == NULL)
			rd->fd_removed++;
}

/*
 * The refusal rule (fleet_concerns): a name served now that the new
 * snapshot would not serve, with an error about its domain or its file,
 * keeps its host in `cur`. Returns how many were kept; the first's name in
 * *example. A name that goes with no error (a customer file deleted, a
 * certificate expired) goes.
 */
/* The names the refusal rule kept in a whole load, for the next fleet. */
struct reload_kept {
	struct strvec		  rk_names;
	struct strvec		  rk_files;	/* where each was defined */
	struct served_policy	**rk_policies;	/* what its file gives it */
};

static size_t
reload_keep(const struct snapshot *old, struct snapshot *cur,
    const struct fleet *fl, const struct diag_list *const lists[], size_t n,
    time_t now, struct reload_kept *rk)
{
	const struct host	*o, *h;
	size_t			 pos = 0;

	while ((o = hosttab_next(&old->snap_hosts, &pos)) != NULL) {
		const char	*file = fleet_file_of(fl, o->h_domain);
		bool		 concerned = false;

		if (!reload_served(o) || o->h_cert->crt_not_after <= now)
			continue;
		h = snapshot_configured(cur, o->h_name, o->h_name_len);
		if (reload_served(h))
			continue;
		for (size_t k = 0; k < n && !concerned; k++)
			concerned = fleet_concerns(lists[k], o->h_domain, file);
		if (!concerned)
			continue;
		rk->rk_policies = xreallocarray(rk->rk_policies,
		    rk->rk_names.sv_count + 1, sizeof(*rk->rk_policies));
		rk->rk_policies[rk->rk_names.sv_count] = h != NULL &&
		    h->h_policy != NULL ? served_policy_ref(h->h_policy) : NULL;
		strvec_push(&rk->rk_names, xstrdup(o->h_domain));
		strvec_push(&rk->rk_files, xstrdup(file != NULL ? file : ""));
		if (h == NULL)
			cur->snap_ndomains++;
		cur->snap_nhosts++;
		hosttab_put(&cur->snap_hosts, host_ref((struct host *)o));
	}
	return rk->rk_names.sv_count;
}

const char *
reload_side_settings(const struct config *cfg, char *buf, size_t size)
{
	size_t off = (size_t)snprintf(buf, size, "acme %s",
	    cfg->cfg_acme.acme_webroot);

	for (size_t i = 0; i < cfg->cfg_acme.acme_nlisten && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, " %s",
		    cfg->cfg_acme.acme_listen[i].la_text);
	if (off < size)
		off += (size_t)snprintf(buf + off, size - off, "; metrics");
	for (size_t i = 0; i < cfg->cfg_metrics.met_nlisten && off < size; i++)
		off += (size_t)snprintf(buf + off, size - off, " %s",
		    cfg->cfg_metrics.met_listen[i].la_text);
	return buf;
}

/* Settings read once at start-up: say so when the files now differ from
 * what the process runs with. */
static void
reload_restart_notes(const struct server *srv, const struct config *cfg)
{
	char side[RELOAD_SIDE_MAX];
	bool listen = cfg->cfg_nlisten != srv->srv_start_listen.sv_count;

	for (size_t i = 0; !listen && i < cfg->cfg_nlisten; i++)
		listen = strcmp(cfg->cfg_listen[i].la_text,
		    srv->srv_start_listen.sv_items[i]) != 0;
	if (listen)
		log_warnx("reload: the new listen addresses take effect at "
		    "the next restart");
	if (strcmp(cfg->cfg_user, srv->srv_start_user) != 0 ||
	    strcmp(cfg->cfg_group, srv->srv_start_group) != 0)
		log_warnx("reload: the new user and group take effect at the "
		    "next restart");
	if (strcmp(srv->srv_start_side, reload_side_settings(cfg, side,
	    sizeof(side))) != 0)
		log_warnx("reload: new acme and metrics settings take effect at "
		    "the next restart");
	if (cfg->cfg_workers != srv->srv_start_workers ||
	    memcmp(&cfg->cfg_limits, &srv->srv_limits_copy,
	    sizeof(cfg->cfg_limits)) != 0)
		log_warnx("reload: new workers and limits take effect at the "
		    "next restart");
	/* A filter, once installed, cannot be taken off. */
	if (cfg->cfg_seccomp != srv->srv_start_seccomp)
		log_warnx("reload: the new seccomp setting takes effect at the "
		    "next restart");
}

static int reload_whole(struct server *, const char *);
static int reload_rescan(struct server *, const char *);
static int reload_validity(struct server *, const char *);
static int reload_changes(struct server *, const char *,
    const struct watch_changes *, bool, uint64_t);

/*
 * The session ticket keys follow the configuration: a key file is read
 * again (its owner rotates the keys by replacing it), and without one the
 * daemon makes its own. A file that cannot be used leaves the keys in
 * service as they are.
 */
static void
reload_tickets(struct server *srv, const struct config *cfg)
{
	char err[512];

	if (cfg->cfg_ticket_keys != NULL) {
		if (server_load_tickets(srv, cfg->cfg_ticket_keys, err,
		    sizeof(err)) == -1)
			log_warnx("reload: session_ticket_keys: %s; the session "
			    "ticket keys in service stay", err);
	} else if (srv->srv_tickets.tks_from_file &&
	    server_rotate_tickets(srv, time(NULL)) == -1)
		log_warn("reload: cannot make session ticket keys; the "
		    "file's stay in service");
}

/* Policy fetch counters go on across reloads. */
static void
reload_carry_fetches(const struct snapshot *old, struct snapshot *snap)
{
	const struct host	*h, *o;
	size_t			 pos = 0;

	while ((h = hosttab_next(&snap->snap_hosts, &pos)) != NULL)
		if ((o = snapshot_configured(old, h->h_name, h->h_name_len)) !=
		    NULL && o != h)
			atomic_store(&((struct host *)h)->h_fetches,
			    atomic_load(&o->h_fetches));
}

/* Every reload, refused or not, ends with the service manager told READY. */
int
reload_run(struct server *srv, const char *path, enum reload_how how,
    const struct watch_changes *changes)
{
	int rc;

	notify_reloading();
	if (how == RELOAD_VALIDITY)
		rc = reload_validity(srv, path);
	else if (how == RELOAD_NAMED && changes != NULL && !changes->wc_all)
		rc = reload_changes(srv, path, changes, false, clock_us());
	else
		rc = reload_rescan(srv, path);
	atomic_fetch_add(&srv->srv_reloads, 1);
	if (rc == 0)
		atomic_store(&srv->srv_last_reload, (int64_t)time(NULL));
	else
		atomic_fetch_add(&srv->srv_reload_failures, 1);
	notify_ready("serving %zu of %zu domains%s", srv->srv_snap->snap_nhosts,
	    srv->srv_snap->snap_ndomains, rc == 0 ? "" :
	    "; the last reload was refused (see the log)");
	return rc;
}

/* The main file's settings that apply without a restart, and a note on
 * those that need one. */
static void
reload_settings(struct server *srv, const struct config *cfg)
{
	reload_restart_notes(srv, cfg);
	/* The logger is not part of the snapshot: its settings apply now. */
	log_set_level(cfg->cfg_log_level);
	log_set_access(cfg->cfg_access_log);
}

static void
reload_refused_broken(const char *path)
{
	log_warnx("reload refused: %s has errors (above); still serving the "
	    "previous configuration", path);
}

static void
reload_refused(const char *kept)
{
	log_warnx("reload refused: with the errors above, " HOST_PREFIX "%s "
	    "would no longer be served; still serving the previous snapshot",
	    kept);
}

/* Does no name get another host? */
static bool
reload_diff_empty(const struct fleet_diff *rd)
{
	return rd->fd_added == 0 && rd->fd_removed == 0 &&
	    rd->fd_policies == 0 && rd->fd_certificates == 0;
}

/* The line that ends a reload: how long, and what changed. */
static void
reload_summary(const struct snapshot *snap, const struct fleet_diff *rd,
    uint64_t start)
{
	log_info("reloaded in %.1f ms: serving %zu of %zu domains (%zu added, "
	    "%zu removed, %zu policies and %zu certificates changed), %zu "
	    "certificate files (%zu new, %zu gone)",
	    (double)(clock_us() - start) / 1000.0, snap->snap_nhosts,
	    snap->snap_ndomains, rd->fd_added, rd->fd_removed,
	    rd->fd_policies, rd->fd_certificates, snap->snap_ncerts,
	    rd->fd_certs_added, rd->fd_certs_removed);
}

/*
 * `snap` in service, the workers woken, and one line on what changed: or,
 * when the refusal rule kept names (`kept`, the first of them) and nothing
 * else changed, the line that says the reload was refused.
 */
static void
reload_publish(struct server *srv, struct snapshot *snap,
    const struct fleet_diff *rd, uint64_t start, const char *kept)
{
	struct snapshot *old;

	/* This thread is the only one to publish: `old` is what goes. */
	old = server_publish(srv, snap);
	for (unsigned i = 0; i < srv->srv_nworkers; i++)
		worker_wake(&srv->srv_workers[i]);
	if (kept != NULL && reload_diff_empty(rd))
		reload_refused(kept);
	else {
		if (kept != NULL)
			log_warnx("reload: with the errors above, " HOST_PREFIX
			    "%s would no longer be served: it keeps its policy "
			    "and certificate", kept);
		reload_summary(snap, rd, start);
	}
	/* Connections still using the old snapshot keep it alive. */
	snapshot_unref(old);
	served_policy_sweep(&srv->srv_policies);
}

/*
 * Only the files inotify named (or a rescan found changed), read again
 * alone (fleet.c); what cannot be tied to single files falls back to the
 * whole load.
 */
static int
reload_changes(struct server *srv, const char *path,
    const struct watch_changes *changes, bool rescan, uint64_t start)
{
	struct fleet_update	fu = {
		.fu_cur = srv->srv_snap,
		.fu_files = &changes->wc_files,
		.fu_now = time(NULL),
		.fu_certcache = srv->srv_certcache,
		.fu_watcher = srv->srv_watch,
		.fu_policies = &srv->srv_policies,
	};
	enum fleet_result	res;
	int			rc = 0;

	res = fleet_update(srv->srv_fleet, &fu);
	/* A new symlinked customer file: its target is watched from now. */
	for (size_t i = 0; i < fu.fu_links.sv_count; i++)
		watch_follow(srv->srv_watch, fu.fu_links.sv_items[i]);
	strvec_free(&fu.fu_links);
	switch (res) {
	case FLEET_WHOLE:
		log_info("reload: %s: reading every file", fu.fu_why);
		diag_free(&fu.fu_diags);
		return reload_whole(srv, path);
	case FLEET_BROKEN:
		log_diags(&fu.fu_diags);
		reload_refused_broken(path);
		rc = -1;
		break;
	case FLEET_UNCHANGED:
		log_diags(&fu.fu_diags);
		if (rescan)
			reload_summary(srv->srv_snap, &fu.fu_diff, start);
		else
			log_info("reloaded in %.1f ms: the files named are as "
			    "they were", (double)(clock_us() - start) / 1000.0);
		break;
	case FLEET_REFUSED:
		log_diags(&fu.fu_diags);
		reload_refused(fu.fu_kept);
		rc = -1;
		break;
	case FLEET_APPLIED:
		log_diags(&fu.fu_diags);
		/* The main file was read again: its settings, and the ticket
		 * keys before the workers are woken. */
		if (fu.fu_next->snap_cfg != srv->srv_snap->snap_cfg) {
			reload_settings(srv, fu.fu_next->snap_cfg);
			if (!rescan)
				reload_tickets(srv, fu.fu_next->snap_cfg);
		}
		reload_publish(srv, fu.fu_next, &fu.fu_diff, start, fu.fu_kept);
		/* As the whole load: names kept and nothing else changed. */
		if (fu.fu_kept != NULL && reload_diff_empty(&fu.fu_diff))
			rc = -1;
		/* What reading many files used goes back to the system. */
		if (fu.fu_read >= RELOAD_TRIM_FILES && !rescan)
			malloc_trim(0);
		break;
	}
	diag_free(&fu.fu_diags);
	free(fu.fu_kept);
	return rc;
}

/*
 * SIGHUP at a million customers: a stat of every file finds what changed
 * without an event (a copy that kept the times, a change while the
 * daemon was not watching), and only that is read again, as if inotify
 * had named it. The ticket key file is read again in any case. Events
 * that name no single file (a directory made or removed, Kubernetes'
 * ..data swap, a queue overflow) come here too, and so the watches are
 * set again: a directory made is watched from now.
 */
static int
reload_rescan(struct server *srv, const char *path)
{
	uint64_t		 start = clock_us(), phase = start;
	struct watch_changes	 changes = { 0 };
	const char		*why;
	size_t			 looked = 0;
	int			 rc;

	/* Before the look: a change made meanwhile is an event. */
	fleet_watch(srv->srv_fleet, srv->srv_watch, srv->srv_snap->snap_cfg);
	log_phase("reload", "watches set", &phase);
	why = fleet_rescan(srv->srv_fleet, srv->srv_certcache,
	    &changes.wc_files, &looked);
	if (why != NULL) {
		log_info("reload: %s: reading every file", why);
		watch_changes_clear(&changes);
		return reload_whole(srv, path);
	}
	log_phase("reload", "files looked at", &phase);
	log_info("reload: %zu customer and certificate files looked at, %zu "
	    "new, changed or gone", looked, changes.wc_files.sm_count);
	reload_tickets(srv, srv->srv_snap->snap_cfg);
	for (unsigned i = 0; i < srv->srv_nworkers; i++)
		worker_wake(&srv->srv_workers[i]);
	rc = reload_changes(srv, path, &changes, true, start);
	log_phase("reload", "changes applied", &phase);
	watch_changes_clear(&changes);
	/* The listing of a million files goes back to the system. */
	malloc_trim(0);
	log_phase("reload", "memory returned", &phase);
	return rc;
}

/*
 * A certificate began or ceased to be valid, no file changing: the names
 * of the certificates that did are looked at again, as if their files had
 * changed.
 */
static int
reload_validity(struct server *srv, const char *path)
{
	uint64_t		 start = clock_us();
	struct watch_changes	 changes = { 0 };
	const char		*why;
	size_t			 count;
	int			 rc;

	why = fleet_validity_changes(srv->srv_fleet, time(NULL),
	    &changes.wc_files, &count);
	if (why != NULL) {
		log_info("reload: %s: reading every file", why);
		watch_changes_clear(&changes);
		return reload_whole(srv, path);
	}
	log_info("reload: %zu certificates began or ceased to be valid: "
	    "looking at their names again", count);
	rc = reload_changes(srv, path, &changes, true, start);
	watch_changes_clear(&changes);
	return rc;
}

/* The main file itself is broken: nothing of it can be trusted. */
static int
reload_whole_broken(struct server *srv, const char *path, struct config *cfg)
{
	log_diags(&cfg->cfg_diags);
	reload_refused_broken(path);
	config_free(cfg);
	if (srv->srv_fleet != NULL)
		fleet_mark_stale(srv->srv_fleet);
	return -1;
}

/*
 * Everything read again, as at start-up: the main file alone first, whose
 * certificate sources are read on a thread of their own while the
 * customer files are (certset_load_begin).
 */
static int
reload_whole(struct server *srv, const char *path)
{
	uint64_t		 start = clock_us(), phase = start;
	struct config		*main_cfg = config_load_main(path), *cfg;
	struct certset_loading	*loading;
	struct snapshot		*snap, *old = srv->srv_snap;
	struct certset		 certs;
	struct diag_list	 cert_diags = { 0 };
	struct fleet_diff	 rd;
	struct reload_kept	 rk = { 0 };
	time_t			 now = time(NULL);
	int			 rc;

	/* Watch what the new files name, whatever becomes of them: a
	 * directory that reappears is where the next change will come from. */
	if (srv->srv_watch != NULL)
		watch_set(srv->srv_watch, main_cfg);
	if (config_global_errors(main_cfg) > 0)
		return reload_whole_broken(srv, path, main_cfg);
	loading = certset_load_begin(&certs, main_cfg, &cert_diags, now,
	    srv->srv_certcache);
	cfg = config_load(path);
	log_phase("reload", "configuration read", &phase);
	watch_set_after(srv->srv_watch, main_cfg, cfg);
	log_phase("reload", "watches set", &phase);
	if (config_global_errors(cfg) > 0) {
		/* The main file changed since its first read. */
		certset_load_end(loading, main_cfg);
		certset_free(&certs);
		diag_free(&cert_diags);
		config_free(main_cfg);
		return reload_whole_broken(srv, path, cfg);
	}
	certset_load_end(loading, cfg);
	config_free(main_cfg);
	log_phase("reload", "certificates read", &phase);
	snap = snapshot_build(config_ref(cfg), &certs, &cert_diags, now, true,
	    &srv->srv_policies);
	log_phase("reload", "snapshot built", &phase);
	log_diags(&cfg->cfg_diags);
	log_diags(&snap->snap_diags);
	/*
	 * A file caught half-written (a customer file, a key renewed before
	 * its certificate) shows as an error that makes a served name vanish:
	 * that name keeps its host until the next change mends it. Errors that
	 * take nothing away (a new customer's broken file) hold up nothing,
	 * and no name holds up the others.
	 */
	(void)reload_keep(old, snap, srv->srv_fleet,
	    (const struct diag_list *const[]){ &cfg->cfg_diags,
	    &snap->snap_diags }, 2, now, &rk);
	reload_settings(srv, cfg);
	/* Policy fetch counters go on across reloads. */
	reload_carry_fetches(old, snap);
	reload_diff(old, snap, &rd);
	certcache_changes(srv->srv_certcache, &rd.fd_certs_added,
	    &rd.fd_certs_removed);
	rc = rk.rk_names.sv_count > 0 && reload_diff_empty(&rd) ? -1 : 0;
	log_phase("reload", "compared", &phase);
	fleet_free(srv->srv_fleet);
	srv->srv_fleet = fleet_build(cfg, &certs, now);
	log_phase("reload", "reload index built", &phase);
	for (size_t i = 0; i < rk.rk_names.sv_count; i++) {
		fleet_adopt(srv->srv_fleet, rk.rk_names.sv_items[i],
		    rk.rk_files.sv_items[i], rk.rk_policies[i]);
		served_policy_unref(rk.rk_policies[i]);
	}
	config_drop_domains(cfg);
	certset_free(&certs);
	/* Before the workers are woken: they take the keys then. */
	reload_tickets(srv, cfg);
	reload_publish(srv, snap, &rd, start, rk.rk_names.sv_count > 0 ?
	    rk.rk_names.sv_items[0] : NULL);
	config_free(cfg);
	strvec_free(&rk.rk_names);
	strvec_free(&rk.rk_files);
	free(rk.rk_policies);
	log_phase("reload", "published", &phase);
	/* The old fleet and what loading used go back to the system. */
	malloc_trim(0);
	log_phase("reload", "memory returned", &phase);
	return rc;
}
