/* SPDX-License-Identifier: GPL-2.0-or-later */
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
doctor_net_ms_left(const struct doctor_conn *co)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (co->co_deadline.tv_sec - now.tv_sec) * 1000L +
	    (co->co_deadline.tv_nsec - now.tv_nsec) / 1000000L;
}

/* Wait until the socket is ready for `events` or the deadline passes. */
static bool
doctor_net_wait(struct doctor_conn *co, short events)
{
	struct pollfd	pfd = { .fd = co->co_fd, .events = events };
	long		left;
	int		r;

	for (;;) {
		if ((left = doctor_net_ms_left(co)) <= 0) {
			co->co_timed_out = true;
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
doctor_net_raw_read(struct doctor_conn *co, char *buf, size_t size)
{
	for (;;) {
		ssize_t n = recv(co->co_fd, buf, size, 0);

		if (n >= 0 || (errno != EAGAIN && errno != EINTR))
			return n;
		if (!doctor_net_wait(co, POLLIN))
			return -1;
	}
}

static bool
doctor_net_raw_write(struct doctor_conn *co, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(co->co_fd, buf, len, MSG_NOSIGNAL);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n == -1 && (errno == EAGAIN || errno == EINTR)) {
			if (!doctor_net_wait(co, POLLOUT))
				return false;
		} else
			return false;
	}
	return true;
}

static int
doctor_net_tls_recv(WOLFSSL *ssl, char *buf, int size, void *ctx)
{
	struct doctor_conn *co = ctx;
	ssize_t		 n;

	(void)ssl;
	n = doctor_net_raw_read(co, buf, (size_t)size);
	if (n > 0)
		return (int)n;
	if (n == 0)
		return WOLFSSL_CBIO_ERR_CONN_CLOSE;
	return co->co_timed_out ? WOLFSSL_CBIO_ERR_TIMEOUT :
	    errno == ECONNRESET ? WOLFSSL_CBIO_ERR_CONN_RST :
	    WOLFSSL_CBIO_ERR_GENERAL;
}

static int
doctor_net_tls_send(WOLFSSL *ssl, char *buf, int size, void *ctx)
{
	struct doctor_conn *co = ctx;

	(void)ssl;
	if (doctor_net_raw_write(co, buf, (size_t)size))
		return size;
	return co->co_timed_out ? WOLFSSL_CBIO_ERR_TIMEOUT :
	    WOLFSSL_CBIO_ERR_CONN_CLOSE;
}

WOLFSSL_CTX *
doctor_net_tls_context(const char *cafile, char **why)
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
	wolfSSL_CTX_SetIORecv(ctx, doctor_net_tls_recv);
	wolfSSL_CTX_SetIOSend(ctx, doctor_net_tls_send);
	return ctx;
}

bool
doctor_net_connect(struct doctor_conn *co, const char *address, int port,
    unsigned timeout_ms, char **why)
{
	struct addrinfo	 hints = { .ai_flags = AI_NUMERICHOST |
	    AI_NUMERICSERV, .ai_socktype = SOCK_STREAM }, *ai;
	char		 service[8];
	int		 err;
	socklen_t	 len = sizeof(err);

	memset(co, 0, sizeof(*co));
	co->co_fd = -1;
	clock_gettime(CLOCK_MONOTONIC, &co->co_deadline);
	co->co_deadline.tv_sec += timeout_ms / 1000;
	co->co_deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	if (co->co_deadline.tv_nsec >= 1000000000L) {
		co->co_deadline.tv_sec++;
		co->co_deadline.tv_nsec -= 1000000000L;
	}
	snprintf(service, sizeof(service), "%d", port);
	if ((err = getaddrinfo(address, service, &hints, &ai)) != 0) {
		*why = xasprintf("%s: %s", address, gai_strerror(err));
		return false;
	}
	co->co_fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (co->co_fd == -1) {
		*why = xasprintf("socket: %s", strerror(errno));
		freeaddrinfo(ai);
		return false;
	}
	err = connect(co->co_fd, ai->ai_addr, ai->ai_addrlen) == 0 ? 0 : errno;
	freeaddrinfo(ai);
	if (err == EINPROGRESS) {
		if (!doctor_net_wait(co, POLLOUT))
			err = co->co_timed_out ? ETIMEDOUT : errno;
		else if (getsockopt(co->co_fd, SOL_SOCKET, SO_ERROR, &err,
		    &len) == -1)
			err = errno;
	}
	if (err != 0) {
		co->co_connect_errno = err;
		*why = xasprintf("cannot connect to %s port %d: %s", address,
		    port, strerror(err));
		return false;
	}
	return true;
}

