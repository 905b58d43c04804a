/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The relay between a client's TLS connection and libmicrohttpd, which
 * speaks TLS only through GnuTLS. After the handshake the plaintext goes
 * through a socketpair: libmicrohttpd gets one end as if it were the client's
 * socket (with the client's real address), the relay keeps the other.
 *
 * Each direction holds at most one buffer; while it is full the relay stops
 * reading that direction's source, so a slow reader holds back its writer
 * (backpressure) instead of growing memory.
 *
 * Events are level-triggered and a side is read only when epoll says it is
 * readable (or wolfSSL holds bytes it already took from the socket), once:
 * if more is waiting, the next epoll_wait says so. That costs no system call
 * per request beyond the reads and writes that move data, where draining
 * each socket until EAGAIN would cost several. EPOLLOUT is asked for only
 * while a write is blocked.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <microhttpd.h>

#include "../config/xalloc.h"
#include "limit.h"
#include "log.h"
#include "relay.h"
#include "snapshot.h"

static void
relay_list_remove(struct conn_list *l, struct conn *c)
{
	if (c->c_prev != NULL)
		c->c_prev->c_next = c->c_next;
	else
		l->cl_head = c->c_next;
	if (c->c_next != NULL)
		c->c_next->c_prev = c->c_prev;
	else
		l->cl_tail = c->c_prev;
	c->c_prev = c->c_next = NULL;
}

static void
relay_list_append(struct conn_list *l, struct conn *c)
{
	c->c_next = NULL;
	c->c_prev = l->cl_tail;
	if (l->cl_tail != NULL)
		l->cl_tail->c_next = c;
	else
		l->cl_head = c;
	l->cl_tail = c;
}

/*
 * Every connection in a list has the same timeout, so appending at the tail
 * keeps the list ordered by deadline: expiry looks only at the head.
 */
static void
relay_touch(struct conn *c)
{
	struct worker	*w = c->c_worker;
	uint64_t	 idle = w->w_stopping ? SHUTDOWN_IDLE_MS :
	    (uint64_t)w->w_server->srv_limits->lim_idle_timeout * 1000;

	if (c->c_state != CONN_OPEN)
		return;
	c->c_deadline = clock_ms() + idle;
	if (w->w_open.cl_tail != c) {
		relay_list_remove(&w->w_open, c);
		relay_list_append(&w->w_open, c);
	}
}

static void
relay_format_addr(struct conn *c)
{
	char host[INET6_ADDRSTRLEN];

	if (c->c_addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (void *)&c->c_addr;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(c->c_addr_text, sizeof(c->c_addr_text), "[%s]:%u",
		    host, ntohs(sin6->sin6_port));
	} else {
		const struct sockaddr_in *sin = (void *)&c->c_addr;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(c->c_addr_text, sizeof(c->c_addr_text), "%s:%u",
		    host, ntohs(sin->sin_port));
	}
}

static int
relay_epoll_add(struct worker *w, int fd, struct ev_source *ev)
{
	struct epoll_event e = { .events = EPOLLIN, .data.ptr = ev };

	return epoll_ctl(w->w_epoll, EPOLL_CTL_ADD, fd, &e);
}

/* Ask epoll for what each side can do next; a system call only on change. */
static void
relay_interest(struct conn *c)
{
	struct worker	*w = c->c_worker;
	uint32_t	 tcp = 0, pair = 0;

	if (c->c_state == CONN_HANDSHAKE ||
	    (c->c_up_len == 0 && !c->c_client_eof))
		tcp |= EPOLLIN;
	if (c->c_tcp_wblocked)
		tcp |= EPOLLOUT;
	if (tcp != c->c_tcp_mask) {
		struct epoll_event e = { .events = tcp, .data.ptr = &c->c_ev_tcp };

		epoll_ctl(w->w_epoll, EPOLL_CTL_MOD, c->c_fd, &e);
		c->c_tcp_mask = tcp;
	}
	if (c->c_pair == -1 || c->c_mhd_eof)
		return;
	if (c->c_down_len == 0)
		pair |= EPOLLIN;
	if (c->c_pair_wblocked)
		pair |= EPOLLOUT;
	if (pair != c->c_pair_mask) {
		struct epoll_event e = { .events = pair,
		    .data.ptr = &c->c_ev_pair };

		epoll_ctl(w->w_epoll, EPOLL_CTL_MOD, c->c_pair, &e);
		c->c_pair_mask = pair;
	}
}

/* At most one line a second per worker: a flood must not flood the log. */
static void
relay_refused(struct worker *w, const struct sockaddr_storage *addr,
    socklen_t addrlen)
{
	struct conn	probe;
	uint64_t	now = clock_ms();

	w->w_refused++;
	stat_inc(&w->w_stats.ws_refused_per_address);
	if (now < w->w_refused_logged + 1000)
		return;
	memset(&probe, 0, sizeof(probe));
	probe.c_addr = *addr;
	probe.c_addrlen = addrlen;
	relay_format_addr(&probe);
	log_info("%s: connection refused: max_connections_per_address (%u) "
	    "reached (%lu refused since the last such line)", probe.c_addr_text,
	    w->w_server->srv_limits->lim_max_connections_per_address,
	    (unsigned long)w->w_refused);
	w->w_refused = 0;
	w->w_refused_logged = now;
}

struct conn *
relay_new(struct worker *w, int fd, const struct sockaddr_storage *addr,
    socklen_t addrlen)
{
	struct server	*srv = w->w_server;
	struct conn	*c;

	if (atomic_fetch_add(&srv->srv_conns, 1) >=
	    srv->srv_limits->lim_max_connections) {
		atomic_fetch_sub(&srv->srv_conns, 1);
		log_debug("connection refused: max_connections (%u) reached",
		    srv->srv_limits->lim_max_connections);
		close(fd);
		return NULL;
	}
	if (!limit_acquire(srv->srv_addrs, (const struct sockaddr *)addr)) {
		atomic_fetch_sub(&srv->srv_conns, 1);
		relay_refused(w, addr, addrlen);
		close(fd);
		return NULL;
	}
	c = xcalloc(1, sizeof(*c));
	c->c_worker = w;
	c->c_state = CONN_HANDSHAKE;
	c->c_fd = fd;
	c->c_pair = -1;
	c->c_addr = *addr;
	c->c_addrlen = addrlen;
	relay_format_addr(c);
	c->c_ev_tcp = (struct ev_source){ EV_TCP, c };
	c->c_ev_pair = (struct ev_source){ EV_PAIR, c };
	c->c_peer.tp_snap = snapshot_ref(w->w_snap);
	c->c_peer.tp_addr = c->c_addr_text;
	c->c_peer.tp_fd = fd;
	c->c_peer.tp_tickets = &w->w_tickets;
	c->c_deadline = clock_ms() +
	    (uint64_t)srv->srv_limits->lim_handshake_timeout * 1000;
	relay_list_append(&w->w_handshaking, c);
	w->w_nconns++;
	return c;
}

/* The TLS session comes with the client's first bytes (relay_session). */
void
relay_accepted(struct worker *w, int fd, const struct sockaddr_storage *addr,
    socklen_t addrlen)
{
	struct conn *c = relay_new(w, fd, addr, addrlen);

	if (c == NULL)
		return;
	if (relay_epoll_add(w, fd, &c->c_ev_tcp) == -1) {
		relay_close(c, "out of resources");
		return;
	}
	c->c_tcp_mask = EPOLLIN;
	/* The ClientHello is often already here. */
	relay_event(c, EV_TCP, EPOLLIN);
}

/* The worker's list a connection is in, by its state. */
static struct conn_list *
relay_list_of(struct conn *c)
{
	struct worker *w = c->c_worker;

	switch (c->c_state) {
	case CONN_HANDSHAKE:
		return &w->w_handshaking;
	case CONN_LINGER:
		return &w->w_lingering;
	case CONN_OPEN:
		break;
	}
	return &w->w_open;
}

void
relay_close(struct conn *c, const char *why)
{
	struct worker	*w = c->c_worker;
	struct server	*srv = w->w_server;

	if (c->c_closed)
		return;
	if (why != NULL)
		log_debug("%s: closed: %s", c->c_addr_text, why);
	relay_list_remove(relay_list_of(c), c);
	/* libmicrohttpd's connection may outlive this one by a little. */
	if (c->c_link != NULL)
		c->c_link->hl_conn = NULL;
	if (c->c_pair != -1)
		close(c->c_pair);	/* libmicrohttpd sees EOF and lets go */
	if (c->c_ssl != NULL)
		wolfSSL_free(c->c_ssl);
	close(c->c_fd);
	limit_release(srv->srv_addrs, (struct sockaddr *)&c->c_addr);
	atomic_fetch_sub(&srv->srv_conns, 1);
	snapshot_unref(c->c_peer.tp_snap);
	w->w_nconns--;
	/* Another event of this epoll batch may still name it. */
	c->c_closed = true;
	relay_list_append(&w->w_closed, c);
}

void
relay_free_closed(struct worker *w)
{
	struct conn *c;

	while ((c = w->w_closed.cl_head) != NULL) {
		relay_list_remove(&w->w_closed, c);
		tls_peer_free(&c->c_peer);
		free(c->c_up);
		free(c->c_down);
		free(c);
	}
}

/*
 * The handshake is done: the connection waits for its first request,
 * under the idle deadline.
 */
static void
relay_opened(struct conn *c)
{
	struct worker *w = c->c_worker;

	relay_list_remove(&w->w_handshaking, c);
	c->c_state = CONN_OPEN;
	relay_list_append(&w->w_open, c);
	relay_touch(c);
}

/*
 * Give the decrypted stream to libmicrohttpd, through a new socketpair:
 * done at the first request byte, not after the handshake, so that a
 * connection that sends nothing costs neither libmicrohttpd's memory for
 * it nor two more descriptors.
 */
static bool
relay_attach_http(struct conn *c)
{
	struct worker		*w = c->c_worker;
	struct http_link	*link;
	struct sockaddr_un	 unix_peer = { .sun_family = AF_UNIX };
	int			 pair[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    pair) == -1) {
		log_warn("%s: socketpair", c->c_addr_text);
		return false;
	}
	c->c_pair = pair[0];
	/* libmicrohttpd's start notification, run inside MHD_add_connection,
	 * takes the link from w_adding into the connection's context. */
	link = xcalloc(1, sizeof(*link));
	link->hl_conn = c;
	w->w_adding = link;
	/*
	 * The socket libmicrohttpd gets is AF_UNIX. libmicrohttpd 0.9.75
	 * still tries TCP_NODELAY and TCP_CORK on it after every response
	 * (two system calls that fail with EOPNOTSUPP, which it does not take
	 * for "not TCP"); http_log drops what it says of them unformatted.
	 * The client's address is the relay's to log (c_addr_text).
	 */
	if (MHD_add_connection(w->w_mhd, pair[1], (struct sockaddr *)&unix_peer,
	    sizeof(unix_peer)) != MHD_YES) {
		/* libmicrohttpd closed pair[1]; if it took the link, its close
		 * notification frees it. */
		if (w->w_adding == link)
			free(link);
		else
			link->hl_conn = NULL;
		w->w_adding = NULL;
		log_warnx("%s: the HTTP layer refused the connection",
		    c->c_addr_text);
		return false;
	}
	if (w->w_adding == link) {
		/* No start notification: nothing can find this connection. */
		w->w_adding = NULL;
		free(link);
		log_warnx("%s: the HTTP layer did not announce the connection",
		    c->c_addr_text);
		return false;
	}
	c->c_link = link;
	if (relay_epoll_add(w, c->c_pair, &c->c_ev_pair) == -1) {
		log_warn("%s: epoll_ctl", c->c_addr_text);
		return false;
	}
	c->c_pair_mask = EPOLLIN;
	return true;
}

