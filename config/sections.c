/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sections of the main file that configure the daemon and the records
 * it publishes, not the customers: server (listen addresses, accounts,
 * workers, logging, seccomp), limits, certificates, dns (TTLs, the policy
 * host, the default TLS-RPT addresses, delegation), acme and metrics, with
 * their defaults. Included files cannot set them (files.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "xalloc.h"
#include "yamlread.h"

/* ---- server: ---------------------------------------------------------- */

/* "192.0.2.1:443" or "[2001:db8::1]:443", into *la with its canonical text. */
static int
sections_parse_listen(const char *text, struct listen_addr *la)
{
	char			 host[INET6_ADDRSTRLEN + 2];
	char			 canon[INET6_ADDRSTRLEN];
	const char		*colon, *port_s;
	unsigned long		 port;
	char			*end;
	size_t			 hl;

	memset(la, 0, sizeof(*la));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		hl = (size_t)(close - text - 1);
		port_s = close + 2;
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, text + 1, hl);
		host[hl] = '\0';
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL || strchr(text, ':') != colon)
			return -1;
		hl = (size_t)(colon - text);
		port_s = colon + 1;
		if (hl >= sizeof(host))
			return -1;
		memcpy(host, text, hl);
		host[hl] = '\0';
	}
	if (*port_s < '0' || *port_s > '9')
		return -1;
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (*end != '\0' || errno != 0 || port == 0 || port > 65535)
		return -1;
	if (text[0] == '[') {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&la->la_addr;

		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return -1;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		la->la_addrlen = sizeof(*sin6);
		inet_ntop(AF_INET6, &sin6->sin6_addr, canon, sizeof(canon));
		la->la_text = xasprintf("[%s]:%lu", canon, port);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&la->la_addr;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return -1;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		la->la_addrlen = sizeof(*sin);
		inet_ntop(AF_INET, &sin->sin_addr, canon, sizeof(canon));
		la->la_text = xasprintf("%s:%lu", canon, port);
	}
	return 0;
}

/* A list of listen addresses into *addrs / *count, duplicates refused. */
static void
sections_read_addresses(struct loader *ld, struct ynode *n, const char *what,
    struct listen_addr **addrs, size_t *count)
{
	struct ynode	**items;
	size_t		  nitems;

	if (yread_list(ld, n, what, &items, &nitems) == -1)
		return;
	if (nitems == 0)
		yread_error(ld, n, "%s must name at least one address", what);
	for (size_t i = 0; i < nitems; i++) {
		struct ynode		*item = yread_list_item(n, items, i);
		const char		*s = yread_scalar(ld, item, what);
		struct listen_addr	 la;
		bool			 dup = false;

		if (s == NULL)
			continue;
		if (sections_parse_listen(s, &la) == -1) {
			yread_error(ld, item, "%s '%s' is not ADDRESS:PORT; "
			    "write 0.0.0.0:443, 192.0.2.1:443 or [::]:443",
			    what, s);
			continue;
		}
		for (size_t j = 0; j < *count; j++)
			dup |= strcmp((*addrs)[j].la_text, la.la_text) == 0;
		if (dup) {
			yread_error(ld, item, "%s '%s' is listed twice", what,
			    s);
			free(la.la_text);
			continue;
		}
		la.la_pos = item->yn_pos;
		*addrs = xreallocarray(*addrs, *count + 1, sizeof(**addrs));
		(*addrs)[(*count)++] = la;
	}
}

static void
sections_read_listen(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	sections_read_addresses(ld, n, "listen", &ld->ld_cfg->cfg_listen,
	    &ld->ld_cfg->cfg_nlisten);
}

static void
sections_read_account(struct loader *ld, struct ynode *n, char **out,
    const char *what)
{
	const char *s = yread_scalar(ld, n, what);

	if (s == NULL)
		return;
	if (strcmp(s, "root") == 0 || strcmp(s, "0") == 0) {
		yread_error(ld, n, "%s must not be root: the daemon faces the "
		    "internet and drops privileges after start-up", what);
		return;
	}
	free(*out);
	*out = xstrdup(s);
}

