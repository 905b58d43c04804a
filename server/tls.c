/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "tls.h"

#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>

#include "../config/name.h"
#include "../config/xalloc.h"
#include "log.h"
#include "snapshot.h"
#include "ticket.h"

/*
 * AEAD only. TLS 1.3 first; for 1.2, ECDHE with ECDSA before RSA. AES-GCM
 * leads: clients without AES hardware ask for ChaCha20 themselves.
 */
static const char tls_ciphers[] =
    "TLS13-AES128-GCM-SHA256:TLS13-CHACHA20-POLY1305-SHA256:"
    "TLS13-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384";

static int tls_peer_index = -1;

/* The unit of tls_release_zero_pages; a larger page would only find
 * fewer. */
#define TLS_PAGE		4096

static struct tls_peer *
tls_peer_of(WOLFSSL *ssl)
{
	return wolfSSL_get_ex_data(ssl, tls_peer_index);
}

/*
 * The name wolfSSL reports is its copy of the server_name, as a C string:
 * a name with a NUL byte in it ("mta-sts.a.example\0anything") would be
 * cut there and taken for another. So the name must be exactly the bytes
 * of the ClientHello's server_name. A ClientHello over several records
 * (legal, but no client sends its few hundred bytes that way) cannot be
 * checked, and is refused too.
 */
static bool
tls_servername_exact(const struct tls_peer *peer, const void *name,
    size_t len, unsigned char *raw, size_t *rawlen)
{
	unsigned int n = NAME_MAX_LENGTH + 1;

	*rawlen = 0;
	if (peer->tp_hello == NULL ||
	    peer->tp_hello_len != peer->tp_hello_size ||
	    wolfSSL_SNI_GetFromBuffer(peer->tp_hello,
	    (unsigned)peer->tp_hello_len, WOLFSSL_SNI_HOST_NAME, raw, &n) !=
	    WOLFSSL_SUCCESS)
		return false;
	*rawlen = n;
	return n == len && memcmp(raw, name, len) == 0;
}

/*
 * Runs when the ClientHello's extensions are parsed. A name this snapshot
 * does not serve, or no name at all, ends the handshake with the
 * unrecognized_name alert (RFC 6066 3): never a certificate for another name.
 */
static int
tls_servername(WOLFSSL *ssl, int *alert, void *arg)
{
	struct tls_peer		*peer = tls_peer_of(ssl);
	void			*name = NULL;
	unsigned char		 raw[NAME_MAX_LENGTH + 1];
	size_t			 rawlen;
	unsigned short		 len;
	char			 text[4 * (NAME_MAX_LENGTH + 1) + 1];	/* \xNN */

	(void)arg;
	len = wolfSSL_SNI_GetRequest(ssl, WOLFSSL_SNI_HOST_NAME, &name);
	if (len == 0 || name == NULL) {
		peer->tp_refusal = TLS_REFUSED_NO_SNI;
		*alert = unrecognized_name;
		return fatal_return;
	}
	if (!tls_servername_exact(peer, name, len, raw, &rawlen)) {
		peer->tp_refusal = TLS_REFUSED_UNKNOWN_NAME;
		if (rawlen > 0)
			log_info("%s: handshake refused: no policy for the "
			    "name '%s'", peer->tp_addr,
			    log_clean(text, sizeof(text), (const char *)raw,
			    rawlen));
		else
			log_info("%s: handshake refused: the server name "
			    "cannot be read from the ClientHello (several "
			    "records?)", peer->tp_addr);
		*alert = unrecognized_name;
		return fatal_return;
	}
	peer->tp_host = snapshot_lookup(peer->tp_snap, name, len);
	if (peer->tp_host == NULL) {
		peer->tp_refusal = TLS_REFUSED_UNKNOWN_NAME;
		log_info("%s: handshake refused: no policy for the name '%s'",
		    peer->tp_addr, log_clean(text, sizeof(text), name, len));
		*alert = unrecognized_name;
		return fatal_return;
	}
	return 0;
}

/*
 * Keep a copy of the client's first record: its header first, then, once
 * the header says how long it is, the whole of it. What a record cannot
 * be is not kept (wolfSSL refuses it anyway).
 */
static void
tls_hello_keep(struct tls_peer *peer, const unsigned char *p, size_t n)
{
	size_t take;

	if (peer->tp_hello_size != 0 && peer->tp_hello_len == peer->tp_hello_size)
		return;		/* complete, or not a record to keep */
	if (peer->tp_hello_len < TLS_RECORD_HEADER) {
		take = TLS_RECORD_HEADER - peer->tp_hello_len;
		take = take < n ? take : n;
		memcpy(peer->tp_hello_head + peer->tp_hello_len, p, take);
		peer->tp_hello_len += take;
		p += take;
		n -= take;
		if (peer->tp_hello_len < TLS_RECORD_HEADER)
			return;
		peer->tp_hello_size = TLS_RECORD_HEADER +
		    ((size_t)peer->tp_hello_head[3] << 8 |
		    peer->tp_hello_head[4]);
		if (peer->tp_hello_size > TLS_RECORD_HEADER + TLS_RECORD_MAX) {
			/* Nothing to check, and nothing will be served. */
			peer->tp_hello_size = peer->tp_hello_len;
			return;
		}
		peer->tp_hello = xmalloc(peer->tp_hello_size);
		memcpy(peer->tp_hello, peer->tp_hello_head, TLS_RECORD_HEADER);
	}
	take = peer->tp_hello_size - peer->tp_hello_len;
	take = take < n ? take : n;
	memcpy(peer->tp_hello + peer->tp_hello_len, p, take);
	peer->tp_hello_len += take;
}

