/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "snapshot.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "../config/name.h"
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

/* ---- Snapshots -------------------------------------------------------- */

struct snapshot *
snapshot_build(struct config *cfg, const struct certset *certs,
    struct diag_list *cert_diags, time_t now, bool with_responses,
    struct strmap *policies)
{
	struct snapshot	*snap = xcalloc(1, sizeof(*snap));
	struct strmap	 local = { 0 };

	atomic_init(&snap->snap_refs, 1);
	snap->snap_diags = *cert_diags;
	memset(cert_diags, 0, sizeof(*cert_diags));
	snap->snap_cfg = cfg;
	snap->snap_built = now;
	snap->snap_ndomains = cfg->cfg_ndomains;
	snap->snap_ncerts = certs->cs_count;
	if (policies == NULL)
		policies = &local;
	hosttab_init(&snap->snap_hosts, cfg->cfg_ndomains);
	for (size_t i = 0; i < cfg->cfg_ndomains; i++) {
		const struct domain	*d = &cfg->cfg_domains[i];
		const struct cert	*crt = NULL;
		struct host		*h;
		char			*name;

		if (d->dom_valid) {
			name = xasprintf(HOST_PREFIX "%s", d->dom_name);
			if (strlen(name) <= NAME_MAX_LENGTH)
				crt = certset_cover(certs, name, now);
			free(name);
		}
		h = snapshot_host(d, (struct cert *)crt, with_responses,
		    policies, &snap->snap_diags);
		if (h->h_cert != NULL)
			snap->snap_nhosts++;
		hosttab_put(&snap->snap_hosts, h);
	}
	served_policy_free_all(&local);
	diag_sort(&snap->snap_diags, &cfg->cfg_files);
	return snap;
}

struct host *
snapshot_host(const struct domain *d, struct cert *crt, bool with_responses,
    struct strmap *policies, struct diag_list *diags)
{
	if (!d->dom_valid)
		return host_new(d->dom_name, NULL, NULL);
	if (crt == NULL)
		diag_add(diags, DIAG_ERROR, &d->dom_pos, d->dom_name,
		    "no valid certificate covers " HOST_PREFIX "%s, so the "
		    "domain is not served; put one in a certificate directory",
		    d->dom_name);
	return host_new(d->dom_name, served_policy_get(policies, d,
	    with_responses), crt != NULL ? cert_ref(crt) : NULL);
}

static const struct host *
snapshot_find(const struct snapshot *snap, const char *name, size_t len)
{
	char lower[NAME_MAX_LENGTH + 1];

	if (len == 0 || len > NAME_MAX_LENGTH)
		return NULL;
	/* SNI is case-insensitive (RFC 6066 3). */
	for (size_t i = 0; i < len; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	return hosttab_get(&snap->snap_hosts, lower, len);
}

const struct host *
snapshot_lookup(const struct snapshot *snap, const char *name, size_t len)
{
	const struct host *h = snapshot_find(snap, name, len);

	return h != NULL && h->h_cert != NULL ? h : NULL;
}

const struct host *
snapshot_configured(const struct snapshot *snap, const char *name,
    size_t len)
{
	return snapshot_find(snap, name, len);
}

struct snapshot *
snapshot_ref(struct snapshot *snap)
{
	atomic_fetch_add_explicit(&snap->snap_refs, 1, memory_order_relaxed);
	return snap;
}

void
snapshot_unref(struct snapshot *snap)
{
	if (snap == NULL || atomic_fetch_sub_explicit(&snap->snap_refs, 1,
	    memory_order_acq_rel) != 1)
		return;
	hosttab_free(&snap->snap_hosts);
	diag_free(&snap->snap_diags);
	config_free(snap->snap_cfg);
	free(snap);
}
