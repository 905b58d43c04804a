/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "worker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/ecc.h>

#include "../config/xalloc.h"
#include "http.h"
#include "log.h"
#include "relay.h"
#include "snapshot.h"

/* Events taken per epoll_wait. */
#define WORKER_EVENTS		256
/* The loop wakes at least this often to run timers. */
#define WORKER_TICK_MS		1000
/* How often open connections are checked against request_timeout. */
#define WORKER_REQUEST_SCAN_MS	250

static int
worker_epoll_add(struct worker *w, int fd, uint32_t events,
    struct ev_source *ev)
{
	struct epoll_event e = { .events = events, .data.ptr = ev };

	return epoll_ctl(w->w_epoll, EPOLL_CTL_ADD, fd, &e);
}

static void
worker_listeners_arm(struct worker *w, bool on)
{
	for (size_t i = 0; i < w->w_nlisteners; i++) {
		struct listener *l = &w->w_listeners[i];

		if (l->l_fd == -1)
			continue;
		if (on)
			worker_epoll_add(w, l->l_fd, EPOLLIN, &l->l_ev);
		else
			epoll_ctl(w->w_epoll, EPOLL_CTL_DEL, l->l_fd, NULL);
	}
}

int
worker_init(struct worker *w, struct server *srv, unsigned id,
    const struct config *cfg)
{
	memset(w, 0, sizeof(*w));
	w->w_id = id;
	w->w_server = srv;
	w->w_epoll = epoll_create1(EPOLL_CLOEXEC);
	w->w_wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->w_epoll == -1 || w->w_wake == -1)
		return -1;
	w->w_wake_ev = (struct ev_source){ EV_WAKE, w };
	w->w_mhd_ev = (struct ev_source){ EV_MHD, w };
	if (worker_epoll_add(w, w->w_wake, EPOLLIN, &w->w_wake_ev) == -1)
		return -1;
	server_tickets(srv, &w->w_tickets);
	w->w_mhd = http_daemon_new(w, &cfg->cfg_limits);
	if (w->w_mhd == NULL) {
		log_warnx("cannot start the HTTP layer");
		return -1;
	}
	if (worker_epoll_add(w, MHD_get_daemon_info(w->w_mhd,
	    MHD_DAEMON_INFO_EPOLL_FD)->epoll_fd, EPOLLIN, &w->w_mhd_ev) == -1)
		return -1;
	return 0;
}

static void
worker_accept(struct worker *w, struct listener *l)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		struct sockaddr_storage	addr;
		socklen_t		len = sizeof(addr);
		int			fd;

		fd = accept4(l->l_fd, (struct sockaddr *)&addr, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/* Out of descriptors: pause rather than spin
				 * on a listener that stays readable. */
				log_warn("accept on %s", l->l_text);
				worker_listeners_arm(w, false);
				w->w_accept_paused = true;
				w->w_accept_resume = clock_ms() +
				    ACCEPT_BACKOFF_MS;
			}
			return;
		}
		relay_accepted(w, fd, &addr, len);
	}
}

/*
 * A request must be complete within request_timeout of its first byte: a
 * client trickling headers a byte at a time would otherwise keep its
 * connection (and its slot) for ever, since every byte is activity. The
 * scan runs every WORKER_REQUEST_SCAN_MS, so a request is closed within
 * that much of its deadline, and it costs little next to what the open
 * connections cost.
 */
static void
worker_expire_requests(struct worker *w, uint64_t now)
{
	uint64_t	 limit =
	    (uint64_t)w->w_server->srv_limits->lim_request_timeout * 1000;
	struct conn	*c, *next;

	if (now < w->w_request_scan + WORKER_REQUEST_SCAN_MS)
		return;
	w->w_request_scan = now;
	for (c = w->w_open.cl_head; c != NULL; c = next) {
		next = c->c_next;
		if (c->c_request_since != 0 && now >= c->c_request_since + limit) {
			log_info("%s: request not complete after %u s: closed",
			    c->c_addr_text,
			    w->w_server->srv_limits->lim_request_timeout);
			relay_close(c, NULL);
		}
	}
}

