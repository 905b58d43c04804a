/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * loadgen: the benchmark's HTTPS load generator (OpenSSL's libssl client).
 * The same client drives mta-sts-hostd and nginx.
 *
 *   loadgen handshake [OPTIONS]   a new TLS connection per request
 *   loadgen keepalive [OPTIONS]   persistent connections, one request in
 *                                 flight on each (pipelined depth 1)
 *   loadgen startup [OPTIONS] -- COMMAND [ARG...]
 *                                 start COMMAND, time until the port answers
 *                                 a first request correctly; leave it running
 *   loadgen idle [OPTIONS]        open CONNS connections that send nothing
 *                                 (-H: after a TLS handshake each) and
 *                                 measure the server's resident memory
 *
 * Options:
 *   -a ADDR        server address (default 127.0.0.1)
 *   -p PORT        server port (default 443)
 *   -n FILE        names file: "SERVER_NAME BODY_FILE" per line; each request
 *                  sends that SNI and Host, and the response body must be
 *                  exactly the bytes of BODY_FILE
 *   -d SECONDS     measured duration (default 10)
 *   -w SECONDS     warm-up before measuring (default 1)
 *   -r COUNT       stop after this many measured requests (default: none)
 *   -t THREADS     client threads (default 1)
 *   -c CONNS       connections in flight, over all threads (default 32)
 *   -R             random names (default: round robin)
 *   -C CAFILE      verify the certificate chain and the name against CAFILE
 *   -s SUITES      TLS 1.3 cipher suites (default: OpenSSL's)
 *   -g GROUPS      key exchange groups (default X25519)
 *   -V VERSION     TLS version: 1.3 (default) or 1.2
 *   -Z             handshake only: resume each name's last session (its
 *                  ticket) instead of a full handshake; the output says
 *                  how many handshakes of the window were resumed
 *   -T SECONDS     per-request timeout (default 10)
 *   -l LABEL       label for the output
 *   -S PID         sample the CPU time of process PID and its descendants
 *                  (all threads, /proc/.../schedstat) over the measured
 *                  window: reports server CPU per request
 * startup only:
 *   -P CPU         pin COMMAND to this CPU
 *   -o FILE        COMMAND's standard output and error (default /dev/null)
 *   -f PIDFILE     write COMMAND's process id here
 * idle only (-S PID is required: the server whose memory is measured):
 *   -H             complete a TLS handshake on every connection (SNI round
 *                  robin over the names), then send nothing
 *   -w SECONDS     settling time before the memory is read (default 1)
 *
 * Every response is checked: status 200, Content-Type text/plain, a
 * Content-Length, and body bytes equal to the expected ones. The exit status
 * is 1 if any request failed or none completed, 2 on usage errors.
 * The last line of output is machine-readable: "RESULT key=value ...".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define POLICY_PATH	"/.well-known/mta-sts.txt"
#define RESP_MAX	(64 * 1024 + 4096)
#define REQ_MAX		512
#define MAX_EVENTS	256
#define MAX_ERR_MSGS	10

enum mode { MODE_HANDSHAKE, MODE_KEEPALIVE, MODE_STARTUP, MODE_IDLE };

enum err_kind {
	E_CONNECT, E_HANDSHAKE, E_IO, E_EOF, E_STATUS, E_HEADER, E_BODY,
	E_TIMEOUT, E_NKINDS
};

static const char *err_names[E_NKINDS] = {
	"connect", "handshake", "io", "eof", "status", "header", "body",
	"timeout",
};

struct body {
	char		*b_path;
	char		*b_data;
	size_t		 b_len;
};

struct target {
	char		*t_name;
	size_t		 t_name_len;
	size_t		 t_body;	/* index into bodies */
	SSL_SESSION	*t_session;	/* -Z: the last one, to resume */
};

static struct {
	enum mode	 mode;
	const char	*addr;
	int		 port;
	const char	*names;
	double		 duration;
	double		 warmup;
	uint64_t	 max_requests;
	int		 threads;
	int		 conns;
	bool		 random;
	const char	*cafile;
	const char	*suites;
	const char	*groups;
	int		 version;	/* TLS1_3_VERSION or TLS1_2_VERSION */
	bool		 resume;
	double		 timeout;
	const char	*label;
	int		 cpu;
	const char	*out;
	const char	*pidfile;
	int		 server_pid;
	bool		 handshake;	/* idle: TLS, not bare TCP */
} opt = {
	.addr = "127.0.0.1", .port = 443, .duration = 10, .warmup = 1,
	.threads = 1, .conns = 32, .groups = "X25519",
	.version = TLS1_3_VERSION, .timeout = 10,
	.label = "", .cpu = -1,
};

static struct target	*targets;
static size_t		 ntargets;
static struct body	*bodies;
static size_t		 nbodies;
static struct sockaddr_in server_addr;

