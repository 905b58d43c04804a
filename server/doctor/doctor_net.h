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

struct dnet {
	int		 dn_fd;
	struct timespec	 dn_deadline;	/* CLOCK_MONOTONIC */
	WOLFSSL		*dn_ssl;	/* after dnet_tls() */
	bool		 dn_timed_out;
	int		 dn_connect_errno;	/* why dnet_connect() failed */
	char		 dn_buf[DNET_BUF];
	size_t		 dn_start, dn_end;
};

enum dtls_result {
	DTLS_OK,
	DTLS_UNTRUSTED,		/* no chain to the trust store */
	DTLS_NAME,		/* not valid for the name asked for */
	DTLS_EXPIRED,		/* or not yet valid */
	DTLS_VERSION,		/* nothing TLS 1.2 or newer in common */
	DTLS_FAILED,		/* anything else: dt_why */
};

struct dtls_info {
	enum dtls_result dt_result;
	char		 dt_version[16];	/* "TLSv1.3" */
	char		 dt_cipher[64];
	time_t		 dt_not_after;		/* the leaf's, 0 if unknown */
	char		*dt_why;		/* what went wrong */
};

/* One client context for the whole run: `cafile` or the system's store. */
WOLFSSL_CTX	*dnet_tls_context(const char *cafile, char **why);

/* Connect to a numeric address; the deadline covers everything after. */
bool		 dnet_connect(struct dnet *, const char *address, int port,
		    unsigned timeout_ms, char **why);
bool		 dnet_write(struct dnet *, const char *, size_t, char **why);
/* Up to `size` bytes; 0 at the end of the stream, -1 with *why. */
ssize_t		 dnet_read(struct dnet *, char *, size_t, char **why);
/* A plaintext line without its CRLF, at most `max` bytes (caller frees). */
char		*dnet_line(struct dnet *, size_t max, char **why);
/* TLS on the connection, with SNI and the name check for `name`. */
bool		 dnet_tls(struct dnet *, WOLFSSL_CTX *, const char *name,
		    struct dtls_info *);
void		 dnet_close(struct dnet *);

void		 dtls_info_free(struct dtls_info *);

#endif
