/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The customers' part of the configuration: `policies:` (named policy
 * templates) and `domains:` (each domain, naming a template or setting its
 * own mode, mx and max_age, with its TLS-RPT addresses, zone and
 * delegation). Both may stand in the main file and in included files.
 * A domain is only read here; resolve.c applies its template.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_internal.h"
#include "name.h"
#include "tlsrpt.h"
#include "xalloc.h"
#include "yamlread.h"

/* ---- Policy fields (templates and domains) ---------------------------- */

static void
domains_read_mode(struct loader *ld, struct ynode *n, void *obj)
{
	struct policy_fields	*pf = obj;
	const char		*s = yread_scalar(ld, n, "mode");

	if (s == NULL)
		return;
	if (policy_mode_parse(s, &pf->pf_mode) == -1) {
		yread_error(ld, n, "mode '%s' is not one of enforce, testing, "
		    "none (lower case, RFC 8461 3.2)", s);
		return;
	}
	pf->pf_has_mode = true;
	pf->pf_mode_pos = n->yn_pos;
}

static void
domains_read_mx(struct loader *ld, struct ynode *n, void *obj)
{
	struct policy_fields	 *pf = obj;
	struct ynode		**items;
	size_t			  count;
	size_t			  errors = yread_errors(ld);

	if (yread_list(ld, n, "mx", &items, &count) == -1)
		return;
	strvec_free(&pf->pf_mx);
	for (size_t i = 0; i < count; i++) {
		struct ynode	*item = yread_list_item(n, items, i);
		char		*mx = yread_name(ld, item, "mx", NAME_WILDCARD);

		if (mx == NULL)
			continue;
		if (strvec_contains(&pf->pf_mx, mx)) {
			yread_error(ld, item, "mx '%s' is listed twice", mx);
			free(mx);
			continue;
		}
		strvec_push(&pf->pf_mx, mx);
	}
	if (count == 0)
		yread_error(ld, n, "mx must list at least one pattern");
	pf->pf_has_mx = yread_errors(ld) == errors;
}

static void
domains_read_max_age(struct loader *ld, struct ynode *n, void *obj)
{
	struct policy_fields	*pf = obj;
	unsigned long		 v;

	if (yread_uint(ld, n, "max_age", 0, POLICY_MAX_AGE_LIMIT, &v) == -1)
		return;
	pf->pf_max_age = (uint32_t)v;
	pf->pf_has_max_age = true;
	pf->pf_max_age_pos = n->yn_pos;
}

/*
 * Rules on a whole policy. `pf` tells which fields the domain or template
 * set itself; advice about a field it inherited was given at the template.
 */
void
domains_check_policy(struct loader *ld, const struct policy *pol,
    const struct policy_fields *pf, const struct srcpos *where)
{
	const struct srcpos *age_pos = pf->pf_has_max_age ?
	    &pf->pf_max_age_pos : where;
	size_t len;
	char *body;

	if (!pf->pf_has_max_age && !pf->pf_has_mode)
		goto size;
	if (pol->pol_max_age < POLICY_MAX_AGE_WARN)
		yread_warn(ld, age_pos, "max_age %u is less than a day (%u): "
		    "senders refetch the policy constantly and validators "
		    "flag it; use weeks", (unsigned)pol->pol_max_age,
		    POLICY_MAX_AGE_WARN);
	else if (pol->pol_mode == POLICY_MODE_ENFORCE &&
	    pol->pol_max_age < POLICY_MAX_AGE_ENFORCE_WARN)
		yread_warn(ld, age_pos, "max_age %u in enforce mode is less "
		    "than a week (%u); RFC 8461 suggests weeks so a policy "
		    "outlives an attacker's outage", (unsigned)pol->pol_max_age,
		    POLICY_MAX_AGE_ENFORCE_WARN);
size:
	body = policy_render(pol, &len);
	free(body);
	if (len > POLICY_BODY_LIMIT)
		diag_add(&ld->ld_cfg->cfg_diags, DIAG_ERROR, where,
		    ld->ld_subject, "the policy is %zu bytes; senders refuse "
		    "policies over %u bytes, so list fewer mx patterns "
		    "(use '*.' patterns)", len, POLICY_BODY_LIMIT);
}

/*
 * `policies:` and `domains:` both map names to what they define, and may
 * stand in several files; `what` says so when the value is not a mapping.
 */
static void
domains_read_each(struct loader *ld, struct ynode *n, const char *what,
    void (*read)(struct loader *, struct ynode *key, struct ynode *val))
{
	if (ytree_is_null(n))
		return;
	if (n->yn_kind != YNODE_MAPPING) {
		yread_error(ld, n, "%s, not be %s", what, ytree_kind_name(n));
		return;
	}
	for (size_t i = 0; i < ytree_map_size(n); i++)
		read(ld, ytree_map_key(n, i), ytree_map_value(n, i));
}