static void
sections_read_user(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	sections_read_account(ld, n, &ld->ld_cfg->cfg_user, "user");
}

static void
sections_read_group(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	sections_read_account(ld, n, &ld->ld_cfg->cfg_group, "group");
}

static void
sections_read_workers(struct loader *ld, struct ynode *n, void *obj)
{
	unsigned long v;

	(void)obj;
	if (yread_uint(ld, n, "workers", 0, LIMIT_WORKERS_MAX, &v) == 0)
		ld->ld_cfg->cfg_workers = (unsigned)v;
}

static void
sections_read_log(struct loader *ld, struct ynode *n, void *obj)
{
	const char *s = yread_scalar(ld, n, "log");

	(void)obj;
	if (s == NULL)
		return;
	if (strcmp(s, "stderr") == 0)
		ld->ld_cfg->cfg_log_target = LOG_TARGET_STDERR;
	else if (strcmp(s, "syslog") == 0)
		ld->ld_cfg->cfg_log_target = LOG_TARGET_SYSLOG;
	else
		yread_error(ld, n, "log '%s' is not stderr or syslog", s);
}

static void
sections_read_log_level(struct loader *ld, struct ynode *n, void *obj)
{
	static const char *const levels[] = {
		[LOG_LEVEL_ERROR] = "error", [LOG_LEVEL_WARNING] = "warning",
		[LOG_LEVEL_INFO] = "info", [LOG_LEVEL_DEBUG] = "debug",
	};
	const char *s = yread_scalar(ld, n, "log_level");

	(void)obj;
	if (s == NULL)
		return;
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (strcmp(s, levels[i]) == 0) {
			ld->ld_cfg->cfg_log_level = (enum log_level)i;
			return;
		}
	}
	yread_error(ld, n, "log_level '%s' is not error, warning, info or "
	    "debug", s);
}

static void
sections_read_access_log(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	yread_bool(ld, n, "access_log", &ld->ld_cfg->cfg_access_log);
}

static void
sections_read_seccomp(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	if (yread_bool(ld, n, "seccomp", &ld->ld_cfg->cfg_seccomp) == 0 &&
	    ld->ld_cfg->cfg_seccomp && !CONFIG_SECCOMP_AVAILABLE) {
		yread_error(ld, n, "seccomp: the system call allow-list exists "
		    "for x86_64 only; set it to false on this architecture");
		ld->ld_cfg->cfg_seccomp = false;
	}
}

static void
sections_read_ticket_keys(struct loader *ld, struct ynode *n, void *obj)
{
	char *path = files_path(ld, n, "session_ticket_keys");

	(void)obj;
	if (path == NULL)
		return;
	free(ld->ld_cfg->cfg_ticket_keys);
	ld->ld_cfg->cfg_ticket_keys = path;
}

/* A load cache's directory, or false: none, not even the one systemd
 * gives ("" in *dst). */
static void
sections_cache_directory(struct loader *ld, struct ynode *n, const char *what,
    char **dst)
{
	char *path;

	if (n->yn_kind == YNODE_SCALAR && n->yn_plain &&
	    strcmp(n->yn_value, "false") == 0)
		path = xstrdup("");
	else if ((path = files_path(ld, n, what)) == NULL)
		return;
	free(*dst);
	*dst = path;
}

static void
sections_read_cache_directory(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	sections_cache_directory(ld, n, "cache_directory",
	    &ld->ld_cfg->cfg_cache_dir);
}

static const struct yread_key sections_server_keys[] = {
	{ "listen", sections_read_listen },
	{ "user", sections_read_user },
	{ "group", sections_read_group },
	{ "workers", sections_read_workers },
	{ "log", sections_read_log },
	{ "log_level", sections_read_log_level },
	{ "access_log", sections_read_access_log },
	{ "seccomp", sections_read_seccomp },
	{ "session_ticket_keys", sections_read_ticket_keys },
	{ "cache_directory", sections_read_cache_directory },
	{ NULL, NULL },
};

