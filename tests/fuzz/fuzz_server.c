/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "fuzz_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "../../config/config.h"
#include "../../server/http.h"
#include "../../server/limit.h"
#include "../../server/log.h"
#include "../../server/snapshot.h"

/*
 * Turns after the client's last write: the daemon answers and closes in a
 * few; more means it would have kept the connection until a timeout.
 */
#define FUZZ_TURNS_MAX		64
/* Turns in a row that libmicrohttpd may ask for: it reads a request of
 * HTTP_POLICY_MEMORY in a few hundred. More is a busy loop. */
#define FUZZ_BUSY_TURNS_MAX	4096
/* The client: 192.0.2.1 (TEST-NET-1), an ephemeral port. */
#define FUZZ_CLIENT_ADDR	0xc0000201u
#define FUZZ_CLIENT_PORT	49152
/* A fixed "now" for the certificates' validity: the same every run. */
#define FUZZ_NOW		((time_t)1798761600)	/* 2027-01-01 */

static const char fuzz_config[] =
    "limits:\n"
    "  max_requests_per_connection: %u\n"
    "certificates:\n"
    "  - {cert: ecdsa.crt, key: ecdsa.key}\n"
    "  - {cert: rsa.crt, key: rsa.key}\n"
    "domains:\n"
    "  example.com: {mode: enforce, mx: [mx.example.com], max_age: 604800}\n"
    "  example.net: {mode: testing, mx: ['*.example.net'], max_age: 86400}\n"
    "  example.org: {mode: none, mx: [mx1.example.org, mx2.example.org]}\n";

static struct server	fuzz_srv;
static struct worker	fuzz_worker;
/* The standard error the process started with: libFuzzer's
 * -close_fd_mask=2 (make fuzz), which silences the daemon's log, closes
 * descriptor 2 only after LLVMFuzzerInitialize. */
static int		fuzz_report_fd = STDERR_FILENO;

void
fuzz_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdprintf(fuzz_report_fd, fmt, ap);
	va_end(ap);
	dprintf(fuzz_report_fd, "\n");
	abort();
}

static void
fuzz_write_file(const char *dir, const char *name, const char *text,
    char *path, size_t size)
{
	FILE *fp;

	snprintf(path, size, "%s/%s", dir, name);
	fp = fopen(path, "w");
	if (fp == NULL || fputs(text, fp) == EOF || fclose(fp) != 0)
		fuzz_fail("%s: %s", path, strerror(errno));
}

/* The configuration and its certificates as files, loaded, then removed:
 * the snapshot holds the certificates in memory. */
static struct config *
fuzz_load_config(void)
{
	static const struct { const char *name, *text; } pki[] = {
		{ "ecdsa.crt", fuzz_pki_ecdsa_crt },
		{ "ecdsa.key", fuzz_pki_ecdsa_key },
		{ "rsa.crt", fuzz_pki_rsa_crt },
		{ "rsa.key", fuzz_pki_rsa_key },
	};
	char		 dir[] = "/tmp/fuzz_server.XXXXXX";
	char			 paths[5][64], text[sizeof(fuzz_config) + 16];
	struct config		*cfg;
	struct certset		 certs;
	struct diag_list	 cert_diags = { 0 };

	if (mkdtemp(dir) == NULL)
		fuzz_fail("mkdtemp: %s", strerror(errno));
	for (size_t i = 0; i < 4; i++)
		fuzz_write_file(dir, pki[i].name, pki[i].text, paths[i],
		    sizeof(paths[i]));
	snprintf(text, sizeof(text), fuzz_config, FUZZ_MAX_REQUESTS);
	fuzz_write_file(dir, "mta-sts-hostd.yaml", text, paths[4],
	    sizeof(paths[4]));
	cfg = config_load(paths[4]);
	log_diags(&cfg->cfg_diags);
	if (cfg->cfg_diags.dl_errors > 0)
		fuzz_fail("fuzz_server: the configuration has errors");
	certset_load(&certs, cfg, &cert_diags, FUZZ_NOW, NULL);
	/* The snapshot holds what it needs of the certificates. */
	fuzz_srv.srv_snap = snapshot_build(config_ref(cfg), &certs,
	    &cert_diags, FUZZ_NOW, true, NULL);
	certset_free(&certs);
	log_diags(&fuzz_srv.srv_snap->snap_diags);
	if (fuzz_srv.srv_snap->snap_nhosts != cfg->cfg_ndomains)
		fuzz_fail("fuzz_server: not every domain is served");
	for (size_t i = 0; i < 5; i++)
		unlink(paths[i]);
	rmdir(dir);
	return cfg;
}