static atomic_uint_fast64_t	measured;	/* requests in the window */
static atomic_bool		stop;
static uint64_t			t_measure;	/* ns: window start */
static uint64_t			t_end;		/* ns: window end */
static atomic_int		err_msgs;
static char			tls_info[160];
static pthread_mutex_t		info_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t		session_lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void __attribute__((noreturn, format(printf, 1, 2)))
die(const char *fmt, ...)
{
	va_list ap;

	fputs("loadgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

static void *
xrealloc(void *p, size_t n)
{
	if ((p = realloc(p, n)) == NULL)
		die("out of memory");
	return p;
}

static char *
read_file(const char *path, size_t *lenp)
{
	FILE	*f = fopen(path, "rb");
	char	*buf = NULL;
	size_t	 len = 0, cap = 0, n;

	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	do {
		if (cap - len < 4096)
			buf = xrealloc(buf, cap = cap * 2 + 4096);
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f))
		die("%s: read error", path);
	fclose(f);
	*lenp = len;
	return buf;
}

static void
load_names(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	 line[4096];
	size_t	 cap = 0;

	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), f) != NULL) {
		char	*name, *file, *save = NULL;
		size_t	 b;

		name = strtok_r(line, " \t\r\n", &save);
		file = strtok_r(NULL, " \t\r\n", &save);
		if (name == NULL || name[0] == '#')
			continue;
		if (file == NULL)
			die("%s: '%s' has no body file", path, name);
		for (b = 0; b < nbodies; b++)
			if (strcmp(bodies[b].b_path, file) == 0)
				break;
		if (b == nbodies) {
			bodies = xrealloc(bodies, (nbodies + 1) *
			    sizeof(*bodies));
			bodies[b].b_path = strdup(file);
			bodies[b].b_data = read_file(file, &bodies[b].b_len);
			nbodies++;
		}
		if (ntargets == cap)
			targets = xrealloc(targets, (cap = cap * 2 + 1024) *
			    sizeof(*targets));
		targets[ntargets].t_name = strdup(name);
		targets[ntargets].t_name_len = strlen(name);
		targets[ntargets].t_body = b;
		ntargets++;
	}
	fclose(f);
	if (ntargets == 0)
		die("%s: no names", path);
}

static SSL_CTX *
client_ctx(void)
{
	SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

	if (ctx == NULL)
		die("SSL_CTX_new failed");
	/* One version; full handshakes only, unless -Z resumes the sessions
	 * this keeps per name (the client's cache stays off). */
	SSL_CTX_set_min_proto_version(ctx, opt.version);
	SSL_CTX_set_max_proto_version(ctx, opt.version);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	if (!opt.resume)
		SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
	if (SSL_CTX_set1_groups_list(ctx, opt.groups) != 1)
		die("bad groups '%s'", opt.groups);
	if (opt.suites != NULL && SSL_CTX_set_ciphersuites(ctx, opt.suites)
	    != 1)
		die("bad cipher suites '%s'", opt.suites);
	if (opt.cafile != NULL) {
		if (SSL_CTX_load_verify_locations(ctx, opt.cafile, NULL) != 1)
			die("cannot load %s", opt.cafile);
		SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	} else
		SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	return ctx;
}

/* ---- response checking ------------------------------------------------ */

/* Is the response in buf complete? 1 yes (*used set), 0 not yet, -1 bad
 * (with *kind and msg). */
static int
resp_check(const char *buf, size_t len, const struct body *want,
    size_t *used, bool *closing, enum err_kind *kind, char *msg,
    size_t msglen)
{
	const char	*end = memmem(buf, len, "\r\n\r\n", 4), *p, *eol;
	long		 clen = -1;
	bool		 ctype = false;
	size_t		 hdr;

	if (end == NULL) {
		if (len >= RESP_MAX - 1) {
			*kind = E_HEADER;
			snprintf(msg, msglen, "header too long");
			return -1;
		}
		return 0;
	}
	hdr = (size_t)(end - buf) + 4;
	if (len < 12 || memcmp(buf, "HTTP/1.1 200", 12) != 0) {
		*kind = E_STATUS;
		snprintf(msg, msglen, "status line '%.*s'",
		    (int)strcspn(buf, "\r\n") > 80 ? 80 :
		    (int)strcspn(buf, "\r\n"), buf);
		return -1;
	}
	*closing = false;
	for (p = memchr(buf, '\n', hdr) + 1; p < end; p = eol + 2) {
		eol = memmem(p, (size_t)(end + 2 - p), "\r\n", 2);
		if (eol == NULL)
			break;
		if (strncasecmp(p, "content-length:", 15) == 0)
			clen = strtol(p + 15, NULL, 10);
		else if (strncasecmp(p, "content-type:", 13) == 0) {
			const char *v = p + 13;

			while (*v == ' ')
				v++;
			ctype = strncasecmp(v, "text/plain", 10) == 0;
		} else if (strncasecmp(p, "connection:", 11) == 0) {
			const char *v = p + 11;

			while (*v == ' ')
				v++;
			*closing = strncasecmp(v, "close", 5) == 0;
		}
	}
	if (clen < 0 || !ctype) {
		*kind = E_HEADER;
		snprintf(msg, msglen, "%s", clen < 0 ? "no Content-Length" :
		    "Content-Type is not text/plain");
		return -1;
	}
	if (len < hdr + (size_t)clen)
		return 0;
	if ((size_t)clen != want->b_len || memcmp(buf + hdr, want->b_data,
	    want->b_len) != 0) {
		*kind = E_BODY;
		snprintf(msg, msglen, "body differs from %s (%ld bytes, want "
		    "%zu)", want->b_path, clen, want->b_len);
		return -1;
	}
	*used = hdr + (size_t)clen;
	return 1;
}

/* ---- the event-driven client --------------------------------------------- */

enum slot_state { S_IDLE, S_CONNECT, S_HANDSHAKE, S_WRITE, S_READ, S_DRAIN };

struct thread;

struct slot {
	struct thread	*s_thr;
	enum slot_state	 s_state;
	int		 s_fd;
	SSL		*s_ssl;
	size_t		 s_target;
	uint64_t	 s_start;	/* ns: of this request (latency) */
	uint64_t	 s_deadline;	/* ns */
	char		 s_req[REQ_MAX];
	size_t		 s_req_len;
	char		 s_buf[RESP_MAX];
	size_t		 s_len;
};

struct thread {
	int		 t_id;
	pthread_t	 t_thread;
	SSL_CTX		*t_ctx;
	int		 t_epoll;
	struct slot	*t_slots;
	int		 t_nslots;
	uint64_t	 t_rr;
	uint64_t	 t_rand;
	uint32_t	*t_lat;		/* measured latencies, us */
	size_t		 t_nlat;
	size_t		 t_caplat;
	uint64_t	 t_errors[E_NKINDS];
	uint64_t	 t_reconnects;	/* keep-alive: server closed */
	uint64_t	 t_conns;	/* connections made */
	uint64_t	 t_resumed;	/* handshakes of the window resumed */
};

