/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Listening sockets, bound at start-up before privileges are dropped.
 */
#ifndef MTA_STS_LISTEN_H
#define MTA_STS_LISTEN_H

#include <stdbool.h>
#include <stddef.h>

struct listen_addr;

/*
 * A listening socket for `la`: non-blocking, close-on-exec, IPv6 sockets
 * IPv6-only; with `reuseport`, one of several sharing the address. -1 and a
 * message in `err` on failure.
 */
int	listen_open(const struct listen_addr *la, bool reuseport, int backlog,
	    char *err, size_t errlen);
/*
 * -1 and a message in `err` if someone listens on `la` already (another
 * mta-sts-hostd, say), which SO_REUSEPORT would otherwise let share it.
 */
int	listen_check_free(const struct listen_addr *la, char *err,
	    size_t errlen);

#endif
