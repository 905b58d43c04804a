/*
 * config.c: loading YAML into the configuration model. Every validation rule
 * is exercised with an input it accepts and one it refuses, and every
 * diagnostic is checked for what an operator reads: severity, file, line and
 * column of the offending node, the domain or template it is about, and the
 * message. Files are written to a fresh directory per test.
 */
#include <arpa/inet.h>
#include <ftw.h>
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

/* ---- Files ------------------------------------------------------------- */

/* `unit_dir/rel`, caller frees. */
static char *
path_of(const char *rel)
{
	char *p = NULL;

	cr_assert_neq(asprintf(&p, "%s/%s", unit_dir, rel), -1);
	return p;
}

static void
write_file(const char *rel, const char *text)
{
	char	*path = path_of(rel);
	FILE	*fp;

	/* Create the parent directories of `rel`. */
	for (char *s = path + strlen(unit_dir) + 1; (s = strchr(s, '/')) != NULL;
	    s++) {
		*s = '\0';
		mkdir(path, 0700);
		*s = '/';
	}
	fp = fopen(path, "w");
	cr_assert_not_null(fp, "cannot write %s", path);
	cr_assert_geq(fputs(text, fp), 0);
	cr_assert_eq(fclose(fp), 0);
	free(path);
}

static struct config *
load_file(const char *rel)
{
	char		*path = path_of(rel);
	struct config	*cfg = config_load(path);

	free(path);
	cr_assert_not_null(cfg);
	return cfg;
}

/* Writes `yaml` as main.yaml and loads it. */
static struct config *
load(const char *yaml)
{
	write_file("main.yaml", yaml);
	return load_file("main.yaml");
}

TestSuite(config, .init = unit_setup, .fini = unit_teardown);

/* ---- Diagnostics ------------------------------------------------------- */

/* Every diagnostic in the compiler format, for failure messages. */
static char *
dump(const struct config *cfg)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&buf, &len);

	cr_assert_not_null(fp);
	diag_print(&cfg->cfg_diags, fp);
	fclose(fp);
	return buf;
}

static void
expect_counts(const struct config *cfg, size_t errors, size_t warnings)
{
	const struct diag_list *dl = &cfg->cfg_diags;

	if (dl->dl_errors != errors || dl->dl_warnings != warnings)
		cr_assert_fail("expected %zu errors and %zu warnings, got %zu "
		    "and %zu:\n%s", errors, warnings, dl->dl_errors,
		    dl->dl_warnings, dump(cfg));
	cr_assert_eq(dl->dl_count, errors + warnings);
}

static void
expect_clean(const struct config *cfg)
{
	expect_counts(cfg, 0, 0);
}

/* The one diagnostic of severity `sev` whose message contains `needle`. */
static const struct diag *
find_diag(const struct config *cfg, enum diag_severity sev, const char *needle)
{
	const struct diag	*found = NULL;
	size_t			 n = 0;

	for (size_t i = 0; i < cfg->cfg_diags.dl_count; i++) {
		const struct diag *d = &cfg->cfg_diags.dl_items[i];

		if (d->d_severity == sev && strstr(d->d_msg, needle) != NULL) {
			found = d;
			n++;
		}
	}
	if (n != 1)
		cr_assert_fail("expected one %s containing \"%s\", found %zu:\n%s",
		    sev == DIAG_ERROR ? "error" : "warning", needle, n,
		    dump(cfg));
	return found;
}

/*
 * Asserts that exactly one diagnostic of severity `sev` is in file `rel`
 * (relative to the test directory; NULL: about no file), at line:col, about
 * `subject` (NULL: none), with `needle` in its message.
 */
static const struct diag *
expect_diag(const struct config *cfg, enum diag_severity sev, const char *rel,
    unsigned line, unsigned col, const char *subject, const char *needle)
{
	char			*path = rel != NULL ? path_of(rel) : NULL;
	const struct diag	*found = NULL;
	size_t			 n = 0;

	for (size_t i = 0; i < cfg->cfg_diags.dl_count; i++) {
		const struct diag *d = &cfg->cfg_diags.dl_items[i];

		if (d->d_severity != sev || strstr(d->d_msg, needle) == NULL)
			continue;
		if ((path == NULL) != (d->d_file == NULL) ||
		    (path != NULL && strcmp(path, d->d_file) != 0))
			continue;
		if (d->d_line != line || d->d_col != col)
			continue;
		if ((subject == NULL) != (d->d_subject == NULL) ||
		    (subject != NULL && strcmp(subject, d->d_subject) != 0))
			continue;
		found = d;
		n++;
	}
	if (n != 1)
		cr_assert_fail("expected one %s at %s:%u:%u about %s saying "
		    "\"%s\", found %zu among:\n%s",
		    sev == DIAG_ERROR ? "error" : "warning",
		    path != NULL ? path : "(no file)", line, col,
		    subject != NULL ? subject : "(nothing)", needle, n,
		    dump(cfg));
	free(path);
	return found;
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

	cr_assert_not_null(d, "domain %s is not in the configuration", name);
	cr_assert_str_eq(d->dom_name, name);
	return d;
}

static struct policy_template *
tpl(const struct config *cfg, const char *name)
{
	struct policy_template *t = config_template(cfg, name);

	cr_assert_not_null(t, "template %s is not in the configuration", name);
	return t;
}

static void
expect_valid(const struct config *cfg, const char *name)
{
	const struct domain *d = dom(cfg, name);

	if (!d->dom_valid)
		cr_assert_fail("%s is not valid:\n%s", name, dump(cfg));
	cr_assert_not_null(d->dom_body);
	cr_assert_eq(strlen(d->dom_id), POLICY_ID_LEN);
}

static void
expect_invalid(const struct config *cfg, const char *name)
{
	cr_assert_not(dom(cfg, name)->dom_valid, "%s is valid", name);
}

static void
expect_body(const struct config *cfg, const char *name, const char *body)
{
	const struct domain *d = dom(cfg, name);

	expect_valid(cfg, name);
	cr_assert_str_eq(d->dom_body, body, "%s serves\n%s", name, d->dom_body);
	cr_assert_eq(d->dom_body_len, strlen(body));
}

static void
expect_strvec(const struct strvec *sv, const char *const *want, size_t n)
{
	cr_assert_eq(sv->sv_count, n, "%zu items, expected %zu", sv->sv_count, n);
	for (size_t i = 0; i < n; i++)
		cr_assert_str_eq(sv->sv_items[i], want[i]);
}

/* A valid domain other cases are checked not to disturb. */
#define GOOD_DOMAINS							\
	"domains:\n"							\
	"  ok.example:\n"						\
	"    mode: enforce\n"						\
	"    mx: [mx.example.net]\n"

/* ---- Unknown and duplicate keys, YAML --------------------------------- */

struct key_case {
	const char	*yaml;
	unsigned	 line, col;
	const char	*subject;
	const char	*msg;
	const char	*invalid;	/* a domain this makes invalid */
};