static void
slot_error(struct slot *s, enum err_kind kind, const char *fmt, ...)
{
	va_list ap;

	s->s_thr->t_errors[kind]++;
	if (atomic_fetch_add(&err_msgs, 1) < MAX_ERR_MSGS) {
		char msg[512];

		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		fprintf(stderr, "loadgen: %s: %s error: %s\n",
		    targets[s->s_target].t_name, err_names[kind], msg);
	}
}

static const char *
ssl_err(void)
{
	static _Thread_local char buf[256];
	unsigned long e = ERR_get_error();

	if (e == 0)
		snprintf(buf, sizeof(buf), "%s", errno ? strerror(errno) :
		    "unexpected EOF");
	else
		ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	return buf;
}

static void
slot_close(struct slot *s)
{
	if (s->s_ssl != NULL)
		SSL_free(s->s_ssl);
	if (s->s_fd != -1)
		close(s->s_fd);	/* also leaves the epoll set */
	s->s_ssl = NULL;
	s->s_fd = -1;
	s->s_state = S_IDLE;
}

static size_t
next_target(struct thread *t)
{
	if (opt.random) {
		/* xorshift64 */
		t->t_rand ^= t->t_rand << 13;
		t->t_rand ^= t->t_rand >> 7;
		t->t_rand ^= t->t_rand << 17;
		return t->t_rand % ntargets;
	}
	return (t->t_rr += (uint64_t)opt.threads) % ntargets;
}

static void
slot_request(struct slot *s)
{
	const struct target *tg = &targets[s->s_target];

	s->s_req_len = (size_t)snprintf(s->s_req, sizeof(s->s_req),
	    "GET " POLICY_PATH " HTTP/1.1\r\nHost: %s\r\n"
	    "User-Agent: mta-sts-hostd-loadgen\r\nAccept: */*\r\n%s\r\n",
	    tg->t_name, opt.mode == MODE_HANDSHAKE ? "Connection: close\r\n" :
	    "");
	s->s_len = 0;
}

/* Open a new connection; false (slot idle) if that failed. */
static bool
slot_connect(struct slot *s, size_t target)
{
	struct thread		*t = s->s_thr;
	struct epoll_event	 ev = {
		.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
		.data.ptr = s,
	};
	int			 one = 1;

	s->s_target = target;
	s->s_start = now_ns();
	s->s_deadline = s->s_start + (uint64_t)(opt.timeout * 1e9);
	s->s_fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	if (s->s_fd == -1) {
		slot_error(s, E_CONNECT, "socket: %s", strerror(errno));
		return false;
	}
	setsockopt(s->s_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(s->s_fd, (struct sockaddr *)&server_addr,
	    sizeof(server_addr)) == -1 && errno != EINPROGRESS) {
		slot_error(s, E_CONNECT, "connect: %s", strerror(errno));
		slot_close(s);
		return false;
	}
	s->s_ssl = SSL_new(t->t_ctx);
	if (s->s_ssl == NULL || SSL_set_fd(s->s_ssl, s->s_fd) != 1 ||
	    SSL_set_tlsext_host_name(s->s_ssl, targets[target].t_name) != 1 ||
	    (opt.cafile != NULL && SSL_set1_host(s->s_ssl,
	    targets[target].t_name) != 1))
		die("cannot set up a TLS session");
	if (opt.resume) {
		pthread_mutex_lock(&session_lock);
		if (targets[target].t_session != NULL &&
		    SSL_set_session(s->s_ssl, targets[target].t_session) != 1)
			die("cannot set a session to resume");
		pthread_mutex_unlock(&session_lock);
	}
	if (epoll_ctl(t->t_epoll, EPOLL_CTL_ADD, s->s_fd, &ev) == -1)
		die("epoll_ctl: %s", strerror(errno));
	t->t_conns++;
	s->s_state = S_CONNECT;
	slot_request(s);
	return true;
}

/* -Z: the connection's session kept for the name's next connection
 * (TLS 1.3's ticket arrives after the handshake: once the response was
 * read, it has). */
static void
keep_session(struct slot *s)
{
	SSL_SESSION *sess = SSL_get1_session(s->s_ssl);

	if (sess == NULL)
		return;
	if (!SSL_SESSION_is_resumable(sess)) {
		SSL_SESSION_free(sess);
		return;
	}
	pthread_mutex_lock(&session_lock);
	SSL_SESSION_free(targets[s->s_target].t_session);
	targets[s->s_target].t_session = sess;
	pthread_mutex_unlock(&session_lock);
}

static void
record(struct slot *s)
{
	struct thread	*t = s->s_thr;
	uint64_t	 now = now_ns();

	if (now < t_measure || atomic_load(&stop))
		return;
	if (opt.mode == MODE_HANDSHAKE && SSL_session_reused(s->s_ssl))
		t->t_resumed++;
	if (opt.max_requests > 0 && atomic_fetch_add(&measured, 1) >=
	    opt.max_requests) {
		atomic_store(&stop, true);
		return;
	}
	if (opt.max_requests == 0)
		atomic_fetch_add(&measured, 1);
	if (t->t_nlat == t->t_caplat)
		t->t_lat = xrealloc(t->t_lat, (t->t_caplat = t->t_caplat * 2 +
		    65536) * sizeof(*t->t_lat));
	t->t_lat[t->t_nlat++] = (uint32_t)((now - s->s_start) / 1000);
}

