/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The load cache (config/loadcache.c): a load through it, whether the
 * cache is empty, whole, stale or damaged, gives exactly what a load
 * without it gives (the domains, their bodies and ids, every diagnostic
 * with its position; the certificates with their chains and keys), and
 * it takes from the cache only the files that are as they were.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../../config/cert.h"
#include "../../config/loadcache.h"
#include "../../config/xalloc.h"
#include "unit.h"

/* The customers: clean files, an empty one, one whose walk finds errors
 * (cached: the errors come again from the tree), one that is not YAML
 * (never cached), and one behind a symlink. */
static void
write_customers(void)
{
	unit_write("main.yaml",
	    "policies:\n"
	    "  hoster: {mode: enforce, mx: [mx1.hoster.example], "
	    "max_age: 86400}\n"
	    "include: [\"$DIR/d/*.yaml\"]\n");
	unit_write("d/a.yaml", "domains: {a.example: hoster}\n");
	unit_write("d/b.yaml",
	    "domains:\n"
	    "  b.example:\n"
	    "    mode: testing\n"
	    "    mx: [\"mx.b.example\", '*.b.example']\n"
	    "    max_age: 604800\n"
	    "  c.example: {template: hoster, mx: [mx.c.example]}\n");
	unit_write("d/empty.yaml", "");
	unit_write("d/wrong.yaml",
	    "domains:\n"
	    "  d.example: {mode: sometimes, mx: [mx.d.example]}\n"
	    "  e.example: {template: nosuch}\n");
	unit_write("d/broken.yaml", "domains: {f.example: [\n");
	unit_write("real/g.yaml", "domains: {g.example: hoster}\n");
	unit_sh("ln -s ../real/g.yaml %s/d/g.yaml", unit_dir);
}

/* What a configuration serves and says, as text to compare. */
static char *
config_text(const struct config *cfg)
{
	struct unit_text	 t;
	FILE			*fp = unit_text_open(&t);

	for (size_t i = 0; i < cfg->cfg_ndomains; i++) {
		const struct domain *d = &cfg->cfg_domains[i];

		fprintf(fp, "%s valid=%d id=%s\n%.*s\n", d->dom_name,
		    d->dom_valid, d->dom_id, (int)d->dom_body_len,
		    d->dom_body != NULL ? d->dom_body : "");
	}
	diag_print(&cfg->cfg_diags, fp);
	for (size_t i = 0; i < cfg->cfg_files.sv_count; i++)
		fprintf(fp, "file %s\n", cfg->cfg_files.sv_items[i]);
	return unit_text_close(&t);
}

static char *
load_plain(void)
{
	char		*path = unit_path("main.yaml"), *text;
	struct config	*cfg = config_load(path);

	text = config_text(cfg);
	config_free(cfg);
	free(path);
	return text;
}

/* A load through the cache of `user` in `cache/`; its counts in *hits,
 * *misses, what it said of the cache in *said (caller frees). */
static char *
load_cached_as(enum loadcache_user user, size_t *hits, size_t *misses,
    char **said)
{
	char			*path = unit_path("main.yaml");
	char			*dir = unit_path("cache"), *text;
	struct diag_list	 diags = { 0 };
	struct loadcache	*lc;
	struct config		*cfg;

	mkdir(dir, 0700);
	lc = loadcache_open(dir, LOADCACHE_CUSTOMERS, user);
	cr_assert_not_null(lc);
	cfg = config_load_cached(path, lc);
	loadcache_counts(lc, hits, misses);
	loadcache_close(lc, &diags);
	text = config_text(cfg);
	*said = unit_diags(&diags);
	diag_free(&diags);
	config_free(cfg);
	free(dir);
	free(path);
	return text;
}

static char *
load_cached(size_t *hits, size_t *misses, char **said)
{
	return load_cached_as(LOADCACHE_DAEMON, hits, misses, said);
}

static ino_t
inode_of(const char *rel)
{
	char		*path = unit_path(rel);
	struct stat	 st;

	cr_assert_eq(stat(path, &st), 0, "%s", path);
	free(path);
	return st.st_ino;
}

