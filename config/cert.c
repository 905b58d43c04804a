/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "cert.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <wolfssl/options.h>
#include <wolfssl/ssl.h>
#include <wolfssl/wolfcrypt/asn.h>
#include <wolfssl/wolfcrypt/asn_public.h>
#include <wolfssl/wolfcrypt/ecc.h>
#include <wolfssl/wolfcrypt/rsa.h>

#include "loadcache.h"
#include "pool.h"
#include "stamp.h"
#include "strmap.h"
#include "xalloc.h"

struct pem_block {
	const char	*pb_label;	/* "CERTIFICATE", "PRIVATE KEY", ... */
	size_t		 pb_label_len;
	const char	*pb_start;	/* the BEGIN line */
	size_t		 pb_len;	/* through the END line */
};

static void __attribute__((format(printf, 3, 4)))
cert_error(struct diag_list *diags, const char *file, const char *fmt, ...)
{
	struct srcpos	pos = { .sp_file = file };
	va_list		ap;

	va_start(ap, fmt);
	diag_vadd(diags, DIAG_ERROR, &pos, NULL, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
cert_warning(struct diag_list *diags, const char *file, const char *fmt, ...)
{
	struct srcpos	pos = { .sp_file = file };
	va_list		ap;

	va_start(ap, fmt);
	diag_vadd(diags, DIAG_WARNING, &pos, NULL, fmt, ap);
	va_end(ap);
}

/*
 * Read a whole file, `name` relative to `dirfd` (AT_FDCWD: a path), named
 * `path` in messages; *lenp gets its size, *stp its stamp as it was
 * opened. The buffer may hold a key: the caller wipes it.
 */
static char *
cert_read_file(int dirfd, const char *name, const char *path, size_t *lenp,
    struct stamp *stp, struct diag_list *diags)
{
	struct stat	 st;
	char		*buf;
	size_t		 off = 0;
	int		 fd;

	/* Not blocking: a FIFO would hold the load up in open(2). */
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd == -1 && errno == EACCES && geteuid() != 0) {
		/* After the privilege drop, reloads read as the service user. */
		cert_error(diags, path, "cannot open: %s (the daemon reads "
		    "certificates and keys as its own user after start-up: make "
		    "them readable by its group, mode 0640)", strerror(errno));
		return NULL;
	}
	if (fd == -1) {
		cert_error(diags, path, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > CERT_FILE_MAX) {
		cert_error(diags, path, "not a regular file of at most %d "
		    "bytes", CERT_FILE_MAX);
		close(fd);
		return NULL;
	}
	*stp = stamp_of(&st);
	buf = xmalloc((size_t)st.st_size + 1);
	while (off < (size_t)st.st_size) {
		ssize_t r = read(fd, buf + off, (size_t)st.st_size - off);

		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		off += (size_t)r;
	}
	close(fd);
	buf[off] = '\0';
	*lenp = off;
	return buf;
}

static void
cert_wipe_free(void *p, size_t len)
{
	if (p == NULL)
		return;
	explicit_bzero(p, len);
	free(p);
}

/* The next "-----BEGIN X-----" ... "-----END X-----" block after *pos. */
static bool
cert_pem_next(const char *buf, size_t len, size_t *pos, struct pem_block *pb)
{
	static const char begin[] = "-----BEGIN ";
	const char *end = buf + len, *p = buf + *pos, *label, *dash, *stop;
	char endline[128];

	while ((p = memmem(p, (size_t)(end - p), begin, sizeof(begin) - 1))
	    != NULL) {
		label = p + sizeof(begin) - 1;
		dash = memmem(label, (size_t)(end - label), "-----", 5);
		if (dash == NULL || dash - label > 64)
			return false;
		snprintf(endline, sizeof(endline), "-----END %.*s-----",
		    (int)(dash - label), label);
		stop = memmem(dash, (size_t)(end - dash), endline,
		    strlen(endline));
		if (stop == NULL)
			return false;
		pb->pb_label = label;
		pb->pb_label_len = (size_t)(dash - label);
		pb->pb_start = p;
		pb->pb_len = (size_t)(stop - p) + strlen(endline);
		*pos = (size_t)(stop - buf) + strlen(endline);
		return true;
	}
	return false;
}

static bool
cert_pem_is(const struct pem_block *pb, const char *label)
{
	return pb->pb_label_len == strlen(label) &&
	    memcmp(pb->pb_label, label, pb->pb_label_len) == 0;
}

/* Append the DER of every CERTIFICATE block of `pem` to the cert's chain. */
static bool
cert_parse_chain(struct cert *crt, const char *pem, size_t len,
    const char *file, struct diag_list *diags)
{
	struct pem_block	pb;
	size_t			pos = 0;

	while (cert_pem_next(pem, len, &pos, &pb)) {
		unsigned char	*der;
		int		 n;

		if (!cert_pem_is(&pb, "CERTIFICATE"))
			continue;
		der = xmalloc(pb.pb_len);
		n = wc_CertPemToDer((const unsigned char *)pb.pb_start,
		    (int)pb.pb_len, der, (int)pb.pb_len, CERT_TYPE);
		if (n <= 0) {
			cert_error(diags, file, "certificate %zu is not valid "
			    "PEM", crt->crt_chain_count + 1);
			free(der);
			return false;
		}
		crt->crt_chain = xreallocarray(crt->crt_chain,
		    crt->crt_chain_len + (size_t)n, 1);
		memcpy(crt->crt_chain + crt->crt_chain_len, der, (size_t)n);
		crt->crt_chain_len += (size_t)n;
		crt->crt_chain_count++;
		free(der);
	}
	if (crt->crt_chain_count == 0) {
		cert_error(diags, file, "no certificate (no '-----BEGIN "
		    "CERTIFICATE-----' block)");
		return false;
	}
	return true;
}

/* Find the one private key block of `pem`; its DER goes to crt_key. */
static bool
cert_parse_key(struct cert *crt, const char *pem, size_t len,
    const char *file, struct diag_list *diags)
{
	struct pem_block	pb;
	size_t			pos = 0;

	while (cert_pem_next(pem, len, &pos, &pb)) {
		unsigned char	*der;
		int		 n;

		if (cert_pem_is(&pb, "ENCRYPTED PRIVATE KEY")) {
			cert_error(diags, file, "the private key is encrypted; "
			    "the daemon needs it unencrypted (readable only by "
			    "root and its group)");
			return false;
		}
		if (!cert_pem_is(&pb, "PRIVATE KEY") &&
		    !cert_pem_is(&pb, "EC PRIVATE KEY") &&
		    !cert_pem_is(&pb, "RSA PRIVATE KEY"))
			continue;
		if (crt->crt_key != NULL) {
			cert_error(diags, file, "more than one private key");
			return false;
		}
		der = xmalloc(pb.pb_len);
		n = wc_KeyPemToDer((const unsigned char *)pb.pb_start,
		    (int)pb.pb_len, der, (int)pb.pb_len, NULL);
		if (n <= 0) {
			cert_error(diags, file, "the private key is not valid "
			    "PEM");
			cert_wipe_free(der, pb.pb_len);
			return false;
		}
		crt->crt_key = xmalloc((size_t)n);
		memcpy(crt->crt_key, der, (size_t)n);
		crt->crt_key_len = (size_t)n;
		cert_wipe_free(der, pb.pb_len);
	}
	if (crt->crt_key == NULL) {
		cert_error(diags, file, "no private key (no '-----BEGIN PRIVATE "
		    "KEY-----' block)");
		return false;
	}
	return true;
}

/* `n` decimal digits at `p`, or -1. */
static int
cert_digits(const unsigned char *p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	return v;
}

/*
 * A certificate's date, RFC 5280 4.1.2.5: UTCTime YYMMDDHHMMSSZ (years 1950
 * to 2049) or GeneralizedTime YYYYMMDDHHMMSSZ, always in UTC, `len` bytes
 * at `p`. Read here rather than with wolfSSL_ASN1_TIME_to_tm, which goes
 * through mktime() and so reloads the time zone on every call; 0 if it is
 * not such a date.
 */
static time_t
cert_time(const unsigned char *p, int len)
{
	struct tm	tm;
	int		year, ylen;

	ylen = len == 13 ? 2 : len == 15 ? 4 : 0;
	if (ylen == 0 || p[len - 1] != 'Z' ||
	    (year = cert_digits(p, ylen)) < 0)
		return 0;
	if (ylen == 2)
		year += year < 50 ? 2000 : 1900;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = cert_digits(p + ylen, 2) - 1;
	tm.tm_mday = cert_digits(p + ylen + 2, 2);
	tm.tm_hour = cert_digits(p + ylen + 4, 2);
	tm.tm_min = cert_digits(p + ylen + 6, 2);
	tm.tm_sec = cert_digits(p + ylen + 8, 2);
	if (tm.tm_mon < 0 || tm.tm_mon > 11 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour < 0 || tm.tm_hour > 23 ||
	    tm.tm_min < 0 || tm.tm_min > 59 || tm.tm_sec < 0 || tm.tm_sec > 60)
		return 0;
	return timegm(&tm);
}

/* A date as the decoder leaves it: the whole element, tag and length. */
static time_t
cert_der_time(const unsigned char *p, int len)
{
	if (p == NULL || len < 2 || (p[0] != ASN_UTC_TIME &&
	    p[0] != ASN_GENERALIZED_TIME) || p[1] != len - 2)
		return 0;
	return cert_time(p + 2, len - 2);
}

time_t
cert_x509_not_after(WOLFSSL_X509 *x)
{
	const WOLFSSL_ASN1_TIME *t = wolfSSL_X509_get_notAfter(x);

	return t == NULL ? 0 : cert_time(t->data, t->length);
}

/*
 * The next DER certificate of the chain after *off: its start and length,
 * *off moved past it; NULL at the end or on a length that does not fit.
 */
static const unsigned char *
cert_chain_next(const struct cert *crt, size_t *off, word32 *lenp)
{
	const unsigned char	*p = crt->crt_chain + *off;
	size_t			 len, hdr;

	if (*off + 4 > crt->crt_chain_len || p[0] != 0x30)
		return NULL;
	/* SEQUENCE with a long-form length: certificates are > 127 bytes. */
	if (p[1] == 0x81) {
		len = p[2];
		hdr = 3;
	} else if (p[1] == 0x82) {
		len = ((size_t)p[2] << 8) | p[3];
		hdr = 4;
	} else if (p[1] == 0x83) {
		len = ((size_t)p[2] << 16) | ((size_t)p[3] << 8) | p[4];
		hdr = 5;
	} else
		return NULL;
	if (*off + hdr + len > crt->crt_chain_len)
		return NULL;
	*off += hdr + len;
	*lenp = (word32)(hdr + len);
	return p;
}

/*
 * Decode the next certificate of the chain into `dc` (wc_FreeDecodedCert
 * after, whatever the result). The decoder reads the fields in place: no
 * X509 object, no public key object and so no random generator per
 * certificate, which is what makes a million of them load in seconds.
 */
static bool
cert_chain_decode(const struct cert *crt, size_t *off, DecodedCert *dc)
{
	const unsigned char	*der;
	word32			 len = 0;

	der = cert_chain_next(crt, off, &len);
	wc_InitDecodedCert(dc, der, der == NULL ? 0 : len, NULL);
	return der != NULL && wc_ParseCert(dc, CERT_TYPE, NO_VERIFY, NULL) == 0;
}

/* Leaf first, each certificate issued by the next (RFC 8446 4.4.2). */
static bool
cert_check_order(const struct cert *crt, const DecodedCert *leaf,
    size_t off, const char *file, struct diag_list *diags)
{
	byte		issuer[KEYID_SIZE];
	DecodedCert	next;
	size_t		i = 1;
	bool		ok = true;

	memcpy(issuer, leaf->issuerHash, sizeof(issuer));
	while (ok && off < crt->crt_chain_len) {
		if (!cert_chain_decode(crt, &off, &next)) {
			cert_error(diags, file, "certificate %zu cannot be "
			    "decoded", i + 1);
			ok = false;
		} else if (memcmp(issuer, next.subjectHash,
		    sizeof(issuer)) != 0) {
			cert_error(diags, file, "the chain is out of order: "
			    "certificate %zu is not the issuer of certificate "
			    "%zu; put the server certificate first, then each "
			    "issuer in turn", i + 1, i);
			ok = false;
		}
		memcpy(issuer, next.issuerHash, sizeof(issuer));
		wc_FreeDecodedCert(&next);
		i++;
	}
	return ok;
}

/*
 * The public key of a private key (DER, PKCS#8 or traditional) in the form
 * the certificate decoder gives it: the SubjectPublicKeyInfo of an ECDSA
 * key, the bare RSAPublicKey of an RSA key.
 */
static int
cert_key_public(struct cert *crt, unsigned char *out, word32 size)
{
	unsigned char	*der = crt->crt_key;
	word32		 start = 0, idx;
	ecc_key		 ecc;
	RsaKey		 rsa;
	int		 n = -1;

	if (wc_GetPkcs8TraditionalOffset(der, &start,
	    (word32)crt->crt_key_len) < 0)
		start = 0;
	idx = start;
	if (wc_ecc_init(&ecc) == 0) {
		if (wc_EccPrivateKeyDecode(der, &idx, &ecc,
		    (word32)crt->crt_key_len) == 0) {
			crt->crt_ecdsa = true;
			n = wc_EccPublicKeyToDer(&ecc, out, size, 1);
			/* Some tools leave the public point out of the file. */
			if (n <= 0 && wc_ecc_make_pub(&ecc, NULL) == 0)
				n = wc_EccPublicKeyToDer(&ecc, out, size, 1);
		}
		wc_ecc_free(&ecc);
	}
	if (crt->crt_ecdsa || wc_InitRsaKey(&rsa, NULL) != 0)
		return n;
	idx = start;
	if (wc_RsaPrivateKeyDecode(der, &idx, &rsa,
	    (word32)crt->crt_key_len) == 0)
		n = wc_RsaKeyToPublicDer_ex(&rsa, out, size, 0);
	wc_FreeRsaKey(&rsa);
	return n;
}

/*
 * Does the key belong to the certificate? Comparing the public key derived
 * from the private key with the certificate's costs microseconds, where a
 * signature round trip would cost a hundred at every start.
 */
static bool
cert_check_key(struct cert *crt, const DecodedCert *leaf,
    const char *key_file, struct diag_list *diags)
{
	unsigned char	key_pub[2048];
	int		key_len;

	key_len = cert_key_public(crt, key_pub, sizeof(key_pub));
	if (key_len <= 0) {
		cert_error(diags, key_file, "the private key is neither an "
		    "ECDSA nor an RSA key this daemon can use");
		return false;
	}
	if (leaf->keyOID != (crt->crt_ecdsa ? ECDSAk : RSAk) ||
	    leaf->publicKey == NULL || (word32)key_len != leaf->pubKeySize ||
	    memcmp(key_pub, leaf->publicKey, (size_t)key_len) != 0) {
		cert_error(diags, key_file, "the private key does not match the "
		    "certificate in %s", crt->crt_file);
		return false;
	}
	return true;
}

static void
cert_read_leaf(struct cert *crt, const DecodedCert *leaf)
{
	crt->crt_not_before = cert_der_time(leaf->beforeDate,
	    leaf->beforeDateLen);
	crt->crt_not_after = cert_der_time(leaf->afterDate, leaf->afterDateLen);
	for (const DNS_entry *e = leaf->altNames; e != NULL; e = e->next) {
		char *lower;

		if (e->type != ASN_DNS_TYPE || e->len <= 0)
			continue;
		lower = xstrndup(e->name, (size_t)e->len);
		for (char *c = lower; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
		if (!strvec_contains(&crt->crt_names, lower))
			strvec_push(&crt->crt_names, lower);
		else
			free(lower);
	}
	if (leaf->serialSz > 0 && leaf->serialSz <= CERT_SERIAL_MAX) {
		for (int i = 0; i < leaf->serialSz; i++)
			snprintf(crt->crt_serial + 2 * i, 3, "%02x",
			    leaf->serial[i]);
	}
}

/* A certificate for a report only: its dates and names kept, the chain's
 * bytes and the key (wiped) let go. */
static void
cert_drop_bytes(struct cert *crt)
{
	free(crt->crt_chain);
	crt->crt_chain = NULL;
	crt->crt_chain_len = 0;
	cert_wipe_free(crt->crt_key, crt->crt_key_len);
	crt->crt_key = NULL;
	crt->crt_key_len = 0;
}

static void
cert_free(struct cert *crt)
{
	free(crt->crt_file);
	free(crt->crt_key_file);
	free(crt->crt_chain);
	cert_wipe_free(crt->crt_key, crt->crt_key_len);
	strvec_free(&crt->crt_names);
}

struct cert *
cert_ref(struct cert *crt)
{
	atomic_fetch_add_explicit(&crt->crt_refs, 1, memory_order_relaxed);
	return crt;
}

void
cert_unref(struct cert *crt)
{
	if (crt == NULL || atomic_fetch_sub_explicit(&crt->crt_refs, 1,
	    memory_order_acq_rel) != 1)
		return;
	cert_free(crt);
	free(crt);
}

static void
certset_add(struct certset *set, struct cert *crt)
{
	if (set->cs_count == set->cs_cap) {
		set->cs_cap = set->cs_cap != 0 ? 2 * set->cs_cap : 16;
		set->cs_certs = xreallocarray(set->cs_certs, set->cs_cap,
		    sizeof(*set->cs_certs));
	}
	set->cs_certs[set->cs_count++] = crt;
}

static void
cert_format_date(time_t t, char *buf, size_t size)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm);
}

/*
 * What a certificate says of itself at `now`, said at every load, from the
 * cache too: an expiry date passes while the file stays the same.
 */
static void
cert_report(const struct cert *crt, struct diag_list *diags, time_t now)
{
	char date[64];

	if (crt->crt_names.sv_count == 0)
		cert_warning(diags, crt->crt_file, "the certificate has no DNS "
		    "name in its subjectAltName (the subject CN does not "
		    "count), so it serves no name");
	if (crt->crt_not_after <= now) {
		cert_format_date(crt->crt_not_after, date, sizeof(date));
		cert_warning(diags, crt->crt_file, "the certificate expired on "
		    "%s and is not served; renew it", date);
	} else if (crt->crt_not_before > now) {
		cert_format_date(crt->crt_not_before, date, sizeof(date));
		cert_warning(diags, crt->crt_file, "the certificate is not "
		    "valid before %s and is not served until then", date);
	}
}

/*
 * A chain and its key parsed and checked; NULL once `diags` says why. The
 * files are opened as `dirfd` and their names past `chain_base` and
 * `key_base` say (cert_read_file).
 */
static struct cert *
cert_parse_pair(const char *chain_file, const char *key_file, int dirfd,
    size_t chain_base, size_t key_base, struct stamp *chain_stamp,
    struct stamp *key_stamp, struct diag_list *diags)
{
	struct cert	*crt = xcalloc(1, sizeof(*crt));
	char		*chain_pem, *key_pem = NULL;
	size_t		 chain_len, key_len = 0;
	DecodedCert	 leaf;
	bool		 decoded = false;
	size_t		 off = 0;
	bool		 ok = false;

	atomic_init(&crt->crt_refs, 1);
	chain_pem = cert_read_file(dirfd, chain_file + chain_base, chain_file,
	    &chain_len, chain_stamp, diags);
	if (chain_pem == NULL)
		goto out;
	*key_stamp = *chain_stamp;
	if (strcmp(chain_file, key_file) != 0) {
		key_pem = cert_read_file(dirfd, key_file + key_base, key_file,
		    &key_len, key_stamp, diags);
		if (key_pem == NULL)
			goto out;
	}
	crt->crt_file = xstrdup(chain_file);
	crt->crt_key_file = xstrdup(key_file);
	if (!cert_parse_chain(crt, chain_pem, chain_len, chain_file, diags))
		goto out;
	if (!cert_parse_key(crt, key_pem ? key_pem : chain_pem,
	    key_pem ? key_len : chain_len, key_file, diags))
		goto out;
	decoded = true;
	if (!cert_chain_decode(crt, &off, &leaf)) {
		cert_error(diags, chain_file, "the certificate cannot be "
		    "decoded");
		goto out;
	}
	cert_read_leaf(crt, &leaf);
	ok = cert_check_order(crt, &leaf, off, chain_file, diags) &&
	    cert_check_key(crt, &leaf, key_file, diags);
out:
	if (decoded)
		wc_FreeDecodedCert(&leaf);
	if (chain_pem != NULL)
		cert_wipe_free(chain_pem, chain_len);
	cert_wipe_free(key_pem, key_len);
	if (!ok) {
		cert_unref(crt);
		return NULL;
	}
	return crt;
}

static struct loadcache *certcache_disk(const struct certcache *);

struct certset_loading {
	struct certset		*csl_set;
	const struct config	*csl_main;
	struct diag_list	*csl_diags;
	time_t			 csl_now;
	struct certcache	*csl_cache;
	pthread_t		 csl_thread;
	bool			 csl_threaded;
};

static void *
certset_loading_run(void *arg)
{
	struct certset_loading *csl = arg;

	certset_load(csl->csl_set, csl->csl_main, csl->csl_diags,
	    csl->csl_now, csl->csl_cache);
	return NULL;
}

struct certset_loading *
certset_load_begin(struct certset *set, const struct config *main,
    struct diag_list *diags, time_t now, struct certcache *cc)
{
	struct certset_loading *csl = xcalloc(1, sizeof(*csl));

	*csl = (struct certset_loading){ .csl_set = set, .csl_main = main,
	    .csl_diags = diags, .csl_now = now, .csl_cache = cc };
	/* No thread to be had: the load is done here, before the files. */
	csl->csl_threaded = pthread_create(&csl->csl_thread, NULL,
	    certset_loading_run, csl) == 0;
	if (!csl->csl_threaded)
		(void)certset_loading_run(csl);
	return csl;
}

void
certset_load_end(struct certset_loading *csl, const struct config *cfg)
{
	if (csl->csl_threaded)
		pthread_join(csl->csl_thread, NULL);
	if (!config_cert_sources_equal(csl->csl_main, cfg)) {
		struct loadcache *disk = certcache_disk(csl->csl_cache);

		certset_free(csl->csl_set);
		diag_free(csl->csl_diags);
		/* The load cache keeps what the first load found. */
		if (csl->csl_cache != NULL)
			certcache_set_disk(csl->csl_cache, NULL);
		certset_load(csl->csl_set, cfg, csl->csl_diags, csl->csl_now,
		    csl->csl_cache);
		if (csl->csl_cache != NULL)
			certcache_set_disk(csl->csl_cache, disk);
	}
	free(csl);
}

bool
cert_load_pair(struct certset *set, const char *chain_file,
    const char *key_file, struct diag_list *diags, time_t now)
{
	struct stamp	 chain_stamp, key_stamp;
	struct cert	*crt = cert_parse_pair(chain_file, key_file, AT_FDCWD,
	    0, 0, &chain_stamp, &key_stamp, diags);

	if (crt == NULL)
		return false;
	cert_report(crt, diags, now);
	certset_add(set, crt);
	return true;
}

/* ---- The cache of parsed pairs, by chain file ------------------------- */

/* The chain's path (the map's key) and the key's are the certificate's. */
struct certcache_entry {
	struct stamp	 cce_chain;
	struct stamp	 cce_key;
	struct cert	*cce_cert;
	unsigned	 cce_gen;	/* the last load that used it */
};

struct certcache {
	struct strmap	 cc_map;	/* chain file -> struct certcache_entry */
	unsigned	 cc_gen;
	size_t		 cc_parsed;
	size_t		 cc_reused;
	size_t		 cc_added;	/* certificates new to the cache */
	size_t		 cc_gone;	/* replaced or swept */
	struct loadcache *cc_disk;	/* start-up's load cache, or NULL */
};

struct certcache *
certcache_new(void)
{
	struct certcache *cc = xcalloc(1, sizeof(*cc));

	cc->cc_map.sm_borrowed = true;
	return cc;
}

static void
certcache_entry_free(void *p)
{
	struct certcache_entry *e = p;

	cert_unref(e->cce_cert);
	free(e);
}

void
certcache_free(struct certcache *cc)
{
	if (cc == NULL)
		return;
	strmap_free_with(&cc->cc_map, certcache_entry_free);
	free(cc);
}

void
certcache_set_disk(struct certcache *cc, struct loadcache *lc)
{
	cc->cc_disk = lc;
}

static struct loadcache *
certcache_disk(const struct certcache *cc)
{
	return cc != NULL ? cc->cc_disk : NULL;
}

void
certcache_counts(const struct certcache *cc, size_t *parsed, size_t *reused)
{
	*parsed = cc->cc_parsed;
	*reused = cc->cc_reused;
}

void
certcache_changes(const struct certcache *cc, size_t *added, size_t *gone)
{
	*added = cc->cc_added;
	*gone = cc->cc_gone;
}

static void
certcache_store(struct certcache *cc, const struct stamp *chain,
    const struct stamp *key, struct cert *crt)
{
	struct certcache_entry *e = xcalloc(1, sizeof(*e));

	e->cce_chain = *chain;
	e->cce_key = *key;
	e->cce_cert = cert_ref(crt);
	e->cce_gen = cc->cc_gen;
	e = strmap_put(&cc->cc_map, crt->crt_file, e);
	/* A renewal is a certificate gone and one new, as files go. */
	if (e == NULL || strcmp(e->cce_cert->crt_serial, crt->crt_serial) != 0) {
		cc->cc_added++;
		cc->cc_gone += e != NULL;
	}
	if (e != NULL)
		certcache_entry_free(e);
}

/* Are the files of the entry's pair (chain and key) as they were parsed? */
static bool
certcache_entry_current(const struct certcache_entry *e)
{
	const struct cert	*crt = e->cce_cert;
	struct stat		 st;
	struct stamp		 chain, key;

	if (stat(crt->crt_file, &st) == -1)
		return false;
	chain = stamp_of(&st);
	if (strcmp(crt->crt_file, crt->crt_key_file) == 0)
		key = chain;
	else if (stat(crt->crt_key_file, &st) == -1)
		return false;
	else
		key = stamp_of(&st);
	return stamp_equal(&chain, &e->cce_chain) &&
	    stamp_equal(&key, &e->cce_key);
}

bool
certcache_unchanged(const struct certcache *cc, const char *chain_file)
{
	const struct certcache_entry *e = strmap_get(&cc->cc_map, chain_file);

	return e != NULL && certcache_entry_current(e);
}

void
certcache_forget(struct certcache *cc, const char *chain_file)
{
	struct certcache_entry *e = strmap_del(&cc->cc_map, chain_file);

	if (e != NULL)
		certcache_entry_free(e);
}

/* Pairs no longer in any source go, and their certificates with them once
 * no snapshot holds them. */
static void
certcache_sweep(struct certcache *cc)
{
	struct strvec	 gone = { 0 };
	const char	*key;
	void		*value;

	for (size_t pos = 0; strmap_next(&cc->cc_map, &pos, &key, &value);)
		if (((struct certcache_entry *)value)->cce_gen != cc->cc_gen)
			strvec_push(&gone, xstrdup(key));
	for (size_t i = 0; i < gone.sv_count; i++)
		certcache_entry_free(strmap_del(&cc->cc_map,
		    gone.sv_items[i]));
	cc->cc_gone += gone.sv_count;
	strvec_free(&gone);
}

/* ---- Loading: the pairs found, parsed on every processor ------------- */

/*
 * One pair to load, as a scan finds it. The pool parses it, or finds its
 * files as the cache's entry has them; then, in the order found, it goes
 * into the set and its messages into the load's.
 */
struct cert_job {
	char			*cj_chain;
	char			*cj_key;	/* NULL: a message only */
	/* The files opened relative to the directory a scan found them in
	 * (one path component to look up, not the whole path), by their
	 * names past these offsets; AT_FDCWD: by their paths. */
	int			 cj_dirfd;
	size_t			 cj_chain_base;
	size_t			 cj_key_base;
	struct certcache_entry	*cj_entry;	/* the cache's, to check */
	struct cert		*cj_cert;	/* parsed */
	bool			 cj_reused;	/* cj_entry's still holds */
	struct stamp		 cj_chain_stamp;
	struct stamp		 cj_key_stamp;
	struct diag_list	 cj_diags;
	/* With a load cache: the pair's record, found or made. */
	struct loadcache_record	 cj_record;
};

struct cert_jobs {
	struct cert_job	*cjs_items;
	size_t		 cjs_count;
	size_t		 cjs_cap;
	/* While the pool runs: the batch's first job, and the load cache. */
	size_t		 cjs_base;
	struct loadcache *cjs_disk;
	/* For a report (certset_load_report): no keys, no chains' bytes. */
	bool		 cjs_report;
	/* The scanned directories the jobs' files are opened from. */
	int		*cjs_dirfds;
	size_t		 cjs_ndirfds;
};

/* Jobs given to the pool at a time: what a batch holds until it is
 * taken (records for the load cache) stays small. */
#define CERT_BATCH	4096

/* A job for the pair `chain` and `key` (taken, both). */
static struct cert_job *
cert_job_add(struct cert_jobs *jobs, char *chain, char *key)
{
	struct cert_job *j;

	if (jobs->cjs_count == jobs->cjs_cap) {
		jobs->cjs_cap = jobs->cjs_cap == 0 ? 64 : 2 * jobs->cjs_cap;
		jobs->cjs_items = xreallocarray(jobs->cjs_items, jobs->cjs_cap,
		    sizeof(*j));
	}
	j = &jobs->cjs_items[jobs->cjs_count++];
	memset(j, 0, sizeof(*j));
	j->cj_chain = chain;
	j->cj_key = key;
	j->cj_dirfd = AT_FDCWD;
	return j;
}

/* A message about `file`, in its place among the pairs. */
static void __attribute__((format(printf, 3, 4)))
cert_job_error(struct cert_jobs *jobs, const char *file, const char *fmt, ...)
{
	struct cert_job	*j = cert_job_add(jobs, NULL, NULL);
	struct srcpos	 pos = { .sp_file = file };
	va_list		 ap;

	va_start(ap, fmt);
	diag_vadd(&j->cj_diags, DIAG_ERROR, &pos, NULL, fmt, ap);
	va_end(ap);
}

/*
 * The key of a pair the load cache holds, for a report: not read, its
 * file looked at with a stat(2) only. A key file with the stamp it had
 * when it was found to belong to the chain still does.
 */
static bool
cert_key_unchanged(struct cert_job *j, const struct stamp *cached)
{
	struct stat st;

	if (fstatat(j->cj_dirfd, j->cj_key + j->cj_key_base, &st, 0) == -1 ||
	    !S_ISREG(st.st_mode))
		return false;
	j->cj_key_stamp = stamp_of(&st);
	return stamp_equal(&j->cj_key_stamp, cached);
}

/*
 * The pair as the load cache holds it, if it holds it for the chain and
 * key files as they are: the chain looked at with a stat(2), not read or
 * decoded, and the key read alone (the cache has none) and not checked
 * against the chain again; for a report, neither the key read nor the
 * chain's bytes copied. NULL: the pair is to be parsed.
 */
static struct cert *
cert_from_disk(struct cert_job *j, struct loadcache *lc, bool report)
{
	struct loadcache_pair	 lp;
	struct diag_list	 quiet = { 0 };
	struct stat		 st;
	struct cert		*crt;
	char			*key_pem;
	size_t			 key_len = 0;

	if (fstatat(j->cj_dirfd, j->cj_chain + j->cj_chain_base, &st, 0) == -1 ||
	    !S_ISREG(st.st_mode))
		return NULL;
	j->cj_chain_stamp = stamp_of(&st);
	if (!loadcache_cert(lc, j->cj_chain, j->cj_key, &j->cj_chain_stamp,
	    &lp, &j->cj_record))
		return NULL;
	crt = xcalloc(1, sizeof(*crt));
	atomic_init(&crt->crt_refs, 1);
	crt->crt_file = xstrdup(j->cj_chain);
	crt->crt_key_file = xstrdup(j->cj_key);
	/* Whatever is wrong with the key, the parse that follows says. */
	if (report)
		key_pem = NULL;
	else
		key_pem = cert_read_file(j->cj_dirfd, j->cj_key + j->cj_key_base,
		    j->cj_key, &key_len, &j->cj_key_stamp, &quiet);
	if (report ? !cert_key_unchanged(j, &lp.lp_key_stamp) :
	    (key_pem == NULL ||
	    !stamp_equal(&j->cj_key_stamp, &lp.lp_key_stamp) ||
	    !cert_parse_key(crt, key_pem, key_len, j->cj_key, &quiet))) {
		cert_wipe_free(key_pem, key_len);
		diag_free(&quiet);
		free(lp.lp_names);
		loadcache_record_free(&j->cj_record);
		cert_unref(crt);
		return NULL;
	}
	cert_wipe_free(key_pem, key_len);
	crt->crt_ecdsa = lp.lp_ecdsa;
	crt->crt_not_before = lp.lp_not_before;
	crt->crt_not_after = lp.lp_not_after;
	if (!report) {
		crt->crt_chain = xmalloc(lp.lp_chain_len);
		memcpy(crt->crt_chain, lp.lp_chain, lp.lp_chain_len);
		crt->crt_chain_len = lp.lp_chain_len;
	}
	crt->crt_chain_count = lp.lp_chain_count;
	for (size_t i = 0; i < lp.lp_nnames; i++)
		strvec_push(&crt->crt_names, xstrdup(lp.lp_names[i]));
	free(lp.lp_names);
	snprintf(crt->crt_serial, sizeof(crt->crt_serial), "%s",
	    lp.lp_serial);
	return crt;
}

/* The record of a pair just parsed, for the load cache. */
static void
cert_to_disk(struct cert_job *j)
{
	const struct cert	*crt = j->cj_cert;
	struct loadcache_pair	 lp = {
		.lp_chain_file = crt->crt_file,
		.lp_key_file = crt->crt_key_file,
		.lp_chain_stamp = j->cj_chain_stamp,
		.lp_key_stamp = j->cj_key_stamp,
		.lp_ecdsa = crt->crt_ecdsa,
		.lp_not_before = crt->crt_not_before,
		.lp_not_after = crt->crt_not_after,
		.lp_serial = crt->crt_serial,
		.lp_chain = crt->crt_chain,
		.lp_chain_len = crt->crt_chain_len,
		.lp_chain_count = crt->crt_chain_count,
		.lp_names = (const char **)crt->crt_names.sv_items,
		.lp_nnames = crt->crt_names.sv_count,
	};

	loadcache_cert_encode(&j->cj_record, &lp);
}

/* On a pool thread: job i alone, and the cache entries only read. */
static void
cert_job_run(void *arg, size_t i)
{
	struct cert_jobs	*jobs = arg;
	struct cert_job		*j = &jobs->cjs_items[jobs->cjs_base + i];

	if (j->cj_key == NULL)
		return;
	if (j->cj_entry != NULL && certcache_entry_current(j->cj_entry)) {
		j->cj_reused = true;
		return;
	}
	if (jobs->cjs_disk != NULL && (j->cj_cert = cert_from_disk(j,
	    jobs->cjs_disk, jobs->cjs_report)) != NULL)
		return;
	/* A pair that fails is not kept: it is read again, and its errors
	 * said again, at every load until it is mended. */
	j->cj_cert = cert_parse_pair(j->cj_chain, j->cj_key, j->cj_dirfd,
	    j->cj_chain_base, j->cj_key_base, &j->cj_chain_stamp,
	    &j->cj_key_stamp, &j->cj_diags);
	if (jobs->cjs_disk != NULL && j->cj_cert != NULL)
		cert_to_disk(j);
	if (jobs->cjs_report && j->cj_cert != NULL)
		cert_drop_bytes(j->cj_cert);
}

/* The cache's entry for the job's pair, when it has one for both files. */
static void
cert_job_entry(struct cert_job *j, const struct certcache *cc)
{
	struct certcache_entry *e;

	j->cj_entry = NULL;
	if (j->cj_key != NULL &&
	    (e = strmap_get(&cc->cc_map, j->cj_chain)) != NULL &&
	    strcmp(e->cce_cert->crt_key_file, j->cj_key) == 0)
		j->cj_entry = e;
}

/* A job's result taken, in its turn: into the set, the caches, `diags`. */
static void
cert_job_take(struct cert_job *j, struct certset *set,
    struct diag_list *diags, time_t now, struct certcache *cc,
    struct loadcache *disk)
{
	struct cert *crt = j->cj_cert;

	diag_append(diags, &j->cj_diags);
	diag_free(&j->cj_diags);
	/* Found again: a take of this batch may have replaced the entry
	 * (the same file twice, changed in between), and its pair is then
	 * the newer one. */
	if (j->cj_reused)
		cert_job_entry(j, cc);
	if (j->cj_reused && j->cj_entry != NULL) {
		j->cj_entry->cce_gen = cc->cc_gen;
		cc->cc_reused++;
		crt = cert_ref(j->cj_entry->cce_cert);
	} else if (crt != NULL && cc != NULL) {
		cc->cc_parsed++;
		certcache_store(cc, &j->cj_chain_stamp, &j->cj_key_stamp, crt);
	}
	if (disk != NULL && j->cj_key != NULL) {
		if (j->cj_record.lr_bytes == NULL || j->cj_record.lr_owned)
			loadcache_missed(disk);
		loadcache_put(disk, &j->cj_record);
	}
	if (crt != NULL) {
		cert_report(crt, diags, now);
		certset_add(set, crt);
	}
	free(j->cj_chain);
	free(j->cj_key);
}

/*
 * Every job parsed (or found unchanged) on the pool, a batch at a time,
 * then put in the set, the caches and `diags` in the order the jobs were
 * found, so a load on many threads has the result and the messages of one
 * on a single thread.
 */
static void
cert_jobs_run(struct cert_jobs *jobs, struct certset *set,
    struct diag_list *diags, time_t now, struct certcache *cc,
    struct loadcache *disk)
{
	jobs->cjs_disk = disk;
	for (size_t base = 0; base < jobs->cjs_count; base += CERT_BATCH) {
		size_t n = jobs->cjs_count - base < CERT_BATCH ?
		    jobs->cjs_count - base : CERT_BATCH;

		/* Looked up for each batch: the takes of the batches before
		 * may have replaced an entry (a file that two sources name). */
		for (size_t i = base; cc != NULL && i < base + n; i++)
			cert_job_entry(&jobs->cjs_items[i], cc);
		jobs->cjs_base = base;
		pool_run(n, cert_job_run, jobs);
		for (size_t i = base; i < base + n; i++)
			cert_job_take(&jobs->cjs_items[i], set, diags, now, cc,
			    disk);
	}
	for (size_t i = 0; i < jobs->cjs_ndirfds; i++)
		close(jobs->cjs_dirfds[i]);
	free(jobs->cjs_dirfds);
	free(jobs->cjs_items);
	memset(jobs, 0, sizeof(*jobs));
}

static bool
cert_is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static bool
cert_is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool
cert_has_suffix(const char *name, const char *suffix)
{
	size_t nl = strlen(name), sl = strlen(suffix);

	return nl > sl && strcmp(name + nl - sl, suffix) == 0;
}

/*
 * A directory holds certificates in one of the layouts ACME clients leave:
 * Let's Encrypt's live/<name>/fullchain.pem + privkey.pem (the directory
 * given may be the letsencrypt root, its live/, or one lineage), or flat
 * <name>.crt + <name>.key, <name>.pem + <name>.key, or a combined <name>.pem;
 * and Kubernetes TLS Secrets (cert-manager's) mounted one per directory,
 * <secret>/tls.crt + <secret>/tls.key.
 */
bool
cert_is_chain_name(const char *name)
{
	return name[0] != '.' && (cert_has_suffix(name, ".crt") ||
	    (cert_has_suffix(name, ".pem") &&
	    strcmp(name, "privkey.pem") != 0 &&
	    strcmp(name, "chain.pem") != 0 &&
	    strcmp(name, "cert.pem") != 0));
}

/* The name of the key beside chain file `name`: privkey.pem for
 * fullchain.pem, else the chain's name with .key for .crt or .pem. */
static char *
cert_key_name(const char *name)
{
	if (strcmp(name, "fullchain.pem") == 0)
		return xstrdup("privkey.pem");
	return xasprintf("%.*s.key", (int)(strlen(name) - 4), name);
}

/* The job for chain file `name` of directory `dir`, whose key file
 * `key_name` is there or not as `has_key` says. */
/* The job's files opened relative to `dirfd`, the directory `dir` open
 * (AT_FDCWD: by their paths). */
static void
cert_job_at(struct cert_job *j, int dirfd, const char *dir)
{
	if (dirfd == AT_FDCWD)
		return;
	j->cj_dirfd = dirfd;
	j->cj_chain_base = j->cj_key_base = strlen(dir) + 1;
}

static void
cert_job_flat(struct cert_jobs *jobs, int dirfd, const char *dir,
    const char *name, const char *key_name, bool has_key)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *key = xasprintf("%s/%s", dir, key_name);

	if (has_key)
		cert_job_at(cert_job_add(jobs, path, key), dirfd, dir);
	else if (cert_has_suffix(name, ".pem")) {
		cert_job_at(cert_job_add(jobs, path, xstrdup(path)), dirfd,
		    dir);
		free(key);
	} else {
		cert_job_error(jobs, path, "no key for this certificate: "
		    "expected %s", key);
		free(key);
		free(path);
	}
}

