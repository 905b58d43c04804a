/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's shared state: the server, its workers, their connections,
 * and the limits every part of the daemon keeps, each with its reason.
 *
 * One event loop per core (a worker, worker.c) owns its listening sockets
 * (SO_REUSEPORT), its connections and a libmicrohttpd daemon without
 * threads or listening socket. A connection is relayed (relay.c) between
 * the client's TLS session (tls.c) and libmicrohttpd (http.c) through a
 * socketpair. Everything a request needs is in the snapshot in service
 * (snapshot.c), which reload.c replaces and server_snapshot() hands out.
 * Nothing on the request path takes a lock.
 *
 * This header, and server.c with it, calls nothing else of the daemon but
 * the snapshot's reference counts and the ticket keys. The modules include
 * it and each other's headers only downwards: worker.c uses relay.c and
 * http.c, which use neither the worker's functions nor each other's.
 */
#ifndef MTA_STS_SERVER_H
#define MTA_STS_SERVER_H

#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#include "../config/config.h"
#include "../config/strmap.h"
#include "../config/strvec.h"
#include "../config/clock.h"
#include "ticket.h"
#include "tls.h"

/*
 * Requests and responses here are a few hundred bytes; 4 KiB per direction
 * keeps a connection small. Larger TLS records are read in pieces. Each is
 * made when its direction carries data, and freed once it is passed on.
 */
#define CONN_BUF_SIZE		4096
/* Accepts per readiness event, so one listener cannot starve the rest. */
#define ACCEPT_BATCH		64
/* After EMFILE/ENFILE, stop accepting this long instead of spinning. */
#define ACCEPT_BACKOFF_MS	100
/* At shutdown, connections get this long to finish what they are doing. */
#define SHUTDOWN_GRACE_MS	5000
/* At shutdown, an idle keep-alive connection is closed after this long. */
#define SHUTDOWN_IDLE_MS	200
/* At shutdown, a handshake has this long to finish: a real client needs a
 * few round trips, and a stalled one must not hold the exit for the grace. */
#define SHUTDOWN_HANDSHAKE_MS	1000
/* libmicrohttpd's per-connection buffer of the side listeners (ACME,
 * metrics): bounds the request line and headers. */
#define HTTP_MEMORY_LIMIT	(16 * 1024)
/* A policy request: its request line and headers (414 or 431 beyond) ... */
#define HTTP_REQUEST_MAX	(16 * 1024)
/* ... and its header fields, query arguments and cookies (431 beyond;
 * Apache's LimitRequestFields default). */
#define HTTP_FIELDS_MAX		100
/* What libmicrohttpd 0.9.75 spends on the record of each field: 56 bytes
 * on 64-bit systems, in its 16-byte pool alignment. */
#define HTTP_FIELD_COST		64
/* How far its read buffer may have grown past a long header: it grows by
 * an eighth of what is free, at least 1 KiB, so by at most a sixteenth of
 * its memory. */
#define HTTP_READ_SLACK		2048
/* Room left for the header of the answer: a few hundred bytes. */
#define HTTP_ANSWER_ROOM	1024
/*
 * libmicrohttpd's per-connection memory for policy requests. It holds the
 * read buffer (half of it at first, more for a longer header), the fields'
 * records, and the answer's header, which gets only what is left: a
 * request that leaves too little is closed unanswered once the handler has
 * queued the answer (0.9.75). So the handler enforces the limits above,
 * and this is what a request within them needs.
 */
#define HTTP_POLICY_MEMORY	(HTTP_REQUEST_MAX + HTTP_READ_SLACK + \
				 HTTP_FIELDS_MAX * HTTP_FIELD_COST + \
				 HTTP_ANSWER_ROOM)

/* What the metrics count. Each worker writes only its own counters. */
enum stat_status {
	STAT_200,
	STAT_404,
	STAT_405,
	STAT_421,
	STAT_STATUS_OTHER,
	STAT_STATUS_COUNT,
};

enum stat_handshake_failure {
	STAT_HS_NO_SNI,
	STAT_HS_UNKNOWN_NAME,
	STAT_HS_PROTOCOL,	/* version or cipher suites */
	STAT_HS_TIMEOUT,
	STAT_HS_CLOSED,		/* the client went away */
	STAT_HS_OTHER,
	STAT_HS_COUNT,
};