ssize_t
tls_read_ahead(struct tls_peer *peer)
{
	unsigned char	 first[TLS_READAHEAD];
	ssize_t		 r;

	if (peer->tp_rbuf != NULL)
		r = recv(peer->tp_fd, peer->tp_rbuf, TLS_READAHEAD, 0);
	else if ((r = recv(peer->tp_fd, first, sizeof(first), 0)) > 0) {
		/* The first bytes: from now on the connection needs it. */
		peer->tp_rbuf = xmalloc(TLS_READAHEAD);
		memcpy(peer->tp_rbuf, first, (size_t)r);
	}
	if (r > 0) {
		peer->tp_roff = 0;
		peer->tp_rlen = (size_t)r;
	}
	peer->tp_drained = r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
	return r;
}

void
tls_peer_handshaken(struct tls_peer *peer)
{
	free(peer->tp_hello);
	peer->tp_hello = NULL;
}

/*
 * Give back the pages of a wolfSSL allocation that hold nothing but zeros.
 * Debian's wolfSSL keeps room in every session object for two chains of
 * peer certificates (SESSION_CERTS, WOLFSSL_ALT_CERT_CHAINS): some 37 KiB,
 * zeroed by wolfSSL_new and never written by a server that asks for no
 * client certificate. A private anonymous page given back with
 * MADV_DONTNEED reads as zeros again, so the contents are unchanged; the
 * page is only made again if it is written to. The allocations are
 * glibc's (wolfSSL's allocators are malloc's: tls_ctx_new), so
 * malloc_usable_size tells their extent.
 */
static void
tls_release_zero_pages(void *ptr)
{
	static const unsigned char	 zero[TLS_PAGE];
	uintptr_t			 start, end, run = 0;

	if (ptr == NULL)
		return;
	start = ((uintptr_t)ptr + TLS_PAGE - 1) & ~(uintptr_t)(TLS_PAGE - 1);
	end = ((uintptr_t)ptr + malloc_usable_size(ptr)) &
	    ~(uintptr_t)(TLS_PAGE - 1);
	for (uintptr_t p = start; p < end; p += TLS_PAGE) {
		if (memcmp((const void *)p, zero, TLS_PAGE) == 0) {
			if (run == 0)
				run = p;
			continue;
		}
		if (run != 0)
			madvise((void *)run, p - run, MADV_DONTNEED);
		run = 0;
	}
	if (run != 0)
		madvise((void *)run, end - run, MADV_DONTNEED);
}

void
tls_session_handshaken(WOLFSSL *ssl)
{
	/* A certificate, its key and the handshake's secrets are not needed
	 * again: renegotiation is refused, and TLS 1.3 key updates derive
	 * from the traffic secrets. */
	wolfSSL_UnloadCertsKeys(ssl);
	wolfSSL_FreeArrays(ssl);
	tls_release_zero_pages(wolfSSL_get_session(ssl));
	tls_release_zero_pages(ssl);
}

void
tls_peer_shrink(struct tls_peer *peer)
{
	if (peer->tp_rlen == 0) {
		free(peer->tp_rbuf);
		peer->tp_rbuf = NULL;
	}
}

void
tls_peer_free(struct tls_peer *peer)
{
	free(peer->tp_rbuf);
	peer->tp_rbuf = NULL;
	peer->tp_rlen = 0;
	tls_peer_handshaken(peer);
}

/* wolfSSL's receive: one recv fills the read-ahead buffer. */
static int
tls_recv(WOLFSSL *ssl, char *buf, int size, void *ctx)
{
	struct tls_peer	*peer = ctx;
	size_t		 n;

	(void)ssl;
	if (peer->tp_rlen == 0 && peer->tp_drained)
		return WOLFSSL_CBIO_ERR_WANT_READ;
	if (peer->tp_rlen == 0) {
		ssize_t r = tls_read_ahead(peer);

		if (r == 0)
			return WOLFSSL_CBIO_ERR_CONN_CLOSE;
		if (r < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return WOLFSSL_CBIO_ERR_WANT_READ;
			if (errno == EINTR)
				return WOLFSSL_CBIO_ERR_ISR;
			if (errno == ECONNRESET)
				return WOLFSSL_CBIO_ERR_CONN_RST;
			return WOLFSSL_CBIO_ERR_GENERAL;
		}
	}
	n = peer->tp_rlen < (size_t)size ? peer->tp_rlen : (size_t)size;
	memcpy(buf, peer->tp_rbuf + peer->tp_roff, n);
	if (peer->tp_host == NULL)
		tls_hello_keep(peer, peer->tp_rbuf + peer->tp_roff, n);
	peer->tp_roff += n;
	peer->tp_rlen -= n;
	return (int)n;
}