/* The directory open for its files to be opened from (AT_FDCWD if it
 * cannot be), closed once the jobs ran. */
static int
cert_jobs_dir(struct cert_jobs *jobs, const char *dir)
{
	int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd == -1)
		return AT_FDCWD;
	jobs->cjs_dirfds = xgrow(jobs->cjs_dirfds, jobs->cjs_ndirfds,
	    sizeof(*jobs->cjs_dirfds));
	jobs->cjs_dirfds[jobs->cjs_ndirfds++] = fd;
	return fd;
}

void
certset_load_file(struct certset *set, const char *dir, const char *name,
    struct diag_list *diags, time_t now, struct certcache *cc)
{
	struct cert_jobs	 jobs = { 0 };
	char			*key_name, *key;

	if (!cert_is_chain_name(name))
		return;
	key_name = cert_key_name(name);
	key = xasprintf("%s/%s", dir, key_name);
	cert_job_flat(&jobs, AT_FDCWD, dir, name, key_name, cert_is_file(key));
	free(key);
	free(key_name);
	cert_jobs_run(&jobs, set, diags, now, cc, certcache_disk(cc));
}

/*
 * A directory's entries (dotfiles and Kubernetes' ..data left out), their
 * names in one block and sorted in strcmp() order, the order of paths
 * elsewhere. At a million customers a certificate directory holds two
 * million entries: one allocation for all of them, and a sort that
 * compares names lying side by side, take a second where scandir(3),
 * with an allocation each, took five.
 */
