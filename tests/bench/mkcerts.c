/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * mkcerts: a throwaway PKI for the benchmark, fast. One P-256 CA, then one
 * ECDSA P-256 certificate per name (the name in its subjectAltName), the way
 * tests/tools/mkpki makes them, but 10,000 in a second or two instead of
 * forking openssl four times per name.
 *
 *   mkcerts DIR NAMES_FILE
 *
 * writes DIR/ca.crt, DIR/ca.key and, for each line NAME of NAMES_FILE,
 * DIR/certs/NAME.crt (the leaf) and DIR/certs/NAME.key (PKCS#8, mode 0600).
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define VALID_DAYS	365

static void
die(const char *what)
{
	fprintf(stderr, "mkcerts: %s\n", what);
	exit(1);
}

static EVP_PKEY *
newkey(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	if (k == NULL)
		die("EC key generation failed");
	return k;
}

static void
addext(X509 *x, X509 *issuer, int nid, const char *value)
{
	X509V3_CTX	 ctx;
	X509_EXTENSION	*ext;

	X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (ext == NULL || !X509_add_ext(x, ext, -1))
		die("cannot add an extension");
	X509_EXTENSION_free(ext);
}

static X509 *
newcert(EVP_PKEY *key, const char *cn, long serial, X509 *issuer)
{
	X509		*x = X509_new();
	X509_NAME	*name = X509_NAME_new();

	if (x == NULL || name == NULL)
		die("out of memory");
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
	X509_gmtime_adj(X509_getm_notBefore(x), -3600);
	X509_gmtime_adj(X509_getm_notAfter(x), (long)VALID_DAYS * 86400);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0);
	X509_set_subject_name(x, name);
	X509_set_issuer_name(x, issuer != NULL ?
	    X509_get_subject_name(issuer) : name);
	X509_NAME_free(name);
	X509_set_pubkey(x, key);
	return x;
}

static void
writefile(const char *path, mode_t mode, X509 *x, EVP_PKEY *k)
{
	FILE *f;

	umask(mode == 0600 ? 077 : 022);
	if ((f = fopen(path, "w")) == NULL) {
		fprintf(stderr, "mkcerts: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	if ((x != NULL && !PEM_write_X509(f, x)) ||
	    (k != NULL && !PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL,
	    NULL)))
		die("cannot write PEM");
	if (fclose(f) != 0)
		die("cannot close a file");
}

int
main(int argc, char **argv)
{
	char		 path[4096], line[512];
	EVP_PKEY	*ca_key, *key;
	X509		*ca, *x;
	FILE		*names;
	long		 serial = 1000;

	if (argc != 3) {
		fputs("usage: mkcerts DIR NAMES_FILE\n", stderr);
		return 2;
	}
	snprintf(path, sizeof(path), "%s/certs", argv[1]);
	mkdir(argv[1], 0755);
	mkdir(path, 0755);
	if ((names = fopen(argv[2], "r")) == NULL)
		die("cannot open the names file");

	ca_key = newkey();
	ca = newcert(ca_key, "mta-sts-hostd benchmark throwaway CA", 1, NULL);
	addext(ca, ca, NID_basic_constraints, "critical,CA:TRUE");
	addext(ca, ca, NID_key_usage, "critical,keyCertSign,cRLSign");
	addext(ca, ca, NID_subject_key_identifier, "hash");
	if (!X509_sign(ca, ca_key, EVP_sha256()))
		die("cannot sign the CA certificate");
	snprintf(path, sizeof(path), "%s/ca.crt", argv[1]);
	writefile(path, 0644, ca, NULL);
	snprintf(path, sizeof(path), "%s/ca.key", argv[1]);
	writefile(path, 0600, NULL, ca_key);

	while (fgets(line, sizeof(line), names) != NULL) {
		char san[600];

		line[strcspn(line, " \t\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		key = newkey();
		x = newcert(key, line, ++serial, ca);
		snprintf(san, sizeof(san), "DNS:%s", line);
		addext(x, ca, NID_subject_alt_name, san);
		addext(x, ca, NID_basic_constraints, "CA:FALSE");
		addext(x, ca, NID_ext_key_usage, "serverAuth");
		addext(x, ca, NID_authority_key_identifier, "keyid");
		if (!X509_sign(x, ca_key, EVP_sha256()))
			die("cannot sign a certificate");
		snprintf(path, sizeof(path), "%s/certs/%s.crt", argv[1], line);
		writefile(path, 0644, x, NULL);
		snprintf(path, sizeof(path), "%s/certs/%s.key", argv[1], line);
		writefile(path, 0600, NULL, key);
		X509_free(x);
		EVP_PKEY_free(key);
	}
	fclose(names);
	X509_free(ca);
	EVP_PKEY_free(ca_key);
	return 0;
}