static void
note_tls(SSL *ssl)
{
	int nid;

	pthread_mutex_lock(&info_lock);
	if (tls_info[0] == '\0') {
		nid = SSL_get_negotiated_group(ssl);
		snprintf(tls_info, sizeof(tls_info), "%s %s %s",
		    SSL_get_version(ssl), SSL_get_cipher_name(ssl),
		    nid != NID_undef ? OBJ_nid2sn(nid) : "?");
	}
	pthread_mutex_unlock(&info_lock);
}

/* Drive a slot as far as it goes without blocking. */
static void
slot_run(struct slot *s)
{
	const struct body	*want;
	enum err_kind		 kind;
	char			 msg[256];
	size_t			 used;
	bool			 closing;
	int			 r, e, soerr;
	socklen_t		 slen;

	for (;;) {
		switch (s->s_state) {
		case S_IDLE:
			return;
		case S_CONNECT:
			soerr = 0;
			slen = sizeof(soerr);
			getsockopt(s->s_fd, SOL_SOCKET, SO_ERROR, &soerr, &slen);
			if (soerr != 0) {
				slot_error(s, E_CONNECT, "connect: %s",
				    strerror(soerr));
				slot_close(s);
				return;
			}
			s->s_state = S_HANDSHAKE;
			break;
		case S_HANDSHAKE:
			ERR_clear_error();
			errno = 0;
			r = SSL_connect(s->s_ssl);
			if (r == 1) {
				if (tls_info[0] == '\0')
					note_tls(s->s_ssl);
				s->s_state = S_WRITE;
				break;
			}
			e = SSL_get_error(s->s_ssl, r);
			if (e == SSL_ERROR_WANT_READ ||
			    e == SSL_ERROR_WANT_WRITE)
				return;
			if (e == SSL_ERROR_SYSCALL && errno == EINPROGRESS)
				return;
			slot_error(s, E_HANDSHAKE, "%s", ssl_err());
			slot_close(s);
			return;
		case S_WRITE:
			ERR_clear_error();
			r = SSL_write(s->s_ssl, s->s_req, (int)s->s_req_len);
			if (r > 0) {
				s->s_state = S_READ;
				break;
			}
			e = SSL_get_error(s->s_ssl, r);
			if (e == SSL_ERROR_WANT_READ ||
			    e == SSL_ERROR_WANT_WRITE)
				return;
			slot_error(s, E_IO, "write: %s", ssl_err());
			slot_close(s);
			return;
		case S_READ:
			ERR_clear_error();
			errno = 0;
			r = SSL_read(s->s_ssl, s->s_buf + s->s_len,
			    (int)(sizeof(s->s_buf) - 1 - s->s_len));
			if (r <= 0) {
				e = SSL_get_error(s->s_ssl, r);
				if (e == SSL_ERROR_WANT_READ ||
				    e == SSL_ERROR_WANT_WRITE)
					return;
				if (e == SSL_ERROR_ZERO_RETURN || r == 0 ||
				    (e == SSL_ERROR_SYSCALL && errno == 0))
					slot_error(s, E_EOF, "the server closed "
					    "after %zu bytes of a response",
					    s->s_len);
				else
					slot_error(s, E_IO, "read: %s",
					    ssl_err());
				slot_close(s);
				return;
			}
			s->s_len += (size_t)r;
			s->s_buf[s->s_len] = '\0';
			want = &bodies[targets[s->s_target].t_body];
			r = resp_check(s->s_buf, s->s_len, want, &used,
			    &closing, &kind, msg, sizeof(msg));
			if (r == 0)
				break;
			if (r < 0) {
				slot_error(s, kind, "%s", msg);
				slot_close(s);
				return;
			}
			if (used != s->s_len) {
				slot_error(s, E_HEADER, "%zu bytes after the "
				    "response", s->s_len - used);
				slot_close(s);
				return;
			}
			record(s);
			if (opt.mode == MODE_HANDSHAKE) {
				if (opt.resume)
					keep_session(s);
				s->s_state = S_DRAIN;
				break;
			}
			if (closing) {
				/* The server ends this connection: not an
				 * error, but a new handshake follows. */
				s->s_thr->t_reconnects++;
				slot_close(s);
				return;
			}
			s->s_start = now_ns();
			s->s_deadline = s->s_start +
			    (uint64_t)(opt.timeout * 1e9);
			slot_request(s);
			s->s_state = S_WRITE;
			break;
		case S_DRAIN:
			/* Connection: close was asked for: wait until the
			 * server closes, so the client never holds TIME_WAIT
			 * and each connection is fully done before the next. */
			ERR_clear_error();
			r = SSL_read(s->s_ssl, s->s_buf, sizeof(s->s_buf));
			if (r > 0) {
				slot_error(s, E_HEADER, "%d bytes after the "
				    "response", r);
				slot_close(s);
				return;
			}
			e = SSL_get_error(s->s_ssl, r);
			if (e == SSL_ERROR_WANT_READ ||
			    e == SSL_ERROR_WANT_WRITE)
				return;
			/* Done as the server closed: its session is no bad
			 * one (SSL_free would otherwise take it for one and
			 * make it unresumable for -Z). */
			SSL_set_shutdown(s->s_ssl, SSL_SENT_SHUTDOWN |
			    SSL_RECEIVED_SHUTDOWN);
			slot_close(s);	/* EOF, close_notify or reset: done */
			return;
		}
	}
}