struct worker_stats {
	_Atomic uint64_t	ws_requests[STAT_STATUS_COUNT];
	_Atomic uint64_t	ws_handshakes;
	_Atomic uint64_t	ws_handshake_failures[STAT_HS_COUNT];
	_Atomic uint64_t	ws_refused_per_address;
};

/* One writer per counter: a plain relaxed store, no locked instruction. */
static inline void
stat_inc(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) +
	    1, memory_order_relaxed);
}

struct MHD_Daemon;
struct certcache;
struct fleet;
struct limit_table;
struct snapshot;
struct server;
struct watcher;
struct worker;

enum ev_kind {
	EV_LISTENER,
	EV_TCP,
	EV_PAIR,
	EV_MHD,
	EV_WAKE,
};

struct ev_source {
	enum ev_kind	 es_kind;
	void		*es_ptr;
};

struct listener {
	struct ev_source	 l_ev;
	int			 l_fd;
	char			*l_text;	/* the configured address */
};

enum conn_state {
	CONN_HANDSHAKE,
	CONN_OPEN,
	CONN_LINGER,		/* answered and shut for writing; draining */
};

/*
 * Once the last answer is out and the client has not closed, what it still
 * sends (pipelined requests past max_requests_per_connection, say) is read
 * and dropped for this long before the close: closing a socket with unread
 * input makes the kernel send a reset, which can destroy the answers the
 * client has not read yet (RFC 9112 9.6, "tear-down").
 */
#define LINGER_MS		2000
/* ... and at most this much of it. */
#define LINGER_BYTES		(256 * 1024)

struct conn {
	struct ev_source	 c_ev_tcp;
	struct ev_source	 c_ev_pair;
	struct worker		*c_worker;
	struct conn		*c_prev;	/* in one of the worker's lists */
	struct conn		*c_next;
	enum conn_state		 c_state;
	int			 c_fd;		/* TCP, to the client */
	int			 c_pair;	/* our end of the socketpair */
	struct http_link	*c_link;	/* to libmicrohttpd's connection */
	WOLFSSL			*c_ssl;		/* from the client's first byte */
	struct tls_peer		 c_peer;	/* snapshot, host, address */
	struct sockaddr_storage	 c_addr;
	socklen_t		 c_addrlen;
	char			 c_addr_text[INET6_ADDRSTRLEN + 8];
	uint64_t		 c_deadline;	/* ms, monotonic */
	uint64_t		 c_req_start;	/* us, monotonic */
	uint64_t		 c_request_since;	/* ms: first byte of a
						 * request not yet answered */
	unsigned		 c_requests;
	/* The client sent a NUL byte: no request of this connection is
	 * answered but with a 400 (see relay_upstream). */
	bool			 c_nul_seen;
	bool			 c_tcp_in;	/* epoll: the client's socket readable */
	bool			 c_pair_in;	/* epoll: libmicrohttpd's side readable */
	bool			 c_tcp_wblocked;	/* a write to the client would block */
	bool			 c_pair_wblocked;	/* a write to libmicrohttpd would block */
	uint32_t		 c_tcp_mask;	/* what epoll is asked for */
	uint32_t		 c_pair_mask;
	bool			 c_client_eof;	/* close_notify or FIN seen */
	bool			 c_pair_shut;	/* told libmicrohttpd */
	bool			 c_mhd_eof;	/* libmicrohttpd closed */
	bool			 c_closed;	/* in w_closed, freed after the batch */
	/* libmicrohttpd answered a request in this turn (w_answered). */
	bool			 c_answered;
	struct conn		*c_answered_next;
	size_t			 c_lingered;	/* bytes dropped in CONN_LINGER */
	size_t			 c_up_off;	/* client -> libmicrohttpd */
	size_t			 c_up_len;
	size_t			 c_down_len;	/* libmicrohttpd -> client */
	unsigned char		*c_up;		/* CONN_BUF_SIZE, or NULL */
	unsigned char		*c_down;
};

/*
 * Ties a libmicrohttpd connection to the relay's connection, through
 * libmicrohttpd's socket context. Either side may end first: the relay
 * clears hl_conn, libmicrohttpd's close notification frees the link. Both
 * happen in the worker's thread.
 */
struct http_link {
	struct conn	*hl_conn;	/* NULL once the relay has closed */
};

struct conn_list {
	struct conn	*cl_head;
	struct conn	*cl_tail;
};

