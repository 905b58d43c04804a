/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config.c: loading YAML into the configuration model. Every validation rule
 * is exercised with an input it accepts and one it refuses, and every
 * diagnostic is checked for what an operator reads: severity, file, line and
 * column of the offending node, the domain or template it is about, and the
 * message.
 *
 * Each case is a row of a table (struct load_case): the files to write into
 * a fresh directory, and what loading them must give. "$DIR" in a file, a
 * message or a setting stands for that directory.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include <wolfssl/options.h>
#include <wolfssl/wolfcrypt/hash.h>
#include <wolfssl/wolfcrypt/sha256.h>

#include "../../config/config.h"
#include "../../config/policy.h"
#include "unit.h"

TestSuite(config, .init = unit_setup, .fini = unit_teardown);

/* ---- Cases ------------------------------------------------------------- */

/*
 * A diagnostic a case expects: exactly one of severity `sev`, in `file` (in
 * the test directory; NULL: main.yaml) at line:col, about `subject` (NULL:
 * no domain or template), with `msg` in its message (NULL ends a list of
 * them) and not `without`. When `anywhere`, only severity and message
 * count.
 */
struct want_diag {
	enum diag_severity	 sev;
	const char		*file;
	unsigned		 line, col;
	const char		*subject;
	const char		*msg;
	const char		*without;
	bool			 anywhere;
};

#define ERR(l, c, s, m)		{ DIAG_ERROR, NULL, l, c, s, m, NULL, false }
#define WARN(l, c, s, m)	{ DIAG_WARNING, NULL, l, c, s, m, NULL, false }
#define ERR_IN(f, l, c, s, m)	{ DIAG_ERROR, f, l, c, s, m, NULL, false }
#define ERR_ANY(m)	{ DIAG_ERROR, NULL, 0, 0, NULL, m, NULL, true }
#define WARN_ANY(m)	{ DIAG_WARNING, NULL, 0, 0, NULL, m, NULL, true }

struct file_text {
	const char	*rel;		/* NULL ends the list */
	const char	*text;
};

struct want_body {
	const char	*domain;	/* NULL ends the list */
	const char	*body;
};

/*
 * The files of a case and what loading them gives: exactly `errors` errors
 * and `warnings` warnings (unless `any_count`), each of `diags`; the domains
 * in `valid` (space-separated) valid, those in `invalid` not, those in
 * `silent` with no diagnostic about them; domains serving exactly `bodies`;
 * each "key=value" of `settings` (see setting_text()); and what `check`
 * asserts.
 */
struct load_case {
	const char		*name;
	struct file_text	 files[5];	/* written before main.yaml */
	const char		*yaml;		/* main.yaml; NULL: none */
	const char		*path;		/* loaded, not main.yaml */
	size_t			 errors, warnings;
	bool			 any_count;
	struct want_diag	 diags[9];
	const char		*valid, *invalid, *silent;
	struct want_body	 bodies[5];
	const char		*settings[32];
	void			(*check)(const struct config *);
};

/* A valid domain other cases are checked not to disturb. */
#define GOOD_DOMAINS							\
	"domains:\n"							\
	"  ok.example:\n"						\
	"    mode: enforce\n"						\
	"    mx: [mx.example.net]\n"

/* A served policy body. */
#define BODY(mode, mx, max_age)						\
	"version: STSv1\r\nmode: " mode "\r\n" mx "max_age: " max_age "\r\n"
#define MX(host)	"mx: " host "\r\n"

/* ---- Diagnostics ------------------------------------------------------- */

static void
expect_counts(const struct config *cfg, size_t errors, size_t warnings)
{
	const struct diag_list *dl = &cfg->cfg_diags;

	if (dl->dl_errors != errors || dl->dl_warnings != warnings)
		cr_assert_fail("case %s: expected %zu errors and %zu warnings, "
		    "got %zu and %zu:\n%s", unit_case, errors, warnings,
		    dl->dl_errors, dl->dl_warnings, unit_diags(dl));
	cr_assert_eq(dl->dl_count, errors + warnings, CASE);
}

/* Asserts that exactly one diagnostic is as `w` says. */
static void
expect_diag(const struct config *cfg, const struct want_diag *w)
{
	char	*path = unit_path(w->file != NULL ? w->file : "main.yaml");
	char	*msg = unit_expand(w->msg);
	size_t	 n = 0;

	for (size_t i = 0; i < cfg->cfg_diags.dl_count; i++) {
		const struct diag *d = &cfg->cfg_diags.dl_items[i];

		if (d->d_severity != w->sev || strstr(d->d_msg, msg) == NULL)
			continue;
		if (w->without != NULL && strstr(d->d_msg, w->without) != NULL)
			continue;
		if (!w->anywhere && (d->d_file == NULL ||
		    strcmp(path, d->d_file) != 0 || d->d_line != w->line ||
		    d->d_col != w->col || (w->subject == NULL) !=
		    (d->d_subject == NULL) || (w->subject != NULL &&
		    strcmp(w->subject, d->d_subject) != 0)))
			continue;
		n++;
	}
	if (n != 1 && w->anywhere)
		cr_assert_fail("case %s: expected one %s containing \"%s\", "
		    "found %zu:\n%s", unit_case, w->sev == DIAG_ERROR ?
		    "error" : "warning", msg, n, unit_diags(&cfg->cfg_diags));
	if (n != 1)
		cr_assert_fail("case %s: expected one %s at %s:%u:%u about %s "
		    "saying \"%s\"%s%s, found %zu among:\n%s", unit_case,
		    w->sev == DIAG_ERROR ? "error" : "warning", path, w->line,
		    w->col, w->subject != NULL ? w->subject : "(nothing)", msg,
		    w->without != NULL ? " without " : "",
		    w->without != NULL ? w->without : "", n,
		    unit_diags(&cfg->cfg_diags));
	free(msg);
	free(path);
}

static size_t
diags_about(const struct config *cfg, const char *subject)
{
	size_t n = 0;

	for (size_t i = 0; i < cfg->cfg_diags.dl_count; i++) {
		const char *s = cfg->cfg_diags.dl_items[i].d_subject;

		n += s != NULL && strcmp(s, subject) == 0;
	}
	return n;
}

/* ---- Model ------------------------------------------------------------- */

static struct domain *
dom(const struct config *cfg, const char *name)
{
	struct domain *d = config_domain(cfg, name);

	cr_assert_not_null(d, "case %s: domain %s is not in the configuration",
	    unit_case, name);
	cr_assert_str_eq(d->dom_name, name, CASE);
	return d;
}

static struct policy_template *
tpl(const struct config *cfg, const char *name)
{
	struct policy_template *t = config_template(cfg, name);

	cr_assert_not_null(t, "case %s: template %s is not in the "
	    "configuration", unit_case, name);
	return t;
}

static void
expect_valid(const struct config *cfg, const char *name)
{
	const struct domain *d = dom(cfg, name);

	if (!d->dom_valid)
		cr_assert_fail("case %s: %s is not valid:\n%s", unit_case, name,
		    unit_diags(&cfg->cfg_diags));
	cr_assert_not_null(d->dom_body, CASE);
	cr_assert_eq(strlen(d->dom_id), POLICY_ID_LEN, CASE);
}

static void
expect_invalid(const struct config *cfg, const char *name)
{
	cr_assert_not(dom(cfg, name)->dom_valid, "case %s: %s is valid",
	    unit_case, name);
}

static void
expect_silent(const struct config *cfg, const char *name)
{
	cr_assert_eq(diags_about(cfg, name), 0, "case %s: diagnostics about %s",
	    unit_case, name);
}

static void
expect_body(const struct config *cfg, const char *name, const char *body)
{
	const struct domain *d = dom(cfg, name);

	expect_valid(cfg, name);
	cr_assert_str_eq(d->dom_body, body, "case %s: %s serves\n%s", unit_case,
	    name, d->dom_body);
	cr_assert_eq(d->dom_body_len, strlen(body), CASE);
}