struct worker *
fuzz_server_init(void)
{
	struct config *cfg;

	if (fuzz_srv.srv_snap != NULL)
		return &fuzz_worker;
	if ((fuzz_report_fd = dup(STDERR_FILENO)) == -1)
		fuzz_report_fd = STDERR_FILENO;
	log_init(LOG_TARGET_STDERR, LOG_LEVEL_DEBUG);
	log_set_access(true);
	cfg = fuzz_load_config();
	fuzz_srv.srv_ctx = tls_ctx_new();
	fuzz_srv.srv_addrs = limit_table_new(
	    cfg->cfg_limits.lim_max_connections_per_address);
	pthread_mutex_init(&fuzz_srv.srv_lock, NULL);
	if (server_rotate_tickets(&fuzz_srv, FUZZ_NOW) == -1)
		fuzz_fail("no randomness for the ticket keys");
	http_init();
	fuzz_srv.srv_limits_copy = cfg->cfg_limits;
	fuzz_srv.srv_limits = &fuzz_srv.srv_limits_copy;
	fuzz_srv.srv_workers = &fuzz_worker;
	fuzz_srv.srv_nworkers = 1;
	if (worker_init(&fuzz_worker, &fuzz_srv, 0, cfg) == -1)
		fuzz_fail("worker_init: %s", strerror(errno));
	fuzz_worker.w_snap = snapshot_ref(fuzz_srv.srv_snap);
	return &fuzz_worker;
}

socklen_t
fuzz_client_addr(struct sockaddr_storage *ss)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons(FUZZ_CLIENT_PORT),
	    .sin_addr.s_addr = htonl(FUZZ_CLIENT_ADDR) };

	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &sin, sizeof(sin));
	return sizeof(sin);
}

void
fuzz_socketpair(int sp[2])
{
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sp) == -1)
		fuzz_fail("socketpair: %s", strerror(errno));
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_server_init();
	return 0;
}

/* Read what the daemon has sent, up to end of stream. */
static void
fuzz_stream_read(struct fuzz_stream *fs)
{
	unsigned char	buf[16384];
	ssize_t		n;

	while (!fs->fs_eof) {
		n = recv(fs->fs_fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			fs->fs_eof = true;	/* end of stream, or a reset */
			return;
		}
		if ((size_t)n > sizeof(fs->fs_out) - fs->fs_outlen)
			n = (ssize_t)(sizeof(fs->fs_out) - fs->fs_outlen);
		memcpy(fs->fs_out + fs->fs_outlen, buf, (size_t)n);
		fs->fs_outlen += (size_t)n;
	}
}

/*
 * Turn the daemon until it is idle, as the worker's loop does: while
 * libmicrohttpd has input left to process it asks to run again at once
 * (a timeout of 0), and it takes the input a little at a time when its
 * memory is nearly full.
 */
static void
fuzz_stream_turn(struct fuzz_stream *fs)
{
	MHD_UNSIGNED_LONG_LONG ms;

	for (unsigned i = 0; i < FUZZ_BUSY_TURNS_MAX; i++) {
		fs->fs_turn(fs->fs_worker);
		fuzz_stream_read(fs);
		if (MHD_get_timeout(fs->fs_worker->w_mhd, &ms) != MHD_YES ||
		    ms > 0)
			return;
	}
	fuzz_fail("fuzz_server: libmicrohttpd still has work after %u turns",
	    FUZZ_BUSY_TURNS_MAX);
}

/* One write of the client's, retried while the daemon holds back;
 * false once the daemon no longer reads. */
static bool
fuzz_stream_write(struct fuzz_stream *fs, const uint8_t *p, size_t n)
{
	unsigned turns = 0;

	while (n > 0) {
		ssize_t w = send(fs->fs_fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return false;
		/* Backpressure: the daemon reads once it has answered. */
		if (++turns > FUZZ_TURNS_MAX || fs->fs_eof)
			return false;
		fuzz_stream_turn(fs);
	}
	fuzz_stream_turn(fs);
	return true;
}

void
fuzz_stream_run(struct fuzz_stream *fs, const uint8_t *data, size_t size)
{
	size_t chunk = 0;

	fs->fs_outlen = 0;
	fs->fs_eof = false;
	if (size > 0) {
		chunk = data[0] == 0 ? size : data[0];
		data++;
		size--;
	}
	while (size > 0 && !fs->fs_eof) {
		size_t n = size < chunk ? size : chunk;

		if (!fuzz_stream_write(fs, data, n))
			break;
		data += n;
		size -= n;
	}
	shutdown(fs->fs_fd, SHUT_WR);
	for (unsigned i = 0; i < FUZZ_TURNS_MAX && !fs->fs_eof; i++)
		fuzz_stream_turn(fs);
}

void
fuzz_server_settle(struct worker *w)
{
	const union MHD_DaemonInfo *di;

	worker_close_all(w, NULL);
	for (unsigned i = 0; i < FUZZ_TURNS_MAX; i++) {
		di = MHD_get_daemon_info(w->w_mhd,
		    MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
		if (di == NULL || di->num_connections == 0)
			return;
		MHD_run(w->w_mhd);
	}
	fuzz_fail("fuzz_server: libmicrohttpd keeps a connection whose relay "
	    "is closed");
}
