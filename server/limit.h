/*
 * Connections per client address, across all workers. Touched on accept and
 * close only, never on the request path, so one mutex is enough.
 */
#ifndef MTA_STS_LIMIT_H
#define MTA_STS_LIMIT_H

#include <stdbool.h>
#include <sys/socket.h>

struct addr_table;

struct addr_table	*addr_table_new(unsigned limit);
void			 addr_table_free(struct addr_table *);
/* Count one more connection from `sa`; false if it is over the limit. */
bool			 addr_acquire(struct addr_table *,
			    const struct sockaddr *);
void			 addr_release(struct addr_table *,
			    const struct sockaddr *);

#endif