struct cert_entry {
	size_t		ce_name;	/* offset in cl_names */
	unsigned char	ce_type;	/* as the listing says it (d_type) */
};

struct cert_listing {
	char			*cl_names;
	size_t			 cl_len;
	size_t			 cl_cap;
	struct cert_entry	*cl_ents;
	size_t			 cl_count;
};

static int
cert_entry_cmp(const void *a, const void *b, void *names)
{
	return strcmp((const char *)names + ((const struct cert_entry *)a)->ce_name,
	    (const char *)names + ((const struct cert_entry *)b)->ce_name);
}

static void
cert_listing_free(struct cert_listing *cl)
{
	free(cl->cl_names);
	free(cl->cl_ents);
}

static int
cert_listing_read(struct cert_listing *cl, const char *dir)
{
	struct dirent	*e;
	DIR		*d;

	memset(cl, 0, sizeof(*cl));
	if ((d = opendir(dir)) == NULL)
		return -1;
	for (;;) {
		size_t len;

		errno = 0;
		if ((e = readdir(d)) == NULL)
			break;
		len = strlen(e->d_name) + 1;

		if (e->d_name[0] == '.')
			continue;
		if (cl->cl_cap - cl->cl_len < len) {
			while (cl->cl_cap - cl->cl_len < len)
				cl->cl_cap = cl->cl_cap != 0 ? 2 * cl->cl_cap :
				    4096;
			cl->cl_names = xreallocarray(cl->cl_names, cl->cl_cap,
			    1);
		}
		memcpy(cl->cl_names + cl->cl_len, e->d_name, len);
		cl->cl_ents = xgrow(cl->cl_ents, cl->cl_count,
		    sizeof(*cl->cl_ents));
		cl->cl_ents[cl->cl_count++] = (struct cert_entry){ cl->cl_len,
		    e->d_type };
		cl->cl_len += len;
	}
	if (errno != 0) {
		/* A listing cut short would drop certificates unsaid. */
		int err = errno;

		closedir(d);
		cert_listing_free(cl);
		errno = err;
		return -1;
	}
	closedir(d);
	/* qsort_r() takes no NULL array, even with nothing in it. */
	if (cl->cl_count > 1)
		qsort_r(cl->cl_ents, cl->cl_count, sizeof(*cl->cl_ents),
		    cert_entry_cmp, cl->cl_names);
	return 0;
}