/* Byte `off` of a file (negative: from its end) changed. */
static void
flip_byte(const char *rel, long off)
{
	char		*path = unit_path(rel);
	int		 fd = open(path, O_RDWR);
	unsigned char	 c;
	off_t		 at;

	cr_assert_neq(fd, -1, "%s", path);
	at = off >= 0 ? off : lseek(fd, 0, SEEK_END) + off;
	cr_assert_eq(pread(fd, &c, 1, at), 1);
	c ^= 0x5a;
	cr_assert_eq(pwrite(fd, &c, 1, at), 1);
	close(fd);
	free(path);
}

TestSuite(loadcache, .init = unit_setup, .fini = unit_teardown);

TEST_NO_LEAK(loadcache, customers_as_a_plain_load_cold_and_warm)
{
	char	*plain, *cold, *warm, *said;
	size_t	 hits, misses;
	ino_t	 written;

	write_customers();
	plain = load_plain();
	cr_assert(strstr(plain, "d.example") != NULL, "%s", plain);
	cr_assert(strstr(plain, "broken.yaml:") != NULL, "%s", plain);

	cold = load_cached(&hits, &misses, &said);
	cr_assert_str_eq(cold, plain);
	cr_assert_eq(hits, 0);
	cr_assert_eq(misses, 6, "misses %zu", misses);
	cr_assert_str_eq(said, "");
	free(said);
	written = inode_of("cache/customer-files.cache");

	/* Every file but the one that is not YAML from the cache. */
	warm = load_cached(&hits, &misses, &said);
	cr_assert_str_eq(warm, plain);
	cr_assert_eq(hits, 5, "hits %zu", hits);
	cr_assert_eq(misses, 1, "misses %zu", misses);
	cr_assert_str_eq(said, "");
	/* Nothing new: the cache is not written again. */
	cr_assert_eq(inode_of("cache/customer-files.cache"), written);
	free(said);
	free(warm);
	free(cold);
	free(plain);
}

TEST_NO_LEAK(loadcache, a_file_changed_in_place_is_read_again)
{
	char		*plain, *text, *said, *path;
	size_t		 hits, misses;
	struct stat	 before;
	struct timespec	 times[2];

	write_customers();
	free(load_cached(&hits, &misses, &said));
	free(said);
	/* Same size, same mtime: only the ctime tells the change. */
	path = unit_path("d/a.yaml");
	cr_assert_eq(stat(path, &before), 0);
	unit_write("d/a.yaml", "domains: {x.example: hoster}\n");
	times[0] = before.st_atim;
	times[1] = before.st_mtim;
	cr_assert_eq(utimensat(AT_FDCWD, path, times, 0), 0);
	plain = load_plain();
	cr_assert(strstr(plain, "x.example") != NULL, "%s", plain);
	text = load_cached(&hits, &misses, &said);
	cr_assert_str_eq(text, plain);
	cr_assert_eq(hits, 4, "hits %zu", hits);
	cr_assert_eq(misses, 2, "misses %zu", misses);
	free(said);
	free(text);
	free(plain);
	free(path);
}

TEST_NO_LEAK(loadcache, damage_is_said_and_costs_only_a_read)
{
	static const struct {
		const char	*name;
		long		 off;		/* the byte changed */
		bool		 truncate;	/* or 10 bytes cut off */
		const char	*said;
		size_t		 hits;
	} cases[] = {
		{ "magic", 0, false, "not a load cache", 0 },
		{ "version", 8, false, "of another version", 0 },
		{ "trailer", -16, false, "cut short", 0 },
		{ "cut short", 0, true, "cut short", 0 },
		{ "count", -1, false, "count of records is wrong", 0 },
		/* The first record's tree: its own file is read, the other
		 * four still come from the cache. */
		{ "a record", 24 + 8 + 60, false, "1 record of the load "
		    "cache was damaged", 4 },
	};

	for (size_t i = 0; i < UNIT_COUNT(cases); i++) {
		char	*plain, *text, *said;
		size_t	 hits, misses;

		unit_case = cases[i].name;
		unit_fresh_dir();
		write_customers();
		plain = load_plain();
		free(load_cached(&hits, &misses, &said));
		free(said);
		if (cases[i].truncate) {
			char *path = unit_path("cache/customer-files.cache");
			struct stat st;

			cr_assert_eq(stat(path, &st), 0);
			cr_assert_eq(truncate(path, st.st_size - 10), 0);
			free(path);
		} else {
			flip_byte("cache/customer-files.cache", cases[i].off);
		}
		text = load_cached(&hits, &misses, &said);
		cr_assert_str_eq(text, plain, CASE);
		cr_assert(strstr(said, cases[i].said) != NULL,
		    "case %s: said '%s'", unit_case, said);
		cr_assert(strstr(said, "customer-files.cache") != NULL,
		    "case %s: said '%s'", unit_case, said);
		cr_assert_eq(hits, cases[i].hits, "case %s: hits %zu",
		    unit_case, hits);
		free(said);
		free(text);
		/* Written whole again: the next load has every hit. */
		text = load_cached(&hits, &misses, &said);
		cr_assert_str_eq(text, plain, CASE);
		cr_assert_str_eq(said, "", CASE);
		cr_assert_eq(hits, 5, "case %s: hits %zu", unit_case, hits);
		free(said);
		free(text);
		free(plain);
		unit_case_end();
	}
}

