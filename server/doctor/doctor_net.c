#include "doctor_net.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <wolfssl/error-ssl.h>
#include <wolfssl/wolfcrypt/error-crypt.h>

#include "../../config/name.h"
#include "../../config/xalloc.h"
#include "../../config/cert.h"

static long
dnet_ms_left(const struct dnet *dn)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (dn->dn_deadline.tv_sec - now.tv_sec) * 1000L +
	    (dn->dn_deadline.tv_nsec - now.tv_nsec) / 1000000L;
}

/* Wait until the socket is ready for `events` or the deadline passes. */
static bool
dnet_wait(struct dnet *dn, short events)
{
	struct pollfd	pfd = { .fd = dn->dn_fd, .events = events };
	long		left;
	int		r;

	for (;;) {
		if ((left = dnet_ms_left(dn)) <= 0) {
			dn->dn_timed_out = true;
			return false;
		}
		r = poll(&pfd, 1, (int)left);
		if (r > 0)
			return true;
		if (r == -1 && errno != EINTR)
			return false;
	}
}

static ssize_t
dnet_raw_read(struct dnet *dn, char *buf, size_t size)
{
	for (;;) {
		ssize_t n = recv(dn->dn_fd, buf, size, 0);

		if (n >= 0 || (errno != EAGAIN && errno != EINTR))
			return n;
		if (!dnet_wait(dn, POLLIN))
			return -1;
	}
}

static bool
dnet_raw_write(struct dnet *dn, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(dn->dn_fd, buf, len, MSG_NOSIGNAL);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
			if (!dnet_wait(dn, POLLOUT))
				return false;
		} else
			return false;
	}
	return true;
}

static int
dnet_tls_recv(WOLFSSL *ssl, char *buf, int size, void *ctx)
{
	struct dnet	*dn = ctx;
	ssize_t		 n;

	(void)ssl;
	n = dnet_raw_read(dn, buf, (size_t)size);
	if (n > 0)
		return (int)n;
	if (n == 0)
		return WOLFSSL_CBIO_ERR_CONN_CLOSE;
	return dn->dn_timed_out ? WOLFSSL_CBIO_ERR_TIMEOUT :
	    errno == ECONNRESET ? WOLFSSL_CBIO_ERR_CONN_RST :
	    WOLFSSL_CBIO_ERR_GENERAL;
}

static int
dnet_tls_send(WOLFSSL *ssl, char *buf, int size, void *ctx)
{
	struct dnet *dn = ctx;

	(void)ssl;
	if (dnet_raw_write(dn, buf, (size_t)size))
		return size;
	return dn->dn_timed_out ? WOLFSSL_CBIO_ERR_TIMEOUT :
	    WOLFSSL_CBIO_ERR_CONN_CLOSE;
}

WOLFSSL_CTX *
dnet_tls_context(const char *cafile, char **why)
{
	WOLFSSL_CTX *ctx = wolfSSL_CTX_new(wolfSSLv23_client_method());

	*why = NULL;
	if (ctx == NULL) {
		*why = xstrdup("cannot create the TLS client context");
		return NULL;
	}
	/* RFC 8461 3.3 and 4.2: senders require TLS 1.2 or newer. */
	if (wolfSSL_CTX_SetMinVersion(ctx, WOLFSSL_TLSV1_2) != WOLFSSL_SUCCESS)
		*why = xstrdup("cannot require TLS 1.2");
	else if (cafile != NULL && wolfSSL_CTX_load_verify_locations(ctx,
	    cafile, NULL) != WOLFSSL_SUCCESS)
		*why = xasprintf("%s: no usable CA certificate in it", cafile);
	else if (cafile == NULL &&
	    wolfSSL_CTX_load_system_CA_certs(ctx) != WOLFSSL_SUCCESS)
		*why = xstrdup("cannot load the system's trusted certificates "
		    "(install ca-certificates, or give --cafile)");
	if (*why != NULL) {
		wolfSSL_CTX_free(ctx);
		return NULL;
	}
	wolfSSL_CTX_set_verify(ctx, WOLFSSL_VERIFY_PEER, NULL);
	wolfSSL_CTX_SetIORecv(ctx, dnet_tls_recv);
	wolfSSL_CTX_SetIOSend(ctx, dnet_tls_send);
	return ctx;
}

