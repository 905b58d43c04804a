/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration loader's own interfaces, shared by the files that build
 * a struct config and by nothing else: config.h is the model its users see,
 * this is how the model is built.
 *
 *   config.c    config_load() runs the steps below; config_free(), lookups
 *   files.c     the main file, then the files its `include:` patterns match
 *   sections.c  the main file's daemon sections and its dns section
 *   domains.c   `policies:` (templates) and `domains:`, in any file
 *   resolve.c   templates applied to each domain, duplicates, rendering
 *   yamlread.c  the typed readers all of them use (yamlread.h)
 *
 * Errors. Loading never stops at the first problem, so that one run of
 * `check` shows every one: each problem is a diagnostic in cfg_diags, with
 * the position of the YAML node it is about and the domain or template
 * being read (ld_subject), and reading goes on with the next key.
 *   - A function that can fail returns 0, or -1 once the diagnostic saying
 *     why has been added; one that makes a value returns it, or NULL once
 *     the diagnostic has been added. A parser that is given no loader
 *     (sections_parse_listen) only returns -1: its caller knows the position
 *     and says what was expected. A bool is returned only where the name is
 *     a question (files_seen).
 *   - A key reader (struct yread_key) returns nothing: what it could not
 *     read is in the diagnostics, and a caller that must know whether a
 *     whole mapping was clean compares yread_errors() before and after.
 */
#ifndef MTA_STS_CONFIG_INTERNAL_H
#define MTA_STS_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "strmap.h"
#include "yamltree.h"

/* What a domain or template sets itself, before templates are applied. */
struct policy_fields {
	bool			pf_has_mode;
	bool			pf_has_mx;
	bool			pf_has_max_age;
	enum policy_mode	pf_mode;
	struct strvec		pf_mx;
	uint32_t		pf_max_age;
	struct srcpos		pf_mode_pos;
	struct srcpos		pf_max_age_pos;
};

/* A domain as read (domains.c), until resolve.c makes it a struct domain. */
struct pending_domain {
	struct domain		pd_domain;
	struct policy_fields	pd_fields;
	struct srcpos		pd_template_pos;
	int			pd_delegate;	/* -1: not set */
	struct srcpos		pd_zone_pos;
	struct srcpos		pd_delegate_pos;
	bool			pd_has_rua;
	size_t			pd_order;	/* definition order, for duplicates */
};

/* Private to files.c. */
struct include_pattern;

/* The state of one config_load(), from the first file read to resolution. */
struct loader {
	struct config		*ld_cfg;
	struct strmap		 ld_seen;	/* every file read, by identity */
	struct pending_domain	*ld_domains;
	size_t			 ld_ndomains;
	const char		*ld_subject;	/* domain or template being read */
	char			*ld_dir;	/* directory of the main file */
	struct include_pattern	*ld_includes;	/* read after the main file */
	size_t			 ld_nincludes;
	bool			 ld_main_only;	/* the patterns kept, not read */
	struct loadcache	*ld_cache;	/* start-up's, or NULL */
};

/* files.c */
void	files_read(struct loader *, const char *path);
/* One included file alone (config_load_part). */
void	files_read_part(struct loader *, const char *path);
/* A path value, relative to the main file's directory, made absolute. */
char	*files_path(struct loader *, const struct ynode *, const char *what);

/* sections.c: the values a main file that sets nothing gets. */
void	sections_defaults(struct config *);
/* Defaults that depend on what was read, and checks across sections. */
void	sections_finish(struct config *);
void	sections_read_server(struct loader *, struct ynode *, void *);
void	sections_read_limits(struct loader *, struct ynode *, void *);
void	sections_read_certificates(struct loader *, struct ynode *, void *);
void	sections_read_dns(struct loader *, struct ynode *, void *);
void	sections_read_acme(struct loader *, struct ynode *, void *);
void	sections_read_metrics(struct loader *, struct ynode *, void *);

/* domains.c */
void	domains_read_policies(struct loader *, struct ynode *, void *);
void	domains_read_domains(struct loader *, struct ynode *, void *);
/* A `tlsrpt:` mapping: a domain's, or the default under `dns:`. */
void	domains_read_tlsrpt(struct loader *, struct ynode *, struct strvec *);
void	domains_check_policy(struct loader *, const struct policy *,
	    const struct policy_fields *, const struct srcpos *);
void	domains_free_domain(struct domain *);
void	domains_free_template(struct policy_template *);

/* resolve.c: consumes ld_domains into cfg_domains. */
void	resolve_domains(struct loader *);

#endif
