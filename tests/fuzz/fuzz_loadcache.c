/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the load cache's reader (config/loadcache.c), through
 * the loads that use it. A directory made once per process holds a main
 * file including two customer files, and an ECDSA certificate pair
 * (fuzz_pki.c). The first byte of the input says what the rest is:
 *
 *   'C'  a customers' cache file, as it is
 *   'P'  a certificates' cache file, as it is
 *   'c'  the tree of one record for d/a.yaml: the target writes the cache
 *        around it (header, path, the file's real stamp, checksum,
 *        trailer), so that mutations reach the tree decoder
 *   'p'  the same for the pair: what follows the paths and both stamps
 *
 * and the configuration (or the certificates) is loaded through it. A
 * record's bytes are the daemon's own, so anything a whole record says may
 * be served; what must hold is that no input crashes, leaks or overruns.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "../../config/cert.h"
#include "../../config/config.h"
#include "../../config/loadcache.h"
#include "../../config/stamp.h"
#include "fuzz_files.h"
#include "fuzz_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char	fuzz_dir[64];
static char	fuzz_path[8][128];

enum { F_MAIN, F_A, F_B, F_CHAIN, F_KEY, F_CUSTOMERS, F_PAIRS, F_DDIR };

static void
fuzz_cleanup(void)
{
	for (size_t i = 0; i < 8; i++)
		if (fuzz_path[i][0] != '\0' && i != F_DDIR)
			unlink(fuzz_path[i]);
	rmdir(fuzz_path[F_DDIR]);
	rmdir(fuzz_dir);
}