TEST_NO_LEAK(config, unknown_keys_are_errors_at_every_level)
{
	static const struct key_case cases[] = {
		{ "bogus: 1\n" GOOD_DOMAINS, 1, 1, NULL,
		  "unknown key 'bogus' in the configuration; expected one of: "
		  "server, limits, certificates, dns, acme, metrics, policies, "
		  "domains, include", NULL },
		{ "server:\n  listne: \"0.0.0.0:443\"\n" GOOD_DOMAINS, 2, 3,
		  NULL, "unknown key 'listne' in server; expected one of: "
		  "listen, user, group, workers, log, log_level, access_log, "
		  "seccomp",
		  NULL },
		{ "acme:\n  webrot: /srv\n" GOOD_DOMAINS, 2, 3, NULL,
		  "unknown key 'webrot' in acme; expected one of: listen, "
		  "webroot", NULL },
		{ "limits:\n  max_conections: 5\n" GOOD_DOMAINS, 2, 3, NULL,
		  "unknown key 'max_conections' in limits", NULL },
		{ "certificates:\n  - directory: /etc/certs\n    dir: /x\n"
		  GOOD_DOMAINS, 3, 5, NULL,
		  "unknown key 'dir' in a certificate source", NULL },
		{ "dns:\n  ttls: {}\n" GOOD_DOMAINS, 2, 3, NULL,
		  "unknown key 'ttls' in dns", NULL },
		{ "dns:\n  ttl:\n    policyid: 5\n" GOOD_DOMAINS, 3, 5, NULL,
		  "unknown key 'policyid' in dns ttl", NULL },
		{ "dns:\n  policy_host:\n    name: mta-sts.hoster.example\n"
		  GOOD_DOMAINS, 3, 5, NULL,
		  "unknown key 'name' in policy_host", NULL },
		{ "dns:\n  tlsrpt:\n    ruf: [mailto:a@example.net]\n"
		  GOOD_DOMAINS, 3, 5, NULL, "unknown key 'ruf' in tlsrpt", NULL },
		{ "dns:\n  delegation:\n    zones: policies.example.net\n"
		  GOOD_DOMAINS, 3, 5, NULL,
		  "unknown key 'zones' in delegation", NULL },
		{ "policies:\n  t:\n    mode: none\n    mx: [mx.example.net]\n"
		  "    maxage: 86400\n" GOOD_DOMAINS, 5, 5, "policy 't'",
		  "unknown key 'maxage' in a policy template", NULL },
		{ "domains:\n  bad.example:\n    mode: none\n"
		  "    mx: [mx.example.net]\n    zonee: bad.example\n"
		  "  ok.example:\n    mode: enforce\n    mx: [mx.example.net]\n",
		  5, 5, "bad.example", "unknown key 'zonee' in a domain",
		  "bad.example" },
		{ "domains:\n  bad.example:\n    mode: none\n"
		  "    mx: [mx.example.net]\n    tlsrpt:\n      rue: []\n"
		  "  ok.example:\n    mode: enforce\n    mx: [mx.example.net]\n",
		  6, 7, "bad.example", "unknown key 'rue' in tlsrpt",
		  "bad.example" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct key_case	*kc = &cases[i];
		struct config		*cfg = load(kc->yaml);

		expect_counts(cfg, 1, 0);
		expect_diag(cfg, DIAG_ERROR, "main.yaml", kc->line, kc->col,
		    kc->subject, kc->msg);
		expect_valid(cfg, "ok.example");
		if (kc->invalid != NULL)
			expect_invalid(cfg, kc->invalid);
		config_free(cfg);
	}
}

TEST_NO_LEAK(config, every_documented_key_is_accepted)
{
	static const char *const rua_b[] = { "https://reports.b.example/x" };
	static const char *const rua_default[] = {
	    "mailto:tlsrpt@hoster.example" };
	struct config		*cfg;
	struct domain		*a, *b;
	char			*certs;

	write_file("domains.d/c.yaml",
	    "policies:\n"
	    "  other:\n"
	    "    mode: testing\n"
	    "    mx: [mx.other.example]\n"
	    "domains:\n"
	    "  c.example: other\n");
	cfg = load(
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
	    "include: [domains.d/*.yaml]\n");
	expect_clean(cfg);

	cr_assert_eq(cfg->cfg_nlisten, 2);
	cr_assert_str_eq(cfg->cfg_listen[0].la_text, "192.0.2.1:443");
	cr_assert_str_eq(cfg->cfg_listen[1].la_text, "[2001:db8::1]:8443");
	cr_assert_str_eq(cfg->cfg_user, "www-data");
	cr_assert_str_eq(cfg->cfg_group, "www-data");
	cr_assert_eq(cfg->cfg_workers, 4);
	cr_assert_eq(cfg->cfg_log_target, LOG_TARGET_SYSLOG);
	cr_assert_eq(cfg->cfg_log_level, LOG_LEVEL_DEBUG);
	cr_assert_eq(cfg->cfg_limits.lim_max_connections, 500);
	cr_assert_eq(cfg->cfg_limits.lim_max_connections_per_address, 10);
	cr_assert_eq(cfg->cfg_limits.lim_handshake_timeout, 5);
	cr_assert_eq(cfg->cfg_limits.lim_idle_timeout, 60);
	cr_assert_eq(cfg->cfg_limits.lim_max_requests_per_connection, 20);
	cr_assert_eq(cfg->cfg_ncerts, 2);
	certs = path_of("certs");
	cr_assert_str_eq(cfg->cfg_certs[0].csrc_directory, certs);
	free(certs);
	cr_assert_null(cfg->cfg_certs[0].csrc_cert);
	cr_assert_str_eq(cfg->cfg_certs[1].csrc_cert, "/etc/ssl/a.pem");
	cr_assert_str_eq(cfg->cfg_certs[1].csrc_key, "/etc/ssl/a.key");
	cr_assert_null(cfg->cfg_certs[1].csrc_directory);
	cr_assert_eq(cfg->cfg_dns.dns_ttl_policy_id, 60);
	cr_assert_eq(cfg->cfg_dns.dns_ttl_tlsrpt, 7200);
	cr_assert_eq(cfg->cfg_dns.dns_ttl_policy_host, 86400);
	cr_assert_str_eq(cfg->cfg_dns.dns_host_cname, "mta-sts.hoster.example");
	expect_strvec(&cfg->cfg_dns.dns_rua, rua_default, 1);
	cr_assert_str_eq(cfg->cfg_dns.dns_delegation_zone,
	    "policies.hoster.example");

	cr_assert_eq(cfg->cfg_ndomains, 3);
	cr_assert_eq(config_valid_domains(cfg), 3);
	cr_assert_eq(cfg->cfg_ntemplates, 2);
	a = dom(cfg, "a.example");
	b = dom(cfg, "b.example");
	expect_body(cfg, "a.example", "version: STSv1\r\nmode: enforce\r\n"
	    "mx: mx1.hoster.example\r\nmx: *.mx.hoster.example\r\n"
	    "max_age: 1209600\r\n");
	cr_assert(a->dom_delegate);
	expect_strvec(&a->dom_rua, rua_default, 1);
	expect_body(cfg, "b.example", "version: STSv1\r\nmode: testing\r\n"
	    "mx: mx.b.example\r\nmax_age: 86400\r\n");
	cr_assert_not(b->dom_delegate);
	cr_assert_str_eq(b->dom_zone, "b.example");
	expect_strvec(&b->dom_rua, rua_b, 1);
	expect_body(cfg, "c.example", "version: STSv1\r\nmode: testing\r\n"
	    "mx: mx.other.example\r\nmax_age: 604800\r\n");
	config_free(cfg);
}

TEST_NO_LEAK(config, duplicate_keys_are_errors_and_the_first_value_stays)
{
	struct config *cfg;

	cfg = load("server:\n  user: alice\n  user: bob\n" GOOD_DOMAINS);
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 3, 3, NULL,
	    "duplicate key 'user' in server (first at line 2)");
	cr_assert_str_eq(cfg->cfg_user, "alice");
	config_free(cfg);

	cfg = load("limits:\n  idle_timeout: 5\nlimits:\n  idle_timeout: 6\n"
	    GOOD_DOMAINS);
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 3, 1, NULL,
	    "duplicate key 'limits' in the configuration (first at line 1)");
	cr_assert_eq(cfg->cfg_limits.lim_idle_timeout, 5);
	expect_valid(cfg, "ok.example");
	config_free(cfg);

	cfg = load(
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: none\n"
	    "    mx: [mx.example.net]\n"
	    "    mode: testing\n"
	    "  ok.example:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net]\n");
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 5, 5, "a.example",
	    "duplicate key 'mode' in a domain (first at line 3)");
	expect_invalid(cfg, "a.example");
	expect_valid(cfg, "ok.example");
	config_free(cfg);

	cfg = load(
	    "policies:\n"
	    "  t:\n"
	    "    mode: none\n"
	    "    mx: [mx.example.net]\n"
	    "    mx: [mx2.example.net]\n"
	    GOOD_DOMAINS);
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 5, 5, "policy 't'",
	    "duplicate key 'mx' in a policy template (first at line 4)");
	cr_assert_not(tpl(cfg, "t")->tpl_valid);
	config_free(cfg);
}

TEST_NO_LEAK(config, yaml_syntax_error_has_its_position)
{
	struct config *cfg;

	cfg = load(
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: none\n"
	    "   mx: [mx.example.net]\n");
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 4, 4, NULL,
	    "YAML syntax: did not find expected key");
	cr_assert_eq(cfg->cfg_ndomains, 0);
	config_free(cfg);

	/* A tab cannot indent YAML. */
	cfg = load("domains:\n\ta.example: t\n");
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 1, NULL,
	    "found character that cannot start any token");
	config_free(cfg);

	cfg = load(GOOD_DOMAINS "  b.example: \"unterminated\n");
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 6, 1, NULL,
	    "while scanning a quoted scalar");
	config_free(cfg);
}

TEST_NO_LEAK(config, aliases_are_refused_anchors_alone_are_harmless)
{
	struct config *cfg;

	cfg = load(
	    "policies:\n"
	    "  p: &shared\n"
	    "    mode: none\n"
	    "    mx: [mx.example.net]\n"
	    "  q: *shared\n"
	    GOOD_DOMAINS);
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 5, 6, NULL,
	    "YAML aliases (*shared) are not supported");
	cr_assert_eq(cfg->cfg_ndomains, 0);
	config_free(cfg);

	cfg = load(
	    "policies:\n"
	    "  p: &shared\n"
	    "    mode: none\n"
	    "    mx: [mx.example.net]\n"
	    GOOD_DOMAINS);
	expect_clean(cfg);
	cr_assert(tpl(cfg, "p")->tpl_valid);
	config_free(cfg);
}

TEST_NO_LEAK(config, one_yaml_document_per_file)
{
	struct config *cfg;

	cfg = load(GOOD_DOMAINS "---\nserver: {}\n");
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 5, 1, NULL,
	    "a second YAML document");
	cr_assert_eq(cfg->cfg_ndomains, 0);
	config_free(cfg);

	/* Explicit start and end markers around one document are fine. */
	cfg = load("---\n" GOOD_DOMAINS "...\n");
	expect_clean(cfg);
	expect_valid(cfg, "ok.example");
	config_free(cfg);
}

/* ---- Policies ---------------------------------------------------------- */

TEST_NO_LEAK(config, mode_values_are_case_sensitive)
{
	static const char *const modes[] = { "enforce", "testing", "none" };
	struct config	*cfg;
	char		 yaml[256], body[256];

	for (size_t i = 0; i < 3; i++) {
		snprintf(yaml, sizeof(yaml), "domains:\n  a.example:\n"
		    "    mode: %s\n    mx: [mx.example.net]\n", modes[i]);
		snprintf(body, sizeof(body), "version: STSv1\r\nmode: %s\r\n"
		    "mx: mx.example.net\r\nmax_age: 604800\r\n", modes[i]);
		cfg = load(yaml);
		expect_clean(cfg);
		expect_body(cfg, "a.example", body);
		cr_assert_eq(dom(cfg, "a.example")->dom_policy.pol_mode,
		    (enum policy_mode)i);
		config_free(cfg);
	}

	cfg = load(
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: Enforce\n"
	    "    mx: [mx.example.net]\n"
	    "  ok.example:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net]\n");
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 3, 11, "a.example",
	    "mode 'Enforce' is not one of enforce, testing, none");
	expect_invalid(cfg, "a.example");
	expect_valid(cfg, "ok.example");
	config_free(cfg);

	cfg = load(
	    "policies:\n"
	    "  t:\n"
	    "    mode: TESTING\n"
	    "    mx: [mx.example.net]\n"
	    GOOD_DOMAINS);
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 3, 11, "policy 't'",
	    "mode 'TESTING' is not one of");
	cr_assert_not(tpl(cfg, "t")->tpl_valid);
	config_free(cfg);

	cfg = load("domains:\n  a.example:\n    mode:\n    mx: [mx.example.net]\n");
	expect_counts(cfg, 1, 0);
	find_diag(cfg, DIAG_ERROR, "mode must be a single value, not an "
	    "empty value");
	expect_invalid(cfg, "a.example");
	config_free(cfg);
}

TEST_NO_LEAK(config, max_age_above_one_year_is_an_error)
{
	struct config *cfg;

	cfg = load(
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: testing\n"
	    "    mx: [mx.example.net]\n"
	    "    max_age: 31557601\n"
	    "  b.example:\n"
	    "    mode: testing\n"
	    "    mx: [mx.example.net]\n"
	    "    max_age: 31557600\n");
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 5, 14, "a.example",
	    "max_age is 31557601; it must be from 0 to 31557600");
	expect_invalid(cfg, "a.example");
	expect_body(cfg, "b.example", "version: STSv1\r\nmode: testing\r\n"
	    "mx: mx.example.net\r\nmax_age: 31557600\r\n");
	config_free(cfg);

	cfg = load(
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: testing\n"
	    "    mx: [mx.example.net]\n"
	    "    max_age: 1w\n"
	    "  b.example:\n"
	    "    mode: testing\n"
	    "    mx: [mx.example.net]\n"
	    "    max_age: -1\n");
	expect_counts(cfg, 2, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 5, 14, "a.example",
	    "max_age must be a whole number, not '1w'");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 9, 14, "b.example",
	    "max_age must be a whole number, not '-1'");
	config_free(cfg);
}

