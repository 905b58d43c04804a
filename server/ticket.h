/*
 * TLS session tickets with keys the daemon makes and rotates itself.
 *
 * A master key is random, lives in memory only, and is replaced every
 * TICKET_ROTATE_SECONDS; the one before stays for decryption, so a ticket
 * resumes for up to twice that. Each ticket is sealed with a key derived
 * from the master key and the SNI name it was issued under: presented under
 * another name it does not decrypt, and the client gets a full handshake,
 * as RFC 6066 section 3 requires.
 */
#ifndef MTA_STS_TICKET_H
#define MTA_STS_TICKET_H

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>

#define TICKET_ROTATE_SECONDS	3600

/* Install the callback on the context; -1 if randomness is unavailable. */
int	ticket_init(WOLFSSL_CTX *);
void	ticket_cleanup(void);

#endif