/* ---- policies: -------------------------------------------------------- */

/*
 * A template's name is a DNS label (it names the delegation record) and DNS
 * ignores case, so "Std" and "std" are one template: keep one spelling.
 */
static char *
domains_template_name(const char *s)
{
	char *name = xstrdup(s);

	for (char *p = name; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return name;
}

static const struct yread_key domains_template_keys[] = {
	{ "mode", domains_read_mode },
	{ "mx", domains_read_mx },
	{ "max_age", domains_read_max_age },
	{ NULL, NULL },
};

static void
domains_read_template(struct loader *ld, struct ynode *key,
    struct ynode *val)
{
	struct config		*cfg = ld->ld_cfg;
	struct policy_template	*tpl;
	struct policy_fields	 pf = { 0 };
	char			 subject[128], *name;
	size_t			 errors = yread_errors(ld);

	if (key->yn_kind != YNODE_SCALAR || !name_is_label(key->yn_value)) {
		yread_error(ld, key, "a policy template name is one DNS label "
		    "of letters, digits and '-' (it names the delegation "
		    "record), not '%s'", key->yn_kind == YNODE_SCALAR ?
		    key->yn_value : "...");
		return;
	}
	name = domains_template_name(key->yn_value);
	snprintf(subject, sizeof(subject), "policy '%s'", name);
	ld->ld_subject = subject;
	if (val->yn_kind != YNODE_MAPPING)
		yread_error(ld, val, "a policy template is a mapping with "
		    "mode, mx and max_age");
	else
		yread_walk(ld, val, "a policy template", domains_template_keys,
		    &pf);
	if (val->yn_kind == YNODE_MAPPING && !pf.pf_has_mode &&
	    yread_errors(ld) == errors)
		yread_error(ld, key, "the template has no 'mode' (enforce, "
		    "testing or none)");
	if (val->yn_kind == YNODE_MAPPING && !pf.pf_has_mx &&
	    yread_errors(ld) == errors)
		yread_error(ld, key, "the template has no 'mx'; every policy "
		    "needs at least one mx pattern, even with mode none");

	cfg->cfg_templates = xreallocarray(cfg->cfg_templates,
	    cfg->cfg_ntemplates + 1, sizeof(*cfg->cfg_templates));
	tpl = &cfg->cfg_templates[cfg->cfg_ntemplates++];
	memset(tpl, 0, sizeof(*tpl));
	tpl->tpl_name = name;
	tpl->tpl_pos = key->yn_pos;
	tpl->tpl_policy.pol_mode = pf.pf_mode;
	tpl->tpl_policy.pol_mx = pf.pf_mx;
	tpl->tpl_policy.pol_max_age = pf.pf_has_max_age ? pf.pf_max_age :
	    POLICY_MAX_AGE_DEFAULT;
	if (yread_errors(ld) == errors)
		domains_check_policy(ld, &tpl->tpl_policy, &pf, &tpl->tpl_pos);
	tpl->tpl_valid = yread_errors(ld) == errors;
	ld->ld_subject = NULL;
}

void
domains_read_policies(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	domains_read_each(ld, n, "policies must map template names to "
	    "policies", domains_read_template);
}

/* ---- domains: --------------------------------------------------------- */

static void
domains_read_domain_policy(struct loader *ld, struct ynode *n, void *obj)
{
	struct pending_domain	*pd = obj;
	const char		*s = yread_scalar(ld, n, "policy");

	if (s == NULL)
		return;
	free(pd->pd_domain.dom_template);
	pd->pd_domain.dom_template = domains_template_name(s);
	pd->pd_template_pos = n->yn_pos;
}

static void
domains_read_domain_mode(struct loader *ld, struct ynode *n, void *obj)
{
	domains_read_mode(ld, n, &((struct pending_domain *)obj)->pd_fields);
}

static void
domains_read_domain_mx(struct loader *ld, struct ynode *n, void *obj)
{
	domains_read_mx(ld, n, &((struct pending_domain *)obj)->pd_fields);
}

static void
domains_read_domain_max_age(struct loader *ld, struct ynode *n, void *obj)
{
	domains_read_max_age(ld, n,
	    &((struct pending_domain *)obj)->pd_fields);
}

static void
domains_read_rua(struct loader *ld, struct ynode *n, void *obj)
{
	struct strvec	 *rua = obj;
	struct ynode	**items;
	size_t		  count;

	strvec_free(rua);
	if (yread_list(ld, n, "rua", &items, &count) == -1)
		return;
	for (size_t i = 0; i < count; i++) {
		struct ynode	*item = yread_list_item(n, items, i);
		const char	*uri = yread_scalar(ld, item, "a rua URI");
		char		*why;

		if (uri == NULL)
			continue;
		if (!tlsrpt_uri_check(uri, &why)) {
			yread_error(ld, item, "rua: %s", why);
			free(why);
			continue;
		}
		strvec_push(rua, xstrdup(uri));
	}
}

static const struct yread_key domains_tlsrpt_keys[] = {
	{ "rua", domains_read_rua },
	{ NULL, NULL },
};

void
domains_read_tlsrpt(struct loader *ld, struct ynode *n, struct strvec *rua)
{
	yread_walk(ld, n, "tlsrpt", domains_tlsrpt_keys, rua);
}

static void
domains_read_domain_tlsrpt(struct loader *ld, struct ynode *n, void *obj)
{
	struct pending_domain *pd = obj;

	/* Set, even to an empty list: the dns default no longer applies. */
	pd->pd_has_rua = true;
	domains_read_tlsrpt(ld, n, &pd->pd_domain.dom_rua);
}

static void
domains_read_domain_zone(struct loader *ld, struct ynode *n, void *obj)
{
	struct pending_domain	*pd = obj;
	char			*zone = yread_name(ld, n, "zone", 0);
	const char		*name = pd->pd_domain.dom_name;
	size_t			 nl = strlen(name), zl;

	if (zone == NULL)
		return;
	zl = strlen(zone);
	if (!(nl == zl && strcmp(name, zone) == 0) &&
	    !(nl > zl && name[nl - zl - 1] == '.' &&
	    strcmp(name + nl - zl, zone) == 0)) {
		yread_error(ld, n, "zone '%s' does not contain the domain; it "
		    "must be the domain itself or a parent of it", zone);
		free(zone);
		return;
	}
	free(pd->pd_domain.dom_zone);
	pd->pd_domain.dom_zone = zone;
	pd->pd_zone_pos = n->yn_pos;
}

static void
domains_read_domain_delegate(struct loader *ld, struct ynode *n, void *obj)
{
	struct pending_domain	*pd = obj;
	bool			 b;

	if (yread_bool(ld, n, "delegate", &b) == -1)
		return;
	pd->pd_delegate = b;
	pd->pd_delegate_pos = n->yn_pos;
}

static const struct yread_key domains_domain_keys[] = {
	{ "policy", domains_read_domain_policy },
	{ "mode", domains_read_domain_mode },
	{ "mx", domains_read_domain_mx },
	{ "max_age", domains_read_domain_max_age },
	{ "tlsrpt", domains_read_domain_tlsrpt },
	{ "zone", domains_read_domain_zone },
	{ "delegate", domains_read_domain_delegate },
	{ NULL, NULL },
};

static void
domains_read_domain(struct loader *ld, struct ynode *key,
    struct ynode *val)
{
	struct pending_domain	*pd;
	char			*name;
	size_t			 errors = yread_errors(ld);

	name = yread_name(ld, key, "domain", 0);
	if (name == NULL)
		return;
	/* Grown by doubling: by one at a time, a million domains moved the
	 * array (hundreds of megabytes) a million times. */
	ld->ld_domains = xgrow(ld->ld_domains, ld->ld_ndomains,
	    sizeof(*ld->ld_domains));
	pd = &ld->ld_domains[ld->ld_ndomains];
	memset(pd, 0, sizeof(*pd));
	pd->pd_order = ld->ld_ndomains++;
	pd->pd_delegate = -1;
	pd->pd_domain.dom_name = name;
	pd->pd_domain.dom_pos = key->yn_pos;
	ld->ld_subject = name;

	if (val->yn_kind == YNODE_SCALAR && !ytree_is_null(val))
		/* Shorthand: `example.com: template-name`. */
		domains_read_domain_policy(ld, val, pd);
	else if (val->yn_kind == YNODE_MAPPING)
		yread_walk(ld, val, "a domain", domains_domain_keys, pd);
	else
		yread_error(ld, val, "a domain needs a policy: the name of a "
		    "template, or a mapping with policy or mode/mx/max_age");
	/* Mark failure now: errors after resolution add to this. */
	pd->pd_domain.dom_valid = yread_errors(ld) == errors;
	ld->ld_subject = NULL;
}

void
domains_read_domains(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	domains_read_each(ld, n, "domains must map domain names to policies",
	    domains_read_domain);
}

/* ---- Freeing (also for config_free) ----------------------------------- */

void
domains_free_domain(struct domain *d)
{
	free(d->dom_name);
	free(d->dom_template);
	policy_free(&d->dom_policy);
	free(d->dom_zone);
	strvec_free(&d->dom_rua);
	free(d->dom_body);
}

void
domains_free_template(struct policy_template *tpl)
{
	free(tpl->tpl_name);
	policy_free(&tpl->tpl_policy);
}
