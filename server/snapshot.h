/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A snapshot holds everything a request needs: the configuration with its
 * rendered policies, the certificates, and the table from each served name
 * (mta-sts.<domain>) to its policy response and certificate. It is built
 * whole, never modified, and reference-counted: a connection keeps the
 * snapshot it started with, and a reload swaps in a new one.
 */
#ifndef MTA_STS_SNAPSHOT_H
#define MTA_STS_SNAPSHOT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "../config/config.h"
#include "../config/cert.h"

struct MHD_Response;

struct host {
	char			*h_name;	/* "mta-sts.<domain>" */
	size_t			 h_name_len;
	const struct domain	*h_domain;
	const struct cert	*h_cert;
	struct MHD_Response	*h_response;	/* 200 with the policy, shared */
	_Atomic uint64_t	 h_fetches;	/* 200s; carried over by reloads */
};

struct snapshot {
	atomic_uint		 snap_refs;
	struct config		*snap_cfg;
	struct certset		 snap_certs;
	struct diag_list	 snap_diags;	/* certificates and coverage */
	struct host		*snap_hosts;
	size_t			 snap_nhosts;
	uint32_t		*snap_slots;	/* host index + 1; 0 is empty */
	size_t			 snap_mask;
	/* The responses, one per distinct policy, that the hosts share. */
	struct MHD_Response	**snap_responses;
	size_t			  snap_nresponses;
	time_t			 snap_built;
};

/*
 * Build a snapshot from a loaded configuration (taken over) and the
 * certificates it names, those of unchanged files from the cache if one is
 * given (see certcache). Domains with errors, or without a valid
 * certificate for mta-sts.<domain>, are reported in snap_diags and not
 * served.
 */
struct snapshot		*snapshot_build(struct config *, time_t now,
			    int with_responses, struct certcache *);
const struct host	*snapshot_lookup(const struct snapshot *,
			    const char *name, size_t len);
struct snapshot		*snapshot_ref(struct snapshot *);
void			 snapshot_unref(struct snapshot *);

#endif
