/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "host.h"

#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "../config/xalloc.h"

/* ---- Hosts ------------------------------------------------------------ */

struct host *
host_new(const char *domain, struct served_policy *pol, struct cert *crt)
{
	size_t		 len = strlen(HOST_PREFIX) + strlen(domain);
	struct host	*h = xcalloc(1, sizeof(*h) + len + 1);

	atomic_init(&h->h_refs, 1);
	memcpy(h->h_name, HOST_PREFIX, strlen(HOST_PREFIX));
	memcpy(h->h_name + strlen(HOST_PREFIX), domain, strlen(domain) + 1);
	h->h_name_len = len;
	h->h_domain = h->h_name + strlen(HOST_PREFIX);
	h->h_policy = pol;
	h->h_cert = crt;
	atomic_init(&h->h_fetches, 0);
	return h;
}

struct host *
host_ref(struct host *h)
{
	atomic_fetch_add_explicit(&h->h_refs, 1, memory_order_relaxed);
	return h;
}

void
host_unref(struct host *h)
{
	if (h == NULL || atomic_fetch_sub_explicit(&h->h_refs, 1,
	    memory_order_acq_rel) != 1)
		return;
	served_policy_unref(h->h_policy);
	cert_unref(h->h_cert);
	free(h);
}

bool
host_same(const struct host *a, const struct host *b)
{
	return a->h_policy == b->h_policy && a->h_cert == b->h_cert;
}

/* ---- Served policies -------------------------------------------------- */

static struct MHD_Response *
served_policy_response(const struct served_policy *pr)
{
	struct MHD_Response *r;

	/* The response has its own copy: MHD may still send it after the
	 * snapshot that built it is gone. */
	r = MHD_create_response_from_buffer(pr->pr_body_len, pr->pr_body,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		abort();
	/* RFC 8461 3.3: text/plain; several senders fail without it. */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	return r;
}

struct served_policy *
served_policy_ref(struct served_policy *pr)
{
	atomic_fetch_add_explicit(&pr->pr_refs, 1, memory_order_relaxed);
	return pr;
}

struct served_policy *
served_policy_get(struct strmap *policies, const struct domain *d,
    bool with_response)
{
	struct served_policy *pr = policies != NULL ?
	    strmap_get(policies, d->dom_id) : NULL;

	if (pr != NULL && (pr->pr_response != NULL || !with_response))
		return served_policy_ref(pr);
	pr = xcalloc(1, sizeof(*pr));
	atomic_init(&pr->pr_refs, 1);
	memcpy(pr->pr_id, d->dom_id, sizeof(pr->pr_id));
	pr->pr_body = xstrndup(d->dom_body, d->dom_body_len);
	pr->pr_body_len = d->dom_body_len;
	if (with_response)
		pr->pr_response = served_policy_response(pr);
	if (policies != NULL)
		served_policy_unref(strmap_put(policies, pr->pr_id,
		    served_policy_ref(pr)));
	return pr;
}

void
served_policy_unref(struct served_policy *pr)
{
	if (pr == NULL || atomic_fetch_sub_explicit(&pr->pr_refs, 1,
	    memory_order_acq_rel) != 1)
		return;
	if (pr->pr_response != NULL)
		MHD_destroy_response(pr->pr_response);
	free(pr->pr_body);
	free(pr);
}

void
served_policy_sweep(struct strmap *policies)
{
	struct strvec	 gone = { 0 };
	const char	*id;
	void		*value;

	/*
	 * A count of one is the map's own: hosts are made on this thread
	 * only, so none can take the policy while it is looked at.
	 */
	for (size_t pos = 0; strmap_next(policies, &pos, &id, &value);)
		if (atomic_load(&((struct served_policy *)value)->pr_refs) == 1)
			strvec_push(&gone, xstrdup(id));
	for (size_t i = 0; i < gone.sv_count; i++)
		served_policy_unref(strmap_del(policies, gone.sv_items[i]));
	strvec_free(&gone);
}

void
served_policy_free_all(struct strmap *policies)
{
	const char	*id;
	void		*value;

	for (size_t pos = 0; strmap_next(policies, &pos, &id, &value);)
		served_policy_unref(value);
	strmap_free(policies);
}

