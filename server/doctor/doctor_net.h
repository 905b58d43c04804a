/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The doctor's connections: TCP with one deadline for everything done on
 * it, and TLS through wolfSSL's client side, verified as a sender verifies
 * (the trust store, the host name in subjectAltName, TLS 1.2 or newer).
 */
#ifndef MTA_STS_DOCTOR_NET_H
#define MTA_STS_DOCTOR_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

/* Plaintext lines (SMTP replies) are read through this buffer. */
#define DNET_BUF	4096

/* A client connection, and its deadline. */
struct doctor_conn {
	int		 co_fd;
	struct timespec	 co_deadline;	/* CLOCK_MONOTONIC */
	WOLFSSL		*co_ssl;	/* after doctor_net_tls() */
	bool		 co_timed_out;
	int		 co_connect_errno;	/* why connecting failed */
	char		 co_buf[DNET_BUF];
	size_t		 co_start, co_end;
};

enum doctor_tls_verdict {
	DTLS_OK,
	DTLS_UNTRUSTED,		/* no chain to the trust store */
	DTLS_NAME,		/* not valid for the name asked for */
	DTLS_EXPIRED,		/* or not yet valid */
	DTLS_VERSION,		/* nothing TLS 1.2 or newer in common */
	DTLS_FAILED,		/* anything else: tr_why */
};

/* What a TLS handshake showed: the verdict as a sender would reach it. */
struct doctor_tls_result {
	enum doctor_tls_verdict tr_verdict;
	char		 tr_version[16];	/* "TLSv1.3" */
	char		 tr_cipher[64];
	time_t		 tr_not_after;		/* the leaf's, 0 if unknown */
	char		*tr_why;		/* what went wrong */
};

/* One client context for the whole run: `cafile` or the system's store. */
WOLFSSL_CTX *doctor_net_tls_context(const char *cafile, char **why);

/* Connect to a numeric address; the deadline covers everything after. */
bool	doctor_net_connect(struct doctor_conn *, const char *address, int port,
	    unsigned timeout_ms, char **why);
bool	doctor_net_write(struct doctor_conn *, const char *, size_t,
	    char **why);
/* Up to `size` bytes; 0 at the end of the stream, -1 with *why. */
ssize_t	doctor_net_read(struct doctor_conn *, char *, size_t, char **why);
/* A plaintext line without its CRLF, at most `max` bytes (caller frees). */
char	*doctor_net_line(struct doctor_conn *, size_t max, char **why);
/* TLS on the connection, with SNI and the name check for `name`. */
bool	doctor_net_tls(struct doctor_conn *, WOLFSSL_CTX *, const char *name,
	    struct doctor_tls_result *);
void	doctor_net_close(struct doctor_conn *);

void	doctor_net_tls_result_free(struct doctor_tls_result *);

#endif
