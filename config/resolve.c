/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The step after every file is read: templates sorted by name with
 * duplicates refused, then each domain, in name order with duplicates
 * refused, given its template's policy under its own fields, its zone,
 * TLS-RPT addresses and delegation, and its policy body and id rendered.
 * It comes last because a domain may name a template defined further on,
 * or in another file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "xalloc.h"
#include "yamlread.h"

static int
resolve_pending_cmp(const void *a, const void *b)
{
	const struct pending_domain *x = a, *y = b;
	int c = strcmp(x->pd_domain.dom_name, y->pd_domain.dom_name);

	if (c != 0)
		return c;
	return x->pd_order < y->pd_order ? -1 : x->pd_order > y->pd_order;
}

static void
resolve_sort_templates(struct loader *ld)
{
	struct config	*cfg = ld->ld_cfg;
	size_t		 out = 0;

	/* A stable order is needed to keep the first definition: sort by
	 * name, keeping equal names in definition order (merge by hand). */
	for (size_t i = 1; i < cfg->cfg_ntemplates; i++) {
		struct policy_template t = cfg->cfg_templates[i];
		size_t j = i;

		while (j > 0 && strcmp(cfg->cfg_templates[j - 1].tpl_name,
		    t.tpl_name) > 0) {
			cfg->cfg_templates[j] = cfg->cfg_templates[j - 1];
			j--;
		}
		cfg->cfg_templates[j] = t;
	}
	for (size_t i = 0; i < cfg->cfg_ntemplates; i++) {
		struct policy_template *t = &cfg->cfg_templates[i];

		if (out > 0 && strcmp(cfg->cfg_templates[out - 1].tpl_name,
		    t->tpl_name) == 0) {
			struct policy_template *first =
			    &cfg->cfg_templates[out - 1];
			char subject[128];

			/* About the template, like its other errors. */
			snprintf(subject, sizeof(subject), "policy '%s'",
			    t->tpl_name);
			diag_add(&cfg->cfg_diags, DIAG_ERROR, &t->tpl_pos,
			    subject, "policy template '%s' is already defined "
			    "at %s:%u:%u; this definition is ignored",
			    t->tpl_name, first->tpl_pos.sp_file,
			    first->tpl_pos.sp_line, first->tpl_pos.sp_col);
			domains_free_template(t);
			continue;
		}
		cfg->cfg_templates[out++] = *t;
	}
	cfg->cfg_ntemplates = out;
}

/* The effective policy: the template's, with the domain's own fields on top. */
static void
resolve_policy(struct loader *ld, struct pending_domain *pd)
{
	struct domain		*d = &pd->pd_domain;
	struct policy_fields	*pf = &pd->pd_fields;
	struct policy_template	*tpl;
	struct ynode		 at = { .yn_pos = d->dom_pos };

	if (d->dom_template != NULL) {
		at.yn_pos = pd->pd_template_pos;
		tpl = config_template(ld->ld_cfg, d->dom_template);
		if (tpl == NULL) {
			yread_error(ld, &at, "policy template '%s' is not "
			    "defined under 'policies:'", d->dom_template);
		} else if (!tpl->tpl_valid) {
			/* Its errors were reported once, at the template. */
			d->dom_valid = false;
		} else
			policy_copy(&d->dom_policy, &tpl->tpl_policy);
		d->dom_overrides = pf->pf_has_mode || pf->pf_has_mx ||
		    pf->pf_has_max_age;
	} else if (d->dom_valid) {
		if (!pf->pf_has_mode)
			yread_error(ld, &at, "no policy: name a template with "
			    "'policy:', or set 'mode' (enforce, testing or "
			    "none) and 'mx'");
		else if (!pf->pf_has_mx)
			yread_error(ld, &at, "no 'mx': every policy needs at "
			    "least one mx pattern, even with mode none "
			    "(several senders reject a policy without one)");
		d->dom_policy.pol_max_age = POLICY_MAX_AGE_DEFAULT;
	}
	if (pf->pf_has_mode)
		d->dom_policy.pol_mode = pf->pf_mode;
	if (pf->pf_has_max_age)
		d->dom_policy.pol_max_age = pf->pf_max_age;
	if (pf->pf_has_mx) {
		strvec_free(&d->dom_policy.pol_mx);
		d->dom_policy.pol_mx = pf->pf_mx;
		memset(&pf->pf_mx, 0, sizeof(pf->pf_mx));
	}
	strvec_free(&pf->pf_mx);
}