bool
relay_open_http(struct conn *c)
{
	relay_opened(c);
	return relay_attach_http(c);
}

/* Count a failed handshake and close. A port probe or a client giving up
 * is not worth a line but at debug. */
static void
relay_handshake_failed(struct conn *c, enum stat_handshake_failure why)
{
	if (why == STAT_HS_CLOSED)
		log_debug("%s: closed during the handshake", c->c_addr_text);
	stat_inc(&c->c_worker->w_stats.ws_handshake_failures[why]);
	relay_close(c, NULL);
}

/*
 * The TLS session is made when the client's first bytes are in, not at
 * accept: it is some 55 KiB of wolfSSL's, which a connection that sends
 * nothing (a port scan, a flood of idle connections) then never costs.
 * Returns 1 once it is made, 0 while nothing has come, -1 once the
 * connection is gone.
 */
static int
relay_session(struct conn *c)
{
	ssize_t n = tls_read_ahead(&c->c_peer);

	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return 0;
	if (n <= 0) {
		relay_handshake_failed(c, STAT_HS_CLOSED);
		return -1;
	}
	c->c_ssl = tls_session_new(c->c_worker->w_server->srv_ctx, c->c_fd,
	    &c->c_peer);
	if (c->c_ssl == NULL) {
		relay_close(c, "out of resources");
		return -1;
	}
	return 1;
}

