#include "metrics.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "../config/config.h"
#include "../config/xalloc.h"
#include "log.h"
#include "snapshot.h"
#include "worker.h"

#define METRICS_CONNECTIONS	16	/* a scraper or two */
#define METRICS_TIMEOUT		10	/* seconds */

struct metrics {
	int			*me_fds;
	char			**me_texts;
	struct MHD_Daemon	**me_daemons;
	size_t			 me_count;
	struct server		*me_server;
};

static const char *const metrics_status_labels[] = {
	[STAT_200] = "200", [STAT_404] = "404", [STAT_405] = "405",
	[STAT_421] = "421", [STAT_STATUS_OTHER] = "other",
};

static const char *const metrics_failure_labels[] = {
	[STAT_HS_NO_SNI] = "no_sni",
	[STAT_HS_UNKNOWN_NAME] = "unknown_name",
	[STAT_HS_PROTOCOL] = "protocol",
	[STAT_HS_TIMEOUT] = "timeout",
	[STAT_HS_CLOSED] = "closed",
	[STAT_HS_OTHER] = "other",
};

struct metrics *
metrics_bind(const struct config *cfg, char *err, size_t errlen)
{
	const struct metrics_settings	*ms = &cfg->cfg_metrics;
	struct metrics			*me;
	int				 one = 1;

	if (ms->met_nlisten == 0)
		return NULL;
	me = xcalloc(1, sizeof(*me));
	me->me_fds = xcalloc(ms->met_nlisten, sizeof(*me->me_fds));
	me->me_texts = xcalloc(ms->met_nlisten, sizeof(*me->me_texts));
	me->me_daemons = xcalloc(ms->met_nlisten, sizeof(*me->me_daemons));
	for (size_t i = 0; i < ms->met_nlisten; i++) {
		const struct listen_addr *la = &ms->met_listen[i];
		int fd;

		fd = socket(la->la_addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, 0);
		if (fd == -1 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one)) == -1 || (la->la_addr.ss_family == AF_INET6 &&
		    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
		    sizeof(one)) == -1) || bind(fd,
		    (const struct sockaddr *)&la->la_addr, la->la_addrlen) ==
		    -1 || listen(fd, 16) == -1) {
			snprintf(err, errlen, "cannot listen on %s for metrics: "
			    "%s", la->la_text, strerror(errno));
			if (fd != -1)
				close(fd);
			me->me_count = i;
			metrics_stop(me);
			return NULL;
		}
		me->me_fds[i] = fd;
		me->me_texts[i] = xstrdup(la->la_text);
	}
	me->me_count = ms->met_nlisten;
	return me;
}

static void
metrics_counter(FILE *fp, const char *name, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s counter\n", name, help, name);
}