TEST_NO_LEAK(config, max_age_below_a_day_is_a_warning)
{
	struct config		*cfg;
	const struct diag	*d;

	cfg = load(
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: testing\n"
	    "    mx: [mx.example.net]\n"
	    "    max_age: 86399\n"
	    "  b.example:\n"
	    "    mode: testing\n"
	    "    mx: [mx.example.net]\n"
	    "    max_age: 86400\n");
	expect_counts(cfg, 0, 1);
	expect_diag(cfg, DIAG_WARNING, "main.yaml", 5, 14, "a.example",
	    "max_age 86399 is less than a day (86400)");
	/* A warning does not stop the domain from being served. */
	expect_valid(cfg, "a.example");
	expect_valid(cfg, "b.example");
	config_free(cfg);

	/* In enforce mode, only the stronger of the two warnings. */
	cfg = load(
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net]\n"
	    "    max_age: 3600\n");
	expect_counts(cfg, 0, 1);
	d = expect_diag(cfg, DIAG_WARNING, "main.yaml", 5, 14, "a.example",
	    "max_age 3600 is less than a day");
	cr_assert_null(strstr(d->d_msg, "enforce"));
	config_free(cfg);
}

TEST_NO_LEAK(config, enforce_below_a_week_is_a_warning)
{
	struct config *cfg;

	cfg = load(
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
	    "    max_age: 86400\n");
	expect_counts(cfg, 0, 1);
	expect_diag(cfg, DIAG_WARNING, "main.yaml", 5, 14, "a.example",
	    "max_age 604799 in enforce mode is less than a week (604800)");
	expect_valid(cfg, "a.example");
	config_free(cfg);
}

TEST_NO_LEAK(config, max_age_warnings_on_templates_are_given_once)
{
	struct config *cfg;

	cfg = load(
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
	    "    mx: [mx.c.example]\n");
	expect_counts(cfg, 0, 1);
	expect_diag(cfg, DIAG_WARNING, "main.yaml", 5, 14, "policy 'short'",
	    "max_age 3600 is less than a day");
	expect_valid(cfg, "a.example");
	expect_valid(cfg, "c.example");
	config_free(cfg);

	/* A domain that switches a short-lived template to enforce is told,
	 * at the domain since it set no max_age of its own. */
	cfg = load(
	    "policies:\n"
	    "  t:\n"
	    "    mode: testing\n"
	    "    mx: [mx.example.net]\n"
	    "    max_age: 86400\n"
	    "domains:\n"
	    "  a.example:\n"
	    "    policy: t\n"
	    "    mode: enforce\n");
	expect_counts(cfg, 0, 1);
	expect_diag(cfg, DIAG_WARNING, "main.yaml", 7, 3, "a.example",
	    "max_age 86400 in enforce mode is less than a week");
	config_free(cfg);
}

TEST_NO_LEAK(config, max_age_defaults_to_a_week)
{
	struct config *cfg;

	cfg = load(
	    "policies:\n"
	    "  t:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net]\n"
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net]\n"
	    "  b.example: t\n");
	expect_clean(cfg);
	cr_assert_eq(tpl(cfg, "t")->tpl_policy.pol_max_age, 604800);
	cr_assert_eq(dom(cfg, "a.example")->dom_policy.pol_max_age, 604800);
	expect_body(cfg, "a.example", "version: STSv1\r\nmode: enforce\r\n"
	    "mx: mx.example.net\r\nmax_age: 604800\r\n");
	expect_body(cfg, "b.example", "version: STSv1\r\nmode: enforce\r\n"
	    "mx: mx.example.net\r\nmax_age: 604800\r\n");
	/* The same bytes, so the same id. */
	cr_assert_str_eq(dom(cfg, "a.example")->dom_id,
	    dom(cfg, "b.example")->dom_id);
	config_free(cfg);
}

TEST_NO_LEAK(config, mx_is_required_even_with_mode_none)
{
	struct config *cfg;

	cfg = load(
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: none\n"
	    "  ok.example:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net]\n");
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 3, "a.example",
	    "no 'mx': every policy needs at least one mx pattern, even with "
	    "mode none");
	expect_invalid(cfg, "a.example");
	expect_valid(cfg, "ok.example");
	config_free(cfg);

	cfg = load(
	    "policies:\n"
	    "  t:\n"
	    "    mode: none\n"
	    GOOD_DOMAINS);
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 3, "policy 't'",
	    "the template has no 'mx'");
	cr_assert_not(tpl(cfg, "t")->tpl_valid);
	config_free(cfg);

	cfg = load(
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: none\n"
	    "    mx: []\n");
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 4, 9, "a.example",
	    "mx must list at least one pattern");
	expect_invalid(cfg, "a.example");
	config_free(cfg);

	/* A single pattern may be written without a list. */
	cfg = load(
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: none\n"
	    "    mx: MX.Example.NET\n");
	expect_clean(cfg);
	expect_body(cfg, "a.example", "version: STSv1\r\nmode: none\r\n"
	    "mx: mx.example.net\r\nmax_age: 604800\r\n");
	config_free(cfg);
}

TEST_NO_LEAK(config, template_needs_a_mode)
{
	struct config *cfg;

	cfg = load(
	    "policies:\n"
	    "  t:\n"
	    "    mx: [mx.example.net]\n"
	    GOOD_DOMAINS);
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 3, "policy 't'",
	    "the template has no 'mode'");
	cr_assert_not(tpl(cfg, "t")->tpl_valid);
	config_free(cfg);
}

TEST_NO_LEAK(config, mx_patterns_are_validated_and_normalised)
{
	struct config *cfg;

	cfg = load(
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net, mx_2.example.net]\n"
	    "  b.example:\n"
	    "    mode: enforce\n"
	    "    mx: [\"*.Example.NET\", MX.bücher.example]\n");
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 4, 26, "a.example",
	    "mx: 'mx_2.example.net' contains '_'");
	expect_invalid(cfg, "a.example");
	expect_body(cfg, "b.example", "version: STSv1\r\nmode: enforce\r\n"
	    "mx: *.example.net\r\nmx: mx.xn--bcher-kva.example\r\n"
	    "max_age: 604800\r\n");
	config_free(cfg);
}

TEST_NO_LEAK(config, duplicate_mx_pattern_is_an_error)
{
	struct config *cfg;

	cfg = load(
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net, MX.Example.net]\n"
	    "  b.example:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net, \"*.example.net\"]\n");
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 4, 26, "a.example",
	    "mx 'mx.example.net' is listed twice");
	expect_invalid(cfg, "a.example");
	/* A host and a wildcard covering it are different patterns. */
	expect_valid(cfg, "b.example");
	config_free(cfg);
}

TEST_NO_LEAK(config, inline_domain_needs_a_mode)
{
	struct config *cfg;

	cfg = load(
	    "domains:\n"
	    "  a.example:\n"
	    "    mx: [mx.example.net]\n"
	    "    max_age: 86400\n"
	    "  b.example: {}\n"
	    "  c.example:\n"
	    "  ok.example:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net]\n");
	expect_counts(cfg, 3, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 3, "a.example",
	    "no policy: name a template with 'policy:', or set 'mode'");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 5, 3, "b.example",
	    "no policy: name a template with 'policy:', or set 'mode'");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 6, 13, "c.example",
	    "a domain needs a policy");
	expect_invalid(cfg, "a.example");
	expect_invalid(cfg, "b.example");
	expect_invalid(cfg, "c.example");
	expect_valid(cfg, "ok.example");
	config_free(cfg);
}

/* ---- Templates --------------------------------------------------------- */

TEST_NO_LEAK(config, reference_to_an_undefined_template)
{
	struct config *cfg;

	cfg = load(
	    "policies:\n"
	    "  std:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net]\n"
	    "domains:\n"
	    "  a.example: nope\n"
	    "  b.example:\n"
	    "    policy: missing\n"
	    "    mode: testing\n"
	    "  c.example: std\n");
	expect_counts(cfg, 2, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 6, 14, "a.example",
	    "policy template 'nope' is not defined under 'policies:'");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 8, 13, "b.example",
	    "policy template 'missing' is not defined");
	expect_invalid(cfg, "a.example");
	expect_invalid(cfg, "b.example");
	expect_valid(cfg, "c.example");
	config_free(cfg);
}

TEST_NO_LEAK(config, domain_on_an_invalid_template_is_invalid_without_its_own_error)
{
	struct config *cfg;

	cfg = load(
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
	    "  c.example: good\n");
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 3, 11, "policy 'broken'",
	    "mode 'Enforce'");
	cr_assert_not(tpl(cfg, "broken")->tpl_valid);
	cr_assert(tpl(cfg, "good")->tpl_valid);
	expect_invalid(cfg, "a.example");
	expect_invalid(cfg, "b.example");
	cr_assert_eq(diags_about(cfg, "a.example"), 0);
	cr_assert_eq(diags_about(cfg, "b.example"), 0);
	expect_valid(cfg, "c.example");
	cr_assert_eq(config_valid_domains(cfg), 1);
	config_free(cfg);
}

TEST_NO_LEAK(config, template_shorthand_uses_the_template_as_it_is)
{
	struct config		*cfg;
	struct domain		*d;
	struct policy_template	*t;
	char			*body, id[POLICY_ID_LEN + 1];
	size_t			 len;

	cfg = load(
	    "policies:\n"
	    "  hoster-mx:\n"
	    "    mode: enforce\n"
	    "    mx: [mx1.hoster.example, mx2.hoster.example]\n"
	    "    max_age: 1209600\n"
	    "domains:\n"
	    "  a.example: hoster-mx\n"
	    "  b.example:\n"
	    "    policy: hoster-mx\n");
	expect_clean(cfg);
	t = tpl(cfg, "hoster-mx");
	body = policy_render(&t->tpl_policy, &len);
	policy_id(body, len, id);
	for (int i = 0; i < 2; i++) {
		d = dom(cfg, i == 0 ? "a.example" : "b.example");
		expect_body(cfg, d->dom_name, body);
		cr_assert_str_eq(d->dom_id, id);
		cr_assert_str_eq(d->dom_template, "hoster-mx");
		cr_assert_not(d->dom_overrides);
		cr_assert_str_eq(config_delegation_key(d), "hoster-mx");
	}
	free(body);
	config_free(cfg);
}

