/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "snapshot.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "../config/name.h"
#include "../config/xalloc.h"

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
snapshot_host_of(const char *name, struct served_policy *policy,
    const struct srcpos *pos, struct cert *crt, struct diag_list *diags)
{
	if (policy == NULL)
		return host_new(name, NULL, NULL);
	if (crt == NULL)
		diag_add(diags, DIAG_ERROR, pos, name, "no valid certificate "
		    "covers " HOST_PREFIX "%s, so the domain is not served; put "
		    "one in a certificate directory", name);
	/* Not served without one, its policy kept for when one comes. */
	return host_new(name, served_policy_ref(policy),
	    crt != NULL ? cert_ref(crt) : NULL);
}

struct host *
snapshot_host(const struct domain *d, struct cert *crt, bool with_responses,
    struct strmap *policies, struct diag_list *diags)
{
	struct served_policy	*policy = d->dom_valid ?
	    served_policy_get(policies, d, with_responses) : NULL;
	struct host		*h;

	h = snapshot_host_of(d->dom_name, policy, &d->dom_pos, crt, diags);
	served_policy_unref(policy);
	return h;
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
