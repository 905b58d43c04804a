/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "doctor_dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <unbound.h>

#include "../../config/xalloc.h"

/* How often the result pump looks at its stop flag. */
#define DDNS_PUMP_POLL_MS	100
#define DDNS_PORT		53

/*
 * libunbound resolves in a thread of its own (ub_ctx_async); one pump thread
 * delivers the results. A query waits for its result with a deadline and
 * cancels it when the deadline passes, so no query takes longer than the
 * timeout however the resolver behaves.
 */
struct doctor_resolver {
	struct ub_ctx	*rs_ctx;
	unsigned	 rs_timeout_ms;
	pthread_t	 rs_pump;
	atomic_bool	 rs_stop;
};

struct doctor_dns_waiter {
	pthread_mutex_t	 dw_lock;
	pthread_cond_t	 dw_cond;
	bool		 dw_done;
	int		 dw_err;
	struct ub_result *dw_result;
};

static void *
doctor_dns_pump(void *arg)
{
	struct doctor_resolver *rs = arg;
	struct pollfd	 pfd = { .fd = ub_fd(rs->rs_ctx), .events = POLLIN };

	while (!atomic_load(&rs->rs_stop)) {
		if (poll(&pfd, 1, DDNS_PUMP_POLL_MS) > 0)
			ub_process(rs->rs_ctx);
	}
	return NULL;
}

/* "1.2.3.4", "1.2.3.4:5353", "::1", "[::1]:5353" -> "addr@port" */
static char *
doctor_dns_forwarder(const char *resolver, char **why)
{
	unsigned char	 buf[sizeof(struct in6_addr)];
	const char	*colon;
	char		*addr, *end;
	long		 port = DDNS_PORT;

	if (resolver[0] == '[') {
		const char *close = strchr(resolver, ']');

		if (close == NULL || (close[1] != '\0' && close[1] != ':'))
			goto bad;
		addr = xstrndup(resolver + 1, (size_t)(close - resolver - 1));
		colon = close[1] == ':' ? close + 1 : NULL;
	} else if ((colon = strchr(resolver, ':')) != NULL &&
	    strchr(colon + 1, ':') == NULL) {
		addr = xstrndup(resolver, (size_t)(colon - resolver));
	} else {
		addr = xstrdup(resolver);
		colon = NULL;
	}
	if (colon != NULL) {
		errno = 0;
		port = strtol(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || errno != 0 ||
		    port < 1 || port > 65535) {
			free(addr);
			goto bad;
		}
	}
	if (inet_pton(AF_INET, addr, buf) != 1 &&
	    inet_pton(AF_INET6, addr, buf) != 1) {
		free(addr);
		goto bad;
	}
	end = xasprintf("%s@%ld", addr, port);
	free(addr);
	return end;
bad:
	*why = xasprintf("--resolver '%s' is not ADDRESS, ADDRESS:PORT or "
	    "[IPv6]:PORT", resolver);
	return NULL;
}

/*
 * The zones libunbound answers itself by default, as a resolver serving
 * clients should (RFC 6761, RFC 6762, RFC 7686, RFC 8375): the doctor is a
 * client, and a lab or CI zone under .test served by the resolver it was
 * given must be asked there, not reported absent. The reverse zones of
 * private and link-local addresses go with unblock-lan-zones.
 */
static const char *const doctor_dns_special_zones[] = {
	"localhost.", "test.", "invalid.", "onion.", "local.", "home.arpa.",
	"resolver.arpa.", "service.arpa.",
};

static int
doctor_dns_ask_everything(struct ub_ctx *ctx)
{
	int err = ub_ctx_set_option(ctx, "unblock-lan-zones:", "yes");

	for (size_t i = 0; err == 0 && i < sizeof(doctor_dns_special_zones) /
	    sizeof(doctor_dns_special_zones[0]); i++) {
		char zone[64];

		/* A transparent zone without data resolves as any other
		 * name; "nodefault" is honoured only in a file. */
		snprintf(zone, sizeof(zone), "%s transparent",
		    doctor_dns_special_zones[i]);
		err = ub_ctx_set_option(ctx, "local-zone:", zone);
	}
	return err;
}

