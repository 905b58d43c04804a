/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Before a name is ordered, the daemon's own ACME listener is asked for a
 * probe file under the name, as the CA will ask for the challenge: a 404
 * means the daemon does not answer HTTP-01 for it (a customer file the
 * daemon has not loaded yet, the daemon stopped, or another configuration
 * or webroot than the client's), and the order would only fail at the CA
 * and count against its limits. A new customer's file is picked up within
 * a fraction of a second, so a name is asked again for up to
 * CERTS_PROBE_WAIT_MS before the pass gives up on it. Without acme listen
 * in the configuration (the listener runs elsewhere) nothing is probed.
 */
#include "certs_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../config/xalloc.h"

#define CERTS_PROBE_WAIT_MS	5000
#define CERTS_PROBE_RETRY_MS	200
#define CERTS_PROBE_IO_MS	2000

struct certs_probe {
	struct sockaddr_storage	 pr_addr;	/* the listener, loopback for
						 * a wildcard address */
	socklen_t		 pr_addrlen;
	char			*pr_addr_text;
	char			*pr_token;
	char			*pr_file;	/* removed when closed */
};

/* The address to reach listener `la` at from this host. */
static void
certs_probe_target(struct certs_probe *pr, const struct listen_addr *la)
{
	memcpy(&pr->pr_addr, &la->la_addr, la->la_addrlen);
	pr->pr_addrlen = la->la_addrlen;
	if (pr->pr_addr.ss_family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&pr->pr_addr;

		if (sin->sin_addr.s_addr == htonl(INADDR_ANY))
			sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&pr->pr_addr;

		if (IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
			sin6->sin6_addr = in6addr_loopback;
	}
	pr->pr_addr_text = xstrdup(la->la_text);
}

struct certs_probe *
certs_probe_open(const struct config *cfg, char **why)
{
	const struct acme_settings	*acme = &cfg->cfg_acme;
	struct certs_probe		*pr;
	char				*dir;
	unsigned char			 rnd[12];
	int				 fd = -1, urnd;

	*why = NULL;
	if (acme->acme_nlisten == 0)
		return NULL;
	pr = xcalloc(1, sizeof(*pr));
	certs_probe_target(pr, &acme->acme_listen[0]);
	urnd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (urnd == -1 || read(urnd, rnd, sizeof(rnd)) != sizeof(rnd))
		memset(rnd, 0, sizeof(rnd));
	if (urnd != -1)
		close(urnd);
	pr->pr_token = xasprintf("mta-sts-hostd-probe-%02x%02x%02x%02x%02x"
	    "%02x%02x%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3],
	    rnd[4], rnd[5], rnd[6], rnd[7], rnd[8], rnd[9], rnd[10], rnd[11]);
	dir = xasprintf("%s/.well-known", acme->acme_webroot);
	(void)mkdir(dir, 0755);
	free(dir);
	dir = xasprintf("%s/.well-known/acme-challenge", acme->acme_webroot);
	(void)mkdir(dir, 0755);
	pr->pr_file = xasprintf("%s/%s", dir, pr->pr_token);
	free(dir);
	fd = open(pr->pr_file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0644);
	if (fd == -1 || write(fd, "probe\n", 6) != 6) {
		*why = xasprintf("%s: cannot write the probe file: %s",
		    pr->pr_file, strerror(errno));
		if (fd != -1)
			close(fd);
		(void)unlink(pr->pr_file);
		free(pr->pr_file);
		pr->pr_file = NULL;
		certs_probe_close(pr);
		return NULL;
	}
	close(fd);
	return pr;
}

void
certs_probe_close(struct certs_probe *pr)
{
	if (pr == NULL)
		return;
	if (pr->pr_file != NULL)
		(void)unlink(pr->pr_file);
	free(pr->pr_file);
	free(pr->pr_token);
	free(pr->pr_addr_text);
	free(pr);
}

/* Wait for `events` on fd until `deadline`; false on a timeout. */
static bool
certs_probe_wait(int fd, short events, long long deadline)
{
	struct pollfd	p = { .fd = fd, .events = events };
	long long	left;

	while ((left = deadline - certs_ms()) > 0) {
		int n = poll(&p, 1, (int)left);

		if (n > 0)
			return true;
		if (n == -1 && errno != EINTR)
			return false;
	}
	return false;
}

/* One GET of the probe file under `host`: the status, or -1 with *why. */
static int
certs_probe_get(struct certs_probe *pr, const char *host, char **why)
{
	long long	 deadline = certs_ms() + CERTS_PROBE_IO_MS;
	char		 buf[256], *req;
	size_t		 len = 0, sent = 0, reqlen;
	int		 fd, status = -1, err = 0;
	socklen_t	 errlen = sizeof(err);

	fd = socket(pr->pr_addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0);
	if (fd == -1) {
		*why = xasprintf("socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&pr->pr_addr, pr->pr_addrlen) ==
	    -1 && errno != EINPROGRESS) {
		*why = xasprintf("%s: %s", pr->pr_addr_text, strerror(errno));
		close(fd);
		return -1;
	}
	if (!certs_probe_wait(fd, POLLOUT, deadline) ||
	    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) == -1 ||
	    err != 0) {
		*why = xasprintf("%s: %s", pr->pr_addr_text,
		    err != 0 ? strerror(err) : "no connection in time");
		close(fd);
		return -1;
	}
	req = xasprintf("GET /.well-known/acme-challenge/%s HTTP/1.1\r\n"
	    "Host: %s\r\nUser-Agent: mta-sts-hostd certs\r\n"
	    "Connection: close\r\n\r\n", pr->pr_token, host);
	reqlen = strlen(req);
	while (sent < reqlen && certs_probe_wait(fd, POLLOUT, deadline)) {
		ssize_t n = send(fd, req + sent, reqlen - sent, MSG_NOSIGNAL);

		if (n <= 0 && errno != EAGAIN && errno != EINTR)
			break;
		if (n > 0)
			sent += (size_t)n;
	}
	free(req);
	while (sent == reqlen && len < sizeof(buf) - 1 &&
	    memchr(buf, '\n', len) == NULL &&
	    certs_probe_wait(fd, POLLIN, deadline)) {
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);

		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
			break;
		if (n > 0)
			len += (size_t)n;
	}
	buf[len] = '\0';
	if (sscanf(buf, "HTTP/1.%*1d %3d", &status) != 1) {
		*why = xasprintf("%s: no HTTP answer in time",
		    pr->pr_addr_text);
		status = -1;
	}
	close(fd);
	return status;
}

int
certs_probe_check(struct certs_probe *pr, const char *host, char **why)
{
	long long	deadline = certs_ms() + CERTS_PROBE_WAIT_MS;
	char		*last = NULL;
	int		 status;

	if (pr == NULL)
		return 1;
	for (;;) {
		free(last);
		last = NULL;
		if ((status = certs_probe_get(pr, host, &last)) == 200)
			return 1;
		if (certs_ms() + CERTS_PROBE_RETRY_MS >= deadline)
			break;
		usleep(CERTS_PROBE_RETRY_MS * 1000);
	}
	if (status != -1)
		*why = xasprintf("not ordered: the daemon's ACME listener (%s) "
		    "answers %d for %s, not the challenge file: the daemon "
		    "does not answer HTTP-01 for it (its customer file not "
		    "loaded yet, or another configuration or webroot)",
		    pr->pr_addr_text, status, host);
	else
		*why = xasprintf("the daemon's ACME listener cannot be "
		    "reached: %s", last);
	free(last);
	return status != -1 ? 0 : -1;
}