static void *
thread_main(void *arg)
{
	struct thread		*t = arg;
	struct epoll_event	 events[MAX_EVENTS];
	uint64_t		 last_scan = now_ns();

	while (!atomic_load(&stop)) {
		uint64_t	now = now_ns();
		int		n;

		if (now >= t_end) {
			atomic_store(&stop, true);
			break;
		}
		for (int i = 0; i < t->t_nslots; i++) {
			struct slot *s = &t->t_slots[i];

			if (s->s_state == S_IDLE && slot_connect(s,
			    opt.mode == MODE_KEEPALIVE ?
			    (size_t)(t->t_id + i * opt.threads) % ntargets :
			    next_target(t)))
				slot_run(s);
		}
		n = epoll_wait(t->t_epoll, events, MAX_EVENTS, 50);
		if (n == -1 && errno != EINTR)
			die("epoll_wait: %s", strerror(errno));
		for (int i = 0; i < n; i++)
			slot_run(events[i].data.ptr);
		now = now_ns();
		if (now - last_scan > 50000000u) {
			last_scan = now;
			for (int i = 0; i < t->t_nslots; i++) {
				struct slot *s = &t->t_slots[i];

				if (s->s_state != S_IDLE &&
				    s->s_deadline <= now) {
					slot_error(s, E_TIMEOUT, "no complete "
					    "response within %.1f s (state %d)",
					    opt.timeout, s->s_state);
					slot_close(s);
				}
			}
		}
	}
	for (int i = 0; i < t->t_nslots; i++)
		slot_close(&t->t_slots[i]);
	return NULL;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static uint32_t
pct(const uint32_t *v, size_t n, double p)
{
	size_t i;

	if (n == 0)
		return 0;
	i = (size_t)(p / 100.0 * (double)n);
	return v[i >= n ? n - 1 : i];
}

/* CPU time of a process's threads and of its descendants, ns. */
static uint64_t
proc_cpu_ns(int pid, int depth)
{
	char		 path[64], buf[4096];
	uint64_t	 sum = 0;
	FILE		*f;
	int		 tid;
	DIR		*d;
	struct dirent	*de;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if ((tid = atoi(de->d_name)) <= 0)
			continue;
		snprintf(buf, sizeof(buf), "/proc/%d/task/%d/schedstat", pid,
		    tid);
		if ((f = fopen(buf, "r")) != NULL) {
			unsigned long long ns;

			if (fscanf(f, "%llu", &ns) == 1)
				sum += ns;
			fclose(f);
		}
		snprintf(buf, sizeof(buf), "/proc/%d/task/%d/children", pid,
		    tid);
		if (depth < 4 && (f = fopen(buf, "r")) != NULL) {
			int child;

			while (fscanf(f, "%d", &child) == 1)
				sum += proc_cpu_ns(child, depth + 1);
			fclose(f);
		}
	}
	closedir(d);
	return sum;
}

/* CPU time all CPUs spent busy (not idle, not waiting for I/O), s. */
static double
system_busy_seconds(void)
{
	unsigned long long v[10] = { 0 }, busy = 0;
	FILE *f = fopen("/proc/stat", "r");
	long hz = sysconf(_SC_CLK_TCK);

	if (f == NULL)
		return 0;
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0],
	    &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]) != 8) {
		fclose(f);
		return 0;
	}
	fclose(f);
	/* user nice system idle iowait irq softirq steal */
	busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	return (double)busy / (double)(hz > 0 ? hz : 100);
}