/* Calls `fn` with each word of the space-separated `list`. */
static void
each_word(const struct config *cfg, const char *list,
    void (*fn)(const struct config *, const char *))
{
	char *copy, *save = NULL;

	if (list == NULL)
		return;
	copy = strdup(list);
	cr_assert_not_null(copy);
	for (char *w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		fn(cfg, w);
	free(copy);
}

/* ---- Settings ---------------------------------------------------------- */

/*
 * What a setting holds, as text: lists space-separated, NULL as "(none)",
 * positions as file:line:column.
 */
enum kind {
	K_STR,		/* char * */
	K_UINT,		/* unsigned */
	K_U32,		/* uint32_t */
	K_BOOL,		/* bool: true, false */
	K_LIST,		/* struct strvec */
	K_COUNT,	/* struct strvec: its length */
	K_MODE,		/* enum policy_mode: enforce, testing, none */
	K_LOG,		/* enum log_target: stderr, syslog */
	K_LEVEL,	/* enum log_level: error, warning, info, debug */
	K_POS,		/* struct srcpos */
	K_LISTEN,	/* struct listen_addr * and its count at `off_n` */
	K_CERTS,	/* struct cert_source * and its count at `off_n` */
};

struct field {
	const char	*name;
	enum kind	 kind;
	size_t		 off, off_n;
};

#define CFG(name, kind, m)	{ name, kind, offsetof(struct config, m), 0 }
#define CFGN(name, kind, m, n)						\
	{ name, kind, offsetof(struct config, m), offsetof(struct config, n) }
#define DOM(name, kind, m)	{ name, kind, offsetof(struct domain, m), 0 }
#define TPL(name, kind, m)						\
	{ name, kind, offsetof(struct policy_template, m), 0 }

/* Named after the YAML keys that set them. */
static const struct field config_fields[] = {
	CFG("path", K_STR, cfg_path),
	CFG("files", K_COUNT, cfg_files),
	CFGN("server.listen", K_LISTEN, cfg_listen, cfg_nlisten),
	CFG("server.user", K_STR, cfg_user),
	CFG("server.group", K_STR, cfg_group),
	CFG("server.workers", K_UINT, cfg_workers),
	CFG("server.log", K_LOG, cfg_log_target),
	CFG("server.log_level", K_LEVEL, cfg_log_level),
	CFG("server.access_log", K_BOOL, cfg_access_log),
	CFG("server.seccomp", K_BOOL, cfg_seccomp),
	CFG("limits.max_connections", K_UINT,
	    cfg_limits.lim_max_connections),
	CFG("limits.max_connections_per_address", K_UINT,
	    cfg_limits.lim_max_connections_per_address),
	CFG("limits.handshake_timeout", K_UINT,
	    cfg_limits.lim_handshake_timeout),
	CFG("limits.idle_timeout", K_UINT, cfg_limits.lim_idle_timeout),
	CFG("limits.request_timeout", K_UINT, cfg_limits.lim_request_timeout),
	CFG("limits.max_requests_per_connection", K_UINT,
	    cfg_limits.lim_max_requests_per_connection),
	CFGN("certificates", K_CERTS, cfg_certs, cfg_ncerts),
	CFG("dns.ttl.policy_id", K_U32, cfg_dns.dns_ttl_policy_id),
	CFG("dns.ttl.tlsrpt", K_U32, cfg_dns.dns_ttl_tlsrpt),
	CFG("dns.ttl.policy_host", K_U32, cfg_dns.dns_ttl_policy_host),
	CFG("dns.policy_host.cname", K_STR, cfg_dns.dns_host_cname),
	CFG("dns.policy_host.addresses", K_LIST, cfg_dns.dns_host_addresses),
	CFG("dns.tlsrpt.rua", K_LIST, cfg_dns.dns_rua),
	CFG("dns.delegation.zone", K_STR, cfg_dns.dns_delegation_zone),
	CFGN("acme.listen", K_LISTEN, cfg_acme.acme_listen,
	    cfg_acme.acme_nlisten),
	CFG("acme.webroot", K_STR, cfg_acme.acme_webroot),
	{ NULL, K_STR, 0, 0 }
};

/* domains[NAME].FIELD; and domains[NAME].delegation_key. */
static const struct field domain_fields[] = {
	DOM("pos", K_POS, dom_pos),
	DOM("template", K_STR, dom_template),
	DOM("overrides", K_BOOL, dom_overrides),
	DOM("mode", K_MODE, dom_policy.pol_mode),
	DOM("mx", K_LIST, dom_policy.pol_mx),
	DOM("max_age", K_U32, dom_policy.pol_max_age),
	DOM("zone", K_STR, dom_zone),
	DOM("rua", K_LIST, dom_rua),
	DOM("delegate", K_BOOL, dom_delegate),
	{ NULL, K_STR, 0, 0 }
};

/* policies[NAME].FIELD */
static const struct field template_fields[] = {
	TPL("pos", K_POS, tpl_pos),
	TPL("mode", K_MODE, tpl_policy.pol_mode),
	TPL("mx", K_LIST, tpl_policy.pol_mx),
	TPL("max_age", K_U32, tpl_policy.pol_max_age),
	TPL("valid", K_BOOL, tpl_valid),
	{ NULL, K_STR, 0, 0 }
};

/* The names of enum values, written here, not taken from the code. */
static const char *
enum_name(int v, const char *const *names, int n)
{
	return v >= 0 && v < n ? names[v] : "(out of range)";
}

static void
put_field(FILE *fp, const char *base, const struct field *f)
{
	static const char *const modes[] = { "enforce", "testing", "none" };
	static const char *const logs[] = { "stderr", "syslog" };
	static const char *const levels[] = { "error", "warning", "info",
	    "debug" };
	const char		*p = base + f->off;
	const struct strvec	*sv = (const struct strvec *)p;
	size_t			 n = f->off_n != 0 ?
	    *(const size_t *)(base + f->off_n) : 0;

	switch (f->kind) {
	case K_STR:
		fputs(*(char *const *)p != NULL ? *(char *const *)p : "(none)",
		    fp);
		break;
	case K_UINT:
		fprintf(fp, "%u", *(const unsigned *)p);
		break;
	case K_U32:
		fprintf(fp, "%" PRIu32, *(const uint32_t *)p);
		break;
	case K_BOOL:
		fputs(*(const bool *)p ? "true" : "false", fp);
		break;
	case K_LIST:
		for (size_t i = 0; i < sv->sv_count; i++)
			fprintf(fp, "%s%s", i > 0 ? " " : "", sv->sv_items[i]);
		break;
	case K_COUNT:
		fprintf(fp, "%zu", sv->sv_count);
		break;
	case K_MODE:
		fputs(enum_name((int)*(const enum policy_mode *)p, modes, 3),
		    fp);
		break;
	case K_LOG:
		fputs(enum_name((int)*(const enum log_target *)p, logs, 2), fp);
		break;
	case K_LEVEL:
		fputs(enum_name((int)*(const enum log_level *)p, levels, 4),
		    fp);
		break;
	case K_POS: {
		const struct srcpos *sp = (const struct srcpos *)p;

		fprintf(fp, "%s:%u:%u", sp->sp_file != NULL ? sp->sp_file :
		    "(none)", sp->sp_line, sp->sp_col);
		break;
	}
	case K_LISTEN:
		for (size_t i = 0; i < n; i++)
			fprintf(fp, "%s%s", i > 0 ? " " : "",
			    (*(struct listen_addr *const *)p)[i].la_text);
		break;
	case K_CERTS:
		/* "dir PATH" or "pair CERT KEY", separated by "; ". */
		for (size_t i = 0; i < n; i++) {
			const struct cert_source *cs =
			    &(*(struct cert_source *const *)p)[i];

			fputs(i > 0 ? "; " : "", fp);
			if (cs->csrc_directory != NULL && cs->csrc_cert == NULL &&
			    cs->csrc_key == NULL)
				fprintf(fp, "dir %s", cs->csrc_directory);
			else if (cs->csrc_directory == NULL &&
			    cs->csrc_cert != NULL && cs->csrc_key != NULL)
				fprintf(fp, "pair %s %s", cs->csrc_cert,
				    cs->csrc_key);
			else
				fputs("(a source that is neither)", fp);
		}
		break;
	}
}

static const struct field *
field_named(const struct field *fields, const char *name)
{
	for (; fields->name != NULL; fields++)
		if (strcmp(fields->name, name) == 0)
			return fields;
	cr_assert_fail("case %s: no setting '%s'", unit_case, name);
	return NULL;
}

/* The name between "domains[" or "policies[" and "].", and what follows. */
static char *
bracketed(const char *key, const char **rest)
{
	const char	*open = strchr(key, '['), *close = strstr(key, "].");
	char		*name;

	cr_assert(open != NULL && close != NULL && close > open,
	    "case %s: setting '%s' is not NAME[...].FIELD", unit_case, key);
	name = strndup(open + 1, (size_t)(close - open - 1));
	cr_assert_not_null(name);
	*rest = close + 2;
	return name;
}

/*
 * The value of setting `key` as text, caller frees: a field of the
 * configuration, of domains[NAME] or of policies[NAME], named in the tables
 * above; "domains" and "templates", the names defined, in order;
 * "valid_domains", how many can be served.
 */
static char *
setting_text(const struct config *cfg, const char *key)
{
	struct unit_text	 t;
	FILE			*fp = unit_text_open(&t);
	const char		*field;
	char			*name;

	if (strcmp(key, "domains") == 0)
		for (size_t i = 0; i < cfg->cfg_ndomains; i++)
			fprintf(fp, "%s%s", i > 0 ? " " : "",
			    cfg->cfg_domains[i].dom_name);
	else if (strcmp(key, "templates") == 0)
		for (size_t i = 0; i < cfg->cfg_ntemplates; i++)
			fprintf(fp, "%s%s", i > 0 ? " " : "",
			    cfg->cfg_templates[i].tpl_name);
	else if (strcmp(key, "valid_domains") == 0)
		fprintf(fp, "%zu", config_valid_domains(cfg));
	else if (strncmp(key, "domains[", 8) == 0) {
		const struct domain *d;

		name = bracketed(key, &field);
		d = dom(cfg, name);
		if (strcmp(field, "delegation_key") == 0)
			fputs(config_delegation_key(d), fp);
		else
			put_field(fp, (const char *)d,
			    field_named(domain_fields, field));
		free(name);
	} else if (strncmp(key, "policies[", 9) == 0) {
		name = bracketed(key, &field);
		put_field(fp, (const char *)tpl(cfg, name),
		    field_named(template_fields, field));
		free(name);
	} else
		put_field(fp, (const char *)cfg, field_named(config_fields,
		    key));
	return unit_text_close(&t);
}

/* `setting` is "key=value", value with $DIR. */
static void
expect_setting(const struct config *cfg, const char *setting)
{
	const char	*eq = strchr(setting, '=');
	char		*key, *want, *got;

	cr_assert_not_null(eq, "case %s: '%s' is not key=value", unit_case,
	    setting);
	key = strndup(setting, (size_t)(eq - setting));
	cr_assert_not_null(key);
	want = unit_expand(eq + 1);
	got = setting_text(cfg, key);
	cr_assert_str_eq(got, want, "case %s: %s is '%s', expected '%s'",
	    unit_case, key, got, want);
	free(got);
	free(want);
	free(key);
}

/* ---- Running cases ----------------------------------------------------- */

/* Loads the case's files in a fresh directory and checks the result. */
static void
run_case(const struct load_case *c)
{
	struct config *cfg;

	unit_case = c->name;
	unit_fresh_dir();
	for (size_t i = 0; i < UNIT_COUNT(c->files) &&
	    c->files[i].rel != NULL; i++)
		unit_write(c->files[i].rel, c->files[i].text);
	if (c->yaml != NULL)
		unit_write("main.yaml", c->yaml);
	cfg = unit_load(c->path != NULL ? c->path : "main.yaml");
	if (!c->any_count)
		expect_counts(cfg, c->errors, c->warnings);
	for (size_t i = 0; i < UNIT_COUNT(c->diags) &&
	    c->diags[i].msg != NULL; i++)
		expect_diag(cfg, &c->diags[i]);
	each_word(cfg, c->valid, expect_valid);
	each_word(cfg, c->invalid, expect_invalid);
	each_word(cfg, c->silent, expect_silent);
	for (size_t i = 0; i < UNIT_COUNT(c->bodies) &&
	    c->bodies[i].domain != NULL; i++)
		expect_body(cfg, c->bodies[i].domain, c->bodies[i].body);
	UNIT_EACH(setting, c->settings)
		expect_setting(cfg, *setting);
	if (c->check != NULL)
		c->check(cfg);
	config_free(cfg);
	unit_case_end();
}

static void
run_cases(const struct load_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++)
		run_case(&cases[i]);
}

#define RUN_CASES(cases)	run_cases(cases, UNIT_COUNT(cases))

/* ---- Unknown and duplicate keys, YAML ---------------------------------- */

static const struct load_case key_cases[] = {
	/* Unknown keys are errors at every level. */
	{ .name = "an unknown key in the configuration",
	  .yaml = "bogus: 1\n" GOOD_DOMAINS, .errors = 1,
	  .diags = { ERR(1, 1, NULL, "unknown key 'bogus' in the "
	      "configuration; expected one of: server, limits, certificates, "
	      "dns, acme, metrics, policies, domains, include") },
	  .valid = "ok.example" },
	{ .name = "an unknown key in server",
	  .yaml = "server:\n  listne: \"0.0.0.0:443\"\n" GOOD_DOMAINS,
	  .errors = 1,
	  .diags = { ERR(2, 3, NULL, "unknown key 'listne' in server; "
	      "expected one of: listen, user, group, workers, log, log_level, "
	      "access_log, seccomp") },
	  .valid = "ok.example" },
	{ .name = "an unknown key in acme",
	  .yaml = "acme:\n  webrot: /srv\n" GOOD_DOMAINS, .errors = 1,
	  .diags = { ERR(2, 3, NULL, "unknown key 'webrot' in acme; "
	      "expected one of: listen, webroot") },
	  .valid = "ok.example" },
	{ .name = "an unknown key in limits",
	  .yaml = "limits:\n  max_conections: 5\n" GOOD_DOMAINS, .errors = 1,
	  .diags = { ERR(2, 3, NULL, "unknown key 'max_conections' in "
	      "limits") },
	  .valid = "ok.example" },
	{ .name = "an unknown key in a certificate source",
	  .yaml = "certificates:\n  - directory: /etc/certs\n    dir: /x\n"
	  GOOD_DOMAINS, .errors = 1,
	  .diags = { ERR(3, 5, NULL, "unknown key 'dir' in a certificate "
	      "source") },
	  .valid = "ok.example" },
	{ .name = "an unknown key in dns",
	  .yaml = "dns:\n  ttls: {}\n" GOOD_DOMAINS, .errors = 1,
	  .diags = { ERR(2, 3, NULL, "unknown key 'ttls' in dns") },
	  .valid = "ok.example" },
	{ .name = "an unknown key in dns ttl",
	  .yaml = "dns:\n  ttl:\n    policyid: 5\n" GOOD_DOMAINS, .errors = 1,
	  .diags = { ERR(3, 5, NULL, "unknown key 'policyid' in dns ttl") },
	  .valid = "ok.example" },
	{ .name = "an unknown key in policy_host",
	  .yaml = "dns:\n  policy_host:\n    name: mta-sts.hoster.example\n"
	  GOOD_DOMAINS, .errors = 1,
	  .diags = { ERR(3, 5, NULL, "unknown key 'name' in policy_host") },
	  .valid = "ok.example" },
	{ .name = "an unknown key in dns tlsrpt",
	  .yaml = "dns:\n  tlsrpt:\n    ruf: [mailto:a@example.net]\n"
	  GOOD_DOMAINS, .errors = 1,
	  .diags = { ERR(3, 5, NULL, "unknown key 'ruf' in tlsrpt") },
	  .valid = "ok.example" },
	{ .name = "an unknown key in delegation",
	  .yaml = "dns:\n  delegation:\n    zones: policies.example.net\n"
	  GOOD_DOMAINS, .errors = 1,
	  .diags = { ERR(3, 5, NULL, "unknown key 'zones' in delegation") },
	  .valid = "ok.example" },
	{ .name = "an unknown key in a policy template",
	  .yaml = "policies:\n  t:\n    mode: none\n    mx: [mx.example.net]\n"
	  "    maxage: 86400\n" GOOD_DOMAINS, .errors = 1,
	  .diags = { ERR(5, 5, "policy 't'", "unknown key 'maxage' in a "
	      "policy template") },
	  .valid = "ok.example" },
	{ .name = "an unknown key in a domain",
	  .yaml = "domains:\n  bad.example:\n    mode: none\n"
	  "    mx: [mx.example.net]\n    zonee: bad.example\n"
	  "  ok.example:\n    mode: enforce\n    mx: [mx.example.net]\n",
	  .errors = 1,
	  .diags = { ERR(5, 5, "bad.example", "unknown key 'zonee' in a "
	      "domain") },
	  .valid = "ok.example", .invalid = "bad.example" },
	{ .name = "an unknown key in a domain's tlsrpt",
	  .yaml = "domains:\n  bad.example:\n    mode: none\n"
	  "    mx: [mx.example.net]\n    tlsrpt:\n      rue: []\n"
	  "  ok.example:\n    mode: enforce\n    mx: [mx.example.net]\n",
	  .errors = 1,
	  .diags = { ERR(6, 7, "bad.example", "unknown key 'rue' in tlsrpt") },
	  .valid = "ok.example", .invalid = "bad.example" },

	/* Every documented key is accepted. */
	{ .name = "every documented key",
	  .files = { { "domains.d/c.yaml",
	      "policies:\n"
	      "  other:\n"
	      "    mode: testing\n"
	      "    mx: [mx.other.example]\n"
	      "domains:\n"
	      "  c.example: other\n" } },
	  .yaml =
	  "server:\n"
	  "  listen: [\"192.0.2.1:443\", \"[2001:db8::1]:8443\"]\n"
	  "  user: www-data\n"
	  "  group: www-data\n"
	  "  workers: 4\n"
	  "  log: syslog\n"
	  "  log_level: debug\n"
	  "limits:\n"
	  "  max_connections: 500\n"
	  "  max_connections_per_address: 10\n"
	  "  handshake_timeout: 5\n"
	  "  idle_timeout: 60\n"
	  "  max_requests_per_connection: 20\n"
	  "certificates:\n"
	  "  - directory: certs\n"
	  "  - cert: /etc/ssl/a.pem\n"
	  "    key: /etc/ssl/a.key\n"
	  "dns:\n"
	  "  ttl:\n"
	  "    policy_id: 60\n"
	  "    tlsrpt: 7200\n"
	  "    policy_host: 86400\n"
	  "  policy_host:\n"
	  "    cname: mta-sts.hoster.example\n"
	  "  tlsrpt:\n"
	  "    rua: [mailto:tlsrpt@hoster.example]\n"
	  "  delegation:\n"
	  "    zone: policies.hoster.example\n"
	  "policies:\n"
	  "  std:\n"
	  "    mode: enforce\n"
	  "    mx: [mx1.hoster.example, \"*.mx.hoster.example\"]\n"
	  "    max_age: 1209600\n"
	  "domains:\n"
	  "  a.example: std\n"
	  "  b.example:\n"
	  "    policy: std\n"
	  "    mode: testing\n"
	  "    mx: [mx.b.example]\n"
	  "    max_age: 86400\n"
	  "    tlsrpt:\n"
	  "      rua: [https://reports.b.example/x]\n"
	  "    zone: b.example\n"
	  "    delegate: false\n"
	  "include: [domains.d/*.yaml]\n",
	  .bodies = {
	      { "a.example", BODY("enforce", MX("mx1.hoster.example")
		  MX("*.mx.hoster.example"), "1209600") },
	      { "b.example", BODY("testing", MX("mx.b.example"), "86400") },
	      { "c.example", BODY("testing", MX("mx.other.example"),
		  "604800") } },
	  .settings = {
	      "server.listen=192.0.2.1:443 [2001:db8::1]:8443",
	      "server.user=www-data", "server.group=www-data",
	      "server.workers=4", "server.log=syslog",
	      "server.log_level=debug",
	      "limits.max_connections=500",
	      "limits.max_connections_per_address=10",
	      "limits.handshake_timeout=5", "limits.idle_timeout=60",
	      "limits.max_requests_per_connection=20",
	      "certificates=dir $DIR/certs; pair /etc/ssl/a.pem /etc/ssl/a.key",
	      "dns.ttl.policy_id=60", "dns.ttl.tlsrpt=7200",
	      "dns.ttl.policy_host=86400",
	      "dns.policy_host.cname=mta-sts.hoster.example",
	      "dns.tlsrpt.rua=mailto:tlsrpt@hoster.example",
	      "dns.delegation.zone=policies.hoster.example",
	      "domains=a.example b.example c.example", "valid_domains=3",
	      "templates=other std",
	      "domains[a.example].delegate=true",
	      "domains[a.example].rua=mailto:tlsrpt@hoster.example",
	      "domains[b.example].delegate=false",
	      "domains[b.example].zone=b.example",
	      "domains[b.example].rua=https://reports.b.example/x" } },

	/* A duplicate key is an error, and the first value stays. */
	{ .name = "a duplicate key in server",
	  .yaml = "server:\n  user: alice\n  user: bob\n" GOOD_DOMAINS,
	  .errors = 1,
	  .diags = { ERR(3, 3, NULL, "duplicate key 'user' in server (first "
	      "at line 2)") },
	  .settings = { "server.user=alice" } },
	{ .name = "a duplicate section",
	  .yaml = "limits:\n  idle_timeout: 5\nlimits:\n  idle_timeout: 6\n"
	  GOOD_DOMAINS, .errors = 1,
	  .diags = { ERR(3, 1, NULL, "duplicate key 'limits' in the "
	      "configuration (first at line 1)") },
	  .valid = "ok.example", .settings = { "limits.idle_timeout=5" } },
	{ .name = "a duplicate key in a domain",
	  .yaml =
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: none\n"
	  "    mx: [mx.example.net]\n"
	  "    mode: testing\n"
	  "  ok.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n",
	  .errors = 1,
	  .diags = { ERR(5, 5, "a.example", "duplicate key 'mode' in a domain "
	      "(first at line 3)") },
	  .valid = "ok.example", .invalid = "a.example" },
	{ .name = "a duplicate key in a policy template",
	  .yaml =
	  "policies:\n"
	  "  t:\n"
	  "    mode: none\n"
	  "    mx: [mx.example.net]\n"
	  "    mx: [mx2.example.net]\n"
	  GOOD_DOMAINS,
	  .errors = 1,
	  .diags = { ERR(5, 5, "policy 't'", "duplicate key 'mx' in a policy "
	      "template (first at line 4)") },
	  .settings = { "policies[t].valid=false" } },

	/* A YAML syntax error has its position. */
	{ .name = "a YAML syntax error",
	  .yaml =
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: none\n"
	  "   mx: [mx.example.net]\n",
	  .errors = 1,
	  .diags = { ERR(4, 4, NULL, "YAML syntax: did not find expected "
	      "key") },
	  .settings = { "domains=" } },
	/* A tab cannot indent YAML. */
	{ .name = "a tab",
	  .yaml = "domains:\n\ta.example: t\n", .errors = 1,
	  .diags = { ERR(2, 1, NULL, "found character that cannot start any "
	      "token") } },
	{ .name = "an unterminated quoted scalar",
	  .yaml = GOOD_DOMAINS "  b.example: \"unterminated\n", .errors = 1,
	  .diags = { ERR(6, 1, NULL, "while scanning a quoted scalar") } },

	/* Aliases are refused, anchors alone are harmless. */
	{ .name = "an alias",
	  .yaml =
	  "policies:\n"
	  "  p: &shared\n"
	  "    mode: none\n"
	  "    mx: [mx.example.net]\n"
	  "  q: *shared\n"
	  GOOD_DOMAINS,
	  .errors = 1,
	  .diags = { ERR(5, 6, NULL, "YAML aliases (*shared) are not "
	      "supported") },
	  .settings = { "domains=" } },
	{ .name = "an anchor",
	  .yaml =
	  "policies:\n"
	  "  p: &shared\n"
	  "    mode: none\n"
	  "    mx: [mx.example.net]\n"
	  GOOD_DOMAINS,
	  .settings = { "policies[p].valid=true" } },

	/* One YAML document per file. */
	{ .name = "a second YAML document",
	  .yaml = GOOD_DOMAINS "---\nserver: {}\n", .errors = 1,
	  .diags = { ERR(5, 1, NULL, "a second YAML document") },
	  .settings = { "domains=" } },
	/* Explicit start and end markers around one document are fine. */
	{ .name = "document markers",
	  .yaml = "---\n" GOOD_DOMAINS "...\n", .valid = "ok.example" },
};

