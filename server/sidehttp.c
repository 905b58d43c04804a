/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sidehttp.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../config/config.h"
#include "../config/xalloc.h"
#include "server.h"
#include "http.h"
#include "listen.h"
#include "log.h"

int
sidehttp_bind(struct sidehttp *sh, const char *what,
    const struct listen_addr *addrs, size_t count, char *err, size_t errlen)
{
	memset(sh, 0, sizeof(*sh));
	sh->sh_what = what;
	sh->sh_fds = xcalloc(count, sizeof(*sh->sh_fds));
	sh->sh_texts = xcalloc(count, sizeof(*sh->sh_texts));
	sh->sh_daemons = xcalloc(count, sizeof(*sh->sh_daemons));
	for (size_t i = 0; i < count; i++) {
		char msg[256];

		sh->sh_fds[i] = listen_open(&addrs[i], false, 64, msg,
		    sizeof(msg));
		if (sh->sh_fds[i] == -1) {
			snprintf(err, errlen, "%s for %s", msg, what);
			sh->sh_count = i;
			sidehttp_stop(sh);
			return -1;
		}
		sh->sh_texts[i] = xstrdup(addrs[i].la_text);
		sh->sh_count = i + 1;
	}
	return 0;
}

static void sidehttp_log(void *, const char *, va_list)
    __attribute__((format(printf, 2, 0)));

static void
sidehttp_log(void *cls, const char *fmt, va_list ap)
{
	const struct sidehttp	*sh = cls;
	char			 msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("%s: %s", sh->sh_what, msg);
}

int
sidehttp_start(struct sidehttp *sh, MHD_AccessHandlerCallback handler,
    void *cls, unsigned connections, unsigned timeout)
{
	for (size_t i = 0; i < sh->sh_count; i++) {
		sh->sh_daemons[i] = MHD_start_daemon(
		    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
		    MHD_USE_ERROR_LOG, 0, NULL, NULL, handler, cls,
		    MHD_OPTION_LISTEN_SOCKET, sh->sh_fds[i],
		    MHD_OPTION_CONNECTION_LIMIT, connections,
		    MHD_OPTION_CONNECTION_TIMEOUT, timeout,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
		    MHD_OPTION_EXTERNAL_LOGGER, sidehttp_log, sh,
		    MHD_OPTION_UNESCAPE_CALLBACK, http_unescape_none, NULL,
		    MHD_OPTION_END);
		if (sh->sh_daemons[i] == NULL)
			return -1;
		sh->sh_fds[i] = -1;	/* the daemon owns it now */
		log_info("listening on %s for %s", sh->sh_texts[i], sh->sh_what);
	}
	return 0;
}

void
sidehttp_stop(struct sidehttp *sh)
{
	for (size_t i = 0; i < sh->sh_count; i++) {
		if (sh->sh_daemons[i] != NULL)
			MHD_stop_daemon(sh->sh_daemons[i]);
		if (sh->sh_fds[i] != -1)
			close(sh->sh_fds[i]);
		free(sh->sh_texts[i]);
	}
	free(sh->sh_fds);
	free(sh->sh_texts);
	free(sh->sh_daemons);
	memset(sh, 0, sizeof(*sh));
}

bool
sidehttp_ready(void **req_cls, size_t *upload_size)
{
	static int seen;

	if (*req_cls == NULL) {
		*req_cls = &seen;
		return false;
	}
	if (*upload_size != 0) {
		*upload_size = 0;
		return false;
	}
	return true;
}

enum MHD_Result
sidehttp_respond(struct MHD_Connection *mc, unsigned status, char *body,
    size_t len, const char *type)
{
	struct MHD_Response	*r;
	enum MHD_Result		 ret;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	ret = MHD_queue_response(mc, status, r);
	MHD_destroy_response(r);
	return ret;
}