/* Random bytes changed anywhere: never another result than a plain load. */
TEST_NO_LEAK(loadcache, any_change_of_its_bytes_gives_a_plain_load)
{
	char		*plain, *path, *good;
	uint64_t	 rng = 0x243f6a8885a308d3ULL;
	struct stat	 st;
	size_t		 len;
	FILE		*fp;

	write_customers();
	plain = load_plain();
	free(load_cached(&(size_t){ 0 }, &(size_t){ 0 }, &good));
	free(good);
	path = unit_path("cache/customer-files.cache");
	cr_assert_eq(stat(path, &st), 0);
	len = (size_t)st.st_size;
	good = xmalloc(len);
	fp = fopen(path, "r");
	cr_assert_eq(fread(good, 1, len, fp), len);
	fclose(fp);
	for (int round = 0; round < 300; round++) {
		char	*bad = xmalloc(len), *text, *said;
		int	 flips = 1 + (int)(unit_xorshift(&rng) % 4);

		memcpy(bad, good, len);
		for (int f = 0; f < flips; f++)
			bad[unit_xorshift(&rng) % len] ^=
			    (char)(1 + unit_xorshift(&rng) % 255);
		fp = fopen(path, "w");
		cr_assert_eq(fwrite(bad, 1, len, fp), len);
		fclose(fp);
		text = load_cached(&(size_t){ 0 }, &(size_t){ 0 }, &said);
		cr_assert_str_eq(text, plain, "round %d", round);
		free(said);
		free(text);
		free(bad);
	}
	free(good);
	free(path);
	free(plain);
}

/* ---- Certificate pairs ------------------------------------------------ */

static void
pki(const char *args)
{
	unit_sh("tests/tools/mkpki %s/pki %s >/dev/null 2>&1", unit_dir, args);
}

static void
certs_text_add(FILE *fp, const struct cert *c)
{
	fprintf(fp, "%s %s serial=%s ecdsa=%d %lld-%lld chain=%zu/%zu:",
	    c->crt_file, c->crt_key_file, c->crt_serial, c->crt_ecdsa,
	    (long long)c->crt_not_before, (long long)c->crt_not_after,
	    c->crt_chain_count, c->crt_chain_len);
	for (size_t i = 0; i < c->crt_chain_len; i++)
		fprintf(fp, "%02x", c->crt_chain[i]);
	fprintf(fp, " key=");
	for (size_t i = 0; i < c->crt_key_len; i++)
		fprintf(fp, "%02x", c->crt_key[i]);
	for (size_t i = 0; i < c->crt_names.sv_count; i++)
		fprintf(fp, " %s", c->crt_names.sv_items[i]);
	fputc('\n', fp);
}

enum load_how {
	LOAD_PLAIN,	/* certset_load(), no cache */
	LOAD_CACHED,	/* certset_load() through the daemon's cache */
	LOAD_REPORT,	/* certset_load_report() through a certs cache */
};

/*
 * The pairs of pki/certs, loaded `how` (the cache in cache/, of `user`
 * for a report), as text, each pair by `add`, then the messages; the
 * cache's counts in *hits and *misses; *bytes whether any certificate
 * kept a chain or a key.
 */