static double
cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int
run_load(void)
{
	struct thread	*thr = calloc((size_t)opt.threads, sizeof(*thr));
	uint32_t	*lat = NULL;
	uint64_t	 errors[E_NKINDS] = { 0 }, nerr = 0, reconn = 0;
	uint64_t	 conns = 0, resumed = 0, t0, t1;
	size_t		 nlat = 0;
	double		 cpu0, cpu1, secs, srv_secs = 0, sys0, sys1, other;
	uint64_t	 srv0 = 0, srv1 = 0;
	const char	*mode = opt.mode == MODE_HANDSHAKE ? "handshake" :
			    "keepalive";

	if (thr == NULL)
		die("out of memory");
	t0 = now_ns();
	t_measure = t0 + (uint64_t)(opt.warmup * 1e9);
	t_end = t_measure + (uint64_t)(opt.duration * 1e9);
	for (int i = 0; i < opt.threads; i++) {
		struct thread *t = &thr[i];

		t->t_id = i;
		t->t_ctx = client_ctx();
		t->t_rr = (uint64_t)i - (uint64_t)opt.threads;
		t->t_rand = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1) ^ t0;
		t->t_epoll = epoll_create1(EPOLL_CLOEXEC);
		t->t_nslots = opt.conns / opt.threads +
		    (i < opt.conns % opt.threads);
		t->t_slots = calloc((size_t)t->t_nslots, sizeof(*t->t_slots));
		if (t->t_epoll == -1 || t->t_slots == NULL)
			die("cannot set up thread %d", i);
		for (int j = 0; j < t->t_nslots; j++) {
			t->t_slots[j].s_thr = t;
			t->t_slots[j].s_fd = -1;
		}
	}
	/* CPU time of the warm-up is not the window's: sample at its end. */
	cpu0 = cpu_seconds();
	sys0 = system_busy_seconds();
	if (opt.server_pid > 0)
		srv0 = proc_cpu_ns(opt.server_pid, 0);
	for (int i = 0; i < opt.threads; i++)
		if (pthread_create(&thr[i].t_thread, NULL, thread_main,
		    &thr[i]) != 0)
			die("pthread_create failed");
	if (opt.warmup > 0) {
		struct timespec ts = { (time_t)opt.warmup, (long)((opt.warmup -
		    (double)(time_t)opt.warmup) * 1e9) };

		nanosleep(&ts, NULL);
		cpu0 = cpu_seconds();
		sys0 = system_busy_seconds();
		if (opt.server_pid > 0)
			srv0 = proc_cpu_ns(opt.server_pid, 0);
	}
	for (int i = 0; i < opt.threads; i++)
		pthread_join(thr[i].t_thread, NULL);
	t1 = now_ns();
	cpu1 = cpu_seconds();
	sys1 = system_busy_seconds();
	if (opt.server_pid > 0)
		srv1 = proc_cpu_ns(opt.server_pid, 0);
	if (t1 > t_end)
		t1 = t_end;	/* the window ends at t_end or earlier */
	secs = (double)(t1 - t_measure) / 1e9;
	if (secs <= 0)
		secs = 1e-9;

	for (int i = 0; i < opt.threads; i++) {
		struct thread *t = &thr[i];

		lat = xrealloc(lat, (nlat + t->t_nlat + 1) * sizeof(*lat));
		memcpy(lat + nlat, t->t_lat, t->t_nlat * sizeof(*lat));
		nlat += t->t_nlat;
		for (int k = 0; k < E_NKINDS; k++) {
			errors[k] += t->t_errors[k];
			nerr += t->t_errors[k];
		}
		reconn += t->t_reconnects;
		conns += t->t_conns;
		resumed += t->t_resumed;
		SSL_CTX_free(t->t_ctx);
	}
	qsort(lat, nlat, sizeof(*lat), cmp_u32);

	printf("%s %s: %d thread(s), %d connections, %.2f s measured after "
	    "%.1f s warm-up, %zu names, SNI %s\n", opt.label, mode,
	    opt.threads, opt.conns, secs, opt.warmup, ntargets,
	    opt.random ? "random" : "round robin");
	printf("  tls: %s%s\n", tls_info[0] ? tls_info : "(none)",
	    opt.cafile ? ", chain and name verified" : "");
	printf("  requests: %zu, %.1f/s; connections opened: %llu; server "
	    "closes (keep-alive): %llu\n", nlat, (double)nlat / secs,
	    (unsigned long long)conns, (unsigned long long)reconn);
	printf("  latency (us): p50 %u  p90 %u  p99 %u  p99.9 %u  max %u\n",
	    pct(lat, nlat, 50), pct(lat, nlat, 90), pct(lat, nlat, 99),
	    pct(lat, nlat, 99.9), nlat ? lat[nlat - 1] : 0);
	printf("  client CPU: %.0f%% of one core\n",
	    100.0 * (cpu1 - cpu0) / secs);
	if (opt.server_pid > 0) {
		srv_secs = (double)(srv1 - srv0) / 1e9;
		printf("  server CPU: %.0f%% of one core, %.1f us per request, "
		    "so %.0f requests/s per core\n", 100.0 * srv_secs / secs,
		    nlat ? srv_secs * 1e6 / (double)nlat : 0,
		    srv_secs > 0 ? (double)nlat / srv_secs : 0);
	}
	/* Anything else that ran meanwhile competes for the same cores. */
	other = (sys1 - sys0) - (cpu1 - cpu0) - srv_secs;
	if (other < 0)
		other = 0;
	printf("  other CPU (neither server nor loadgen): %.0f%% of one core%s\n",
	    100.0 * other / secs, other / secs > 0.05 ? ": the machine was "
	    "not quiet, figures are disturbed" : "");
	printf("  errors: %llu", (unsigned long long)nerr);
	for (int k = 0; k < E_NKINDS; k++)
		if (errors[k] > 0)
			printf(" %s=%llu", err_names[k],
			    (unsigned long long)errors[k]);
	printf("\n");
	if (opt.mode == MODE_HANDSHAKE)
		printf("  resumed: %llu of %zu handshakes\n",
		    (unsigned long long)resumed, nlat);
	printf("RESULT mode=%s requests=%zu seconds=%.3f rps=%.1f errors=%llu "
	    "p50_us=%u p90_us=%u p99_us=%u p999_us=%u max_us=%u "
	    "client_cpu=%.2f server_cpu=%.2f server_us_per_req=%.1f "
	    "other_cpu=%.2f resumed=%llu\n", mode,
	    nlat, secs, (double)nlat / secs, (unsigned long long)nerr,
	    pct(lat, nlat, 50), pct(lat, nlat, 90), pct(lat, nlat, 99),
	    pct(lat, nlat, 99.9), nlat ? lat[nlat - 1] : 0,
	    (cpu1 - cpu0) / secs, srv_secs / secs,
	    nlat ? srv_secs * 1e6 / (double)nlat : 0, other / secs,
	    (unsigned long long)resumed);
	free(lat);
	return nerr > 0 || nlat == 0 ? 1 : 0;
}

/* ---- start-up ------------------------------------------------------------ */

/* One blocking request with an overall deadline: 1 done, 0 not listening
 * yet, -1 failed. */
static int
probe(SSL_CTX *ctx, const struct target *tg, uint64_t deadline, char *msg,
    size_t msglen)
{
	const struct body *want = &bodies[tg->t_body];
	struct timeval	tv;
	char		req[REQ_MAX], *buf = malloc(RESP_MAX);
	size_t		len = 0, used;
	uint64_t	left;
	enum err_kind	kind;
	bool		closing;
	SSL		*ssl = NULL;
	int		fd, r, ret = -1, one = 1;

	if (buf == NULL)
		die("out of memory");
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		die("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&server_addr,
	    sizeof(server_addr)) == -1) {
		ret = errno == ECONNREFUSED ? 0 : -1;
		snprintf(msg, msglen, "connect: %s", strerror(errno));
		goto out;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	left = deadline > now_ns() ? deadline - now_ns() : 1000;
	tv.tv_sec = (time_t)(left / 1000000000u);
	tv.tv_usec = (suseconds_t)(left % 1000000000u / 1000);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	ssl = SSL_new(ctx);
	SSL_set_fd(ssl, fd);
	SSL_set_tlsext_host_name(ssl, tg->t_name);
	if (opt.cafile != NULL)
		SSL_set1_host(ssl, tg->t_name);
	if (SSL_connect(ssl) != 1) {
		snprintf(msg, msglen, "handshake: %s", ssl_err());
		goto out;
	}
	note_tls(ssl);
	r = snprintf(req, sizeof(req), "GET " POLICY_PATH " HTTP/1.1\r\n"
	    "Host: %s\r\nConnection: close\r\n\r\n", tg->t_name);
	if (SSL_write(ssl, req, r) != r) {
		snprintf(msg, msglen, "write: %s", ssl_err());
		goto out;
	}
	for (;;) {
		r = SSL_read(ssl, buf + len, (int)(RESP_MAX - 1 - len));
		if (r <= 0) {
			snprintf(msg, msglen, "read: %s", ssl_err());
			goto out;
		}
		len += (size_t)r;
		buf[len] = '\0';
		r = resp_check(buf, len, want, &used, &closing, &kind, msg,
		    msglen);
		if (r < 0)
			goto out;
		if (r > 0)
			break;
	}
	ret = 1;
out:
	if (ssl != NULL)
		SSL_free(ssl);
	close(fd);
	free(buf);
	return ret;
}

