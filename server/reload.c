/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "reload.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../config/xalloc.h"
#include "log.h"
#include "notify.h"
#include "snapshot.h"
#include "watch.h"
#include "worker.h"

static bool
reload_same_cert(const struct cert *a, const struct cert *b)
{
	return strcmp(a->crt_serial, b->crt_serial) == 0 &&
	    strcmp(a->crt_file, b->crt_file) == 0;
}

static int
reload_cert_cmp(const void *a, const void *b)
{
	const struct cert *x = *(const struct cert *const *)a;
	const struct cert *y = *(const struct cert *const *)b;
	int c = strcmp(x->crt_file, y->crt_file);

	return c != 0 ? c : strcmp(x->crt_serial, y->crt_serial);
}

static const struct cert **
reload_sorted_certs(const struct certset *set)
{
	const struct cert **v = xcalloc(set->cs_count, sizeof(*v));

	for (size_t i = 0; i < set->cs_count; i++)
		v[i] = set->cs_certs[i];
	if (set->cs_count > 1)
		qsort(v, set->cs_count, sizeof(*v), reload_cert_cmp);
	return v;
}

void
reload_diff(const struct snapshot *old, const struct snapshot *cur,
    struct reload_diff *rd)
{
	const struct cert	**a, **b;
	size_t			  i = 0, j = 0;

	memset(rd, 0, sizeof(*rd));
	for (size_t k = 0; k < cur->snap_nhosts; k++) {
		const struct host *h = &cur->snap_hosts[k];
		const struct host *o = snapshot_lookup(old, h->h_name,
		    h->h_name_len);

		if (o == NULL)
			rd->rd_added++;
		else {
			if (strcmp(o->h_domain->dom_id, h->h_domain->dom_id) != 0)
				rd->rd_policies++;
			if (!reload_same_cert(o->h_cert, h->h_cert))
				rd->rd_certificates++;
		}
	}
	for (size_t k = 0; k < old->snap_nhosts; k++) {
		const struct host *o = &old->snap_hosts[k];

		if (snapshot_lookup(cur, o->h_name, o->h_name_len) == NULL)
			rd->rd_removed++;
	}
	/* Certificate files: a merge of the two sets sorted by file and serial. */
	a = reload_sorted_certs(&old->snap_certs);
	b = reload_sorted_certs(&cur->snap_certs);
	while (i < old->snap_certs.cs_count || j < cur->snap_certs.cs_count) {
		int c = i == old->snap_certs.cs_count ? 1 :
		    j == cur->snap_certs.cs_count ? -1 :
		    reload_cert_cmp(&a[i], &b[j]);

		if (c < 0) {
			rd->rd_certs_removed++;
			i++;
		} else if (c > 0) {
			rd->rd_certs_added++;
			j++;
		} else {
			i++;
			j++;
		}
	}
	free(a);
	free(b);
}

/* Names served now that the new snapshot would not serve. */
static size_t
reload_lost(const struct snapshot *old, const struct snapshot *cur,
    const char **example)
{
	size_t n = 0;

	for (size_t k = 0; k < old->snap_nhosts; k++) {
		const struct host *o = &old->snap_hosts[k];

		if (snapshot_lookup(cur, o->h_name, o->h_name_len) == NULL) {
			if (n++ == 0)
				*example = o->h_name;
		}
	}
	return n;
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

static int reload_build(struct server *, const char *);

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

/* Every reload, refused or not, ends with the service manager told READY. */
int
reload_run(struct server *srv, const char *path)
{
	int rc;

	notify_reloading();
	rc = reload_build(srv, path);
	atomic_fetch_add(&srv->srv_reloads, 1);
	if (rc == 0)
		atomic_store(&srv->srv_last_reload, (int64_t)time(NULL));
	else
		atomic_fetch_add(&srv->srv_reload_failures, 1);
	notify_ready("serving %zu of %zu domains%s", srv->srv_snap->snap_nhosts,
	    srv->srv_snap->snap_cfg->cfg_ndomains, rc == 0 ? "" :
	    "; the last reload was refused (see the log)");
	return rc;
}

static int
reload_build(struct server *srv, const char *path)
{
	uint64_t		 start = clock_us();
	struct config		*cfg = config_load(path);
	struct snapshot		*snap, *old = srv->srv_snap;
	struct reload_diff	 rd;
	const char		*lost_name = NULL;
	size_t			 errors, lost;

	/* Watch what the new files name, whatever becomes of them: a
	 * directory that reappears is where the next change will come from. */
	if (srv->srv_watch != NULL)
		watch_set(srv->srv_watch, cfg);
	/* The main file itself is broken: nothing of it can be trusted. */
	if (config_global_errors(cfg) > 0) {
		log_diags(&cfg->cfg_diags);
		log_warnx("reload refused: %s has errors (above); still serving "
		    "the previous configuration", path);
		config_free(cfg);
		return -1;
	}
	snap = snapshot_build(cfg, time(NULL), 1, srv->srv_certcache);
	log_diags(&cfg->cfg_diags);
	log_diags(&snap->snap_diags);
	/*
	 * A file caught half-written (a customer file, a key renewed before
	 * its certificate) shows as an error that makes a served name vanish:
	 * keep the current snapshot and wait for the next change. Errors that
	 * take nothing away (a new customer's broken file) do not hold up
	 * everyone else's changes.
	 */
	errors = cfg->cfg_diags.dl_errors + snap->snap_diags.dl_errors;
	lost = reload_lost(old, snap, &lost_name);
	if (errors > 0 && lost > 0) {
		log_warnx("reload refused: with the errors above, %s%s would no "
		    "longer be served; still serving the previous snapshot",
		    lost_name, lost > 1 ? " and others" : "");
		snapshot_unref(snap);
		return -1;
	}
	reload_restart_notes(srv, cfg);
	/* Policy fetch counters go on across reloads. */
	for (size_t k = 0; k < snap->snap_nhosts; k++) {
		struct host		*h = &snap->snap_hosts[k];
		const struct host	*o = snapshot_lookup(old, h->h_name,
		    h->h_name_len);

		if (o != NULL)
			atomic_store(&h->h_fetches, atomic_load(&o->h_fetches));
	}
	/* The logger is not part of the snapshot: its settings apply now. */
	log_set_level(cfg->cfg_log_level);
	log_set_access(cfg->cfg_access_log);
	reload_diff(old, snap, &rd);
	/* This thread is the only one to publish: `old` is what goes. */
	old = server_publish(srv, snap);
	reload_tickets(srv, cfg);
	for (unsigned i = 0; i < srv->srv_nworkers; i++)
		worker_wake(&srv->srv_workers[i]);
	log_info("reloaded in %.1f ms: serving %zu of %zu domains (%zu added, "
	    "%zu removed, %zu policies and %zu certificates changed), %zu "
	    "certificate files (%zu new, %zu gone)",
	    (double)(clock_us() - start) / 1000.0, snap->snap_nhosts,
	    cfg->cfg_ndomains, rd.rd_added, rd.rd_removed, rd.rd_policies,
	    rd.rd_certificates, snap->snap_certs.cs_count, rd.rd_certs_added,
	    rd.rd_certs_removed);
	/* Connections still using the old snapshot keep it alive. */
	snapshot_unref(old);
	return 0;
}
