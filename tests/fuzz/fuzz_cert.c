/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: a certificate chain and key pair. The input is split at
 * its first 0 byte into the chain PEM and the key PEM (no 0 byte: the whole
 * input is both, as one combined file), written to files in a directory
 * made once per process (removed at exit), and loaded with cert_load_pair.
 * An input that starts with "DER:" is DER instead, the certificate and the
 * key split at the first "\0\0\0\0": each is wrapped in a PEM block here,
 * so mutations reach the DER parsers rather than stopping at base64.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../config/diag.h"
#include "../../config/cert.h"
#include "fuzz_files.h"

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

/* `der` as a PEM block labelled `label`, into `path`. */
static void
fuzz_write_pem(const char *path, const char *label, const uint8_t *der,
    size_t n)
{
	static const char	 b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char			*pem = malloc(n * 2 + 128), *p = pem;

	if (pem == NULL)
		abort();
	p += sprintf(p, "-----BEGIN %s-----\n", label);
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)der[i] << 16;

		if (i + 1 < n)
			v |= (uint32_t)der[i + 1] << 8;
		if (i + 2 < n)
			v |= der[i + 2];
		*p++ = b64[v >> 18];
		*p++ = b64[(v >> 12) & 63];
		*p++ = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		*p++ = i + 2 < n ? b64[v & 63] : '=';
		if ((i / 3) % 16 == 15)
			*p++ = '\n';
	}
	p += sprintf(p, "\n-----END %s-----\n", label);
	fuzz_write(path, (const uint8_t *)pem, (size_t)(p - pem));
	free(pem);
}

static void
fuzz_der(const uint8_t *data, size_t size, struct certset *set,
    struct diag_list *diags, time_t now)
{
	const uint8_t	*sep = memmem(data, size, "\0\0\0\0", 4);
	size_t		 clen = sep != NULL ? (size_t)(sep - data) : size;

	fuzz_write_pem(fuzz_chain, "CERTIFICATE", data, clen);
	if (sep != NULL)
		fuzz_write_pem(fuzz_key, "PRIVATE KEY", sep + 4,
		    size - clen - 4);
	else
		fuzz_write(fuzz_key, NULL, 0);
	(void)cert_load_pair(set, fuzz_chain, fuzz_key, diags, now);
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
	if (size >= 4 && memcmp(data, "DER:", 4) == 0)
		fuzz_der(data + 4, size - 4, &set, &diags, now);
	else if (nul != NULL) {
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