TEST_NO_LEAK(config, a_domain_overrides_template_fields)
{
	struct config		*cfg;
	struct policy_template	*t;

	cfg = load(
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
	    "  plain.example: t\n");
	expect_clean(cfg);
	expect_body(cfg, "m.example", "version: STSv1\r\nmode: testing\r\n"
	    "mx: mx1.example.net\r\nmx: mx2.example.net\r\nmax_age: 1209600\r\n");
	expect_body(cfg, "x.example", "version: STSv1\r\nmode: enforce\r\n"
	    "mx: mail.x.example\r\nmax_age: 1209600\r\n");
	expect_body(cfg, "g.example", "version: STSv1\r\nmode: enforce\r\n"
	    "mx: mx1.example.net\r\nmx: mx2.example.net\r\nmax_age: 2419200\r\n");
	expect_body(cfg, "all.example", "version: STSv1\r\nmode: none\r\n"
	    "mx: *.all.example\r\nmax_age: 86400\r\n");
	for (int i = 0; i < 4; i++) {
		static const char *const names[] = { "m.example", "x.example",
		    "g.example", "all.example" };
		struct domain *d = dom(cfg, names[i]);

		cr_assert(d->dom_overrides, "%s", names[i]);
		cr_assert_str_eq(d->dom_template, "t");
		/* Its own bytes, so its own delegation record. */
		cr_assert_str_eq(config_delegation_key(d), names[i]);
		cr_assert_str_neq(d->dom_id, dom(cfg, "plain.example")->dom_id);
	}
	/* The template itself is untouched by the overrides. */
	t = tpl(cfg, "t");
	cr_assert_eq(t->tpl_policy.pol_mode, POLICY_MODE_ENFORCE);
	cr_assert_eq(t->tpl_policy.pol_max_age, 1209600);
	cr_assert_eq(t->tpl_policy.pol_mx.sv_count, 2);
	cr_assert_not(dom(cfg, "plain.example")->dom_overrides);
	config_free(cfg);
}

TEST_NO_LEAK(config, inline_policy_delegation_key_is_the_domain)
{
	struct config *cfg = load(GOOD_DOMAINS);

	expect_clean(cfg);
	cr_assert_null(dom(cfg, "ok.example")->dom_template);
	cr_assert_str_eq(config_delegation_key(dom(cfg, "ok.example")),
	    "ok.example");
	config_free(cfg);
}

TEST_NO_LEAK(config, template_names_are_one_dns_label)
{
	struct config *cfg;

	cfg = load(
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
	    GOOD_DOMAINS);
	expect_counts(cfg, 2, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 3, NULL,
	    "one DNS label of letters, digits and '-' (it names the "
	    "delegation record), not 'bad.name'");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 5, 3, NULL, "not 'bad_name'");
	cr_assert_null(config_template(cfg, "bad.name"));
	cr_assert(tpl(cfg, "good-name-2")->tpl_valid);
	config_free(cfg);
}

/* ---- TLS-RPT ----------------------------------------------------------- */

TEST_NO_LEAK(config, tlsrpt_default_and_per_domain_override)
{
	static const char *const def[] = { "mailto:tlsrpt@hoster.example",
	    "https://reports.hoster.example/v1" };
	static const char *const own[] = { "mailto:tls@b.example" };
	struct config *cfg;

	cfg = load(
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
	    "      rua: []\n");
	expect_clean(cfg);
	expect_strvec(&cfg->cfg_dns.dns_rua, def, 2);
	expect_strvec(&dom(cfg, "a.example")->dom_rua, def, 2);
	/* An override replaces the default, it does not add to it. */
	expect_strvec(&dom(cfg, "b.example")->dom_rua, own, 1);
	/* `rua: []` means no TLS-RPT record for this domain. */
	cr_assert_eq(dom(cfg, "c.example")->dom_rua.sv_count, 0);
	config_free(cfg);

	/* Without a default, a domain has no rua. */
	cfg = load(GOOD_DOMAINS);
	cr_assert_eq(dom(cfg, "ok.example")->dom_rua.sv_count, 0);
	config_free(cfg);
}

TEST_NO_LEAK(config, tlsrpt_uris_are_checked)
{
	struct config *cfg;

	cfg = load(
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
	    "      rua: [\"mailto:a%2Cb@b.example\"]\n");
	expect_counts(cfg, 2, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 3, 11, NULL,
	    "rua: 'mailto:a,b@hoster.example' contains ','; write it "
	    "percent-encoded as %2C");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 9, 34, "a.example",
	    "'http://reports.a.example/' is neither a mailto: nor an https:");
	expect_invalid(cfg, "a.example");
	expect_valid(cfg, "b.example");
	config_free(cfg);
}

/* ---- Zones and delegation ---------------------------------------------- */

TEST_NO_LEAK(config, zone_is_the_domain_or_a_parent)
{
	struct config *cfg;

	cfg = load(
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
	    "    zone: sub.f.example\n");
	expect_counts(cfg, 3, 0);
	cr_assert_str_eq(dom(cfg, "mail.example.com")->dom_zone, "example.com");
	cr_assert_str_eq(dom(cfg, "b.example")->dom_zone, "b.example");
	cr_assert_str_eq(dom(cfg, "c.example")->dom_zone, "c.example");
	expect_valid(cfg, "mail.example.com");
	expect_valid(cfg, "b.example");
	expect_valid(cfg, "c.example");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 16, 11, "d.example",
	    "zone 'other.example' does not contain the domain");
	/* A suffix that is not on a label boundary is not a parent. */
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 20, 11, "ample.com",
	    "zone 'xample.com' does not contain the domain");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 24, 11, "f.example",
	    "zone 'sub.f.example' does not contain the domain");
	expect_invalid(cfg, "d.example");
	expect_invalid(cfg, "ample.com");
	expect_invalid(cfg, "f.example");
	config_free(cfg);
}

TEST_NO_LEAK(config, delegation)
{
	struct config *cfg;

	/* delegate: true needs a zone to delegate to. */
	cfg = load(
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
	    "    mx: [mx.example.net]\n");
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 5, 15, "a.example",
	    "delegate: true needs a hoster zone in dns: delegation: zone");
	expect_invalid(cfg, "a.example");
	expect_valid(cfg, "b.example");
	cr_assert_not(dom(cfg, "b.example")->dom_delegate);
	cr_assert_not(dom(cfg, "c.example")->dom_delegate);
	config_free(cfg);

	/* With a zone, domains delegate unless they opt out. */
	cfg = load(
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
	    "    delegate: yes\n");
	expect_counts(cfg, 1, 0);
	cr_assert_str_eq(cfg->cfg_dns.dns_delegation_zone,
	    "policies.hoster.example");
	cr_assert(dom(cfg, "a.example")->dom_delegate);
	cr_assert_not(dom(cfg, "b.example")->dom_delegate);
	cr_assert(dom(cfg, "c.example")->dom_delegate);
	expect_valid(cfg, "a.example");
	expect_valid(cfg, "b.example");
	expect_valid(cfg, "c.example");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 19, 15, "d.example",
	    "delegate must be true or false, not 'yes'");
	expect_invalid(cfg, "d.example");
	config_free(cfg);

	cfg = load("dns:\n  delegation:\n    zone: hoster\n" GOOD_DOMAINS);
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 3, 11, NULL,
	    "delegation zone: 'hoster' is a single label");
	config_free(cfg);
}

/* ---- dns: -------------------------------------------------------------- */

TEST_NO_LEAK(config, policy_host_cname_or_addresses)
{
	static const char *const addrs[] = { "192.0.2.10", "2001:db8::10" };
	struct config *cfg;

	cfg = load("dns:\n  policy_host:\n    cname: MTA-STS.Hoster.example\n"
	    GOOD_DOMAINS);
	expect_clean(cfg);
	cr_assert_str_eq(cfg->cfg_dns.dns_host_cname, "mta-sts.hoster.example");
	cr_assert_eq(cfg->cfg_dns.dns_host_addresses.sv_count, 0);
	config_free(cfg);

	/* IPv6 addresses are stored in their canonical text form. */
	cfg = load("dns:\n  policy_host:\n"
	    "    addresses: [192.0.2.10, \"2001:DB8:0:0::0:10\"]\n" GOOD_DOMAINS);
	expect_clean(cfg);
	cr_assert_null(cfg->cfg_dns.dns_host_cname);
	expect_strvec(&cfg->cfg_dns.dns_host_addresses, addrs, 2);
	config_free(cfg);

	cfg = load(
	    "dns:\n"
	    "  policy_host:\n"
	    "    cname: mta-sts.hoster.example\n"
	    "    addresses: [192.0.2.10]\n"
	    GOOD_DOMAINS);
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 3, 5, NULL,
	    "policy_host takes either 'cname' or 'addresses', not both");
	expect_valid(cfg, "ok.example");
	config_free(cfg);

	cfg = load(
	    "dns:\n"
	    "  policy_host:\n"
	    "    addresses:\n"
	    "      - 192.0.2.300\n"
	    "      - mta-sts.hoster.example\n"
	    "      - 2001:db8::10\n"
	    "      - 2001:DB8::10\n"
	    GOOD_DOMAINS);
	expect_counts(cfg, 3, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 4, 9, NULL,
	    "'192.0.2.300' is not an IPv4 or IPv6 address");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 5, 9, NULL,
	    "'mta-sts.hoster.example' is not an IPv4 or IPv6 address");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 7, 9, NULL,
	    "address '2001:DB8::10' is listed twice");
	config_free(cfg);

	cfg = load("dns:\n  policy_host:\n    addresses: []\n" GOOD_DOMAINS);
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 3, 16, NULL,
	    "policy_host addresses must list at least one address");
	config_free(cfg);

	cfg = load("dns:\n  policy_host:\n    cname: mta_sts.hoster.example\n"
	    GOOD_DOMAINS);
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 3, 12, NULL,
	    "policy_host cname: 'mta_sts.hoster.example' contains '_'");
	config_free(cfg);
}

TEST_NO_LEAK(config, ttl_ranges_and_defaults)
{
	struct config *cfg;

	cfg = load(GOOD_DOMAINS);
	cr_assert_eq(cfg->cfg_dns.dns_ttl_policy_id, 300);
	cr_assert_eq(cfg->cfg_dns.dns_ttl_tlsrpt, 3600);
	cr_assert_eq(cfg->cfg_dns.dns_ttl_policy_host, 3600);
	config_free(cfg);

	cfg = load("dns:\n  ttl:\n    policy_id: 0\n    tlsrpt: 2147483647\n"
	    "    policy_host: 60\n" GOOD_DOMAINS);
	expect_clean(cfg);
	cr_assert_eq(cfg->cfg_dns.dns_ttl_policy_id, 0);
	cr_assert_eq(cfg->cfg_dns.dns_ttl_tlsrpt, 2147483647u);
	cr_assert_eq(cfg->cfg_dns.dns_ttl_policy_host, 60);
	config_free(cfg);

	cfg = load(
	    "dns:\n"
	    "  ttl:\n"
	    "    policy_id: 2147483648\n"
	    "    tlsrpt: -1\n"
	    "    policy_host: 1h\n"
	    GOOD_DOMAINS);
	expect_counts(cfg, 3, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 3, 16, NULL,
	    "ttl policy_id is 2147483648; it must be from 0 to 2147483647");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 4, 13, NULL,
	    "ttl tlsrpt must be a whole number, not '-1'");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 5, 18, NULL,
	    "ttl policy_host must be a whole number, not '1h'");
	/* The defaults stay. */
	cr_assert_eq(cfg->cfg_dns.dns_ttl_policy_id, 300);
	cr_assert_eq(cfg->cfg_dns.dns_ttl_tlsrpt, 3600);
	expect_valid(cfg, "ok.example");
	config_free(cfg);

	cfg = load("dns:\n  ttl:\n    policy_id: 99999999999999999999999\n"
	    GOOD_DOMAINS);
	expect_counts(cfg, 1, 0);
	find_diag(cfg, DIAG_ERROR, "it must be from 0 to 2147483647");
	config_free(cfg);
}

