/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The HTTP side of the policy server: libmicrohttpd, fed by the relay
 * (see http.c).
 */
#ifndef MTA_STS_HTTP_H
#define MTA_STS_HTTP_H

#include <stddef.h>

struct MHD_Connection;
struct MHD_Daemon;
struct limits;
struct worker;

/* The fixed responses, made once for the whole process. */
void		 http_init(void);
void		 http_cleanup(void);
/* A worker's libmicrohttpd: no thread, no listening socket. */
struct MHD_Daemon *http_daemon_new(struct worker *, const struct limits *);
/* libmicrohttpd's unescape callback that decodes nothing: every daemon's
 * targets are compared as sent. */
size_t		 http_unescape_none(void *, struct MHD_Connection *, char *);

#endif
