/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Certificate loading and indexing (config/cert.c), the snapshot's name
 * table and the reload diff. Certificates come from tests/tools/mkpki, run
 * from the source tree (make runs the tests there).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../config/config.h"
#include "../../config/cert.h"
#include "../../server/reload.h"
#include "../../server/snapshot.h"
#include "unit.h"

static void
pki(const char *args)
{
	unit_sh("tests/tools/mkpki %s/pki %s >/dev/null 2>&1", unit_dir, args);
}

static void
setup(void)
{
	unit_setup();
	pki("");
}

/* Load one directory the way the daemon does. */
static void
load_dir(struct certset *set, struct diag_list *diags, const char *rel)
{
	struct config		cfg;
	struct cert_source	src = { .csrc_directory = unit_path(rel) };

	memset(&cfg, 0, sizeof(cfg));
	cfg.cfg_certs = &src;
	cfg.cfg_ncerts = 1;
	certset_load(set, &cfg, diags, time(NULL), NULL);
	free(src.csrc_directory);
}

static const struct diag *
find_diag(const struct diag_list *dl, enum diag_severity sev, const char *msg)
{
	for (size_t i = 0; i < dl->dl_count; i++)
		if (dl->dl_items[i].d_severity == sev &&
		    strstr(dl->dl_items[i].d_msg, msg) != NULL)
			return &dl->dl_items[i];
	return NULL;
}

TestSuite(cert, .init = setup, .fini = unit_teardown);

/* ---- Loading a directory ----------------------------------------------- */

/* A diagnostic a case expects: one of `sev` with `msg` in it. */
struct want_diag {
	enum diag_severity	 sev;
	const char		*msg;	/* NULL ends the list */
	const char		*file;	/* a part of its file name, or NULL */
};

/*
 * Certificates made with mkpki (each entry one run) and then changed by a
 * shell command run in the test directory; the directory `dir` (default
 * pki/certs) loaded. `count` certificates are indexed (ANY: not checked),
 * with no diagnostic when `clean`, else with those in `diags`; the names in
 * `covered` have a certificate now, those in `uncovered` none.
 */
struct cert_case {
	const char		*name;
	const char		*pki[4];
	const char		*sh;
	const char		*dir;
	long			 count;
	bool			 clean;
	struct want_diag	 diags[4];
	const char		*covered[3];
	const char		*uncovered[3];
	void			(*check)(const struct certset *);
};

static void
flat_pairs(const struct certset *set)
{
	const struct cert *a = certset_cover(set, "mta-sts.a.example",
	    time(NULL));
	const struct cert *b = certset_cover(set, "mta-sts.b.example",
	    time(NULL));

	cr_assert(a->crt_ecdsa, CASE);
	cr_assert(!b->crt_ecdsa, CASE);
	cr_assert_eq(a->crt_chain_count, 1, CASE);
	cr_assert_str_eq(a->crt_names.sv_items[0], "mta-sts.a.example", CASE);
	cr_assert_gt(strlen(a->crt_serial), 0, CASE);
	cr_assert_gt(a->crt_not_after, time(NULL) + 29 * 86400, CASE);
}

static void
lets_encrypt_lineage(const struct certset *set)
{
	const struct cert *c = certset_cover(set, "mta-sts.le.example",
	    time(NULL));

	cr_assert_eq(c->crt_chain_count, 2, "case %s: leaf and intermediate",
	    unit_case);
	cr_assert(strstr(c->crt_file, "fullchain.pem") != NULL, CASE);
}

static void
newest_wins(const struct certset *set)
{
	const struct cert *c = certset_cover(set, "mta-sts.n.example",
	    time(NULL));

	cr_assert(strstr(c->crt_file, "sixty.crt") != NULL, "case %s: %s",
	    unit_case, c->crt_file);
	/* Past the last notAfter, nothing covers the name. */
	cr_assert_null(certset_cover(set, "mta-sts.n.example",
	    time(NULL) + 61 * 86400), CASE);
}

#define ANY	(-1)

/* The letsencrypt layout: live/ symlinks into archive/. */
#define LE_LAYOUT							\
	"mkdir -p le/archive/x le/live/x && "				\
	"cp pki/certs/mta-sts.le.example.crt le/archive/x/fullchain1.pem && " \
	"cp pki/certs/mta-sts.le.example.key le/archive/x/privkey1.pem && " \
	"ln -s ../../archive/x/fullchain1.pem le/live/x/fullchain.pem && " \
	"ln -s ../../archive/x/privkey1.pem le/live/x/privkey.pem"

