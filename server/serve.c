/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's start-up and main loop. Start-up order matters: load and
 * check everything, bind, load keys, drop privileges, and only then report
 * ready.
 */
#include "serve.h"

#include <errno.h>
#include <malloc.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "../config/loadcache.h"
#include "../config/xalloc.h"
#include "acme.h"
#include "http.h"
#include "limit.h"
#include "listen.h"
#include "metrics.h"
#include "notify.h"
#include "log.h"
#include "privdrop.h"
#include "reload.h"
#include "seccomp.h"
#include "sidehttp.h"
#include "snapshot.h"
#include "ticket.h"
#include "tls.h"
#include "watch.h"
#include "worker.h"

/* A connection uses three descriptors: TCP and the two socketpair ends. */
#define FDS_PER_CONN		3
/* Listeners, epoll, eventfds, files read on reload. */
#define FDS_SPARE		256
#define LISTEN_BACKLOG		1024
/* A burst of file changes is one reload: quiet this long, then reload ... */
#define RELOAD_QUIET_MS		200
/* ... but never later than this after the first change. */
#define RELOAD_DELAY_MAX_MS	1000
/* After a failed session ticket key rotation, the next try. */
#define TICKET_RETRY_SECONDS	60


static void
serve_raise_nofile(const struct limits *lim)
{
	struct rlimit	rl;
	rlim_t		want = (rlim_t)lim->lim_max_connections * FDS_PER_CONN +
			    FDS_SPARE;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		fatal("getrlimit");
	if (rl.rlim_cur < want) {
		rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit(RLIMIT_NOFILE, %llu)",
			    (unsigned long long)rl.rlim_cur);
		getrlimit(RLIMIT_NOFILE, &rl);
		if (rl.rlim_cur < want)
			log_warnx("the descriptor limit (%llu) allows about "
			    "%llu connections, fewer than max_connections (%u):"
			    " raise LimitNOFILE or lower max_connections",
			    (unsigned long long)rl.rlim_cur,
			    (unsigned long long)(rl.rlim_cur > FDS_SPARE ?
			    (rl.rlim_cur - FDS_SPARE) / FDS_PER_CONN : 0),
			    lim->lim_max_connections);
	}
}

static unsigned
serve_workers(const struct config *cfg)
{
	long n;

	if (cfg->cfg_workers > 0)
		return cfg->cfg_workers;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	if (n < 1)
		return 1;
	return n > LIMIT_WORKERS_MAX ? LIMIT_WORKERS_MAX : (unsigned)n;
}

static void
serve_summary(const char *what, const struct snapshot *snap, uint64_t start)
{
	log_info("%s: serving %zu of %zu domains, %zu certificates, in %.1f ms",
	    what, snap->snap_nhosts, snap->snap_ndomains, snap->snap_ncerts,
	    (double)(clock_us() - start) / 1000.0);
}

/* What the main thread's loop waits for besides signals. */
struct serve_timers {
	/* A burst of file changes not yet reloaded: its first and last. */
	uint64_t	st_first;	/* 0: none pending */
	uint64_t	st_last;
	/* After a failed key rotation, the next try. */
	time_t		st_ticket_retry;
	/* What the burst's events named. */
	struct watch_changes st_changes;
	/* The certificate validity change last reloaded for. */
	time_t		st_validity_seen;
};

/*
 * The main thread's loop: signals, and changes to the files the snapshot
 * came from. A burst of changes (an editor's save, certbot renewing ten
 * names) is taken as one: the reload waits for RELOAD_QUIET_MS without a
 * change, and never longer than RELOAD_DELAY_MAX_MS after the first one.
 * The session ticket keys are rotated here too. Returns false when the
 * daemon is to stop.
 */
static bool
serve_wait(struct server *srv, int sfd, const char *path,
    struct serve_timers *st)
{
	struct pollfd		 pfd[2] = {
		{ .fd = sfd, .events = POLLIN },
		{ .fd = watch_fd(srv->srv_watch), .events = POLLIN },
	};
	struct signalfd_siginfo	 si;
	uint64_t		 now = clock_ms();
	time_t			 wall = time(NULL);
	time_t			 rotate = ticket_keys_due(&srv->srv_tickets);
	time_t			 validity;
	int			 timeout = -1;