void
sections_read_server(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	yread_walk(ld, n, "server", sections_server_keys, NULL);
}

/* ---- limits: ---------------------------------------------------------- */

#define SECTIONS_LIMIT_READER(field, key, min, max)			\
static void								\
sections_read_##field(struct loader *ld, struct ynode *n, void *obj)	\
{									\
	unsigned long v;						\
									\
	(void)obj;							\
	if (yread_uint(ld, n, key, min, max, &v) == 0)			\
		ld->ld_cfg->cfg_limits.lim_##field = (unsigned)v;	\
}

SECTIONS_LIMIT_READER(max_connections, "max_connections", 1, 1000000)
SECTIONS_LIMIT_READER(max_connections_per_address,
    "max_connections_per_address", 1, 1000000)
SECTIONS_LIMIT_READER(handshake_timeout, "handshake_timeout", 1, 300)
SECTIONS_LIMIT_READER(idle_timeout, "idle_timeout", 1, 3600)
SECTIONS_LIMIT_READER(request_timeout, "request_timeout", 1, 300)
SECTIONS_LIMIT_READER(max_requests_per_connection,
    "max_requests_per_connection", 1, 1000000)

static const struct yread_key sections_limit_keys[] = {
	{ "max_connections", sections_read_max_connections },
	{ "max_connections_per_address",
	    sections_read_max_connections_per_address },
	{ "handshake_timeout", sections_read_handshake_timeout },
	{ "idle_timeout", sections_read_idle_timeout },
	{ "request_timeout", sections_read_request_timeout },
	{ "max_requests_per_connection",
	    sections_read_max_requests_per_connection },
	{ NULL, NULL },
};

void
sections_read_limits(struct loader *ld, struct ynode *n, void *obj)
{
	struct limits *lim = &ld->ld_cfg->cfg_limits;

	(void)obj;
	yread_walk(ld, n, "limits", sections_limit_keys, NULL);
	if (lim->lim_max_connections_per_address > lim->lim_max_connections)
		yread_warn(ld, &n->yn_pos, "max_connections_per_address (%u) "
		    "is above max_connections (%u), so it never applies",
		    lim->lim_max_connections_per_address,
		    lim->lim_max_connections);
}

/* ---- certificates: ---------------------------------------------------- */

static void
sections_read_cert_directory(struct loader *ld, struct ynode *n, void *obj)
{
	struct cert_source *src = obj;

	free(src->csrc_directory);
	src->csrc_directory = files_path(ld, n, "directory");
}

static void
sections_read_cert_cert(struct loader *ld, struct ynode *n, void *obj)
{
	struct cert_source *src = obj;

	free(src->csrc_cert);
	src->csrc_cert = files_path(ld, n, "cert");
}

static void
sections_read_cert_key(struct loader *ld, struct ynode *n, void *obj)
{
	struct cert_source *src = obj;

	free(src->csrc_key);
	src->csrc_key = files_path(ld, n, "key");
}

static const struct yread_key sections_cert_keys[] = {
	{ "directory", sections_read_cert_directory },
	{ "cert", sections_read_cert_cert },
	{ "key", sections_read_cert_key },
	{ NULL, NULL },
};