static char *
certs_load_how(enum load_how how, enum loadcache_user user, size_t *hits,
    size_t *misses, void (*add)(FILE *, const struct cert *), bool *bytes)
{
	struct diag_list	 said = { 0 };
	struct config		 cfg = { 0 };
	struct cert_source	 src = { .csrc_directory = unit_path("pki/certs") };
	struct certset		 set;
	struct diag_list	 diags = { 0 };
	struct certcache	*cc = certcache_new();
	struct loadcache	*lc = NULL;
	struct unit_text	 t;
	FILE			*fp = unit_text_open(&t);
	char			*dir = unit_path("cache");

	cfg.cfg_certs = &src;
	cfg.cfg_ncerts = 1;
	if (how != LOAD_PLAIN) {
		mkdir(dir, 0700);
		lc = loadcache_open(dir, LOADCACHE_CERTIFICATES, user);
		cr_assert_not_null(lc);
	}
	if (how == LOAD_REPORT)
		certset_load_report(&set, &cfg, &diags, time(NULL), lc);
	else {
		certcache_set_disk(cc, lc);
		certset_load(&set, &cfg, &diags, time(NULL), cc);
	}
	if (lc != NULL) {
		loadcache_counts(lc, hits, misses);
		loadcache_close(lc, &said);
		diag_free(&said);
	}
	*bytes = false;
	for (size_t i = 0; i < set.cs_count; i++) {
		add(fp, set.cs_certs[i]);
		*bytes = *bytes || set.cs_certs[i]->crt_chain != NULL ||
		    set.cs_certs[i]->crt_key != NULL;
	}
	diag_print(&diags, fp);
	certset_free(&set);
	certcache_free(cc);
	diag_free(&diags);
	free(src.csrc_directory);
	free(dir);
	return unit_text_close(&t);
}

/* The pairs of pki/certs, loaded with the daemon's load cache in cache/
 * (or none), as text: every field, the DER of chain and key, the
 * messages. */
static char *
certs_load(bool cached, size_t *hits, size_t *misses)
{
	bool bytes;

	return certs_load_how(cached ? LOAD_CACHED : LOAD_PLAIN,
	    LOADCACHE_DAEMON, hits, misses, certs_text_add, &bytes);
}

/* NAME's key replaced by another's, under its certificate. */
static void
key_of_another(const char *name)
{
	char args[128];

	snprintf(args, sizeof(args), "--out other %s", name);
	pki(args);
	unit_sh("cd %s/pki/certs && mv other.key %s.key && rm other.crt",
	    unit_dir, name);
}

TEST_NO_LEAK(loadcache, certificates_as_a_plain_load)
{
	char	*plain, *text;
	size_t	 hits, misses;

	pki("");
	pki("mta-sts.a.example mta-sts.b.example");
	pki("--expired mta-sts.old.example");
	pki("--rsa --intermediate mta-sts.r.example");
	plain = certs_load(false, NULL, NULL);
	cr_assert(strstr(plain, "chain=2/") != NULL, "%s", plain);
	cr_assert(strstr(plain, "expired") != NULL, "%s", plain);
	text = certs_load(true, &hits, &misses);
	cr_assert_str_eq(text, plain);
	cr_assert_eq(hits, 0);
	cr_assert_eq(misses, 4, "misses %zu", misses);
	free(text);
	text = certs_load(true, &hits, &misses);
	cr_assert_str_eq(text, plain);
	cr_assert_eq(hits, 4, "hits %zu", hits);
	cr_assert_eq(misses, 0, "misses %zu", misses);
	free(text);

	/* Another key under the same chain: the key's stamp changed, so the
	 * pair is parsed again and refused as a plain load refuses it. */
	key_of_another("mta-sts.a.example");
	free(plain);
	plain = certs_load(false, NULL, NULL);
	cr_assert(strstr(plain, "does not match") != NULL, "%s", plain);
	text = certs_load(true, &hits, &misses);
	cr_assert_str_eq(text, plain);
	cr_assert_eq(hits, 3, "hits %zu", hits);
	cr_assert_eq(misses, 1, "misses %zu", misses);
	free(text);

	/* A damaged record (the first, b's chain): that pair read again. */
	flip_byte("cache/certificates.cache", 300);
	text = certs_load(true, &hits, &misses);
	cr_assert_str_eq(text, plain);
	cr_assert_eq(hits, 2, "hits %zu", hits);
	cr_assert_eq(misses, 2, "misses %zu", misses);
	free(text);
	free(plain);
}

