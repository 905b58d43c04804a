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

struct ticket_key {
	unsigned char	tk_name[WOLFSSL_TICKET_NAME_SZ];	/* random */
	unsigned char	tk_secret[TICKET_KEY_SIZE];
	bool		tk_valid;
};

/* [0] seals new tickets, [1] is the one before, kept to open old ones. */
struct ticket_keys {
	struct ticket_key	tks_keys[2];
	time_t			tks_rotated;	/* when [0] was made */
};

/* Install the callback on the context. */
int	ticket_init(WOLFSSL_CTX *);
/* A fresh sealing key, the current one kept for opening; -1 if no
 * randomness can be had (the keys stay as they are). */
int	ticket_keys_rotate(struct ticket_keys *, time_t now);
/* When the keys are next due for rotation. */
time_t	ticket_keys_due(const struct ticket_keys *);
void	ticket_keys_wipe(struct ticket_keys *);
/* The keys a session's tickets are sealed and opened with: they must
 * outlive the session, and change only in the session's own thread. */
int	ticket_attach(WOLFSSL *, const struct ticket_keys *);

#endif