TEST_NO_LEAK(config, keys_and_yaml)
{
	RUN_CASES(key_cases);
}

/* ---- Policies ---------------------------------------------------------- */

/* One inline domain in `mode`. */
#define MODE_DOMAIN(mode)						\
	"domains:\n  a.example:\n    mode: " mode "\n"			\
	"    mx: [mx.example.net]\n"

static void
same_id_a_b(const struct config *cfg)
{
	/* The same bytes, so the same id. */
	cr_assert_str_eq(dom(cfg, "a.example")->dom_id,
	    dom(cfg, "b.example")->dom_id, CASE);
}

static const struct load_case policy_cases[] = {
	/* Mode values are case-sensitive. */
	{ .name = "mode enforce", .yaml = MODE_DOMAIN("enforce"),
	  .bodies = { { "a.example", BODY("enforce", MX("mx.example.net"),
	      "604800") } },
	  .settings = { "domains[a.example].mode=enforce" } },
	{ .name = "mode testing", .yaml = MODE_DOMAIN("testing"),
	  .bodies = { { "a.example", BODY("testing", MX("mx.example.net"),
	      "604800") } },
	  .settings = { "domains[a.example].mode=testing" } },
	{ .name = "mode none", .yaml = MODE_DOMAIN("none"),
	  .bodies = { { "a.example", BODY("none", MX("mx.example.net"),
	      "604800") } },
	  .settings = { "domains[a.example].mode=none" } },
	{ .name = "mode Enforce",
	  .yaml =
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: Enforce\n"
	  "    mx: [mx.example.net]\n"
	  "  ok.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n",
	  .errors = 1,
	  .diags = { ERR(3, 11, "a.example", "mode 'Enforce' is not one of "
	      "enforce, testing, none") },
	  .valid = "ok.example", .invalid = "a.example" },
	{ .name = "mode TESTING in a template",
	  .yaml =
	  "policies:\n"
	  "  t:\n"
	  "    mode: TESTING\n"
	  "    mx: [mx.example.net]\n"
	  GOOD_DOMAINS,
	  .errors = 1,
	  .diags = { ERR(3, 11, "policy 't'", "mode 'TESTING' is not one "
	      "of") },
	  .settings = { "policies[t].valid=false" } },
	{ .name = "an empty mode",
	  .yaml = "domains:\n  a.example:\n    mode:\n"
	  "    mx: [mx.example.net]\n",
	  .errors = 1,
	  .diags = { ERR_ANY("mode must be a single value, not an empty "
	      "value") },
	  .invalid = "a.example" },

	/* max_age above one year is an error. */
	{ .name = "max_age a second above a year",
	  .yaml =
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: testing\n"
	  "    mx: [mx.example.net]\n"
	  "    max_age: 31557601\n"
	  "  b.example:\n"
	  "    mode: testing\n"
	  "    mx: [mx.example.net]\n"
	  "    max_age: 31557600\n",
	  .errors = 1,
	  .diags = { ERR(5, 14, "a.example", "max_age is 31557601; it must be "
	      "from 0 to 31557600") },
	  .invalid = "a.example",
	  .bodies = { { "b.example", BODY("testing", MX("mx.example.net"),
	      "31557600") } } },
	{ .name = "max_age not a whole number",
	  .yaml =
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: testing\n"
	  "    mx: [mx.example.net]\n"
	  "    max_age: 1w\n"
	  "  b.example:\n"
	  "    mode: testing\n"
	  "    mx: [mx.example.net]\n"
	  "    max_age: -1\n",
	  .errors = 2,
	  .diags = {
	      ERR(5, 14, "a.example", "max_age must be a whole number, not "
		  "'1w'"),
	      ERR(9, 14, "b.example", "max_age must be a whole number, not "
		  "'-1'") } },

	/* max_age below a day is a warning; a warning does not stop the
	 * domain from being served. */
	{ .name = "max_age a second below a day",
	  .yaml =
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: testing\n"
	  "    mx: [mx.example.net]\n"
	  "    max_age: 86399\n"
	  "  b.example:\n"
	  "    mode: testing\n"
	  "    mx: [mx.example.net]\n"
	  "    max_age: 86400\n",
	  .warnings = 1,
	  .diags = { WARN(5, 14, "a.example", "max_age 86399 is less than a "
	      "day (86400)") },
	  .valid = "a.example b.example" },
	/* In enforce mode, only the stronger of the two warnings. */
	{ .name = "max_age below a day in enforce mode",
	  .yaml =
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    max_age: 3600\n",
	  .warnings = 1,
	  .diags = { { DIAG_WARNING, NULL, 5, 14, "a.example",
	      "max_age 3600 is less than a day", "enforce", false } } },

	/* Enforce below a week is a warning. */
	{ .name = "enforce a second below a week",
	  .yaml =
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    max_age: 604799\n"
	  "  b.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    max_age: 604800\n"
	  "  c.example:\n"
	  "    mode: testing\n"
	  "    mx: [mx.example.net]\n"
	  "    max_age: 86400\n",
	  .warnings = 1,
	  .diags = { WARN(5, 14, "a.example", "max_age 604799 in enforce mode "
	      "is less than a week (604800)") },
	  .valid = "a.example" },

	/* max_age warnings on templates are given once. */
	{ .name = "a short max_age in a template used thrice",
	  .yaml =
	  "policies:\n"
	  "  short:\n"
	  "    mode: testing\n"
	  "    mx: [mx.example.net]\n"
	  "    max_age: 3600\n"
	  "domains:\n"
	  "  a.example: short\n"
	  "  b.example: short\n"
	  "  c.example:\n"
	  "    policy: short\n"
	  "    mx: [mx.c.example]\n",
	  .warnings = 1,
	  .diags = { WARN(5, 14, "policy 'short'", "max_age 3600 is less than "
	      "a day") },
	  .valid = "a.example c.example" },
	/* A domain that switches a short-lived template to enforce is told,
	 * at the domain since it set no max_age of its own. */
	{ .name = "a domain turns a day-long template to enforce",
	  .yaml =
	  "policies:\n"
	  "  t:\n"
	  "    mode: testing\n"
	  "    mx: [mx.example.net]\n"
	  "    max_age: 86400\n"
	  "domains:\n"
	  "  a.example:\n"
	  "    policy: t\n"
	  "    mode: enforce\n",
	  .warnings = 1,
	  .diags = { WARN(7, 3, "a.example", "max_age 86400 in enforce mode "
	      "is less than a week") } },

	/* max_age defaults to a week. */
	{ .name = "the default max_age",
	  .yaml =
	  "policies:\n"
	  "  t:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "  b.example: t\n",
	  .bodies = {
	      { "a.example", BODY("enforce", MX("mx.example.net"), "604800") },
	      { "b.example", BODY("enforce", MX("mx.example.net"),
		  "604800") } },
	  .settings = { "policies[t].max_age=604800",
	      "domains[a.example].max_age=604800" },
	  .check = same_id_a_b },

	/* mx is required, even with mode none. */
	{ .name = "a domain without mx",
	  .yaml =
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: none\n"
	  "  ok.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n",
	  .errors = 1,
	  .diags = { ERR(2, 3, "a.example", "no 'mx': every policy needs at "
	      "least one mx pattern, even with mode none") },
	  .valid = "ok.example", .invalid = "a.example" },
	{ .name = "a template without mx",
	  .yaml =
	  "policies:\n"
	  "  t:\n"
	  "    mode: none\n"
	  GOOD_DOMAINS,
	  .errors = 1,
	  .diags = { ERR(2, 3, "policy 't'", "the template has no 'mx'") },
	  .settings = { "policies[t].valid=false" } },
	{ .name = "an empty mx list",
	  .yaml =
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: none\n"
	  "    mx: []\n",
	  .errors = 1,
	  .diags = { ERR(4, 9, "a.example", "mx must list at least one "
	      "pattern") },
	  .invalid = "a.example" },
	/* A single pattern may be written without a list. */
	{ .name = "one mx without a list",
	  .yaml =
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: none\n"
	  "    mx: MX.Example.NET\n",
	  .bodies = { { "a.example", BODY("none", MX("mx.example.net"),
	      "604800") } } },

	/* A template needs a mode. */
	{ .name = "a template without a mode",
	  .yaml =
	  "policies:\n"
	  "  t:\n"
	  "    mx: [mx.example.net]\n"
	  GOOD_DOMAINS,
	  .errors = 1,
	  .diags = { ERR(2, 3, "policy 't'", "the template has no 'mode'") },
	  .settings = { "policies[t].valid=false" } },

	/* mx patterns are validated and normalised. */
	{ .name = "mx patterns",
	  .yaml =
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net, mx_2.example.net]\n"
	  "  b.example:\n"
	  "    mode: enforce\n"
	  "    mx: [\"*.Example.NET\", MX.bücher.example]\n",
	  .errors = 1,
	  .diags = { ERR(4, 26, "a.example", "mx: 'mx_2.example.net' contains "
	      "'_'") },
	  .invalid = "a.example",
	  .bodies = { { "b.example", BODY("enforce", MX("*.example.net")
	      MX("mx.xn--bcher-kva.example"), "604800") } } },

	/* A duplicate mx pattern is an error; a host and a wildcard covering
	 * it are different patterns. */
	{ .name = "a duplicate mx pattern",
	  .yaml =
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net, MX.Example.net]\n"
	  "  b.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net, \"*.example.net\"]\n",
	  .errors = 1,
	  .diags = { ERR(4, 26, "a.example", "mx 'mx.example.net' is listed "
	      "twice") },
	  .valid = "b.example", .invalid = "a.example" },

	/* An inline domain needs a mode. */
	{ .name = "inline domains without a mode",
	  .yaml =
	  "domains:\n"
	  "  a.example:\n"
	  "    mx: [mx.example.net]\n"
	  "    max_age: 86400\n"
	  "  b.example: {}\n"
	  "  c.example:\n"
	  "  ok.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n",
	  .errors = 3,
	  .diags = {
	      ERR(2, 3, "a.example", "no policy: name a template with "
		  "'policy:', or set 'mode'"),
	      ERR(5, 3, "b.example", "no policy: name a template with "
		  "'policy:', or set 'mode'"),
	      ERR(6, 13, "c.example", "a domain needs a policy") },
	  .valid = "ok.example", .invalid = "a.example b.example c.example" },
};

