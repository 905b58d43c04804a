/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Side listeners: small plain-HTTP services next to the policy server (ACME
 * challenges, metrics). Each address gets a socket bound at start-up, before
 * privileges are dropped, and a libmicrohttpd daemon with its own thread:
 * their traffic is light, and it stays off the workers' event loops.
 */
#ifndef MTA_STS_SIDEHTTP_H
#define MTA_STS_SIDEHTTP_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

struct listen_addr;

struct sidehttp {
	const char		 *sh_what;	/* "ACME HTTP-01 challenges" */
	int			 *sh_fds;
	char			**sh_texts;
	struct MHD_Daemon	**sh_daemons;
	size_t			  sh_count;
};

int	sidehttp_bind(struct sidehttp *, const char *what,
	    const struct listen_addr *, size_t count, char *err, size_t errlen);
int	sidehttp_start(struct sidehttp *, MHD_AccessHandlerCallback, void *cls,
	    unsigned connections, unsigned timeout);
void	sidehttp_stop(struct sidehttp *);
/*
 * libmicrohttpd calls a handler with the headers, then with each piece of a
 * body, then once more: true on that last call, when it is time to answer
 * (an answer queued on the first call closes the connection; a body is
 * read and ignored).
 */
bool	sidehttp_ready(void **req_cls, size_t *upload_size);
/* Queue a response of the given status; takes `body` (malloc'd). */
enum MHD_Result sidehttp_respond(struct MHD_Connection *, unsigned status,
	    char *body, size_t len, const char *type);

#endif