bool
doctor_net_write(struct doctor_conn *co, const char *buf, size_t len,
    char **why)
{
	if (co->co_ssl != NULL) {
		if (wolfSSL_write(co->co_ssl, buf, (int)len) == (int)len)
			return true;
	} else if (doctor_net_raw_write(co, buf, len))
		return true;
	*why = xstrdup(co->co_timed_out ? "timed out sending" :
	    "the connection was closed while sending");
	return false;
}

ssize_t
doctor_net_read(struct doctor_conn *co, char *buf, size_t size, char **why)
{
	ssize_t n;

	if (co->co_ssl == NULL) {
		if ((n = doctor_net_raw_read(co, buf, size)) >= 0)
			return n;
	} else {
		n = wolfSSL_read(co->co_ssl, buf, (int)size);
		if (n > 0)
			return n;
		/* A close without close_notify ends a body all the same. */
		int err = wolfSSL_get_error(co->co_ssl, (int)n);
		if (err == WOLFSSL_ERROR_ZERO_RETURN ||
		    err == SOCKET_PEER_CLOSED_E || err == SOCKET_ERROR_E) {
			if (!co->co_timed_out)
				return 0;
		}
	}
	*why = xstrdup(co->co_timed_out ? "timed out waiting for an answer" :
	    "the connection failed while reading");
	return -1;
}

char *
doctor_net_line(struct doctor_conn *co, size_t max, char **why)
{
	for (;;) {
		char	*start = co->co_buf + co->co_start;
		char	*nl = memchr(start, '\n', co->co_end - co->co_start);
		ssize_t	 n;

		if (nl != NULL) {
			size_t len = (size_t)(nl - start);

			co->co_start += len + 1;
			if (len > 0 && start[len - 1] == '\r')
				len--;
			return xstrndup(start, len);
		}
		if (co->co_end - co->co_start >= max) {
			*why = xasprintf("a line longer than %zu bytes", max);
			return NULL;
		}
		if (co->co_start > 0) {
			memmove(co->co_buf, start, co->co_end - co->co_start);
			co->co_end -= co->co_start;
			co->co_start = 0;
		}
		n = doctor_net_raw_read(co, co->co_buf + co->co_end,
		    sizeof(co->co_buf) - co->co_end);
		if (n <= 0) {
			*why = xstrdup(n == 0 ? "the server closed the "
			    "connection" : co->co_timed_out ? "timed out "
			    "waiting for the server" : "the connection failed");
			return NULL;
		}
		co->co_end += (size_t)n;
	}
}

/* RFC 8461 3.3 and 4.1: a dNSName of subjectAltName; the CN does not count. */
static bool
doctor_net_san_matches(WOLFSSL_X509 *leaf, const char *name)
{
	char *san;
	bool  ok = false;

	while ((san = wolfSSL_X509_get_next_altname(leaf)) != NULL)
		if (!ok && name_pattern_match(san, name))
			ok = true;
	return ok;
}