/* ---- server: ------------------------------------------------------------ */

TEST_NO_LEAK(config, listen_addresses)
{
	static const char *const bad[] = { "localhost:443", "1.2.3.4",
	    "[::1]:0", ":443", "1.2.3.4:65536", "1.2.3.4:", "[::1]443",
	    "::1:443", "[1.2.3.4]:443", "1.2.3.4:44x", "[::1]:-1",
	    "1.2.3.4.5:443" };
	struct config		*cfg;
	struct sockaddr_in	*sin;
	struct sockaddr_in6	*sin6;
	char			 yaml[256];

	cfg = load("server:\n  listen:\n    - 0.0.0.0:443\n"
	    "    - \"[::1]:8443\"\n    - \"[2001:DB8:0::1]:443\"\n" GOOD_DOMAINS);
	expect_clean(cfg);
	cr_assert_eq(cfg->cfg_nlisten, 3);
	cr_assert_str_eq(cfg->cfg_listen[0].la_text, "0.0.0.0:443");
	cr_assert_str_eq(cfg->cfg_listen[1].la_text, "[::1]:8443");
	cr_assert_str_eq(cfg->cfg_listen[2].la_text, "[2001:db8::1]:443");
	sin = (struct sockaddr_in *)&cfg->cfg_listen[0].la_addr;
	cr_assert_eq(sin->sin_family, AF_INET);
	cr_assert_eq(ntohs(sin->sin_port), 443);
	cr_assert_eq(sin->sin_addr.s_addr, htonl(INADDR_ANY));
	cr_assert_eq(cfg->cfg_listen[0].la_addrlen, sizeof(*sin));
	sin6 = (struct sockaddr_in6 *)&cfg->cfg_listen[1].la_addr;
	cr_assert_eq(sin6->sin6_family, AF_INET6);
	cr_assert_eq(ntohs(sin6->sin6_port), 8443);
	cr_assert(IN6_IS_ADDR_LOOPBACK(&sin6->sin6_addr));
	cr_assert_eq(cfg->cfg_listen[1].la_addrlen, sizeof(*sin6));
	cr_assert_eq(cfg->cfg_listen[1].la_pos.sp_line, 4);
	config_free(cfg);

	/* One address may be given without a list. */
	cfg = load("server:\n  listen: 192.0.2.1:80\n" GOOD_DOMAINS);
	expect_clean(cfg);
	cr_assert_eq(cfg->cfg_nlisten, 1);
	cr_assert_str_eq(cfg->cfg_listen[0].la_text, "192.0.2.1:80");
	config_free(cfg);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char msg[128];

		snprintf(yaml, sizeof(yaml), "server:\n  listen:\n"
		    "    - \"%s\"\n" GOOD_DOMAINS, bad[i]);
		snprintf(msg, sizeof(msg), "listen '%s' is not ADDRESS:PORT",
		    bad[i]);
		cfg = load(yaml);
		expect_counts(cfg, 1, 0);
		expect_diag(cfg, DIAG_ERROR, "main.yaml", 3, 7, NULL, msg);
		config_free(cfg);
	}
}

TEST_NO_LEAK(config, listen_duplicates_and_default)
{
	struct config *cfg;

	cfg = load("server:\n  listen:\n    - \"[::1]:443\"\n"
	    "    - \"[0:0::1]:443\"\n    - 0.0.0.0:443\n    - 0.0.0.0:443\n"
	    GOOD_DOMAINS);
	expect_counts(cfg, 2, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 4, 7, NULL,
	    "listen '[0:0::1]:443' is listed twice");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 6, 7, NULL,
	    "listen '0.0.0.0:443' is listed twice");
	cr_assert_eq(cfg->cfg_nlisten, 2);
	config_free(cfg);

	cfg = load(GOOD_DOMAINS);
	expect_clean(cfg);
	cr_assert_eq(cfg->cfg_nlisten, 2);
	cr_assert_str_eq(cfg->cfg_listen[0].la_text, "0.0.0.0:443");
	cr_assert_str_eq(cfg->cfg_listen[1].la_text, "[::]:443");
	cr_assert_eq(((struct sockaddr_in *)&cfg->cfg_listen[0].la_addr)
	    ->sin_family, AF_INET);
	cr_assert_eq(ntohs(((struct sockaddr_in6 *)&cfg->cfg_listen[1].la_addr)
	    ->sin6_port), 443);
	config_free(cfg);

	cfg = load("server:\n  listen: []\n" GOOD_DOMAINS);
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 11, NULL,
	    "listen must name at least one address");
	config_free(cfg);
}

TEST_NO_LEAK(config, user_and_group)
{
	struct config *cfg;

	cfg = load(GOOD_DOMAINS);
	cr_assert_str_eq(cfg->cfg_user, "mta-sts-hostd");
	cr_assert_str_eq(cfg->cfg_group, "mta-sts-hostd");
	config_free(cfg);

	cfg = load("server:\n  user: _mtasts\n  group: nogroup\n" GOOD_DOMAINS);
	expect_clean(cfg);
	cr_assert_str_eq(cfg->cfg_user, "_mtasts");
	cr_assert_str_eq(cfg->cfg_group, "nogroup");
	config_free(cfg);

	cfg = load("server:\n  user: root\n  group: root\n" GOOD_DOMAINS);
	expect_counts(cfg, 2, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 9, NULL,
	    "user must not be root");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 3, 10, NULL,
	    "group must not be root");
	/* Never left as root: the defaults apply. */
	cr_assert_str_eq(cfg->cfg_user, "mta-sts-hostd");
	cr_assert_str_eq(cfg->cfg_group, "mta-sts-hostd");
	config_free(cfg);

	cfg = load("server:\n  user: 0\n  group: 0\n" GOOD_DOMAINS);
	expect_counts(cfg, 2, 0);
	find_diag(cfg, DIAG_ERROR, "user must not be root");
	find_diag(cfg, DIAG_ERROR, "group must not be root");
	config_free(cfg);
}

TEST_NO_LEAK(config, workers_range)
{
	struct config *cfg;

	cfg = load(GOOD_DOMAINS);
	cr_assert_eq(cfg->cfg_workers, 0);
	config_free(cfg);

	cfg = load("server:\n  workers: 256\n" GOOD_DOMAINS);
	expect_clean(cfg);
	cr_assert_eq(cfg->cfg_workers, 256);
	config_free(cfg);

	cfg = load("server:\n  workers: 0\n" GOOD_DOMAINS);
	expect_clean(cfg);
	config_free(cfg);

	cfg = load("server:\n  workers: 257\n" GOOD_DOMAINS);
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 12, NULL,
	    "workers is 257; it must be from 0 to 256");
	config_free(cfg);

	cfg = load("server:\n  workers: four\n" GOOD_DOMAINS);
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 12, NULL,
	    "workers must be a whole number, not 'four'");
	config_free(cfg);

	cfg = load("server:\n  workers: [1]\n" GOOD_DOMAINS);
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 12, NULL,
	    "workers must be a single value, not a list");
	config_free(cfg);
}

TEST_NO_LEAK(config, log_target_and_level)
{
	static const char *const levels[] = { "error", "warning", "info",
	    "debug" };
	struct config	*cfg;
	char		 yaml[256];

	cfg = load(GOOD_DOMAINS);
	cr_assert_eq(cfg->cfg_log_target, LOG_TARGET_STDERR);
	cr_assert_eq(cfg->cfg_log_level, LOG_LEVEL_INFO);
	config_free(cfg);

	cfg = load("server:\n  log: syslog\n" GOOD_DOMAINS);
	expect_clean(cfg);
	cr_assert_eq(cfg->cfg_log_target, LOG_TARGET_SYSLOG);
	config_free(cfg);
	cfg = load("server:\n  log: stderr\n" GOOD_DOMAINS);
	expect_clean(cfg);
	cr_assert_eq(cfg->cfg_log_target, LOG_TARGET_STDERR);
	config_free(cfg);

	for (size_t i = 0; i < 4; i++) {
		snprintf(yaml, sizeof(yaml), "server:\n  log_level: %s\n"
		    GOOD_DOMAINS, levels[i]);
		cfg = load(yaml);
		expect_clean(cfg);
		cr_assert_eq(cfg->cfg_log_level, (enum log_level)i);
		config_free(cfg);
	}

	cfg = load("server:\n  log: /var/log/mta-sts.log\n  log_level: INFO\n"
	    GOOD_DOMAINS);
	expect_counts(cfg, 2, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 8, NULL,
	    "log '/var/log/mta-sts.log' is not stderr or syslog");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 3, 14, NULL,
	    "log_level 'INFO' is not error, warning, info or debug");
	config_free(cfg);
}

/* ---- limits: ----------------------------------------------------------- */

struct limit_case {
	const char	*key;
	unsigned long	 min, max, def;
	size_t		 offset;
};