/* More files changed than a start holds before writing: the new cache is
 * written as they come, and holds every one of them. */
TEST_NO_LEAK(loadcache, many_changes_are_written_as_they_come)
{
	char	*plain, *text, *said, name[64], body[96];
	size_t	 hits, misses;

	unit_write("main.yaml",
	    "policies:\n"
	    "  h: {mode: enforce, mx: [mx.h.example], max_age: 86400}\n"
	    "include: [\"$DIR/d/*.yaml\"]\n");
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "d/c%d.yaml", i);
		snprintf(body, sizeof(body), "domains: {c%d.example: h}\n", i);
		unit_write(name, body);
	}
	free(load_cached(&hits, &misses, &said));
	free(said);
	/* Every file replaced: all 5000 new to the cache. */
	for (int i = 0; i < 5000; i++) {
		snprintf(name, sizeof(name), "d/c%d.yaml", i);
		snprintf(body, sizeof(body), "domains: {d%d.example: h}\n", i);
		unit_write(name, body);
	}
	plain = load_plain();
	text = load_cached(&hits, &misses, &said);
	cr_assert_str_eq(text, plain);
	cr_assert_eq(hits, 0, "hits %zu", hits);
	cr_assert_eq(misses, 5000, "misses %zu", misses);
	cr_assert_str_eq(said, "");
	free(said);
	free(text);
	text = load_cached(&hits, &misses, &said);
	cr_assert_str_eq(text, plain);
	cr_assert_eq(hits, 5000, "hits %zu", hits);
	cr_assert_eq(misses, 0, "misses %zu", misses);
	free(said);
	free(text);
	free(plain);
}

/* A customer file whose record would be over the size a reader takes is
 * left out of the cache (read at every start); the others still come
 * from it, and the cache is not thrown away. */
TEST_NO_LEAK(loadcache, a_file_too_large_for_a_record_is_read_each_start)
{
	char	*plain, *text, *said, *path;
	size_t	 hits, misses;
	FILE	*fp;

	write_customers();
	path = unit_path("d/large.yaml");
	fp = fopen(path, "w");
	cr_assert_not_null(fp);
	/* One name of five million characters: not a domain, which the
	 * reader says at every start, in a tree too large for a record. */
	fputs("domains: {", fp);
	for (int i = 0; i < 500000; i++)
		fputs("aaaaaaaaaa", fp);
	fputs(": hoster}\n", fp);
	cr_assert_eq(fclose(fp), 0);
	plain = load_plain();
	free(load_cached(&hits, &misses, &said));
	free(said);
	text = load_cached(&hits, &misses, &said);
	cr_assert_str_eq(text, plain);
	cr_assert_str_eq(said, "");
	cr_assert_eq(hits, 5, "hits %zu", hits);
	cr_assert_eq(misses, 2, "misses %zu", misses);
	free(said);
	free(text);
	free(plain);
	free(path);
}

/* A cache another user wrote is not taken; what an interrupted start left
 * unfinished is removed by the next one that writes. */
TEST_NO_LEAK(loadcache, another_users_cache_and_unfinished_ones)
{
	char	*plain, *text, *said;
	size_t	 hits, misses;

	write_customers();
	plain = load_plain();
	free(load_cached(&hits, &misses, &said));
	free(said);
	unit_sh("chown 65534 %s/cache/customer-files.cache && "
	    "touch %s/cache/customer-files.cache.4242.new "
	    "%s/cache/certificates.cache.4242.new", unit_dir, unit_dir,
	    unit_dir);
	text = load_cached(&hits, &misses, &said);
	cr_assert_str_eq(text, plain);
	cr_assert(strstr(said, "belongs to another user (uid 65534)") != NULL,
	    "said '%s'", said);
	cr_assert_eq(hits, 0, "hits %zu", hits);
	free(said);
	free(text);
	unit_sh("cd %s/cache && test ! -e customer-files.cache.4242.new && "
	    "test -e certificates.cache.4242.new && "
	    "test \"$(stat -c %%u customer-files.cache)\" = \"$(id -u)\"",
	    unit_dir);
	text = load_cached(&hits, &misses, &said);
	cr_assert_str_eq(text, plain);
	cr_assert_eq(hits, 5, "hits %zu", hits);
	free(said);
	free(text);
	free(plain);
}