struct doctor_resolver *
doctor_dns_open(const char *resolver, unsigned timeout_ms, char **why)
{
	struct doctor_resolver *rs = xcalloc(1, sizeof(*rs));
	char		*fwd = NULL;
	int		 err;

	*why = NULL;
	rs->rs_timeout_ms = timeout_ms;
	if ((rs->rs_ctx = ub_ctx_create()) == NULL) {
		*why = xstrdup("cannot create the DNS resolver");
		free(rs);
		return NULL;
	}
	if (resolver != NULL) {
		if ((fwd = doctor_dns_forwarder(resolver, why)) == NULL)
			goto fail;
		err = ub_ctx_set_fwd(rs->rs_ctx, fwd);
	} else
		err = ub_ctx_resolvconf(rs->rs_ctx, NULL);
	if (err == 0)
		err = doctor_dns_ask_everything(rs->rs_ctx);
	if (err == 0)
		err = ub_ctx_async(rs->rs_ctx, 1);
	if (err != 0) {
		*why = xasprintf("DNS resolver %s: %s", resolver != NULL ?
		    resolver : "from /etc/resolv.conf", ub_strerror(err));
		goto fail;
	}
	free(fwd);
	if (pthread_create(&rs->rs_pump, NULL, doctor_dns_pump, rs) != 0) {
		*why = xstrdup("cannot start the DNS thread");
		ub_ctx_delete(rs->rs_ctx);
		free(rs);
		return NULL;
	}
	return rs;
fail:
	free(fwd);
	ub_ctx_delete(rs->rs_ctx);
	free(rs);
	return NULL;
}

void
doctor_dns_close(struct doctor_resolver *rs)
{
	if (rs == NULL)
		return;
	atomic_store(&rs->rs_stop, true);
	pthread_join(rs->rs_pump, NULL);
	ub_ctx_delete(rs->rs_ctx);
	free(rs);
}

static void
doctor_dns_done(void *arg, int err, struct ub_result *result)
{
	struct doctor_dns_waiter *w = arg;

	pthread_mutex_lock(&w->dw_lock);
	w->dw_err = err;
	w->dw_result = result;
	w->dw_done = true;
	pthread_cond_signal(&w->dw_cond);
	pthread_mutex_unlock(&w->dw_lock);
}

/* A wire-format name (uncompressed, as libunbound gives rdata) as text. */
static char *
doctor_dns_wire_name(const unsigned char *p, size_t len)
{
	char	buf[256 * 4 + 2];
	size_t	off = 0, i = 0;

	while (i < len && p[i] != 0) {
		size_t n = p[i++];

		if (n > 63 || i + n > len || off + n * 4 + 2 >= sizeof(buf))
			return NULL;
		if (off > 0)
			buf[off++] = '.';
		for (size_t j = 0; j < n; j++, i++) {
			unsigned char c = p[i];

			if (c > 0x20 && c < 0x7f && c != '.' && c != '\\')
				buf[off++] = (char)c;
			else
				off += (size_t)snprintf(buf + off,
				    sizeof(buf) - off, "\\%03u", c);
		}
	}
	if (i >= len)
		return NULL;
	buf[off] = '\0';
	return xstrdup(buf);
}

char *
doctor_dns_rdata(int type, const unsigned char *p, size_t len)
{
	char buf[INET6_ADDRSTRLEN];

	switch (type) {
	case DDNS_TYPE_A:
		return len == 4 && inet_ntop(AF_INET, p, buf, sizeof(buf)) ?
		    xstrdup(buf) : NULL;
	case DDNS_TYPE_AAAA:
		return len == 16 && inet_ntop(AF_INET6, p, buf, sizeof(buf)) ?
		    xstrdup(buf) : NULL;
	case DDNS_TYPE_MX:
		return len >= 3 ? doctor_dns_wire_name(p + 2, len - 2) : NULL;
	case DDNS_TYPE_TXT: {
		/* One record's strings are one text (RFC 8461 3.1). */
		char	*txt = xmalloc(len + 1), *q = txt;
		size_t	 i = 0;

		while (i < len) {
			size_t n = p[i++];

			if (i + n > len) {
				free(txt);
				return NULL;
			}
			memcpy(q, p + i, n);
			q += n;
			i += n;
		}
		*q = '\0';
		if (strlen(txt) != (size_t)(q - txt)) {
			free(txt);	/* a NUL inside: no sender reads it */
			return NULL;
		}
		return txt;
	}
	}
	return NULL;
}

static void
doctor_dns_result(const char *name, int type, const struct ub_result *r,
    struct doctor_dns_answer *a)
{
	if (r->rcode != 0 && r->rcode != 3) {
		a->da_status = DDNS_FAIL;
		a->da_why = xasprintf("%s %s: the resolver answered %s", name,
		    doctor_dns_type_name(type), r->rcode == 2 ? "SERVFAIL" :
		    r->rcode == 5 ? "REFUSED" : "an error");
		return;
	}
	if (r->canonname != NULL) {
		size_t n = strlen(r->canonname);

		if (n > 0 && r->canonname[n - 1] == '.')
			n--;
		if (strncasecmp(r->canonname, name, n) != 0 ||
		    name[n] != '\0')
			a->da_canon = xstrndup(r->canonname, n);
	}
	if (r->nxdomain) {
		a->da_status = DDNS_NXDOMAIN;
		return;
	}
	if (!r->havedata) {
		a->da_status = DDNS_NODATA;
		return;
	}
	for (size_t i = 0; r->data[i] != NULL; i++) {
		char *s = doctor_dns_rdata(type, (unsigned char *)r->data[i],
		    (size_t)r->len[i]);

		if (s == NULL) {
			a->da_status = DDNS_FAIL;
			a->da_why = xasprintf("%s %s: a record cannot be read",
			    name, doctor_dns_type_name(type));
			return;
		}
		strvec_push(&a->da_data, s);
	}
	a->da_status = DDNS_OK;
}