static const struct cert_case cert_cases[] = {
	{ .name = "flat pairs are indexed by subject alt name",
	  .pki = { "mta-sts.a.example", "--rsa mta-sts.b.example" },
	  .count = 2, .clean = true,
	  .covered = { "mta-sts.a.example", "mta-sts.b.example" },
	  .uncovered = { "mta-sts.c.example" }, .check = flat_pairs },
	{ .name = "a wildcard covers exactly one label",
	  .pki = { "--wildcard w.example" }, .count = 1, .clean = true,
	  .covered = { "mta-sts.w.example" },
	  .uncovered = { "a.mta-sts.w.example", "w.example" } },
	/* The letsencrypt root, its live/, or one lineage: all the same. */
	{ .name = "the letsencrypt root",
	  .pki = { "--intermediate mta-sts.le.example" }, .sh = LE_LAYOUT,
	  .dir = "le", .count = 1, .clean = true,
	  .covered = { "mta-sts.le.example" }, .check = lets_encrypt_lineage },
	{ .name = "the letsencrypt live/",
	  .pki = { "--intermediate mta-sts.le.example" }, .sh = LE_LAYOUT,
	  .dir = "le/live", .count = 1, .clean = true,
	  .covered = { "mta-sts.le.example" }, .check = lets_encrypt_lineage },
	{ .name = "one letsencrypt lineage",
	  .pki = { "--intermediate mta-sts.le.example" }, .sh = LE_LAYOUT,
	  .dir = "le/live/x", .count = 1, .clean = true,
	  .covered = { "mta-sts.le.example" }, .check = lets_encrypt_lineage },
	{ .name = "a combined PEM file", .pki = { "mta-sts.c.example" },
	  .sh = "cd pki/certs && cat mta-sts.c.example.crt "
	  "mta-sts.c.example.key > ../combined.pem && "
	  "rm mta-sts.c.example.* && mv ../combined.pem .",
	  .count = 1, .clean = true, .covered = { "mta-sts.c.example" } },
	{ .name = "a bad file is reported and the others load",
	  .pki = { "mta-sts.good.example", "mta-sts.bad.example",
	      "--out other mta-sts.other.example" },
	  .sh = "cd pki/certs && mv other.key mta-sts.bad.example.key && "
	  "rm other.crt",
	  .count = 1,
	  .diags = { { DIAG_ERROR, "does not match the certificate",
	      "mta-sts.bad.example.key" } },
	  .covered = { "mta-sts.good.example" },
	  .uncovered = { "mta-sts.bad.example" } },
	{ .name = "an encrypted key, a missing key and no certificate",
	  .pki = { "mta-sts.enc.example", "mta-sts.nokey.example" },
	  .sh = "cd pki/certs && openssl pkey -in mta-sts.enc.example.key "
	  "-aes256 -passout pass:x -out e.key && mv e.key "
	  "mta-sts.enc.example.key && rm mta-sts.nokey.example.key && "
	  "echo not a certificate > junk.pem",
	  .count = 0,
	  .diags = { { DIAG_ERROR, "encrypted", NULL },
	      { DIAG_ERROR, "no key for this certificate", NULL },
	      { DIAG_ERROR, "no certificate", NULL } } },
	/* Intermediate first, then the leaf. */
	{ .name = "a chain out of order is refused",
	  .pki = { "--intermediate mta-sts.o.example" },
	  .sh = "cd pki/certs && awk '/BEGIN/{n++} {print > (\"part\" n)}' "
	  "mta-sts.o.example.crt && cat part2 part1 > mta-sts.o.example.crt "
	  "&& rm part1 part2",
	  .count = 0, .diags = { { DIAG_ERROR, "out of order", NULL } },
	  .uncovered = { "mta-sts.o.example" } },
	{ .name = "an expired one is reported and not served, the newest wins",
	  .pki = { "--expired mta-sts.e.example",
	      "--days 10 --out ten mta-sts.n.example",
	      "--days 60 --out sixty mta-sts.n.example",
	      "--days 20 --out twenty mta-sts.n.example" },
	  .count = ANY, .diags = { { DIAG_WARNING, "expired", NULL } },
	  .covered = { "mta-sts.n.example" },
	  .uncovered = { "mta-sts.e.example" }, .check = newest_wins },
};