static int
run_startup(char **cmd)
{
	SSL_CTX		*ctx = client_ctx();
	const struct target *tg = &targets[ntargets - 1];
	uint64_t	 t0, t1, deadline;
	char		 msg[512] = "";
	pid_t		 pid;
	int		 r, status, tries = 0;

	t0 = now_ns();
	deadline = t0 + (uint64_t)(opt.timeout * 1e9);
	if ((pid = fork()) == -1)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(opt.out ? opt.out : "/dev/null",
		    O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);

		if (opt.cpu >= 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(opt.cpu, &set);
			if (sched_setaffinity(0, sizeof(set), &set) == -1)
				_exit(126);
		}
		if (fd != -1) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		setpgid(0, 0);	/* so the caller can end the whole group */
		signal(SIGPIPE, SIG_DFL);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	for (;;) {
		tries++;
		r = probe(ctx, tg, deadline, msg, sizeof(msg));
		if (r == 1)
			break;
		if (r < 0 || now_ns() >= deadline ||
		    waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "loadgen: %s did not start serving "
			    "%s: %s\n", cmd[0], tg->t_name, msg[0] ? msg :
			    "exited");
			kill(pid, SIGTERM);
			printf("RESULT mode=startup ms=-1 pid=%d\n", (int)pid);
			return 1;
		}
		/* Not listening yet: poll every 0.2 ms. */
		{
			struct timespec ts = { 0, 200000 };

			nanosleep(&ts, NULL);
		}
	}
	t1 = now_ns();
	if (opt.pidfile != NULL) {
		FILE *f = fopen(opt.pidfile, "w");

		if (f == NULL)
			die("%s: %s", opt.pidfile, strerror(errno));
		fprintf(f, "%d\n", (int)pid);
		fclose(f);
	}
	printf("%s startup: first correct response for %s %.1f ms after exec "
	    "(%d probes; %s)\n", opt.label, tg->t_name, (double)(t1 - t0) / 1e6,
	    tries, tls_info);
	printf("RESULT mode=startup ms=%.1f pid=%d\n", (double)(t1 - t0) / 1e6,
	    (int)pid);
	SSL_CTX_free(ctx);
	return 0;
}

/* ---- idle connections ---------------------------------------------------- */

/* Resident memory of a process and of the processes it started, KiB. */
static long
proc_rss_kib(int pid, int depth)
{
	char	 path[64], line[256];
	long	 sum = 0, v;
	FILE	*f;
	int	 child;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			sum += v;
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", pid, pid);
	if (depth < 4 && (f = fopen(path, "r")) != NULL) {
		while (fscanf(f, "%d", &child) == 1)
			sum += proc_rss_kib(child, depth + 1);
		fclose(f);
	}
	return sum;
}

/* Has the server kept the connection? It sends nothing on a bare one, and
 * at most session tickets on a TLS one, which this reads. */
static bool
idle_still_open(int fd, SSL *ssl)
{
	char	b;
	int	r;

	if (ssl == NULL)
		return recv(fd, &b, 1, MSG_DONTWAIT) == -1 && errno == EAGAIN;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	r = SSL_read(ssl, &b, 1);
	return r <= 0 && SSL_get_error(ssl, r) == SSL_ERROR_WANT_READ;
}