static void
doctor_dns_deadline(struct timespec *ts, unsigned ms)
{
	clock_gettime(CLOCK_REALTIME, ts);	/* pthread_cond_timedwait's */
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

void
doctor_dns_query(struct doctor_resolver *rs, const char *name, int type,
    struct doctor_dns_answer *a)
{
	struct doctor_dns_waiter w = { .dw_done = false };
	struct timespec		deadline;
	int			id, err;

	memset(a, 0, sizeof(*a));
	pthread_mutex_init(&w.dw_lock, NULL);
	pthread_cond_init(&w.dw_cond, NULL);
	err = ub_resolve_async(rs->rs_ctx, name, type, 1 /* IN */, &w,
	    doctor_dns_done, &id);
	if (err != 0) {
		a->da_status = DDNS_FAIL;
		a->da_why = xasprintf("%s %s: %s", name,
		    doctor_dns_type_name(type), ub_strerror(err));
		goto out;
	}
	doctor_dns_deadline(&deadline, rs->rs_timeout_ms);
	pthread_mutex_lock(&w.dw_lock);
	while (!w.dw_done) {
		if (pthread_cond_timedwait(&w.dw_cond, &w.dw_lock,
		    &deadline) != ETIMEDOUT)
			continue;
		pthread_mutex_unlock(&w.dw_lock);
		/* Cancelled: the callback will not run. Else it is running. */
		if (ub_cancel(rs->rs_ctx, id) == 0) {
			a->da_status = DDNS_FAIL;
			a->da_why = xasprintf("%s %s: no answer within %u ms",
			    name, doctor_dns_type_name(type),
			    rs->rs_timeout_ms);
			goto out;
		}
		pthread_mutex_lock(&w.dw_lock);
		while (!w.dw_done)
			pthread_cond_wait(&w.dw_cond, &w.dw_lock);
	}
	pthread_mutex_unlock(&w.dw_lock);
	if (w.dw_err != 0) {
		a->da_status = DDNS_FAIL;
		a->da_why = xasprintf("%s %s: %s", name,
		    doctor_dns_type_name(type), ub_strerror(w.dw_err));
	} else
		doctor_dns_result(name, type, w.dw_result, a);
	ub_resolve_free(w.dw_result);
out:
	pthread_cond_destroy(&w.dw_cond);
	pthread_mutex_destroy(&w.dw_lock);
}

void
doctor_dns_answer_free(struct doctor_dns_answer *a)
{
	strvec_free(&a->da_data);
	free(a->da_canon);
	free(a->da_why);
	memset(a, 0, sizeof(*a));
}

enum doctor_dns_status
doctor_dns_addresses(struct doctor_resolver *rs, const char *name,
    struct strvec *out, char **canon, char **why)
{
	static const int	 types[] = { DDNS_TYPE_A, DDNS_TYPE_AAAA };
	enum doctor_dns_status	 best = DDNS_NXDOMAIN;

	for (size_t t = 0; t < 2; t++) {
		struct doctor_dns_answer a;

		doctor_dns_query(rs, name, types[t], &a);
		if (a.da_status == DDNS_OK) {
			best = DDNS_OK;
			for (size_t i = 0; i < a.da_data.sv_count; i++)
				strvec_push(out,
				    xstrdup(a.da_data.sv_items[i]));
		} else if (a.da_status == DDNS_FAIL && best != DDNS_OK) {
			best = DDNS_FAIL;
			free(*why);
			*why = a.da_why;
			a.da_why = NULL;
		} else if (a.da_status == DDNS_NODATA && best == DDNS_NXDOMAIN)
			best = DDNS_NODATA;
		if (a.da_canon != NULL && canon != NULL && *canon == NULL) {
			*canon = a.da_canon;
			a.da_canon = NULL;
		}
		doctor_dns_answer_free(&a);
	}
	return best;
}

const char *
doctor_dns_type_name(int type)
{
	switch (type) {
	case DDNS_TYPE_A:
		return "A";
	case DDNS_TYPE_AAAA:
		return "AAAA";
	case DDNS_TYPE_MX:
		return "MX";
	case DDNS_TYPE_TXT:
		return "TXT";
	}
	return "?";
}