bool
dnet_connect(struct dnet *dn, const char *address, int port,
    unsigned timeout_ms, char **why)
{
	struct addrinfo	 hints = { .ai_flags = AI_NUMERICHOST |
	    AI_NUMERICSERV, .ai_socktype = SOCK_STREAM }, *ai;
	char		 service[8];
	int		 err;
	socklen_t	 len = sizeof(err);

	memset(dn, 0, sizeof(*dn));
	dn->dn_fd = -1;
	clock_gettime(CLOCK_MONOTONIC, &dn->dn_deadline);
	dn->dn_deadline.tv_sec += timeout_ms / 1000;
	dn->dn_deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (dn->dn_deadline.tv_nsec >= 1000000000L) {
		dn->dn_deadline.tv_sec++;
		dn->dn_deadline.tv_nsec -= 1000000000L;
	}
	snprintf(service, sizeof(service), "%d", port);
	if ((err = getaddrinfo(address, service, &hints, &ai)) != 0) {
		*why = xasprintf("%s: %s", address, gai_strerror(err));
		return false;
	}
	dn->dn_fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (dn->dn_fd == -1) {
		*why = xasprintf("socket: %s", strerror(errno));
		freeaddrinfo(ai);
		return false;
	}
	err = connect(dn->dn_fd, ai->ai_addr, ai->ai_addrlen) == 0 ? 0 : errno;
	freeaddrinfo(ai);
	if (err == EINPROGRESS) {
		if (!dnet_wait(dn, POLLOUT))
			err = dn->dn_timed_out ? ETIMEDOUT : errno;
		else if (getsockopt(dn->dn_fd, SOL_SOCKET, SO_ERROR, &err,
		    &len) == -1)
			err = errno;
	}
	if (err != 0) {
		dn->dn_connect_errno = err;
		*why = xasprintf("cannot connect to %s port %d: %s", address,
		    port, strerror(err));
		return false;
	}
	return true;
}

bool
dnet_write(struct dnet *dn, const char *buf, size_t len, char **why)
{
	if (dn->dn_ssl != NULL) {
		if (wolfSSL_write(dn->dn_ssl, buf, (int)len) == (int)len)
			return true;
	} else if (dnet_raw_write(dn, buf, len))
		return true;
	*why = xstrdup(dn->dn_timed_out ? "timed out sending" :
	    "the connection was closed while sending");
	return false;
}

ssize_t
dnet_read(struct dnet *dn, char *buf, size_t size, char **why)
{
	ssize_t n;

	if (dn->dn_ssl == NULL) {
		if ((n = dnet_raw_read(dn, buf, size)) >= 0)
			return n;
	} else {
		n = wolfSSL_read(dn->dn_ssl, buf, (int)size);
		if (n > 0)
			return n;
		/* A close without close_notify ends a body all the same. */
		int err = wolfSSL_get_error(dn->dn_ssl, (int)n);
		if (err == WOLFSSL_ERROR_ZERO_RETURN ||
		    err == SOCKET_PEER_CLOSED_E || err == SOCKET_ERROR_E) {
			if (!dn->dn_timed_out)
				return 0;
		}
	}
	*why = xstrdup(dn->dn_timed_out ? "timed out waiting for an answer" :
	    "the connection failed while reading");
	return -1;
}

char *
dnet_line(struct dnet *dn, size_t max, char **why)
{
	for (;;) {
		char	*start = dn->dn_buf + dn->dn_start;
		char	*nl = memchr(start, '\n', dn->dn_end - dn->dn_start);
		ssize_t	 n;

		if (nl != NULL) {
			size_t len = (size_t)(nl - start);

			dn->dn_start += len + 1;
			if (len > 0 && start[len - 1] == '\r')
				len--;
			return xstrndup(start, len);
		}
		if (dn->dn_end - dn->dn_start >= max) {
			*why = xasprintf("a line longer than %zu bytes", max);
			return NULL;
		}
		if (dn->dn_start > 0) {
			memmove(dn->dn_buf, start, dn->dn_end - dn->dn_start);
			dn->dn_end -= dn->dn_start;
			dn->dn_start = 0;
		}
		n = dnet_raw_read(dn, dn->dn_buf + dn->dn_end,
		    sizeof(dn->dn_buf) - dn->dn_end);
		if (n <= 0) {
			*why = xstrdup(n == 0 ? "the server closed the "
			    "connection" : dn->dn_timed_out ? "timed out "
			    "waiting for the server" : "the connection failed");
			return NULL;
		}
		dn->dn_end += (size_t)n;
	}
}

/* RFC 8461 3.3 and 4.1: a dNSName of subjectAltName; the CN does not count. */
static bool
dnet_san_matches(WOLFSSL_X509 *leaf, const char *name)
{
	char *san;
	bool  ok = false;

	while ((san = wolfSSL_X509_get_next_altname(leaf)) != NULL)
		if (!ok && name_pattern_match(san, name))
			ok = true;
	return ok;
}

