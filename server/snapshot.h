/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A snapshot holds everything a request needs: the settings, and the table
 * from each configured name (mta-sts.<domain>) to its host, with the policy
 * response and the certificate it is served with. It is never modified
 * once published, and reference-counted: a connection keeps the snapshot
 * it started with, and a reload swaps in a new one.
 *
 * Snapshots share what did not change between them: the hosts (and so the
 * policies and certificates they hold) and the pages of the table, each
 * reference-counted. A reload that changes one customer makes one host and
 * copies one page of the table.
 */
#ifndef MTA_STS_SNAPSHOT_H
#define MTA_STS_SNAPSHOT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../config/config.h"
#include "../config/cert.h"
#include "../config/strmap.h"
#include "host.h"
#include "hosttab.h"

struct snapshot {
	atomic_uint		 snap_refs;
	struct config		*snap_cfg;	/* a reference: the settings */
	struct hosttab		 snap_hosts;	/* every configured name */
	size_t			 snap_ndomains;	/* configured */
	size_t			 snap_nhosts;	/* served */
	size_t			 snap_ncerts;	/* certificate files loaded */
	struct diag_list	 snap_diags;	/* certificates and coverage */
	time_t			 snap_built;
};

/*
 * Build a snapshot from a loaded configuration (its reference passes to
 * the snapshot) and the certificates loaded for it, whose diagnostics it
 * takes over. Domains with errors, or without a valid certificate for
 * mta-sts.<domain>, are reported in snap_diags and not served. `policies`
 * may be NULL.
 */
struct snapshot		*snapshot_build(struct config *,
			    const struct certset *, struct diag_list *cert_diags,
			    time_t now, bool with_responses,
			    struct strmap *policies);
/*
 * The host for one configured domain and the certificate chosen for it
 * (NULL: none covers it): served when the domain is valid and has one;
 * else known (a valid domain's policy kept in it), and why it is not
 * served in `diags`.
 */
struct host		*snapshot_host(const struct domain *, struct cert *,
			    bool with_responses, struct strmap *policies,
			    struct diag_list *diags);
/*
 * The same for a domain known by its name, its policy (a reference the
 * caller keeps; NULL: the domain is invalid) and where it is defined.
 */
struct host		*snapshot_host_of(const char *name,
			    struct served_policy *policy,
			    const struct srcpos *pos, struct cert *crt,
			    struct diag_list *diags);
/* The host that serves `name` (any case), or NULL. */
const struct host	*snapshot_lookup(const struct snapshot *,
			    const char *name, size_t len);
/* The host of a configured name, served or not, or NULL. */
const struct host	*snapshot_configured(const struct snapshot *,
			    const char *name, size_t len);
struct snapshot		*snapshot_ref(struct snapshot *);
void			 snapshot_unref(struct snapshot *);

#endif
