/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `mta-sts-hostd doctor`: checks a live deployment the way senders see it,
 * domain by domain: the _mta-sts record and its id, the policy host's
 * addresses, an HTTPS fetch of the policy, the MX hosts against the policy's
 * patterns, STARTTLS on every MX, the TLS-RPT record, and the policy's own
 * settings. Each finding is OK, a warning or critical, with a remedy.
 *
 * The command line parses the options and calls doctor_run(): this header
 * is all it sees. The files of the doctor share doctor_check.h. One file
 * per concern, named by what it decides:
 *
 *	doctor_run.c		a run: set-up, a thread pool over the domains,
 *				the report, --state
 *	doctor_domain.c		one domain: the checks in order, its status
 *	doctor_finding.c	a finding: status, subject, message, remedy
 *	doctor_sts.c		sts-record: the _mta-sts TXT record and its id
 *	doctor_fetch.c		policy-host, policy-fetch: the policy host's
 *				addresses, the HTTPS fetch from each
 *	doctor_mx.c		mx-match, mx-pattern (MX drift), smtp-starttls,
 *				and the cache of MX hosts shared by domains
 *	doctor_tlsrpt.c		tlsrpt-record: the _smtp._tls TXT record
 *	doctor_sanity.c		policy-sanity: mode, max_age, ready to enforce
 *	doctor_history.c	--state: since when each domain has its mode
 *	doctor_report.c		the text and the JSON report, the exit code
 *	doctor_dns.c		DNS queries through libunbound
 *	doctor_net.c		TCP and TLS client connections
 *	doctor_probe.c		on the wire: the HTTPS fetch, SMTP STARTTLS
 *
 * Names: a function of doctor_X.c is doctor_X_verb(), static or not
 * (doctor_mx_match() decides MX drift, doctor_dns_query() asks DNS).
 * Types are struct doctor_<what it is>, each with a field prefix no other
 * struct of the project uses (dm_ for struct doctor_domain). Constants
 * keep short upper-case prefixes: DOC_ for the statuses and the checks'
 * limits, DDNS_, DNET_, DTLS_ and PROBE_ in doctor_dns, doctor_net and
 * doctor_probe.
 *
 * The doctor uses config/ alone (included as "../../config/..."), never
 * the daemon's headers in server/ nor the command line's in server/cli/.
 */
#ifndef MTA_STS_DOCTOR_H
#define MTA_STS_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>

struct config;

/* Nagios/Icinga plugin exit codes, and the order of severity. */
enum doctor_status {
	DOC_OK = 0,
	DOC_WARNING = 1,
	DOC_CRITICAL = 2,
	DOC_UNKNOWN = 3,	/* doctor itself could not run */
	DOC_SKIPPED = 4,	/* not checked (an earlier check failed, --no-smtp) */
};

/* What the command line asks for. */
struct doctor_options {
	const struct config	*opt_cfg;	/* NULL with --remote */
	char			**opt_names;	/* DOMAIN..., as given */
	size_t			 opt_nnames;	/* 0: every configured domain */
	const char		*opt_resolver;	/* NULL: the system's */
	const char		*opt_cafile;	/* NULL: the system's store */
	const char		*opt_state;	/* --state FILE, or NULL */
	const char		*opt_helo;
	/* --timeout, for each DNS query and each connection */
	unsigned		 opt_timeout_ms;
	unsigned		 opt_jobs;	/* domains checked at once */
	bool			 opt_smtp;	/* false: --no-smtp */
	bool			 opt_json;	/* --format json */
};

/*
 * Check the domains and print the report on standard output; the exit
 * code: the worst status, or DOC_UNKNOWN when the doctor could not run
 * (the reason is on standard error).
 */
int	doctor_run(const struct doctor_options *);

/*
 * The policy-host check alone, for `certs`: does mta-sts.<domain> point at
 * this deployment (dns: policy_host), as `doctor` decides it? Open once
 * (NULL with *why if the resolver cannot be set up or the deployment's own
 * addresses are not known), then run from any number of threads at once:
 * DOC_OK, DOC_CRITICAL (no address, or one that is not this deployment's)
 * or DOC_UNKNOWN (the lookup failed), and the finding in *message.
 */
struct doctor_hostcheck;
struct doctor_hostcheck *doctor_hostcheck_open(const struct config *,
	    const char *resolver, unsigned timeout_ms, char **why);
enum doctor_status doctor_hostcheck_run(struct doctor_hostcheck *,
	    const char *domain, char **message);
void	doctor_hostcheck_close(struct doctor_hostcheck *);

#endif