/* Where its DNS records go: the defaults of the dns section apply here. */
static void
resolve_records(struct loader *ld, struct pending_domain *pd)
{
	struct config	*cfg = ld->ld_cfg;
	struct domain	*d = &pd->pd_domain;
	struct ynode	 at = { .yn_pos = pd->pd_delegate_pos };

	if (d->dom_zone == NULL)
		d->dom_zone = xstrdup(d->dom_name);
	if (!pd->pd_has_rua)
		strvec_copy(&d->dom_rua, &cfg->cfg_dns.dns_rua);
	if (pd->pd_delegate == 1 && cfg->cfg_dns.dns_delegation_zone == NULL)
		yread_error(ld, &at, "delegate: true needs a hoster zone in "
		    "dns: delegation: zone");
	d->dom_delegate = cfg->cfg_dns.dns_delegation_zone != NULL &&
	    pd->pd_delegate != 0;
	d->dom_delegate_asked = pd->pd_delegate == 1;
}

static void
resolve_domain(struct loader *ld, struct pending_domain *pd)
{
	struct domain	*d = &pd->pd_domain;
	size_t		 errors = yread_errors(ld);

	ld->ld_subject = d->dom_name;
	resolve_policy(ld, pd);
	resolve_records(ld, pd);
	if (d->dom_valid && yread_errors(ld) == errors) {
		domains_check_policy(ld, &d->dom_policy, &pd->pd_fields,
		    &d->dom_pos);
		d->dom_body = policy_render(&d->dom_policy, &d->dom_body_len);
		policy_id(d->dom_body, d->dom_body_len, d->dom_id);
	}
	d->dom_valid = d->dom_valid && yread_errors(ld) == errors;
	ld->ld_subject = NULL;
}

void
resolve_domains(struct loader *ld)
{
	struct config	*cfg = ld->ld_cfg;
	size_t		 out = 0;

	resolve_sort_templates(ld);
	/* qsort() and bsearch() take no NULL array, even with no element. */
	if (ld->ld_ndomains > 0)
		qsort(ld->ld_domains, ld->ld_ndomains,
		    sizeof(*ld->ld_domains), resolve_pending_cmp);
	cfg->cfg_domains = xcalloc(ld->ld_ndomains, sizeof(*cfg->cfg_domains));
	for (size_t i = 0; i < ld->ld_ndomains; i++) {
		struct pending_domain *pd = &ld->ld_domains[i];

		if (out > 0 && strcmp(cfg->cfg_domains[out - 1].dom_name,
		    pd->pd_domain.dom_name) == 0) {
			const struct srcpos *first =
			    &cfg->cfg_domains[out - 1].dom_pos;

			diag_add(&cfg->cfg_diags, DIAG_ERROR,
			    &pd->pd_domain.dom_pos, pd->pd_domain.dom_name,
			    "the domain is already defined at %s:%u:%u; this "
			    "definition is ignored", first->sp_file,
			    first->sp_line, first->sp_col);
			if (!strvec_contains(&cfg->cfg_duplicates,
			    pd->pd_domain.dom_name))
				strvec_push(&cfg->cfg_duplicates,
				    xstrdup(pd->pd_domain.dom_name));
			domains_free_domain(&pd->pd_domain);
			strvec_free(&pd->pd_fields.pf_mx);
			continue;
		}
		resolve_domain(ld, pd);
		cfg->cfg_domains[out++] = pd->pd_domain;
	}
	cfg->cfg_ndomains = out;
	free(ld->ld_domains);
	ld->ld_domains = NULL;
	ld->ld_ndomains = 0;
}