TEST_NO_LEAK(config, limits_ranges_and_defaults)
{
	static const struct limit_case cases[] = {
		{ "max_connections", 1, 1000000, 10000,
		  offsetof(struct limits, lim_max_connections) },
		{ "max_connections_per_address", 1, 1000000, 64,
		  offsetof(struct limits, lim_max_connections_per_address) },
		{ "handshake_timeout", 1, 300, 10,
		  offsetof(struct limits, lim_handshake_timeout) },
		{ "idle_timeout", 1, 3600, 30,
		  offsetof(struct limits, lim_idle_timeout) },
		{ "max_requests_per_connection", 1, 1000000, 100,
		  offsetof(struct limits, lim_max_requests_per_connection) },
	};
	struct config	*cfg;
	char		 yaml[512], msg[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct limit_case *lc = &cases[i];
		unsigned long good[2] = { lc->min, lc->max };
		unsigned long bad[2] = { lc->min - 1, lc->max + 1 };
		unsigned col = (unsigned)strlen(lc->key) + 5;

		cfg = load(GOOD_DOMAINS);
		cr_assert_eq(*(unsigned *)((char *)&cfg->cfg_limits +
		    lc->offset), lc->def, "default %s", lc->key);
		config_free(cfg);

		for (int j = 0; j < 2; j++) {
			/* Keep max_connections at the top so that the
			 * per-address warning stays out of the way. */
			snprintf(yaml, sizeof(yaml), "limits:\n  %s: %lu\n"
			    "%s" GOOD_DOMAINS, lc->key, good[j],
			    strcmp(lc->key, "max_connections") == 0 ?
			    "" : "  max_connections: 1000000\n");
			cfg = load(yaml);
			if (strcmp(lc->key, "max_connections") == 0 && j == 0)
				/* 1 is below the per-address default. */
				expect_counts(cfg, 0, 1);
			else
				expect_clean(cfg);
			cr_assert_eq(*(unsigned *)((char *)&cfg->cfg_limits +
			    lc->offset), good[j], "%s: %lu", lc->key, good[j]);
			config_free(cfg);

			snprintf(yaml, sizeof(yaml), "limits:\n  %s: %lu\n"
			    GOOD_DOMAINS, lc->key, bad[j]);
			snprintf(msg, sizeof(msg), "%s is %lu; it must be from "
			    "%lu to %lu", lc->key, bad[j], lc->min, lc->max);
			cfg = load(yaml);
			cr_assert_eq(cfg->cfg_diags.dl_errors, 1);
			expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, col, NULL,
			    msg);
			cr_assert_eq(*(unsigned *)((char *)&cfg->cfg_limits +
			    lc->offset), lc->def, "%s kept the bad value",
			    lc->key);
			config_free(cfg);
		}
	}
}

TEST_NO_LEAK(config, per_address_limit_above_total_is_a_warning)
{
	struct config *cfg;

	cfg = load(
	    "limits:\n"
	    "  max_connections: 100\n"
	    "  max_connections_per_address: 101\n"
	    GOOD_DOMAINS);
	expect_counts(cfg, 0, 1);
	expect_diag(cfg, DIAG_WARNING, "main.yaml", 2, 3, NULL,
	    "max_connections_per_address (101) is above max_connections "
	    "(100), so it never applies");
	cr_assert_eq(cfg->cfg_limits.lim_max_connections_per_address, 101);
	config_free(cfg);

	cfg = load(
	    "limits:\n"
	    "  max_connections: 100\n"
	    "  max_connections_per_address: 100\n"
	    GOOD_DOMAINS);
	expect_clean(cfg);
	config_free(cfg);

	/* Against the default total, too. */
	cfg = load("limits:\n  max_connections_per_address: 10001\n"
	    GOOD_DOMAINS);
	expect_counts(cfg, 0, 1);
	find_diag(cfg, DIAG_WARNING, "is above max_connections (10000)");
	config_free(cfg);
}

/* ---- certificates: ------------------------------------------------------ */

TEST_NO_LEAK(config, certificate_sources)
{
	struct config	*cfg;
	char		*p;

	cfg = load(
	    "certificates:\n"
	    "  - directory: certs\n"
	    "  - directory: /etc/mta-sts-hostd/certs\n"
	    "  - cert: live/a/fullchain.pem\n"
	    "    key: live/a/privkey.pem\n"
	    "  - cert: /etc/ssl/b.pem\n"
	    "    key: /etc/ssl/b.key\n"
	    GOOD_DOMAINS);
	expect_clean(cfg);
	cr_assert_eq(cfg->cfg_ncerts, 4);
	/* Relative paths are relative to the configuration file. */
	p = path_of("certs");
	cr_assert_str_eq(cfg->cfg_certs[0].csrc_directory, p);
	free(p);
	cr_assert_str_eq(cfg->cfg_certs[1].csrc_directory,
	    "/etc/mta-sts-hostd/certs");
	p = path_of("live/a/fullchain.pem");
	cr_assert_str_eq(cfg->cfg_certs[2].csrc_cert, p);
	free(p);
	p = path_of("live/a/privkey.pem");
	cr_assert_str_eq(cfg->cfg_certs[2].csrc_key, p);
	free(p);
	cr_assert_null(cfg->cfg_certs[2].csrc_directory);
	cr_assert_str_eq(cfg->cfg_certs[3].csrc_cert, "/etc/ssl/b.pem");
	cr_assert_str_eq(cfg->cfg_certs[3].csrc_key, "/etc/ssl/b.key");
	cr_assert_eq(cfg->cfg_certs[3].csrc_pos.sp_line, 6);
	config_free(cfg);

	cfg = load(
	    "certificates:\n"
	    "  - directory: /etc/certs\n"
	    "    cert: /etc/a.pem\n"
	    "    key: /etc/a.key\n"
	    "  - cert: /etc/a.pem\n"
	    "  - key: /etc/a.key\n"
	    "  - {}\n"
	    "  - /etc/certs\n"
	    "  - directory: /etc/ok\n"
	    GOOD_DOMAINS);
	expect_counts(cfg, 5, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 5, NULL,
	    "either a directory or a cert/key pair, not both");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 5, 5, NULL,
	    "needs 'directory', or both 'cert' and 'key'");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 6, 5, NULL,
	    "needs 'directory', or both 'cert' and 'key'");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 7, 5, NULL,
	    "needs 'directory', or both 'cert' and 'key'");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 8, 5, NULL,
	    "a certificate source must be a mapping");
	/* Only the good entry is kept. */
	cr_assert_eq(cfg->cfg_ncerts, 1);
	cr_assert_str_eq(cfg->cfg_certs[0].csrc_directory, "/etc/ok");
	config_free(cfg);

	cfg = load("certificates:\n  directory: /etc/certs\n" GOOD_DOMAINS);
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 3, NULL,
	    "certificates must be a list");
	config_free(cfg);
}

/* ---- include: ----------------------------------------------------------- */

TEST_NO_LEAK(config, include_reads_domains_and_policies_relative_to_the_main_file)
{
	struct config *cfg;

	write_file("domains.d/a.yaml",
	    "policies:\n"
	    "  shared:\n"
	    "    mode: testing\n"
	    "    mx: [mx.hoster.example]\n"
	    "domains:\n"
	    "  a.example: shared\n");
	write_file("domains.d/b.yaml", "domains:\n  b.example: shared\n");
	write_file("domains.d/notes.txt", "not: [yaml\n");
	write_file("elsewhere/c.yaml", "domains:\n  c.example: shared\n");
	cfg = load(
	    "include:\n"
	    "  - domains.d/*.yaml\n"
	    "  - empty.d/*.yaml\n"
	    "  - elsewhere/c.yaml\n"
	    "domains:\n"
	    "  main.example: shared\n");
	expect_clean(cfg);
	expect_valid(cfg, "a.example");
	expect_valid(cfg, "b.example");
	expect_valid(cfg, "c.example");
	/* A template from an included file serves the main file too. */
	expect_valid(cfg, "main.example");
	cr_assert_eq(cfg->cfg_ndomains, 4);
	/* Positions point into the file that defines the domain. */
	{
		char *p = path_of("domains.d/b.yaml");

		cr_assert_str_eq(dom(cfg, "b.example")->dom_pos.sp_file, p);
		cr_assert_eq(dom(cfg, "b.example")->dom_pos.sp_line, 2);
		cr_assert_eq(dom(cfg, "b.example")->dom_pos.sp_col, 3);
		free(p);
	}
	cr_assert_eq(cfg->cfg_files.sv_count, 4);
	config_free(cfg);
}

TEST_NO_LEAK(config, include_as_one_pattern_and_absolute)
{
	struct config	*cfg;
	char		*abs, *yaml = NULL;

	write_file("domains.d/a.yaml", "domains:\n  a.example:\n"
	    "    mode: none\n    mx: mx.example.net\n");
	write_file("abs/b.yaml", "domains:\n  b.example:\n"
	    "    mode: none\n    mx: mx.example.net\n");
	abs = path_of("abs/*.yaml");
	cr_assert_neq(asprintf(&yaml, "include: [domains.d/*.yaml, %s]\n", abs),
	    -1);
	cfg = load(yaml);
	expect_clean(cfg);
	expect_valid(cfg, "a.example");
	expect_valid(cfg, "b.example");
	config_free(cfg);
	free(abs);
	free(yaml);

	cfg = load("include: domains.d/*.yaml\n");
	expect_clean(cfg);
	expect_valid(cfg, "a.example");
	config_free(cfg);
}

TEST_NO_LEAK(config, relative_main_path)
{
	struct config	*cfg;
	char		*rel = NULL, *inc = NULL, *certs;
	const char	*base = strrchr(unit_dir, '/') + 1;

	write_file("domains.d/a.yaml", "domains:\n  a.example:\n"
	    "    mode: none\n    mx: mx.example.net\n");
	write_file("main.yaml", "include: [domains.d/*.yaml]\n"
	    "certificates:\n  - directory: certs\n");
	/* Run from the parent directory: `-c <dir>/main.yaml`. */
	cr_assert_eq(chdir(unit_dir), 0);
	cr_assert_eq(chdir(".."), 0);
	cr_assert_neq(asprintf(&rel, "%s/main.yaml", base), -1);
	cr_assert_neq(asprintf(&inc, "%s/domains.d/a.yaml", base), -1);
	cfg = config_load(rel);
	expect_clean(cfg);
	expect_valid(cfg, "a.example");
	/* Included files are found next to the main file ... */
	cr_assert_str_eq(dom(cfg, "a.example")->dom_pos.sp_file, inc);
	/* ... and certificate paths are absolute: the daemon must not
	 * depend on the directory it was started from. */
	certs = path_of("certs");
	cr_assert_eq(cfg->cfg_ncerts, 1);
	cr_assert_str_eq(cfg->cfg_certs[0].csrc_directory, certs);
	free(certs);
	free(rel);
	free(inc);
	config_free(cfg);
}

TEST_NO_LEAK(config, unmatched_include_is_fine)
{
	struct config *cfg;

	cfg = load("include: [domains.d/*.yaml]\n" GOOD_DOMAINS);
	expect_clean(cfg);
	config_free(cfg);

	/* With nothing anywhere, it is the "no domains" warning only. */
	cfg = load("include: [domains.d/*.yaml]\n");
	expect_counts(cfg, 0, 1);
	find_diag(cfg, DIAG_WARNING, "no domains are configured");
	config_free(cfg);
}