static void
dnet_tls_failed(struct dtls_info *ti, int err, const char *name)
{
	char text[WOLFSSL_MAX_ERROR_SZ];

	switch (err) {
	case ASN_NO_SIGNER_E:
	case ASN_SELF_SIGNED_E:
		ti->dt_result = DTLS_UNTRUSTED;
		ti->dt_why = xstrdup("the certificate does not chain to a "
		    "trusted root (is the intermediate certificate missing "
		    "from the chain?)");
		return;
	case DOMAIN_NAME_MISMATCH:
		ti->dt_result = DTLS_NAME;
		ti->dt_why = xasprintf("the certificate is not valid for %s",
		    name);
		return;
	case ASN_AFTER_DATE_E:
	case ASN_BEFORE_DATE_E:
		ti->dt_result = DTLS_EXPIRED;
		ti->dt_why = xstrdup(err == ASN_AFTER_DATE_E ?
		    "the certificate has expired" :
		    "the certificate is not valid yet");
		return;
	case VERSION_ERROR:
		ti->dt_result = DTLS_VERSION;
		ti->dt_why = xstrdup("the server offers no TLS 1.2 or newer");
		return;
	}
	ti->dt_result = DTLS_FAILED;
	wolfSSL_ERR_error_string_n((unsigned long)err, text, sizeof(text));
	ti->dt_why = xasprintf("TLS handshake failed: %s", text);
}

bool
dnet_tls(struct dnet *dn, WOLFSSL_CTX *ctx, const char *name,
    struct dtls_info *ti)
{
	WOLFSSL_X509	*leaf;
	int		 ret;

	memset(ti, 0, sizeof(*ti));
	if ((dn->dn_ssl = wolfSSL_new(ctx)) == NULL) {
		ti->dt_result = DTLS_FAILED;
		ti->dt_why = xstrdup("cannot create a TLS session");
		return false;
	}
	wolfSSL_SetIOReadCtx(dn->dn_ssl, dn);
	wolfSSL_SetIOWriteCtx(dn->dn_ssl, dn);
	if (wolfSSL_UseSNI(dn->dn_ssl, WOLFSSL_SNI_HOST_NAME, name,
	    (unsigned short)strlen(name)) != WOLFSSL_SUCCESS ||
	    wolfSSL_check_domain_name(dn->dn_ssl, name) != WOLFSSL_SUCCESS) {
		ti->dt_result = DTLS_FAILED;
		ti->dt_why = xstrdup("cannot set the server name");
		return false;
	}
	if ((ret = wolfSSL_connect(dn->dn_ssl)) != WOLFSSL_SUCCESS) {
		if (dn->dn_timed_out) {
			ti->dt_result = DTLS_FAILED;
			ti->dt_why = xstrdup("timed out in the TLS handshake");
		} else
			dnet_tls_failed(ti, wolfSSL_get_error(dn->dn_ssl, ret),
			    name);
		return false;
	}
	snprintf(ti->dt_version, sizeof(ti->dt_version), "%s",
	    wolfSSL_get_version(dn->dn_ssl));
	snprintf(ti->dt_cipher, sizeof(ti->dt_cipher), "%s",
	    wolfSSL_get_cipher_name(dn->dn_ssl));
	if ((leaf = wolfSSL_get_peer_certificate(dn->dn_ssl)) == NULL) {
		ti->dt_result = DTLS_FAILED;
		ti->dt_why = xstrdup("the server sent no certificate");
		return false;
	}
	ti->dt_not_after = cert_x509_not_after(leaf);
	if (!dnet_san_matches(leaf, name)) {
		ti->dt_result = DTLS_NAME;
		ti->dt_why = xasprintf("no subjectAltName of the certificate "
		    "is %s (a name in the subject CN alone does not count)",
		    name);
	}
	wolfSSL_X509_free(leaf);
	return ti->dt_result == DTLS_OK;
}

void
dnet_close(struct dnet *dn)
{
	if (dn->dn_ssl != NULL) {
		if (!dn->dn_timed_out)
			wolfSSL_shutdown(dn->dn_ssl);
		wolfSSL_free(dn->dn_ssl);
		dn->dn_ssl = NULL;
	}
	if (dn->dn_fd != -1)
		close(dn->dn_fd);
	dn->dn_fd = -1;
}

void
dtls_info_free(struct dtls_info *ti)
{
	free(ti->dt_why);
	ti->dt_why = NULL;
}
