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
#include "../../config/xalloc.h"
#include "../../config/cert.h"
#include "../../server/reload.h"
#include "../../server/snapshot.h"
#include "unit.h"

static void
sh(const char *fmt, ...)
{
	char	cmd[2048];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	cr_assert_eq(system(cmd), 0, "command failed: %s", cmd);
}

static void
pki(const char *args)
{
	sh("tests/tools/mkpki %s/pki %s >/dev/null 2>&1", unit_dir, args);
}

static void
setup(void)
{
	unit_setup();
	pki("");
}

static char *
path(const char *rel)
{
	return xasprintf("%s/%s", unit_dir, rel);
}

/* Load one directory the way the daemon does. */
static void
load_dir(struct certset *set, struct diag_list *diags, const char *rel)
{
	struct config		cfg;
	struct cert_source	src = { .csrc_directory = path(rel) };

	memset(&cfg, 0, sizeof(cfg));
	cfg.cfg_certs = &src;
	cfg.cfg_ncerts = 1;
	certset_load(set, &cfg, diags, time(NULL));
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

TEST_NO_LEAK(cert, flat_pairs_are_indexed_by_subject_alt_name)
{
	struct certset		 set;
	struct diag_list	 diags = { 0 };
	const struct cert	*a, *b;

	pki("mta-sts.a.example");
	pki("--rsa mta-sts.b.example");
	load_dir(&set, &diags, "pki/certs");
	cr_assert_eq(diags.dl_count, 0, "%s", diags.dl_count ?
	    diags.dl_items[0].d_msg : "");
	cr_assert_eq(set.cs_count, 2);
	a = certset_cover(&set, "mta-sts.a.example", time(NULL));
	b = certset_cover(&set, "mta-sts.b.example", time(NULL));
	cr_assert_not_null(a);
	cr_assert_not_null(b);
	cr_assert(a->crt_ecdsa);
	cr_assert(!b->crt_ecdsa);
	cr_assert_eq(a->crt_chain_count, 1);
	cr_assert_str_eq(a->crt_names.sv_items[0], "mta-sts.a.example");
	cr_assert_gt(strlen(a->crt_serial), 0);
	cr_assert_gt(a->crt_not_after, time(NULL) + 29 * 86400);
	cr_assert_null(certset_cover(&set, "mta-sts.c.example", time(NULL)));
	certset_free(&set);
	diag_free(&diags);
}

TEST_NO_LEAK(cert, wildcard_covers_exactly_one_label)
{
	struct certset		set;
	struct diag_list	diags = { 0 };
	time_t			now;

	pki("--wildcard w.example");
	load_dir(&set, &diags, "pki/certs");
	now = time(NULL);
	cr_assert_eq(diags.dl_count, 0, "%s", diags.dl_count ?
	    diags.dl_items[0].d_msg : "");
	cr_assert_eq(set.cs_count, 1);
	cr_assert_not_null(certset_cover(&set, "mta-sts.w.example", now),
	    "names: %s", set.cs_certs[0].crt_names.sv_items[0]);
	cr_assert_null(certset_cover(&set, "a.mta-sts.w.example", now));
	cr_assert_null(certset_cover(&set, "w.example", now));
	certset_free(&set);
	diag_free(&diags);
}

TEST_NO_LEAK(cert, lets_encrypt_layout_with_symlinks_into_archive)
{
	struct certset		 set;
	struct diag_list	 diags = { 0 };
	const struct cert	*c;

	pki("--intermediate mta-sts.le.example");
	sh("cd %s && mkdir -p le/archive/x le/live/x && "
	    "cp pki/certs/mta-sts.le.example.crt le/archive/x/fullchain1.pem && "
	    "cp pki/certs/mta-sts.le.example.key le/archive/x/privkey1.pem && "
	    "ln -s ../../archive/x/fullchain1.pem le/live/x/fullchain.pem && "
	    "ln -s ../../archive/x/privkey1.pem le/live/x/privkey.pem", unit_dir);
	/* The letsencrypt root, its live/, or one lineage: all the same. */
	for (int i = 0; i < 3; i++) {
		load_dir(&set, &diags, i == 0 ? "le" : i == 1 ? "le/live" :
		    "le/live/x");
		cr_assert_eq(set.cs_count, 1, "layout %d", i);
		c = certset_cover(&set, "mta-sts.le.example", time(NULL));
		cr_assert_not_null(c);
		cr_assert_eq(c->crt_chain_count, 2, "leaf and intermediate");
		cr_assert(strstr(c->crt_file, "fullchain.pem") != NULL);
		certset_free(&set);
	}
	cr_assert_eq(diags.dl_count, 0);
	diag_free(&diags);
}

TEST_NO_LEAK(cert, combined_pem_file)
{
	struct certset		set;
	struct diag_list	diags = { 0 };

	pki("mta-sts.c.example");
	sh("cd %s/pki/certs && cat mta-sts.c.example.crt mta-sts.c.example.key "
	    "> ../combined.pem && rm mta-sts.c.example.* && mv ../combined.pem .",
	    unit_dir);
	load_dir(&set, &diags, "pki/certs");
	cr_assert_eq(diags.dl_count, 0);
	cr_assert_not_null(certset_cover(&set, "mta-sts.c.example", time(NULL)));
	certset_free(&set);
	diag_free(&diags);
}

TEST_NO_LEAK(cert, a_bad_file_is_reported_and_the_others_load)
{
	struct certset		 set;
	struct diag_list	 diags = { 0 };
	const struct diag	*d;

	pki("mta-sts.good.example");
	pki("mta-sts.bad.example");
	pki("--out other mta-sts.other.example");
	sh("cd %s/pki/certs && mv other.key mta-sts.bad.example.key && "
	    "rm other.crt", unit_dir);
	load_dir(&set, &diags, "pki/certs");
	d = find_diag(&diags, DIAG_ERROR, "does not match the certificate");
	cr_assert_not_null(d);
	cr_assert(strstr(d->d_file, "mta-sts.bad.example.key") != NULL);
	cr_assert_eq(set.cs_count, 1);
	cr_assert_not_null(certset_cover(&set, "mta-sts.good.example",
	    time(NULL)));
	cr_assert_null(certset_cover(&set, "mta-sts.bad.example", time(NULL)));
	certset_free(&set);
	diag_free(&diags);
}

TEST_NO_LEAK(cert, encrypted_key_missing_key_and_no_certificate)
{
	struct certset		set;
	struct diag_list	diags = { 0 };

	pki("mta-sts.enc.example");
	pki("mta-sts.nokey.example");
	sh("cd %s/pki/certs && openssl pkey -in mta-sts.enc.example.key "
	    "-aes256 -passout pass:x -out e.key && mv e.key "
	    "mta-sts.enc.example.key && rm mta-sts.nokey.example.key && "
	    "echo not a certificate > junk.pem", unit_dir);
	load_dir(&set, &diags, "pki/certs");
	cr_assert_not_null(find_diag(&diags, DIAG_ERROR, "encrypted"));
	cr_assert_not_null(find_diag(&diags, DIAG_ERROR,
	    "no key for this certificate"));
	cr_assert_not_null(find_diag(&diags, DIAG_ERROR, "no certificate"));
	cr_assert_eq(set.cs_count, 0);
	certset_free(&set);
	diag_free(&diags);
}

TEST_NO_LEAK(cert, chain_out_of_order_is_refused)
{
	struct certset		set;
	struct diag_list	diags = { 0 };

	pki("--intermediate mta-sts.o.example");
	/* Intermediate first, then the leaf. */
	sh("cd %s/pki/certs && awk '/BEGIN/{n++} {print > (\"part\" n)}' "
	    "mta-sts.o.example.crt && cat part2 part1 > mta-sts.o.example.crt && "
	    "rm part1 part2", unit_dir);
	load_dir(&set, &diags, "pki/certs");
	cr_assert_not_null(find_diag(&diags, DIAG_ERROR, "out of order"));
	cr_assert_null(certset_cover(&set, "mta-sts.o.example", time(NULL)));
	certset_free(&set);
	diag_free(&diags);
}

TEST_NO_LEAK(cert, expired_is_reported_and_not_served_newest_wins)
{
	struct certset		 set;
	struct diag_list	 diags = { 0 };
	const struct cert	*c;

	pki("--expired mta-sts.e.example");
	pki("--days 10 --out ten mta-sts.n.example");
	pki("--days 60 --out sixty mta-sts.n.example");
	pki("--days 20 --out twenty mta-sts.n.example");
	load_dir(&set, &diags, "pki/certs");
	cr_assert_not_null(find_diag(&diags, DIAG_WARNING, "expired"));
	cr_assert_null(certset_cover(&set, "mta-sts.e.example", time(NULL)));
	c = certset_cover(&set, "mta-sts.n.example", time(NULL));
	cr_assert_not_null(c);
	cr_assert(strstr(c->crt_file, "sixty.crt") != NULL, "%s", c->crt_file);
	/* Past the last notAfter, nothing covers the name. */
	cr_assert_null(certset_cover(&set, "mta-sts.n.example",
	    time(NULL) + 61 * 86400));
	certset_free(&set);
	diag_free(&diags);
}

static struct snapshot *
snap_for(const char *yaml)
{
	char	*cfgpath = path("c.yaml");
	FILE	*fp = fopen(cfgpath, "w");
	struct snapshot *s;

	cr_assert_not_null(fp);
	fprintf(fp, "certificates: [{directory: %s/pki/certs}]\n%s", unit_dir,
	    yaml);
	fclose(fp);
	s = snapshot_build(config_load(cfgpath), time(NULL), 0);
	free(cfgpath);
	return s;
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
	cr_assert_str_eq(h->h_domain->dom_name, "a.example");
	cr_assert_null(snapshot_lookup(s, "a.example", 9));
	cr_assert_null(snapshot_lookup(s, "mta-sts.nocert.example", 22));
	cr_assert_not_null(find_diag(&s->snap_diags, DIAG_ERROR,
	    "no valid certificate covers mta-sts.nocert.example"));
	snapshot_unref(s);
}

TEST_NO_LEAK(cert, diff_counts_what_a_reload_changed)
{
	struct snapshot		*a, *b;
	struct reload_diff	 rd;

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
	cr_assert_eq(rd.rd_added, 1);
	cr_assert_eq(rd.rd_removed, 0);
	cr_assert_eq(rd.rd_policies, 1);
	cr_assert_eq(rd.rd_certificates, 1);
	cr_assert_eq(rd.rd_certs_added, 1);
	cr_assert_eq(rd.rd_certs_removed, 1);
	reload_diff(b, a, &rd);
	cr_assert_eq(rd.rd_added, 0);
	cr_assert_eq(rd.rd_removed, 1);
	snapshot_unref(a);
	snapshot_unref(b);
}
