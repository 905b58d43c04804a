/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Connections per client address, across all workers. Touched on accept and
 * close only, never on the request path, so one mutex is enough.
 */
#ifndef MTA_STS_LIMIT_H
#define MTA_STS_LIMIT_H

#include <stdbool.h>
#include <sys/socket.h>

struct limit_table;

struct limit_table	*limit_table_new(unsigned limit);
void			 limit_table_free(struct limit_table *);
/* Count one more connection from `sa`; false if it is over the limit. */
bool			 limit_acquire(struct limit_table *,
			    const struct sockaddr *);
void			 limit_release(struct limit_table *,
			    const struct sockaddr *);

#endif
