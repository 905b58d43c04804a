/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "../config/config.h"
#include "../config/orderstate.h"
#include "../config/xalloc.h"
#include "server.h"
#include "log.h"
#include "sidehttp.h"
#include "snapshot.h"

#define METRICS_CONNECTIONS	16	/* a scraper or two */
#define METRICS_TIMEOUT		10	/* seconds */
/* A certificate this close to expiry is counted as expiring. */
#define METRICS_EXPIRING_DAYS	14

struct metrics {
	struct sidehttp		 me_http;
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

	if (ms->met_nlisten == 0)
		return NULL;
	me = xcalloc(1, sizeof(*me));
	if (sidehttp_bind(&me->me_http, "metrics", ms->met_listen,
	    ms->met_nlisten, err, errlen) == -1) {
		free(me);
		return NULL;
	}
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

/*
 * What needs a certificate soon: the domains served with one expiring
 * within METRICS_EXPIRING_DAYS, and the counts of the last `certs run`
 * pass from its state file (none before the first pass).
 */
static void
metrics_certificates(FILE *fp, const struct snapshot *snap)
{
	static const char *const states[] = {
		"pending", "ordering", "waiting_dns", "failing",
	};
	const struct host	*h;
	struct order_counts	 oc;
	size_t			 pos = 0, expiring = 0;
	time_t			 soon = time(NULL) + METRICS_EXPIRING_DAYS * 86400;

	while ((h = hosttab_next(&snap->snap_hosts, &pos)) != NULL)
		expiring += h->h_cert != NULL && h->h_cert->crt_not_after < soon;
	metrics_gauge(fp, "mta_sts_certificates_expiring",
	    "Domains served with a certificate that expires within 14 days.");
	fprintf(fp, "mta_sts_certificates_expiring{within=\"14d\"} %zu\n",
	    expiring);
	if (orderstate_read_counts(snap->snap_cfg->cfg_acme.acme_state,
	    &oc) == -1)
		return;
	metrics_gauge(fp, "mta_sts_certificate_orders",
	    "Names by order state, as the last `certs run` pass counted them.");
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		fprintf(fp, "mta_sts_certificate_orders{state=\"%s\"} %zu\n",
		    states[i], i == 0 ? oc.oc_pending : i == 1 ?
		    oc.oc_ordering : i == 2 ? oc.oc_waiting_dns :
		    oc.oc_failing);
	metrics_gauge(fp, "mta_sts_certificate_orders_counted_timestamp_seconds",
	    "When the last `certs run` pass counted them (Unix time).");
	fprintf(fp, "mta_sts_certificate_orders_counted_timestamp_seconds "
	    "%lld\n", (long long)oc.oc_time);
}

/* The whole exposition, built at each scrape from the workers' counters and
 * the current snapshot. */
static char *
metrics_text(struct server *srv, size_t *lenp)
{
	struct worker_stats	 sum;
	struct snapshot		*snap;
	const struct host	*h;
	size_t			 pos;
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
	snap = server_snapshot(srv);

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
	fprintf(fp, "mta_sts_domains_configured %zu\n", snap->snap_ndomains);
	metrics_gauge(fp, "mta_sts_domains_served",
	    "Domains served: valid, and covered by a valid certificate.");
	fprintf(fp, "mta_sts_domains_served %zu\n", snap->snap_nhosts);
	metrics_gauge(fp, "mta_sts_certificates", "Certificate files loaded.");
	fprintf(fp, "mta_sts_certificates %zu\n", snap->snap_ncerts);
	metrics_counter(fp, "mta_sts_policy_fetches_total",
	    "Policies served (200), by domain.");
	pos = 0;
	while ((h = hosttab_next(&snap->snap_hosts, &pos)) != NULL)
		if (h->h_cert != NULL)
			fprintf(fp, "mta_sts_policy_fetches_total{domain=\"%s\"} "
			    "%llu\n", h->h_domain,
			    (unsigned long long)atomic_load_explicit(
			    &h->h_fetches, memory_order_relaxed));
	/* Days left are (this - time()) / 86400 in PromQL. */
	metrics_gauge(fp, "mta_sts_certificate_expiry_timestamp_seconds",
	    "When the certificate serving the domain expires (Unix time).");
	pos = 0;
	while ((h = hosttab_next(&snap->snap_hosts, &pos)) != NULL)
		if (h->h_cert != NULL)
			fprintf(fp, "mta_sts_certificate_expiry_timestamp_seconds"
			    "{domain=\"%s\"} %lld\n", h->h_domain,
			    (long long)h->h_cert->crt_not_after);
	metrics_certificates(fp, snap);
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

	snap = server_snapshot(srv);
	ok = snap->snap_nhosts > 0 || snap->snap_ndomains == 0;
	if (ok)
		snprintf(why, size, "ok: serving %zu of %zu domains\n",
		    snap->snap_nhosts, snap->snap_ndomains);
	else
		snprintf(why, size, "no domain is served (of %zu configured): "
		    "see the log\n", snap->snap_ndomains);
	snapshot_unref(snap);
	return ok;
}

static enum MHD_Result
metrics_handler(void *cls, struct MHD_Connection *mc, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_size, void **req_cls)
{
	struct metrics	*me = cls;
	char		*body, why[160];
	size_t		 len;
	bool		 get;

	(void)version;
	(void)upload_data;
	if (!sidehttp_ready(req_cls, upload_size))
		return MHD_YES;
	get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
	    strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
	if (get && strcmp(url, "/metrics") == 0) {
		if ((body = metrics_text(me->me_server, &len)) == NULL)
			return MHD_NO;
		return sidehttp_respond(mc, MHD_HTTP_OK, body, len,
		    "text/plain; version=0.0.4; charset=utf-8");
	}
	if (get && strcmp(url, "/healthz") == 0) {
		bool ok = metrics_healthy(me->me_server, why, sizeof(why));

		return sidehttp_respond(mc, ok ? MHD_HTTP_OK :
		    MHD_HTTP_SERVICE_UNAVAILABLE, xstrdup(why), strlen(why),
		    "text/plain");
	}
	return sidehttp_respond(mc, MHD_HTTP_NOT_FOUND,
	    xstrdup("Not found: /metrics and /healthz are served here.\n"),
	    strlen("Not found: /metrics and /healthz are served here.\n"),
	    "text/plain");
}

int
metrics_start(struct metrics *me, struct server *srv)
{
	me->me_server = srv;
	return sidehttp_start(&me->me_http, metrics_handler, me,
	    METRICS_CONNECTIONS, METRICS_TIMEOUT);
}

void
metrics_stop(struct metrics *me)
{
	if (me == NULL)
		return;
	sidehttp_stop(&me->me_http);
	free(me);
}