static const char *
cert_listing_name(const struct cert_listing *cl, size_t i)
{
	return cl->cl_names + cl->cl_ents[i].ce_name;
}

/* The type of entry i of the listing of `dir`, a symlink followed: DT_REG,
 * DT_DIR or DT_UNKNOWN. The listing says it for most entries, a stat(2)
 * each saved; a symlink, or an entry of a file system that gives no type,
 * is asked. */
static unsigned char
cert_entry_type(const char *dir, const struct cert_listing *cl, size_t i)
{
	unsigned char	 type = cl->cl_ents[i].ce_type;
	struct stat	 st;
	char		*path;
	int		 r;

	if (type == DT_REG || type == DT_DIR)
		return type;
	if (type != DT_LNK && type != DT_UNKNOWN)
		return DT_UNKNOWN;
	path = xasprintf("%s/%s", dir, cert_listing_name(cl, i));
	r = stat(path, &st);
	free(path);
	if (r == -1)
		return DT_UNKNOWN;
	return S_ISREG(st.st_mode) ? DT_REG : S_ISDIR(st.st_mode) ? DT_DIR :
	    DT_UNKNOWN;
}

/* Is `name` in the listing of `dir`, a regular file? The listing answers
 * for the key of every chain. */
static bool
cert_listed_file(const struct cert_listing *cl, const char *dir,
    const char *name)
{
	size_t lo = 0, hi = cl->cl_count;

	while (lo < hi) {
		size_t	mid = lo + (hi - lo) / 2;
		int	c = strcmp(cert_listing_name(cl, mid), name);

		if (c == 0)
			return cert_entry_type(dir, cl, mid) == DT_REG;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void
cert_scan_dir(struct cert_jobs *jobs, const char *dir, int depth)
{
	struct cert_listing	 cl;
	char			*sub;
	int			 dirfd;

	sub = xasprintf("%s/live", dir);
	if (depth == 0 && cert_is_dir(sub)) {
		cert_scan_dir(jobs, sub, depth + 1);
		free(sub);
		return;
	}
	free(sub);
	if (cert_listing_read(&cl, dir) == -1) {
		cert_job_error(jobs, dir, "cannot read the certificate "
		    "directory: %s", strerror(errno));
		return;
	}
	dirfd = cert_jobs_dir(jobs, dir);
	for (size_t i = 0; i < cl.cl_count; i++) {
		const char	*name = cert_listing_name(&cl, i);
		char		*chain, *key;

		if (cert_entry_type(dir, &cl, i) == DT_DIR) {
			/* A certbot lineage, or a Kubernetes TLS Secret
			 * mounted as a directory of its own. */
			chain = xasprintf("%s/%s/fullchain.pem", dir, name);
			key = xasprintf("%s/%s/privkey.pem", dir, name);
			if (!cert_is_file(chain) || !cert_is_file(key)) {
				free(chain);
				free(key);
				chain = xasprintf("%s/%s/tls.crt", dir, name);
				key = xasprintf("%s/%s/tls.key", dir, name);
			}
			if (cert_is_file(chain) && cert_is_file(key))
				cert_job_at(cert_job_add(jobs, chain, key),
				    dirfd, dir);
			else {
				free(chain);
				free(key);
			}
		} else if (cert_is_chain_name(name)) {
			char *key_name = cert_key_name(name);

			cert_job_flat(jobs, dirfd, dir, name, key_name,
			    cert_listed_file(&cl, dir, key_name));
			free(key_name);
		}
	}
	cert_listing_free(&cl);
}

bool
cert_is_installed(const char *file, const char *dir, const char *host)
{
	size_t n = strlen(dir), h = strlen(host);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return strncmp(file, dir, n) == 0 && file[n] == '/' &&
	    strncmp(file + n + 1, host, h) == 0 &&
	    strcmp(file + n + 1 + h, ".crt") == 0;
}

static int
cert_name_cmp(const void *a, const void *b)
{
	const struct cert_name *x = a, *y = b;
	int c = strcmp(x->cn_name, y->cn_name);

	if (c != 0)
		return c;
	return x->cn_cert < y->cn_cert ? -1 : x->cn_cert > y->cn_cert;
}

void
certset_index(struct certset *set)
{
	size_t n = 0;

	for (size_t i = 0; i < set->cs_count; i++)
		n += set->cs_certs[i]->crt_names.sv_count;
	free(set->cs_index);
	set->cs_index = xcalloc(n, sizeof(*set->cs_index));
	set->cs_nindex = 0;
	for (size_t i = 0; i < set->cs_count; i++) {
		const struct strvec *names = &set->cs_certs[i]->crt_names;

		for (size_t j = 0; j < names->sv_count; j++) {
			set->cs_index[set->cs_nindex].cn_name =
			    names->sv_items[j];
			set->cs_index[set->cs_nindex++].cn_cert = i;
		}
	}
	qsort(set->cs_index, set->cs_nindex, sizeof(*set->cs_index),
	    cert_name_cmp);
}

static void
certset_load_with(struct certset *set, const struct config *cfg,
    struct diag_list *diags, time_t now, struct certcache *cc,
    struct loadcache *disk, bool report)
{
	struct cert_jobs jobs = { .cjs_report = report };

	memset(set, 0, sizeof(*set));
	/* Read here, on the load's own thread. */
	loadcache_load(disk);
	if (cc != NULL) {
		cc->cc_gen++;
		cc->cc_parsed = cc->cc_reused = 0;
		cc->cc_added = cc->cc_gone = 0;
	}
	for (size_t i = 0; i < cfg->cfg_ncerts; i++) {
		const struct cert_source *cs = &cfg->cfg_certs[i];

		if (cs->csrc_directory != NULL)
			cert_scan_dir(&jobs, cs->csrc_directory, 0);
		else
			cert_job_add(&jobs, xstrdup(cs->csrc_cert),
			    xstrdup(cs->csrc_key));
	}
	cert_jobs_run(&jobs, set, diags, now, cc, disk);
	if (cc != NULL)
		certcache_sweep(cc);
	certset_index(set);
}

void
certset_load(struct certset *set, const struct config *cfg,
    struct diag_list *diags, time_t now, struct certcache *cc)
{
	certset_load_with(set, cfg, diags, now, cc, certcache_disk(cc), false);
}

void
certset_load_report(struct certset *set, const struct config *cfg,
    struct diag_list *diags, time_t now, struct loadcache *lc)
{
	certset_load_with(set, cfg, diags, now, NULL, lc, true);
}

bool
cert_better(const struct cert *c, const struct cert *best, time_t now)
{
	if (c->crt_not_before > now || c->crt_not_after <= now)
		return false;
	if (best == NULL || c->crt_not_after > best->crt_not_after)
		return true;
	/* The same notAfter: the first file in path order, whatever
	 * order the files were found in. */
	return c->crt_not_after == best->crt_not_after &&
	    strcmp(c->crt_file, best->crt_file) < 0;
}

const struct cert *
cert_choose(const struct cert *exact, const struct cert *wild)
{
	/* The exact name wins unless the wildcard lasts longer. */
	if (wild != NULL && (exact == NULL ||
	    wild->crt_not_after > exact->crt_not_after))
		return wild;
	return exact;
}

/* The best certificate among index entries equal to `name`. */
static const struct cert *
certset_best(const struct certset *set, const char *name, time_t now)
{
	const struct cert *best = NULL;

	size_t lo = 0, hi = set->cs_nindex;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(set->cs_index[mid].cn_name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (; lo < set->cs_nindex &&
	    strcmp(set->cs_index[lo].cn_name, name) == 0; lo++) {
		const struct cert *c = set->cs_certs[set->cs_index[lo].cn_cert];

		if (cert_better(c, best, now))
			best = c;
	}
	return best;
}

const struct cert *
certset_cover(const struct certset *set, const char *host, time_t now)
{
	const struct cert	*exact, *wildcard = NULL;
	const char		*dot = strchr(host, '.');
	char			*wild;

	exact = certset_best(set, host, now);
	if (dot != NULL) {
		/* RFC 6125 6.4.3: "*." stands for exactly one label. */
		wild = xasprintf("*%s", dot);
		wildcard = certset_best(set, wild, now);
		free(wild);
	}
	return cert_choose(exact, wildcard);
}

void
certset_free(struct certset *set)
{
	for (size_t i = 0; i < set->cs_count; i++)
		cert_unref(set->cs_certs[i]);
	free(set->cs_certs);
	free(set->cs_index);
	memset(set, 0, sizeof(*set));
}
