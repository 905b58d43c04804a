/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The plain-HTTP listener for ACME HTTP-01 challenges: it answers only
 * GET /.well-known/acme-challenge/<token> for configured mta-sts.<domain>
 * hosts, from the webroot an ACME client writes into (certbot --webroot).
 * Everything else is 404: never a redirect, never a policy (policies are
 * served over HTTPS only).
 */
#ifndef MTA_STS_ACME_H
#define MTA_STS_ACME_H

#include <stddef.h>

struct config;
struct server;
struct acme;

/* Bind the configured addresses (before privileges are dropped). */
struct acme	*acme_bind(const struct config *, char *err, size_t errlen);
/* Start answering; the current snapshot decides which hosts are known. */
int		 acme_start(struct acme *, struct server *);
void		 acme_stop(struct acme *);

#endif