	if (st->st_first != 0) {
		uint64_t due = st->st_last + RELOAD_QUIET_MS;

		if (due > st->st_first + RELOAD_DELAY_MAX_MS)
			due = st->st_first + RELOAD_DELAY_MAX_MS;
		if (now >= due) {
			log_info("files changed: reloading %s", path);
			reload_run(srv, path, RELOAD_NAMED, &st->st_changes);
			watch_changes_clear(&st->st_changes);
			st->st_first = 0;
			return true;
		}
		timeout = (int)(due - now);
	}
	/* Only this thread writes the keys: it reads them without the lock.
	 * Keys from a file are the file's owner's to rotate. */
	if (srv->srv_tickets.tks_from_file)
		rotate = wall + TICKET_ROTATE_SECONDS;
	else if (rotate < st->st_ticket_retry)
		rotate = st->st_ticket_retry;
	if (wall >= rotate) {
		if (server_rotate_tickets(srv, wall) == -1) {
			log_warn("cannot make a new session ticket key; the "
			    "current one stays, next try in %d s",
			    TICKET_RETRY_SECONDS);
			st->st_ticket_retry = wall + TICKET_RETRY_SECONDS;
			return true;
		}
		for (unsigned i = 0; i < srv->srv_nworkers; i++)
			worker_wake(&srv->srv_workers[i]);
		return true;
	}
	/* A clock set back must not put the rotation off for long. */
	if (rotate - wall > TICKET_ROTATE_SECONDS)
		rotate = wall + TICKET_ROTATE_SECONDS;
	if (timeout == -1 || (rotate - wall) * 1000 < timeout)
		timeout = (int)((rotate - wall) * 1000);
	/* A certificate expires, or one becomes valid: every name is
	 * looked at again, as no file event will say. */
	validity = fleet_next_validity(srv->srv_fleet);
	if (validity == st->st_validity_seen)
		validity = 0;	/* its reload was refused: the next change */
	if (validity != 0 && wall >= validity) {
		log_info("a certificate began or ceased to be valid: reloading "
		    "%s", path);
		st->st_validity_seen = validity;
		reload_run(srv, path, RELOAD_VALIDITY, NULL);
		return true;
	}
	if (validity != 0 && (validity - wall) * 1000 < timeout)
		timeout = (int)((validity - wall) * 1000);
	if (poll(pfd, pfd[1].fd == -1 ? 1 : 2, timeout) == -1) {
		if (errno == EINTR)
			return true;
		fatal("poll");
	}
	if (pfd[1].revents & POLLIN &&
	    watch_read(srv->srv_watch, &st->st_changes)) {
		st->st_last = clock_ms();
		if (st->st_first == 0)
			st->st_first = st->st_last;
	}
	if (!(pfd[0].revents & POLLIN))
		return true;
	if (read(sfd, &si, sizeof(si)) != sizeof(si))
		return true;
	if (si.ssi_signo == SIGHUP) {
		log_info("SIGHUP: reloading %s", path);
		reload_run(srv, path, RELOAD_RESCAN, NULL);
		watch_changes_clear(&st->st_changes);
		st->st_first = 0;
		return true;
	}
	log_info("%s: shutting down", strsignal((int)si.ssi_signo));
	return false;
}

/* Detach from the terminal; the parent exits once the child is ready, with
 * the child's verdict, so `mta-sts-hostd serve && ...` means serving. */
static int
serve_detach(void)
{
	int	p[2];
	pid_t	pid;
	char	c;

	if (pipe2(p, O_CLOEXEC) == -1)
		fatal("pipe");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid > 0) {
		close(p[1]);
		exit(read(p[0], &c, 1) == 1 && c == 'R' ? 0 : 1);
	}
	close(p[0]);
	if (setsid() == -1)
		fatal("setsid");
	return p[1];
}

/* `null` is /dev/null, opened before the allow-list, which opens files
 * for reading only. */
