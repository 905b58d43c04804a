/*
 * What a sender does on the wire, done once: fetch the policy over HTTPS
 * (RFC 8461 3.3), and STARTTLS with an MX host (RFC 8461 4.1, 4.2).
 */
#ifndef MTA_STS_DOCTOR_PROBE_H
#define MTA_STS_DOCTOR_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "doctor_net.h"

#define PROBE_HTTPS_PORT	443
#define PROBE_SMTP_PORT		25

struct https_fetch {
	bool		 hf_connected;
	bool		 hf_no_route;		/* this host has no route there */
	struct dtls_info hf_tls;
	int		 hf_status;		/* 0: no HTTP answer */
	char		*hf_content_type;	/* NULL: none */
	char		*hf_location;
	char		*hf_body;
	size_t		 hf_body_len;
	bool		 hf_too_large;
	char		*hf_why;		/* set when no answer was read */
};

struct smtp_probe {
	bool		 sp_connected;
	bool		 sp_starttls;		/* offered in the EHLO reply */
	bool		 sp_tls_done;		/* handshake attempted */
	struct dtls_info sp_tls;
	char		*sp_why;		/* connection or dialogue error */
};

void	probe_https(WOLFSSL_CTX *, const char *address, const char *host,
	    unsigned timeout_ms, struct https_fetch *);
void	probe_smtp(WOLFSSL_CTX *, const char *address, const char *mx,
	    const char *helo, unsigned timeout_ms, struct smtp_probe *);

/* Split a response (NUL-terminated after `len`) into status, headers and
 * body; a body that is not well formed sets hf_why. */
void	probe_parse_response(char *buf, size_t len, struct https_fetch *);

void	https_fetch_free(struct https_fetch *);
void	smtp_probe_free(struct smtp_probe *);

#endif