/* ---- The cache of `certs` ---------------------------------------------- */

static bool
exists(const char *rel)
{
	char	*path = unit_path(rel);
	bool	 found = access(path, F_OK) == 0;

	free(path);
	return found;
}

/* Customers c0 .. c<n - 1>, each of its own file, named `tag`<i>. */
static void
write_many(int n, const char *tag)
{
	char name[64], body[96];

	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "d/c%d.yaml", i);
		snprintf(body, sizeof(body), "domains: {%s%d.example: h}\n",
		    tag, i);
		unit_write(name, body);
	}
}

/*
 * A load through the cache of `user` gives what a plain load gives, with
 * `hits` and `misses` (-1: any) and nothing said; true if it wrote `file`
 * (in cache/) anew.
 */
static bool
expect_load_as(enum loadcache_user user, long hits, long misses,
    const char *file)
{
	char	*plain = load_plain(), *text, *said, *rel;
	size_t	 h, m;
	ino_t	 before;
	bool	 written;

	rel = xasprintf("cache/%s", file);
	before = exists(rel) ? inode_of(rel) : 0;
	text = load_cached_as(user, &h, &m, &said);
	cr_assert_str_eq(text, plain);
	cr_assert_str_eq(said, "");
	cr_assert(hits < 0 || h == (size_t)hits, "hits %zu, not %ld", h, hits);
	cr_assert(misses < 0 || m == (size_t)misses, "misses %zu, not %ld", m,
	    misses);
	written = exists(rel) && inode_of(rel) != before;
	free(rel);
	free(text);
	free(said);
	free(plain);
	return written;
}

/*
 * A certs pass keeps a cache of its own beside the daemon's, and writes
 * it anew only once enough changed (a hundredth, and at least 256
 * records), reading the few changed files meanwhile; a report reads it
 * and never writes.
 */
TEST_NO_LEAK(loadcache, certs_cache_is_its_own_and_written_when_enough_changed)
{
	const char *certs = "certs-customer-files.cache";

	unit_write("main.yaml",
	    "policies:\n"
	    "  h: {mode: enforce, mx: [mx.h.example], max_age: 86400}\n"
	    "include: [\"$DIR/d/*.yaml\"]\n");
	write_many(300, "a");
	/* A report before any pass: nothing to read, nothing written. */
	cr_assert(!expect_load_as(LOADCACHE_CERTS_READER, 0, 300, certs));
	cr_assert(!exists("cache/certs-customer-files.cache"));
	cr_assert(expect_load_as(LOADCACHE_CERTS, 0, 300, certs));
	cr_assert(!exists("cache/customer-files.cache"));
	/* One customer changed: read again, the cache left as it is. */
	unit_write("d/c7.yaml", "domains: {b7.example: h}\n");
	cr_assert(!expect_load_as(LOADCACHE_CERTS, 299, 1, certs));
	/* 256 changed since it was written: written anew. */
	write_many(256, "b");
	cr_assert(expect_load_as(LOADCACHE_CERTS, 44, 256, certs));
	cr_assert(!expect_load_as(LOADCACHE_CERTS, 300, 0, certs));
	/* A report takes it, and writes nothing even with a change. */
	unit_write("d/c299.yaml", "domains: {z.example: h}\n");
	cr_assert(!expect_load_as(LOADCACHE_CERTS_READER, 299, 1, certs));
	/* The daemon's, in the same directory, is another file: any change
	 * writes it, at its start-up. */
	cr_assert(expect_load_as(LOADCACHE_DAEMON, 0, 300,
	    "customer-files.cache"));
	unit_write("d/c1.yaml", "domains: {y.example: h}\n");
	cr_assert(expect_load_as(LOADCACHE_DAEMON, 299, 1,
	    "customer-files.cache"));
	cr_assert(!expect_load_as(LOADCACHE_CERTS, 298, 2, certs));
}

/* Passes may write at once: one leaves the others' unfinished caches,
 * unless nothing has written to them for an hour. The daemon, alone with
 * its cache, removes any it finds. */