TEST_NO_LEAK(cert, load_directory)
{
	for (size_t i = 0; i < UNIT_COUNT(cert_cases); i++) {
		const struct cert_case	*c = &cert_cases[i];
		struct certset		 set;
		struct diag_list	 diags = { 0 };
		char			*text;

		unit_case = c->name;
		unit_fresh_dir();
		pki("");
		UNIT_EACH(args, c->pki)
			pki(*args);
		if (c->sh != NULL)
			unit_sh("cd %s && %s", unit_dir, c->sh);
		load_dir(&set, &diags, c->dir != NULL ? c->dir : "pki/certs");
		text = unit_diags(&diags);
		if (c->clean)
			cr_assert_eq(diags.dl_count, 0, "case %s:\n%s",
			    unit_case, text);
		for (size_t j = 0; j < UNIT_COUNT(c->diags) &&
		    c->diags[j].msg != NULL; j++) {
			const struct diag *d = find_diag(&diags,
			    c->diags[j].sev, c->diags[j].msg);

			cr_assert_not_null(d, "case %s: no \"%s\" in:\n%s",
			    unit_case, c->diags[j].msg, text);
			if (c->diags[j].file != NULL)
				cr_assert(strstr(d->d_file, c->diags[j].file) !=
				    NULL, "case %s: %s", unit_case, d->d_file);
		}
		if (c->count != ANY)
			cr_assert_eq(set.cs_count, (size_t)c->count,
			    "case %s: %zu certificates", unit_case,
			    set.cs_count);
		UNIT_EACH(host, c->covered)
			cr_assert_not_null(certset_cover(&set, *host,
			    time(NULL)), "case %s: nothing covers %s",
			    unit_case, *host);
		UNIT_EACH(host, c->uncovered)
			cr_assert_null(certset_cover(&set, *host, time(NULL)),
			    "case %s: %s is covered", unit_case, *host);
		if (c->check != NULL)
			c->check(&set);
		free(text);
		certset_free(&set);
		diag_free(&diags);
		unit_case_end();
	}
}

static struct snapshot *
snap_for(const char *yaml)
{
	char			*text = NULL;
	struct config		*cfg;
	struct certset		 certs;
	struct diag_list	 diags = { 0 };
	struct snapshot		*snap;

	cr_assert_neq(asprintf(&text, "certificates: [{directory: "
	    "$DIR/pki/certs}]\n%s", yaml), -1);
	unit_write("c.yaml", text);
	free(text);
	cfg = unit_load("c.yaml");
	certset_load(&certs, cfg, &diags, time(NULL), NULL);
	snap = snapshot_build(cfg, &certs, &diags, time(NULL), false, NULL);
	certset_free(&certs);
	return snap;
}

TEST_NO_LEAK(cert, snapshot_serves_covered_domains_case_insensitively)
{
	struct snapshot		*s;
	const struct host	*h;

	pki("mta-sts.a.example");
	s = snap_for("domains:\n"
	    "  a.example: {mode: enforce, mx: [mx.a.example]}\n"
	    "  nocert.example: {mode: enforce, mx: [mx.a.example]}\n");
	cr_assert_eq(s->snap_nhosts, 1);
	h = snapshot_lookup(s, "MTA-STS.A.Example", 17);
	cr_assert_not_null(h);
	cr_assert_str_eq(h->h_domain, "a.example");
	/* Known without a certificate: the ACME listener answers for it. */
	cr_assert_not_null(snapshot_configured(s, "mta-sts.nocert.example",
	    22));
	cr_assert_null(snapshot_lookup(s, "a.example", 9));
	cr_assert_null(snapshot_lookup(s, "mta-sts.nocert.example", 22));
	cr_assert_not_null(find_diag(&s->snap_diags, DIAG_ERROR,
	    "no valid certificate covers mta-sts.nocert.example"));
	snapshot_unref(s);
}

TEST_NO_LEAK(cert, diff_counts_what_a_reload_changed)
{
	struct snapshot		*a, *b;
	struct fleet_diff	 rd;

	pki("mta-sts.a.example mta-sts.b.example mta-sts.c.example");
	a = snap_for("domains:\n"
	    "  a.example: {mode: enforce, mx: [mx.a.example]}\n"
	    "  b.example: {mode: enforce, mx: [mx.a.example]}\n");
	pki("mta-sts.b.example");	/* renewed: a new serial */
	b = snap_for("domains:\n"
	    "  a.example: {mode: testing, mx: [mx.a.example]}\n"
	    "  b.example: {mode: enforce, mx: [mx.a.example]}\n"
	    "  c.example: {mode: enforce, mx: [mx.a.example]}\n");
	reload_diff(a, b, &rd);
	cr_assert_eq(rd.fd_added, 1);
	cr_assert_eq(rd.fd_removed, 0);
	cr_assert_eq(rd.fd_policies, 1);
	cr_assert_eq(rd.fd_certificates, 1);
	reload_diff(b, a, &rd);
	cr_assert_eq(rd.fd_added, 0);
	cr_assert_eq(rd.fd_removed, 1);
	snapshot_unref(a);
	snapshot_unref(b);
}

