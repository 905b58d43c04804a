/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The HTTP side: libmicrohttpd answers only GET and HEAD of
 * /.well-known/mta-sts.txt, for the name the TLS handshake selected.
 * Responses are built once (per policy in the snapshot, and the error
 * responses here), so a request allocates nothing of its own.
 */
#include "http.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <microhttpd.h>

#include "server.h"
#include "log.h"
#include "relay.h"
#include "snapshot.h"

#define POLICY_PATH	"/.well-known/mta-sts.txt"

static const char http_not_found_text[] =
    "Not found: only " POLICY_PATH " is served here.\n";
static const char http_not_allowed_text[] = "Method not allowed.\n";
static const char http_misdirected_text[] = "Misdirected request: the Host "
    "header does not name the TLS server name.\n";

static const char http_bad_length_text[] = "Bad request: the message length "
    "is ambiguous (Content-Length twice, or with Transfer-Encoding).\n";
static const char http_no_host_text[] = "Bad request: an HTTP/1.1 request "
    "must have a Host header.\n";
static const char http_too_large_text[] = "Request header fields too large.\n";
static const char http_uri_too_long_text[] = "URI too long.\n";
static const char http_nul_text[] = "Bad request: a NUL byte in the "
    "request.\n";

/* The kinds of field libmicrohttpd keeps a record of before the body
 * (trailer fields come after it: see http_screen). */
#define HTTP_FIELD_KINDS	(MHD_HEADER_KIND | MHD_COOKIE_KIND | \
				 MHD_GET_ARGUMENT_KIND)

static struct MHD_Response *http_bad_length;
static struct MHD_Response *http_no_host;
static struct MHD_Response *http_too_large;
static struct MHD_Response *http_uri_too_long;
static struct MHD_Response *http_nul;
static struct MHD_Response *http_not_found;
static struct MHD_Response *http_not_allowed;
static struct MHD_Response *http_misdirected;

/* Marks the first call of the handler for a request (see below). */
static int http_request_seen;

/* A fixed response; `allow` for 405s, `close` for requests that end the
 * connection. */
