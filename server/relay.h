/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The relay between a client's TLS connection and libmicrohttpd: a
 * connection's life from accept to close (see relay.c).
 */
#ifndef MTA_STS_RELAY_H
#define MTA_STS_RELAY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "server.h"

/* A connection in the handshake state, counted against the limits; NULL
 * (and `fd` closed) when a limit refuses it. */
struct conn	*relay_new(struct worker *, int fd,
		    const struct sockaddr_storage *, socklen_t);
/* relay_new, then the TLS handshake: what a listener's accept leads to. */
void		 relay_accepted(struct worker *, int fd,
		    const struct sockaddr_storage *, socklen_t);
/* The connection is open, and its decrypted stream goes to libmicrohttpd
 * through a new socketpair at once (the TLS path does that at the first
 * request byte). False if that failed. */
bool		 relay_open_http(struct conn *);
/* What epoll reported for one of the connection's two sockets. */
void		 relay_event(struct conn *, enum ev_kind, uint32_t events);
/* libmicrohttpd queued an answer on the connection (its handler, inside
 * MHD_run); relay_answers(), right after MHD_run, relays what it wrote. */
void		 relay_answered(struct conn *);
void		 relay_answers(struct worker *);
/* Close at once (`why`, if not NULL, for the debug log); the memory goes
 * with relay_free_closed(), once no event of the batch can name it. */
void		 relay_close(struct conn *, const char *why);
void		 relay_free_closed(struct worker *);

#endif
