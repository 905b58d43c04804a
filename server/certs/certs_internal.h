/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of `certs` share (certs.h has the layout): the plan of
 * every configured name, made by certs_plan.c.
 */
#ifndef MTA_STS_CERTS_INTERNAL_H
#define MTA_STS_CERTS_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "../../config/cert.h"
#include "../../config/clock.h"
#include "../../config/config.h"
#include "../../config/orderstate.h"
#include "certs.h"

/* The monotonic clock in milliseconds, signed: deadlines minus now. */
static inline long long
certs_ms(void)
{
	return (long long)clock_ms();
}

/* What a name's certificate calls for. */
enum certs_need {
	CERTS_NEED_NONE,	/* valid, not yet in its renewal window */
	CERTS_NEED_MISSING,	/* no valid certificate */
	CERTS_NEED_RENEWAL,	/* ours, inside its renewal window */
};

/* What the reports say of a name. */
enum certs_state {
	CERTS_OK,
	CERTS_PENDING,		/* due: the next pass with budget orders it */
	CERTS_ORDERING,		/* a pass claimed it and orders it now */
	CERTS_WAITING_DNS,	/* due, but the name does not point here */
	CERTS_FAILING,		/* due, and the last order failed */
};

struct certs_name {
	const struct domain	*nm_dom;
	char			*nm_host;	/* mta-sts.<domain> */
	const struct cert	*nm_cert;	/* the one served now, or NULL */
	bool			 nm_managed;	/* in the install directory */
	time_t			 nm_renew_at;	/* 0: no certificate */
	enum certs_need		 nm_need;
};

struct certs_plan {
	struct certset		 pl_certs;
	struct diag_list	 pl_diags;	/* unusable certificate files */
	struct certs_name	*pl_names;	/* configured order */
	size_t			 pl_count;
	time_t			 pl_now;
};

/* certs_plan.c */
/* Load the certificates and plan every name (or those of opt_names);
 * -1 if a name given is not a configured domain (said on stderr). */
int	certs_plan_make(struct certs_plan *, const struct certs_options *,
	    time_t now);
void	certs_plan_free(struct certs_plan *);
/* Its state, given its entry in the state file (or NULL). */
enum certs_state certs_plan_state(const struct certs_name *,
	    const struct order_entry *, time_t now);
const char *certs_plan_state_name(enum certs_state);
/* A time as the reports write it (UTC, ISO 8601), "-" for 0. */
void	certs_plan_time(time_t, char *buf, size_t size);
/* The counts of the metrics, over every name of the plan. */
void	certs_plan_count(const struct certs_plan *, struct orderstate *,
	    struct order_counts *);
/* The back-off after `failures` in a row (1 or more). */
time_t	certs_plan_backoff(const struct acme_settings *, const char *host,
	    unsigned failures);

/* certs_probe.c */
struct certs_probe;
/* NULL without acme listen (nothing to probe), or with *why set if the
 * probe file cannot be written. */
struct certs_probe *certs_probe_open(const struct config *, char **why);
/* Does the daemon answer HTTP-01 for `host`? 1 yes; 0 no, -1 its
 * listener cannot be reached (*why), after asking again for a few
 * seconds. Safe from several threads at once. */
int	certs_probe_check(struct certs_probe *, const char *host, char **why);
void	certs_probe_close(struct certs_probe *);

/* certs_client.c */
struct certs_order {
	bool	 or_ok;
	/* Not the name's fault: the client could not be run or locked. */
	bool	 or_fatal;
	char	*or_message;	/* the error worth keeping, or NULL */
};
/* Is the configured client's program on PATH? Else *why. */
bool	certs_client_found(const struct config *, char **why);
/* Order `host` through the configured client, waiting for the client lock
 * (one client run at a time per client directory). */
void	certs_client_order(const struct config *, const char *host,
	    struct certs_order *);

#endif