static void
metrics_gauge(FILE *fp, const char *name, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

/* The whole exposition, built at each scrape from the workers' counters and
 * the current snapshot. */
static char *
metrics_text(struct server *srv, size_t *lenp)
{
	struct worker_stats	 sum;
	struct snapshot		*snap;
	char			*buf = NULL;
	FILE			*fp = open_memstream(&buf, lenp);

	if (fp == NULL)
		return NULL;
	memset(&sum, 0, sizeof(sum));
	for (unsigned i = 0; i < srv->srv_nworkers; i++) {
		const struct worker_stats *ws = &srv->srv_workers[i].w_stats;

		for (int s = 0; s < STAT_STATUS_COUNT; s++)
			sum.ws_requests[s] += atomic_load_explicit(
			    &ws->ws_requests[s], memory_order_relaxed);
		for (int f = 0; f < STAT_HS_COUNT; f++)
			sum.ws_handshake_failures[f] += atomic_load_explicit(
			    &ws->ws_handshake_failures[f], memory_order_relaxed);
		sum.ws_handshakes += atomic_load_explicit(&ws->ws_handshakes,
		    memory_order_relaxed);
		sum.ws_refused_per_address += atomic_load_explicit(
		    &ws->ws_refused_per_address, memory_order_relaxed);
	}
	pthread_mutex_lock(&srv->srv_snap_lock);
	snap = snapshot_ref(srv->srv_snap);
	pthread_mutex_unlock(&srv->srv_snap_lock);

	metrics_counter(fp, "mta_sts_http_requests_total",
	    "HTTP requests answered, by status.");
	for (int s = 0; s < STAT_STATUS_COUNT; s++)
		fprintf(fp, "mta_sts_http_requests_total{status=\"%s\"} %llu\n",
		    metrics_status_labels[s],
		    (unsigned long long)sum.ws_requests[s]);
	metrics_counter(fp, "mta_sts_tls_handshakes_total",
	    "TLS handshakes completed.");
	fprintf(fp, "mta_sts_tls_handshakes_total %llu\n",
	    (unsigned long long)sum.ws_handshakes);
	metrics_counter(fp, "mta_sts_tls_handshake_failures_total",
	    "TLS handshakes that failed, by reason.");
	for (int f = 0; f < STAT_HS_COUNT; f++)
		fprintf(fp, "mta_sts_tls_handshake_failures_total{reason=\"%s\"} "
		    "%llu\n", metrics_failure_labels[f],
		    (unsigned long long)sum.ws_handshake_failures[f]);
	metrics_counter(fp, "mta_sts_connections_refused_total",
	    "Connections refused by max_connections_per_address.");
	fprintf(fp, "mta_sts_connections_refused_total %llu\n",
	    (unsigned long long)sum.ws_refused_per_address);
	metrics_gauge(fp, "mta_sts_connections_open", "Open connections.");
	fprintf(fp, "mta_sts_connections_open %u\n",
	    atomic_load(&srv->srv_conns));
	metrics_counter(fp, "mta_sts_reloads_total",
	    "Reloads attempted (SIGHUP or file changes).");
	fprintf(fp, "mta_sts_reloads_total %llu\n",
	    (unsigned long long)atomic_load(&srv->srv_reloads));
	metrics_counter(fp, "mta_sts_reload_failures_total",
	    "Reloads refused; the previous snapshot stayed in service.");
	fprintf(fp, "mta_sts_reload_failures_total %llu\n",
	    (unsigned long long)atomic_load(&srv->srv_reload_failures));
	metrics_gauge(fp, "mta_sts_last_reload_success_timestamp_seconds",
	    "When the snapshot in service was loaded (Unix time).");
	fprintf(fp, "mta_sts_last_reload_success_timestamp_seconds %lld\n",
	    (long long)atomic_load(&srv->srv_last_reload));
	metrics_gauge(fp, "mta_sts_domains_configured",
	    "Domains in the configuration.");
	fprintf(fp, "mta_sts_domains_configured %zu\n",
	    snap->snap_cfg->cfg_ndomains);
	metrics_gauge(fp, "mta_sts_domains_served",
	    "Domains served: valid, and covered by a valid certificate.");
	fprintf(fp, "mta_sts_domains_served %zu\n", snap->snap_nhosts);
	metrics_gauge(fp, "mta_sts_certificates", "Certificate files loaded.");
	fprintf(fp, "mta_sts_certificates %zu\n", snap->snap_certs.cs_count);
	metrics_counter(fp, "mta_sts_policy_fetches_total",
	    "Policies served (200), by domain.");
	for (size_t i = 0; i < snap->snap_nhosts; i++)
		fprintf(fp, "mta_sts_policy_fetches_total{domain=\"%s\"} %llu\n",
		    snap->snap_hosts[i].h_domain->dom_name,
		    (unsigned long long)atomic_load_explicit(
		    &snap->snap_hosts[i].h_fetches, memory_order_relaxed));
	/* Days left are (this - time()) / 86400 in PromQL. */
	metrics_gauge(fp, "mta_sts_certificate_expiry_timestamp_seconds",
	    "When the certificate serving the domain expires (Unix time).");
	for (size_t i = 0; i < snap->snap_nhosts; i++)
		fprintf(fp, "mta_sts_certificate_expiry_timestamp_seconds"
		    "{domain=\"%s\"} %lld\n",
		    snap->snap_hosts[i].h_domain->dom_name,
		    (long long)snap->snap_hosts[i].h_cert->crt_not_after);
	snapshot_unref(snap);
	if (fclose(fp) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * Healthy while the snapshot in service serves what is configured: failing
 * means every configured domain lacks a valid policy or certificate.
 */
static bool
metrics_healthy(struct server *srv, char *why, size_t size)
{
	struct snapshot	*snap;
	bool		 ok;

	pthread_mutex_lock(&srv->srv_snap_lock);
	snap = snapshot_ref(srv->srv_snap);
	pthread_mutex_unlock(&srv->srv_snap_lock);
	ok = snap->snap_nhosts > 0 || snap->snap_cfg->cfg_ndomains == 0;
	if (ok)
		snprintf(why, size, "ok: serving %zu of %zu domains\n",
		    snap->snap_nhosts, snap->snap_cfg->cfg_ndomains);
	else
		snprintf(why, size, "no domain is served (of %zu configured): "
		    "see the log\n", snap->snap_cfg->cfg_ndomains);
	snapshot_unref(snap);
	return ok;
}

static enum MHD_Result
metrics_respond(struct MHD_Connection *mc, unsigned status, char *body,
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

static enum MHD_Result
metrics_handler(void *cls, struct MHD_Connection *mc, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_size, void **req_cls)
{
	static int	 seen;
	struct metrics	*me = cls;
	char		*body, why[160];
	size_t		 len;
	bool		 get;

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
	get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	if (get && strcmp(url, "/metrics") == 0) {
		if ((body = metrics_text(me->me_server, &len)) == NULL)
			return MHD_NO;
		return metrics_respond(mc, MHD_HTTP_OK, body, len,
		    "text/plain; version=0.0.4; charset=utf-8");
	}
	if (get && strcmp(url, "/healthz") == 0) {
		bool ok = metrics_healthy(me->me_server, why, sizeof(why));

		return metrics_respond(mc, ok ? MHD_HTTP_OK :
		    MHD_HTTP_SERVICE_UNAVAILABLE, xstrdup(why), strlen(why),
		    "text/plain");
	}
	return metrics_respond(mc, MHD_HTTP_NOT_FOUND,
	    xstrdup("Not found: /metrics and /healthz are served here.\n"),
	    strlen("Not found: /metrics and /healthz are served here.\n"),
	    "text/plain");
}

static void
metrics_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("metrics http: %s", msg);
}

int
metrics_start(struct metrics *me, struct server *srv)
{
	me->me_server = srv;
	for (size_t i = 0; i < me->me_count; i++) {
		me->me_daemons[i] = MHD_start_daemon(
		    MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
		    MHD_USE_ERROR_LOG, 0, NULL, NULL, metrics_handler, me,
		    MHD_OPTION_LISTEN_SOCKET, me->me_fds[i],
		    MHD_OPTION_CONNECTION_LIMIT,
		    (unsigned int)METRICS_CONNECTIONS,
		    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_TIMEOUT,
		    MHD_OPTION_EXTERNAL_LOGGER, metrics_log, NULL,
		    MHD_OPTION_END);
		if (me->me_daemons[i] == NULL)
			return -1;
		me->me_fds[i] = -1;	/* the daemon owns it now */
		log_info("listening on %s for metrics", me->me_texts[i]);
	}
	return 0;
}

void
metrics_stop(struct metrics *me)
{
	if (me == NULL)
		return;
	for (size_t i = 0; i < me->me_count; i++) {
		if (me->me_daemons[i] != NULL)
			MHD_stop_daemon(me->me_daemons[i]);
		if (me->me_fds[i] != -1)
			close(me->me_fds[i]);
		free(me->me_texts[i]);
	}
	free(me->me_fds);
	free(me->me_texts);
	free(me->me_daemons);
	free(me);
}