/* Returns false once the connection is gone. */
static bool
relay_handshake(struct conn *c)
{
	enum stat_handshake_failure	why;
	char				err[WOLFSSL_MAX_ERROR_SZ];
	int				ret, code;

	if (c->c_ssl == NULL && (ret = relay_session(c)) != 1)
		return ret == 0;
	ret = wolfSSL_accept(c->c_ssl);
	if (ret == WOLFSSL_SUCCESS) {
		stat_inc(&c->c_worker->w_stats.ws_handshakes);
		tls_peer_handshaken(&c->c_peer);
		tls_session_handshaken(c->c_ssl);
		tls_peer_shrink(&c->c_peer);
		log_debug("%s: %s %s for %s", c->c_addr_text,
		    wolfSSL_get_version(c->c_ssl),
		    wolfSSL_get_cipher_name(c->c_ssl),
		    c->c_peer.tp_host->h_name);
		relay_opened(c);
		/* The handshake took what epoll announced. What it read ahead
		 * shows in tls_buffered(), what the socket still holds in the
		 * next epoll_wait; until then no buffer is needed. */
		c->c_tcp_in = false;
		return true;
	}
	code = wolfSSL_get_error(c->c_ssl, ret);
	if (code == WOLFSSL_ERROR_WANT_READ || code == WOLFSSL_ERROR_WANT_WRITE) {
		c->c_tcp_wblocked = code == WOLFSSL_ERROR_WANT_WRITE;
		relay_interest(c);
		return true;
	}
	switch (c->c_peer.tp_refusal) {
	case TLS_REFUSED_NO_SNI:
		log_info("%s: handshake refused: no server name (SNI)",
		    c->c_addr_text);
		why = STAT_HS_NO_SNI;
		break;
	case TLS_REFUSED_UNKNOWN_NAME:
		why = STAT_HS_UNKNOWN_NAME;	/* logged with the name */
		break;
	default:
		if (code == SOCKET_PEER_CLOSED_E || code == SOCKET_ERROR_E)
			why = STAT_HS_CLOSED;
		else {
			log_info("%s: handshake failed: %s", c->c_addr_text,
			    tls_error_string(c->c_ssl, ret, err, sizeof(err)));
			why = code == VERSION_ERROR || code == MATCH_SUITE_ERROR ?
			    STAT_HS_PROTOCOL : STAT_HS_OTHER;
		}
	}
	relay_handshake_failed(c, why);
	return false;
}