struct worker {
	unsigned		 w_id;
	pthread_t		 w_thread;
	struct server		*w_server;
	int			 w_epoll;
	int			 w_wake;	/* eventfd: stop or new snapshot */
	struct ev_source	 w_wake_ev;
	struct ev_source	 w_mhd_ev;
	struct MHD_Daemon	*w_mhd;
	struct http_link	*w_adding;	/* for the start notification */
	struct listener		*w_listeners;
	size_t			 w_nlisteners;
	struct snapshot		*w_snap;	/* for new connections */
	struct conn_list	 w_handshaking;	/* ordered by deadline */
	struct conn_list	 w_open;	/* ordered by deadline */
	struct conn_list	 w_lingering;	/* ordered by deadline */
	/* Closed during this epoll batch: later events of the same batch may
	 * still point at them, so they are freed once the batch is done. */
	struct conn_list	 w_closed;
	size_t			 w_nconns;
	bool			 w_fed_mhd;	/* libmicrohttpd has input */
	/* Connections whose answers MHD_run just wrote: relayed at once,
	 * not after another epoll_wait. */
	struct conn		*w_answered;
	uint64_t		 w_mhd_due;	/* ms: when it asked to run */
	bool			 w_stopping;
	uint64_t		 w_stop_deadline;
	struct worker_stats	 w_stats;
	struct ticket_keys	 w_tickets;	/* a copy, for its handshakes */
	unsigned long		 w_refused;	/* per-address refusals ... */
	uint64_t		 w_refused_logged;	/* ... since this */
	uint64_t		 w_request_scan;	/* ms: last request-deadline scan */
	bool			 w_accept_paused;
	uint64_t		 w_accept_resume;
};

struct server {
	WOLFSSL_CTX		*srv_ctx;
	const struct limits	*srv_limits;	/* srv_limits_copy */
	/* The first snapshot's limits, copied: that snapshot is freed once a
	 * reload has replaced it and its last connection is gone. */
	struct limits		 srv_limits_copy;
	/* What else was read once at start-up, to tell what needs a restart. */
	struct strvec		 srv_start_listen;
	char			*srv_start_user;
	char			*srv_start_group;
	unsigned		 srv_start_workers;
	bool			 srv_start_seccomp;
	char			*srv_start_side;	/* reload_side_settings() */
	atomic_uint		 srv_conns;
	struct limit_table	*srv_addrs;
	struct worker		*srv_workers;
	unsigned		 srv_nworkers;
	/* Guards srv_snap and srv_tickets, which the main thread replaces
	 * and the workers copy when woken: never taken per request. */
	pthread_mutex_t		 srv_lock;
	struct snapshot		*srv_snap;	/* the current snapshot */
	struct ticket_keys	 srv_tickets;
	atomic_bool		 srv_stop;
	struct watcher		*srv_watch;	/* main thread only */
	/* What the snapshot in service was made from, for the next reload:
	 * main thread only. */
	struct fleet		*srv_fleet;
	struct certcache	*srv_certcache;
	struct strmap		 srv_policies;	/* id -> struct served_policy */
	/* Written by the main thread only. */
	_Atomic uint64_t	 srv_reloads;
	_Atomic uint64_t	 srv_reload_failures;
	_Atomic int64_t		 srv_last_reload;	/* time of the last success */
};

/*
 * The snapshot in service, with a reference of the caller's own
 * (snapshot_unref when done): for the workers, the side listeners and
 * anything else outside a connection.
 */
struct snapshot	*server_snapshot(struct server *);
/*
 * Put `snap` in service, its reference passing to the server; returns the
 * snapshot it replaces, whose reference passes to the caller. Workers pick
 * the new one up when woken (worker_wake).
 */
struct snapshot	*server_publish(struct server *, struct snapshot *);
/* Copy the session ticket keys in service into `keys`. */
void		 server_tickets(struct server *, struct ticket_keys *keys);
/* Replace the sealing key (the current one stays to open tickets); -1 if
 * no randomness could be had. Workers take the new keys when woken. */
int		 server_rotate_tickets(struct server *, time_t now);
/* Put the keys of a key file in service (server.session_ticket_keys);
 * -1 and why in `err`, the keys in service kept, if it cannot be used. */
int		 server_load_tickets(struct server *, const char *path,
		    char *err, size_t errlen);

#endif
