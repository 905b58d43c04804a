/*
 * `mta-sts-hostd doctor`: checks a live deployment the way senders see it,
 * domain by domain: the _mta-sts record and its id, the policy host's
 * addresses, an HTTPS fetch of the policy, the MX hosts against the policy's
 * patterns, STARTTLS on every MX, the TLS-RPT record, and the policy's own
 * settings. Each finding is OK, a warning or critical, with a remedy.
 */
#ifndef MTA_STS_DOCTOR_H
#define MTA_STS_DOCTOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>

#include "../../config/config.h"
#include "doctor_dns.h"
#include "doctor_net.h"

/* Nagios/Icinga plugin exit codes, and the order of severity. */
enum doc_status {
	DOC_OK = 0,
	DOC_WARNING = 1,
	DOC_CRITICAL = 2,
	DOC_UNKNOWN = 3,	/* doctor itself could not run */
	DOC_SKIPPED = 4,	/* not checked (an earlier check failed, --no-smtp) */
};

/* A certificate that expires this soon is a warning (as in `check`). */
#define DOC_CERT_WARN_DAYS	14
/* Addresses tried per name: a sender picks any of them. */
#define DOC_ADDRESSES_MAX	8

struct doc_check {
	const char	*dc_check;	/* "sts-record", "policy-host", ... */
	char		*dc_subject;	/* an MX host, an address, or NULL */
	enum doc_status	 dc_status;
	char		*dc_message;
	char		*dc_remedy;	/* one line, or NULL */
};

struct doc_domain {
	char			*dd_name;
	const struct domain	*dd_conf;	/* NULL with --remote */
	enum doc_status		 dd_status;
	enum policy_mode	 dd_mode;	/* as served, for --state */
	time_t			 dd_mode_since;	/* 0: unknown */
	struct doc_check	*dd_checks;
	size_t			 dd_nchecks;
};

/* STARTTLS results per MX host, shared by every domain that uses it. */
struct doc_mx_entry;
struct doc_mx_cache {
	pthread_mutex_t		 mc_lock;
	pthread_cond_t		 mc_cond;
	struct doc_mx_entry	**mc_buckets;	/* chains, by host name hash */
};

/* --state: since when each domain has had its mode (doctor_history.c). */
struct doc_history_entry;
struct doc_history {
	const char		*dh_path;	/* NULL: no --state */
	struct doc_history_entry	*dh_entries;	/* sorted by domain */
	size_t			 dh_count;
};

/* Testing this long with every MX passing: time to enforce. */
#define DOC_TESTING_READY_DAYS	14

bool	doctor_history_load(struct doc_history *, const char *path, char **why);
/* When `domain` took `mode`: from the history, or `now` if it is new. */
time_t	doctor_history_since(const struct doc_history *, const char *domain,
	    enum policy_mode mode, time_t now);
bool	doctor_history_save(const struct doc_history *,
	    const struct doc_domain *, size_t n, char **why);
void	doctor_history_free(struct doc_history *);

/* What every domain's checks share; read-only but for the MX cache. */
struct doc_run {
	const struct config	*dr_cfg;	/* NULL with --remote */
	struct ddns		*dr_dns;
	WOLFSSL_CTX		*dr_tls;
	unsigned		 dr_timeout_ms;
	bool			 dr_smtp;
	const char		*dr_helo;
	time_t			 dr_now;
	const struct doc_history *dr_history;
	struct strvec		 dr_host_expected;	/* policy host addresses */
	const char		*dr_host_how;	/* where from; NULL: not known */
	struct doc_mx_cache	 dr_mx;
};

/* Resolve what mta-sts.<domain> must point at (dr_host_expected). */
void	doctor_expect_addresses(struct doc_run *);
void	doctor_mx_cache_init(struct doc_mx_cache *);
void	doctor_mx_cache_free(struct doc_mx_cache *);

/* Run every check of one domain; fills dd_checks and dd_status. */
void	doctor_check_domain(struct doc_run *, struct doc_domain *);
void	doctor_domain_free(struct doc_domain *);

const char *doctor_status_name(enum doc_status);
/* The human report, and the JSON one (schema mta-sts-hostd.doctor/1). */
void	doctor_write_text(FILE *, const struct doc_domain *, size_t n,
	    bool utf8);
void	doctor_write_json(FILE *, const struct doc_domain *, size_t n);
/* The worst status over the domains: the exit code. */
enum doc_status doctor_overall(const struct doc_domain *, size_t n);

#endif
