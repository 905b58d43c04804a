/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration model: everything mta-sts-hostd reads from YAML, validated
 * and with every policy rendered and its id computed. Loading never stops at
 * the first problem: it records every error and warning in cfg_diags, marks
 * the domains that cannot be served, and keeps the rest usable.
 */
#ifndef MTA_STS_CONFIG_H
#define MTA_STS_CONFIG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "diag.h"
#include "policy.h"
#include "stamp.h"
#include "strvec.h"

#define CONFIG_DEFAULT_PATH	"/etc/mta-sts-hostd/mta-sts-hostd.yaml"
/* A domain's policy is served at https://mta-sts.<domain>/ (RFC 8461 3.3). */
#define HOST_PREFIX		"mta-sts."

/* Defaults and ranges of the `limits:` section. */
#define LIMIT_MAX_CONNECTIONS		10000
#define LIMIT_MAX_CONNECTIONS_PER_ADDR	64
#define LIMIT_HANDSHAKE_TIMEOUT		10	/* seconds; senders give up at 4 */
/*
 * Seconds a connection may wait with no request in flight, after its
 * handshake or between keep-alive requests: a policy fetch is one GET sent
 * right after the handshake, and an idle TLS connection costs some 24 KiB.
 */
#define LIMIT_IDLE_TIMEOUT		10
/* Seconds from a request's first byte to its end: headers trickled in to
 * hold a connection open (slowloris) end here (HAProxy's http-request). */
#define LIMIT_REQUEST_TIMEOUT		10
/*
 * Requests on one connection before it is closed. A sender fetches one
 * policy per connection; what the limit bounds is how long one client
 * keeps one connection (and the snapshot it was opened on) busy. nginx's
 * default: past it a keep-alive client pays a handshake per thousand
 * requests, not per hundred.
 */
#define LIMIT_MAX_REQUESTS_PER_CONN	1000
#define LIMIT_WORKERS_MAX		256

/* RFC 2181 8: a TTL is at most 2^31 - 1. */
#define DNS_TTL_LIMIT			2147483647u
/* _mta-sts TXT: short, so senders see a new id soon after the policy changes. */
#define DNS_TTL_POLICY_ID_DEFAULT	300u
#define DNS_TTL_DEFAULT			3600u

#define CONFIG_DEFAULT_USER		"mta-sts-hostd"
#define CONFIG_DEFAULT_GROUP		"mta-sts-hostd"
#define CONFIG_DEFAULT_PORT		443

/*
 * The daemon's system call allow-list (server/seccomp.c) names x86_64's
 * system calls: on other architectures it is off and cannot be turned on.
 */
#if defined(__x86_64__) && !defined(__ILP32__)
#define CONFIG_SECCOMP_AVAILABLE	true
#else
#define CONFIG_SECCOMP_AVAILABLE	false
#endif

enum log_target {
	LOG_TARGET_STDERR,
	LOG_TARGET_SYSLOG,
};