/* ---- The cache of parsed pairs ---------------------------------------- */

static void
load_cached(struct certset *set, struct certcache *cc, const char *rel)
{
	struct config		cfg;
	struct cert_source	src = { .csrc_directory = unit_path(rel) };
	struct diag_list	diags = { 0 };
	char			*text;

	memset(&cfg, 0, sizeof(cfg));
	cfg.cfg_certs = &src;
	cfg.cfg_ncerts = 1;
	certset_load(set, &cfg, &diags, time(NULL), cc);
	text = unit_diags(&diags);
	cr_assert_eq(diags.dl_errors, 0, "%s", text);
	free(text);
	diag_free(&diags);
	free(src.csrc_directory);
}

static void
expect_counts(const struct certcache *cc, size_t parsed, size_t reused,
    const char *what)
{
	size_t p, r;

	certcache_counts(cc, &p, &r);
	cr_assert_eq(p, parsed, "%s: %zu pairs parsed, expected %zu", what, p,
	    parsed);
	cr_assert_eq(r, reused, "%s: %zu pairs reused, expected %zu", what, r,
	    reused);
}

/*
 * A reload parses only what changed: an unchanged pair is the very
 * certificate the set in service holds; a renewed one (a new file renamed
 * over the old) and a key rewritten in place are parsed again; a removed
 * pair leaves the cache, and the set that still holds it keeps it intact.
 */
TEST_NO_LEAK(cert, cache_parses_only_what_changed)
{
	struct certcache	*cc = certcache_new();
	struct certset		 one, two, three;
	const struct cert	*a1, *b1, *c1;
	char			 serial_b[sizeof(b1->crt_serial)];

	pki("mta-sts.a.example mta-sts.b.example mta-sts.c.example");
	load_cached(&one, cc, "pki/certs");
	expect_counts(cc, 3, 0, "the first load");
	a1 = certset_cover(&one, "mta-sts.a.example", time(NULL));
	b1 = certset_cover(&one, "mta-sts.b.example", time(NULL));
	c1 = certset_cover(&one, "mta-sts.c.example", time(NULL));
	memcpy(serial_b, b1->crt_serial, sizeof(serial_b));

	load_cached(&two, cc, "pki/certs");
	expect_counts(cc, 0, 3, "nothing changed");
	cr_assert_eq(certset_cover(&two, "mta-sts.a.example", time(NULL)), a1);
	cr_assert_eq(certset_cover(&two, "mta-sts.c.example", time(NULL)), c1);
	certset_free(&two);

	/* b renewed (mkpki writes new files and renames them into place),
	 * c's key rewritten in place with the same bytes, a removed. */
	pki("mta-sts.b.example");
	unit_sh("cd %s/pki/certs && cat mta-sts.c.example.key > k && "
	    "cat k > mta-sts.c.example.key && rm k mta-sts.a.example.*",
	    unit_dir);
	load_cached(&three, cc, "pki/certs");
	expect_counts(cc, 2, 0, "b renewed, c's key touched, a removed");
	cr_assert_null(certset_cover(&three, "mta-sts.a.example", time(NULL)));
	cr_assert_str_neq(certset_cover(&three, "mta-sts.b.example",
	    time(NULL))->crt_serial, serial_b);
	cr_assert_neq(certset_cover(&three, "mta-sts.c.example", time(NULL)),
	    c1);
	/* The first set still holds what it was built with. */
	cr_assert_str_eq(certset_cover(&one, "mta-sts.b.example",
	    time(NULL))->crt_serial, serial_b);
	cr_assert_str_eq(a1->crt_names.sv_items[0], "mta-sts.a.example");
	certset_free(&one);
	certset_free(&three);
	certcache_free(cc);
}

/*
 * A directory large enough for the load to spread over threads gives what
 * a load on one thread gives: the certificates in path order, and each
 * broken pair's message, in path order, naming its file. Pairs here are
 * copies of one (so making them costs no key generation): every 7th has
 * no key, every 11th a chain that holds no certificate.
 */