static void
doctor_net_tls_failed(struct doctor_tls_result *tr, int err, const char *name)
{
	char text[WOLFSSL_MAX_ERROR_SZ];

	switch (err) {
	case ASN_NO_SIGNER_E:
	case ASN_SELF_SIGNED_E:
		tr->tr_verdict = DTLS_UNTRUSTED;
		tr->tr_why = xstrdup("the certificate does not chain to a "
		    "trusted root (is the intermediate certificate missing "
		    "from the chain?)");
		return;
	case DOMAIN_NAME_MISMATCH:
		tr->tr_verdict = DTLS_NAME;
		tr->tr_why = xasprintf("the certificate is not valid for %s",
		    name);
		return;
	case ASN_AFTER_DATE_E:
	case ASN_BEFORE_DATE_E:
		tr->tr_verdict = DTLS_EXPIRED;
		tr->tr_why = xstrdup(err == ASN_AFTER_DATE_E ?
		    "the certificate has expired" :
		    "the certificate is not valid yet");
		return;
	case VERSION_ERROR:
		tr->tr_verdict = DTLS_VERSION;
		tr->tr_why = xstrdup("the server offers no TLS 1.2 or newer");
		return;
	}
	tr->tr_verdict = DTLS_FAILED;
	wolfSSL_ERR_error_string_n((unsigned long)err, text, sizeof(text));
	tr->tr_why = xasprintf("TLS handshake failed: %s", text);
}

bool
doctor_net_tls(struct doctor_conn *co, WOLFSSL_CTX *ctx, const char *name,
    struct doctor_tls_result *tr)
{
	WOLFSSL_X509	*leaf;
	int		 ret;

	memset(tr, 0, sizeof(*tr));
	if ((co->co_ssl = wolfSSL_new(ctx)) == NULL) {
		tr->tr_verdict = DTLS_FAILED;
		tr->tr_why = xstrdup("cannot create a TLS session");
		return false;
	}
	wolfSSL_SetIOReadCtx(co->co_ssl, co);
	wolfSSL_SetIOWriteCtx(co->co_ssl, co);
	if (wolfSSL_UseSNI(co->co_ssl, WOLFSSL_SNI_HOST_NAME, name,
	    (unsigned short)strlen(name)) != WOLFSSL_SUCCESS ||
	    wolfSSL_check_domain_name(co->co_ssl, name) != WOLFSSL_SUCCESS) {
		tr->tr_verdict = DTLS_FAILED;
		tr->tr_why = xstrdup("cannot set the server name");
		return false;
	}
	if ((ret = wolfSSL_connect(co->co_ssl)) != WOLFSSL_SUCCESS) {
		if (co->co_timed_out) {
			tr->tr_verdict = DTLS_FAILED;
			tr->tr_why = xstrdup("timed out in the TLS handshake");
		} else
			doctor_net_tls_failed(tr,
			    wolfSSL_get_error(co->co_ssl, ret), name);
		return false;
	}
	snprintf(tr->tr_version, sizeof(tr->tr_version), "%s",
	    wolfSSL_get_version(co->co_ssl));
	snprintf(tr->tr_cipher, sizeof(tr->tr_cipher), "%s",
	    wolfSSL_get_cipher_name(co->co_ssl));
	if ((leaf = wolfSSL_get_peer_certificate(co->co_ssl)) == NULL) {
		tr->tr_verdict = DTLS_FAILED;
		tr->tr_why = xstrdup("the server sent no certificate");
		return false;
	}
	tr->tr_not_after = cert_x509_not_after(leaf);
	if (!doctor_net_san_matches(leaf, name)) {
		tr->tr_verdict = DTLS_NAME;
		tr->tr_why = xasprintf("no subjectAltName of the certificate "
		    "is %s (a name in the subject CN alone does not count)",
		    name);
	}
	wolfSSL_X509_free(leaf);
	return tr->tr_verdict == DTLS_OK;
}

void
doctor_net_close(struct doctor_conn *co)
{
	if (co->co_ssl != NULL) {
		if (!co->co_timed_out)
			wolfSSL_shutdown(co->co_ssl);
		wolfSSL_free(co->co_ssl);
		co->co_ssl = NULL;
	}
	if (co->co_fd != -1)
		close(co->co_fd);
	co->co_fd = -1;
}

void
doctor_net_tls_result_free(struct doctor_tls_result *tr)
{
	free(tr->tr_why);
	tr->tr_why = NULL;
}
