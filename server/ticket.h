/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TLS session tickets with keys the daemon makes and rotates itself.
 *
 * A master key is random, lives in memory only, and is replaced every
 * TICKET_ROTATE_SECONDS; the one before stays for decryption, so a ticket
 * resumes for up to twice that. Each ticket is sealed with a key derived
 * from the master key and the SNI name it was issued under: presented under
 * another name it does not decrypt, and the client gets a full handshake,
 * as RFC 6066 section 3 requires.
 *
 * Several replicas behind one address must open each other's tickets:
 * then the keys come from a file they share (server.session_ticket_keys),
 * several of them, the first sealing and every one opening, and the file's
 * owner rotates them by replacing it; the daemon reads it at start-up and
 * on every reload, and does not rotate keys of its own.
 *
 * The main thread owns the keys (struct server's srv_tickets) and rotates
 * them; each worker keeps a copy, taken when it is woken, and its
 * handshakes use that copy: no lock on the handshake path.
 */
#ifndef MTA_STS_TICKET_H
#define MTA_STS_TICKET_H

#include <stdbool.h>
#include <time.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/chacha20_poly1305.h>

#define TICKET_ROTATE_SECONDS	3600
#define TICKET_KEY_SIZE		CHACHA20_POLY1305_AEAD_KEYSIZE
/* Keys a file may hold: the one sealing and those before it. */
#define TICKET_KEYS_MAX		8
/* A key in the file: its name (16 bytes) and its secret (32), base64. */
#define TICKET_FILE_KEY_SIZE	(WOLFSSL_TICKET_NAME_SZ + TICKET_KEY_SIZE)
#define TICKET_FILE_MAX		4096

struct ticket_key {
	unsigned char	tk_name[WOLFSSL_TICKET_NAME_SZ];	/* random */
	unsigned char	tk_secret[TICKET_KEY_SIZE];
	bool		tk_valid;
};

/* [0] seals new tickets; every key opens them. Made here, [1] is the one
 * before [0], kept to open the tickets it sealed. */
struct ticket_keys {
	struct ticket_key	tks_keys[TICKET_KEYS_MAX];
	size_t			tks_count;
	time_t			tks_rotated;	/* when [0] was made */
	bool			tks_from_file;	/* never rotated here */
};

/* Install the callback on the context. */
int	ticket_init(WOLFSSL_CTX *);
/* A fresh sealing key, the current one kept for opening; -1 if no
 * randomness can be had (the keys stay as they are). */
int	ticket_keys_rotate(struct ticket_keys *, time_t now);
/* When the keys are next due for rotation; keys from a file are not
 * rotated here (tks_from_file). */
time_t	ticket_keys_due(const struct ticket_keys *);
/* The keys of a file: one a line, each the base64 of TICKET_FILE_KEY_SIZE
 * bytes (openssl rand -base64 48), '#' lines and blank lines aside. -1 and
 * a message naming the file and line in `err` if it cannot be used. */
int	ticket_keys_load(struct ticket_keys *, const char *path, char *err,
	    size_t errlen);
void	ticket_keys_wipe(struct ticket_keys *);
/* The keys a session's tickets are sealed and opened with: they must
 * outlive the session, and change only in the session's own thread. */
int	ticket_attach(WOLFSSL *, const struct ticket_keys *);

#endif