static struct MHD_Response *
http_static(const char *text, const char *allow, bool close)
{
	struct MHD_Response *r;

	r = MHD_create_response_from_buffer(strlen(text), (void *)text,
	    MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		fatalx("cannot create a response");
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	if (allow != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	if (close)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	return r;
}

void
http_init(void)
{
	http_not_found = http_static(http_not_found_text, NULL, false);
	http_not_allowed = http_static(http_not_allowed_text, "GET, HEAD",
	    false);
	http_misdirected = http_static(http_misdirected_text, NULL, false);
	http_bad_length = http_static(http_bad_length_text, NULL, true);
	http_no_host = http_static(http_no_host_text, NULL, true);
	http_too_large = http_static(http_too_large_text, NULL, true);
	http_uri_too_long = http_static(http_uri_too_long_text, NULL, true);
	http_nul = http_static(http_nul_text, NULL, true);
}

void
http_cleanup(void)
{
	MHD_destroy_response(http_not_found);
	MHD_destroy_response(http_not_allowed);
	MHD_destroy_response(http_misdirected);
	MHD_destroy_response(http_bad_length);
	MHD_destroy_response(http_no_host);
	MHD_destroy_response(http_too_large);
	MHD_destroy_response(http_uri_too_long);
	MHD_destroy_response(http_nul);
}

/*
 * libmicrohttpd decodes %XX in the target before the handler sees it: %00
 * would end the path early ("/.well-known/mta-sts.txt%00.html"), and
 * "/.well-known%2fmta-sts.txt" would be served as the policy. The policy's
 * URL has nothing to escape (RFC 8461 3.3), so the target is taken as
 * sent, and any escaped form of it is another path: a 404.
 */
size_t
http_unescape_none(void *cls, struct MHD_Connection *mc, char *s)
{
	(void)cls;
	(void)mc;
	return strlen(s);
}

struct http_lengths {
	unsigned	len_content_length;
	bool		len_transfer_encoding;
};

static enum MHD_Result
http_count_lengths(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct http_lengths *len = cls;

	(void)kind;
	(void)value;
	if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
		len->len_content_length++;
	else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
		len->len_transfer_encoding = true;
	return MHD_YES;
}

/*
 * Two Content-Length headers, or one with Transfer-Encoding: where the
 * request ends is ambiguous, the shape of request smuggling. RFC 9112 6.1
 * and 6.3: answer 400 and close (libmicrohttpd takes the first length).
 */
static bool
http_length_ambiguous(struct MHD_Connection *mc)
{
	struct http_lengths len = { 0, false };

	MHD_get_connection_values(mc, MHD_HEADER_KIND, http_count_lengths, &len);
	return len.len_content_length > 1 ||
	    (len.len_content_length > 0 && len.len_transfer_encoding);
}

/*
 * RFC 9112 3.2: a server must answer 400 to an HTTP/1.1 request without a
 * Host header. libmicrohttpd passes only HTTP/1.0 and HTTP/1.x on, and
 * requires Host of the latter itself only in its strict mode, whose answer
 * 0.9.75 sends with its header block twice (see http_daemon_new).
 */
static bool
http_host_missing(struct MHD_Connection *mc, const char *version)
{
	return strcmp(version, MHD_HTTP_VERSION_1_0) != 0 &&
	    MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_HOST) == NULL;
}

enum http_size {
	HTTP_SIZE_OK,
	HTTP_SIZE_URI_TOO_LONG,
	HTTP_SIZE_TOO_LARGE,
	HTTP_SIZE_NO_ROOM,	/* far over the limits: no room to answer */
};

/*
 * The most libmicrohttpd's read buffer can take once a header of this size
 * is in (see HTTP_POLICY_MEMORY): it claims half its memory at once, and
 * grows only for a longer header. Records of fields take the rest, and
 * shrink the read buffer only when they need to, so the answer gets no
 * more than what both leave.
 */
static size_t
http_read_buffer_max(size_t header)
{
	size_t grown = header + HTTP_READ_SLACK;

	return grown > HTTP_POLICY_MEMORY / 2 ? grown : HTTP_POLICY_MEMORY / 2;
}

/* Is the request within HTTP_REQUEST_MAX and HTTP_FIELDS_MAX, and is there
 * room to say if not? */
static enum http_size
http_request_size(struct MHD_Connection *mc, const char *method,
    const char *url, const char *version)
{
	const union MHD_ConnectionInfo	*ci;
	size_t				 header, fields;

	ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	header = ci != NULL ? ci->header_size : 0;
	fields = (size_t)MHD_get_connection_values(mc, HTTP_FIELD_KINDS, NULL,
	    NULL);
	if (http_read_buffer_max(header) + fields * HTTP_FIELD_COST >
	    HTTP_POLICY_MEMORY - HTTP_ANSWER_ROOM)
		return HTTP_SIZE_NO_ROOM;
	/* "METHOD URL VERSION\r\n"; the URL as unescaped. */
	if (strlen(method) + strlen(url) + strlen(version) + 4 >
	    HTTP_REQUEST_MAX)
		return HTTP_SIZE_URI_TOO_LONG;
	if (header > HTTP_REQUEST_MAX || fields > HTTP_FIELDS_MAX)
		return HTTP_SIZE_TOO_LARGE;
	return HTTP_SIZE_OK;
}

static struct conn *
http_conn(struct MHD_Connection *mc)
{
	const union MHD_ConnectionInfo	*ci;
	const struct http_link		*link;

	ci = MHD_get_connection_info(mc, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	link = ci != NULL ? ci->socket_context : NULL;
	return link != NULL ? link->hl_conn : NULL;
}

/* Ties each new libmicrohttpd connection to the relay's (see http_link). */
static void
http_notify(void *cls, struct MHD_Connection *mc, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	struct worker		*w = cls;
	struct http_link	*link;

	(void)mc;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		*socket_context = w->w_adding;
		w->w_adding = NULL;
		return;
	}
	if ((link = *socket_context) == NULL)
		return;
	if (link->hl_conn != NULL)
		link->hl_conn->c_link = NULL;
	free(link);
	*socket_context = NULL;
}

/* Does the Host header (maybe with a port) name the SNI host? */
static bool
http_host_matches(const char *host, const struct host *h)
{
	size_t len = strlen(host);
	const char *colon = strrchr(host, ':');

	if (colon != NULL && strspn(colon + 1, "0123456789") ==
	    strlen(colon + 1))
		len = (size_t)(colon - host);
	if (len > 0 && host[len - 1] == '.')
		len--;
	return len == h->h_name_len && strncasecmp(host, h->h_name, len) == 0;
}

static enum MHD_Result
http_respond(struct conn *c, struct MHD_Connection *mc, const char *method,
    const char *url, unsigned status, struct MHD_Response *resp, size_t bytes)
{
	const struct limits	*lim = c->c_worker->w_server->srv_limits;
	struct MHD_Response	*closing = NULL;
	enum MHD_Result		 ret;
	char			 m[32], u[256];

	if (++c->c_requests >= lim->lim_max_requests_per_connection) {
		/* The last request this connection may make: a private copy
		 * of the response that says so. */
		const struct served_policy *pr = c->c_peer.tp_host->h_policy;

		closing = status == MHD_HTTP_OK ?
		    MHD_create_response_from_buffer(pr->pr_body_len,
		    pr->pr_body, MHD_RESPMEM_MUST_COPY) :
		    MHD_create_response_from_buffer(0, NULL,
		    MHD_RESPMEM_PERSISTENT);
		if (closing != NULL) {
			if (status != MHD_HTTP_OK)
				bytes = 0;	/* the copy has no body */
			MHD_add_response_header(closing,
			    MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
			MHD_add_response_header(closing,
			    MHD_HTTP_HEADER_CONNECTION, "close");
			if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
				MHD_add_response_header(closing,
				    MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
			resp = closing;
		}
	}
	ret = MHD_queue_response(mc, status, resp);
	relay_answered(c);
	stat_inc(&c->c_worker->w_stats.ws_requests[status == MHD_HTTP_OK ?
	    STAT_200 : status == MHD_HTTP_NOT_FOUND ? STAT_404 :
	    status == MHD_HTTP_METHOD_NOT_ALLOWED ? STAT_405 :
	    status == MHD_HTTP_MISDIRECTED_REQUEST ? STAT_421 :
	    STAT_STATUS_OTHER]);
	/* The snapshot is immutable but for its counters. */
	if (status == MHD_HTTP_OK)
		atomic_fetch_add_explicit(&((struct host *)
		    c->c_peer.tp_host)->h_fetches, 1, memory_order_relaxed);
	if (closing != NULL)
		MHD_destroy_response(closing);
	if (log_access_enabled()) {
		log_clean(m, sizeof(m), method, strlen(method));
		log_clean(u, sizeof(u), url, strlen(url));
		log_access("%s %s \"%s %s\" %u %zu %.3fms", c->c_addr_text,
		    c->c_peer.tp_host->h_name, m, u, status,
		    strcmp(method, "HEAD") == 0 ? 0 : bytes,
		    (double)(clock_us() - c->c_req_start) / 1000.0);
	}
	return ret;
}

/* The answer to a GET or HEAD. */
static enum MHD_Result
http_answer(struct conn *c, struct MHD_Connection *mc, const char *method,
    const char *url)
{
	const struct host	*h = c->c_peer.tp_host;
	const char		*host;

	host = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_HOST);
	if (host != NULL && !http_host_matches(host, h))
		return http_respond(c, mc, method, url,
		    MHD_HTTP_MISDIRECTED_REQUEST, http_misdirected,
		    sizeof(http_misdirected_text) - 1);
	if (strcmp(url, POLICY_PATH) != 0)
		return http_respond(c, mc, method, url, MHD_HTTP_NOT_FOUND,
		    http_not_found, sizeof(http_not_found_text) - 1);
	return http_respond(c, mc, method, url, MHD_HTTP_OK,
	    h->h_policy->pr_response, h->h_policy->pr_body_len);
}

/* The checks of a request's first call, whose answer closes the
 * connection; MHD_YES when there is none and the request goes on. */
static enum MHD_Result
http_screen(struct conn *c, struct MHD_Connection *mc, const char *method,
    const char *url, const char *version)
{
	if (c->c_nul_seen)
		return http_respond(c, mc, method, url, MHD_HTTP_BAD_REQUEST,
		    http_nul, sizeof(http_nul_text) - 1);
	switch (http_request_size(mc, method, url, version)) {
	case HTTP_SIZE_NO_ROOM:
		log_info("%s: request far over the size limits: closed",
		    c->c_addr_text);
		return MHD_NO;
	case HTTP_SIZE_URI_TOO_LONG:
		return http_respond(c, mc, method, url, MHD_HTTP_URI_TOO_LONG,
		    http_uri_too_long, sizeof(http_uri_too_long_text) - 1);
	case HTTP_SIZE_TOO_LARGE:
		return http_respond(c, mc, method, url,
		    MHD_HTTP_REQUEST_HEADER_FIELDS_TOO_LARGE, http_too_large,
		    sizeof(http_too_large_text) - 1);
	case HTTP_SIZE_OK:
		break;
	}
	if (http_host_missing(mc, version))
		return http_respond(c, mc, method, url, MHD_HTTP_BAD_REQUEST,
		    http_no_host, sizeof(http_no_host_text) - 1);
	if (http_length_ambiguous(mc))
		return http_respond(c, mc, method, url, MHD_HTTP_BAD_REQUEST,
		    http_bad_length, sizeof(http_bad_length_text) - 1);
	/* Any other method is refused before its body is read. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return http_respond(c, mc, method, url,
		    MHD_HTTP_METHOD_NOT_ALLOWED, http_not_allowed,
		    sizeof(http_not_allowed_text) - 1);
	/* A chunked body's trailer fields could leave libmicrohttpd no room
	 * for the answer (see HTTP_POLICY_MEMORY): answered before it. */
	if (MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL)
		return http_answer(c, mc, method, url);
	return MHD_YES;
}

static enum MHD_Result
http_handler(void *cls, struct MHD_Connection *mc, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_size, void **req_cls)
{
	struct conn *c = http_conn(mc);

	(void)cls;
	(void)upload_data;
	if (c == NULL)
		return MHD_NO;	/* the relay is gone: drop the request */
	if (*req_cls == NULL) {
		*req_cls = &http_request_seen;
		c->c_req_start = clock_us();
		/*
		 * A response queued on this first call makes libmicrohttpd
		 * close the connection; queued on the next, it keeps it.
		 */
		return http_screen(c, mc, method, url, version);
	}
	if (*upload_size != 0) {
		*upload_size = 0;	/* a body on GET: read and ignored */
		return MHD_YES;
	}
	return http_answer(c, mc, method, url);
}

/*
 * libmicrohttpd sets TCP options on every socket it gets, after every
 * response; on the AF_UNIX end of the relay those fail harmlessly. Keep
 * that noise out of the log, and its formatting out of the request path.
 */
static void http_log(void *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
http_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	/* The TCP options, on every response: not even formatted. */
	if (strncmp(fmt, "Setting %s option to %s state failed", 36) == 0)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (strstr(msg, "TCP_NODELAY") != NULL ||
	    strstr(msg, "TCP_CORK") != NULL ||
	    strstr(msg, "TCP_NOPUSH") != NULL ||
	    strstr(msg, "setsockopt") != NULL)
		return;
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("http: %s", msg);
}

/*
 * Not libmicrohttpd's strict mode: in 0.9.75 that answers an HTTP/1.1
 * request without Host before the handler sees it, with its 400 header
 * block sent twice, so http_handler answers it instead. The mode's only
 * other check, a request target without spaces, goes with it: such a
 * target is taken whole and gets a 404, as does the same target written
 * with %20.
 */
struct MHD_Daemon *
http_daemon_new(struct worker *w, const struct limits *lim)
{
	return MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET | MHD_USE_EPOLL |
	    MHD_USE_TURBO | MHD_USE_ERROR_LOG, 0, NULL, NULL,
	    http_handler, w,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)lim->lim_max_connections,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)lim->lim_idle_timeout,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_POLICY_MEMORY,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, 0u,
	    MHD_OPTION_STRICT_FOR_CLIENT, 0,
	    MHD_OPTION_EXTERNAL_LOGGER, http_log, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, http_notify, w,
	    MHD_OPTION_UNESCAPE_CALLBACK, http_unescape_none, NULL,
	    MHD_OPTION_END);
}
