/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the files of the doctor share (doctor.h has the layout and the
 * names): the context of a run, a domain and its findings, one domain
 * under check, and the functions that cross files, by the file that has
 * them.
 */
#ifndef MTA_STS_DOCTOR_CHECK_H
#define MTA_STS_DOCTOR_CHECK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "../../config/config.h"
#include "../../config/dns.h"
#include "../../config/record.h"
#include "doctor.h"
#include "doctor_dns.h"
#include "doctor_net.h"

/* A certificate that expires this soon is a warning (as in `check`). */
#define DOC_CERT_WARN_DAYS	14
/* Addresses tried per name: a sender picks any of them. */
#define DOC_ADDRESSES_MAX	8

/* What one check found on one domain, as the report prints it. */
struct doctor_finding {
	const char	*df_check;	/* "sts-record", "policy-host", ... */
	char		*df_subject;	/* an MX host, an address, or NULL */
	enum doctor_status df_status;
	char		*df_message;
	char		*df_remedy;	/* one line, or NULL */
};

/* A domain to check, and what its checks found. */
struct doctor_domain {
	char			*dm_name;
	const struct domain	*dm_conf;	/* NULL with --remote */
	enum doctor_status	 dm_status;
	enum policy_mode	 dm_mode;	/* as served, for --state */
	time_t			 dm_mode_since;	/* 0: unknown */
	struct doctor_finding	*dm_findings;
	size_t			 dm_nfindings;
};

/* STARTTLS results per MX host, shared by every domain that uses it. */
struct doctor_mx_host;
struct doctor_mx_cache {
	pthread_mutex_t		 mc_lock;
	pthread_cond_t		 mc_cond;
	struct doctor_mx_host	**mc_buckets;	/* chains, by host name hash */
};

/* --state: since when each domain has had its mode (doctor_history.c). */
struct doctor_history_entry;
struct doctor_history {
	const char		*dh_path;	/* NULL: no --state */
	struct doctor_history_entry *dh_entries;	/* sorted by domain */
	size_t			 dh_count;
};

/* What every domain's checks share; read-only but for the MX cache. */
struct doctor_context {
	const struct config	*cx_cfg;	/* NULL with --remote */
	struct doctor_resolver	*cx_dns;
	WOLFSSL_CTX		*cx_tls;
	unsigned		 cx_timeout_ms;
	bool			 cx_smtp;
	const char		*cx_helo;
	time_t			 cx_now;
	const struct doctor_history *cx_history;
	struct strvec		 cx_host_expected;	/* policy host addresses */
	const char		*cx_host_how;	/* where from; NULL: not known */
	struct doctor_mx_cache	 cx_mx;
};

/*
 * One domain under check: where its findings go, and what its checks learn
 * on the way, for the later ones.
 */
struct doctor_domain_check {
	struct doctor_context	*dc_ctx;
	struct doctor_domain	*dc_dom;
	struct dns_set		 dc_records;	/* what `dns` would publish */
	char			 dc_dns_id[RECORD_STS_ID_MAX + 1];
	char			*dc_sts_name;	/* where the TXT was found */
	struct strvec		 dc_host_addrs;	/* mta-sts.<domain> */
	bool			 dc_host_unknown;	/* its lookup failed */
	bool			 dc_have_policy;
	struct policy		 dc_policy;	/* configured, or fetched */
	char			*dc_served;	/* a body served, or NULL */
	size_t			 dc_served_len;
	bool			 dc_served_matches;
	struct strvec		 dc_mx;		/* MX hosts from DNS */
	bool			 dc_mx_clean;	/* all match, all pass */
	bool			 dc_mx_probed;
};

/* doctor_domain.c */
/* Run every check of one domain; fills dm_findings and dm_status. */
void	doctor_domain_run(struct doctor_context *, struct doctor_domain *);
void	doctor_domain_free(struct doctor_domain *);

/* doctor_finding.c */
void	doctor_finding_add(struct doctor_domain_check *, const char *check,
	    const char *subject, enum doctor_status, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
/* The remedy of the finding added last. */
void	doctor_finding_remedy(struct doctor_domain_check *, const char *fmt,
	    ...) __attribute__((format(printf, 2, 3)));
/* As remedy: "publish" the record `dns` would publish, else `otherwise`. */
void	doctor_finding_remedy_record(struct doctor_domain_check *,
	    enum dns_purpose, const char *otherwise);
/* The record `dns` would publish for this domain with this purpose. */
const struct dns_record *doctor_finding_record(
	    const struct doctor_domain_check *, enum dns_purpose);
/* A failure a sender would act on: fatal in enforce, reported in testing. */
enum doctor_status doctor_finding_severity(const struct doctor_domain_check *);
/* What senders do about such a failure, in the policy's mode. */
const char *doctor_finding_consequence(const struct doctor_domain_check *);
/* Whole days from the start of the run until `t`. */
long	doctor_finding_days(const struct doctor_domain_check *, time_t t);

/* The checks, in the order doctor_domain_run() runs them. */
/* doctor_sts.c */
void	doctor_sts_record(struct doctor_domain_check *);
/* doctor_fetch.c */
void	doctor_fetch_host(struct doctor_domain_check *);
void	doctor_fetch_policy(struct doctor_domain_check *);
/* doctor_sts.c: the id in DNS against the configured and the served one. */
void	doctor_sts_id(struct doctor_domain_check *);
/* doctor_mx.c */
void	doctor_mx_match(struct doctor_domain_check *);
void	doctor_mx_starttls(struct doctor_domain_check *);
/* doctor_tlsrpt.c */
void	doctor_tlsrpt_record(struct doctor_domain_check *);
/* doctor_sanity.c */
void	doctor_sanity_policy(struct doctor_domain_check *);

/* What a run sets up once for all its domains. */
/* doctor_fetch.c: what mta-sts.<domain> must point at (cx_host_expected). */
void	doctor_fetch_expect(struct doctor_context *);
/* doctor_mx.c */
void	doctor_mx_cache_init(struct doctor_mx_cache *);
void	doctor_mx_cache_free(struct doctor_mx_cache *);

/* doctor_history.c */
bool	doctor_history_load(struct doctor_history *, const char *path,
	    char **why);
/* When `domain` took `mode`: from the history, or `now` if it is new. */
time_t	doctor_history_since(const struct doctor_history *, const char *domain,
	    enum policy_mode mode, time_t now);
bool	doctor_history_save(const struct doctor_history *,
	    const struct doctor_domain *, size_t n, char **why);
void	doctor_history_free(struct doctor_history *);

/* doctor_report.c: the human report, and the JSON one (schema
 * mta-sts-hostd.doctor/1). */
void	doctor_report_text(FILE *, const struct doctor_domain *, size_t n,
	    bool utf8);
void	doctor_report_json(FILE *, const struct doctor_domain *, size_t n);
/* The worst status over the domains: the exit code. */
enum doctor_status doctor_report_overall(const struct doctor_domain *,
	    size_t n);

#endif
