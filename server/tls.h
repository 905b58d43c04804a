/*
 * TLS with wolfSSL: one context for every name. The certificate is chosen
 * per connection from the SNI name in the connection's snapshot, so names
 * and certificates change without touching the context.
 */
#ifndef MTA_STS_TLS_H
#define MTA_STS_TLS_H

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

struct snapshot;
struct host;

/* What the callbacks need from a connection. */
struct tls_peer {
	struct snapshot		*tp_snap;
	const struct host	*tp_host;	/* set once SNI matched */
	const char		*tp_addr;	/* client address, for logs */
	int			 tp_refusal;	/* why the handshake was refused */
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

#endif
