/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Freeing a configuration and looking things up in it: the public side of
 * config.h, with config_load.c's config_load().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "xalloc.h"

void
config_drop_domains(struct config *cfg)
{
	for (size_t i = 0; i < cfg->cfg_ndomains; i++)
		domains_free_domain(&cfg->cfg_domains[i]);
	free(cfg->cfg_domains);
	cfg->cfg_domains = NULL;
	cfg->cfg_ndomains = 0;
	/* The fleet keeps each file's stamp from here on. */
	free(cfg->cfg_stamps);
	cfg->cfg_stamps = NULL;
}

/* Both NULL, or the same string. */
static bool
config_same_string(const char *a, const char *b)
{
	return a == b || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static bool
config_same_policy(const struct policy *a, const struct policy *b)
{
	return a->pol_mode == b->pol_mode && a->pol_max_age == b->pol_max_age &&
	    strvec_equal(&a->pol_mx, &b->pol_mx);
}

bool
config_sources_equal(const struct config *a, const struct config *b)
{
	return strvec_equal(&a->cfg_includes, &b->cfg_includes) &&
	    config_same_string(a->cfg_ticket_keys, b->cfg_ticket_keys) &&
	    config_cert_sources_equal(a, b);
}

bool
config_cert_sources_equal(const struct config *a, const struct config *b)
{
	if (a->cfg_ncerts != b->cfg_ncerts)
		return false;
	for (size_t i = 0; i < a->cfg_ncerts; i++) {
		const struct cert_source *x = &a->cfg_certs[i];
		const struct cert_source *y = &b->cfg_certs[i];

		if (!config_same_string(x->csrc_directory, y->csrc_directory) ||
		    !config_same_string(x->csrc_cert, y->csrc_cert) ||
		    !config_same_string(x->csrc_key, y->csrc_key))
			return false;
	}
	return true;
}

/* The next certificate source of `cfg` from *i that names its files, or
 * NULL. */
static const struct cert_source *
config_next_named(const struct config *cfg, size_t *i)
{
	for (; *i < cfg->cfg_ncerts; ++*i)
		if (cfg->cfg_certs[*i].csrc_directory == NULL)
			return &cfg->cfg_certs[(*i)++];
	return NULL;
}

bool
config_named_files_equal(const struct config *a, const struct config *b)
{
	const struct cert_source	*x, *y;
	size_t				 i = 0, j = 0;

	if (!config_same_string(a->cfg_ticket_keys, b->cfg_ticket_keys))
		return false;
	do {
		x = config_next_named(a, &i);
		y = config_next_named(b, &j);
		if (x == NULL || y == NULL)
			return x == y;
	} while (strcmp(x->csrc_cert, y->csrc_cert) == 0 &&
	    strcmp(x->csrc_key, y->csrc_key) == 0);
	return false;
}

bool
config_delegation_equal(const struct config *a, const struct config *b)
{
	return config_same_string(a->cfg_dns.dns_delegation_zone,
	    b->cfg_dns.dns_delegation_zone);
}

bool
config_template_equal(const struct policy_template *x,
    const struct policy_template *y)
{
	if (x == NULL || y == NULL)
		return x == y;
	return strcmp(x->tpl_name, y->tpl_name) == 0 &&
	    x->tpl_valid == y->tpl_valid &&
	    config_same_policy(&x->tpl_policy, &y->tpl_policy);
}

bool
config_templates_equal(const struct config *a, const struct config *b)
{
	if (a->cfg_ntemplates != b->cfg_ntemplates)
		return false;
	for (size_t i = 0; i < a->cfg_ntemplates; i++)
		if (!config_template_equal(&a->cfg_templates[i],
		    &b->cfg_templates[i]))
			return false;
	return true;
}

bool
config_resolution_equal(const struct config *a, const struct config *b)
{
	return strvec_equal(&a->cfg_dns.dns_rua, &b->cfg_dns.dns_rua) &&
	    config_delegation_equal(a, b) && config_templates_equal(a, b);
}

struct config *
config_ref(struct config *cfg)
{
	atomic_fetch_add_explicit(&cfg->cfg_refs, 1, memory_order_relaxed);
	return cfg;
}

void
config_free(struct config *cfg)
{
	if (cfg == NULL || atomic_fetch_sub_explicit(&cfg->cfg_refs, 1,
	    memory_order_acq_rel) != 1)
		return;
	for (size_t i = 0; i < cfg->cfg_ndomains; i++)
		domains_free_domain(&cfg->cfg_domains[i]);
	free(cfg->cfg_domains);
	for (size_t i = 0; i < cfg->cfg_ntemplates; i++)
		domains_free_template(&cfg->cfg_templates[i]);
	free(cfg->cfg_templates);
	for (size_t i = 0; i < cfg->cfg_nlisten; i++)
		free(cfg->cfg_listen[i].la_text);
	free(cfg->cfg_listen);
	for (size_t i = 0; i < cfg->cfg_acme.acme_nlisten; i++)
		free(cfg->cfg_acme.acme_listen[i].la_text);
	free(cfg->cfg_acme.acme_listen);
	for (size_t i = 0; i < cfg->cfg_metrics.met_nlisten; i++)
		free(cfg->cfg_metrics.met_listen[i].la_text);
	free(cfg->cfg_metrics.met_listen);
	free(cfg->cfg_acme.acme_webroot);
	free(cfg->cfg_acme.acme_directory_url);
	free(cfg->cfg_acme.acme_email);
	free(cfg->cfg_acme.acme_client_dir);
	free(cfg->cfg_acme.acme_install_dir);
	free(cfg->cfg_acme.acme_hooks);
	free(cfg->cfg_acme.acme_state);
	free(cfg->cfg_acme.acme_cache_dir);
	for (size_t i = 0; i < cfg->cfg_ncerts; i++) {
		free(cfg->cfg_certs[i].csrc_directory);
		free(cfg->cfg_certs[i].csrc_cert);
		free(cfg->cfg_certs[i].csrc_key);
	}
	free(cfg->cfg_certs);
	free(cfg->cfg_dns.dns_host_cname);
	strvec_free(&cfg->cfg_dns.dns_host_addresses);
	strvec_free(&cfg->cfg_dns.dns_rua);
	strvec_free(&cfg->cfg_duplicates);
	free(cfg->cfg_stamps);
	free(cfg->cfg_links);
	free(cfg->cfg_dns.dns_delegation_zone);
	free(cfg->cfg_user);
	free(cfg->cfg_ticket_keys);
	free(cfg->cfg_cache_dir);
	free(cfg->cfg_group);
	diag_free(&cfg->cfg_diags);
	strvec_free(&cfg->cfg_files);
	strvec_free(&cfg->cfg_includes);
	free(cfg->cfg_path);
	free(cfg);
}

static int
config_domain_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct domain *)elem)->dom_name);
}