TEST_NO_LEAK(config, included_files_hold_only_domains_and_policies)
{
	struct config *cfg;

	write_file("domains.d/bad.yaml",
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: none\n"
	    "    mx: [mx.example.net]\n"
	    "server:\n"
	    "  user: nobody\n"
	    "include: [more/*.yaml]\n");
	cfg = load("include: [domains.d/*.yaml]\n" GOOD_DOMAINS);
	expect_counts(cfg, 2, 0);
	expect_diag(cfg, DIAG_ERROR, "domains.d/bad.yaml", 5, 1, NULL,
	    "unknown key 'server' in an included file (only 'domains' and "
	    "'policies' belong there)");
	expect_diag(cfg, DIAG_ERROR, "domains.d/bad.yaml", 7, 1, NULL,
	    "unknown key 'include' in an included file");
	/* It did not change the global setting. */
	cr_assert_str_eq(cfg->cfg_user, "mta-sts-hostd");
	/* The rest of that file is still read. */
	expect_valid(cfg, "a.example");
	expect_valid(cfg, "ok.example");
	config_free(cfg);
}

TEST_NO_LEAK(config, errors_in_included_files_name_that_file)
{
	struct config *cfg;

	write_file("domains.d/x.yaml", "domains:\n  x.example:\n"
	    "    mode: none\n   mx: broken\n");
	write_file("domains.d/y.yaml", "domains:\n  y.example:\n"
	    "    mode: Testing\n    mx: [mx.example.net]\n");
	cfg = load("include: domains.d/*.yaml\n" GOOD_DOMAINS);
	expect_counts(cfg, 2, 0);
	expect_diag(cfg, DIAG_ERROR, "domains.d/x.yaml", 4, 4, NULL,
	    "YAML syntax");
	expect_diag(cfg, DIAG_ERROR, "domains.d/y.yaml", 3, 11, "y.example",
	    "mode 'Testing'");
	expect_invalid(cfg, "y.example");
	expect_valid(cfg, "ok.example");
	config_free(cfg);
}

/* ---- The same name twice ----------------------------------------------- */

TEST_NO_LEAK(config, domain_defined_twice_keeps_the_first)
{
	struct config		*cfg;
	const struct diag	*d;
	char			*want = NULL, *main_path;

	write_file("domains.d/dup.yaml",
	    "domains:\n"
	    "  other.example:\n"
	    "    mode: none\n"
	    "    mx: [mx.example.net]\n"
	    "  A.Example:\n"
	    "    mode: testing\n"
	    "    mx: [mx.evil.example]\n");
	/* `include:` comes first, yet the main file's definitions win. */
	cfg = load(
	    "include: [domains.d/*.yaml]\n"
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net]\n");
	expect_counts(cfg, 1, 0);
	main_path = path_of("main.yaml");
	cr_assert_neq(asprintf(&want, "the domain is already defined at "
	    "%s:3:3; this definition is ignored", main_path), -1);
	d = expect_diag(cfg, DIAG_ERROR, "domains.d/dup.yaml", 5, 3,
	    "a.example", want);
	(void)d;
	expect_body(cfg, "a.example", "version: STSv1\r\nmode: enforce\r\n"
	    "mx: mx.example.net\r\nmax_age: 604800\r\n");
	cr_assert_str_eq(dom(cfg, "a.example")->dom_pos.sp_file, main_path);
	expect_valid(cfg, "other.example");
	cr_assert_eq(cfg->cfg_ndomains, 2);
	free(want);
	free(main_path);
	config_free(cfg);
}

TEST_NO_LEAK(config, unicode_and_a_label_are_the_same_domain)
{
	struct config *cfg;

	cfg = load(
	    "domains:\n"
	    "  bücher.example:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net]\n"
	    "  XN--BCHER-KVA.example:\n"
	    "    mode: none\n"
	    "    mx: [mx.example.net]\n");
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 5, 3, "xn--bcher-kva.example",
	    "already defined at");
	cr_assert_eq(cfg->cfg_ndomains, 1);
	cr_assert_eq(dom(cfg, "xn--bcher-kva.example")->dom_policy.pol_mode,
	    POLICY_MODE_ENFORCE);
	expect_valid(cfg, "xn--bcher-kva.example");
	config_free(cfg);
}

TEST_NO_LEAK(config, the_kept_definition_stays_valid_when_the_duplicate_is_broken)
{
	struct config *cfg;

	write_file("domains.d/dup.yaml",
	    "domains:\n"
	    "  a.example:\n"
	    "    mode: Bogus\n"
	    "    bogus: 1\n");
	cfg = load("include: domains.d/*.yaml\n" GOOD_DOMAINS
	    "  a.example:\n    mode: testing\n    mx: [mx.example.net]\n");
	/* The duplicate's own errors, and the duplicate itself. */
	expect_counts(cfg, 3, 0);
	find_diag(cfg, DIAG_ERROR, "already defined");
	expect_valid(cfg, "a.example");
	cr_assert_eq(dom(cfg, "a.example")->dom_policy.pol_mode,
	    POLICY_MODE_TESTING);
	config_free(cfg);
}

TEST_NO_LEAK(config, template_defined_twice_keeps_the_first)
{
	struct config	*cfg;
	char		*want = NULL, *main_path;

	write_file("domains.d/t.yaml",
	    "policies:\n"
	    "  std:\n"
	    "    mode: none\n"
	    "    mx: [mx.other.example]\n");
	cfg = load(
	    "include: [domains.d/*.yaml]\n"
	    "policies:\n"
	    "  std:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net]\n"
	    "domains:\n"
	    "  a.example: std\n");
	expect_counts(cfg, 1, 0);
	main_path = path_of("main.yaml");
	cr_assert_neq(asprintf(&want, "policy template 'std' is already "
	    "defined at %s:3:3; this definition is ignored", main_path), -1);
	expect_diag(cfg, DIAG_ERROR, "domains.d/t.yaml", 2, 3, "policy 'std'",
	    want);
	cr_assert_eq(cfg->cfg_ntemplates, 1);
	cr_assert_eq(tpl(cfg, "std")->tpl_policy.pol_mode, POLICY_MODE_ENFORCE);
	expect_body(cfg, "a.example", "version: STSv1\r\nmode: enforce\r\n"
	    "mx: mx.example.net\r\nmax_age: 604800\r\n");
	free(want);
	free(main_path);
	config_free(cfg);

	/* Twice in one file. */
	cfg = load(
	    "policies:\n"
	    "  std:\n"
	    "    mode: testing\n"
	    "    mx: [mx.example.net]\n"
	    "  std:\n"
	    "    mode: none\n"
	    "    mx: [mx.example.net]\n"
	    "domains:\n"
	    "  a.example: std\n");
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 5, 3, "policy 'std'",
	    "already defined at");
	cr_assert_eq(dom(cfg, "a.example")->dom_policy.pol_mode,
	    POLICY_MODE_TESTING);
	config_free(cfg);
}

TEST_NO_LEAK(config, template_names_differing_in_case_are_the_same_template)
{
	struct config *cfg;

	/* A template names a DNS label, and DNS ignores case: two such
	 * templates would publish two records under one name. */
	cfg = load(
	    "policies:\n"
	    "  std:\n"
	    "    mode: testing\n"
	    "    mx: [mx.example.net]\n"
	    "  STD:\n"
	    "    mode: none\n"
	    "    mx: [mx.example.net]\n"
	    "domains:\n"
	    "  a.example: Std\n"
	    "  b.example: std\n");
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 5, 3, "policy 'std'",
	    "policy template 'std' is already defined at");
	cr_assert_eq(cfg->cfg_ntemplates, 1);
	expect_valid(cfg, "a.example");
	expect_valid(cfg, "b.example");
	cr_assert_eq(dom(cfg, "a.example")->dom_policy.pol_mode,
	    POLICY_MODE_TESTING);
	/* One delegation record for both. */
	cr_assert_str_eq(config_delegation_key(dom(cfg, "a.example")),
	    config_delegation_key(dom(cfg, "b.example")));
	config_free(cfg);
}

/* ---- Many errors ------------------------------------------------------- */

TEST_NO_LEAK(config, every_error_of_a_file_is_reported_in_one_load)
{
	struct config	*cfg;
	const struct diag_list *dl;

	cfg = load(
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
	    "    mx: [mx.example.net]\n");
	expect_counts(cfg, 7, 1);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 9, NULL, "must not be root");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 3, 12, NULL, "workers is 1000");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 5, 17, NULL, "idle_timeout is 0");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 8, 11, "policy 't'",
	    "mode 'sometimes'");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 13, 10, "a.example",
	    "'mx_1.example.net' contains '_'");
	expect_diag(cfg, DIAG_WARNING, "main.yaml", 19, 14, "c.example",
	    "max_age 60 is less than a day");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 20, 3, NULL,
	    "domain: 'bad_name.example' contains '_'");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 24, 11, "d.example",
	    "zone 'nope.example' does not contain the domain");

	/* Reported in file order, as an editor walks them. */
	dl = &cfg->cfg_diags;
	for (size_t i = 1; i < dl->dl_count; i++)
		cr_assert(dl->dl_items[i - 1].d_line < dl->dl_items[i].d_line,
		    "diagnostic %zu (line %u) after line %u", i,
		    dl->dl_items[i].d_line, dl->dl_items[i - 1].d_line);

	/* Each broken domain is left out; the others are served. */
	expect_invalid(cfg, "a.example");
	expect_invalid(cfg, "b.example");
	expect_invalid(cfg, "d.example");
	expect_valid(cfg, "c.example");
	expect_valid(cfg, "ok.example");
	cr_assert_null(config_domain(cfg, "bad_name.example"));
	cr_assert_eq(config_valid_domains(cfg), 2);
	config_free(cfg);
}

TEST_NO_LEAK(config, diagnostics_follow_the_file_order)
{
	struct config		*cfg;
	const struct diag_list	*dl;
	char			*main_path, *inc;

	write_file("domains.d/a.yaml", "domains:\n  x.example:\n"
	    "    mode: nope\n    mx: [mx.example.net]\n");
	cfg = load(
	    "include: [domains.d/*.yaml]\n"
	    "domains:\n"
	    "  b.example:\n"
	    "    mode: enforce\n"
	    "    mx: [mx.example.net]\n"
	    "    zone: other.example\n"
	    "  a.example: undefined\n");
	expect_counts(cfg, 3, 0);
	dl = &cfg->cfg_diags;
	main_path = path_of("main.yaml");
	inc = path_of("domains.d/a.yaml");
	cr_assert_str_eq(dl->dl_items[0].d_file, main_path);
	cr_assert_eq(dl->dl_items[0].d_line, 6);
	cr_assert_str_eq(dl->dl_items[1].d_file, main_path);
	cr_assert_eq(dl->dl_items[1].d_line, 7);
	cr_assert_str_eq(dl->dl_items[2].d_file, inc);
	free(main_path);
	free(inc);
	config_free(cfg);
}

/* ---- Files ------------------------------------------------------------- */