void
sections_read_certificates(struct loader *ld, struct ynode *n, void *obj)
{
	struct config	 *cfg = ld->ld_cfg;
	struct ynode	**items;
	size_t		  count;

	(void)obj;
	if (ytree_is_null(n))
		return;
	if (n->yn_kind != YNODE_SEQUENCE) {
		yread_error(ld, n, "certificates must be a list of "
		    "'directory: PATH' or 'cert: PATH' + 'key: PATH' entries");
		return;
	}
	items = n->yn_items;
	count = n->yn_count;
	for (size_t i = 0; i < count; i++) {
		struct cert_source	src = { .csrc_pos = items[i]->yn_pos };
		size_t			errors = yread_errors(ld);

		yread_walk(ld, items[i], "a certificate source",
		    sections_cert_keys, &src);
		if (yread_errors(ld) == errors) {
			if (src.csrc_directory != NULL &&
			    (src.csrc_cert != NULL || src.csrc_key != NULL))
				yread_error(ld, items[i], "a certificate "
				    "source is either a directory or a "
				    "cert/key pair, not both");
			else if (src.csrc_directory == NULL &&
			    (src.csrc_cert == NULL || src.csrc_key == NULL))
				yread_error(ld, items[i], "a certificate "
				    "source needs 'directory', or both 'cert' "
				    "and 'key'");
		}
		if (yread_errors(ld) != errors) {
			free(src.csrc_directory);
			free(src.csrc_cert);
			free(src.csrc_key);
			continue;
		}
		cfg->cfg_certs = xreallocarray(cfg->cfg_certs,
		    cfg->cfg_ncerts + 1, sizeof(*cfg->cfg_certs));
		cfg->cfg_certs[cfg->cfg_ncerts++] = src;
	}
}

/* ---- dns: ------------------------------------------------------------- */

static void
sections_read_ttl_field(struct loader *ld, struct ynode *n, uint32_t *out,
    const char *what)
{
	unsigned long v;

	if (yread_uint(ld, n, what, 0, DNS_TTL_LIMIT, &v) == 0)
		*out = (uint32_t)v;
}

static void
sections_read_ttl_policy_id(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	sections_read_ttl_field(ld, n, &ld->ld_cfg->cfg_dns.dns_ttl_policy_id,
	    "ttl policy_id");
}

static void
sections_read_ttl_tlsrpt(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	sections_read_ttl_field(ld, n, &ld->ld_cfg->cfg_dns.dns_ttl_tlsrpt,
	    "ttl tlsrpt");
}

static void
sections_read_ttl_policy_host(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	sections_read_ttl_field(ld, n, &ld->ld_cfg->cfg_dns.dns_ttl_policy_host,
	    "ttl policy_host");
}

static const struct yread_key sections_ttl_keys[] = {
	{ "policy_id", sections_read_ttl_policy_id },
	{ "tlsrpt", sections_read_ttl_tlsrpt },
	{ "policy_host", sections_read_ttl_policy_host },
	{ NULL, NULL },
};

static void
sections_read_dns_ttl(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	yread_walk(ld, n, "dns ttl", sections_ttl_keys, NULL);
}

static void
sections_read_host_cname(struct loader *ld, struct ynode *n, void *obj)
{
	struct dns_settings *dns = obj;

	free(dns->dns_host_cname);
	dns->dns_host_cname = yread_name(ld, n, "policy_host cname", 0);
}

static void
sections_read_host_addresses(struct loader *ld, struct ynode *n, void *obj)
{
	struct dns_settings	 *dns = obj;
	struct ynode		**items;
	size_t			  count;

	strvec_free(&dns->dns_host_addresses);
	if (yread_list(ld, n, "policy_host addresses", &items, &count) == -1)
		return;
	if (count == 0)
		yread_error(ld, n, "policy_host addresses must list at least "
		    "one address");
	for (size_t i = 0; i < count; i++) {
		struct ynode		*item = yread_list_item(n, items, i);
		const char		*s;
		unsigned char		 bin[sizeof(struct in6_addr)];
		char			 canon[INET6_ADDRSTRLEN];
		int			 af;

		s = yread_scalar(ld, item, "an address");
		if (s == NULL)
			continue;
		af = strchr(s, ':') != NULL ? AF_INET6 : AF_INET;
		if (inet_pton(af, s, bin) != 1) {
			yread_error(ld, item, "'%s' is not an IPv4 or IPv6 "
			    "address", s);
			continue;
		}
		inet_ntop(af, bin, canon, sizeof(canon));
		if (strvec_contains(&dns->dns_host_addresses, canon)) {
			yread_error(ld, item, "address '%s' is listed twice",
			    s);
			continue;
		}
		strvec_push(&dns->dns_host_addresses, xstrdup(canon));
	}
}

