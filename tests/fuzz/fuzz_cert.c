/*
 * libFuzzer target: a certificate chain and key pair. The input is split at
 * its first 0 byte into the chain PEM and the key PEM (no 0 byte: the whole
 * input is both, as one combined file), written to files in a directory
 * made once per process (removed at exit), and loaded with cert_load_pair.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../config/diag.h"
#include "../../server/cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char	fuzz_dir[64];
static char	fuzz_chain[96];
static char	fuzz_key[96];

static void
fuzz_cleanup(void)
{
	if (fuzz_chain[0] != '\0')
		unlink(fuzz_chain);
	if (fuzz_key[0] != '\0')
		unlink(fuzz_key);
	if (fuzz_dir[0] != '\0')
		rmdir(fuzz_dir);
}

static void
fuzz_setup(void)
{
	if (fuzz_dir[0] != '\0')
		return;
	strcpy(fuzz_dir, "/tmp/fuzz_cert.XXXXXX");
	if (mkdtemp(fuzz_dir) == NULL) {
		perror("mkdtemp");
		abort();
	}
	snprintf(fuzz_chain, sizeof(fuzz_chain), "%s/chain.pem", fuzz_dir);
	snprintf(fuzz_key, sizeof(fuzz_key), "%s/key.pem", fuzz_dir);
	atexit(fuzz_cleanup);
}

static void
fuzz_write(const char *path, const uint8_t *p, size_t n)
{
	FILE	*fp = fopen(path, "w");

	if (fp == NULL || (n > 0 && fwrite(p, 1, n, fp) != n) ||
	    fclose(fp) != 0) {
		perror(path);
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct certset		 set = { 0 };
	struct diag_list	 diags = { 0 };
	const uint8_t		*nul;
	/* A fixed "now": the same input takes the same path every run. */
	const time_t		 now = 1796083200;	/* 2026-12-01: the seeds are valid */

	fuzz_setup();
	nul = size > 0 ? memchr(data, 0, size) : NULL;
	if (nul != NULL) {
		size_t clen = (size_t)(nul - data);
		fuzz_write(fuzz_chain, data, clen);
		fuzz_write(fuzz_key, nul + 1, size - clen - 1);
		(void)cert_load_pair(&set, fuzz_chain, fuzz_key, &diags, now);
	} else {
		fuzz_write(fuzz_chain, data, size);
		(void)cert_load_pair(&set, fuzz_chain, fuzz_chain, &diags,
		    now);
	}
	certset_index(&set);
	(void)certset_cover(&set, "mta-sts.example.com", now);
	certset_free(&set);
	diag_free(&diags);
	return 0;
}