TEST_NO_LEAK(config, policies)
{
	RUN_CASES(policy_cases);
}

/* ---- Templates --------------------------------------------------------- */

/* The template's own policy, served as it is, with its id. */
static void
shorthand_serves_the_template(const struct config *cfg)
{
	struct policy_template	*t = tpl(cfg, "hoster-mx");
	char			*body, id[POLICY_ID_LEN + 1];
	size_t			 len;

	body = policy_render(&t->tpl_policy, &len);
	policy_id(body, len, id);
	for (int i = 0; i < 2; i++) {
		struct domain *d = dom(cfg, i == 0 ? "a.example" : "b.example");

		expect_body(cfg, d->dom_name, body);
		cr_assert_str_eq(d->dom_id, id, CASE);
	}
	free(body);
}

/* Each overriding domain has its own bytes, so its own id. */
static void
overrides_have_their_own_id(const struct config *cfg)
{
	static const char *const names[] = { "m.example", "x.example",
	    "g.example", "all.example" };

	for (int i = 0; i < 4; i++)
		cr_assert_str_neq(dom(cfg, names[i])->dom_id,
		    dom(cfg, "plain.example")->dom_id, "case %s: %s", unit_case,
		    names[i]);
}

static const struct load_case template_cases[] = {
	/* A reference to an undefined template. */
	{ .name = "undefined templates",
	  .yaml =
	  "policies:\n"
	  "  std:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "domains:\n"
	  "  a.example: nope\n"
	  "  b.example:\n"
	  "    policy: missing\n"
	  "    mode: testing\n"
	  "  c.example: std\n",
	  .errors = 2,
	  .diags = {
	      ERR(6, 14, "a.example", "policy template 'nope' is not defined "
		  "under 'policies:'"),
	      ERR(8, 13, "b.example", "policy template 'missing' is not "
		  "defined") },
	  .valid = "c.example", .invalid = "a.example b.example" },

	/* A domain on an invalid template is invalid without an error of
	 * its own. */
	{ .name = "domains on an invalid template",
	  .yaml =
	  "policies:\n"
	  "  broken:\n"
	  "    mode: Enforce\n"
	  "    mx: [mx.example.net]\n"
	  "  good:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "domains:\n"
	  "  a.example: broken\n"
	  "  b.example:\n"
	  "    policy: broken\n"
	  "    max_age: 1209600\n"
	  "  c.example: good\n",
	  .errors = 1,
	  .diags = { ERR(3, 11, "policy 'broken'", "mode 'Enforce'") },
	  .valid = "c.example", .invalid = "a.example b.example",
	  .silent = "a.example b.example",
	  .settings = { "policies[broken].valid=false",
	      "policies[good].valid=true", "valid_domains=1" } },

	/* The template shorthand uses the template as it is. */
	{ .name = "the template shorthand",
	  .yaml =
	  "policies:\n"
	  "  hoster-mx:\n"
	  "    mode: enforce\n"
	  "    mx: [mx1.hoster.example, mx2.hoster.example]\n"
	  "    max_age: 1209600\n"
	  "domains:\n"
	  "  a.example: hoster-mx\n"
	  "  b.example:\n"
	  "    policy: hoster-mx\n",
	  .settings = {
	      "domains[a.example].template=hoster-mx",
	      "domains[a.example].overrides=false",
	      "domains[a.example].delegation_key=hoster-mx",
	      "domains[b.example].template=hoster-mx",
	      "domains[b.example].overrides=false",
	      "domains[b.example].delegation_key=hoster-mx" },
	  .check = shorthand_serves_the_template },

	/* A domain overrides template fields; each such domain has its own
	 * bytes, so its own delegation record; the template itself is
	 * untouched by the overrides. */
	{ .name = "overrides",
	  .yaml =
	  "policies:\n"
	  "  t:\n"
	  "    mode: enforce\n"
	  "    mx: [mx1.example.net, mx2.example.net]\n"
	  "    max_age: 1209600\n"
	  "domains:\n"
	  "  m.example:\n"
	  "    policy: t\n"
	  "    mode: testing\n"
	  "  x.example:\n"
	  "    policy: t\n"
	  "    mx: [mail.x.example]\n"
	  "  g.example:\n"
	  "    policy: t\n"
	  "    max_age: 2419200\n"
	  "  all.example:\n"
	  "    policy: t\n"
	  "    mode: none\n"
	  "    mx: [\"*.all.example\"]\n"
	  "    max_age: 86400\n"
	  "  plain.example: t\n",
	  .bodies = {
	      { "m.example", BODY("testing", MX("mx1.example.net")
		  MX("mx2.example.net"), "1209600") },
	      { "x.example", BODY("enforce", MX("mail.x.example"),
		  "1209600") },
	      { "g.example", BODY("enforce", MX("mx1.example.net")
		  MX("mx2.example.net"), "2419200") },
	      { "all.example", BODY("none", MX("*.all.example"), "86400") } },
	  .settings = {
	      "domains[m.example].overrides=true",
	      "domains[m.example].template=t",
	      "domains[m.example].delegation_key=m.example",
	      "domains[x.example].overrides=true",
	      "domains[x.example].template=t",
	      "domains[x.example].delegation_key=x.example",
	      "domains[g.example].overrides=true",
	      "domains[g.example].template=t",
	      "domains[g.example].delegation_key=g.example",
	      "domains[all.example].overrides=true",
	      "domains[all.example].template=t",
	      "domains[all.example].delegation_key=all.example",
	      "policies[t].mode=enforce", "policies[t].max_age=1209600",
	      "policies[t].mx=mx1.example.net mx2.example.net",
	      "domains[plain.example].overrides=false" },
	  .check = overrides_have_their_own_id },

	/* An inline policy's delegation key is the domain. */
	{ .name = "an inline policy", .yaml = GOOD_DOMAINS,
	  .settings = { "domains[ok.example].template=(none)",
	      "domains[ok.example].delegation_key=ok.example" } },

	/* Template names are one DNS label. */
	{ .name = "template names",
	  .yaml =
	  "policies:\n"
	  "  bad.name:\n"
	  "    mode: none\n"
	  "    mx: [mx.example.net]\n"
	  "  bad_name:\n"
	  "    mode: none\n"
	  "    mx: [mx.example.net]\n"
	  "  good-name-2:\n"
	  "    mode: none\n"
	  "    mx: [mx.example.net]\n"
	  GOOD_DOMAINS,
	  .errors = 2,
	  .diags = {
	      ERR(2, 3, NULL, "one DNS label of letters, digits and '-' (it "
		  "names the delegation record), not 'bad.name'"),
	      ERR(5, 3, NULL, "not 'bad_name'") },
	  .settings = { "templates=good-name-2",
	      "policies[good-name-2].valid=true" } },
};

TEST_NO_LEAK(config, templates)
{
	RUN_CASES(template_cases);
}

/* ---- TLS-RPT ----------------------------------------------------------- */

static const struct load_case tlsrpt_cases[] = {
	/* A default, and a per-domain override that replaces it rather than
	 * adding to it; `rua: []` means no TLS-RPT record for the domain. */
	{ .name = "the default rua and overrides",
	  .yaml =
	  "dns:\n"
	  "  tlsrpt:\n"
	  "    rua:\n"
	  "      - mailto:tlsrpt@hoster.example\n"
	  "      - https://reports.hoster.example/v1\n"
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "  b.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    tlsrpt:\n"
	  "      rua: mailto:tls@b.example\n"
	  "  c.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    tlsrpt:\n"
	  "      rua: []\n",
	  .settings = {
	      "dns.tlsrpt.rua=mailto:tlsrpt@hoster.example "
	      "https://reports.hoster.example/v1",
	      "domains[a.example].rua=mailto:tlsrpt@hoster.example "
	      "https://reports.hoster.example/v1",
	      "domains[b.example].rua=mailto:tls@b.example",
	      "domains[c.example].rua=" } },
	/* Without a default, a domain has no rua. */
	{ .name = "no default rua", .yaml = GOOD_DOMAINS,
	  .settings = { "domains[ok.example].rua=" } },

	/* TLS-RPT URIs are checked. */
	{ .name = "bad rua URIs",
	  .yaml =
	  "dns:\n"
	  "  tlsrpt:\n"
	  "    rua: [\"mailto:a,b@hoster.example\"]\n"
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    tlsrpt:\n"
	  "      rua: [mailto:ok@a.example, http://reports.a.example/]\n"
	  "  b.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    tlsrpt:\n"
	  "      rua: [\"mailto:a%2Cb@b.example\"]\n",
	  .errors = 2,
	  .diags = {
	      ERR(3, 11, NULL, "rua: 'mailto:a,b@hoster.example' contains "
		  "','; write it percent-encoded as %2C"),
	      ERR(9, 34, "a.example", "'http://reports.a.example/' is "
		  "neither a mailto: nor an https:") },
	  .valid = "b.example", .invalid = "a.example" },
};

TEST_NO_LEAK(config, tlsrpt)
{
	RUN_CASES(tlsrpt_cases);
}

/* ---- Zones and delegation ---------------------------------------------- */

static const struct load_case zone_cases[] = {
	/* The zone is the domain or a parent; a suffix that is not on a
	 * label boundary is not a parent. */
	{ .name = "zones",
	  .yaml =
	  "domains:\n"
	  "  mail.example.com:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    zone: Example.com\n"
	  "  b.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    zone: b.example\n"
	  "  c.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "  d.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    zone: other.example\n"
	  "  ample.com:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    zone: xample.com\n"
	  "  f.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    zone: sub.f.example\n",
	  .errors = 3,
	  .diags = {
	      ERR(16, 11, "d.example", "zone 'other.example' does not contain "
		  "the domain"),
	      ERR(20, 11, "ample.com", "zone 'xample.com' does not contain "
		  "the domain"),
	      ERR(24, 11, "f.example", "zone 'sub.f.example' does not contain "
		  "the domain") },
	  .valid = "mail.example.com b.example c.example",
	  .invalid = "d.example ample.com f.example",
	  .settings = { "domains[mail.example.com].zone=example.com",
	      "domains[b.example].zone=b.example",
	      "domains[c.example].zone=c.example" } },

	/* delegate: true needs a zone to delegate to. */
	{ .name = "delegate without a delegation zone",
	  .yaml =
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    delegate: true\n"
	  "  b.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    delegate: false\n"
	  "  c.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n",
	  .errors = 1,
	  .diags = { ERR(5, 15, "a.example", "delegate: true needs a hoster "
	      "zone in dns: delegation: zone") },
	  .valid = "b.example", .invalid = "a.example",
	  .settings = { "domains[b.example].delegate=false",
	      "domains[c.example].delegate=false" } },
	/* With a zone, domains delegate unless they opt out. */
	{ .name = "a delegation zone",
	  .yaml =
	  "dns:\n"
	  "  delegation:\n"
	  "    zone: Policies.Hoster.example\n"
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    delegate: true\n"
	  "  b.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    delegate: false\n"
	  "  c.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "  d.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    delegate: yes\n",
	  .errors = 1,
	  .diags = { ERR(19, 15, "d.example", "delegate must be true or false, "
	      "not 'yes'") },
	  .valid = "a.example b.example c.example", .invalid = "d.example",
	  .settings = { "dns.delegation.zone=policies.hoster.example",
	      "domains[a.example].delegate=true",
	      "domains[b.example].delegate=false",
	      "domains[c.example].delegate=true" } },
	{ .name = "a one-label delegation zone",
	  .yaml = "dns:\n  delegation:\n    zone: hoster\n" GOOD_DOMAINS,
	  .errors = 1,
	  .diags = { ERR(3, 11, NULL, "delegation zone: 'hoster' is a single "
	      "label") } },
};