/* Client to libmicrohttpd; returns false once the connection is gone. */
static bool
relay_upstream(struct conn *c, bool *progress)
{
	char	err[WOLFSSL_MAX_ERROR_SZ];
	ssize_t	n;
	int	r, code;

	if (c->c_up_len == 0 && !c->c_client_eof &&
	    (c->c_tcp_in || tls_buffered(c->c_ssl, &c->c_peer))) {
		c->c_tcp_in = false;
		if (c->c_up == NULL)
			c->c_up = xmalloc(CONN_BUF_SIZE);
		r = wolfSSL_read(c->c_ssl, c->c_up, CONN_BUF_SIZE);
		if (r > 0) {
			c->c_up_off = 0;
			c->c_up_len = (size_t)r;
			/*
			 * libmicrohttpd hands the handler the request line
			 * and the fields as C strings, cut at a NUL byte: a
			 * target "/.well-known/mta-sts.txt\0.html" or a Host
			 * "name\0other" would look like another. A NUL has no
			 * place in a request's head (RFC 9110 5.5, RFC 9112
			 * 3.2), and a policy request has no body.
			 */
			if (memchr(c->c_up, '\0', (size_t)r) != NULL)
				c->c_nul_seen = true;
			if (c->c_request_since == 0)
				c->c_request_since = clock_ms();
			*progress = true;
		} else {
			code = wolfSSL_get_error(c->c_ssl, r);
			if (code == WOLFSSL_ERROR_WANT_WRITE)
				c->c_tcp_wblocked = true;
			else if (code == WOLFSSL_ERROR_ZERO_RETURN ||
			    code == SOCKET_PEER_CLOSED_E ||
			    code == SOCKET_ERROR_E || r == 0) {
				c->c_client_eof = true;
				*progress = true;
			} else if (code != WOLFSSL_ERROR_WANT_READ) {
				log_info("%s: TLS error: %s", c->c_addr_text,
				    tls_error_string(c->c_ssl, r, err,
				    sizeof(err)));
				relay_close(c, NULL);
				return false;
			}
		}
	}
	if (c->c_up_len > 0 && c->c_pair == -1 && !relay_attach_http(c)) {
		relay_close(c, "cannot start HTTP");
		return false;
	}
	if (c->c_up_len > 0 && !c->c_pair_wblocked) {
		n = send(c->c_pair, c->c_up + c->c_up_off, c->c_up_len,
		    MSG_NOSIGNAL);
		if (n > 0) {
			c->c_up_off += (size_t)n;
			c->c_up_len -= (size_t)n;
			c->c_worker->w_fed_mhd = true;
			*progress = true;
		} else if (errno == EAGAIN)
			c->c_pair_wblocked = true;
		else if (errno != EINTR) {
			relay_close(c, "the HTTP side went away");
			return false;
		}
	}
	/* The client is done before its first request: nothing to answer. */
	if (c->c_client_eof && c->c_up_len == 0 && c->c_pair == -1) {
		relay_close(c, NULL);
		return false;
	}
	/* Half-close: the client is done sending, libmicrohttpd may still
	 * answer what it has. */
	if (c->c_client_eof && c->c_up_len == 0 && !c->c_pair_shut) {
		shutdown(c->c_pair, SHUT_WR);
		c->c_pair_shut = true;
		c->c_worker->w_fed_mhd = true;
	}
	return true;
}