static const struct yread_key sections_policy_host_keys[] = {
	{ "cname", sections_read_host_cname },
	{ "addresses", sections_read_host_addresses },
	{ NULL, NULL },
};

static void
sections_read_policy_host(struct loader *ld, struct ynode *n, void *obj)
{
	struct dns_settings *dns = &ld->ld_cfg->cfg_dns;

	(void)obj;
	yread_walk(ld, n, "policy_host", sections_policy_host_keys, dns);
	if (dns->dns_host_cname != NULL && dns->dns_host_addresses.sv_count > 0)
		yread_error(ld, n, "policy_host takes either 'cname' or "
		    "'addresses', not both: a name with a CNAME can have no "
		    "other records");
}

static void
sections_read_dns_tlsrpt(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	domains_read_tlsrpt(ld, n, &ld->ld_cfg->cfg_dns.dns_rua);
}

static void
sections_read_delegation_zone(struct loader *ld, struct ynode *n, void *obj)
{
	struct dns_settings *dns = obj;

	free(dns->dns_delegation_zone);
	dns->dns_delegation_zone = yread_name(ld, n, "delegation zone", 0);
}

static const struct yread_key sections_delegation_keys[] = {
	{ "zone", sections_read_delegation_zone },
	{ NULL, NULL },
};

static void
sections_read_delegation(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	yread_walk(ld, n, "delegation", sections_delegation_keys,
	    &ld->ld_cfg->cfg_dns);
}

static const struct yread_key sections_dns_keys[] = {
	{ "ttl", sections_read_dns_ttl },
	{ "policy_host", sections_read_policy_host },
	{ "tlsrpt", sections_read_dns_tlsrpt },
	{ "delegation", sections_read_delegation },
	{ NULL, NULL },
};

void
sections_read_dns(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	yread_walk(ld, n, "dns", sections_dns_keys, NULL);
}

/* ---- acme: ------------------------------------------------------------ */

static void
sections_read_acme_listen(struct loader *ld, struct ynode *n, void *obj)
{
	struct acme_settings *acme = obj;

	sections_read_addresses(ld, n, "acme listen", &acme->acme_listen,
	    &acme->acme_nlisten);
}

static void
sections_read_acme_webroot(struct loader *ld, struct ynode *n, void *obj)
{
	struct acme_settings	*acme = obj;
	char			*path = files_path(ld, n, "webroot");

	if (path == NULL)
		return;
	free(acme->acme_webroot);
	acme->acme_webroot = path;
}

static void
sections_read_acme_client(struct loader *ld, struct ynode *n, void *obj)
{
	struct acme_settings	*acme = obj;
	const char		*s = yread_scalar(ld, n, "acme client");

	if (s == NULL)
		return;
	if (strcmp(s, "certbot") == 0)
		acme->acme_client = ACME_CLIENT_CERTBOT;
	else if (strcmp(s, "lego") == 0)
		acme->acme_client = ACME_CLIENT_LEGO;
	else if (strcmp(s, "none") == 0)
		acme->acme_client = ACME_CLIENT_NONE;
	else
		yread_error(ld, n, "acme client '%s' is not one of certbot, "
		    "lego or none", s);
}

static void
sections_read_acme_directory_url(struct loader *ld, struct ynode *n,
    void *obj)
{
	struct acme_settings	*acme = obj;
	const char		*s = yread_scalar(ld, n, "acme directory_url");

	if (s == NULL)
		return;
	if (strncmp(s, "https://", 8) != 0 || s[8] == '\0' ||
	    strpbrk(s, " \t\r\n") != NULL) {
		yread_error(ld, n, "acme directory_url '%s' is not an https:// "
		    "URL", s);
		return;
	}
	free(acme->acme_directory_url);
	acme->acme_directory_url = xstrdup(s);
}

