/* SPDX-License-Identifier: GPL-2.0-or-later */
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

/* What fetching the policy over HTTPS gave. */
struct doctor_https_fetch {
	bool		 hf_connected;
	bool		 hf_no_route;		/* this host has no route there */
	struct doctor_tls_result hf_tls;
	int		 hf_status;		/* 0: no HTTP answer */
	char		*hf_content_type;	/* NULL: none */
	char		*hf_location;
	char		*hf_body;
	size_t		 hf_body_len;
	bool		 hf_too_large;
	char		*hf_why;		/* set when no answer was read */
};

/* What STARTTLS with an MX host gave. */
struct doctor_smtp_probe {
	bool		 sm_connected;
	bool		 sm_starttls;		/* offered in the EHLO reply */
	bool		 sm_tls_done;		/* handshake attempted */
	struct doctor_tls_result sm_tls;
	char		*sm_why;		/* connection or dialogue error */
};

void	doctor_probe_https(WOLFSSL_CTX *, const char *address,
	    const char *host, unsigned timeout_ms, struct doctor_https_fetch *);
void	doctor_probe_smtp(WOLFSSL_CTX *, const char *address, const char *mx,
	    const char *helo, unsigned timeout_ms, struct doctor_smtp_probe *);

/* Split a response (NUL-terminated after `len`) into status, headers and
 * body; a body that is not well formed sets hf_why. */
void	doctor_probe_parse_response(char *buf, size_t len,
	    struct doctor_https_fetch *);

void	doctor_probe_https_free(struct doctor_https_fetch *);
void	doctor_probe_smtp_free(struct doctor_smtp_probe *);

#endif