static int
config_template_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct policy_template *)elem)->tpl_name);
}

struct domain *
config_domain(const struct config *cfg, const char *name)
{
	if (cfg->cfg_ndomains == 0)
		return NULL;
	return bsearch(name, cfg->cfg_domains, cfg->cfg_ndomains,
	    sizeof(*cfg->cfg_domains), config_domain_key_cmp);
}

struct policy_template *
config_template(const struct config *cfg, const char *name)
{
	if (cfg->cfg_ntemplates == 0)
		return NULL;
	return bsearch(name, cfg->cfg_templates, cfg->cfg_ntemplates,
	    sizeof(*cfg->cfg_templates), config_template_key_cmp);
}

const char *
config_delegation_key(const struct domain *d)
{
	return d->dom_template != NULL && !d->dom_overrides ?
	    d->dom_template : d->dom_name;
}

size_t
config_valid_domains(const struct config *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->cfg_ndomains; i++)
		n += cfg->cfg_domains[i].dom_valid;
	return n;
}

size_t
config_global_errors(const struct config *cfg)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->cfg_diags.dl_count; i++) {
		const struct diag *d = &cfg->cfg_diags.dl_items[i];

		if (d->d_severity != DIAG_ERROR || d->d_subject != NULL)
			continue;
		if (d->d_file == NULL || strcmp(d->d_file, cfg->cfg_path) == 0)
			n++;
	}
	return n;
}