TEST_NO_LEAK(config, zones_and_delegation)
{
	RUN_CASES(zone_cases);
}

/* ---- dns: -------------------------------------------------------------- */

static const struct load_case dns_cases[] = {
	/* The policy host is a CNAME target or addresses; IPv6 addresses
	 * are stored in their canonical text form. */
	{ .name = "a policy host cname",
	  .yaml = "dns:\n  policy_host:\n    cname: MTA-STS.Hoster.example\n"
	  GOOD_DOMAINS,
	  .settings = { "dns.policy_host.cname=mta-sts.hoster.example",
	      "dns.policy_host.addresses=" } },
	{ .name = "policy host addresses",
	  .yaml = "dns:\n  policy_host:\n"
	  "    addresses: [192.0.2.10, \"2001:DB8:0:0::0:10\"]\n" GOOD_DOMAINS,
	  .settings = { "dns.policy_host.cname=(none)",
	      "dns.policy_host.addresses=192.0.2.10 2001:db8::10" } },
	{ .name = "a policy host cname and addresses",
	  .yaml =
	  "dns:\n"
	  "  policy_host:\n"
	  "    cname: mta-sts.hoster.example\n"
	  "    addresses: [192.0.2.10]\n"
	  GOOD_DOMAINS,
	  .errors = 1,
	  .diags = { ERR(3, 5, NULL, "policy_host takes either 'cname' or "
	      "'addresses', not both") },
	  .valid = "ok.example" },
	{ .name = "bad policy host addresses",
	  .yaml =
	  "dns:\n"
	  "  policy_host:\n"
	  "    addresses:\n"
	  "      - 192.0.2.300\n"
	  "      - mta-sts.hoster.example\n"
	  "      - 2001:db8::10\n"
	  "      - 2001:DB8::10\n"
	  GOOD_DOMAINS,
	  .errors = 3,
	  .diags = {
	      ERR(4, 9, NULL, "'192.0.2.300' is not an IPv4 or IPv6 address"),
	      ERR(5, 9, NULL, "'mta-sts.hoster.example' is not an IPv4 or "
		  "IPv6 address"),
	      ERR(7, 9, NULL, "address '2001:DB8::10' is listed twice") } },
	{ .name = "no policy host addresses",
	  .yaml = "dns:\n  policy_host:\n    addresses: []\n" GOOD_DOMAINS,
	  .errors = 1,
	  .diags = { ERR(3, 16, NULL, "policy_host addresses must list at "
	      "least one address") } },
	{ .name = "a bad policy host cname",
	  .yaml = "dns:\n  policy_host:\n    cname: mta_sts.hoster.example\n"
	  GOOD_DOMAINS,
	  .errors = 1,
	  .diags = { ERR(3, 12, NULL, "policy_host cname: "
	      "'mta_sts.hoster.example' contains '_'") } },

	/* TTL ranges and defaults. */
	{ .name = "the default TTLs", .yaml = GOOD_DOMAINS,
	  .settings = { "dns.ttl.policy_id=300", "dns.ttl.tlsrpt=3600",
	      "dns.ttl.policy_host=3600" } },
	{ .name = "the TTLs at their limits",
	  .yaml = "dns:\n  ttl:\n    policy_id: 0\n    tlsrpt: 2147483647\n"
	  "    policy_host: 60\n" GOOD_DOMAINS,
	  .settings = { "dns.ttl.policy_id=0", "dns.ttl.tlsrpt=2147483647",
	      "dns.ttl.policy_host=60" } },
	/* The defaults stay. */
	{ .name = "bad TTLs",
	  .yaml =
	  "dns:\n"
	  "  ttl:\n"
	  "    policy_id: 2147483648\n"
	  "    tlsrpt: -1\n"
	  "    policy_host: 1h\n"
	  GOOD_DOMAINS,
	  .errors = 3,
	  .diags = {
	      ERR(3, 16, NULL, "ttl policy_id is 2147483648; it must be from "
		  "0 to 2147483647"),
	      ERR(4, 13, NULL, "ttl tlsrpt must be a whole number, not '-1'"),
	      ERR(5, 18, NULL, "ttl policy_host must be a whole number, not "
		  "'1h'") },
	  .valid = "ok.example",
	  .settings = { "dns.ttl.policy_id=300", "dns.ttl.tlsrpt=3600" } },
	{ .name = "a TTL too large for any integer",
	  .yaml = "dns:\n  ttl:\n    policy_id: 99999999999999999999999\n"
	  GOOD_DOMAINS,
	  .errors = 1,
	  .diags = { ERR_ANY("it must be from 0 to 2147483647") } },
};

TEST_NO_LEAK(config, dns)
{
	RUN_CASES(dns_cases);
}

/* ---- server: ----------------------------------------------------------- */

static void
listen_addresses_parsed(const struct config *cfg)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;

	sin = (const struct sockaddr_in *)&cfg->cfg_listen[0].la_addr;
	cr_assert_eq(sin->sin_family, AF_INET, CASE);
	cr_assert_eq(ntohs(sin->sin_port), 443, CASE);
	cr_assert_eq(sin->sin_addr.s_addr, htonl(INADDR_ANY), CASE);
	cr_assert_eq(cfg->cfg_listen[0].la_addrlen, sizeof(*sin), CASE);
	sin6 = (const struct sockaddr_in6 *)&cfg->cfg_listen[1].la_addr;
	cr_assert_eq(sin6->sin6_family, AF_INET6, CASE);
	cr_assert_eq(ntohs(sin6->sin6_port), 8443, CASE);
	cr_assert(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr), CASE);
	cr_assert_eq(cfg->cfg_listen[1].la_addrlen, sizeof(*sin6), CASE);
	cr_assert_eq(cfg->cfg_listen[1].la_pos.sp_line, 4, CASE);
}

static void
default_listen_parsed(const struct config *cfg)
{
	cr_assert_eq(((const struct sockaddr_in *)&cfg->cfg_listen[0].la_addr)
	    ->sin_family, AF_INET, CASE);
	cr_assert_eq(ntohs(((const struct sockaddr_in6 *)
	    &cfg->cfg_listen[1].la_addr)->sin6_port), 443, CASE);
}

/* The boolean settings of `server`: on by default (the allow-list where it
 * exists), off with false, and nothing but true or false. */
#if CONFIG_SECCOMP_AVAILABLE
#define SECCOMP_DEFAULT	"server.seccomp=true"
#else
#define SECCOMP_DEFAULT	"server.seccomp=false"
#endif

static const struct load_case server_cases[] = {
	{ .name = "listen addresses",
	  .yaml = "server:\n  listen:\n    - 0.0.0.0:443\n"
	  "    - \"[::1]:8443\"\n    - \"[2001:DB8:0::1]:443\"\n" GOOD_DOMAINS,
	  .settings = {
	      "server.listen=0.0.0.0:443 [::1]:8443 [2001:db8::1]:443" },
	  .check = listen_addresses_parsed },
	/* One address may be given without a list. */
	{ .name = "one listen address without a list",
	  .yaml = "server:\n  listen: 192.0.2.1:80\n" GOOD_DOMAINS,
	  .settings = { "server.listen=192.0.2.1:80" } },
	{ .name = "listen addresses twice",
	  .yaml = "server:\n  listen:\n    - \"[::1]:443\"\n"
	  "    - \"[0:0::1]:443\"\n    - 0.0.0.0:443\n    - 0.0.0.0:443\n"
	  GOOD_DOMAINS,
	  .errors = 2,
	  .diags = {
	      ERR(4, 7, NULL, "listen '[0:0::1]:443' is listed twice"),
	      ERR(6, 7, NULL, "listen '0.0.0.0:443' is listed twice") },
	  .settings = { "server.listen=[::1]:443 0.0.0.0:443" } },
	{ .name = "the default listen addresses", .yaml = GOOD_DOMAINS,
	  .settings = { "server.listen=0.0.0.0:443 [::]:443" },
	  .check = default_listen_parsed },
	{ .name = "no listen address",
	  .yaml = "server:\n  listen: []\n" GOOD_DOMAINS, .errors = 1,
	  .diags = { ERR(2, 11, NULL, "listen must name at least one "
	      "address") } },

	/* User and group; never left as root: the defaults apply. */
	{ .name = "the default user and group", .yaml = GOOD_DOMAINS,
	  .settings = { "server.user=mta-sts-hostd",
	      "server.group=mta-sts-hostd" } },
	{ .name = "a user and a group",
	  .yaml = "server:\n  user: _mtasts\n  group: nogroup\n" GOOD_DOMAINS,
	  .settings = { "server.user=_mtasts", "server.group=nogroup" } },
	{ .name = "root",
	  .yaml = "server:\n  user: root\n  group: root\n" GOOD_DOMAINS,
	  .errors = 2,
	  .diags = { ERR(2, 9, NULL, "user must not be root"),
	      ERR(3, 10, NULL, "group must not be root") },
	  .settings = { "server.user=mta-sts-hostd",
	      "server.group=mta-sts-hostd" } },
	{ .name = "uid and gid 0",
	  .yaml = "server:\n  user: 0\n  group: 0\n" GOOD_DOMAINS, .errors = 2,
	  .diags = { ERR_ANY("user must not be root"),
	      ERR_ANY("group must not be root") } },

	/* Workers: 0 (one per core, the default) to 256. */
	{ .name = "the default workers", .yaml = GOOD_DOMAINS,
	  .settings = { "server.workers=0" } },
	{ .name = "256 workers",
	  .yaml = "server:\n  workers: 256\n" GOOD_DOMAINS,
	  .settings = { "server.workers=256" } },
	{ .name = "0 workers", .yaml = "server:\n  workers: 0\n" GOOD_DOMAINS,
	  .settings = { "server.workers=0" } },
	{ .name = "257 workers",
	  .yaml = "server:\n  workers: 257\n" GOOD_DOMAINS,
	  .errors = 1,
	  .diags = { ERR(2, 12, NULL, "workers is 257; it must be from 0 to "
	      "256") } },
	{ .name = "workers in words",
	  .yaml = "server:\n  workers: four\n" GOOD_DOMAINS, .errors = 1,
	  .diags = { ERR(2, 12, NULL, "workers must be a whole number, not "
	      "'four'") } },
	{ .name = "workers as a list",
	  .yaml = "server:\n  workers: [1]\n" GOOD_DOMAINS, .errors = 1,
	  .diags = { ERR(2, 12, NULL, "workers must be a single value, not a "
	      "list") } },

	/* The log target and level. */
	{ .name = "the default log", .yaml = GOOD_DOMAINS,
	  .settings = { "server.log=stderr", "server.log_level=info" } },
	{ .name = "log to syslog",
	  .yaml = "server:\n  log: syslog\n" GOOD_DOMAINS,
	  .settings = { "server.log=syslog" } },
	{ .name = "log to stderr",
	  .yaml = "server:\n  log: stderr\n" GOOD_DOMAINS,
	  .settings = { "server.log=stderr" } },
	{ .name = "log level error",
	  .yaml = "server:\n  log_level: error\n" GOOD_DOMAINS,
	  .settings = { "server.log_level=error" } },
	{ .name = "log level warning",
	  .yaml = "server:\n  log_level: warning\n" GOOD_DOMAINS,
	  .settings = { "server.log_level=warning" } },
	{ .name = "log level info",
	  .yaml = "server:\n  log_level: info\n" GOOD_DOMAINS,
	  .settings = { "server.log_level=info" } },
	{ .name = "log level debug",
	  .yaml = "server:\n  log_level: debug\n" GOOD_DOMAINS,
	  .settings = { "server.log_level=debug" } },
	{ .name = "a log file and an upper-case level",
	  .yaml = "server:\n  log: /var/log/mta-sts.log\n  log_level: INFO\n"
	  GOOD_DOMAINS,
	  .errors = 2,
	  .diags = {
	      ERR(2, 8, NULL, "log '/var/log/mta-sts.log' is not stderr or "
		  "syslog"),
	      ERR(3, 14, NULL, "log_level 'INFO' is not error, warning, info "
		  "or debug") } },

	/* Switches. */
	{ .name = "access_log by default", .yaml = GOOD_DOMAINS,
	  .settings = { "server.access_log=true" } },
	{ .name = "seccomp by default", .yaml = GOOD_DOMAINS,
	  .settings = { SECCOMP_DEFAULT } },
	{ .name = "access_log off",
	  .yaml = "server:\n  access_log: false\n" GOOD_DOMAINS,
	  .settings = { "server.access_log=false" } },
	{ .name = "seccomp off",
	  .yaml = "server:\n  seccomp: false\n" GOOD_DOMAINS,
	  .settings = { "server.seccomp=false" } },
	{ .name = "access_log: off", .any_count = true,
	  .yaml = "server:\n  access_log: off\n" GOOD_DOMAINS,
	  .diags = { ERR(2, 15, NULL, "access_log must be true or false, not "
	      "'off'") } },
	{ .name = "seccomp: off", .any_count = true,
	  .yaml = "server:\n  seccomp: off\n" GOOD_DOMAINS,
	  .diags = { ERR(2, 12, NULL, "seccomp must be true or false, not "
	      "'off'") } },

	/* The ACME listener is off by default; a relative webroot is
	 * relative to the configuration file. */
	{ .name = "no ACME listener", .yaml = GOOD_DOMAINS,
	  .settings = { "acme.listen=",
	      "acme.webroot=/var/lib/mta-sts-hostd/acme" } },
	{ .name = "an ACME listener",
	  .yaml = "acme:\n  listen: [\"127.0.0.1:80\", \"[::1]:80\"]\n"
	  "  webroot: acme\n" GOOD_DOMAINS,
	  .settings = { "acme.listen=127.0.0.1:80 [::1]:80",
	      "acme.webroot=$DIR/acme" } },
	/* The ACME listen addresses are checked like listen. */
	{ .name = "a bad ACME listen address", .any_count = true,
	  .yaml = "acme:\n  listen: [\"localhost:80\"]\n" GOOD_DOMAINS,
	  .diags = { ERR(2, 12, NULL, "acme listen 'localhost:80' is not "
	      "ADDRESS:PORT") } },
	{ .name = "an ACME listen address twice", .any_count = true,
	  .yaml = "acme:\n  listen: [\"127.0.0.1:80\", \"127.0.0.1:80\"]\n"
	  GOOD_DOMAINS,
	  .diags = { ERR(2, 28, NULL, "acme listen '127.0.0.1:80' is listed "
	      "twice") } },
	/* HTTP-01 on the HTTPS port cannot work. */
	{ .name = "ACME on a server address", .any_count = true,
	  .yaml = "server:\n  listen: [\"127.0.0.1:8443\"]\n"
	  "acme:\n  listen: [\"127.0.0.1:8443\"]\n" GOOD_DOMAINS,
	  .diags = { ERR(4, 12, NULL, "acme listen 127.0.0.1:8443 is also a "
	      "server listen address") } },
};