/* libmicrohttpd to client; returns false once the connection is gone. */
static bool
relay_downstream(struct conn *c, bool *progress)
{
	ssize_t	n;
	int	r, code;

	if (c->c_down_len == 0 && !c->c_mhd_eof && c->c_pair_in) {
		c->c_pair_in = false;
		if (c->c_down == NULL)
			c->c_down = xmalloc(CONN_BUF_SIZE);
		n = recv(c->c_pair, c->c_down, CONN_BUF_SIZE, 0);
		if (n > 0) {
			c->c_down_len = (size_t)n;
			c->c_request_since = 0;		/* answered */
			*progress = true;
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			c->c_mhd_eof = true;
			/* Its hang-up would be reported on every wait. */
			epoll_ctl(c->c_worker->w_epoll, EPOLL_CTL_DEL,
			    c->c_pair, NULL);
			*progress = true;
		}
	}
	if (c->c_down_len > 0 && !c->c_tcp_wblocked) {
		/* A write that would block must be repeated with the same
		 * buffer: it stays until it is accepted. */
		r = wolfSSL_write(c->c_ssl, c->c_down, (int)c->c_down_len);
		if (r > 0) {
			c->c_down_len = 0;
			*progress = true;
		} else {
			code = wolfSSL_get_error(c->c_ssl, r);
			if (code == WOLFSSL_ERROR_WANT_WRITE)
				c->c_tcp_wblocked = true;
			else if (code != WOLFSSL_ERROR_WANT_READ) {
				relay_close(c, "write to the client failed");
				return false;
			}
		}
	}
	return true;
}

/* Read and drop what a lingering client sends; close at its end. */
static void
relay_drain(struct conn *c)
{
	char buf[CONN_BUF_SIZE];

	for (;;) {
		ssize_t n = recv(c->c_fd, buf, sizeof(buf), 0);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		if (n <= 0) {
			relay_close(c, NULL);
			return;
		}
		c->c_lingered += (size_t)n;
		if (c->c_lingered > LINGER_BYTES) {
			relay_close(c, "too much input after the last answer");
			return;
		}
	}
}

/*
 * The answers are out: send close_notify and FIN, let go of TLS and of
 * libmicrohttpd, and read what the client still sends until it closes or
 * LINGER_MS has passed.
 */
