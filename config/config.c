#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "name.h"
#include "tlsrpt.h"
#include "xalloc.h"
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

struct include_pattern {
	char		*ip_pattern;	/* absolute */
	struct srcpos	 ip_pos;
};

struct file_id {
	dev_t	fi_dev;
	ino_t	fi_ino;
};

struct loader {
	struct config		*ld_cfg;
	struct file_id		*ld_seen;	/* every file read, by identity */
	size_t			 ld_nseen;
	struct pending_domain	*ld_domains;
	size_t			 ld_ndomains;
	const char		*ld_subject;	/* domain or template being read */
	char			*ld_dir;	/* directory of the main file */
	struct include_pattern	*ld_includes;	/* read after the main file */
	size_t			 ld_nincludes;
};

/* One key of a YAML mapping and the function that reads its value. */
struct cfg_key {
	const char	*ck_name;
	void		(*ck_read)(struct loader *, struct ynode *, void *);
};

static void __attribute__((format(printf, 3, 4)))
cfg_error(struct loader *ld, const struct ynode *n, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	diag_vadd(&ld->ld_cfg->cfg_diags, DIAG_ERROR, &n->yn_pos, ld->ld_subject,
	    fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
cfg_warn(struct loader *ld, const struct srcpos *pos, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	diag_vadd(&ld->ld_cfg->cfg_diags, DIAG_WARNING, pos, ld->ld_subject,
	    fmt, ap);
	va_end(ap);
}

static size_t
cfg_errors(const struct loader *ld)
{
	return ld->ld_cfg->cfg_diags.dl_errors;
}

/* ---- Scalars ---------------------------------------------------------- */

static const char *
cfg_scalar(struct loader *ld, const struct ynode *n, const char *what)
{
	if (n->yn_kind != YNODE_SCALAR || ytree_is_null(n)) {
		cfg_error(ld, n, "%s must be a single value, not %s", what,
		    ytree_kind_name(n));
		return NULL;
	}
	return n->yn_value;
}

static bool
cfg_uint(struct loader *ld, const struct ynode *n, const char *what,
    unsigned long min, unsigned long max, unsigned long *out)
{
	const char	*s = cfg_scalar(ld, n, what);
	unsigned long	 v;
	char		*end;

	if (s == NULL)
		return false;
	if (s[0] < '0' || s[0] > '9') {
		cfg_error(ld, n, "%s must be a whole number, not '%s'", what, s);
		return false;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0') {
		cfg_error(ld, n, "%s must be a whole number, not '%s'", what, s);
		return false;
	}
	if (errno == ERANGE || v < min || v > max) {
		cfg_error(ld, n, "%s is %s; it must be from %lu to %lu", what, s,
		    min, max);
		return false;
	}
	*out = v;
	return true;
}

static bool
cfg_bool(struct loader *ld, const struct ynode *n, const char *what, bool *out)
{
	const char *s = cfg_scalar(ld, n, what);

	if (s == NULL)
		return false;
	if (strcmp(s, "true") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0)
		*out = false;
	else {
		cfg_error(ld, n, "%s must be true or false, not '%s'", what, s);
		return false;
	}
	return true;
}

static char *
cfg_name(struct loader *ld, const struct ynode *n, const char *what, int flags)
{
	const char	*s = cfg_scalar(ld, n, what);
	char		*canon, *why;

	if (s == NULL)
		return NULL;
	canon = name_normalize(s, flags, &why);
	if (canon == NULL) {
		cfg_error(ld, n, "%s: %s", what, why);
		free(why);
	}
	return canon;
}

/* A list, or one value standing for a list of one. */
static bool
cfg_list(struct loader *ld, struct ynode *n, const char *what,
    struct ynode ***items, size_t *count)
{
	if (n->yn_kind == YNODE_SEQUENCE) {
		*items = n->yn_items;
		*count = n->yn_count;
		return true;
	}
	if (n->yn_kind == YNODE_SCALAR && !ytree_is_null(n)) {
		/* No items array: cfg_list_item() returns the node itself. */
		*items = NULL;
		*count = 1;
		return true;
	}
	cfg_error(ld, n, "%s must be a list, not %s", what, ytree_kind_name(n));
	return false;
}

static struct ynode *
cfg_list_item(struct ynode *list, struct ynode **items, size_t i)
{
	return items == NULL ? list : items[i];
}

/* ---- Mappings --------------------------------------------------------- */

static void
cfg_walk(struct loader *ld, struct ynode *map, const char *section,
    const struct cfg_key *keys, void *obj)
{
	if (ytree_is_null(map))
		return;
	if (map->yn_kind != YNODE_MAPPING) {
		cfg_error(ld, map, "%s must be a mapping of keys to values, "
		    "not %s", section, ytree_kind_name(map));
		return;
	}
	for (size_t i = 0; i < ytree_map_size(map); i++) {
		struct ynode		*k = ytree_map_key(map, i);
		const struct cfg_key	*ck;
		bool			 dup = false;

		if (k->yn_kind != YNODE_SCALAR) {
			cfg_error(ld, k, "a key in %s must be a plain name",
			    section);
			continue;
		}
		for (size_t j = 0; j < i; j++) {
			struct ynode *prev = ytree_map_key(map, j);

			if (prev->yn_kind == YNODE_SCALAR &&
			    strcmp(prev->yn_value, k->yn_value) == 0) {
				cfg_error(ld, k, "duplicate key '%s' in %s "
				    "(first at line %u)", k->yn_value, section,
				    prev->yn_pos.sp_line);
				dup = true;
				break;
			}
		}
		if (dup)
			continue;
		for (ck = keys; ck->ck_name != NULL; ck++)
			if (strcmp(ck->ck_name, k->yn_value) == 0)
				break;
		if (ck->ck_name == NULL) {
			char	expected[512] = "";
			size_t	off = 0;

			for (ck = keys; ck->ck_name != NULL &&
			    off < sizeof(expected); ck++)
				off += (size_t)snprintf(expected + off,
				    sizeof(expected) - off, "%s%s",
				    ck == keys ? "" : ", ", ck->ck_name);
			cfg_error(ld, k, "unknown key '%s' in %s; expected one "
			    "of: %s", k->yn_value, section, expected);
			continue;
		}
		ck->ck_read(ld, ytree_map_value(map, i), obj);
	}
}

/* ---- Policy fields (templates and domains) ---------------------------- */

static void
cfg_read_mode(struct loader *ld, struct ynode *n, void *obj)
{
	struct policy_fields	*pf = obj;
	const char		*s = cfg_scalar(ld, n, "mode");

	if (s == NULL)
		return;
	if (policy_mode_parse(s, &pf->pf_mode) == -1) {
		cfg_error(ld, n, "mode '%s' is not one of enforce, testing, "
		    "none (lower case, RFC 8461 3.2)", s);
		return;
	}
	pf->pf_has_mode = true;
	pf->pf_mode_pos = n->yn_pos;
}

static void
cfg_read_mx(struct loader *ld, struct ynode *n, void *obj)
{
	struct policy_fields	 *pf = obj;
	struct ynode		**items;
	size_t			  count;
	size_t			  errors = cfg_errors(ld);

	if (!cfg_list(ld, n, "mx", &items, &count))
		return;
	strvec_free(&pf->pf_mx);
	for (size_t i = 0; i < count; i++) {
		struct ynode	*item = cfg_list_item(n, items, i);
		char		*mx = cfg_name(ld, item, "mx", NAME_WILDCARD);

		if (mx == NULL)
			continue;
		if (strvec_contains(&pf->pf_mx, mx)) {
			cfg_error(ld, item, "mx '%s' is listed twice", mx);
			free(mx);
			continue;
		}
		strvec_push(&pf->pf_mx, mx);
	}
	if (count == 0)
		cfg_error(ld, n, "mx must list at least one pattern");
	pf->pf_has_mx = cfg_errors(ld) == errors;
}

static void
cfg_read_max_age(struct loader *ld, struct ynode *n, void *obj)
{
	struct policy_fields	*pf = obj;
	unsigned long		 v;

	if (!cfg_uint(ld, n, "max_age", 0, POLICY_MAX_AGE_LIMIT, &v))
		return;
	pf->pf_max_age = (uint32_t)v;
	pf->pf_has_max_age = true;
	pf->pf_max_age_pos = n->yn_pos;
}

/*
 * Rules on a whole policy. `pf` tells which fields the domain or template
 * set itself; advice about a field it inherited was given at the template.
 */
static void
cfg_check_policy(struct loader *ld, const struct policy *pol,
    const struct policy_fields *pf, const struct srcpos *where)
{
	const struct srcpos *age_pos = pf->pf_has_max_age ?
	    &pf->pf_max_age_pos : where;
	size_t len;
	char *body;

	if (!pf->pf_has_max_age && !pf->pf_has_mode)
		goto size;
	if (pol->pol_max_age < POLICY_MAX_AGE_WARN)
		cfg_warn(ld, age_pos, "max_age %u is less than a day (%u): "
		    "senders refetch the policy constantly and validators "
		    "flag it; use weeks", (unsigned)pol->pol_max_age,
		    POLICY_MAX_AGE_WARN);
	else if (pol->pol_mode == POLICY_MODE_ENFORCE &&
	    pol->pol_max_age < POLICY_MAX_AGE_ENFORCE_WARN)
		cfg_warn(ld, age_pos, "max_age %u in enforce mode is less "
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

/* ---- policies: -------------------------------------------------------- */

/*
 * A template's name is a DNS label (it names the delegation record) and DNS
 * ignores case, so "Std" and "std" are one template: keep one spelling.
 */
static char *
cfg_template_name(const char *s)
{
	char *name = xstrdup(s);

	for (char *p = name; *p != '\0'; p++)
		*p = (char)tolower((unsigned char)*p);
	return name;
}

static const struct cfg_key cfg_template_keys[] = {
	{ "mode", cfg_read_mode },
	{ "mx", cfg_read_mx },
	{ "max_age", cfg_read_max_age },
	{ NULL, NULL },
};

static void
cfg_read_template(struct loader *ld, struct ynode *key, struct ynode *val)
{
	struct config		*cfg = ld->ld_cfg;
	struct policy_template	*tpl;
	struct policy_fields	 pf = { 0 };
	char			 subject[128], *name;
	size_t			 errors = cfg_errors(ld);

	if (key->yn_kind != YNODE_SCALAR || !name_is_label(key->yn_value)) {
		cfg_error(ld, key, "a policy template name is one DNS label "
		    "of letters, digits and '-' (it names the delegation "
		    "record), not '%s'", key->yn_kind == YNODE_SCALAR ?
		    key->yn_value : "...");
		return;
	}
	name = cfg_template_name(key->yn_value);
	snprintf(subject, sizeof(subject), "policy '%s'", name);
	ld->ld_subject = subject;
	if (val->yn_kind != YNODE_MAPPING)
		cfg_error(ld, val, "a policy template is a mapping with mode, "
		    "mx and max_age");
	else
		cfg_walk(ld, val, "a policy template", cfg_template_keys, &pf);
	if (val->yn_kind == YNODE_MAPPING && !pf.pf_has_mode &&
	    cfg_errors(ld) == errors)
		cfg_error(ld, key, "the template has no 'mode' (enforce, "
		    "testing or none)");
	if (val->yn_kind == YNODE_MAPPING && !pf.pf_has_mx &&
	    cfg_errors(ld) == errors)
		cfg_error(ld, key, "the template has no 'mx'; every policy "
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
	if (cfg_errors(ld) == errors)
		cfg_check_policy(ld, &tpl->tpl_policy, &pf, &tpl->tpl_pos);
	tpl->tpl_valid = cfg_errors(ld) == errors;
	ld->ld_subject = NULL;
}

static void
cfg_read_policies(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	if (ytree_is_null(n))
		return;
	if (n->yn_kind != YNODE_MAPPING) {
		cfg_error(ld, n, "policies must map template names to "
		    "policies, not be %s", ytree_kind_name(n));
		return;
	}
	for (size_t i = 0; i < ytree_map_size(n); i++)
		cfg_read_template(ld, ytree_map_key(n, i), ytree_map_value(n, i));
}

/* ---- domains: --------------------------------------------------------- */

static void
cfg_read_domain_policy(struct loader *ld, struct ynode *n, void *obj)
{
	struct pending_domain	*pd = obj;
	const char		*s = cfg_scalar(ld, n, "policy");

	if (s == NULL)
		return;
	free(pd->pd_domain.dom_template);
	pd->pd_domain.dom_template = cfg_template_name(s);
	pd->pd_template_pos = n->yn_pos;
}

static void
cfg_read_domain_mode(struct loader *ld, struct ynode *n, void *obj)
{
	cfg_read_mode(ld, n, &((struct pending_domain *)obj)->pd_fields);
}

static void
cfg_read_domain_mx(struct loader *ld, struct ynode *n, void *obj)
{
	cfg_read_mx(ld, n, &((struct pending_domain *)obj)->pd_fields);
}

static void
cfg_read_domain_max_age(struct loader *ld, struct ynode *n, void *obj)
{
	cfg_read_max_age(ld, n, &((struct pending_domain *)obj)->pd_fields);
}

static void
cfg_read_rua(struct loader *ld, struct ynode *n, void *obj)
{
	struct strvec	 *rua = obj;
	struct ynode	**items;
	size_t		  count;

	strvec_free(rua);
	if (!cfg_list(ld, n, "rua", &items, &count))
		return;
	for (size_t i = 0; i < count; i++) {
		struct ynode	*item = cfg_list_item(n, items, i);
		const char	*uri = cfg_scalar(ld, item, "a rua URI");
		char		*why;

		if (uri == NULL)
			continue;
		if (!tlsrpt_uri_check(uri, &why)) {
			cfg_error(ld, item, "rua: %s", why);
			free(why);
			continue;
		}
		strvec_push(rua, xstrdup(uri));
	}
}

static const struct cfg_key cfg_tlsrpt_keys[] = {
	{ "rua", cfg_read_rua },
	{ NULL, NULL },
};

static void
cfg_read_domain_tlsrpt(struct loader *ld, struct ynode *n, void *obj)
{
	struct pending_domain *pd = obj;

	pd->pd_has_rua = true;
	cfg_walk(ld, n, "tlsrpt", cfg_tlsrpt_keys, &pd->pd_domain.dom_rua);
}

static void
cfg_read_domain_zone(struct loader *ld, struct ynode *n, void *obj)
{
	struct pending_domain	*pd = obj;
	char			*zone = cfg_name(ld, n, "zone", 0);
	const char		*name = pd->pd_domain.dom_name;
	size_t			 nl = strlen(name), zl;

	if (zone == NULL)
		return;
	zl = strlen(zone);
	if (!(nl == zl && strcmp(name, zone) == 0) &&
	    !(nl > zl && name[nl - zl - 1] == '.' &&
	    strcmp(name + nl - zl, zone) == 0)) {
		cfg_error(ld, n, "zone '%s' does not contain the domain; it "
		    "must be the domain itself or a parent of it", zone);
		free(zone);
		return;
	}
	free(pd->pd_domain.dom_zone);
	pd->pd_domain.dom_zone = zone;
	pd->pd_zone_pos = n->yn_pos;
}

static void
cfg_read_domain_delegate(struct loader *ld, struct ynode *n, void *obj)
{
	struct pending_domain	*pd = obj;
	bool			 b;

	if (!cfg_bool(ld, n, "delegate", &b))
		return;
	pd->pd_delegate = b;
	pd->pd_delegate_pos = n->yn_pos;
}

static const struct cfg_key cfg_domain_keys[] = {
	{ "policy", cfg_read_domain_policy },
	{ "mode", cfg_read_domain_mode },
	{ "mx", cfg_read_domain_mx },
	{ "max_age", cfg_read_domain_max_age },
	{ "tlsrpt", cfg_read_domain_tlsrpt },
	{ "zone", cfg_read_domain_zone },
	{ "delegate", cfg_read_domain_delegate },
	{ NULL, NULL },
};

static void
cfg_read_domain(struct loader *ld, struct ynode *key, struct ynode *val)
{
	struct pending_domain	*pd;
	char			*name;
	size_t			 errors = cfg_errors(ld);

	name = cfg_name(ld, key, "domain", 0);
	if (name == NULL)
		return;
	ld->ld_domains = xreallocarray(ld->ld_domains, ld->ld_ndomains + 1,
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
		cfg_read_domain_policy(ld, val, pd);
	else if (val->yn_kind == YNODE_MAPPING)
		cfg_walk(ld, val, "a domain", cfg_domain_keys, pd);
	else
		cfg_error(ld, val, "a domain needs a policy: the name of a "
		    "template, or a mapping with policy or mode/mx/max_age");
	/* Mark failure now: errors after resolution add to this. */
	pd->pd_domain.dom_valid = cfg_errors(ld) == errors;
	ld->ld_subject = NULL;
}

static void
cfg_read_domains(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	if (ytree_is_null(n))
		return;
	if (n->yn_kind != YNODE_MAPPING) {
		cfg_error(ld, n, "domains must map domain names to policies, "
		    "not be %s", ytree_kind_name(n));
		return;
	}
	for (size_t i = 0; i < ytree_map_size(n); i++)
		cfg_read_domain(ld, ytree_map_key(n, i), ytree_map_value(n, i));
}

/* ---- server: ---------------------------------------------------------- */

static bool
cfg_parse_listen(const char *text, struct listen_addr *la)
{
	char			 host[INET6_ADDRSTRLEN + 2], canon[INET6_ADDRSTRLEN];
	const char		*colon, *port_s;
	unsigned long		 port;
	char			*end;
	size_t			 hl;

	memset(la, 0, sizeof(*la));
	if (text[0] == '[') {
		const char *close = strchr(text, ']');

		if (close == NULL || close[1] != ':')
			return false;
		hl = (size_t)(close - text - 1);
		port_s = close + 2;
		if (hl >= sizeof(host))
			return false;
		memcpy(host, text + 1, hl);
		host[hl] = '\0';
	} else {
		colon = strrchr(text, ':');
		if (colon == NULL || strchr(text, ':') != colon)
			return false;
		hl = (size_t)(colon - text);
		port_s = colon + 1;
		if (hl >= sizeof(host))
			return false;
		memcpy(host, text, hl);
		host[hl] = '\0';
	}
	if (*port_s < '0' || *port_s > '9')
		return false;
	errno = 0;
	port = strtoul(port_s, &end, 10);
	if (*end != '\0' || errno != 0 || port == 0 || port > 65535)
		return false;
	if (text[0] == '[') {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&la->la_addr;

		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return false;
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		la->la_addrlen = sizeof(*sin6);
		inet_ntop(AF_INET6, &sin6->sin6_addr, canon, sizeof(canon));
		la->la_text = xasprintf("[%s]:%lu", canon, port);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&la->la_addr;

		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return false;
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		la->la_addrlen = sizeof(*sin);
		inet_ntop(AF_INET, &sin->sin_addr, canon, sizeof(canon));
		la->la_text = xasprintf("%s:%lu", canon, port);
	}
	return true;
}

/* A list of listen addresses into *addrs / *count, duplicates refused. */
static void
cfg_read_addresses(struct loader *ld, struct ynode *n, const char *what,
    struct listen_addr **addrs, size_t *count)
{
	struct ynode	**items;
	size_t		  nitems;

	if (!cfg_list(ld, n, what, &items, &nitems))
		return;
	if (nitems == 0)
		cfg_error(ld, n, "%s must name at least one address", what);
	for (size_t i = 0; i < nitems; i++) {
		struct ynode		*item = cfg_list_item(n, items, i);
		const char		*s = cfg_scalar(ld, item, what);
		struct listen_addr	 la;
		bool			 dup = false;

		if (s == NULL)
			continue;
		if (!cfg_parse_listen(s, &la)) {
			cfg_error(ld, item, "%s '%s' is not ADDRESS:PORT; "
			    "write 0.0.0.0:443, 192.0.2.1:443 or [::]:443",
			    what, s);
			continue;
		}
		for (size_t j = 0; j < *count; j++)
			dup |= strcmp((*addrs)[j].la_text, la.la_text) == 0;
		if (dup) {
			cfg_error(ld, item, "%s '%s' is listed twice", what, s);
			free(la.la_text);
			continue;
		}
		la.la_pos = item->yn_pos;
		*addrs = xreallocarray(*addrs, *count + 1, sizeof(**addrs));
		(*addrs)[(*count)++] = la;
	}
}

static void
cfg_read_listen(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	cfg_read_addresses(ld, n, "listen", &ld->ld_cfg->cfg_listen,
	    &ld->ld_cfg->cfg_nlisten);
}

static void
cfg_read_account(struct loader *ld, struct ynode *n, char **out,
    const char *what)
{
	const char *s = cfg_scalar(ld, n, what);

	if (s == NULL)
		return;
	if (strcmp(s, "root") == 0 || strcmp(s, "0") == 0) {
		cfg_error(ld, n, "%s must not be root: the daemon faces the "
		    "internet and drops privileges after start-up", what);
		return;
	}
	free(*out);
	*out = xstrdup(s);
}

static void
cfg_read_user(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	cfg_read_account(ld, n, &ld->ld_cfg->cfg_user, "user");
}

static void
cfg_read_group(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	cfg_read_account(ld, n, &ld->ld_cfg->cfg_group, "group");
}

static void
cfg_read_workers(struct loader *ld, struct ynode *n, void *obj)
{
	unsigned long v;

	(void)obj;
	if (cfg_uint(ld, n, "workers", 0, LIMIT_WORKERS_MAX, &v))
		ld->ld_cfg->cfg_workers = (unsigned)v;
}

static void
cfg_read_log(struct loader *ld, struct ynode *n, void *obj)
{
	const char *s = cfg_scalar(ld, n, "log");

	(void)obj;
	if (s == NULL)
		return;
	if (strcmp(s, "stderr") == 0)
		ld->ld_cfg->cfg_log_target = LOG_TARGET_STDERR;
	else if (strcmp(s, "syslog") == 0)
		ld->ld_cfg->cfg_log_target = LOG_TARGET_SYSLOG;
	else
		cfg_error(ld, n, "log '%s' is not stderr or syslog", s);
}

static void
cfg_read_log_level(struct loader *ld, struct ynode *n, void *obj)
{
	static const char *const levels[] = {
		[LOG_LEVEL_ERROR] = "error", [LOG_LEVEL_WARNING] = "warning",
		[LOG_LEVEL_INFO] = "info", [LOG_LEVEL_DEBUG] = "debug",
	};
	const char *s = cfg_scalar(ld, n, "log_level");

	(void)obj;
	if (s == NULL)
		return;
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		if (strcmp(s, levels[i]) == 0) {
			ld->ld_cfg->cfg_log_level = (enum log_level)i;
			return;
		}
	}
	cfg_error(ld, n, "log_level '%s' is not error, warning, info or "
	    "debug", s);
}

static void
cfg_read_access_log(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	cfg_bool(ld, n, "access_log", &ld->ld_cfg->cfg_access_log);
}

static void
cfg_read_seccomp(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	if (cfg_bool(ld, n, "seccomp", &ld->ld_cfg->cfg_seccomp) &&
	    ld->ld_cfg->cfg_seccomp && !CONFIG_SECCOMP_AVAILABLE) {
		cfg_error(ld, n, "seccomp: the system call allow-list exists "
		    "for x86_64 only; set it to false on this architecture");
		ld->ld_cfg->cfg_seccomp = false;
	}
}

static const struct cfg_key cfg_server_keys[] = {
	{ "listen", cfg_read_listen },
	{ "user", cfg_read_user },
	{ "group", cfg_read_group },
	{ "workers", cfg_read_workers },
	{ "log", cfg_read_log },
	{ "log_level", cfg_read_log_level },
	{ "access_log", cfg_read_access_log },
	{ "seccomp", cfg_read_seccomp },
	{ NULL, NULL },
};

static void
cfg_read_server(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	cfg_walk(ld, n, "server", cfg_server_keys, NULL);
}

/* ---- limits: ---------------------------------------------------------- */

#define CFG_LIMIT_READER(field, key, min, max)				\
static void								\
cfg_read_##field(struct loader *ld, struct ynode *n, void *obj)		\
{									\
	unsigned long v;						\
									\
	(void)obj;							\
	if (cfg_uint(ld, n, key, min, max, &v))				\
		ld->ld_cfg->cfg_limits.lim_##field = (unsigned)v;	\
}

CFG_LIMIT_READER(max_connections, "max_connections", 1, 1000000)
CFG_LIMIT_READER(max_connections_per_address, "max_connections_per_address",
    1, 1000000)
CFG_LIMIT_READER(handshake_timeout, "handshake_timeout", 1, 300)
CFG_LIMIT_READER(idle_timeout, "idle_timeout", 1, 3600)
CFG_LIMIT_READER(max_requests_per_connection, "max_requests_per_connection",
    1, 1000000)

static const struct cfg_key cfg_limit_keys[] = {
	{ "max_connections", cfg_read_max_connections },
	{ "max_connections_per_address", cfg_read_max_connections_per_address },
	{ "handshake_timeout", cfg_read_handshake_timeout },
	{ "idle_timeout", cfg_read_idle_timeout },
	{ "max_requests_per_connection", cfg_read_max_requests_per_connection },
	{ NULL, NULL },
};

static void
cfg_read_limits(struct loader *ld, struct ynode *n, void *obj)
{
	struct limits *lim = &ld->ld_cfg->cfg_limits;

	(void)obj;
	cfg_walk(ld, n, "limits", cfg_limit_keys, NULL);
	if (lim->lim_max_connections_per_address > lim->lim_max_connections)
		cfg_warn(ld, &n->yn_pos, "max_connections_per_address (%u) is "
		    "above max_connections (%u), so it never applies",
		    lim->lim_max_connections_per_address,
		    lim->lim_max_connections);
}

/* ---- certificates: ---------------------------------------------------- */

/* A path relative to the main file's directory, as short as it can be. */
static char *
cfg_join(const char *dir, const char *path)
{
	if (path[0] == '/' || strcmp(dir, ".") == 0)
		return xstrdup(path);
	return xasprintf("%s/%s", dir, path);
}

/* Certificate paths are made absolute: the daemon must not depend on its
 * working directory. */
static char *
cfg_path(struct loader *ld, const struct ynode *n, const char *what)
{
	const char	*s = cfg_scalar(ld, n, what);
	char		*rel, *abs, cwd[PATH_MAX];

	if (s == NULL)
		return NULL;
	rel = cfg_join(ld->ld_dir, s);
	if (rel[0] == '/' || getcwd(cwd, sizeof(cwd)) == NULL)
		return rel;
	abs = xasprintf("%s/%s", cwd, rel);
	free(rel);
	return abs;
}

static void
cfg_read_cert_directory(struct loader *ld, struct ynode *n, void *obj)
{
	struct cert_source *cs = obj;

	free(cs->csrc_directory);
	cs->csrc_directory = cfg_path(ld, n, "directory");
}

static void
cfg_read_cert_cert(struct loader *ld, struct ynode *n, void *obj)
{
	struct cert_source *cs = obj;

	free(cs->csrc_cert);
	cs->csrc_cert = cfg_path(ld, n, "cert");
}

static void
cfg_read_cert_key(struct loader *ld, struct ynode *n, void *obj)
{
	struct cert_source *cs = obj;

	free(cs->csrc_key);
	cs->csrc_key = cfg_path(ld, n, "key");
}

static const struct cfg_key cfg_cert_keys[] = {
	{ "directory", cfg_read_cert_directory },
	{ "cert", cfg_read_cert_cert },
	{ "key", cfg_read_cert_key },
	{ NULL, NULL },
};

static void
cfg_read_certificates(struct loader *ld, struct ynode *n, void *obj)
{
	struct config	 *cfg = ld->ld_cfg;
	struct ynode	**items;
	size_t		  count;

	(void)obj;
	if (ytree_is_null(n))
		return;
	if (n->yn_kind != YNODE_SEQUENCE) {
		cfg_error(ld, n, "certificates must be a list of "
		    "'directory: PATH' or 'cert: PATH' + 'key: PATH' entries");
		return;
	}
	items = n->yn_items;
	count = n->yn_count;
	for (size_t i = 0; i < count; i++) {
		struct cert_source	cs = { .csrc_pos = items[i]->yn_pos };
		size_t			errors = cfg_errors(ld);

		cfg_walk(ld, items[i], "a certificate source", cfg_cert_keys,
		    &cs);
		if (cfg_errors(ld) == errors) {
			if (cs.csrc_directory != NULL &&
			    (cs.csrc_cert != NULL || cs.csrc_key != NULL))
				cfg_error(ld, items[i], "a certificate source is "
				    "either a directory or a cert/key pair, "
				    "not both");
			else if (cs.csrc_directory == NULL &&
			    (cs.csrc_cert == NULL || cs.csrc_key == NULL))
				cfg_error(ld, items[i], "a certificate source "
				    "needs 'directory', or both 'cert' and "
				    "'key'");
		}
		if (cfg_errors(ld) != errors) {
			free(cs.csrc_directory);
			free(cs.csrc_cert);
			free(cs.csrc_key);
			continue;
		}
		cfg->cfg_certs = xreallocarray(cfg->cfg_certs,
		    cfg->cfg_ncerts + 1, sizeof(*cfg->cfg_certs));
		cfg->cfg_certs[cfg->cfg_ncerts++] = cs;
	}
}

/* ---- dns: ------------------------------------------------------------- */

static void
cfg_read_ttl_field(struct loader *ld, struct ynode *n, uint32_t *out,
    const char *what)
{
	unsigned long v;

	if (cfg_uint(ld, n, what, 0, DNS_TTL_LIMIT, &v))
		*out = (uint32_t)v;
}

static void
cfg_read_ttl_policy_id(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	cfg_read_ttl_field(ld, n, &ld->ld_cfg->cfg_dns.dns_ttl_policy_id,
	    "ttl policy_id");
}

static void
cfg_read_ttl_tlsrpt(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	cfg_read_ttl_field(ld, n, &ld->ld_cfg->cfg_dns.dns_ttl_tlsrpt,
	    "ttl tlsrpt");
}

static void
cfg_read_ttl_policy_host(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	cfg_read_ttl_field(ld, n, &ld->ld_cfg->cfg_dns.dns_ttl_policy_host,
	    "ttl policy_host");
}

static const struct cfg_key cfg_ttl_keys[] = {
	{ "policy_id", cfg_read_ttl_policy_id },
	{ "tlsrpt", cfg_read_ttl_tlsrpt },
	{ "policy_host", cfg_read_ttl_policy_host },
	{ NULL, NULL },
};

static void
cfg_read_dns_ttl(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	cfg_walk(ld, n, "dns ttl", cfg_ttl_keys, NULL);
}

static void
cfg_read_host_cname(struct loader *ld, struct ynode *n, void *obj)
{
	struct dns_settings *dns = obj;

	free(dns->dns_host_cname);
	dns->dns_host_cname = cfg_name(ld, n, "policy_host cname", 0);
}

static void
cfg_read_host_addresses(struct loader *ld, struct ynode *n, void *obj)
{
	struct dns_settings	 *dns = obj;
	struct ynode		**items;
	size_t			  count;

	strvec_free(&dns->dns_host_addresses);
	if (!cfg_list(ld, n, "policy_host addresses", &items, &count))
		return;
	if (count == 0)
		cfg_error(ld, n, "policy_host addresses must list at least "
		    "one address");
	for (size_t i = 0; i < count; i++) {
		struct ynode		*item = cfg_list_item(n, items, i);
		const char		*s = cfg_scalar(ld, item, "an address");
		unsigned char		 bin[sizeof(struct in6_addr)];
		char			 canon[INET6_ADDRSTRLEN];
		int			 af;

		if (s == NULL)
			continue;
		af = strchr(s, ':') != NULL ? AF_INET6 : AF_INET;
		if (inet_pton(af, s, bin) != 1) {
			cfg_error(ld, item, "'%s' is not an IPv4 or IPv6 "
			    "address", s);
			continue;
		}
		inet_ntop(af, bin, canon, sizeof(canon));
		if (strvec_contains(&dns->dns_host_addresses, canon)) {
			cfg_error(ld, item, "address '%s' is listed twice", s);
			continue;
		}
		strvec_push(&dns->dns_host_addresses, xstrdup(canon));
	}
}

static const struct cfg_key cfg_policy_host_keys[] = {
	{ "cname", cfg_read_host_cname },
	{ "addresses", cfg_read_host_addresses },
	{ NULL, NULL },
};

static void
cfg_read_policy_host(struct loader *ld, struct ynode *n, void *obj)
{
	struct dns_settings *dns = &ld->ld_cfg->cfg_dns;

	(void)obj;
	cfg_walk(ld, n, "policy_host", cfg_policy_host_keys, dns);
	if (dns->dns_host_cname != NULL && dns->dns_host_addresses.sv_count > 0)
		cfg_error(ld, n, "policy_host takes either 'cname' or "
		    "'addresses', not both: a name with a CNAME can have no "
		    "other records");
}

static void
cfg_read_dns_tlsrpt(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	cfg_walk(ld, n, "tlsrpt", cfg_tlsrpt_keys, &ld->ld_cfg->cfg_dns.dns_rua);
}

static void
cfg_read_delegation_zone(struct loader *ld, struct ynode *n, void *obj)
{
	struct dns_settings *dns = obj;

	free(dns->dns_delegation_zone);
	dns->dns_delegation_zone = cfg_name(ld, n, "delegation zone", 0);
}

static const struct cfg_key cfg_delegation_keys[] = {
	{ "zone", cfg_read_delegation_zone },
	{ NULL, NULL },
};

static void
cfg_read_delegation(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	cfg_walk(ld, n, "delegation", cfg_delegation_keys, &ld->ld_cfg->cfg_dns);
}

static const struct cfg_key cfg_dns_keys[] = {
	{ "ttl", cfg_read_dns_ttl },
	{ "policy_host", cfg_read_policy_host },
	{ "tlsrpt", cfg_read_dns_tlsrpt },
	{ "delegation", cfg_read_delegation },
	{ NULL, NULL },
};

static void
cfg_read_dns(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	cfg_walk(ld, n, "dns", cfg_dns_keys, NULL);
}

/* ---- acme: ------------------------------------------------------------ */

static void
cfg_read_acme_listen(struct loader *ld, struct ynode *n, void *obj)
{
	struct acme_settings *acme = obj;

	cfg_read_addresses(ld, n, "acme listen", &acme->acme_listen,
	    &acme->acme_nlisten);
}

static void
cfg_read_acme_webroot(struct loader *ld, struct ynode *n, void *obj)
{
	struct acme_settings	*acme = obj;
	char			*path = cfg_path(ld, n, "webroot");

	if (path == NULL)
		return;
	free(acme->acme_webroot);
	acme->acme_webroot = path;
}

static const struct cfg_key cfg_acme_keys[] = {
	{ "listen", cfg_read_acme_listen },
	{ "webroot", cfg_read_acme_webroot },
	{ NULL, NULL },
};

static void
cfg_read_acme(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	cfg_walk(ld, n, "acme", cfg_acme_keys, &ld->ld_cfg->cfg_acme);
}

/* ---- metrics: --------------------------------------------------------- */

static void
cfg_read_metrics_listen(struct loader *ld, struct ynode *n, void *obj)
{
	struct metrics_settings *met = obj;

	cfg_read_addresses(ld, n, "metrics listen", &met->met_listen,
	    &met->met_nlisten);
}

static const struct cfg_key cfg_metrics_keys[] = {
	{ "listen", cfg_read_metrics_listen },
	{ NULL, NULL },
};

static void
cfg_read_metrics(struct loader *ld, struct ynode *n, void *obj)
{
	(void)obj;
	cfg_walk(ld, n, "metrics", cfg_metrics_keys, &ld->ld_cfg->cfg_metrics);
}

/* ---- Files and includes ------------------------------------------------ */

static void cfg_read_include(struct loader *, struct ynode *, void *);

static const struct cfg_key cfg_main_keys[] = {
	{ "server", cfg_read_server },
	{ "limits", cfg_read_limits },
	{ "certificates", cfg_read_certificates },
	{ "dns", cfg_read_dns },
	{ "acme", cfg_read_acme },
	{ "metrics", cfg_read_metrics },
	{ "policies", cfg_read_policies },
	{ "domains", cfg_read_domains },
	{ "include", cfg_read_include },
	{ NULL, NULL },
};

/* Included files hold customers: domains and templates, nothing global. */
static const struct cfg_key cfg_include_keys[] = {
	{ "policies", cfg_read_policies },
	{ "domains", cfg_read_domains },
	{ NULL, NULL },
};

static const char *
cfg_file_name(struct config *cfg, const char *path)
{
	strvec_push(&cfg->cfg_files, xstrdup(path));
	return cfg->cfg_files.sv_items[cfg->cfg_files.sv_count - 1];
}

/*
 * Has this file been read already? By identity, not by name: a glob like
 * *.yaml may match the main file under another spelling of its path.
 */
static bool
cfg_file_seen(struct loader *ld, const char *path)
{
	struct stat st;

	if (stat(path, &st) == -1)
		return false;	/* opening it will say why */
	for (size_t i = 0; i < ld->ld_nseen; i++)
		if (ld->ld_seen[i].fi_dev == st.st_dev &&
		    ld->ld_seen[i].fi_ino == st.st_ino)
			return true;
	ld->ld_seen = xreallocarray(ld->ld_seen, ld->ld_nseen + 1,
	    sizeof(*ld->ld_seen));
	ld->ld_seen[ld->ld_nseen++] = (struct file_id){ st.st_dev, st.st_ino };
	return false;
}

static void
cfg_read_file(struct loader *ld, const char *path, bool main_file)
{
	struct config	*cfg = ld->ld_cfg;
	const char	*name = cfg_file_name(cfg, path);
	struct ynode	*root;
	bool		 failed;

	root = ytree_load_file(name, &cfg->cfg_diags, &failed);
	if (root == NULL)
		return;
	cfg_walk(ld, root, main_file ? "the configuration" : "an included "
	    "file (only 'domains' and 'policies' belong there)",
	    main_file ? cfg_main_keys : cfg_include_keys, NULL);
	ytree_free(root);
}

static int
cfg_glob_error(const char *path, int err)
{
	(void)path;
	(void)err;
	/* Reported by the caller from glob()'s result; keep going. */
	return 0;
}

/*
 * Patterns are expanded after the whole main file is read, so definitions in
 * the main file come first wherever `include:` stands in it: when a domain is
 * defined twice, the one kept does not depend on the order of keys.
 */
static void
cfg_read_include(struct loader *ld, struct ynode *n, void *obj)
{
	struct ynode	**items;
	size_t		  count;

	(void)obj;
	if (ytree_is_null(n))
		return;
	if (!cfg_list(ld, n, "include", &items, &count))
		return;
	for (size_t i = 0; i < count; i++) {
		struct ynode		*item = cfg_list_item(n, items, i);
		const char		*s = cfg_scalar(ld, item, "include");
		struct include_pattern	*ip;

		if (s == NULL)
			continue;
		ld->ld_includes = xreallocarray(ld->ld_includes,
		    ld->ld_nincludes + 1, sizeof(*ld->ld_includes));
		ip = &ld->ld_includes[ld->ld_nincludes++];
		ip->ip_pattern = cfg_join(ld->ld_dir, s);
		ip->ip_pos = item->yn_pos;
		strvec_push(&ld->ld_cfg->cfg_includes, xstrdup(ip->ip_pattern));
	}
}

static void
cfg_include_pattern(struct loader *ld, const struct include_pattern *ip)
{
	struct config	*cfg = ld->ld_cfg;
	glob_t		 g;
	int		 rc;

	rc = glob(ip->ip_pattern, GLOB_MARK, cfg_glob_error, &g);
	if (rc == GLOB_NOMATCH) {
		/* An empty domains.d/ is a normal state for a new hoster. */
		globfree(&g);
		return;
	}
	if (rc != 0) {
		diag_add(&cfg->cfg_diags, DIAG_ERROR, &ip->ip_pos, NULL,
		    "include '%s': %s", ip->ip_pattern, rc == GLOB_NOSPACE ?
		    "out of memory" : "cannot read the directory");
		return;
	}
	for (size_t i = 0; i < g.gl_pathc; i++) {
		const char	*path = g.gl_pathv[i];
		size_t		 len = strlen(path);

		if (len > 0 && path[len - 1] == '/')
			continue;	/* GLOB_MARK: a directory */
		if (cfg_file_seen(ld, path))
			continue;	/* the main file, or matched twice */
		cfg_read_file(ld, path, false);
	}
	globfree(&g);
}

static void
cfg_read_includes(struct loader *ld)
{
	for (size_t i = 0; i < ld->ld_nincludes; i++) {
		cfg_include_pattern(ld, &ld->ld_includes[i]);
		free(ld->ld_includes[i].ip_pattern);
	}
	free(ld->ld_includes);
	ld->ld_includes = NULL;
	ld->ld_nincludes = 0;
}

/* ---- Resolution: templates, duplicates, rendering --------------------- */

static int
cfg_pending_cmp(const void *a, const void *b)
{
	const struct pending_domain *x = a, *y = b;
	int c = strcmp(x->pd_domain.dom_name, y->pd_domain.dom_name);

	if (c != 0)
		return c;
	return x->pd_order < y->pd_order ? -1 : x->pd_order > y->pd_order;
}

static void
cfg_free_domain(struct domain *d)
{
	free(d->dom_name);
	free(d->dom_template);
	policy_free(&d->dom_policy);
	free(d->dom_zone);
	strvec_free(&d->dom_rua);
	free(d->dom_body);
}

static void
cfg_free_template(struct policy_template *tpl)
{
	free(tpl->tpl_name);
	policy_free(&tpl->tpl_policy);
}

static void
cfg_sort_templates(struct loader *ld)
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
			diag_add(&cfg->cfg_diags, DIAG_ERROR, &t->tpl_pos, subject,
			    "policy template '%s' is already defined at "
			    "%s:%u:%u; this definition is ignored", t->tpl_name,
			    first->tpl_pos.sp_file, first->tpl_pos.sp_line,
			    first->tpl_pos.sp_col);
			cfg_free_template(t);
			continue;
		}
		cfg->cfg_templates[out++] = *t;
	}
	cfg->cfg_ntemplates = out;
}

static void
cfg_resolve_domain(struct loader *ld, struct pending_domain *pd)
{
	struct config		*cfg = ld->ld_cfg;
	struct domain		*d = &pd->pd_domain;
	struct policy_fields	*pf = &pd->pd_fields;
	struct policy_template	*tpl = NULL;
	size_t			 errors = cfg_errors(ld);
	struct ynode		 at = { .yn_pos = d->dom_pos };

	ld->ld_subject = d->dom_name;
	if (d->dom_template != NULL) {
		at.yn_pos = pd->pd_template_pos;
		tpl = config_template(cfg, d->dom_template);
		if (tpl == NULL) {
			cfg_error(ld, &at, "policy template '%s' is not defined "
			    "under 'policies:'", d->dom_template);
		} else if (!tpl->tpl_valid) {
			/* Its errors were reported once, at the template. */
			d->dom_valid = false;
		} else
			policy_copy(&d->dom_policy, &tpl->tpl_policy);
		d->dom_overrides = pf->pf_has_mode || pf->pf_has_mx ||
		    pf->pf_has_max_age;
	} else if (d->dom_valid) {
		if (!pf->pf_has_mode)
			cfg_error(ld, &at, "no policy: name a template with "
			    "'policy:', or set 'mode' (enforce, testing or "
			    "none) and 'mx'");
		else if (!pf->pf_has_mx)
			cfg_error(ld, &at, "no 'mx': every policy needs at least "
			    "one mx pattern, even with mode none (several "
			    "senders reject a policy without one)");
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

	if (d->dom_zone == NULL)
		d->dom_zone = xstrdup(d->dom_name);
	if (!pd->pd_has_rua)
		strvec_copy(&d->dom_rua, &cfg->cfg_dns.dns_rua);
	if (pd->pd_delegate == 1 && cfg->cfg_dns.dns_delegation_zone == NULL) {
		at.yn_pos = pd->pd_delegate_pos;
		cfg_error(ld, &at, "delegate: true needs a hoster zone in "
		    "dns: delegation: zone");
	}
	d->dom_delegate = cfg->cfg_dns.dns_delegation_zone != NULL &&
	    pd->pd_delegate != 0;

	if (d->dom_valid && cfg_errors(ld) == errors) {
		cfg_check_policy(ld, &d->dom_policy, pf, &d->dom_pos);
		d->dom_body = policy_render(&d->dom_policy, &d->dom_body_len);
		policy_id(d->dom_body, d->dom_body_len, d->dom_id);
	}
	d->dom_valid = d->dom_valid && cfg_errors(ld) == errors;
	ld->ld_subject = NULL;
}

static void
cfg_resolve(struct loader *ld)
{
	struct config	*cfg = ld->ld_cfg;
	size_t		 out = 0;

	cfg_sort_templates(ld);
	/* qsort() and bsearch() take no NULL array, even with no element. */
	if (ld->ld_ndomains > 0)
		qsort(ld->ld_domains, ld->ld_ndomains,
		    sizeof(*ld->ld_domains), cfg_pending_cmp);
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
			cfg_free_domain(&pd->pd_domain);
			strvec_free(&pd->pd_fields.pf_mx);
			continue;
		}
		cfg_resolve_domain(ld, pd);
		cfg->cfg_domains[out++] = pd->pd_domain;
	}
	cfg->cfg_ndomains = out;
}

static void
cfg_defaults(struct config *cfg)
{
	cfg->cfg_workers = 0;
	cfg->cfg_log_target = LOG_TARGET_STDERR;
	cfg->cfg_log_level = LOG_LEVEL_INFO;
	cfg->cfg_access_log = true;
	cfg->cfg_seccomp = CONFIG_SECCOMP_AVAILABLE;
	cfg->cfg_limits = (struct limits){
		.lim_max_connections = LIMIT_MAX_CONNECTIONS,
		.lim_max_connections_per_address = LIMIT_MAX_CONNECTIONS_PER_ADDR,
		.lim_handshake_timeout = LIMIT_HANDSHAKE_TIMEOUT,
		.lim_idle_timeout = LIMIT_IDLE_TIMEOUT,
		.lim_max_requests_per_connection = LIMIT_MAX_REQUESTS_PER_CONN,
	};
	cfg->cfg_dns.dns_ttl_policy_id = DNS_TTL_POLICY_ID_DEFAULT;
	cfg->cfg_dns.dns_ttl_tlsrpt = DNS_TTL_DEFAULT;
	cfg->cfg_dns.dns_ttl_policy_host = DNS_TTL_DEFAULT;
}

static void
cfg_default_listen(struct config *cfg)
{
	static const char *const defaults[] = { "0.0.0.0:443", "[::]:443" };

	cfg->cfg_listen = xcalloc(2, sizeof(*cfg->cfg_listen));
	for (size_t i = 0; i < 2; i++)
		cfg_parse_listen(defaults[i], &cfg->cfg_listen[i]);
	cfg->cfg_nlisten = 2;
}

static char *
cfg_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

struct config *
config_load(const char *path)
{
	struct config	*cfg = xcalloc(1, sizeof(*cfg));
	struct loader	 ld = { .ld_cfg = cfg };
	size_t		 errors_before;

	cfg->cfg_path = xstrdup(path);
	cfg_defaults(cfg);
	ld.ld_dir = cfg_dirname(path);
	cfg_file_seen(&ld, path);
	cfg_read_file(&ld, path, true);
	cfg_read_includes(&ld);
	errors_before = cfg->cfg_diags.dl_errors;
	if (cfg->cfg_nlisten == 0)
		cfg_default_listen(cfg);
	if (cfg->cfg_user == NULL)
		cfg->cfg_user = xstrdup(CONFIG_DEFAULT_USER);
	if (cfg->cfg_group == NULL)
		cfg->cfg_group = xstrdup(CONFIG_DEFAULT_GROUP);
	if (cfg->cfg_acme.acme_webroot == NULL)
		cfg->cfg_acme.acme_webroot = xstrdup(CONFIG_DEFAULT_ACME_WEBROOT);
	for (size_t i = 0; i < cfg->cfg_acme.acme_nlisten; i++)
		for (size_t j = 0; j < cfg->cfg_nlisten; j++)
			if (strcmp(cfg->cfg_acme.acme_listen[i].la_text,
			    cfg->cfg_listen[j].la_text) == 0)
				diag_add(&cfg->cfg_diags, DIAG_ERROR,
				    &cfg->cfg_acme.acme_listen[i].la_pos, NULL,
				    "acme listen %s is also a server listen "
				    "address; HTTP-01 needs its own port (80)",
				    cfg->cfg_acme.acme_listen[i].la_text);
	cfg_resolve(&ld);
	if (cfg->cfg_ndomains == 0 && errors_before == 0) {
		struct srcpos pos = { .sp_file = cfg->cfg_path };

		diag_add(&cfg->cfg_diags, DIAG_WARNING, &pos, NULL,
		    "no domains are configured: add them under 'domains:' "
		    "or in an included file");
	}
	diag_sort(&cfg->cfg_diags, &cfg->cfg_files);
	free(ld.ld_domains);
	free(ld.ld_dir);
	free(ld.ld_seen);
	return cfg;
}

void
config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	for (size_t i = 0; i < cfg->cfg_ndomains; i++)
		cfg_free_domain(&cfg->cfg_domains[i]);
	free(cfg->cfg_domains);
	for (size_t i = 0; i < cfg->cfg_ntemplates; i++)
		cfg_free_template(&cfg->cfg_templates[i]);
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
	for (size_t i = 0; i < cfg->cfg_ncerts; i++) {
		free(cfg->cfg_certs[i].csrc_directory);
		free(cfg->cfg_certs[i].csrc_cert);
		free(cfg->cfg_certs[i].csrc_key);
	}
	free(cfg->cfg_certs);
	free(cfg->cfg_dns.dns_host_cname);
	strvec_free(&cfg->cfg_dns.dns_host_addresses);
	strvec_free(&cfg->cfg_dns.dns_rua);
	free(cfg->cfg_dns.dns_delegation_zone);
	free(cfg->cfg_user);
	free(cfg->cfg_group);
	diag_free(&cfg->cfg_diags);
	strvec_free(&cfg->cfg_files);
	strvec_free(&cfg->cfg_includes);
	free(cfg->cfg_path);
	free(cfg);
}

static int
cfg_domain_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct domain *)elem)->dom_name);
}

static int
cfg_template_key_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct policy_template *)elem)->tpl_name);
}

struct domain *
config_domain(const struct config *cfg, const char *name)
{
	if (cfg->cfg_ndomains == 0)
		return NULL;
	return bsearch(name, cfg->cfg_domains, cfg->cfg_ndomains,
	    sizeof(*cfg->cfg_domains), cfg_domain_key_cmp);
}

struct policy_template *
config_template(const struct config *cfg, const char *name)
{
	if (cfg->cfg_ntemplates == 0)
		return NULL;
	return bsearch(name, cfg->cfg_templates, cfg->cfg_ntemplates,
	    sizeof(*cfg->cfg_templates), cfg_template_key_cmp);
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
