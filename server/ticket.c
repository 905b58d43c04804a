/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "ticket.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <wolfssl/wolfcrypt/coding.h>
#include <wolfssl/wolfcrypt/hmac.h>

#include "log.h"

/* The session's keys (ticket_attach), in wolfSSL's per-session data. */
static int ticket_index = -1;

static int
ticket_random(void *buf, size_t len)
{
	unsigned char	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if ((n = getrandom(p, len, 0)) <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
ticket_keys_rotate(struct ticket_keys *keys, time_t now)
{
	struct ticket_key fresh = { .tk_valid = true };

	if (ticket_random(fresh.tk_name, sizeof(fresh.tk_name)) == -1 ||
	    ticket_random(fresh.tk_secret, sizeof(fresh.tk_secret)) == -1)
		return -1;
	if (keys->tks_from_file) {
		/* The file's keys go: from now on the daemon makes its own. */
		ticket_keys_wipe(keys);
	}
	explicit_bzero(&keys->tks_keys[1], sizeof(keys->tks_keys[1]));
	keys->tks_keys[1] = keys->tks_keys[0];
	keys->tks_keys[0] = fresh;
	keys->tks_count = keys->tks_keys[1].tk_valid ? 2 : 1;
	for (size_t i = 2; i < TICKET_KEYS_MAX; i++)
		explicit_bzero(&keys->tks_keys[i], sizeof(keys->tks_keys[i]));
	keys->tks_rotated = now;
	explicit_bzero(&fresh, sizeof(fresh));
	return 0;
}

time_t
ticket_keys_due(const struct ticket_keys *keys)
{
	return keys->tks_rotated + TICKET_ROTATE_SECONDS;
}

/* One line of a key file: the base64 of a name and a secret. */
static int
ticket_keys_line(struct ticket_keys *keys, char *line, const char *path,
    unsigned lineno, char *err, size_t errlen)
{
	unsigned char	raw[TICKET_FILE_KEY_SIZE + 4];
	word32		n = sizeof(raw);
	size_t		len = strcspn(line, "\r");
	int		rc = 0;

	line[len] = '\0';
	if (keys->tks_count == TICKET_KEYS_MAX) {
		snprintf(err, errlen, "%s:%u: more than %d keys", path, lineno,
		    TICKET_KEYS_MAX);
		return -1;
	}
	if (Base64_Decode((const unsigned char *)line, (word32)len, raw, &n) !=
	    0 || n != TICKET_FILE_KEY_SIZE) {
		snprintf(err, errlen, "%s:%u: not the base64 of %d bytes "
		    "(make one with: openssl rand -base64 %d)", path, lineno,
		    TICKET_FILE_KEY_SIZE, TICKET_FILE_KEY_SIZE);
		rc = -1;
	} else {
		struct ticket_key *k = &keys->tks_keys[keys->tks_count++];

		memcpy(k->tk_name, raw, WOLFSSL_TICKET_NAME_SZ);
		memcpy(k->tk_secret, raw + WOLFSSL_TICKET_NAME_SZ,
		    TICKET_KEY_SIZE);
		k->tk_valid = true;
	}
	explicit_bzero(raw, sizeof(raw));
	return rc;
}

int
ticket_keys_load(struct ticket_keys *keys, const char *path, char *err,
    size_t errlen)
{
	struct ticket_keys	 fresh = { .tks_from_file = true };
	char			 buf[TICKET_FILE_MAX + 1], *line, *next;
	unsigned		 lineno = 0;
	struct stat		 st;
	ssize_t			 n;
	int			 fd, rc = 0;

	/* Not blocking: a FIFO would hold the daemon up in open(2). */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		snprintf(err, errlen, "%s: cannot open: %s", path,
		    strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n < 0 || n > TICKET_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path, n < 0 ? strerror(errno) :
		    "larger than a key file can be");
		explicit_bzero(buf, sizeof(buf));
		return -1;
	}
	buf[n] = '\0';
	for (line = buf; rc == 0 && line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		lineno++;
		line += strspn(line, " \t");
		if (*line == '\0' || *line == '#' || *line == '\r')
			continue;
		rc = ticket_keys_line(&fresh, line, path, lineno, err, errlen);
	}
	explicit_bzero(buf, sizeof(buf));
	if (rc == 0 && fresh.tks_count == 0) {
		snprintf(err, errlen, "%s: no key in it", path);
		rc = -1;
	}
	if (rc == 0) {
		ticket_keys_wipe(keys);
		*keys = fresh;
	}
	explicit_bzero(&fresh, sizeof(fresh));
	return rc;
}

void
ticket_keys_wipe(struct ticket_keys *keys)
{
	explicit_bzero(keys, sizeof(*keys));
}

int
ticket_attach(WOLFSSL *ssl, const struct ticket_keys *keys)
{
	return wolfSSL_set_ex_data(ssl, ticket_index, (void *)keys) ==
	    WOLFSSL_SUCCESS ? 0 : -1;
}

/* The key for one name: HMAC-SHA256(master, SNI). */
static int
ticket_name_key(const struct ticket_key *k, WOLFSSL *ssl,
    unsigned char out[TICKET_KEY_SIZE])
{
	void		*sni = NULL;
	unsigned short	 len;
	Hmac		 hmac;
	int		 rc;

	len = wolfSSL_SNI_GetRequest(ssl, WOLFSSL_SNI_HOST_NAME, &sni);
	if (len == 0 || sni == NULL)
		return -1;
	if (wc_HmacInit(&hmac, NULL, INVALID_DEVID) != 0)
		return -1;
	rc = wc_HmacSetKey(&hmac, WC_SHA256, k->tk_secret, TICKET_KEY_SIZE) ||
	    wc_HmacUpdate(&hmac, sni, len) || wc_HmacFinal(&hmac, out);
	wc_HmacFree(&hmac);
	return rc == 0 ? 0 : -1;
}

static int
ticket_seal(WOLFSSL *ssl, unsigned char name[WOLFSSL_TICKET_NAME_SZ],
    unsigned char iv[WOLFSSL_TICKET_IV_SZ],
    unsigned char mac[WOLFSSL_TICKET_MAC_SZ], unsigned char *ticket,
    int len, int *outlen)
{
	const struct ticket_keys	*keys = wolfSSL_get_ex_data(ssl,
					    ticket_index);
	unsigned char			 key[TICKET_KEY_SIZE];
	int				 rc = WOLFSSL_TICKET_RET_FATAL;

	if (keys == NULL || keys->tks_count == 0)
		return rc;
	memcpy(name, keys->tks_keys[0].tk_name, WOLFSSL_TICKET_NAME_SZ);
	if (ticket_name_key(&keys->tks_keys[0], ssl, key) == -1)
		return rc;
	memset(iv, 0, WOLFSSL_TICKET_IV_SZ);
	memset(mac, 0, WOLFSSL_TICKET_MAC_SZ);
	if (ticket_random(iv, CHACHA20_POLY1305_AEAD_IV_SIZE) == 0 &&
	    wc_ChaCha20Poly1305_Encrypt(key, iv, name, WOLFSSL_TICKET_NAME_SZ,
	    ticket, (word32)len, ticket, mac) == 0) {
		*outlen = len;
		rc = WOLFSSL_TICKET_RET_OK;
	}
	explicit_bzero(key, sizeof(key));
	return rc;
}

static int
ticket_open(WOLFSSL *ssl, unsigned char name[WOLFSSL_TICKET_NAME_SZ],
    unsigned char iv[WOLFSSL_TICKET_IV_SZ],
    unsigned char mac[WOLFSSL_TICKET_MAC_SZ], unsigned char *ticket,
    int len, int *outlen)
{
	const struct ticket_keys	*keys = wolfSSL_get_ex_data(ssl,
					    ticket_index);
	unsigned char			 key[TICKET_KEY_SIZE];
	int				 which = -1;
	int				 rc = WOLFSSL_TICKET_RET_REJECT;

	if (keys == NULL)
		return rc;
	for (size_t i = 0; i < keys->tks_count && which == -1; i++)
		if (memcmp(keys->tks_keys[i].tk_name, name,
		    WOLFSSL_TICKET_NAME_SZ) == 0)
			which = (int)i;
	/* An unknown or expired key, or no SNI: a full handshake. */
	if (which == -1 || ticket_name_key(&keys->tks_keys[which], ssl, key) ==
	    -1)
		return rc;
	if (wc_ChaCha20Poly1305_Decrypt(key, iv, name, WOLFSSL_TICKET_NAME_SZ,
	    ticket, (word32)len, mac, ticket) == 0) {
		*outlen = len;
		/* Sealed with a key that no longer seals: resume, and issue
		 * a ticket sealed with the one that does. */
		rc = which == 0 ? WOLFSSL_TICKET_RET_OK :
		    WOLFSSL_TICKET_RET_CREATE;
	}
	explicit_bzero(key, sizeof(key));
	return rc;
}

static int
ticket_callback(WOLFSSL *ssl, unsigned char name[WOLFSSL_TICKET_NAME_SZ],
    unsigned char iv[WOLFSSL_TICKET_IV_SZ],
    unsigned char mac[WOLFSSL_TICKET_MAC_SZ], int enc, unsigned char *ticket,
    int len, int *outlen, void *arg)
{
	(void)arg;
	if (enc)
		return ticket_seal(ssl, name, iv, mac, ticket, len, outlen);
	return ticket_open(ssl, name, iv, mac, ticket, len, outlen);
}

int
ticket_init(WOLFSSL_CTX *ctx)
{
	if (ticket_index == -1)
		ticket_index = wolfSSL_get_ex_new_index(0, NULL, NULL, NULL,
		    NULL);
	if (ticket_index < 0 ||
	    wolfSSL_CTX_set_TicketEncCb(ctx, ticket_callback) != WOLFSSL_SUCCESS)
		return -1;
	/* Tell clients how long a ticket is worth keeping. */
	wolfSSL_CTX_set_TicketHint(ctx, TICKET_ROTATE_SECONDS);
	return 0;
}