TEST_NO_LEAK(cert, many_pairs_load_in_path_order)
{
	struct certset		 set;
	struct diag_list	 diags = { 0 };
	struct certcache	*cc = certcache_new();
	size_t			 p, r, want_certs = 0, want_errors = 0;
	char			 name[64], *text;

	pki("mta-sts.many.example");
	unit_sh("mkdir %s/many", unit_dir);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "%s/many/p%03d", unit_dir, i);
		if (i % 11 == 0)
			unit_sh("echo not a certificate > %s.crt && cp "
			    "%s/pki/certs/mta-sts.many.example.key %s.key",
			    name, unit_dir, name);
		else if (i % 7 == 0)
			unit_sh("cp %s/pki/certs/mta-sts.many.example.crt %s.crt",
			    unit_dir, name);
		else {
			unit_sh("cp %s/pki/certs/mta-sts.many.example.crt %s.crt && "
			    "cp %s/pki/certs/mta-sts.many.example.key %s.key",
			    unit_dir, name, unit_dir, name);
			want_certs++;
		}
		want_errors += i % 11 == 0 || i % 7 == 0;
	}
	for (int pass = 0; pass < 2; pass++) {
		struct config		cfg;
		struct cert_source	src = {
			.csrc_directory = unit_path("many") };

		memset(&cfg, 0, sizeof(cfg));
		cfg.cfg_certs = &src;
		cfg.cfg_ncerts = 1;
		certset_load(&set, &cfg, &diags, time(NULL), cc);
		free(src.csrc_directory);
		text = unit_diags(&diags);
		cr_assert_eq(set.cs_count, want_certs, "pass %d: %zu loaded",
		    pass, set.cs_count);
		cr_assert_eq(diags.dl_errors, want_errors, "pass %d:\n%s",
		    pass, text);
		for (size_t i = 1; i < set.cs_count; i++)
			cr_assert_lt(strcmp(set.cs_certs[i - 1]->crt_file,
			    set.cs_certs[i]->crt_file), 0, "pass %d: %s before "
			    "%s", pass, set.cs_certs[i - 1]->crt_file,
			    set.cs_certs[i]->crt_file);
		for (size_t i = 0, n = 0; i < 300; i++) {
			const struct diag *d;

			if (i % 11 != 0 && i % 7 != 0)
				continue;
			d = &diags.dl_items[n++];
			snprintf(name, sizeof(name), "/many/p%03zu.crt", i);
			cr_assert(strstr(d->d_file, name) != NULL, "pass %d: "
			    "message %zu is about %s, not %s", pass, n,
			    d->d_file, name);
			cr_assert(strstr(d->d_msg, i % 11 == 0 ?
			    "no certificate" : "no key") != NULL,
			    "pass %d: %s: %s", pass, d->d_file, d->d_msg);
		}
		/* The second pass takes every good pair from the cache. */
		certcache_counts(cc, &p, &r);
		cr_assert_eq(p, pass == 0 ? want_certs : 0, "pass %d: %zu "
		    "parsed", pass, p);
		cr_assert_eq(r, pass == 0 ? 0 : want_certs, "pass %d: %zu "
		    "reused", pass, r);
		free(text);
		certset_free(&set);
		diag_free(&diags);
	}
	certcache_free(cc);
}

/* The scheduler's own certificates are those the ACME hooks install for
 * the name: <install directory>/<name>.crt, and nothing else there. */
TEST_NO_LEAK(cert, installed_for_a_name_is_dir_slash_name_dot_crt)
{
	static const struct {
		const char	*file, *dir;
		bool		 ours;
	} cases[] = {
		{ "/l/certs/mta-sts.a.example.crt", "/l/certs", true },
		{ "/l/certs/mta-sts.a.example.crt", "/l/certs//", true },
		{ "/l/certs/mta-sts.b.example.crt", "/l/certs", false },
		{ "/l/certs/wildcard.a.example.crt", "/l/certs", false },
		{ "/l/certs/mta-sts.a.example.pem", "/l/certs", false },
		{ "/l/certs/mta-sts.a.example.crt.crt", "/l/certs", false },
		{ "/l/certs2/mta-sts.a.example.crt", "/l/certs", false },
		{ "/l/certs/sub/mta-sts.a.example.crt", "/l/certs", false },
		{ "/l/mta-sts.a.example.crt", "/l/certs", false },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		cr_assert_eq(cert_is_installed(cases[i].file, cases[i].dir,
		    "mta-sts.a.example"), cases[i].ours, "%s in %s",
		    cases[i].file, cases[i].dir);
	cr_assert(!cert_is_installed("/l/certs/mta-sts.a.example.crt",
	    "/l/certs", "mta-sts.a.exampl"));
}