static void
relay_linger(struct conn *c)
{
	struct worker		*w = c->c_worker;
	struct epoll_event	 e = { .events = EPOLLIN,
	    .data.ptr = &c->c_ev_tcp };

	wolfSSL_shutdown(c->c_ssl);
	shutdown(c->c_fd, SHUT_WR);
	wolfSSL_free(c->c_ssl);
	c->c_ssl = NULL;
	if (c->c_link != NULL) {
		c->c_link->hl_conn = NULL;
		c->c_link = NULL;
	}
	if (c->c_pair != -1)
		close(c->c_pair);
	c->c_pair = -1;
	relay_list_remove(&w->w_open, c);
	c->c_state = CONN_LINGER;
	c->c_deadline = clock_ms() + LINGER_MS;
	relay_list_append(&w->w_lingering, c);
	epoll_ctl(w->w_epoll, EPOLL_CTL_MOD, c->c_fd, &e);
	c->c_tcp_mask = EPOLLIN;
	relay_drain(c);
}

/*
 * Between requests a connection holds no buffer: what a direction has
 * passed on is freed, made again when it next carries data (a malloc and
 * a free of 4 KiB per request and direction, against 12 KiB per idle
 * connection).
 */
static void
relay_shrink(struct conn *c)
{
	if (c->c_up_len == 0) {
		free(c->c_up);
		c->c_up = NULL;
	}
	if (c->c_down_len == 0) {
		free(c->c_down);
		c->c_down = NULL;
	}
	tls_peer_shrink(&c->c_peer);
}

/* Move data both ways until nothing moves; false once the connection is
 * gone. */
static bool
relay_relay(struct conn *c)
{
	bool progress, active = false;

	do {
		progress = false;
		if (!relay_upstream(c, &progress) ||
		    !relay_downstream(c, &progress))
			return false;
		active |= progress;
	} while (progress);

	if (c->c_mhd_eof && c->c_down_len == 0) {
		/* libmicrohttpd is done: say so to the client and close,
		 * at once if it has closed too. */
		if (c->c_client_eof)
			relay_close(c, NULL);
		else
			relay_linger(c);
		return false;
	}
	relay_interest(c);
	if (active)
		relay_touch(c);
	relay_shrink(c);
	return true;
}

void
relay_answered(struct conn *c)
{
	struct worker *w = c->c_worker;

	if (c->c_answered)
		return;
	c->c_answered = true;
	c->c_answered_next = w->w_answered;
	w->w_answered = c;
}

/*
 * libmicrohttpd writes an answer in the MHD_run that took its request: it
 * is in the socketpair now. Reading it here, as epoll would report it on
 * the next wait, saves that wait and its event on every request. What is
 * not written yet (EAGAIN) is left to epoll as before. Run before
 * relay_free_closed(): a connection closed meanwhile is still there.
 */
void
relay_answers(struct worker *w)
{
	struct conn *c;

	while ((c = w->w_answered) != NULL) {
		w->w_answered = c->c_answered_next;
		c->c_answered_next = NULL;
		c->c_answered = false;
		relay_event(c, EV_PAIR, EPOLLIN);
	}
}

void
relay_event(struct conn *c, enum ev_kind kind, uint32_t events)
{
	bool gone = (events & (EPOLLHUP | EPOLLERR)) != 0;

	if (c->c_closed)
		return;		/* earlier in this batch */
	if (c->c_state == CONN_LINGER) {
		relay_drain(c);
		return;
	}
	if (kind == EV_TCP) {
		/* A hang-up after the client's end of stream: it can take no
		 * answer any more, and epoll would repeat it on every wait. */
		if (gone && c->c_client_eof) {
			relay_close(c, "the client went away");
			return;
		}
		if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
			c->c_tcp_in = true;
			c->c_peer.tp_drained = false;
		}
		if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) {
			c->c_tcp_wblocked = false;
			/* wolfSSL_read may have been waiting to write. */
			c->c_tcp_in = true;
		}
	} else {
		if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
			c->c_pair_in = true;
		if (events & (EPOLLOUT | EPOLLHUP | EPOLLERR))
			c->c_pair_wblocked = false;
	}
	/* A request often arrives with the handshake's last flight: no
	 * further event would announce it, so relay at once. */
	if (c->c_state == CONN_HANDSHAKE &&
	    (!relay_handshake(c) || c->c_state != CONN_OPEN))
		return;
	relay_relay(c);
}
