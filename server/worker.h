/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A worker: one event loop, on a thread of its own (see server.h).
 */
#ifndef MTA_STS_WORKER_H
#define MTA_STS_WORKER_H

#include "server.h"

int		 worker_init(struct worker *, struct server *, unsigned id,
		    const struct config *);
int		 worker_start(struct worker *);
void		 worker_wake(struct worker *);
void		 worker_cleanup(struct worker *);

/* One turn of the event loop: wait at most `timeout` ms for events, handle
 * them, run libmicrohttpd, and close what has run out of time. */
void		 worker_turn(struct worker *, int timeout);
/* Close every connection now (`why` for the log). */
void		 worker_close_all(struct worker *, const char *why);

#endif
