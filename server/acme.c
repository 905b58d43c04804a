#include "acme.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <microhttpd.h>

#include "../config/config.h"
#include "../config/name.h"
#include "../config/xalloc.h"
#include "log.h"
#include "snapshot.h"
#include "worker.h"

#define ACME_PREFIX		"/.well-known/acme-challenge/"
/* RFC 8555 8.3: tokens are base64url, 128 bits or more (22+ characters). */
#define ACME_TOKEN_MAX		128
/* A key authorization is a token, a dot and a 43-character thumbprint. */
#define ACME_RESPONSE_MAX	512
#define ACME_CONNECTIONS	256
#define ACME_TIMEOUT		10	/* seconds: validators are quick */

struct acme {
	int			*ac_fds;
	char			**ac_texts;
	struct MHD_Daemon	**ac_daemons;
	size_t			 ac_count;
	char			*ac_webroot;
	struct server		*ac_server;
	struct MHD_Response	*ac_not_found;
};

struct acme *
acme_bind(const struct config *cfg, char *err, size_t errlen)
{
	const struct acme_settings	*as = &cfg->cfg_acme;
	struct acme			*ac;
	int				 one = 1;

	if (as->acme_nlisten == 0)
		return NULL;
	ac = xcalloc(1, sizeof(*ac));
	ac->ac_fds = xcalloc(as->acme_nlisten, sizeof(*ac->ac_fds));
	ac->ac_texts = xcalloc(as->acme_nlisten, sizeof(*ac->ac_texts));
	ac->ac_daemons = xcalloc(as->acme_nlisten, sizeof(*ac->ac_daemons));
	ac->ac_webroot = xstrdup(as->acme_webroot);
	for (size_t i = 0; i < as->acme_nlisten; i++) {
		const struct listen_addr *la = &as->acme_listen[i];
		int fd;

		fd = socket(la->la_addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
		if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one)) == -1 || (la->la_addr.ss_family == AF_INET6 &&
		    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one)) == -1) || bind(fd,
		    (const struct sockaddr *)&la->la_addr, la->la_addrlen) ==
		    -1 || listen(fd, 128) == -1) {
			snprintf(err, errlen, "cannot listen on %s for ACME: %s",
			    la->la_text, strerror(errno));
			if (fd != -1)
				close(fd);
			ac->ac_count = i;
			acme_stop(ac);
			return NULL;
		}
		ac->ac_fds[i] = fd;
		ac->ac_texts[i] = xstrdup(la->la_text);
	}
	ac->ac_count = as->acme_nlisten;
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
	pthread_mutex_lock(&srv->srv_snap_lock);
	snap = snapshot_ref(srv->srv_snap);
	pthread_mutex_unlock(&srv->srv_snap_lock);
	known = config_domain(snap->snap_cfg, name + strlen(HOST_PREFIX)) !=
	    NULL;
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
	static int		 seen;
	struct acme		*ac = cls;
	const char		*host, *token;
	struct MHD_Response	*r;
	enum MHD_Result		 ret;
	char			*body = NULL;
	size_t			 len = 0;

	(void)version;
	(void)upload_data;
	if (*req_cls == NULL) {
		*req_cls = &seen;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		*upload_size = 0;
		return MHD_YES;
	}
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
	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "application/octet-stream");
	ret = MHD_queue_response(mc, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	log_info("acme: answered the challenge %s for %s", token, host);
	return ret;
}

static void
acme_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("acme http: %s", msg);
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
	for (size_t i = 0; i < ac->ac_count; i++) {
		/* Low traffic: libmicrohttpd's own thread is enough here. */
		ac->ac_daemons[i] = MHD_start_daemon(
		    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
		    MHD_USE_ERROR_LOG, 0, NULL, NULL, acme_handler, ac,
		    MHD_OPTION_LISTEN_SOCKET, ac->ac_fds[i],
		    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)ACME_CONNECTIONS,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)ACME_TIMEOUT,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
		    MHD_OPTION_EXTERNAL_LOGGER, acme_log, NULL,
		    MHD_OPTION_END);
		if (ac->ac_daemons[i] == NULL)
			return -1;
		ac->ac_fds[i] = -1;	/* the daemon owns it now */
		log_info("listening on %s for ACME HTTP-01 challenges",
		    ac->ac_texts[i]);
	}
	return 0;
}

void
acme_stop(struct acme *ac)
{
	if (ac == NULL)
		return;
	for (size_t i = 0; i < ac->ac_count; i++) {
		if (ac->ac_daemons[i] != NULL)
			MHD_stop_daemon(ac->ac_daemons[i]);
		if (ac->ac_fds[i] != -1)
			close(ac->ac_fds[i]);
		free(ac->ac_texts[i]);
	}
	if (ac->ac_not_found != NULL)
		MHD_destroy_response(ac->ac_not_found);
	free(ac->ac_fds);
	free(ac->ac_texts);
	free(ac->ac_daemons);
	free(ac->ac_webroot);
	free(ac);
}