/* Close what has run out of time: both lists are ordered by deadline. */
static void
worker_expire(struct worker *w, uint64_t now)
{
	struct conn *c;

	worker_expire_requests(w, now);
	while ((c = w->w_handshaking.cl_head) != NULL && c->c_deadline <= now) {
		log_info("%s: handshake timed out", c->c_addr_text);
		stat_inc(&w->w_stats.ws_handshake_failures[STAT_HS_TIMEOUT]);
		relay_close(c, NULL);
	}
	while ((c = w->w_open.cl_head) != NULL && c->c_deadline <= now)
		relay_close(c, "idle");
	while ((c = w->w_lingering.cl_head) != NULL && c->c_deadline <= now)
		relay_close(c, "still sending after the last answer");
}

static int
worker_timeout(struct worker *w, uint64_t now)
{
	uint64_t		next = now + WORKER_TICK_MS;
	MHD_UNSIGNED_LONG_LONG	mhd;

	if (w->w_handshaking.cl_head != NULL &&
	    w->w_handshaking.cl_head->c_deadline < next)
		next = w->w_handshaking.cl_head->c_deadline;
	if (w->w_open.cl_head != NULL && w->w_open.cl_head->c_deadline < next)
		next = w->w_open.cl_head->c_deadline;
	if (w->w_lingering.cl_head != NULL &&
	    w->w_lingering.cl_head->c_deadline < next)
		next = w->w_lingering.cl_head->c_deadline;
	/* Open connections are checked against request_timeout. */
	if (w->w_open.cl_head != NULL &&
	    w->w_request_scan + WORKER_REQUEST_SCAN_MS < next)
		next = w->w_request_scan + WORKER_REQUEST_SCAN_MS;
	if (w->w_accept_paused && w->w_accept_resume < next)
		next = w->w_accept_resume;
	w->w_mhd_due = UINT64_MAX;
	if (MHD_get_timeout(w->w_mhd, &mhd) == MHD_YES) {
		w->w_mhd_due = now + mhd;
		if (w->w_mhd_due < next)
			next = w->w_mhd_due;
	}
	return next > now ? (int)(next - now) : 0;
}

/* Stop accepting; give open connections a short grace to finish. */
static void
worker_begin_stop(struct worker *w)
{
	uint64_t now = clock_ms();

	w->w_stopping = true;
	w->w_stop_deadline = now + SHUTDOWN_GRACE_MS;
	worker_listeners_arm(w, false);
	for (size_t i = 0; i < w->w_nlisteners; i++) {
		close(w->w_listeners[i].l_fd);
		w->w_listeners[i].l_fd = -1;
	}
	/* Idle keep-alive connections go soon; busy ones as they finish. */
	for (struct conn *c = w->w_open.cl_head; c != NULL; c = c->c_next)
		if (c->c_deadline > now + SHUTDOWN_IDLE_MS)
			c->c_deadline = now + SHUTDOWN_IDLE_MS;
	/* Capping every deadline at one value keeps the list ordered. */
	for (struct conn *c = w->w_handshaking.cl_head; c != NULL;
	    c = c->c_next)
		if (c->c_deadline > now + SHUTDOWN_HANDSHAKE_MS)
			c->c_deadline = now + SHUTDOWN_HANDSHAKE_MS;
}

static void
worker_wakeup(struct worker *w)
{
	struct server	*srv = w->w_server;
	struct snapshot	*snap;
	uint64_t	 v;

	while (read(w->w_wake, &v, sizeof(v)) > 0)
		;
	if (atomic_load(&srv->srv_stop) && !w->w_stopping)
		worker_begin_stop(w);
	/* A new snapshot or new ticket keys, maybe: new connections take
	 * them from here on. A handshake runs in this thread, never while
	 * its keys are replaced. */
	server_tickets(srv, &w->w_tickets);
	snap = server_snapshot(srv);
	snapshot_unref(w->w_snap);
	w->w_snap = snap;
}

