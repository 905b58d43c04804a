/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the HTTP request path. The input (see fuzz_stream_run)
 * is the plaintext a client sends once its TLS handshake for
 * mta-sts.example.com is done, written where the relay writes it: into the
 * relay's end of the socketpair that relay_open_http hands to the worker's
 * libmicrohttpd daemon, which the project's handler answers. The daemon is
 * run between writes and until it closes the connection, and all it
 * answers is read back.
 *
 * Checked on every input: an answer starts with a status line; every
 * response the handler queued was sent, every 200 it counted for the name
 * too, and no other 200; once libmicrohttpd has closed its end, its close
 * notification has unlinked it from the relay's connection; and it lets
 * go of the connection once the relay closes (fuzz_server_settle).
 */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "../../server/snapshot.h"
#include "../../server/relay.h"
#include "fuzz_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fuzz_stream fuzz_http;

static void
fuzz_http_turn(struct worker *w)
{
	MHD_run(w->w_mhd);
}

/* A connection past its handshake for `name`, as the relay makes it. */
static struct conn *
fuzz_http_conn(struct worker *w, const char *name)
{
	struct sockaddr_storage	ss;
	socklen_t		len = fuzz_client_addr(&ss);
	struct conn		*c;
	int			tcp[2];

	/* The TCP socket's stand-in: the relay's TLS side is not used. */
	fuzz_socketpair(tcp);
	close(tcp[1]);
	c = relay_new(w, tcp[0], &ss, len);
	if (c == NULL)
		fuzz_fail("fuzz_http: relay_new refused the connection");
	c->c_peer.tp_host = snapshot_lookup(c->c_peer.tp_snap, name,
	    strlen(name));
	if (c->c_peer.tp_host == NULL || !relay_open_http(c))
		fuzz_fail("fuzz_http: cannot open the HTTP side for %s", name);
	return c;
}

/* How often `s` starts a line of the answer. */
static size_t
fuzz_http_lines(const struct fuzz_stream *fs, const char *s)
{
	const unsigned char	*p = fs->fs_out, *end = p + fs->fs_outlen, *q;
	size_t			 n = 0, slen = strlen(s);

	while ((q = memmem(p, (size_t)(end - p), s, slen)) != NULL) {
		if (q == fs->fs_out || q[-1] == '\n')
			n++;
		p = q + slen;
	}
	return n;
}

/* The responses the handler has queued, by the worker's counters. */
static uint64_t
fuzz_http_queued(const struct worker *w)
{
	uint64_t n = 0;

	for (size_t i = 0; i < STAT_STATUS_COUNT; i++)
		n += atomic_load(&w->w_stats.ws_requests[i]);
	return n;
}

static void
fuzz_http_check(const struct fuzz_stream *fs, const struct conn *c,
    uint64_t fetches, uint64_t queued)
{
	static const char status[] = "HTTP/1.1 ";

	if (fs->fs_outlen > 0 && (fs->fs_outlen < sizeof(status) - 1 ||
	    memcmp(fs->fs_out, status, sizeof(status) - 1) != 0))
		fuzz_fail("fuzz_http: the answer does not start with a status "
		    "line: %.*s", (int)(fs->fs_outlen > 200 ? 200 :
		    fs->fs_outlen), fs->fs_out);

	/*
	 * No body starts a line with a status line's text: the policy's
	 * lines are its keys, libmicrohttpd's bodies HTML. libmicrohttpd's
	 * own answers (and 100 Continue) come on top of the handler's.
	 */
	if (fs->fs_outlen < sizeof(fs->fs_out) &&
	    (fuzz_http_lines(fs, "HTTP/1.1 200 OK\r\n") != fetches ||
	    fuzz_http_lines(fs, status) < queued))
		fuzz_fail("fuzz_http: the handler queued %llu responses, %llu "
		    "of them 200s, and the answer is %.*s",
		    (unsigned long long)queued, (unsigned long long)fetches,
		    (int)fs->fs_outlen, fs->fs_out);

	if (fs->fs_eof && c->c_link != NULL)
		fuzz_fail("fuzz_http: libmicrohttpd closed its end without "
		    "its close notification");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct worker		*w = fuzz_server_init();
	struct conn		*c = fuzz_http_conn(w, FUZZ_HOST_ECDSA);
	const struct host	*h = c->c_peer.tp_host;
	uint64_t		 fetches = atomic_load(&h->h_fetches);
	uint64_t		 queued = fuzz_http_queued(w);

	fuzz_http.fs_fd = c->c_pair;
	fuzz_http.fs_turn = fuzz_http_turn;
	fuzz_http.fs_worker = w;
	fuzz_stream_run(&fuzz_http, data, size);
	fuzz_http_check(&fuzz_http, c, atomic_load(&h->h_fetches) - fetches,
	    fuzz_http_queued(w) - queued);
	fuzz_server_settle(w);
	return 0;
}