TEST_NO_LEAK(config, server)
{
	RUN_CASES(server_cases);
}

/* A listen entry that is not ADDRESS:PORT. */
TEST_NO_LEAK(config, listen_refuses_what_is_not_address_and_port)
{
	static const char *const bad[] = { "localhost:443", "1.2.3.4",
	    "[::1]:0", ":443", "1.2.3.4:65536", "1.2.3.4:", "[::1]443",
	    "::1:443", "[1.2.3.4]:443", "1.2.3.4:44x", "[::1]:-1",
	    "1.2.3.4.5:443" };

	UNIT_EACH(addr, bad) {
		char yaml[256], msg[128];

		snprintf(yaml, sizeof(yaml), "server:\n  listen:\n"
		    "    - \"%s\"\n" GOOD_DOMAINS, *addr);
		snprintf(msg, sizeof(msg), "listen '%s' is not ADDRESS:PORT",
		    *addr);
		run_case(&(const struct load_case){ .name = msg, .yaml = yaml,
		    .errors = 1, .diags = { ERR(3, 7, NULL, msg) } });
	}
}

/* ---- limits: ----------------------------------------------------------- */

/*
 * Each limit: its default, its minimum and maximum accepted, one below and
 * one above refused, with the default kept.
 */
TEST_NO_LEAK(config, limits_ranges_and_defaults)
{
	static const struct {
		const char	*key;
		unsigned long	 min, max, def;
	} limits[] = {
		{ "max_connections", 1, 1000000, 10000 },
		{ "max_connections_per_address", 1, 1000000, 64 },
		{ "handshake_timeout", 1, 300, 10 },
		{ "idle_timeout", 1, 3600, 10 },
		{ "request_timeout", 1, 300, 10 },
		{ "max_requests_per_connection", 1, 1000000, 1000 },
	};

	for (size_t i = 0; i < UNIT_COUNT(limits); i++) {
		const char	*key = limits[i].key;
		unsigned long	 good[2] = { limits[i].min, limits[i].max };
		unsigned long	 bad[2] = { limits[i].min - 1,
		    limits[i].max + 1 };
		bool		 total = strcmp(key, "max_connections") == 0;
		char		 name[128], yaml[512], msg[128], want[128];

		snprintf(name, sizeof(name), "default %s", key);
		snprintf(want, sizeof(want), "limits.%s=%lu", key,
		    limits[i].def);
		run_case(&(const struct load_case){ .name = name,
		    .yaml = GOOD_DOMAINS, .settings = { want } });

		for (int j = 0; j < 2; j++) {
			/* Keep max_connections at the top so that the
			 * per-address warning stays out of the way; 1 is
			 * below the per-address default. */
			snprintf(name, sizeof(name), "%s: %lu", key, good[j]);
			snprintf(yaml, sizeof(yaml), "limits:\n  %s: %lu\n"
			    "%s" GOOD_DOMAINS, key, good[j], total ? "" :
			    "  max_connections: 1000000\n");
			snprintf(want, sizeof(want), "limits.%s=%lu", key,
			    good[j]);
			run_case(&(const struct load_case){ .name = name,
			    .yaml = yaml, .warnings = total && j == 0,
			    .settings = { want } });

			snprintf(name, sizeof(name), "%s: %lu", key, bad[j]);
			snprintf(yaml, sizeof(yaml), "limits:\n  %s: %lu\n"
			    GOOD_DOMAINS, key, bad[j]);
			snprintf(msg, sizeof(msg), "%s is %lu; it must be from "
			    "%lu to %lu", key, bad[j], limits[i].min,
			    limits[i].max);
			snprintf(want, sizeof(want), "limits.%s=%lu", key,
			    limits[i].def);
			run_case(&(const struct load_case){ .name = name,
			    .yaml = yaml, .errors = 1,
			    .diags = { ERR(2, (unsigned)strlen(key) + 5, NULL,
				msg) },
			    .settings = { want } });
		}
	}
}

static const struct load_case limit_cases[] = {
	/* A per-address limit above the total is a warning. */
	{ .name = "a per-address limit above the total",
	  .yaml =
	  "limits:\n"
	  "  max_connections: 100\n"
	  "  max_connections_per_address: 101\n"
	  GOOD_DOMAINS,
	  .warnings = 1,
	  .diags = { WARN(2, 3, NULL, "max_connections_per_address (101) is "
	      "above max_connections (100), so it never applies") },
	  .settings = { "limits.max_connections_per_address=101" } },
	{ .name = "a per-address limit equal to the total",
	  .yaml =
	  "limits:\n"
	  "  max_connections: 100\n"
	  "  max_connections_per_address: 100\n"
	  GOOD_DOMAINS },
	/* Against the default total, too. */
	{ .name = "a per-address limit above the default total",
	  .yaml = "limits:\n  max_connections_per_address: 10001\n"
	  GOOD_DOMAINS,
	  .warnings = 1,
	  .diags = { WARN_ANY("is above max_connections (10000)") } },
};

TEST_NO_LEAK(config, per_address_limit_above_total_is_a_warning)
{
	RUN_CASES(limit_cases);
}

/* ---- certificates: ----------------------------------------------------- */

static void
certificate_position(const struct config *cfg)
{
	cr_assert_eq(cfg->cfg_certs[3].csrc_pos.sp_line, 6, CASE);
}

static const struct load_case certificate_cases[] = {
	/* Relative paths are relative to the configuration file. */
	{ .name = "certificate sources",
	  .yaml =
	  "certificates:\n"
	  "  - directory: certs\n"
	  "  - directory: /etc/mta-sts-hostd/certs\n"
	  "  - cert: live/a/fullchain.pem\n"
	  "    key: live/a/privkey.pem\n"
	  "  - cert: /etc/ssl/b.pem\n"
	  "    key: /etc/ssl/b.key\n"
	  GOOD_DOMAINS,
	  .settings = { "certificates=dir $DIR/certs; "
	      "dir /etc/mta-sts-hostd/certs; "
	      "pair $DIR/live/a/fullchain.pem $DIR/live/a/privkey.pem; "
	      "pair /etc/ssl/b.pem /etc/ssl/b.key" },
	  .check = certificate_position },
	/* Only the good entry is kept. */
	{ .name = "bad certificate sources",
	  .yaml =
	  "certificates:\n"
	  "  - directory: /etc/certs\n"
	  "    cert: /etc/a.pem\n"
	  "    key: /etc/a.key\n"
	  "  - cert: /etc/a.pem\n"
	  "  - key: /etc/a.key\n"
	  "  - {}\n"
	  "  - /etc/certs\n"
	  "  - directory: /etc/ok\n"
	  GOOD_DOMAINS,
	  .errors = 5,
	  .diags = {
	      ERR(2, 5, NULL, "either a directory or a cert/key pair, not "
		  "both"),
	      ERR(5, 5, NULL, "needs 'directory', or both 'cert' and 'key'"),
	      ERR(6, 5, NULL, "needs 'directory', or both 'cert' and 'key'"),
	      ERR(7, 5, NULL, "needs 'directory', or both 'cert' and 'key'"),
	      ERR(8, 5, NULL, "a certificate source must be a mapping") },
	  .settings = { "certificates=dir /etc/ok" } },
	{ .name = "certificates not a list",
	  .yaml = "certificates:\n  directory: /etc/certs\n" GOOD_DOMAINS,
	  .errors = 1,
	  .diags = { ERR(2, 3, NULL, "certificates must be a list") } },
};

TEST_NO_LEAK(config, certificate_sources)
{
	RUN_CASES(certificate_cases);
}

/* ---- include: ---------------------------------------------------------- */

/* One inline domain in an included file. */
#define INCLUDED(name)							\
	"domains:\n  " name ":\n    mode: none\n    mx: mx.example.net\n"

static const struct load_case include_cases[] = {
	/* Domains and policies are read relative to the main file; a
	 * template from an included file serves the main file too; positions
	 * point into the file that defines the domain. */
	{ .name = "included domains and policies",
	  .files = {
	      { "domains.d/a.yaml",
		"policies:\n"
		"  shared:\n"
		"    mode: testing\n"
		"    mx: [mx.hoster.example]\n"
		"domains:\n"
		"  a.example: shared\n" },
	      { "domains.d/b.yaml", "domains:\n  b.example: shared\n" },
	      { "domains.d/notes.txt", "not: [yaml\n" },
	      { "elsewhere/c.yaml", "domains:\n  c.example: shared\n" } },
	  .yaml =
	  "include:\n"
	  "  - domains.d/*.yaml\n"
	  "  - empty.d/*.yaml\n"
	  "  - elsewhere/c.yaml\n"
	  "domains:\n"
	  "  main.example: shared\n",
	  .valid = "a.example b.example c.example main.example",
	  .settings = { "domains=a.example b.example c.example main.example",
	      "domains[b.example].pos=$DIR/domains.d/b.yaml:2:3",
	      "files=4" } },
	/* Include takes one pattern or a list, relative or absolute. */
	{ .name = "a relative and an absolute pattern",
	  .files = { { "domains.d/a.yaml", INCLUDED("a.example") },
	      { "abs/b.yaml", INCLUDED("b.example") } },
	  .yaml = "include: [domains.d/*.yaml, $DIR/abs/*.yaml]\n",
	  .valid = "a.example b.example" },
	{ .name = "one pattern without a list",
	  .files = { { "domains.d/a.yaml", INCLUDED("a.example") } },
	  .yaml = "include: domains.d/*.yaml\n", .valid = "a.example" },

	/* An include that matches nothing is fine; with nothing anywhere, it
	 * is the "no domains" warning only. */
	{ .name = "an unmatched include",
	  .yaml = "include: [domains.d/*.yaml]\n" GOOD_DOMAINS },
	{ .name = "an unmatched include and no domains",
	  .yaml = "include: [domains.d/*.yaml]\n", .warnings = 1,
	  .diags = { WARN_ANY("no domains are configured") } },

	/* Included files hold only domains and policies; the global setting
	 * is not changed, and the rest of that file is still read. */
	{ .name = "settings in an included file",
	  .files = { { "domains.d/bad.yaml",
	      "domains:\n"
	      "  a.example:\n"
	      "    mode: none\n"
	      "    mx: [mx.example.net]\n"
	      "server:\n"
	      "  user: nobody\n"
	      "include: [more/*.yaml]\n" } },
	  .yaml = "include: [domains.d/*.yaml]\n" GOOD_DOMAINS,
	  .errors = 2,
	  .diags = {
	      ERR_IN("domains.d/bad.yaml", 5, 1, NULL, "unknown key 'server' "
		  "in an included file (only 'domains' and 'policies' belong "
		  "there)"),
	      ERR_IN("domains.d/bad.yaml", 7, 1, NULL, "unknown key 'include' "
		  "in an included file") },
	  .valid = "a.example ok.example",
	  .settings = { "server.user=mta-sts-hostd" } },

	/* Errors in included files name that file. */
	{ .name = "errors in included files",
	  .files = {
	      { "domains.d/x.yaml", "domains:\n  x.example:\n"
		"    mode: none\n   mx: broken\n" },
	      { "domains.d/y.yaml", "domains:\n  y.example:\n"
		"    mode: Testing\n    mx: [mx.example.net]\n" } },
	  .yaml = "include: domains.d/*.yaml\n" GOOD_DOMAINS,
	  .errors = 2,
	  .diags = {
	      ERR_IN("domains.d/x.yaml", 4, 4, NULL, "YAML syntax"),
	      ERR_IN("domains.d/y.yaml", 3, 11, "y.example",
		  "mode 'Testing'") },
	  .valid = "ok.example", .invalid = "y.example" },
};

TEST_NO_LEAK(config, include)
{
	RUN_CASES(include_cases);
}