static void
fuzz_setup(void)
{
	static const char main_yaml[] =
	    "policies:\n"
	    "  h: {mode: enforce, mx: [mx.h.example], max_age: 86400}\n"
	    "include: [d/*.yaml]\n";
	static const char a_yaml[] = "domains: {a.example: h}\n";
	static const char b_yaml[] =
	    "domains:\n  b.example: {mode: testing, mx: [mx.b.example]}\n";

	if (fuzz_dir[0] != '\0')
		return;
	strcpy(fuzz_dir, "/tmp/fuzz_loadcache.XXXXXX");
	if (mkdtemp(fuzz_dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	snprintf(fuzz_path[F_MAIN], 128, "%s/main.yaml", fuzz_dir);
	snprintf(fuzz_path[F_DDIR], 128, "%s/d", fuzz_dir);
	snprintf(fuzz_path[F_A], 128, "%s/d/a.yaml", fuzz_dir);
	snprintf(fuzz_path[F_B], 128, "%s/d/b.yaml", fuzz_dir);
	snprintf(fuzz_path[F_CHAIN], 128, "%s/mta-sts.example.com.crt",
	    fuzz_dir);
	snprintf(fuzz_path[F_KEY], 128, "%s/mta-sts.example.com.key",
	    fuzz_dir);
	snprintf(fuzz_path[F_CUSTOMERS], 128, "%s/customer-files.cache",
	    fuzz_dir);
	snprintf(fuzz_path[F_PAIRS], 128, "%s/certificates.cache", fuzz_dir);
	atexit(fuzz_cleanup);
	if (mkdir(fuzz_path[F_DDIR], 0700) == -1)
		abort();
	fuzz_write(fuzz_path[F_MAIN], main_yaml, sizeof(main_yaml) - 1);
	fuzz_write(fuzz_path[F_A], a_yaml, sizeof(a_yaml) - 1);
	fuzz_write(fuzz_path[F_B], b_yaml, sizeof(b_yaml) - 1);
	fuzz_write(fuzz_path[F_CHAIN], fuzz_pki_ecdsa_crt,
	    strlen(fuzz_pki_ecdsa_crt));
	fuzz_write(fuzz_path[F_KEY], fuzz_pki_ecdsa_key,
	    strlen(fuzz_pki_ecdsa_key));
}

/* ---- A cache written around one record's decoded part -------------- */

struct fuzz_buf {
	unsigned char	b[1 << 16];
	size_t		n;
};

static void
fuzz_put(struct fuzz_buf *fb, const void *p, size_t n)
{
	if (n > sizeof(fb->b) - fb->n)
		n = sizeof(fb->b) - fb->n;
	memcpy(fb->b + fb->n, p, n);
	fb->n += n;
}

static void
fuzz_put_stamp(struct fuzz_buf *fb, const char *path)
{
	struct stat	st;
	struct stamp	s;

	if (stat(path, &st) == -1)
		abort();
	s = stamp_of(&st);
	fuzz_put(fb, &s.stp_dev, 8);
	fuzz_put(fb, &s.stp_ino, 8);
	fuzz_put(fb, &s.stp_size, 8);
	fuzz_put(fb, &s.stp_mtime, 8);
	fuzz_put(fb, &s.stp_ctime, 8);
}

/* The cache file of `kind` with one record: `body` then `rest`. */
static void
fuzz_wrap(const char *path, uint32_t kind, const struct fuzz_buf *body,
    const uint8_t *rest, size_t n)
{
	static struct fuzz_buf	 file, rec;
	uint32_t		 words[4] = { 1, kind, 0x01020304u, 0 };
	uint32_t		 len, crc;
	uint64_t		 one = 1;

	rec.n = 0;
	fuzz_put(&rec, body->b, body->n);
	fuzz_put(&rec, rest, n);
	len = (uint32_t)rec.n;
	crc = (uint32_t)crc32(0L, rec.b, len);
	file.n = 0;
	fuzz_put(&file, "mtastsLC", 8);
	fuzz_put(&file, words, sizeof(words));
	fuzz_put(&file, &len, 4);
	fuzz_put(&file, &crc, 4);
	fuzz_put(&file, rec.b, rec.n);
	fuzz_put(&file, "mtastsEN", 8);
	fuzz_put(&file, &one, 8);
	fuzz_write(path, file.b, file.n);
}

static void
fuzz_customers(void)
{
	struct diag_list	 diags = { 0 };
	struct loadcache	*lc;
	struct config		*cfg;

	lc = loadcache_open(fuzz_dir, LOADCACHE_CUSTOMERS, LOADCACHE_DAEMON);
	cfg = config_load_cached(fuzz_path[F_MAIN], lc);
	loadcache_close(lc, &diags);
	config_free(cfg);
	diag_free(&diags);
}

static void
fuzz_pairs(void)
{
	struct config		 cfg = { 0 };
	struct cert_source	 src = { .csrc_cert = fuzz_path[F_CHAIN],
				    .csrc_key = fuzz_path[F_KEY] };
	struct diag_list	 diags = { 0 };
	struct certcache	*cc = certcache_new();
	struct loadcache	*lc;
	struct certset		 set;
	const time_t		 now = 1796083200;	/* 2026-12-01 */

	cfg.cfg_certs = &src;
	cfg.cfg_ncerts = 1;
	lc = loadcache_open(fuzz_dir, LOADCACHE_CERTIFICATES,
	    LOADCACHE_DAEMON);
	certcache_set_disk(cc, lc);
	certset_load(&set, &cfg, &diags, now, cc);
	loadcache_close(lc, &diags);
	(void)certset_cover(&set, "mta-sts.example.com", now);
	certset_free(&set);
	certcache_free(cc);
	diag_free(&diags);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_buf	body;
	const uint8_t		zero = 0;

	fuzz_setup();
	if (size == 0)
		return 0;
	body.n = 0;
	switch (data[0]) {
	case 'C':
		fuzz_write(fuzz_path[F_CUSTOMERS], data + 1, size - 1);
		fuzz_customers();
		break;
	case 'P':
		fuzz_write(fuzz_path[F_PAIRS], data + 1, size - 1);
		fuzz_pairs();
		break;
	case 'c':
		fuzz_put(&body, fuzz_path[F_A], strlen(fuzz_path[F_A]) + 1);
		fuzz_put_stamp(&body, fuzz_path[F_A]);
		fuzz_put(&body, &zero, 1);
		fuzz_wrap(fuzz_path[F_CUSTOMERS], LOADCACHE_CUSTOMERS, &body,
		    data + 1, size - 1);
		fuzz_customers();
		break;
	case 'p':
		fuzz_put(&body, fuzz_path[F_CHAIN],
		    strlen(fuzz_path[F_CHAIN]) + 1);
		fuzz_put(&body, fuzz_path[F_KEY], strlen(fuzz_path[F_KEY]) + 1);
		fuzz_put_stamp(&body, fuzz_path[F_CHAIN]);
		fuzz_put_stamp(&body, fuzz_path[F_KEY]);
		fuzz_wrap(fuzz_path[F_PAIRS], LOADCACHE_CERTIFICATES, &body,
		    data + 1, size - 1);
		fuzz_pairs();
		break;
	default:
		break;
	}
	return 0;
}
