/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS with wolfSSL: one context for every name. The certificate is chosen
 * per connection from the SNI name in the connection's snapshot, so names
 * and certificates change without touching the context.
 */
#ifndef MTA_STS_TLS_H
#define MTA_STS_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

struct snapshot;
struct host;
struct ticket_keys;

/*
 * wolfSSL reads a record as two recv calls, header then body; reading ahead
 * into this buffer makes it one. A ClientHello and a request fit. It is
 * made when bytes arrive and freed once they are taken (tls_peer_shrink),
 * so that a connection waiting for its client holds none of it.
 */
#define TLS_READAHEAD		4096

/* A TLS record's header, and the largest plaintext a record may carry
 * (RFC 8446 5.1): the bounds of the ClientHello copy below. */
#define TLS_RECORD_HEADER	5
#define TLS_RECORD_MAX		16384

/* What the callbacks need from a connection. */
struct tls_peer {
	struct snapshot		*tp_snap;
	const struct host	*tp_host;	/* set once SNI matched */
	const char		*tp_addr;	/* client address, for logs */
	int			 tp_refusal;	/* why the handshake was refused */
	int			 tp_fd;
	const struct ticket_keys *tp_tickets;	/* the worker's copy */
	size_t			 tp_roff;	/* read ahead, not yet given */
	size_t			 tp_rlen;
	unsigned char		*tp_rbuf;	/* TLS_READAHEAD bytes, or NULL */
	/*
	 * The socket said it had nothing (EAGAIN) and epoll has not said
	 * otherwise since: wolfSSL asking again (its TLS 1.3 accept asks
	 * several times in a row) is answered "would block" without a
	 * system call. The relay clears it on EPOLLIN.
	 */
	bool			 tp_drained;
	/*
	 * The client's first record, as it came, until the handshake is
	 * done: wolfSSL gives the SNI name only as a C string, so the name
	 * is checked against the ClientHello's own bytes (tls_servername).
	 */
	unsigned char		 tp_hello_head[TLS_RECORD_HEADER];
	unsigned char		*tp_hello;	/* the whole record, or NULL */
	size_t			 tp_hello_len;	/* bytes of it seen so far */
	size_t			 tp_hello_size;	/* header and body */
};

enum tls_refusal {
	TLS_REFUSED_NONE,
	TLS_REFUSED_NO_SNI,
	TLS_REFUSED_UNKNOWN_NAME,
};

WOLFSSL_CTX	*tls_ctx_new(void);
/* A server-side session for a connected socket. */
WOLFSSL		*tls_session_new(WOLFSSL_CTX *, int fd, struct tls_peer *);
const char	*tls_error_string(WOLFSSL *, int ret, char *buf, size_t);
/* Has the session input that no epoll event will announce? */
bool		 tls_buffered(WOLFSSL *, const struct tls_peer *);
/*
 * One recv into the read-ahead buffer, which must be empty: the bytes read,
 * 0 at the end of the stream, -1 with errno. Also before there is a session.
 */
ssize_t		 tls_read_ahead(struct tls_peer *);
/* The handshake is done: what only it needed goes. */
void		 tls_peer_handshaken(struct tls_peer *);
void		 tls_session_handshaken(WOLFSSL *);
/* Between reads: the read-ahead buffer goes if it is empty. */
void		 tls_peer_shrink(struct tls_peer *);
void		 tls_peer_free(struct tls_peer *);

#endif
