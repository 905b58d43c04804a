/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the TLS record and ClientHello path. The input (see
 * fuzz_stream_run) is what a client sends on a new TCP connection, written
 * to the client's end of a socketpair whose other end is handed to the
 * worker's accept path (relay_accepted): the real wolfSSL context with its
 * SNI and certificate callbacks, the SNI lookup in the snapshot, and, were
 * a handshake to finish, the relay. The worker's loop is turned between
 * writes and until it closes the connection, and all it sends is read.
 *
 * Checked on every input: what the daemon sends is TLS records (an alert
 * or a handshake record first); once the client has half-closed, the
 * connection is closed at once rather than left to the handshake timeout.
 */
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../server/relay.h"
#include "fuzz_server.h"

/* TLS record content types (RFC 8446 5.1) and the major version byte. */
#define TLS_CONTENT_ALERT	21
#define TLS_CONTENT_HANDSHAKE	22
#define TLS_VERSION_MAJOR	3

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct fuzz_stream fuzz_tls;

static void
fuzz_tls_turn(struct worker *w)
{
	worker_turn(w, 0);
}

static void
fuzz_tls_check(const struct fuzz_stream *fs, const struct worker *w)
{
	if (fs->fs_outlen > 0 && (fs->fs_outlen < 3 ||
	    (fs->fs_out[0] != TLS_CONTENT_ALERT &&
	    fs->fs_out[0] != TLS_CONTENT_HANDSHAKE) ||
	    fs->fs_out[1] != TLS_VERSION_MAJOR))
		fuzz_fail("fuzz_tls: the daemon sent %zu bytes that are not a "
		    "TLS record, starting %02x %02x", fs->fs_outlen,
		    fs->fs_out[0], fs->fs_outlen > 1 ? fs->fs_out[1] : 0);

	if (w->w_nconns != 0)
		fuzz_fail("fuzz_tls: the connection is still open after the "
		    "client's end of stream");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct worker		*w = fuzz_server_init();
	struct sockaddr_storage	 ss;
	socklen_t		 len = fuzz_client_addr(&ss);
	int			 sp[2];

	fuzz_socketpair(sp);
	relay_accepted(w, sp[1], &ss, len);
	fuzz_tls.fs_fd = sp[0];
	fuzz_tls.fs_turn = fuzz_tls_turn;
	fuzz_tls.fs_worker = w;
	fuzz_stream_run(&fuzz_tls, data, size);
	fuzz_tls_check(&fuzz_tls, w);
	close(sp[0]);
	fuzz_server_settle(w);
	return 0;
}
