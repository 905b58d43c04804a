/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `mta-sts-hostd certs`: the scheduler that decides which mta-sts.<domain>
 * certificates to order, when, and what to do when an order fails. A real
 * ACME client (certbot or lego) does the protocol and the ACME hooks
 * install what it obtains; this decides the rest:
 *
 *	certs_plan.c	what each name needs: its certificate, whether it
 *			is due (missing, or inside the renewal window,
 *			spread per name), and its state for the reports;
 *			the configuration and certificates read through the
 *			load cache of `certs`
 *	certs_run.c	one pass: the names due, their DNS checked first
 *			(the doctor's policy-host check), claimed in the
 *			shared state file within the order budget, ordered,
 *			and the results and back-off recorded
 *	certs_probe.c	the daemon's ACME listener asked first whether it
 *			answers HTTP-01 for the name
 *	certs_client.c	the client's command line, run under a time limit
 *	certs_status.c	`certs status`: per domain, as text or JSON
 *
 * The state file is config/orderstate.h. This folder uses config/ and the
 * doctor's public header, never the daemon's headers nor the command
 * line's. Names: certs_<file>_verb(); struct certs_<what> with its own
 * field prefix.
 */
#ifndef MTA_STS_CERTS_H
#define MTA_STS_CERTS_H

#include <stdbool.h>
#include <stddef.h>

struct config;

/* Exit codes of `certs`, beside the command line's 0, 1 and 2. */
#define CERTS_EXIT_FAILED	3	/* the pass could not run */

struct certs_options {
	const struct config	*opt_cfg;
	char			**opt_names;	/* DOMAIN...; none: every one */
	size_t			 opt_nnames;
	const char		*opt_resolver;	/* NULL: the system's */
	unsigned		 opt_timeout_ms;	/* each DNS query */
	unsigned		 opt_jobs;	/* DNS checks at once */
	bool			 opt_json;	/* status --format json */
	bool			 opt_run;	/* a pass: it writes the cache */
};

/*
 * The configuration at `path`, its customer files taken from the load
 * cache of `certs` (acme cache_directory) where they are unchanged: a pass
 * (`run`) writes it anew once enough changed and says what it took from
 * it; a report only reads it. What is wrong with the cache is said on
 * stderr.
 */
struct config *certs_load_config(const char *path, bool run);
/* One pass (`certs run`): 0, or CERTS_EXIT_FAILED (why on stderr). */
int	certs_run(const struct certs_options *);
/* The report (`certs status`) on standard output. */
int	certs_status(const struct certs_options *);

#endif