static void
serve_ready(int ready_fd, int null, const struct config *cfg)
{
	if (ready_fd == -1)
		return;
	/* Standard error goes away with the terminal: log to syslog. */
	if (cfg->cfg_log_target == LOG_TARGET_STDERR)
		log_init(LOG_TARGET_SYSLOG, cfg->cfg_log_level);
	if (null != -1) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		if (null > STDERR_FILENO)
			close(null);
	}
	if (write(ready_fd, "R", 1) != 1)
		log_warn("telling the parent process");
	close(ready_fd);
}

static void __attribute__((noreturn))
serve_cannot_start(const char *path)
{
	fatalx("%s: cannot start: fix the errors above (mta-sts-hostd check "
	    "-c %s)", path, path);
}

/* A load cache's work said, and the cache closed (NULL: none). */
static void
serve_close_cache(struct loadcache *lc, const char *what,
    struct diag_list *diags)
{
	size_t hits, misses;

	if (lc == NULL)
		return;
	loadcache_counts(lc, &hits, &misses);
	log_info("start-up: %s: %zu from the load cache %s, %zu read", what,
	    hits, loadcache_path(lc), misses);
	loadcache_close(lc, diags);
}

int
serve_run(const char *path, bool foreground)
{
	struct server		 srv;
	struct config		*cfg, *main_cfg;
	struct certset_loading	*loading;
	struct fleet_building	*building;
	struct snapshot		*snap;
	struct acme		*acme;
	struct metrics		*metrics;
	struct serve_timers	 timers = { 0 };
	struct certset		 certs;
	struct diag_list	 cert_diags = { 0 }, cache_diags = { 0 };
	struct loadcache	*cert_cache = NULL, *customer_cache = NULL;
	const char		*cache_dir;
	sigset_t		 sigs;
	char			 err[512], side[RELOAD_SIDE_MAX];
	uint64_t		 start = clock_us(), phase = start;
	int			 sfd, ready_fd = -1, null = -1;

	if (!foreground) {
		ready_fd = serve_detach();
		null = open("/dev/null", O_RDWR | O_CLOEXEC);
	}
	log_init(LOG_TARGET_STDERR, LOG_LEVEL_INFO);
	/*
	 * A SIGHUP while the files are read (minutes at a million customers)
	 * waits for the main loop, which reloads: blocked before the first
	 * loading thread starts, since threads inherit the mask. SIGTERM and
	 * SIGINT end the process at once until there is something to stop.
	 */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * The main file first, alone: it names the certificate sources, which
	 * are read on a thread of their own while the customer files are.
	 * Its errors are the ones that stop the start (config_global_errors).
	 */
	main_cfg = config_load_main(path);
	log_init(main_cfg->cfg_log_target, main_cfg->cfg_log_level);
	if (config_global_errors(main_cfg) > 0) {
		log_diags(&main_cfg->cfg_diags);
		serve_cannot_start(path);
	}
	memset(&srv, 0, sizeof(srv));
	/*
	 * Watched before anything else is read, which takes a minute at a
	 * million customers: a change meanwhile waits in the queue for the
	 * main loop, where it would be lost if the watches came after. The
	 * whole configuration adds what its files name (symlinks' targets).
	 */
	srv.srv_watch = watch_new();
	watch_set(srv.srv_watch, main_cfg);
	srv.srv_certcache = certcache_new();
	cache_dir = loadcache_dir(main_cfg->cfg_cache_dir);
	if (cache_dir != NULL)
		cert_cache = loadcache_open(cache_dir, LOADCACHE_CERTIFICATES,
		    LOADCACHE_DAEMON);
	certcache_set_disk(srv.srv_certcache, cert_cache);
	loading = certset_load_begin(&certs, main_cfg, &cert_diags, time(NULL),
	    srv.srv_certcache);
	log_phase("start-up", "main file read", &phase);
	if (cache_dir != NULL)
		customer_cache = loadcache_open(cache_dir, LOADCACHE_CUSTOMERS,
		    LOADCACHE_DAEMON);
	cfg = config_load_cached(path, customer_cache);
	serve_close_cache(customer_cache, "customer files", &cache_diags);
	log_init(cfg->cfg_log_target, cfg->cfg_log_level);
	log_set_access(cfg->cfg_access_log);
	log_diags(&cfg->cfg_diags);
	log_phase("start-up", "configuration read", &phase);
	if (config_global_errors(cfg) > 0) {
		/* The main file changed since: its errors are new. */
		certset_load_end(loading, main_cfg);
		serve_cannot_start(path);
	}
	watch_set_after(srv.srv_watch, main_cfg, cfg);
	log_phase("start-up", "watches set", &phase);
	/* The books of the customer files while the certificates load. */
	srv.srv_fleet = fleet_new(cfg);
	log_phase("start-up", "customer files indexed", &phase);
	/* Joined before anything that can end the start. */
	certset_load_end(loading, cfg);
	config_free(main_cfg);
	certcache_set_disk(srv.srv_certcache, NULL);
	serve_close_cache(cert_cache, "certificate pairs", &cache_diags);
	log_diags(&cache_diags);
	diag_free(&cache_diags);
	log_phase("start-up", "certificates read", &phase);
	serve_raise_nofile(&cfg->cfg_limits);
	srv.srv_ctx = tls_ctx_new();
	srv.srv_addrs = limit_table_new(
	    cfg->cfg_limits.lim_max_connections_per_address);
	pthread_mutex_init(&srv.srv_lock, NULL);
	if (cfg->cfg_ticket_keys != NULL) {
		if (server_load_tickets(&srv, cfg->cfg_ticket_keys, err,
		    sizeof(err)) == -1)
			fatalx("%s: cannot start: session_ticket_keys: %s",
			    path, err);
	} else if (server_rotate_tickets(&srv, time(NULL)) == -1)
		fatal("cannot make session ticket keys");
	http_init();
	building = fleet_add_certs_begin(srv.srv_fleet, &certs, time(NULL));
	snap = snapshot_build(config_ref(cfg), &certs, &cert_diags, time(NULL),
	    true, &srv.srv_policies);
	log_diags(&snap->snap_diags);
	log_phase("start-up", "snapshot built", &phase);
	fleet_add_certs_end(building);
	log_phase("start-up", "reload index built", &phase);
	certset_free(&certs);
	/* The hosts and the fleet have what the snapshot needs of them. */
	config_drop_domains(cfg);
	/* What loading used and freed (trees, lists, the parsing threads'
	 * memory) goes back to the system instead of staying resident. */
	malloc_trim(0);
	log_phase("start-up", "memory returned", &phase);
	/* From here on every signal is the main loop's, through a signalfd,
	 * whichever thread it was sent to. */
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	if ((sfd = signalfd(-1, &sigs, SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	srv.srv_snap = snap;
	/* Limits are fixed for the life of the process (see reload). */
	srv.srv_limits_copy = snap->snap_cfg->cfg_limits;
	srv.srv_limits = &srv.srv_limits_copy;
	for (size_t j = 0; j < cfg->cfg_nlisten; j++)
		strvec_push(&srv.srv_start_listen,
		    xstrdup(cfg->cfg_listen[j].la_text));
	srv.srv_start_user = xstrdup(cfg->cfg_user);
	srv.srv_start_group = xstrdup(cfg->cfg_group);
	srv.srv_start_workers = cfg->cfg_workers;
	srv.srv_start_seccomp = cfg->cfg_seccomp;
	srv.srv_start_side = xstrdup(reload_side_settings(cfg, side,
	    sizeof(side)));

	for (size_t j = 0; j < cfg->cfg_nlisten; j++)
		if (listen_check_free(&cfg->cfg_listen[j], err,
		    sizeof(err)) == -1)
			fatalx("%s", err);
	srv.srv_nworkers = serve_workers(cfg);
	srv.srv_workers = xcalloc(srv.srv_nworkers, sizeof(*srv.srv_workers));
	for (unsigned i = 0; i < srv.srv_nworkers; i++) {
		struct worker *w = &srv.srv_workers[i];

		if (worker_init(w, &srv, i, cfg) == -1)
			fatal("cannot set up worker %u", i);
		w->w_snap = snapshot_ref(snap);
		w->w_listeners = xcalloc(cfg->cfg_nlisten,
		    sizeof(*w->w_listeners));
		w->w_nlisteners = cfg->cfg_nlisten;
		for (size_t j = 0; j < cfg->cfg_nlisten; j++) {
			struct listener *l = &w->w_listeners[j];

			l->l_ev = (struct ev_source){ EV_LISTENER, l };
			/* A copy: cfg goes with the first snapshot. */
			l->l_text = xstrdup(cfg->cfg_listen[j].la_text);
			/* Each worker has its own socket: the kernel spreads
			 * the connections. */
			l->l_fd = listen_open(&cfg->cfg_listen[j], true,
			    LISTEN_BACKLOG, err, sizeof(err));
			if (l->l_fd == -1)
				fatalx("%s", err);
		}
	}
	acme = acme_bind(cfg, err, sizeof(err));
	if (acme == NULL && cfg->cfg_acme.acme_nlisten > 0)
		fatalx("%s", err);
	metrics = metrics_bind(cfg, err, sizeof(err));
	if (metrics == NULL && cfg->cfg_metrics.met_nlisten > 0)
		fatalx("%s", err);
	if (privdrop(cfg->cfg_user, cfg->cfg_group, err, sizeof(err)) == -1 ||
	    privdrop_capabilities(err, sizeof(err)) == -1)
		fatalx("%s", err);
	/* Start-up is over: from here on, every thread (the first starts
	 * next) runs under the allow-list. */
	if (cfg->cfg_seccomp && seccomp_install(err, sizeof(err)) == -1)
		fatalx("%s", err);
	for (unsigned i = 0; i < srv.srv_nworkers; i++)
		if (worker_start(&srv.srv_workers[i]) != 0)
			fatalx("cannot start worker %u", i);
	if (acme != NULL && acme_start(acme, &srv) == -1)
		fatalx("cannot start the ACME listener");
	atomic_store(&srv.srv_last_reload, (int64_t)time(NULL));
	if (metrics != NULL && metrics_start(metrics, &srv) == -1)
		fatalx("cannot start the metrics listener");
	serve_summary("started", snap, start);
	for (size_t j = 0; j < cfg->cfg_nlisten; j++)
		log_info("listening on %s", cfg->cfg_listen[j].la_text);
	serve_ready(ready_fd, null, cfg);
	notify_ready("serving %zu of %zu domains", snap->snap_nhosts,
	    snap->snap_ndomains);

	config_free(cfg);
	while (serve_wait(&srv, sfd, path, &timers))
		;
	notify_stopping();
	atomic_store(&srv.srv_stop, true);
	for (unsigned i = 0; i < srv.srv_nworkers; i++)
		worker_wake(&srv.srv_workers[i]);
	acme_stop(acme);
	metrics_stop(metrics);
	for (unsigned i = 0; i < srv.srv_nworkers; i++)
		pthread_join(srv.srv_workers[i].w_thread, NULL);
	for (unsigned i = 0; i < srv.srv_nworkers; i++)
		worker_cleanup(&srv.srv_workers[i]);
	free(srv.srv_workers);
	snapshot_unref(srv.srv_snap);
	http_cleanup();
	limit_table_free(srv.srv_addrs);
	wolfSSL_CTX_free(srv.srv_ctx);
	ticket_keys_wipe(&srv.srv_tickets);
	wolfSSL_Cleanup();
	watch_free(srv.srv_watch);
	watch_changes_clear(&timers.st_changes);
	fleet_free(srv.srv_fleet);
	certcache_free(srv.srv_certcache);	/* wipes the keys */
	served_policy_free_all(&srv.srv_policies);
	strvec_free(&srv.srv_start_listen);
	free(srv.srv_start_user);
	free(srv.srv_start_group);
	free(srv.srv_start_side);
	close(sfd);
	log_info("stopped");
	return 0;
}