/* Run from the parent directory: `-c <dir>/main.yaml`. */
TEST_NO_LEAK(config, relative_main_path)
{
	struct config	*cfg;
	char		*rel = NULL, *inc = NULL, *certs;
	const char	*base = strrchr(unit_dir, '/') + 1;

	unit_case = "a relative main path";
	unit_write("domains.d/a.yaml", INCLUDED("a.example"));
	unit_write("main.yaml", "include: [domains.d/*.yaml]\n"
	    "certificates:\n  - directory: certs\n");
	cr_assert_eq(chdir(unit_dir), 0);
	cr_assert_eq(chdir(".."), 0);
	cr_assert_neq(asprintf(&rel, "%s/main.yaml", base), -1);
	cr_assert_neq(asprintf(&inc, "%s/domains.d/a.yaml", base), -1);
	cfg = config_load(rel);
	expect_counts(cfg, 0, 0);
	expect_valid(cfg, "a.example");
	/* Included files are found next to the main file ... */
	cr_assert_str_eq(dom(cfg, "a.example")->dom_pos.sp_file, inc);
	/* ... and certificate paths are absolute: the daemon must not
	 * depend on the directory it was started from. */
	certs = unit_path("certs");
	cr_assert_eq(cfg->cfg_ncerts, 1);
	cr_assert_str_eq(cfg->cfg_certs[0].csrc_directory, certs);
	free(certs);
	free(rel);
	free(inc);
	config_free(cfg);
}

/*
 * The main file read alone (config_load_main) has its settings, templates,
 * own domains and include patterns, and no included file's domains; and
 * two comparisons tell a main file that gives the included files what
 * another gave them (settings, comments and its own domains may differ)
 * from one that does not: config_sources_equal() for the files it names,
 * config_named_files_equal() for those it names one by one (not by
 * pattern or directory), config_resolution_equal() for what their domains
 * are resolved with.
 */
#define FRAME_POLICY(mode)						\
	"{mode: " mode ", mx: [mx.h.example], max_age: 1209600}"
#define FRAME(server, include, certs, policies, rua, extra)		\
	"server:\n  workers: 2\n" server					\
	"include: [" include "]\n"					\
	"certificates: [{directory: " certs "}]\n"			\
	"policies:\n  hoster: " FRAME_POLICY("enforce") "\n" policies	\
	"dns:\n  tlsrpt: {rua: [\"mailto:" rua "@h.example\"]}\n"		\
	extra
#define FRAME_MAIN							\
	FRAME("", "domains.d/*.yaml", "certs", "", "r", "")

TEST_NO_LEAK(config, main_file_alone_and_its_frame)
{
	static const struct {
		const char	*name;
		const char	*yaml;
		bool		 sources, named, resolution;
	} cases[] = {
		{ "the same file", FRAME_MAIN, true, true, true },
		{ "a comment, settings and a domain of its own",
		    FRAME("  log_level: debug\n", "domains.d/*.yaml", "certs",
		    "", "r", "# a comment\nlimits: {idle_timeout: 20}\n"
		    "domains:\n  own.example: hoster\n"), true, true, true },
		{ "another include pattern", FRAME("",
		    "domains.d/*.yaml, more/*.yaml", "certs", "", "r", ""),
		    false, true, true },
		{ "another certificate directory", FRAME("", "domains.d/*.yaml",
		    "certs2", "", "r", ""), false, true, true },
		{ "a certificate named by its files", FRAME("",
		    "domains.d/*.yaml", "certs}, {cert: a.crt, key: a.key", "",
		    "r", ""), false, false, true },
		{ "a template added", FRAME("", "domains.d/*.yaml", "certs",
		    "  other: " FRAME_POLICY("none") "\n", "r", ""), true, true,
		    false },
		{ "other TLS-RPT addresses", FRAME("", "domains.d/*.yaml",
		    "certs", "", "x", ""), true, true, false },
		{ "a session ticket key file", FRAME("  session_ticket_keys: "
		    "keys\n", "domains.d/*.yaml", "certs", "", "r", ""), false,
		    false, true },
		{ "a template changed", "server:\n  workers: 2\n"
		    "include: [domains.d/*.yaml]\n"
		    "certificates: [{directory: certs}]\n"
		    "policies:\n  hoster: " FRAME_POLICY("testing") "\n"
		    "dns:\n  tlsrpt: {rua: [\"mailto:r@h.example\"]}\n", true,
		    true, false },
	};
	struct config	*base, *alone, *other;
	char		*main_path;

	unit_case = "the main file alone";
	unit_write("domains.d/a.yaml", INCLUDED("a.example"));
	unit_write("main.yaml", FRAME_MAIN);
	main_path = unit_path("main.yaml");
	base = config_load(main_path);
	alone = config_load_main(main_path);
	cr_assert_not_null(dom(base, "a.example"), CASE);
	cr_assert_null(config_domain(alone, "a.example"), CASE);
	cr_assert_eq(alone->cfg_workers, 2, CASE);
	cr_assert_eq(alone->cfg_includes.sv_count, 1, CASE);
	cr_assert_eq(alone->cfg_files.sv_count, 1, CASE);
	cr_assert_not_null(config_template(alone, "hoster"), CASE);
	/* No warning that no domain is configured: the others have them. */
	expect_counts(alone, 0, 0);
	cr_assert(config_sources_equal(alone, base), CASE);
	cr_assert(config_resolution_equal(alone, base), CASE);
	config_free(alone);
	for (size_t i = 0; i < UNIT_COUNT(cases); i++) {
		unit_case = cases[i].name;
		unit_write("main.yaml", cases[i].yaml);
		other = config_load_main(main_path);
		cr_assert_eq(config_sources_equal(other, base), cases[i].sources,
		    CASE);
		cr_assert_eq(config_sources_equal(base, other), cases[i].sources,
		    CASE);
		cr_assert_eq(config_named_files_equal(other, base),
		    cases[i].named, CASE);
		cr_assert_eq(config_named_files_equal(base, other),
		    cases[i].named, CASE);
		cr_assert_eq(config_resolution_equal(other, base),
		    cases[i].resolution, CASE);
		cr_assert_eq(config_resolution_equal(base, other),
		    cases[i].resolution, CASE);
		config_free(other);
	}
	config_free(base);
	free(main_path);
}

/*
 * One included file read alone with the main file's templates, as a
 * reload reads it: its domains get those templates' policies, and a file
 * that defines a template of its own (or one of the main file's names
 * again) says so and gets its error, while the main file's templates,
 * which every such read shares, stay as they were.
 */
TEST_NO_LEAK(config, included_file_read_alone_with_the_main_templates)
{
	struct config	*main, *part, *own;
	char		*main_path, *part_path;

	unit_case = "an included file read alone";
	unit_write("domains.d/a.yaml", "domains:\n  a.example: hoster\n");
	unit_write("main.yaml", FRAME("", "domains.d/*.yaml", "certs",
	    "  other: " FRAME_POLICY("none") "\n", "r", ""));
	main_path = unit_path("main.yaml");
	part_path = unit_path("domains.d/a.yaml");
	main = config_load(main_path);
	cr_assert_eq(main->cfg_ntemplates, 2, CASE);
	part = config_load_part(main, part_path);
	expect_counts(part, 0, 0);
	cr_assert_not(part->cfg_part_templates, CASE);
	cr_assert_eq(dom(part, "a.example")->dom_policy.pol_mode,
	    POLICY_MODE_ENFORCE, CASE);
	cr_assert_str_eq(dom(part, "a.example")->dom_id,
	    dom(main, "a.example")->dom_id, CASE);

	unit_case = "an included file with a template of its own";
	unit_write("domains.d/a.yaml", "policies:\n"
	    "  mine: " FRAME_POLICY("testing") "\n"
	    "  hoster: " FRAME_POLICY("none") "\n"
	    "domains:\n  a.example: mine\n  b.example: other\n");
	own = config_load_part(main, part_path);
	cr_assert(own->cfg_part_templates, CASE);
	cr_assert_eq(own->cfg_ntemplates, 3, CASE);
	cr_assert_eq(dom(own, "a.example")->dom_policy.pol_mode, POLICY_MODE_TESTING,
	    CASE);
	cr_assert_eq(dom(own, "b.example")->dom_policy.pol_mode, POLICY_MODE_NONE,
	    CASE);
	expect_counts(own, 1, 0);
	expect_diag(own, &(struct want_diag)ERR_ANY("policy template "
	    "'hoster' is already defined"));
	config_free(own);
	/* The parts are gone; the main file's templates are its own still. */
	cr_assert_eq(main->cfg_ntemplates, 2, CASE);
	cr_assert_str_eq(main->cfg_templates[0].tpl_name, "hoster", CASE);
	cr_assert_eq(main->cfg_templates[0].tpl_policy.pol_mode,
	    POLICY_MODE_ENFORCE, CASE);
	cr_assert_str_eq(main->cfg_templates[1].tpl_name, "other", CASE);
	config_free(part);
	config_free(main);
	free(part_path);
	free(main_path);
}

/*
 * Enough included files for the reading to spread over threads: the
 * result is the one of files read one by one in the pattern's order. The
 * files are listed in that order; a domain defined in two files is the
 * first file's (and the second is told so); a broken file's error names
 * it, in its place; a directory the pattern matches is passed over.
 */
TEST_NO_LEAK(config, many_included_files_in_pattern_order)
{
	struct config	*cfg;
	char		 rel[64], text[128], *path;
	size_t		 n = 0;

	unit_case = "600 included files";
	for (int i = 0; i < 600; i++) {
		snprintf(rel, sizeof(rel), "domains.d/f%03d.yaml", i);
		if (i % 97 == 0)
			unit_write(rel, "domains: [unclosed\n");
		else {
			/* f(i) and f(i+1) both define d(i/2*2). */
			snprintf(text, sizeof(text), "domains:\n  d%03d.example:"
			    "\n    mode: testing\n    mx: mx%d.example.net\n",
			    i / 2 * 2, i);
			unit_write(rel, text);
		}
	}
	path = unit_path("domains.d/f300.yaml.d");
	cr_assert_eq(mkdir(path, 0755), 0);
	free(path);
	unit_write("main.yaml", "include: [domains.d/*.yaml*]\n");
	cfg = unit_load("main.yaml");
	cr_assert_eq(cfg->cfg_files.sv_count, 601, "%zu files",
	    cfg->cfg_files.sv_count);
	for (int i = 0; i < 600; i++) {
		snprintf(rel, sizeof(rel), "/domains.d/f%03d.yaml", i);
		cr_assert(strstr(cfg->cfg_files.sv_items[i + 1], rel) != NULL,
		    "file %d is %s", i + 1, cfg->cfg_files.sv_items[i + 1]);
	}
	for (size_t i = 0; i < cfg->cfg_diags.dl_count; i++) {
		const struct diag *d = &cfg->cfg_diags.dl_items[i];

		if (strstr(d->d_msg, "defined") != NULL)
			continue;
		snprintf(rel, sizeof(rel), "/domains.d/f%03zu.yaml", n * 97);
		cr_assert(strstr(d->d_file, rel) != NULL, "error %zu is about "
		    "%s, not %s: %s", n, d->d_file, rel, d->d_msg);
		n++;
	}
	cr_assert_eq(n, 7, "%zu broken files reported:\n%s", n,
	    unit_diags(&cfg->cfg_diags));
	for (int i = 2; i < 600; i += 2) {
		snprintf(rel, sizeof(rel), "d%03d.example", i);
		snprintf(text, sizeof(text), "mx%d.example.net",
		    i % 97 == 0 ? i + 1 : i);
		cr_assert(strstr(dom(cfg, rel)->dom_body, text) != NULL,
		    "%s serves %s", rel, dom(cfg, rel)->dom_body);
	}
	config_free(cfg);
}

/* ---- The same name twice ----------------------------------------------- */

static void
one_delegation_record(const struct config *cfg)
{
	cr_assert_str_eq(config_delegation_key(dom(cfg, "a.example")),
	    config_delegation_key(dom(cfg, "b.example")), CASE);
}