enum log_level {
	LOG_LEVEL_ERROR,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

struct listen_addr {
	char			*la_text;	/* canonical "addr:port" / "[addr]:port" */
	struct sockaddr_storage	 la_addr;
	socklen_t		 la_addrlen;
	struct srcpos		 la_pos;
};

struct cert_source {
	char		*csrc_directory;	/* a directory to scan, or */
	char		*csrc_cert;		/* an explicit chain and key */
	char		*csrc_key;
	struct srcpos	 csrc_pos;
};

struct limits {
	unsigned	lim_max_connections;
	unsigned	lim_max_connections_per_address;
	unsigned	lim_handshake_timeout;
	unsigned	lim_idle_timeout;
	unsigned	lim_request_timeout;
	unsigned	lim_max_requests_per_connection;
};

struct dns_settings {
	uint32_t	 dns_ttl_policy_id;
	uint32_t	 dns_ttl_tlsrpt;
	uint32_t	 dns_ttl_policy_host;
	char		*dns_host_cname;	/* mta-sts.<domain> CNAME target */
	struct strvec	 dns_host_addresses;	/* or A/AAAA, canonical text */
	struct strvec	 dns_rua;		/* default TLS-RPT URIs */
	char		*dns_delegation_zone;	/* hoster zone, or NULL */
};

#define CONFIG_DEFAULT_ACME_WEBROOT	"/var/lib/mta-sts-hostd/acme"
#define CONFIG_DEFAULT_ACME_DIRECTORY_URL \
	"https://acme-v02.api.letsencrypt.org/directory"
#define CONFIG_DEFAULT_ACME_HOOKS	"/usr/share/mta-sts-hostd/acme-hooks"
#define CONFIG_DEFAULT_ACME_STATE	"/var/lib/mta-sts-hostd/certs.state"
#define CONFIG_DEFAULT_ACME_CLIENT_DIR	"/var/lib/mta-sts-hostd"	/* + client */
/* certbot's renewal point; a pass spreads renewals over a third more. */
#define ACME_RENEW_BEFORE_DEFAULT	(30 * 86400)
/* Let's Encrypt: 300 new orders per account per 3 hours. */
#define ACME_ORDER_LIMIT_DEFAULT	300
#define ACME_ORDER_WINDOW_DEFAULT	(3 * 3600)
/* After a failed order: 15 minutes, doubling up to a day (Let's Encrypt
 * allows 5 failed validations per name per hour). */
#define ACME_RETRY_MIN_DEFAULT		(15 * 60)
#define ACME_RETRY_MAX_DEFAULT		86400
#define ACME_ORDER_TIMEOUT_DEFAULT	300
#define ACME_PASS_TIME_DEFAULT		(30 * 60)

/* The ACME client `mta-sts-hostd certs run` orders through. */
enum acme_client {
	ACME_CLIENT_NONE,	/* no orders: certificates come from outside */
	ACME_CLIENT_CERTBOT,
	ACME_CLIENT_LEGO,
};

/*
 * The plain-HTTP listener for ACME HTTP-01 challenges (off without listen),
 * and what `mta-sts-hostd certs` orders with (off without client). Times
 * are in seconds.
 */
struct acme_settings {
	struct listen_addr	*acme_listen;
	size_t			 acme_nlisten;
	char			*acme_webroot;	/* certbot --webroot -w */
	enum acme_client	 acme_client;
	char			*acme_directory_url;
	char			*acme_email;	/* NULL: none (certbot only) */
	/* certbot's config, work and logs directories, or lego's --path;
	 * NULL: CONFIG_DEFAULT_ACME_CLIENT_DIR/<client>. */
	char			*acme_client_dir;
	/* Where the hooks install (MTA_STS_HOSTD_CERT_DIR); NULL: the one
	 * certificates directory. */
	char			*acme_install_dir;
	char			*acme_hooks;	/* the acme-hooks directory */
	char			*acme_state;	/* the orders' state file */
	/* The load cache of `certs` (loadcache_dir()): NULL: systemd's;
	 * "": none. */
	char			*acme_cache_dir;
	unsigned		 acme_renew_before;
	unsigned		 acme_order_limit;	/* new orders ... */
	unsigned		 acme_order_window;	/* ... per window */
	unsigned		 acme_retry_min;
	unsigned		 acme_retry_max;
	unsigned		 acme_order_timeout;	/* one client run */
	unsigned		 acme_pass_time;	/* no order after */
	struct srcpos		 acme_pos;	/* the acme: key, for messages */
};

/* The metrics and health listener (Prometheus); off without listen. */
struct metrics_settings {
	struct listen_addr	*met_listen;
	size_t			 met_nlisten;
};

struct policy_template {
	char		*tpl_name;
	struct srcpos	 tpl_pos;
	struct policy	 tpl_policy;
	bool		 tpl_valid;
};

struct domain {
	char		*dom_name;	/* A-label, lower case, no trailing dot */
	struct srcpos	 dom_pos;
	char		*dom_template;	/* NULL: the policy is inline */
	bool		 dom_overrides;	/* inline fields on top of the template */
	struct policy	 dom_policy;	/* the effective policy */
	char		*dom_zone;	/* zone that holds its records */
	struct strvec	 dom_rua;	/* effective TLS-RPT URIs (may be empty) */
	bool		 dom_delegate;	/* _mta-sts CNAME to the hoster zone */
	/* `delegate: true` written: the delegation zone decides whether it
	 * is valid (none is an error). */
	bool		 dom_delegate_asked;
	bool		 dom_valid;	/* no error: it can be served */
	char		*dom_body;	/* the exact bytes served */
	size_t		 dom_body_len;
	char		 dom_id[POLICY_ID_LEN + 1];
};

struct config {
	/* Holders: a configuration is freed with its last reference. */
	atomic_uint		 cfg_refs;
	char			*cfg_path;
	struct strvec		 cfg_files;	/* every file read; srcpos points here */
	struct stamp		*cfg_stamps;	/* each file's, as it was read */
	size_t			*cfg_links;	/* those that are symlinks, */
	size_t			 cfg_nlinks;	/* by their place in cfg_files */
	struct strvec		 cfg_includes;	/* include patterns, as resolved */
	struct listen_addr	*cfg_listen;
	size_t			 cfg_nlisten;
	char			*cfg_user;
	char			*cfg_group;
	unsigned		 cfg_workers;	/* 0: one per core */
	enum log_target		 cfg_log_target;
	enum log_level		 cfg_log_level;
	bool			 cfg_access_log;	/* a line per request */
	bool			 cfg_seccomp;	/* the system call allow-list */
	/* Session ticket keys shared by replicas, or NULL: the daemon makes
	 * and rotates its own. */
	char			*cfg_ticket_keys;
	/* The load cache's directory (loadcache.h); NULL: systemd's, if
	 * any; "": none. Read at start-up only. */
	char			*cfg_cache_dir;
	struct limits		 cfg_limits;
	struct cert_source	*cfg_certs;
	size_t			 cfg_ncerts;
	struct dns_settings	 cfg_dns;
	struct acme_settings	 cfg_acme;
	struct metrics_settings	 cfg_metrics;
	struct policy_template	*cfg_templates;	/* sorted by name */
	size_t			 cfg_ntemplates;
	struct domain		*cfg_domains;	/* sorted by name */
	size_t			 cfg_ndomains;
	struct diag_list	 cfg_diags;
	/* Domains defined more than once (the first definition is kept). */
	struct strvec		 cfg_duplicates;
	/* config_load_part(): the file defines templates of its own. */
	bool			 cfg_part_templates;
};

/* Never NULL: problems, even an unreadable file, are in cfg_diags. */
struct config		*config_load(const char *path);
/*
 * config_load() at start-up, the customer files taken from the load cache
 * (loadcache.h) where it holds them as they are, and the cache's next
 * version written.
 */
struct loadcache;
struct config		*config_load_cached(const char *path,
			    struct loadcache *);
/*
 * One file that `main` includes, read alone as config_load() reads it among
 * the others: its domains resolved against main's templates and dns
 * settings, its problems in cfg_diags. A file that defines templates of its
 * own says so in cfg_part_templates: its domains may then not be what a
 * whole load gives.
 */
struct config		*config_load_part(const struct config *main,
			    const char *path);
/*
 * The main file alone, as config_load() reads it, its include patterns
 * kept (cfg_includes) and not read: its settings, templates and domains.
 */
struct config		*config_load_main(const char *path);
/*
 * Does the main file of `a` name the files that `b`'s names: the same
 * include patterns, certificate sources and session ticket key file?
 */
bool			 config_sources_equal(const struct config *a,
			    const struct config *b);
/* The same certificate sources, in the same order? */
bool			 config_cert_sources_equal(const struct config *a,
			    const struct config *b);
/*
 * Do `a` and `b` name the same files one by one: the session ticket key
 * file, and the certificate and key files named without a directory? Then
 * they differ at most in their include patterns and certificate
 * directories.
 */
bool			 config_named_files_equal(const struct config *a,
			    const struct config *b);
/*
 * Are the included files' domains resolved in `a` as in `b`: the same
 * templates and the DNS settings domains take? With both, a change of
 * the main file changes nothing of the other files' meaning.
 */
bool			 config_resolution_equal(const struct config *a,
			    const struct config *b);
/*
 * The parts of config_resolution_equal(): the delegation zone (a domain
 * that delegates needs one, or it is in error), and the templates. The
 * TLS-RPT addresses domains take change their DNS records only, nothing
 * a domain serves.
 */
bool			 config_delegation_equal(const struct config *a,
			    const struct config *b);
bool			 config_templates_equal(const struct config *a,
			    const struct config *b);
/* The same template (name, validity, policy), or both NULL. */
bool			 config_template_equal(const struct policy_template *,
			    const struct policy_template *);
struct config		*config_ref(struct config *);
/*
 * The domains and the files' stamps go, the settings stay: for a holder
 * that keeps what it needs of them elsewhere (the daemon's snapshots and
 * its fleet) and not a second copy.
 */
void			 config_drop_domains(struct config *);
/* Drops a reference: the last one frees the configuration. */
void			 config_free(struct config *);

struct domain		*config_domain(const struct config *, const char *name);
struct policy_template	*config_template(const struct config *, const char *);

/* The delegation record's first label: the template's name or the domain's. */
const char		*config_delegation_key(const struct domain *);
size_t			 config_valid_domains(const struct config *);
/*
 * Errors in the main file that are about no single domain or template:
 * the configuration as a whole cannot be trusted.
 */
size_t			 config_global_errors(const struct config *);

#endif