void
worker_turn(struct worker *w, int timeout)
{
	struct epoll_event	events[WORKER_EVENTS];
	bool			run_mhd = false;
	int			n;

	n = epoll_wait(w->w_epoll, events, WORKER_EVENTS, timeout);
	if (n == -1 && errno != EINTR)
		fatal("epoll_wait");
	w->w_fed_mhd = false;
	for (int i = 0; i < n; i++) {
		struct ev_source *ev = events[i].data.ptr;

		switch (ev->es_kind) {
		case EV_LISTENER:
			if (!w->w_stopping)
				worker_accept(w, ev->es_ptr);
			break;
		case EV_TCP:
		case EV_PAIR:
			relay_event(ev->es_ptr, ev->es_kind, events[i].events);
			break;
		case EV_MHD:
			run_mhd = true;
			break;
		case EV_WAKE:
			worker_wakeup(w);
			break;
		}
	}
	/*
	 * Once per batch: every request relayed above is answered in one
	 * pass, and the replies are relayed on the next. Also whenever the
	 * time libmicrohttpd asked for has come, whatever else woke the loop:
	 * a connection it holds ready to go on (one just added, one with a
	 * pipelined request in its buffer) shows in its timeout, 0, and in no
	 * event of its descriptor, so a loop kept busy by other connections
	 * would otherwise leave it waiting.
	 */
	if (run_mhd || w->w_fed_mhd || n == 0 || clock_ms() >= w->w_mhd_due) {
		MHD_run(w->w_mhd);
		relay_answers(w);
	}
	worker_expire(w, clock_ms());
	relay_free_closed(w);
}

void
worker_close_all(struct worker *w, const char *why)
{
	while (w->w_handshaking.cl_head != NULL)
		relay_close(w->w_handshaking.cl_head, why);
	while (w->w_open.cl_head != NULL)
		relay_close(w->w_open.cl_head, why);
	while (w->w_lingering.cl_head != NULL)
		relay_close(w->w_lingering.cl_head, why);
	relay_free_closed(w);
}

static void *
worker_main(void *arg)
{
	struct worker *w = arg;

	for (;;) {
		uint64_t now = clock_ms();

		if (w->w_stopping && (w->w_nconns == 0 ||
		    now >= w->w_stop_deadline))
			break;
		if (w->w_accept_paused && now >= w->w_accept_resume &&
		    !w->w_stopping) {
			w->w_accept_paused = false;
			worker_listeners_arm(w, true);
		}
		worker_turn(w, worker_timeout(w, now));
	}
	/* Whatever is left past the grace period is cut. */
	worker_close_all(w, "shutting down");
#ifdef FP_ECC
	/* wolfSSL's fixed-point ECC cache is per thread; wolfSSL_Cleanup()
	 * frees only the main thread's. */
	wc_ecc_fp_free();
#endif
	return NULL;
}

int
worker_start(struct worker *w)
{
	worker_listeners_arm(w, true);
	return pthread_create(&w->w_thread, NULL, worker_main, w);
}

void
worker_wake(struct worker *w)
{
	uint64_t one = 1;

	if (write(w->w_wake, &one, sizeof(one)) == -1 && errno != EAGAIN)
		log_warn("waking worker %u", w->w_id);
}

void
worker_cleanup(struct worker *w)
{
	if (w->w_mhd != NULL)
		MHD_stop_daemon(w->w_mhd);
	for (size_t i = 0; i < w->w_nlisteners; i++) {
		if (w->w_listeners[i].l_fd != -1)
			close(w->w_listeners[i].l_fd);
		free(w->w_listeners[i].l_text);
	}
	free(w->w_listeners);
	snapshot_unref(w->w_snap);
	ticket_keys_wipe(&w->w_tickets);
	if (w->w_wake != -1)
		close(w->w_wake);
	if (w->w_epoll != -1)
		close(w->w_epoll);
}