static void
sections_read_acme_email(struct loader *ld, struct ynode *n, void *obj)
{
	struct acme_settings	*acme = obj;
	const char		*s = yread_scalar(ld, n, "acme email");
	const char		*at;

	if (s == NULL)
		return;
	at = strchr(s, '@');
	if (at == NULL || at == s || at[1] == '\0' ||
	    strpbrk(s, " \t\r\n,;<>") != NULL) {
		yread_error(ld, n, "acme email '%s' is not an address", s);
		return;
	}
	free(acme->acme_email);
	acme->acme_email = xstrdup(s);
}

/* The keys that name a file or a directory, and those that are durations. */
#define SECTIONS_ACME_PATH(key, field)					\
static void								\
sections_read_acme_##key(struct loader *ld, struct ynode *n, void *obj)	\
{									\
	struct acme_settings	*acme = obj;				\
	char			*path = files_path(ld, n, "acme " #key); \
									\
	if (path != NULL) {						\
		free(acme->field);					\
		acme->field = path;					\
	}								\
}
#define SECTIONS_ACME_DURATION(key, field, min, max)			\
static void								\
sections_read_acme_##key(struct loader *ld, struct ynode *n, void *obj)	\
{									\
	unsigned long v;						\
									\
	if (yread_duration(ld, n, "acme " #key, min, max, &v) == 0)	\
		((struct acme_settings *)obj)->field = (unsigned)v;	\
}

SECTIONS_ACME_PATH(client_directory, acme_client_dir)
SECTIONS_ACME_PATH(install_directory, acme_install_dir)
SECTIONS_ACME_PATH(hooks, acme_hooks)
SECTIONS_ACME_PATH(state, acme_state)

static void
sections_read_acme_cache_directory(struct loader *ld, struct ynode *n,
    void *obj)
{
	sections_cache_directory(ld, n, "acme cache_directory",
	    &((struct acme_settings *)obj)->acme_cache_dir);
}
SECTIONS_ACME_DURATION(renew_before, acme_renew_before, 3600, 365 * 86400)
SECTIONS_ACME_DURATION(order_timeout, acme_order_timeout, 10, 86400)
SECTIONS_ACME_DURATION(pass_time, acme_pass_time, 10, 7 * 86400)
SECTIONS_ACME_DURATION(window, acme_order_window, 1, 30 * 86400)
SECTIONS_ACME_DURATION(min, acme_retry_min, 1, 30 * 86400)
SECTIONS_ACME_DURATION(max, acme_retry_max, 1, 30 * 86400)

static void
sections_read_acme_orders(struct loader *ld, struct ynode *n, void *obj)
{
	unsigned long v;

	if (yread_uint(ld, n, "acme order_limit orders", 1, 1000000, &v) == 0)
		((struct acme_settings *)obj)->acme_order_limit = (unsigned)v;
}

static const struct yread_key sections_order_limit_keys[] = {
	{ "orders", sections_read_acme_orders },
	{ "window", sections_read_acme_window },
	{ NULL, NULL },
};

static void
sections_read_acme_order_limit(struct loader *ld, struct ynode *n, void *obj)
{
	yread_walk(ld, n, "acme order_limit", sections_order_limit_keys, obj);
}

static const struct yread_key sections_retry_keys[] = {
	{ "min", sections_read_acme_min },
	{ "max", sections_read_acme_max },
	{ NULL, NULL },
};

static void
sections_read_acme_retry(struct loader *ld, struct ynode *n, void *obj)
{
	struct acme_settings *acme = obj;

	yread_walk(ld, n, "acme retry", sections_retry_keys, obj);
	if (acme->acme_retry_min > acme->acme_retry_max)
		yread_error(ld, n, "acme retry min (%us) is more than its max "
		    "(%us)", acme->acme_retry_min, acme->acme_retry_max);
}

static const struct yread_key sections_acme_keys[] = {
	{ "listen", sections_read_acme_listen },
	{ "webroot", sections_read_acme_webroot },
	{ "client", sections_read_acme_client },
	{ "directory_url", sections_read_acme_directory_url },
	{ "email", sections_read_acme_email },
	{ "client_directory", sections_read_acme_client_directory },
	{ "install_directory", sections_read_acme_install_directory },
	{ "hooks", sections_read_acme_hooks },
	{ "state", sections_read_acme_state },
	{ "cache_directory", sections_read_acme_cache_directory },
	{ "renew_before", sections_read_acme_renew_before },
	{ "order_limit", sections_read_acme_order_limit },
	{ "retry", sections_read_acme_retry },
	{ "order_timeout", sections_read_acme_order_timeout },
	{ "pass_time", sections_read_acme_pass_time },
	{ NULL, NULL },
};

void
sections_read_acme(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	ld->ld_cfg->cfg_acme.acme_pos = n->yn_pos;
	yread_walk(ld, n, "acme", sections_acme_keys, &ld->ld_cfg->cfg_acme);
}

/* ---- metrics: --------------------------------------------------------- */

static void
sections_read_metrics_listen(struct loader *ld, struct ynode *n, void *obj)
{
	struct metrics_settings *met = obj;

	sections_read_addresses(ld, n, "metrics listen", &met->met_listen,
	    &met->met_nlisten);
}

static const struct yread_key sections_metrics_keys[] = {
	{ "listen", sections_read_metrics_listen },
	{ NULL, NULL },
};

void
sections_read_metrics(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	yread_walk(ld, n, "metrics", sections_metrics_keys,
	    &ld->ld_cfg->cfg_metrics);
}

/* ---- Defaults --------------------------------------------------------- */

void
sections_defaults(struct config *cfg)
{
	cfg->cfg_workers = 0;
	cfg->cfg_log_target = LOG_TARGET_STDERR;
	cfg->cfg_log_level = LOG_LEVEL_INFO;
	cfg->cfg_access_log = true;
	cfg->cfg_seccomp = CONFIG_SECCOMP_AVAILABLE;
	cfg->cfg_limits = (struct limits){
		.lim_max_connections = LIMIT_MAX_CONNECTIONS,
		.lim_max_connections_per_address =
		    LIMIT_MAX_CONNECTIONS_PER_ADDR,
		.lim_handshake_timeout = LIMIT_HANDSHAKE_TIMEOUT,
		.lim_idle_timeout = LIMIT_IDLE_TIMEOUT,
		.lim_request_timeout = LIMIT_REQUEST_TIMEOUT,
		.lim_max_requests_per_connection = LIMIT_MAX_REQUESTS_PER_CONN,
	};
	cfg->cfg_dns.dns_ttl_policy_id = DNS_TTL_POLICY_ID_DEFAULT;
	cfg->cfg_dns.dns_ttl_tlsrpt = DNS_TTL_DEFAULT;
	cfg->cfg_dns.dns_ttl_policy_host = DNS_TTL_DEFAULT;
	cfg->cfg_acme.acme_renew_before = ACME_RENEW_BEFORE_DEFAULT;
	cfg->cfg_acme.acme_order_limit = ACME_ORDER_LIMIT_DEFAULT;
	cfg->cfg_acme.acme_order_window = ACME_ORDER_WINDOW_DEFAULT;
	cfg->cfg_acme.acme_retry_min = ACME_RETRY_MIN_DEFAULT;
	cfg->cfg_acme.acme_retry_max = ACME_RETRY_MAX_DEFAULT;
	cfg->cfg_acme.acme_order_timeout = ACME_ORDER_TIMEOUT_DEFAULT;
	cfg->cfg_acme.acme_pass_time = ACME_PASS_TIME_DEFAULT;
}

static void
sections_default_listen(struct config *cfg)
{
	static const char *const defaults[] = { "0.0.0.0:443", "[::]:443" };

	cfg->cfg_listen = xcalloc(2, sizeof(*cfg->cfg_listen));
	for (size_t i = 0; i < 2; i++)
		(void)sections_parse_listen(defaults[i], &cfg->cfg_listen[i]);
	cfg->cfg_nlisten = 2;
}

/*
 * Once every listener is known, the default ones included: an acme listen
 * on 0.0.0.0:443 with no server listen set collides too.
 */
static void
sections_check_acme_listen(struct config *cfg)
{
	const struct acme_settings *acme = &cfg->cfg_acme;

	for (size_t i = 0; i < acme->acme_nlisten; i++)
		for (size_t j = 0; j < cfg->cfg_nlisten; j++)
			if (strcmp(acme->acme_listen[i].la_text,
			    cfg->cfg_listen[j].la_text) == 0)
				diag_add(&cfg->cfg_diags, DIAG_ERROR,
				    &acme->acme_listen[i].la_pos, NULL,
				    "acme listen %s is also a server listen "
				    "address; HTTP-01 needs its own port (80)",
				    acme->acme_listen[i].la_text);
}

/*
 * The order settings' defaults, and what `certs run` cannot do without:
 * lego registers no account without an address, and the hooks install
 * into one directory, which must be one the daemon reads.
 */
static void
sections_finish_acme(struct config *cfg)
{
	struct acme_settings	*acme = &cfg->cfg_acme;
	const char		*dir = NULL;
	size_t			 ndirs = 0;

	if (acme->acme_webroot == NULL)
		acme->acme_webroot = xstrdup(CONFIG_DEFAULT_ACME_WEBROOT);
	if (acme->acme_directory_url == NULL)
		acme->acme_directory_url =
		    xstrdup(CONFIG_DEFAULT_ACME_DIRECTORY_URL);
	if (acme->acme_hooks == NULL)
		acme->acme_hooks = xstrdup(CONFIG_DEFAULT_ACME_HOOKS);
	if (acme->acme_state == NULL)
		acme->acme_state = xstrdup(CONFIG_DEFAULT_ACME_STATE);
	if (acme->acme_client == ACME_CLIENT_NONE)
		return;
	if (acme->acme_client_dir == NULL)
		acme->acme_client_dir = xasprintf("%s/%s",
		    CONFIG_DEFAULT_ACME_CLIENT_DIR,
		    acme->acme_client == ACME_CLIENT_LEGO ? "lego" : "certbot");
	if (acme->acme_client == ACME_CLIENT_LEGO && acme->acme_email == NULL)
		diag_add(&cfg->cfg_diags, DIAG_ERROR, &acme->acme_pos, NULL,
		    "acme client lego needs acme email (lego registers no "
		    "account without one)");
	for (size_t i = 0; i < cfg->cfg_ncerts; i++)
		if (cfg->cfg_certs[i].csrc_directory != NULL) {
			dir = cfg->cfg_certs[i].csrc_directory;
			ndirs++;
		}
	if (acme->acme_install_dir == NULL && ndirs == 1)
		acme->acme_install_dir = xstrdup(dir);
	else if (acme->acme_install_dir == NULL)
		diag_add(&cfg->cfg_diags, DIAG_ERROR, &acme->acme_pos, NULL,
		    "acme client %s needs acme install_directory: %zu "
		    "certificate directories are configured, so which one "
		    "the hooks install into is not clear",
		    acme->acme_client == ACME_CLIENT_LEGO ? "lego" : "certbot",
		    ndirs);
	else {
		bool found = false;

		for (size_t i = 0; i < cfg->cfg_ncerts; i++)
			found |= cfg->cfg_certs[i].csrc_directory != NULL &&
			    strcmp(cfg->cfg_certs[i].csrc_directory,
			    acme->acme_install_dir) == 0;
		if (!found)
			diag_add(&cfg->cfg_diags, DIAG_ERROR, &acme->acme_pos,
			    NULL, "acme install_directory %s is not one of "
			    "the certificates directories: the daemon would "
			    "never serve what the hooks install there",
			    acme->acme_install_dir);
	}
}

void
sections_finish(struct config *cfg)
{
	if (cfg->cfg_nlisten == 0)
		sections_default_listen(cfg);
	if (cfg->cfg_user == NULL)
		cfg->cfg_user = xstrdup(CONFIG_DEFAULT_USER);
	if (cfg->cfg_group == NULL)
		cfg->cfg_group = xstrdup(CONFIG_DEFAULT_GROUP);
	sections_finish_acme(cfg);
	sections_check_acme_listen(cfg);
}
