/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "acme.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "../config/config.h"
#include "../config/name.h"
#include "../config/xalloc.h"
#include "server.h"
#include "log.h"
#include "sidehttp.h"
#include "snapshot.h"

#define ACME_PREFIX		"/.well-known/acme-challenge/"
/* RFC 8555 8.3: tokens are base64url, 128 bits or more (22+ characters). */
#define ACME_TOKEN_MAX		128
/* A key authorization is a token, a dot and a 43-character thumbprint. */
#define ACME_RESPONSE_MAX	512
#define ACME_CONNECTIONS	256
#define ACME_TIMEOUT		10	/* seconds: validators are quick */

struct acme {
	struct sidehttp		 ac_http;
	char			*ac_webroot;
	struct server		*ac_server;
	struct MHD_Response	*ac_not_found;
};

struct acme *
acme_bind(const struct config *cfg, char *err, size_t errlen)
{
	const struct acme_settings	*as = &cfg->cfg_acme;
	struct acme			*ac;

	if (as->acme_nlisten == 0)
		return NULL;
	ac = xcalloc(1, sizeof(*ac));
	if (sidehttp_bind(&ac->ac_http, "ACME HTTP-01 challenges",
	    as->acme_listen, as->acme_nlisten, err, errlen) == -1) {
		free(ac);
		return NULL;
	}
	ac->ac_webroot = xstrdup(as->acme_webroot);
	return ac;
}

/* base64url only: no dot, no slash, nothing a path could be made of. */
static bool
acme_token_ok(const char *token)
{
	size_t len = strlen(token);

	return len > 0 && len <= ACME_TOKEN_MAX &&
	    strspn(token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-_") == len;
}

/* Is `host` (a Host header, maybe with a port) mta-sts.<configured domain>? */
static bool
acme_host_known(struct server *srv, const char *host)
{
	struct snapshot	*snap;
	char		 name[NAME_MAX_LENGTH + 1];
	size_t		 len = strcspn(host, ":");
	bool		 known;

	if (len <= strlen(HOST_PREFIX) || len > NAME_MAX_LENGTH ||
	    strncasecmp(host, HOST_PREFIX, strlen(HOST_PREFIX)) != 0)
		return false;
	for (size_t i = 0; i < len; i++)
		name[i] = (char)(host[i] >= 'A' && host[i] <= 'Z' ?
		    host[i] - 'A' + 'a' : host[i]);
	name[len] = '\0';
	/* Known even without a certificate yet: getting one is the point. */
	snap = server_snapshot(srv);
	known = snapshot_configured(snap, name, len) != NULL;
	snapshot_unref(snap);
	return known;
}

/* The key authorization the ACME client left for `token`, or NULL. */
static char *
acme_read(const struct acme *ac, const char *token, size_t *lenp)
{
	char		*path, *buf;
	struct stat	 st;
	ssize_t		 n;
	int		 fd;

	path = xasprintf("%s" ACME_PREFIX "%s", ac->ac_webroot, token);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1 && errno != ENOENT)
		/* The ACME client wrote it where this user cannot read it. */
		log_warn("acme: %s", path);
	free(path);
	if (fd == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > ACME_RESPONSE_MAX) {
		close(fd);
		return NULL;
	}
	buf = xmalloc(ACME_RESPONSE_MAX + 1);
	n = read(fd, buf, ACME_RESPONSE_MAX);
	close(fd);
	if (n < 0) {
		free(buf);
		return NULL;
	}
	*lenp = (size_t)n;
	return buf;
}

static enum MHD_Result
acme_handler(void *cls, struct MHD_Connection *mc, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_size, void **req_cls)
{
	struct acme		*ac = cls;
	const char		*host, *token;
	char			*body = NULL;
	size_t			 len = 0;

	(void)version;
	(void)upload_data;
	if (!sidehttp_ready(req_cls, upload_size))
		return MHD_YES;
	host = MHD_lookup_connection_value(mc, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_HOST);
	token = strncmp(url, ACME_PREFIX, strlen(ACME_PREFIX)) == 0 ?
	    url + strlen(ACME_PREFIX) : NULL;
	if ((strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0) && token != NULL &&
	    acme_token_ok(token) && host != NULL &&
	    acme_host_known(ac->ac_server, host))
		body = acme_read(ac, token, &len);
	if (body == NULL) {
		log_info("acme: 404 for %s %.100s (Host %.100s)", method, url,
		    host != NULL ? host : "-");
		return MHD_queue_response(mc, MHD_HTTP_NOT_FOUND,
		    ac->ac_not_found);
	}
	log_info("acme: answered the challenge %s for %s", token, host);
	return sidehttp_respond(mc, MHD_HTTP_OK, body, len,
	    "application/octet-stream");
}

int
acme_start(struct acme *ac, struct server *srv)
{
	static const char text[] = "Not found.\n";

	ac->ac_server = srv;
	ac->ac_not_found = MHD_create_response_from_buffer(sizeof(text) - 1,
	    (void *)text, MHD_RESPMEM_PERSISTENT);
	if (ac->ac_not_found == NULL)
		return -1;
	MHD_add_response_header(ac->ac_not_found, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/plain");
	/* Validators are quick: a short timeout, few connections. */
	return sidehttp_start(&ac->ac_http, acme_handler, ac, ACME_CONNECTIONS,
	    ACME_TIMEOUT);
}

void
acme_stop(struct acme *ac)
{
	if (ac == NULL)
		return;
	sidehttp_stop(&ac->ac_http);
	if (ac->ac_not_found != NULL)
		MHD_destroy_response(ac->ac_not_found);
	free(ac->ac_webroot);
	free(ac);
}
