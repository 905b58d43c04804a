/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A configured name as a snapshot serves it: the host, with the policy
 * response and the certificate it is served with. Hosts and policies are
 * reference-counted and shared by the snapshots that hold them, built by
 * the reload thread and freed, with their last reference, on whichever
 * thread drops it.
 */
#ifndef MTA_STS_HOST_H
#define MTA_STS_HOST_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../config/config.h"
#include "../config/cert.h"
#include "../config/strmap.h"

struct MHD_Response;

/* A policy as served, shared by every name with its id: a hoster's
 * million customers share a handful. */
struct served_policy {
	atomic_uint		 pr_refs;
	char			 pr_id[POLICY_ID_LEN + 1];
	char			*pr_body;	/* the exact bytes served */
	size_t			 pr_body_len;
	struct MHD_Response	*pr_response;	/* 200 with the body, or NULL */
};

/*
 * A configured name. Served when it has a certificate (and so a policy);
 * a name without one (the domain has errors, or no certificate covers it
 * yet) is still known, for the ACME listener.
 */
struct host {
	atomic_uint		 h_refs;
	size_t			 h_name_len;
	const char		*h_domain;	/* the domain: h_name past the prefix */
	struct served_policy	*h_policy;	/* NULL: not served */
	struct cert		*h_cert;	/* NULL: not served */
	_Atomic uint64_t	 h_fetches;	/* 200s; carried over by reloads */
	char			 h_name[];	/* "mta-sts.<domain>" */
};

struct host		*host_new(const char *domain, struct served_policy *,
			    struct cert *);
struct host		*host_ref(struct host *);
void			 host_unref(struct host *);
/* Same policy and certificate: a reload may keep the host it has. */
bool			 host_same(const struct host *, const struct host *);

/*
 * The served policy of a valid domain, from `policies` (id -> served
 * policy, holding a reference each) when another name has it already;
 * returns a reference of the caller's own.
 */
struct served_policy	*served_policy_get(struct strmap *policies,
			    const struct domain *, bool with_response);
struct served_policy	*served_policy_ref(struct served_policy *);
void			 served_policy_unref(struct served_policy *);
/* Policies no host holds any longer leave `policies`. */
void			 served_policy_sweep(struct strmap *policies);
void			 served_policy_free_all(struct strmap *policies);

#endif
