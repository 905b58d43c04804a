/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The load cache: what start-up parsed from each customer file and each
 * certificate pair, kept on disk (server.cache_directory) for the next
 * start, which then reads only what changed in between. At a million
 * customers a start otherwise opens and parses three million files; with
 * the cache it looks at each with one stat(2), decodes what the cache
 * holds for it when the file's stamp (stamp.h) is the one it was parsed
 * with, and reads the private keys alone, which the cache never holds.
 *
 * A cache is one file per kind: a header, records, a trailer that counts
 * them. Each record holds one file's (or pair's) path and stamp and what
 * was parsed, under a CRC-32 of its bytes. A whole record is taken as the
 * program's own earlier parse (its directory is the program's, and a cache
 * another user than it or root owns is ignored); the reader is bounded against any bytes
 * all the same: a file that is not a cache of this version, or is cut
 * short, is ignored whole with one warning; a record whose checksum or
 * contents are wrong is a miss, counted, and the file is read as if the
 * cache had never held it. A customer file's tree goes through the same
 * readers as a parsed one, so its errors are said again; a pair's chain,
 * names and dates are taken as they were parsed, its key read again. Start-up writes the cache anew, beside the
 * old, whenever a file missed, and renames it over the old one once whole.
 *
 * Reading: open, then find and decode on any number of threads at once
 * (only reads, and atomic counts); writing: one thread at a time, in the
 * order the loader takes the results.
 */
#ifndef MTA_STS_LOADCACHE_H
#define MTA_STS_LOADCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "diag.h"
#include "stamp.h"
#include "yamltree.h"

enum loadcache_kind {
	LOADCACHE_CUSTOMERS = 1,	/* customer files: their YAML trees */
	LOADCACHE_CERTIFICATES = 2,	/* certificate pairs, without keys */
};

/* Whose cache: each has files of its own, so that they may share a
 * directory. */
enum loadcache_user {
	LOADCACHE_DAEMON,	/* start-up's: one writer at a time */
	LOADCACHE_CERTS,	/* `certs run`: passes may write at once */
	LOADCACHE_CERTS_READER,	/* the same files, only read (reports) */
};

struct loadcache;

/*
 * The cache of that kind in `dir`, not yet read: loadcache_load() reads
 * the one there (its problems are kept for loadcache_close() to say,
 * naming it) and, but for a reader, begins a new one beside it, on the
 * thread of the load that uses it, before its pool runs; again, it does
 * nothing. A cache is taken only if its own user or root wrote it.
 */
struct loadcache	*loadcache_open(const char *dir, enum loadcache_kind,
			    enum loadcache_user);
void			 loadcache_load(struct loadcache *);
/*
 * The new cache put in place of the old (when anything missed, or the old
 * one held files that are gone), or dropped; the old one unmapped. Says in
 * `diags` what was wrong with the old one, what was damaged, and what
 * could not be written.
 */
void			 loadcache_close(struct loadcache *,
			    struct diag_list *);
/* Files (or pairs) taken from the cache, and those read. */
void			 loadcache_counts(const struct loadcache *,
			    size_t *hits, size_t *misses);
/* The cache's file, for messages. */
const char		*loadcache_path(const struct loadcache *);

/*
 * A record, as found for a path: raw bytes in the old cache, or encoded
 * for the new one (owned). loadcache_put() writes either; a record that
 * is never put must be freed (loadcache_record_free; found ones are not
 * owned and freeing them does nothing).
 */
struct loadcache_record {
	const unsigned char	*lr_bytes;
	size_t			 lr_len;
	bool			 lr_owned;
};

void	loadcache_put(struct loadcache *, struct loadcache_record *);
void	loadcache_record_free(struct loadcache_record *);
/* A file of the load that the cache could not give: counted. */
void	loadcache_missed(struct loadcache *);

/* ---- Customer files -------------------------------------------------- */

/*
 * The tree of the customer file `path`, when the cache holds one for the
 * stamp `st` (the file as it is now, *link whether the path is a symlink)
 * and its record is whole: true, *root the tree (NULL for an empty file;
 * its positions name `path`, which must outlive it) and *rec the record
 * to put into the new cache. False: the file is to be read.
 */
bool	loadcache_customer(struct loadcache *, const char *path,
	    const struct stamp *st, bool link, struct ynode **root,
	    struct loadcache_record *rec);
/* A record for a customer file just parsed (root NULL: empty file). */
void	loadcache_customer_encode(struct loadcache_record *, const char *path,
	    const struct stamp *st, bool link, const struct ynode *root);

/* ---- Certificate pairs ----------------------------------------------- */

/*
 * What a pair's chain gave, and the stamps of both files as they were when
 * the key was found to belong to the chain. Decoded, it points into the
 * cache (valid until loadcache_close).
 */
struct loadcache_pair {
	const char		*lp_chain_file;
	const char		*lp_key_file;
	struct stamp		 lp_chain_stamp;
	struct stamp		 lp_key_stamp;
	bool			 lp_ecdsa;
	time_t			 lp_not_before;
	time_t			 lp_not_after;
	const char		*lp_serial;
	const unsigned char	*lp_chain;	/* DER, leaf first */
	size_t			 lp_chain_len;
	size_t			 lp_chain_count;
	const char		**lp_names;	/* decoded: owned by the caller */
	size_t			 lp_nnames;
};

/*
 * The pair of `chain_file` and `key_file`, when the cache holds it with
 * the chain's stamp `chain_st` and its record is whole: true, *pair what
 * it holds (lp_names to free) and *rec its record. The key file's stamp
 * is for the caller to compare once it has read the key.
 */
bool	loadcache_cert(struct loadcache *, const char *chain_file,
	    const char *key_file, const struct stamp *chain_st,
	    struct loadcache_pair *pair, struct loadcache_record *rec);
void	loadcache_cert_encode(struct loadcache_record *,
	    const struct loadcache_pair *);

/*
 * Where start-up's cache is: `configured` (server.cache_directory), else
 * the directory systemd gives the service (CacheDirectory=, in
 * $CACHE_DIRECTORY), else none (NULL).
 */
const char	*loadcache_dir(const char *configured);

#endif
