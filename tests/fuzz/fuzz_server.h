/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the server-side fuzz targets (fuzz_http, fuzz_tls) share: the daemon
 * as serve sets up one worker, built once per process, and the way an input
 * reaches it as a client's stream.
 */
#ifndef MTA_STS_FUZZ_SERVER_H
#define MTA_STS_FUZZ_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "../../server/worker.h"

/* The served names: two share an ECDSA certificate, one has a wildcard RSA
 * certificate. */
#define FUZZ_HOST_ECDSA		"mta-sts.example.com"
#define FUZZ_HOST_ECDSA2	"mta-sts.example.net"
#define FUZZ_HOST_RSA		"mta-sts.example.org"
/* A pipelined input reaches the last request a connection may make. */
#define FUZZ_MAX_REQUESTS	5
/* What is kept of the daemon's answer to one input. */
#define FUZZ_OUT_MAX		(256 * 1024)

/* fuzz_pki.c */
extern const char fuzz_pki_ecdsa_crt[];
extern const char fuzz_pki_ecdsa_key[];
extern const char fuzz_pki_rsa_crt[];
extern const char fuzz_pki_rsa_key[];

/*
 * The configuration (written to a temporary directory, loaded, removed),
 * the snapshot, TLS context, address table and HTTP responses, and one
 * worker with its libmicrohttpd daemon, without listener or thread: the
 * target turns its loop. The log is at debug level with the access log
 * on, so that the logging of hostile input is fuzzed too.
 */
struct worker	*fuzz_server_init(void);
/* libFuzzer's start-up hook: fuzz_server_init, before the first input. */
int		 LLVMFuzzerInitialize(int *argc, char ***argv);

/* Report a broken invariant and abort: the message reaches the log even
 * when the daemon's does not. */
void		 fuzz_fail(const char *fmt, ...)
		    __attribute__((format(printf, 1, 2), noreturn));

/* The client's address (192.0.2.1, RFC 5737), for relay_new and the log;
 * returns its length. */
socklen_t	 fuzz_client_addr(struct sockaddr_storage *);
/* A non-blocking AF_UNIX stream pair: a TCP connection's stand-in. */
void		 fuzz_socketpair(int sp[2]);

/* A client's stream to the daemon, and what came back. */
struct fuzz_stream {
	int		  fs_fd;		/* the client's end */
	void		(*fs_turn)(struct worker *);	/* run the daemon once */
	struct worker	 *fs_worker;
	unsigned char	  fs_out[FUZZ_OUT_MAX];
	size_t		  fs_outlen;
	bool		  fs_eof;		/* the daemon ended the stream */
};

/*
 * Send an input as the client: data[0] is the size of each write (0: all
 * at once; 1 trickles it byte by byte), the rest is the stream. Every
 * write is followed by a turn and a read of what the daemon answered;
 * after the last, the client half-closes and the turns go on until the
 * daemon ends the stream, FUZZ_TURNS_MAX at most.
 */
void		 fuzz_stream_run(struct fuzz_stream *, const uint8_t *data,
		    size_t size);

/*
 * Close whatever connection is left and let libmicrohttpd let go of its
 * side: the next input starts from an empty worker, and nothing it
 * allocated is left to look like a leak.
 */
void		 fuzz_server_settle(struct worker *);

#endif