static int
run_idle(void)
{
	SSL_CTX		*ctx = opt.handshake ? client_ctx() : NULL;
	int		*fds = calloc((size_t)opt.conns, sizeof(*fds));
	SSL		**ssls = calloc((size_t)opt.conns, sizeof(*ssls));
	struct linger	 rst = { 1, 0 };
	struct timeval	 tv = { (time_t)opt.timeout, 0 };
	struct timespec	 settle = { (time_t)opt.warmup,
			    (long)((opt.warmup - (double)(time_t)opt.warmup) *
			    1e9) };
	struct rlimit	 rl;
	long		 before, with;
	uint64_t	 t0;
	double		 open_s;
	int		 still = 0;

	if (fds == NULL || ssls == NULL)
		die("out of memory");
	if (opt.server_pid <= 0)
		die("idle: -S PID names the server to measure");
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_max < (rlim_t)opt.conns + 64)
		die("idle: %d connections need %d descriptors; the limit is "
		    "%llu", opt.conns, opt.conns + 64,
		    (unsigned long long)rl.rlim_max);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	before = proc_rss_kib(opt.server_pid, 0);
	t0 = now_ns();
	for (int i = 0; i < opt.conns; i++) {
		const struct target *tg = &targets[(size_t)i % ntargets];

		fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (fds[i] == -1)
			die("idle: socket: %s", strerror(errno));
		setsockopt(fds[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fds[i], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		if (connect(fds[i], (struct sockaddr *)&server_addr,
		    sizeof(server_addr)) == -1)
			die("idle: connection %d: connect: %s", i,
			    strerror(errno));
		if (ctx == NULL)
			continue;
		ssls[i] = SSL_new(ctx);
		SSL_set_fd(ssls[i], fds[i]);
		SSL_set_tlsext_host_name(ssls[i], tg->t_name);
		if (SSL_connect(ssls[i]) != 1)
			die("idle: connection %d (%s): handshake: %s", i,
			    tg->t_name, ssl_err());
		if (i == 0)
			note_tls(ssls[i]);
	}
	open_s = (double)(now_ns() - t0) / 1e9;
	nanosleep(&settle, NULL);
	with = proc_rss_kib(opt.server_pid, 0);
	for (int i = 0; i < opt.conns; i++)
		still += idle_still_open(fds[i], ssls[i]);
	printf("%s idle: %d %s connections opened in %.2f s, %d still open "
	    "after %.1f s; server RSS %ld KiB before, %ld KiB with them: "
	    "%.1f KiB each%s%s\n", opt.label, opt.conns, ctx != NULL ?
	    "TLS (handshake done, nothing sent)" : "TCP (nothing sent)",
	    open_s, still, opt.warmup, before, with,
	    (double)(with - before) / opt.conns, ctx != NULL ? "; " : "",
	    ctx != NULL ? tls_info : "");
	printf("RESULT mode=idle tls=%d conns=%d open=%d open_s=%.2f "
	    "rss_before_kib=%ld rss_with_kib=%ld per_conn_kib=%.1f\n",
	    ctx != NULL, opt.conns, still, open_s, before, with,
	    (double)(with - before) / opt.conns);
	/* A reset, not a close: no TIME_WAIT left to hold the ports. */
	for (int i = 0; i < opt.conns; i++) {
		setsockopt(fds[i], SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
		if (ssls[i] != NULL)
			SSL_free(ssls[i]);
		close(fds[i]);
	}
	free(fds);
	free(ssls);
	if (ctx != NULL)
		SSL_CTX_free(ctx);
	return still == opt.conns ? 0 : 1;
}

static void
usage(void)
{
	fputs("usage: loadgen handshake|keepalive [-a ADDR] [-p PORT] -n NAMES "
	    "[-d SEC] [-w SEC]\n"
	    "                 [-r COUNT] [-t THREADS] [-c CONNS] [-R] "
	    "[-C CAFILE] [-s SUITES]\n"
	    "                 [-g GROUPS] [-V 1.2|1.3] [-Z] [-T SEC] [-l LABEL] "
	    "[-S PID]\n"
	    "       loadgen startup [-a ADDR] [-p PORT] -n NAMES [-T SEC] "
	    "[-P CPU] [-o FILE]\n"
	    "                 [-f PIDFILE] [-l LABEL] -- COMMAND [ARG...]\n"
	    "       loadgen idle [-a ADDR] [-p PORT] -n NAMES -c CONNS -S PID "
	    "[-H] [-w SEC]\n"
	    "                 [-T SEC] [-l LABEL]\n",
	    stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	int ch;

	if (argc < 2)
		usage();
	if (strcmp(argv[1], "handshake") == 0)
		opt.mode = MODE_HANDSHAKE;
	else if (strcmp(argv[1], "keepalive") == 0)
		opt.mode = MODE_KEEPALIVE;
	else if (strcmp(argv[1], "startup") == 0)
		opt.mode = MODE_STARTUP;
	else if (strcmp(argv[1], "idle") == 0)
		opt.mode = MODE_IDLE;
	else
		usage();
	argc--;
	argv++;
	while ((ch = getopt(argc, argv,
	    "a:p:n:d:w:r:t:c:RC:s:g:V:ZT:l:P:o:f:S:H"))
	    != -1) {
		switch (ch) {
		case 'a': opt.addr = optarg; break;
		case 'p': opt.port = atoi(optarg); break;
		case 'n': opt.names = optarg; break;
		case 'd': opt.duration = atof(optarg); break;
		case 'w': opt.warmup = atof(optarg); break;
		case 'r': opt.max_requests = strtoull(optarg, NULL, 10); break;
		case 't': opt.threads = atoi(optarg); break;
		case 'c': opt.conns = atoi(optarg); break;
		case 'R': opt.random = true; break;
		case 'C': opt.cafile = optarg; break;
		case 's': opt.suites = optarg; break;
		case 'g': opt.groups = optarg; break;
		case 'V':
			if (strcmp(optarg, "1.3") == 0)
				opt.version = TLS1_3_VERSION;
			else if (strcmp(optarg, "1.2") == 0)
				opt.version = TLS1_2_VERSION;
			else
				usage();
			break;
		case 'Z': opt.resume = true; break;
		case 'T': opt.timeout = atof(optarg); break;
		case 'l': opt.label = optarg; break;
		case 'P': opt.cpu = atoi(optarg); break;
		case 'o': opt.out = optarg; break;
		case 'f': opt.pidfile = optarg; break;
		case 'S': opt.server_pid = atoi(optarg); break;
		case 'H': opt.handshake = true; break;
		default: usage();
		}
	}
	if (opt.names == NULL || opt.port <= 0 || opt.port > 65535 ||
	    opt.threads < 1 || opt.conns < opt.threads ||
	    opt.duration <= 0 || opt.warmup < 0 || opt.timeout <= 0)
		usage();
	if (opt.mode == MODE_STARTUP && optind >= argc)
		usage();
	if (opt.mode != MODE_STARTUP && optind != argc)
		usage();
	memset(&server_addr, 0, sizeof(server_addr));
	server_addr.sin_family = AF_INET;
	server_addr.sin_port = htons((uint16_t)opt.port);
	if (inet_pton(AF_INET, opt.addr, &server_addr.sin_addr) != 1)
		die("bad address %s", opt.addr);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	load_names(opt.names);
	if (opt.mode == MODE_STARTUP)
		return run_startup(argv + optind);
	if (opt.mode == MODE_IDLE)
		return run_idle();
	return run_load();
}
