/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "snapshot.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "../config/name.h"
#include "../config/strmap.h"
#include "../config/xalloc.h"

static void
snapshot_index(struct snapshot *snap)
{
	size_t size = 16;

	/* At most half full keeps probe sequences short. */
	while (size < 2 * snap->snap_nhosts)
		size *= 2;
	snap->snap_slots = xcalloc(size, sizeof(*snap->snap_slots));
	snap->snap_mask = size - 1;
	for (size_t i = 0; i < snap->snap_nhosts; i++) {
		const struct host *h = &snap->snap_hosts[i];
		size_t slot = strmap_hash(h->h_name, h->h_name_len) &
		    snap->snap_mask;

		while (snap->snap_slots[slot] != 0)
			slot = (slot + 1) & snap->snap_mask;
		snap->snap_slots[slot] = (uint32_t)i + 1;
	}
}

const struct host *
snapshot_lookup(const struct snapshot *snap, const char *name, size_t len)
{
	char	lower[NAME_MAX_LENGTH + 1];
	size_t	slot;

	if (len == 0 || len > NAME_MAX_LENGTH)
		return NULL;
	/* SNI is case-insensitive (RFC 6066 3). */
	for (size_t i = 0; i < len; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	slot = strmap_hash(lower, len) & snap->snap_mask;
	while (snap->snap_slots[slot] != 0) {
		const struct host *h = &snap->snap_hosts[snap->snap_slots[slot] - 1];

		if (h->h_name_len == len && memcmp(h->h_name, lower, len) == 0)
			return h;
		slot = (slot + 1) & snap->snap_mask;
	}
	return NULL;
}

static struct MHD_Response *
snapshot_response(const struct domain *d)
{
	struct MHD_Response *r;

	/* The response owns a copy: MHD may still send it after the snapshot
	 * that built it is gone. */
	r = MHD_create_response_from_buffer(d->dom_body_len, d->dom_body,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		abort();
	/* RFC 8461 3.3: text/plain; several senders fail without it. */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain");
	return r;
}

/*
 * One response per distinct policy: customers of a hoster share a handful
 * of policies, so a million names need a handful of responses, not a
 * million copies of the same bytes.
 */
static struct MHD_Response *
snapshot_shared_response(struct snapshot *snap, struct strmap *by_id,
    const struct domain *d)
{
	struct MHD_Response *r = strmap_get(by_id, d->dom_id);

	if (r != NULL)
		return r;
	r = snapshot_response(d);
	(void)strmap_put(by_id, d->dom_id, r);
	snap->snap_responses = xreallocarray(snap->snap_responses,
	    snap->snap_nresponses + 1, sizeof(*snap->snap_responses));
	snap->snap_responses[snap->snap_nresponses++] = r;
	return r;
}

struct snapshot *
snapshot_build(struct config *cfg, time_t now, int with_responses,
    struct certcache *cc)
{
	struct snapshot	*snap = xcalloc(1, sizeof(*snap));
	struct strmap	 by_id = { 0 };

	atomic_init(&snap->snap_refs, 1);
	snap->snap_cfg = cfg;
	snap->snap_built = now;
	certset_load(&snap->snap_certs, cfg, &snap->snap_diags, now, cc);
	snap->snap_hosts = xcalloc(cfg->cfg_ndomains, sizeof(*snap->snap_hosts));
	for (size_t i = 0; i < cfg->cfg_ndomains; i++) {
		const struct domain	*d = &cfg->cfg_domains[i];
		struct host		*h;
		char			*name;
		const struct cert	*crt;

		if (!d->dom_valid)
			continue;
		name = xasprintf(HOST_PREFIX "%s", d->dom_name);
		crt = strlen(name) <= NAME_MAX_LENGTH ?
		    certset_cover(&snap->snap_certs, name, now) : NULL;
		if (crt == NULL) {
			diag_add(&snap->snap_diags, DIAG_ERROR, &d->dom_pos,
			    d->dom_name, "no valid certificate covers %s, so "
			    "the domain is not served; put one in a "
			    "certificate directory", name);
			free(name);
			continue;
		}
		h = &snap->snap_hosts[snap->snap_nhosts++];
		h->h_name = name;
		h->h_name_len = strlen(name);
		h->h_domain = d;
		h->h_cert = crt;
		if (with_responses)
			h->h_response = snapshot_shared_response(snap, &by_id,
			    d);
	}
	strmap_free(&by_id);
	snapshot_index(snap);
	diag_sort(&snap->snap_diags, &cfg->cfg_files);
	return snap;
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
	for (size_t i = 0; i < snap->snap_nhosts; i++)
		free(snap->snap_hosts[i].h_name);
	for (size_t i = 0; i < snap->snap_nresponses; i++)
		MHD_destroy_response(snap->snap_responses[i]);
	free(snap->snap_responses);
	free(snap->snap_hosts);
	free(snap->snap_slots);
	certset_free(&snap->snap_certs);	/* wipes the keys */
	diag_free(&snap->snap_diags);
	config_free(snap->snap_cfg);
	free(snap);
}