static const struct load_case twice_cases[] = {
	/* A domain defined twice keeps the first: `include:` comes first,
	 * yet the main file's definitions win. */
	{ .name = "a domain defined twice",
	  .files = { { "domains.d/dup.yaml",
	      "domains:\n"
	      "  other.example:\n"
	      "    mode: none\n"
	      "    mx: [mx.example.net]\n"
	      "  A.Example:\n"
	      "    mode: testing\n"
	      "    mx: [mx.evil.example]\n" } },
	  .yaml =
	  "include: [domains.d/*.yaml]\n"
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n",
	  .errors = 1,
	  .diags = { ERR_IN("domains.d/dup.yaml", 5, 3, "a.example",
	      "the domain is already defined at $DIR/main.yaml:3:3; this "
	      "definition is ignored") },
	  .valid = "other.example",
	  .bodies = { { "a.example", BODY("enforce", MX("mx.example.net"),
	      "604800") } },
	  .settings = { "domains[a.example].pos=$DIR/main.yaml:3:3",
	      "domains=a.example other.example" } },
	/* Unicode and its A-label are the same domain. */
	{ .name = "a Unicode name and its A-label",
	  .yaml =
	  "domains:\n"
	  "  bücher.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "  XN--BCHER-KVA.example:\n"
	  "    mode: none\n"
	  "    mx: [mx.example.net]\n",
	  .errors = 1,
	  .diags = { ERR(5, 3, "xn--bcher-kva.example", "already defined "
	      "at") },
	  .valid = "xn--bcher-kva.example",
	  .settings = { "domains=xn--bcher-kva.example",
	      "domains[xn--bcher-kva.example].mode=enforce" } },
	/* The kept definition stays valid when the duplicate is broken: the
	 * duplicate's own errors, and the duplicate itself. */
	{ .name = "a broken duplicate",
	  .files = { { "domains.d/dup.yaml",
	      "domains:\n"
	      "  a.example:\n"
	      "    mode: Bogus\n"
	      "    bogus: 1\n" } },
	  .yaml = "include: domains.d/*.yaml\n" GOOD_DOMAINS
	  "  a.example:\n    mode: testing\n    mx: [mx.example.net]\n",
	  .errors = 3, .diags = { ERR_ANY("already defined") },
	  .valid = "a.example",
	  .settings = { "domains[a.example].mode=testing" } },
	/* A template defined twice keeps the first. */
	{ .name = "a template defined twice",
	  .files = { { "domains.d/t.yaml",
	      "policies:\n"
	      "  std:\n"
	      "    mode: none\n"
	      "    mx: [mx.other.example]\n" } },
	  .yaml =
	  "include: [domains.d/*.yaml]\n"
	  "policies:\n"
	  "  std:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "domains:\n"
	  "  a.example: std\n",
	  .errors = 1,
	  .diags = { ERR_IN("domains.d/t.yaml", 2, 3, "policy 'std'",
	      "policy template 'std' is already defined at "
	      "$DIR/main.yaml:3:3; this definition is ignored") },
	  .bodies = { { "a.example", BODY("enforce", MX("mx.example.net"),
	      "604800") } },
	  .settings = { "templates=std", "policies[std].mode=enforce" } },
	{ .name = "a template defined twice in one file",
	  .yaml =
	  "policies:\n"
	  "  std:\n"
	  "    mode: testing\n"
	  "    mx: [mx.example.net]\n"
	  "  std:\n"
	  "    mode: none\n"
	  "    mx: [mx.example.net]\n"
	  "domains:\n"
	  "  a.example: std\n",
	  .errors = 1,
	  .diags = { ERR(5, 3, "policy 'std'", "already defined at") },
	  .settings = { "domains[a.example].mode=testing" } },
	/* Template names differing in case are the same template: it names
	 * a DNS label, and DNS ignores case, so two such templates would
	 * publish two records under one name. One delegation record for
	 * both. */
	{ .name = "template names differing in case",
	  .yaml =
	  "policies:\n"
	  "  std:\n"
	  "    mode: testing\n"
	  "    mx: [mx.example.net]\n"
	  "  STD:\n"
	  "    mode: none\n"
	  "    mx: [mx.example.net]\n"
	  "domains:\n"
	  "  a.example: Std\n"
	  "  b.example: std\n",
	  .errors = 1,
	  .diags = { ERR(5, 3, "policy 'std'", "policy template 'std' is "
	      "already defined at") },
	  .valid = "a.example b.example",
	  .settings = { "templates=std", "domains[a.example].mode=testing" },
	  .check = one_delegation_record },
};

TEST_NO_LEAK(config, the_same_name_twice)
{
	RUN_CASES(twice_cases);
}

/* ---- Many errors ------------------------------------------------------- */

/* Reported in file order, as an editor walks them. */
static void
diagnostics_in_line_order(const struct config *cfg)
{
	const struct diag_list *dl = &cfg->cfg_diags;

	for (size_t i = 1; i < dl->dl_count; i++)
		cr_assert(dl->dl_items[i - 1].d_line < dl->dl_items[i].d_line,
		    "case %s: diagnostic %zu (line %u) after line %u",
		    unit_case, i, dl->dl_items[i].d_line,
		    dl->dl_items[i - 1].d_line);
}

/* The main file's, by line, then the included file's. */
static void
diagnostics_in_file_order(const struct config *cfg)
{
	const struct diag_list	*dl = &cfg->cfg_diags;
	char			*main_path = unit_path("main.yaml");
	char			*inc = unit_path("domains.d/a.yaml");

	cr_assert_str_eq(dl->dl_items[0].d_file, main_path, CASE);
	cr_assert_eq(dl->dl_items[0].d_line, 6, CASE);
	cr_assert_str_eq(dl->dl_items[1].d_file, main_path, CASE);
	cr_assert_eq(dl->dl_items[1].d_line, 7, CASE);
	cr_assert_str_eq(dl->dl_items[2].d_file, inc, CASE);
	free(main_path);
	free(inc);
}

static const struct load_case many_cases[] = {
	/* Every error of a file is reported in one load; each broken domain
	 * is left out, the others are served. */
	{ .name = "every error of a file",
	  .yaml =
	  "server:\n"
	  "  user: root\n"
	  "  workers: 1000\n"
	  "limits:\n"
	  "  idle_timeout: 0\n"
	  "policies:\n"
	  "  t:\n"
	  "    mode: sometimes\n"
	  "    mx: [mx.example.net]\n"
	  "domains:\n"
	  "  a.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx_1.example.net]\n"
	  "  b.example:\n"
	  "    policy: t\n"
	  "  c.example:\n"
	  "    mode: testing\n"
	  "    mx: [mx.example.net]\n"
	  "    max_age: 60\n"
	  "  bad_name.example: t\n"
	  "  d.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    zone: nope.example\n"
	  "  ok.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n",
	  .errors = 7, .warnings = 1,
	  .diags = {
	      ERR(2, 9, NULL, "must not be root"),
	      ERR(3, 12, NULL, "workers is 1000"),
	      ERR(5, 17, NULL, "idle_timeout is 0"),
	      ERR(8, 11, "policy 't'", "mode 'sometimes'"),
	      ERR(13, 10, "a.example", "'mx_1.example.net' contains '_'"),
	      WARN(19, 14, "c.example", "max_age 60 is less than a day"),
	      ERR(20, 3, NULL, "domain: 'bad_name.example' contains '_'"),
	      ERR(24, 11, "d.example", "zone 'nope.example' does not contain "
		  "the domain") },
	  .valid = "c.example ok.example",
	  .invalid = "a.example b.example d.example",
	  .settings = {
	      "domains=a.example b.example c.example d.example ok.example",
	      "valid_domains=2" },
	  .check = diagnostics_in_line_order },
	{ .name = "diagnostics of two files",
	  .files = { { "domains.d/a.yaml", "domains:\n  x.example:\n"
	      "    mode: nope\n    mx: [mx.example.net]\n" } },
	  .yaml =
	  "include: [domains.d/*.yaml]\n"
	  "domains:\n"
	  "  b.example:\n"
	  "    mode: enforce\n"
	  "    mx: [mx.example.net]\n"
	  "    zone: other.example\n"
	  "  a.example: undefined\n",
	  .errors = 3, .check = diagnostics_in_file_order },
};

TEST_NO_LEAK(config, many_errors)
{
	RUN_CASES(many_cases);
}

/* ---- Files ------------------------------------------------------------- */

/* An empty file warns about no domains; the defaults are all there. */
TEST_NO_LEAK(config, empty_file_warns_about_no_domains)
{
	static const char *const empties[] = { "", "# nothing yet\n",
	    "domains:\n", "domains: {}\n", "---\n" };

	UNIT_EACH(yaml, empties)
		run_case(&(const struct load_case){
		    .name = unit_quote(*yaml, strlen(*yaml)),
		    .yaml = *yaml, .warnings = 1,
		    .diags = { WARN(0, 0, NULL, "no domains are configured") },
		    .settings = { "domains=", "valid_domains=0", "templates=",
			"server.listen=0.0.0.0:443 [::]:443",
			"server.user=mta-sts-hostd" } });
}

static void
sender_size_limit(const struct config *cfg)
{
	cr_assert_lt(dom(cfg, "c.example")->dom_body_len, 65536, CASE);
}

/* A 253-character mx host name, the longest there is, unique per `i`. */
static void
long_mx(char buf[254], int i)
{
	char *p = buf;

	p += sprintf(p, "m%03d", i);
	memset(p, 'a', 58);
	p += 58;
	*p++ = '.';
	memset(p, 'b', 62);
	p += 62;
	*p++ = '.';
	memset(p, 'c', 62);
	p += 62;
	*p++ = '.';
	memset(p, 'd', 60);
	p += 60;
	strcpy(p, ".net");
	cr_assert_eq(strlen(buf), 253);
}

static void
put_long_mx(FILE *fp, int n)
{
	char name[254];

	for (int i = 0; i < n; i++) {
		long_mx(name, i);
		fprintf(fp, "      - %s\n", name);
	}
}

TEST_NO_LEAK(config, policy_body_over_64_kib_is_an_error)
{
	struct unit_text	 t;
	FILE			*fp = unit_text_open(&t);
	char			*yaml;

	/* 300 patterns of 253 characters: about 76 KiB of policy; 250 of
	 * them still fit: 250 * 259 + 50 bytes. */
	fputs("policies:\n  big:\n    mode: testing\n    mx:\n", fp);
	put_long_mx(fp, 300);
	fputs("domains:\n  a.example:\n    mode: enforce\n    mx:\n", fp);
	put_long_mx(fp, 300);
	fputs("  b.example: big\n"
	    "  c.example:\n    mode: enforce\n    mx:\n", fp);
	put_long_mx(fp, 250);
	yaml = unit_text_close(&t);
	run_case(&(const struct load_case){ .name = "policies over 64 KiB",
	    .yaml = yaml, .errors = 2,
	    .diags = {
		ERR(2, 3, "policy 'big'", "senders refuse policies over 65536 "
		    "bytes"),
		ERR(306, 3, "a.example", "senders refuse policies over 65536 "
		    "bytes") },
	    .valid = "c.example", .invalid = "a.example b.example",
	    .silent = "b.example", .check = sender_size_limit });
	free(yaml);
}

static const struct load_case file_cases[] = {
	/* A missing file is an error naming it. */
	{ .name = "a missing file", .path = "does-not-exist.yaml",
	  .errors = 1,
	  .diags = { ERR_IN("does-not-exist.yaml", 0, 0, NULL,
	      "cannot open: No such file or directory") },
	  .settings = { "path=$DIR/does-not-exist.yaml", "domains=" } },
	/* A directory is not a configuration file either. */
	{ .name = "a directory", .path = ".", .errors = 1,
	  .diags = { ERR_ANY("not a regular file") } },
};

TEST_NO_LEAK(config, files)
{
	RUN_CASES(file_cases);
}

/* ---- The model after loading ------------------------------------------- */

static void
id_and_lookups(const struct config *cfg)
{
	const struct domain *d = dom(cfg, "xn--bcher-kva.example");

	/* printf '<body>' | sha256sum | cut -c1-32, as in test_policy.c. */
	cr_assert_str_eq(d->dom_id, "f8928e3814db8de48e11b4362bc16d61", CASE);
	cr_assert_str_eq(dom(cfg, "zz.example")->dom_id, d->dom_id, CASE);
	/* Lookups take the canonical name. */
	cr_assert_null(config_domain(cfg, "nope.example"), CASE);
	cr_assert_null(config_domain(cfg, "bücher.example"), CASE);
	cr_assert_null(config_template(cfg, "nope"), CASE);
}

/* The id is the SHA-256 of the served body. */
static void
id_is_sha256_of_the_body(const struct config *cfg)
{
	const struct domain	*d = dom(cfg, "ok.example");
	unsigned char		 digest[WC_SHA256_DIGEST_SIZE];
	char			 hex[2 * WC_SHA256_DIGEST_SIZE + 1];

	cr_assert_eq(wc_Sha256Hash((const unsigned char *)d->dom_body,
	    (word32)d->dom_body_len, digest), 0, CASE);
	for (size_t i = 0; i < sizeof(digest); i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	hex[POLICY_ID_LEN] = '\0';
	cr_assert_str_eq(d->dom_id, hex, CASE);
}

static const struct load_case model_cases[] = {
	/* The body, id and lookups of a valid domain; domains are sorted by
	 * name. */
	{ .name = "a valid domain",
	  .yaml =
	  "policies:\n"
	  "  std:\n"
	  "    mode: none\n"
	  "    mx: [MX.example.net]\n"
	  "    max_age: 86400\n"
	  "domains:\n"
	  "  zz.example: std\n"
	  "  bücher.example:\n"
	  "    mode: none\n"
	  "    mx: [mx.example.net]\n"
	  "    max_age: 86400\n"
	  "  aa.example: std\n",
	  .bodies = { { "xn--bcher-kva.example", BODY("none",
	      MX("mx.example.net"), "86400") } },
	  .settings = {
	      "domains[xn--bcher-kva.example].pos=$DIR/main.yaml:8:3",
	      "policies[std].max_age=86400", "templates=std",
	      "policies[std].pos=$DIR/main.yaml:2:3",
	      "domains=aa.example xn--bcher-kva.example zz.example",
	      "valid_domains=3" },
	  .check = id_and_lookups },
	{ .name = "the id", .yaml = GOOD_DOMAINS,
	  .check = id_is_sha256_of_the_body },
	/* Domain names are validated. */
	{ .name = "domain names",
	  .yaml =
	  "domains:\n"
	  "  example:\n"
	  "    mode: none\n"
	  "    mx: [mx.example.net]\n"
	  "  \"*.example.com\":\n"
	  "    mode: none\n"
	  "    mx: [mx.example.net]\n"
	  "  example.com.:\n"
	  "    mode: none\n"
	  "    mx: [mx.example.net]\n"
	  "  Mixed.Case.Example:\n"
	  "    mode: none\n"
	  "    mx: [mx.example.net]\n",
	  .errors = 3,
	  .diags = {
	      ERR(2, 3, NULL, "domain: 'example' is a single label"),
	      ERR(5, 3, NULL, "'*'"),
	      ERR(8, 3, NULL, "trailing dot") },
	  .valid = "mixed.case.example",
	  .settings = { "domains=mixed.case.example" } },
};

TEST_NO_LEAK(config, model)
{
	RUN_CASES(model_cases);
}