bool
tls_buffered(WOLFSSL *ssl, const struct tls_peer *peer)
{
	return peer->tp_rlen > 0 || wolfSSL_has_pending(ssl);
}

/* Install the matched name's chain and key, DER from the snapshot. */
static int
tls_certificate(WOLFSSL *ssl, void *arg)
{
	struct tls_peer		*peer = tls_peer_of(ssl);
	const struct cert	*crt;

	(void)arg;
	if (peer->tp_host == NULL)
		return 0;
	crt = peer->tp_host->h_cert;
	if (wolfSSL_use_certificate_chain_buffer_format(ssl, crt->crt_chain,
	    (long)crt->crt_chain_len, WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS ||
	    wolfSSL_use_PrivateKey_buffer(ssl, crt->crt_key,
	    (long)crt->crt_key_len, WOLFSSL_FILETYPE_ASN1) != WOLFSSL_SUCCESS) {
		log_warnx("%s: cannot use the certificate from %s",
		    peer->tp_addr, crt->crt_file);
		return 0;
	}
	return 1;
}

WOLFSSL_CTX *
tls_ctx_new(void)
{
	/* X25519 first: several times cheaper than P-256 in this wolfSSL. */
	int		 groups[] = { WOLFSSL_ECC_X25519, WOLFSSL_ECC_SECP256R1,
			    WOLFSSL_ECC_SECP384R1 };
	WOLFSSL_CTX	*ctx;

	/* glibc's allocator, whatever wolfSSL's default: see
	 * tls_release_zero_pages. */
	if (wolfSSL_SetAllocators(malloc, free, realloc) != 0 ||
	    wolfSSL_Init() != WOLFSSL_SUCCESS)
		fatalx("wolfSSL_Init failed");
	tls_peer_index = wolfSSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
	ctx = wolfSSL_CTX_new(wolfSSLv23_server_method());
	if (ctx == NULL)
		fatalx("cannot create the TLS context");
	if (wolfSSL_CTX_SetMinVersion(ctx, WOLFSSL_TLSV1_2) != WOLFSSL_SUCCESS)
		fatalx("cannot require TLS 1.2 or newer");
	if (wolfSSL_CTX_set_cipher_list(ctx, tls_ciphers) != WOLFSSL_SUCCESS)
		fatalx("cannot set the cipher suites");
	if (wolfSSL_CTX_set_groups(ctx, groups,
	    (int)(sizeof(groups) / sizeof(groups[0]))) != WOLFSSL_SUCCESS)
		fatalx("cannot set the key exchange groups");
	/*
	 * Record the client's SNI whatever it is ("answer on mismatch"), so
	 * the callbacks above can look it up; they do the refusing.
	 */
	if (wolfSSL_CTX_UseSNI(ctx, WOLFSSL_SNI_HOST_NAME, "", 0) !=
	    WOLFSSL_SUCCESS)
		fatalx("cannot enable SNI");
	wolfSSL_CTX_SNI_SetOptions(ctx, WOLFSSL_SNI_HOST_NAME,
	    WOLFSSL_SNI_ANSWER_ON_MISMATCH);
	wolfSSL_CTX_set_servername_callback(ctx, tls_servername);
	wolfSSL_CTX_set_cert_cb(ctx, tls_certificate, NULL);
	wolfSSL_CTX_SetIORecv(ctx, tls_recv);
	/*
	 * Resumption is by session ticket only: wolfSSL's cache of sessions by
	 * id would copy each session (some 37 KiB in this build) into a table
	 * under a lock on every handshake, and fill its rows with them.
	 */
	wolfSSL_CTX_set_session_cache_mode(ctx, WOLFSSL_SESS_CACHE_OFF);
	/* Senders fetch rarely and never reuse a session much: one ticket. */
	wolfSSL_CTX_set_num_tickets(ctx, 1);
	if (ticket_init(ctx) == -1)
		fatalx("cannot set up session tickets");
	return ctx;
}

WOLFSSL *
tls_session_new(WOLFSSL_CTX *ctx, int fd, struct tls_peer *peer)
{
	WOLFSSL *ssl = wolfSSL_new(ctx);

	if (ssl == NULL)
		return NULL;
	if (wolfSSL_set_fd(ssl, fd) != WOLFSSL_SUCCESS ||
	    wolfSSL_set_ex_data(ssl, tls_peer_index, peer) != WOLFSSL_SUCCESS ||
	    ticket_attach(ssl, peer->tp_tickets) == -1) {
		wolfSSL_free(ssl);
		return NULL;
	}
	peer->tp_fd = fd;
	wolfSSL_SetIOReadCtx(ssl, peer);
	return ssl;
}

const char *
tls_error_string(WOLFSSL *ssl, int ret, char *buf, size_t size)
{
	char tmp[WOLFSSL_MAX_ERROR_SZ];
	int err = wolfSSL_get_error(ssl, ret);

	wolfSSL_ERR_error_string_n((unsigned long)err, tmp, sizeof(tmp));
	snprintf(buf, size, "%s", tmp);
	return buf;
}