TEST_NO_LEAK(loadcache, certs_pass_leaves_other_passes_unfinished_caches)
{
	char	*said;
	size_t	 hits, misses;

	write_customers();
	unit_sh("mkdir -p %s/cache && cd %s/cache && "
	    "touch certs-customer-files.cache.4242.new && "
	    "touch -d '2 hours ago' certs-customer-files.cache.4243.new && "
	    "touch customer-files.cache.4244.new", unit_dir, unit_dir);
	free(load_cached_as(LOADCACHE_CERTS, &hits, &misses, &said));
	free(said);
	cr_assert(exists("cache/certs-customer-files.cache"));
	cr_assert(exists("cache/certs-customer-files.cache.4242.new"));
	cr_assert(!exists("cache/certs-customer-files.cache.4243.new"));
	cr_assert(exists("cache/customer-files.cache.4244.new"));
	free(load_cached(&hits, &misses, &said));
	free(said);
	cr_assert(!exists("cache/customer-files.cache.4244.new"));
	cr_assert(exists("cache/certs-customer-files.cache.4242.new"));
}

/* A pair as a report has it: names, dates, serial, and no bytes. */
static void
report_text_add(FILE *fp, const struct cert *c)
{
	fprintf(fp, "%s %s serial=%s ecdsa=%d %lld-%lld chain=%zu:",
	    c->crt_file, c->crt_key_file, c->crt_serial, c->crt_ecdsa,
	    (long long)c->crt_not_before, (long long)c->crt_not_after,
	    c->crt_chain_count);
	for (size_t i = 0; i < c->crt_names.sv_count; i++)
		fprintf(fp, " %s", c->crt_names.sv_items[i]);
	fputc('\n', fp);
}

/* The pairs of pki/certs for a report (through the certs cache of
 * `user`), or as certset_load() has them without a cache. */
static char *
certs_report(bool report, enum loadcache_user user, size_t *hits,
    size_t *misses, bool *bytes)
{
	return certs_load_how(report ? LOAD_REPORT : LOAD_PLAIN, user, hits,
	    misses, report_text_add, bytes);
}

/*
 * A report on the certificates says what a load for serving says of each
 * pair, keeps none of their bytes, and takes the pairs its cache holds
 * without reading their keys; a key that changed is read and checked
 * again.
 */
TEST_NO_LEAK(loadcache, certs_report_as_a_plain_load_without_keys)
{
	char	*plain, *text;
	size_t	 hits, misses;
	bool	 bytes;

	pki("");
	pki("mta-sts.a.example mta-sts.b.example");
	pki("--expired mta-sts.old.example");
	pki("--rsa --intermediate mta-sts.r.example");
	plain = certs_report(false, LOADCACHE_DAEMON, NULL, NULL, &bytes);
	cr_assert(bytes);
	cr_assert(strstr(plain, "chain=2:") != NULL, "%s", plain);
	text = certs_report(true, LOADCACHE_CERTS, &hits, &misses, &bytes);
	cr_assert_str_eq(text, plain);
	cr_assert(!bytes);
	cr_assert_eq(misses, 4, "misses %zu", misses);
	free(text);
	/* From the cache, every pair, the keys looked at with stat(2). */
	text = certs_report(true, LOADCACHE_CERTS, &hits, &misses, &bytes);
	cr_assert_str_eq(text, plain);
	cr_assert(!bytes);
	cr_assert_eq(hits, 4, "hits %zu", hits);
	cr_assert_eq(misses, 0, "misses %zu", misses);
	free(text);

	/* Another key under the same chain: its stamp changed, so the pair
	 * is parsed again and refused as a plain load refuses it. */
	key_of_another("mta-sts.a.example");
	free(plain);
	plain = certs_report(false, LOADCACHE_DAEMON, NULL, NULL, &bytes);
	cr_assert(strstr(plain, "does not match") != NULL, "%s", plain);
	text = certs_report(true, LOADCACHE_CERTS, &hits, &misses, &bytes);
	cr_assert_str_eq(text, plain);
	cr_assert_eq(hits, 3, "hits %zu", hits);
	cr_assert_eq(misses, 1, "misses %zu", misses);
	free(text);
	free(plain);
}
