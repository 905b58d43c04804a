/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's listening sockets: the policy server's (one per worker and
 * address, sharing it with SO_REUSEPORT) and the side listeners'.
 */
#include "listen.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../config/config.h"

int
listen_open(const struct listen_addr *la, bool reuseport, int backlog,
    char *err, size_t errlen)
{
	int fd, one = 1;

	fd = socket(la->la_addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0);
	if (fd == -1)
		goto fail;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one,
	    sizeof(one)) == -1))
		goto fail;
	/*
	 * No Nagle: an answer that leaves as more than one TLS record would
	 * otherwise wait for the client's delayed ACK (some 40 ms) before its
	 * last segment. Accepted sockets inherit it, at no system call each.
	 */
	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) == -1)
		goto fail;
	/* "[::]:443" next to "0.0.0.0:443": each family its own socket. */
	if (la->la_addr.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &one, sizeof(one)) == -1)
		goto fail;
	if (bind(fd, (const struct sockaddr *)&la->la_addr, la->la_addrlen) ==
	    -1 || listen(fd, backlog) == -1)
		goto fail;
	return fd;
fail:
	snprintf(err, errlen, "cannot listen on %s: %s", la->la_text,
	    strerror(errno));
	if (fd != -1)
		close(fd);
	return -1;
}

/*
 * SO_REUSEPORT would let a second daemon (same user) share the port and
 * take half the connections. A socket bound without it finds out whether
 * anyone listens there already; SO_REUSEADDR keeps TIME_WAIT from counting.
 */
int
listen_check_free(const struct listen_addr *la, char *err, size_t errlen)
{
	int fd, one = 1, ret = 0;

	fd = socket(la->la_addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return 0;	/* listen_open reports it */
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (la->la_addr.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&la->la_addr, la->la_addrlen) ==
	    -1 && errno == EADDRINUSE) {
		snprintf(err, errlen, "cannot listen on %s: the address is in "
		    "use (another mta-sts-hostd still running?)", la->la_text);
		ret = -1;
	}
	close(fd);
	return ret;
}