TEST_NO_LEAK(config, empty_file_warns_about_no_domains)
{
	static const char *const empties[] = { "", "# nothing yet\n",
	    "domains:\n", "domains: {}\n", "---\n" };
	struct config *cfg;

	for (size_t i = 0; i < sizeof(empties) / sizeof(empties[0]); i++) {
		cfg = load(empties[i]);
		expect_counts(cfg, 0, 1);
		expect_diag(cfg, DIAG_WARNING, "main.yaml", 0, 0, NULL,
		    "no domains are configured");
		cr_assert_eq(cfg->cfg_ndomains, 0);
		cr_assert_eq(config_valid_domains(cfg), 0);
		cr_assert_null(config_domain(cfg, "a.example"));
		cr_assert_null(config_template(cfg, "std"));
		/* The defaults are all there. */
		cr_assert_eq(cfg->cfg_nlisten, 2);
		cr_assert_str_eq(cfg->cfg_user, "mta-sts-hostd");
		config_free(cfg);
	}
}

TEST_NO_LEAK(config, missing_file_is_an_error_naming_it)
{
	struct config	*cfg;
	char		*path = path_of("does-not-exist.yaml");

	cfg = config_load(path);
	cr_assert_not_null(cfg);
	expect_counts(cfg, 1, 0);
	expect_diag(cfg, DIAG_ERROR, "does-not-exist.yaml", 0, 0, NULL,
	    "cannot open: No such file or directory");
	cr_assert_str_eq(cfg->cfg_path, path);
	cr_assert_eq(cfg->cfg_ndomains, 0);
	free(path);
	config_free(cfg);

	/* A directory is not a configuration file either. */
	cfg = config_load(unit_dir);
	expect_counts(cfg, 1, 0);
	find_diag(cfg, DIAG_ERROR, "not a regular file");
	config_free(cfg);
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

TEST_NO_LEAK(config, policy_body_over_64_kib_is_an_error)
{
	struct config	*cfg;
	char		*yaml = NULL, name[254];
	size_t		 len = 0;
	FILE		*fp = open_memstream(&yaml, &len);

	/* 300 patterns of 253 characters: about 76 KiB of policy. */
	cr_assert_not_null(fp);
	fputs("policies:\n  big:\n    mode: testing\n    mx:\n", fp);
	for (int i = 0; i < 300; i++) {
		long_mx(name, i);
		fprintf(fp, "      - %s\n", name);
	}
	fputs("domains:\n  a.example:\n    mode: enforce\n    mx:\n", fp);
	for (int i = 0; i < 300; i++) {
		long_mx(name, i);
		fprintf(fp, "      - %s\n", name);
	}
	/* 250 of them still fit: 250 * 259 + 50 bytes. */
	fputs("  b.example: big\n"
	    "  c.example:\n    mode: enforce\n    mx:\n", fp);
	for (int i = 0; i < 250; i++) {
		long_mx(name, i);
		fprintf(fp, "      - %s\n", name);
	}
	fclose(fp);
	cfg = load(yaml);
	free(yaml);
	expect_counts(cfg, 2, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 3, "policy 'big'",
	    "senders refuse policies over 65536 bytes");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 306, 3, "a.example",
	    "senders refuse policies over 65536 bytes");
	expect_invalid(cfg, "a.example");
	expect_invalid(cfg, "b.example");
	cr_assert_eq(diags_about(cfg, "b.example"), 0);
	expect_valid(cfg, "c.example");
	cr_assert_lt(dom(cfg, "c.example")->dom_body_len, 65536);
	config_free(cfg);
}

/* ---- The model after loading ------------------------------------------ */

TEST_NO_LEAK(config, body_id_and_lookups_of_a_valid_domain)
{
	static const char	 body[] = "version: STSv1\r\nmode: none\r\n"
	    "mx: mx.example.net\r\nmax_age: 86400\r\n";
	struct config		*cfg;
	struct domain		*d;

	cfg = load(
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
	    "  aa.example: std\n");
	expect_clean(cfg);
	d = dom(cfg, "xn--bcher-kva.example");
	expect_body(cfg, "xn--bcher-kva.example", body);
	/* printf '<body>' | sha256sum | cut -c1-32, as in test_policy.c. */
	cr_assert_str_eq(d->dom_id, "f8928e3814db8de48e11b4362bc16d61");
	cr_assert_str_eq(dom(cfg, "zz.example")->dom_id, d->dom_id);
	cr_assert_eq(d->dom_pos.sp_line, 8);
	cr_assert_eq(d->dom_pos.sp_col, 3);

	/* Lookups take the canonical name. */
	cr_assert_null(config_domain(cfg, "nope.example"));
	cr_assert_null(config_domain(cfg, "bücher.example"));
	cr_assert_null(config_template(cfg, "nope"));
	cr_assert_eq(tpl(cfg, "std")->tpl_policy.pol_max_age, 86400);
	cr_assert_str_eq(tpl(cfg, "std")->tpl_name, "std");
	cr_assert_eq(tpl(cfg, "std")->tpl_pos.sp_line, 2);
	/* Domains are sorted by name. */
	cr_assert_eq(cfg->cfg_ndomains, 3);
	cr_assert_str_eq(cfg->cfg_domains[0].dom_name, "aa.example");
	cr_assert_str_eq(cfg->cfg_domains[1].dom_name, "xn--bcher-kva.example");
	cr_assert_str_eq(cfg->cfg_domains[2].dom_name, "zz.example");
	cr_assert_eq(config_valid_domains(cfg), 3);
	config_free(cfg);
}

TEST_NO_LEAK(config, id_is_sha256_of_the_served_body)
{
	struct config	*cfg;
	unsigned char	 digest[WC_SHA256_DIGEST_SIZE];
	char		 hex[2 * WC_SHA256_DIGEST_SIZE + 1];
	struct domain	*d;

	cfg = load(GOOD_DOMAINS);
	d = dom(cfg, "ok.example");
	cr_assert_eq(wc_Sha256Hash((const unsigned char *)d->dom_body,
	    (word32)d->dom_body_len, digest), 0);
	for (size_t i = 0; i < sizeof(digest); i++)
		snprintf(hex + 2 * i, 3, "%02x", digest[i]);
	hex[POLICY_ID_LEN] = '\0';
	cr_assert_str_eq(d->dom_id, hex);
	config_free(cfg);
}

TEST_NO_LEAK(config, domain_names_are_validated)
{
	struct config *cfg;

	cfg = load(
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
	    "    mx: [mx.example.net]\n");
	expect_counts(cfg, 3, 0);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 3, NULL,
	    "domain: 'example' is a single label");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 5, 3, NULL, "'*'");
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 8, 3, NULL, "trailing dot");
	cr_assert_eq(cfg->cfg_ndomains, 1);
	expect_valid(cfg, "mixed.case.example");
	config_free(cfg);
}

static bool
switch_at(const struct config *cfg, size_t off)
{
	return *(const bool *)((const char *)cfg + off);
}

/* The boolean settings of `server`: on by default (the allow-list where it
 * exists), off with false, and nothing but true or false. */
TEST_NO_LEAK(config, server_switches_are_on_unless_turned_off)
{
	static const struct {
		const char	*key;
		size_t		 off;
		bool		 on;
	} keys[] = {
		{ "access_log", offsetof(struct config, cfg_access_log), true },
		{ "seccomp", offsetof(struct config, cfg_seccomp),
		  CONFIG_SECCOMP_AVAILABLE },
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		struct config	*cfg;
		char		 yaml[256], msg[128];

		cfg = load(GOOD_DOMAINS);
		cr_assert_eq(switch_at(cfg, keys[i].off), keys[i].on,
		    "%s by default", keys[i].key);
		config_free(cfg);
		snprintf(yaml, sizeof(yaml), "server:\n  %s: false\n%s",
		    keys[i].key, GOOD_DOMAINS);
		cfg = load(yaml);
		expect_clean(cfg);
		cr_assert(!switch_at(cfg, keys[i].off),
		    "%s: false turns it off", keys[i].key);
		config_free(cfg);
		snprintf(yaml, sizeof(yaml), "server:\n  %s: off\n%s",
		    keys[i].key, GOOD_DOMAINS);
		snprintf(msg, sizeof(msg), "%s must be true or false, not 'off'",
		    keys[i].key);
		cfg = load(yaml);
		expect_diag(cfg, DIAG_ERROR, "main.yaml", 2,
		    (unsigned)strlen(keys[i].key) + 5, NULL, msg);
		config_free(cfg);
	}
}

TEST_NO_LEAK(config, acme_listener_is_off_by_default)
{
	struct config	*cfg;
	char		*webroot;

	cfg = load(GOOD_DOMAINS);
	expect_clean(cfg);
	cr_assert_eq(cfg->cfg_acme.acme_nlisten, 0);
	cr_assert_str_eq(cfg->cfg_acme.acme_webroot,
	    "/var/lib/mta-sts-hostd/acme");
	config_free(cfg);

	/* A relative webroot is relative to the configuration file. */
	cfg = load("acme:\n  listen: [\"127.0.0.1:80\", \"[::1]:80\"]\n"
	    "  webroot: acme\n" GOOD_DOMAINS);
	expect_clean(cfg);
	cr_assert_eq(cfg->cfg_acme.acme_nlisten, 2);
	cr_assert_str_eq(cfg->cfg_acme.acme_listen[0].la_text, "127.0.0.1:80");
	cr_assert_str_eq(cfg->cfg_acme.acme_listen[1].la_text, "[::1]:80");
	webroot = path_of("acme");
	cr_assert_str_eq(cfg->cfg_acme.acme_webroot, webroot);
	free(webroot);
	config_free(cfg);
}

TEST_NO_LEAK(config, acme_listen_is_checked_like_listen)
{
	struct config *cfg;

	cfg = load("acme:\n  listen: [\"localhost:80\"]\n" GOOD_DOMAINS);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 12, NULL,
	    "acme listen 'localhost:80' is not ADDRESS:PORT");
	config_free(cfg);
	cfg = load("acme:\n  listen: [\"127.0.0.1:80\", \"127.0.0.1:80\"]\n"
	    GOOD_DOMAINS);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 2, 28, NULL,
	    "acme listen '127.0.0.1:80' is listed twice");
	config_free(cfg);
	/* HTTP-01 on the HTTPS port cannot work. */
	cfg = load("server:\n  listen: [\"127.0.0.1:8443\"]\n"
	    "acme:\n  listen: [\"127.0.0.1:8443\"]\n" GOOD_DOMAINS);
	expect_diag(cfg, DIAG_ERROR, "main.yaml", 4, 12, NULL,
	    "acme listen 127.0.0.1:8443 is also a server listen address");
	config_free(cfg);
}
