/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Certificates and keys, loaded from the configured sources and indexed by
 * the dNSNames of their subjectAltName. Everything a handshake needs is kept
 * as DER, so no handshake parses PEM or touches a file.
 */
#ifndef MTA_STS_CERT_H
#define MTA_STS_CERT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "config.h"
#include "diag.h"
#include "strvec.h"

/* Chains and keys are a few KiB; anything this large is not one. */
#define CERT_FILE_MAX		(1024 * 1024)
/* RFC 5280 4.1.2.2: a serial number has at most 20 octets. */
#define CERT_SERIAL_MAX		20

/*
 * A certificate is shared by every set that holds it (a reload's next
 * snapshot shares the unchanged ones with the one in service) and freed,
 * its key wiped, with its last reference, on whichever thread drops it.
 */
struct cert {
	atomic_uint	 crt_refs;
	char		*crt_file;	/* the chain's file, for messages */
	char		*crt_key_file;
	unsigned char	*crt_chain;	/* DER certificates, leaf first */
	size_t		 crt_chain_len;
	size_t		 crt_chain_count;
	unsigned char	*crt_key;	/* DER private key, wiped when freed */
	size_t		 crt_key_len;
	bool		 crt_ecdsa;	/* else RSA */
	time_t		 crt_not_before;
	time_t		 crt_not_after;
	struct strvec	 crt_names;	/* subjectAltName dNSNames, lower case */
	char		 crt_serial[2 * CERT_SERIAL_MAX + 1];	/* hex */
};

struct cert_name {
	const char	*cn_name;	/* points into a cert's crt_names */
	size_t		 cn_cert;
};

struct certset {
	struct cert		**cs_certs;	/* a reference each */
	size_t			  cs_count;
	size_t			  cs_cap;
	struct cert_name	*cs_index;	/* sorted by name */
	size_t			 cs_nindex;
};

/*
 * What was parsed from each certificate file, kept from one load to the
 * next by the file's stamp (stamp.h): a reload parses only the pairs whose
 * chain or key changed, and shares the other certificates with the set in
 * service instead of copying them.
 */
struct certcache;

struct certcache	*certcache_new(void);
void			 certcache_free(struct certcache *);
/*
 * Start-up's load cache (loadcache.h), or NULL: the loads that follow take
 * the pairs it holds unchanged from it, and write its next version.
 */
struct loadcache;
void			 certcache_set_disk(struct certcache *,
			    struct loadcache *);
/* Pairs parsed by the last load, and pairs taken from the cache. */
void			 certcache_counts(const struct certcache *,
			    size_t *parsed, size_t *reused);
/* Since the last load began: certificates (file and serial) that came,
 * and that went (a renewal is one of each). */
void			 certcache_changes(const struct certcache *,
			    size_t *added, size_t *gone);

/*
 * Load every source of `cfg`. A file that cannot be used is reported in
 * `diags` (naming the file) and skipped; the others still load. With a
 * cache (or NULL), unchanged pairs are taken from it, and it is left
 * holding exactly the pairs of this load.
 */
void		 certset_load(struct certset *, const struct config *,
		    struct diag_list *, time_t now, struct certcache *);
/*
 * certset_load() for a report on the certificates (`certs`), not for
 * serving them: no key is kept, nor any chain's bytes (crt_chain NULL),
 * only names, dates and serials. With a load cache (loadcache.h; NULL:
 * none), the pairs it holds as their files are now are taken from it
 * without reading their keys: a key file with the stamp it had when it
 * was found to belong to its chain still does. The others are parsed in
 * full, and `lc` given what it is to write.
 */
void		 certset_load_report(struct certset *, const struct config *,
		    struct diag_list *, time_t now, struct loadcache *);
/*
 * certset_load() on a thread of its own, from the certificate sources of
 * `main` (the main file read alone), while the caller reads the customer
 * files: each load's single-threaded steps then run beside the other's
 * parallel ones. `main` is left unchanged until certset_load_end(), which
 * waits for the load and reads the certificates again when `cfg` (the
 * whole configuration, read afterwards) names other sources: the main
 * file changed in between.
 */
struct certset_loading;
struct certset_loading *certset_load_begin(struct certset *,
		    const struct config *main, struct diag_list *, time_t now,
		    struct certcache *);
void		 certset_load_end(struct certset_loading *,
		    const struct config *cfg);
/* Load one chain and key; false (and a diagnostic) if unusable. */
bool		 cert_load_pair(struct certset *, const char *chain_file,
		    const char *key_file, struct diag_list *, time_t now);
void		 certset_index(struct certset *);
/*
 * One file of a certificate directory `dir`, as a scan of it reads it: a
 * chain (<name>.crt, <name>.pem, fullchain.pem) with its key, appended to
 * the set (not indexed); names that are no chain add nothing.
 */
void		 certset_load_file(struct certset *, const char *dir,
		    const char *name, struct diag_list *, time_t now,
		    struct certcache *);
/* Is a file of that name in a certificate directory a chain to load? */
bool		 cert_is_chain_name(const char *name);
/* Is `file` the chain the ACME hooks install for `host` in the directory
 * `dir`: dir/<host>.crt? A wildcard or another name's file there is not. */
bool		 cert_is_installed(const char *file, const char *dir,
		    const char *host);
/*
 * Are the files of the pair cached for `chain_file` (chain and key) as they
 * were parsed? False for a chain the cache does not hold. Only reads the
 * cache: pool threads may ask at once.
 */
bool			 certcache_unchanged(const struct certcache *,
			    const char *chain_file);
/* The pair of that chain file leaves the cache (its file is gone). */
void		 certcache_forget(struct certcache *, const char *chain_file);
/*
 * The rule that picks a name's certificate, for every index of them:
 * valid at `now`, the latest notAfter, then the first file in path order;
 * cert_better() says whether `c` beats `best` (NULL: none yet) among the
 * certificates of one name. Between the best for the exact name and the
 * best for its wildcard, cert_choose() takes the exact one unless the
 * wildcard lasts longer.
 */
bool		 cert_better(const struct cert *c, const struct cert *best,
		    time_t now);
const struct cert *cert_choose(const struct cert *exact,
		    const struct cert *wild);
/* The certificate for `host`: exact name or one-label wildcard, valid at
 * `now`, latest notAfter first. NULL if none. */
const struct cert *certset_cover(const struct certset *, const char *host,
		    time_t now);
void		 certset_free(struct certset *);
/* A certificate outlives the set it came from for as long as it is held. */
struct cert	*cert_ref(struct cert *);
void		 cert_unref(struct cert *);

/* A parsed certificate's notAfter (0 if it cannot be read). */
struct WOLFSSL_X509;
time_t		 cert_x509_not_after(struct WOLFSSL_X509 *);

#endif
