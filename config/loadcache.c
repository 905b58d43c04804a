/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The load cache's files (loadcache.h). All integers are in the host's
 * byte order, which the header records: a cache moved to another machine
 * is not one of this version there.
 *
 *   header   "mtastsLC", u32 version, u32 kind, u32 0x01020304, u32 0
 *   record   u32 length, u32 CRC-32 of the body, body (length bytes)
 *   trailer  "mtastsEN", u64 number of records
 *
 * A customer file's body: its path and a NUL, its stamp (five u64: device,
 * inode, size, mtime, ctime), a u8 (1: the path is a symlink), its tree.
 * A node: u8 kind (0 scalar, 1 sequence, 2 mapping; 3 the empty file, as
 * the root only), u8 plain, u32 line, u32 column, then a scalar's u32
 * length and bytes, or a collection's u32 count and nodes.
 * A certificate pair's body: the chain's path and the key's, each with a
 * NUL, both stamps, u8 ECDSA, i64 notBefore, i64 notAfter, the serial in
 * hex and a NUL, u32 certificates in the chain, u32 length and the DER,
 * u32 names and each with a NUL.
 */
#include "loadcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "strmap.h"
#include "xalloc.h"

#define LC_VERSION		1
#define LC_ENDIAN		0x01020304u
#define LC_HEADER_LEN		24
#define LC_TRAILER_LEN		16
#define LC_RECORD_HEAD		8
/* A record is a path or two and a few KiB of DER. */
#define LC_RECORD_MAX		(4u * 1024 * 1024)
/* The smallest record: its head, a path of one byte, a stamp. */
#define LC_RECORD_MIN		(LC_RECORD_HEAD + 2 + 40)
/* The smallest node: kind, plain, line, column, length or count. */
#define LC_NODE_MIN		14
#define LC_NODE_EMPTY		3
#define LC_WRITE_BUFFER		(1024 * 1024)
/* Encoded records held before the new cache is written anyway. */
#define LC_HOLD_FRESH		4096

static const char lc_magic[8] = "mtastsLC";
static const char lc_end[8] = "mtastsEN";

struct loadcache {
	enum loadcache_kind	 lc_kind;
	enum loadcache_user	 lc_user;
	char			*lc_path;
	/* The cache found: mapped, indexed by path (keys in the map). */
	const unsigned char	*lc_map;
	size_t			 lc_map_len;
	struct strmap		 lc_index;
	size_t			 lc_records;
	/*
	 * The cache being written, under a temporary name: at once when there
	 * was none, else only once something changed, the records put until
	 * then held (those found as pointers into the old one), so that a
	 * start that changed nothing writes nothing.
	 */
	FILE			*lc_out;
	char			*lc_tmp;
	bool			 lc_writing;	/* lc_out open, or tried */
	const unsigned char	**lc_held;	/* found records */
	size_t			 lc_nheld;
	struct loadcache_record	*lc_held_fresh;	/* encoded ones */
	size_t			 lc_nheld_fresh;
	size_t			 lc_written;
	size_t			 lc_fresh;	/* encoded, not found */
	size_t			 lc_hits;
	size_t			 lc_misses;
	atomic_size_t		 lc_damaged;
	int			 lc_write_errno;
	bool			 lc_loaded;
	struct diag_list	 lc_diags;	/* until loadcache_close() */
};

/* ---- Bytes in, bytes out ---------------------------------------------- */

struct lc_in {
	const unsigned char	*in_p;
	size_t			 in_left;
	bool			 in_bad;
};

static const unsigned char *
lc_take(struct lc_in *in, size_t n)
{
	const unsigned char *p = in->in_p;

	if (in->in_bad || n > in->in_left) {
		in->in_bad = true;
		return NULL;
	}
	in->in_p += n;
	in->in_left -= n;
	return p;
}

static uint8_t
lc_u8(struct lc_in *in)
{
	const unsigned char *p = lc_take(in, 1);

	return p != NULL ? p[0] : 0;
}

static uint32_t
lc_u32(struct lc_in *in)
{
	const unsigned char	*p = lc_take(in, 4);
	uint32_t		 v = 0;

	if (p != NULL)
		memcpy(&v, p, 4);
	return v;
}

static uint64_t
lc_u64(struct lc_in *in)
{
	const unsigned char	*p = lc_take(in, 8);
	uint64_t		 v = 0;

	if (p != NULL)
		memcpy(&v, p, 8);
	return v;
}

/* A NUL-terminated string in place (empty only if `empty`). */
static const char *
lc_str(struct lc_in *in, bool empty)
{
	const unsigned char *nul;

	if (in->in_bad || in->in_left == 0 ||
	    (nul = memchr(in->in_p, '\0', in->in_left)) == NULL ||
	    (nul == in->in_p && !empty)) {
		in->in_bad = true;
		return NULL;
	}
	return (const char *)lc_take(in, (size_t)(nul - in->in_p) + 1);
}

static void
lc_stamp(struct lc_in *in, struct stamp *st)
{
	st->stp_dev = lc_u64(in);
	st->stp_ino = lc_u64(in);
	st->stp_size = (int64_t)lc_u64(in);
	st->stp_mtime = (int64_t)lc_u64(in);
	st->stp_ctime = (int64_t)lc_u64(in);
}

struct lc_out {
	unsigned char	*out_b;
	size_t		 out_len;
	size_t		 out_cap;
};

static void
lc_put(struct lc_out *out, const void *p, size_t n)
{
	if (out->out_cap - out->out_len < n) {
		while (out->out_cap - out->out_len < n)
			out->out_cap = out->out_cap != 0 ? 2 * out->out_cap :
			    256;
		out->out_b = xreallocarray(out->out_b, out->out_cap, 1);
	}
	memcpy(out->out_b + out->out_len, p, n);
	out->out_len += n;
}

static void
lc_put_u8(struct lc_out *out, uint8_t v)
{
	lc_put(out, &v, 1);
}

static void
lc_put_u32(struct lc_out *out, uint32_t v)
{
	lc_put(out, &v, 4);
}

static void
lc_put_u64(struct lc_out *out, uint64_t v)
{
	lc_put(out, &v, 8);
}

static void
lc_put_str(struct lc_out *out, const char *s)
{
	lc_put(out, s, strlen(s) + 1);
}

static void
lc_put_stamp(struct lc_out *out, const struct stamp *st)
{
	lc_put_u64(out, st->stp_dev);
	lc_put_u64(out, st->stp_ino);
	lc_put_u64(out, (uint64_t)st->stp_size);
	lc_put_u64(out, (uint64_t)st->stp_mtime);
	lc_put_u64(out, (uint64_t)st->stp_ctime);
}

/* A record begun: room for its length and checksum. */
static void
lc_record_begin(struct lc_out *out)
{
	memset(out, 0, sizeof(*out));
	lc_put_u64(out, 0);
}

/* The record made (none if it is over the size a reader takes: its file
 * is read at every start). */
static void
lc_record_end(struct lc_out *out, struct loadcache_record *rec)
{
	uint32_t len, crc;

	if (out->out_len - LC_RECORD_HEAD > LC_RECORD_MAX) {
		free(out->out_b);
		memset(rec, 0, sizeof(*rec));
		return;
	}
	len = (uint32_t)(out->out_len - LC_RECORD_HEAD);
	crc = (uint32_t)crc32(0L, out->out_b + LC_RECORD_HEAD, len);
	memcpy(out->out_b, &len, 4);
	memcpy(out->out_b + 4, &crc, 4);
	*rec = (struct loadcache_record){ out->out_b, out->out_len, true };
}

/* ---- The file --------------------------------------------------------- */

static char *
lc_file_path(const char *dir, enum loadcache_kind kind,
    enum loadcache_user user)
{
	return xasprintf("%s/%s%s", dir, user == LOADCACHE_DAEMON ? "" :
	    "certs-", kind == LOADCACHE_CUSTOMERS ? "customer-files.cache" :
	    "certificates.cache");
}

/* What becomes of a cache that cannot be used, and who reads next. */
static const char *
lc_ignored(const struct loadcache *lc)
{
	return lc->lc_user == LOADCACHE_CERTS_READER ? "it is ignored" :
	    "it is ignored and written anew";
}

static const char *
lc_next(const struct loadcache *lc)
{
	return lc->lc_user == LOADCACHE_DAEMON ? "start" : "pass";
}

static void __attribute__((format(printf, 3, 4)))
lc_warn(struct diag_list *diags, const char *file, const char *fmt, ...)
{
	struct srcpos	pos = { .sp_file = file };
	va_list		ap;

	va_start(ap, fmt);
	diag_vadd(diags, DIAG_WARNING, &pos, NULL, fmt, ap);
	va_end(ap);
}

/* The records of the mapped file indexed; a reason if it is no cache. */
static const char *
lc_index(struct loadcache *lc)
{
	struct lc_in	 in = { lc->lc_map, lc->lc_map_len, false };
	const unsigned char *magic;
	uint64_t	 count;
	size_t		 n = 0;

	magic = lc_take(&in, sizeof(lc_magic));
	if (magic == NULL || memcmp(magic, lc_magic, sizeof(lc_magic)) != 0)
		return "not a load cache";
	if (lc_u32(&in) != LC_VERSION || lc_u32(&in) != (uint32_t)lc->lc_kind ||
	    lc_u32(&in) != LC_ENDIAN || lc_u32(&in) != 0 || in.in_bad)
		return "a load cache of another version, kind or machine";
	if (in.in_left < LC_TRAILER_LEN ||
	    memcmp(in.in_p + in.in_left - LC_TRAILER_LEN, lc_end,
	    sizeof(lc_end)) != 0)
		return "cut short (its writing was interrupted)";
	memcpy(&count, in.in_p + in.in_left - 8, 8);
	in.in_left -= LC_TRAILER_LEN;
	if (count > in.in_left / LC_RECORD_MIN)
		return "damaged (its count of records is wrong)";
	lc->lc_index.sm_borrowed = true;
	strmap_reserve(&lc->lc_index, (size_t)count);
	while (in.in_left > 0) {
		const unsigned char	*record = in.in_p;
		uint32_t		 len = lc_u32(&in);
		struct lc_in		 body;
		const char		*path;

		(void)lc_u32(&in);
		body = (struct lc_in){ lc_take(&in, len), len, false };
		if (in.in_bad || len > LC_RECORD_MAX)
			return "damaged (a record overruns it)";
		/* The checksum is the finder's to check, on its thread. */
		if ((path = lc_str(&body, false)) == NULL)
			return "damaged (a record has no path)";
		(void)strmap_put(&lc->lc_index, path, (void *)record);
		n++;
	}
	if (n != count)
		return "damaged (its count of records is wrong)";
	lc->lc_records = n;
	return NULL;
}

/* The cache there, mapped and indexed, or a warning saying why not. */
static void
lc_read(struct loadcache *lc, struct diag_list *diags)
{
	struct stat	 st;
	const char	*why;
	void		*map;
	int		 fd;

	fd = open(lc->lc_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1) {
		if (errno != ENOENT)
			lc_warn(diags, lc->lc_path, "cannot open the load cache: "
			    "%s; every file is read", strerror(errno));
		return;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size < LC_HEADER_LEN + LC_TRAILER_LEN) {
		lc_warn(diags, lc->lc_path, "the load cache is not a regular "
		    "file of a cache's size; %s", lc_ignored(lc));
		close(fd);
		return;
	}
	/* What it says is taken as this program's own parse: only a cache
	 * its user (or root) wrote. */
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		lc_warn(diags, lc->lc_path, "the load cache belongs to another "
		    "user (uid %ju); %s", (uintmax_t)st.st_uid, lc_ignored(lc));
		close(fd);
		return;
	}
	/* Read whole, in large reads, since every record is indexed. */
	map = mmap(NULL, (size_t)st.st_size, PROT_READ,
	    MAP_PRIVATE | MAP_POPULATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED) {
		lc_warn(diags, lc->lc_path, "cannot map the load cache: %s; "
		    "every file is read", strerror(errno));
		return;
	}
	lc->lc_map = map;
	lc->lc_map_len = (size_t)st.st_size;
	if ((why = lc_index(lc)) != NULL) {
		lc_warn(diags, lc->lc_path, "the load cache is %s; %s", why,
		    lc_ignored(lc));
		strmap_free(&lc->lc_index);
		munmap(map, lc->lc_map_len);
		lc->lc_map = NULL;
		lc->lc_records = 0;
	}
}

static void
lc_write_failed(struct loadcache *lc)
{
	if (lc->lc_write_errno == 0)
		lc->lc_write_errno = errno != 0 ? errno : EIO;
}

/*
 * What earlier starts left of this cache unfinished (<name>.<pid>.new:
 * a start that was stopped, or could not start, while writing it). Where
 * several write at once (certs passes, maybe on several hosts), only what
 * nobody has written to for an hour: another may be writing the others.
 */
#define LC_UNFINISHED_AGE	3600

static bool
lc_unfinished_stale(const struct loadcache *lc, int dfd, const char *name)
{
	struct stat st;

	if (lc->lc_user == LOADCACHE_DAEMON)
		return true;
	return fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    st.st_mtime < time(NULL) - LC_UNFINISHED_AGE;
}

static void
lc_remove_unfinished(const struct loadcache *lc)
{
	const char	*slash = strrchr(lc->lc_path, '/');
	char		*dir = xstrndup(lc->lc_path, (size_t)(slash - lc->lc_path));
	const char	*base = slash + 1;
	size_t		 blen = strlen(base);
	struct dirent	*e;
	DIR		*d;

	if ((d = opendir(dir[0] != '\0' ? dir : "/")) != NULL) {
		while ((e = readdir(d)) != NULL) {
			size_t len = strlen(e->d_name);

			if (len > blen + 5 && strncmp(e->d_name, base, blen) == 0 &&
			    e->d_name[blen] == '.' &&
			    strcmp(e->d_name + len - 4, ".new") == 0 &&
			    lc_unfinished_stale(lc, dirfd(d), e->d_name))
				(void)unlinkat(dirfd(d), e->d_name, 0);
		}
		closedir(d);
	}
	free(dir);
}

/* The new cache begun beside the old one. */
static void
lc_begin(struct loadcache *lc, struct diag_list *diags)
{
	uint32_t	 words[4] = { LC_VERSION, (uint32_t)lc->lc_kind,
			    LC_ENDIAN, 0 };
	int		 fd;

	lc->lc_writing = true;
	lc_remove_unfinished(lc);
	lc->lc_tmp = xasprintf("%s.%ld.new", lc->lc_path, (long)getpid());
	fd = open(lc->lc_tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, 0600);
	if (fd == -1 || (lc->lc_out = fdopen(fd, "w")) == NULL) {
		lc_warn(diags, lc->lc_tmp, "cannot write the load cache: %s; "
		    "the next %s reads every file again", strerror(errno),
		    lc_next(lc));
		if (fd != -1) {
			close(fd);
			(void)unlink(lc->lc_tmp);
		}
		free(lc->lc_tmp);
		lc->lc_tmp = NULL;
		return;
	}
	(void)setvbuf(lc->lc_out, NULL, _IOFBF, LC_WRITE_BUFFER);
	if (fwrite(lc_magic, sizeof(lc_magic), 1, lc->lc_out) != 1 ||
	    fwrite(words, sizeof(words), 1, lc->lc_out) != 1)
		lc_write_failed(lc);
}

const char *
loadcache_dir(const char *configured)
{
	const char *env;

	if (configured != NULL)
		return configured[0] != '\0' ? configured : NULL;
	env = getenv("CACHE_DIRECTORY");
	/* systemd gives several, separated by colons, for several names in
	 * CacheDirectory=; the unit names one. */
	if (env == NULL || env[0] != '/' || strchr(env, ':') != NULL)
		return NULL;
	return env;
}

struct loadcache *
loadcache_open(const char *dir, enum loadcache_kind kind,
    enum loadcache_user user)
{
	struct loadcache *lc = xcalloc(1, sizeof(*lc));

	lc->lc_kind = kind;
	lc->lc_user = user;
	lc->lc_path = lc_file_path(dir, kind, user);
	atomic_init(&lc->lc_damaged, 0);
	return lc;
}

void
loadcache_load(struct loadcache *lc)
{
	if (lc == NULL || lc->lc_loaded)
		return;
	lc->lc_loaded = true;
	lc_read(lc, &lc->lc_diags);
	/* No cache to compare with: every record is new. */
	if (lc->lc_map == NULL && lc->lc_user != LOADCACHE_CERTS_READER)
		lc_begin(lc, &lc->lc_diags);
}

const char *
loadcache_path(const struct loadcache *lc)
{
	return lc->lc_path;
}

void
loadcache_counts(const struct loadcache *lc, size_t *hits, size_t *misses)
{
	*hits = lc->lc_hits;
	*misses = lc->lc_misses;
}

void
loadcache_missed(struct loadcache *lc)
{
	lc->lc_misses++;
}

void
loadcache_record_free(struct loadcache_record *rec)
{
	if (rec->lr_owned)
		free((void *)rec->lr_bytes);
	memset(rec, 0, sizeof(*rec));
}

static void
lc_write(struct loadcache *lc, const unsigned char *bytes, size_t len)
{
	if (lc->lc_out == NULL || lc->lc_write_errno != 0)
		return;
	if (fwrite(bytes, len, 1, lc->lc_out) == 1)
		lc->lc_written++;
	else
		lc_write_failed(lc);
}

static size_t
lc_record_len(const unsigned char *raw)
{
	uint32_t len;

	memcpy(&len, raw, 4);
	return LC_RECORD_HEAD + len;
}

/* The new cache begun, and what was held written into it. */
static void
lc_write_held(struct loadcache *lc)
{
	lc_begin(lc, &lc->lc_diags);
	for (size_t i = 0; i < lc->lc_nheld; i++)
		lc_write(lc, lc->lc_held[i], lc_record_len(lc->lc_held[i]));
	for (size_t i = 0; i < lc->lc_nheld_fresh; i++) {
		lc_write(lc, lc->lc_held_fresh[i].lr_bytes,
		    lc->lc_held_fresh[i].lr_len);
		loadcache_record_free(&lc->lc_held_fresh[i]);
	}
	free(lc->lc_held);
	free(lc->lc_held_fresh);
	lc->lc_held = NULL;
	lc->lc_held_fresh = NULL;
	lc->lc_nheld = lc->lc_nheld_fresh = 0;
}

void
loadcache_put(struct loadcache *lc, struct loadcache_record *rec)
{
	if (rec->lr_bytes == NULL)
		return;
	if (rec->lr_owned)
		lc->lc_fresh++;
	else
		lc->lc_hits++;
	if (lc->lc_user == LOADCACHE_CERTS_READER) {
		/* Nothing is written. */
	} else if (lc->lc_writing) {
		lc_write(lc, rec->lr_bytes, rec->lr_len);
	} else if (!rec->lr_owned) {
		lc->lc_held = xgrow(lc->lc_held, lc->lc_nheld,
		    sizeof(*lc->lc_held));
		lc->lc_held[lc->lc_nheld++] = rec->lr_bytes;
	} else {
		lc->lc_held_fresh = xgrow(lc->lc_held_fresh,
		    lc->lc_nheld_fresh, sizeof(*lc->lc_held_fresh));
		lc->lc_held_fresh[lc->lc_nheld_fresh++] = *rec;
		memset(rec, 0, sizeof(*rec));
		if (lc->lc_nheld_fresh >= LC_HOLD_FRESH)
			lc_write_held(lc);
	}
	loadcache_record_free(rec);
}

/*
 * Is what the new cache holds other than what the old one did, enough to
 * write it? For the daemon, any change: it writes at start-up only. A
 * certs pass runs every few minutes while certificates are renewed a few
 * at a time: it writes once a hundredth of the records (and at least
 * LC_REWRITE_MIN) changed, or LC_HOLD_FRESH new ones are held, reading the
 * few changed files again meanwhile, rather than a whole cache of a
 * million for each handful.
 */
#define LC_REWRITE_MIN		256

static bool
lc_changed(const struct loadcache *lc)
{
	/* A record found twice (a file two sources name) is two hits. */
	size_t changed = lc->lc_fresh + atomic_load(&lc->lc_damaged) +
	    (lc->lc_records > lc->lc_hits ? lc->lc_records - lc->lc_hits : 0);

	if (lc->lc_map == NULL)
		return true;
	if (lc->lc_user == LOADCACHE_DAEMON)
		return changed > 0;
	return changed >= LC_REWRITE_MIN && changed >= lc->lc_records / 100;
}

void
loadcache_close(struct loadcache *lc, struct diag_list *diags)
{
	size_t damaged;

	if (lc == NULL)
		return;
	damaged = atomic_load(&lc->lc_damaged);
	if (damaged > 0)
		lc_warn(&lc->lc_diags, lc->lc_path, "%zu record%s of the load cache "
		    "%s damaged: %s files were read instead", damaged,
		    damaged == 1 ? "" : "s", damaged == 1 ? "was" : "were",
		    damaged == 1 ? "its" : "their");
	if (lc->lc_loaded && !lc->lc_writing &&
	    lc->lc_user != LOADCACHE_CERTS_READER && lc_changed(lc))
		lc_write_held(lc);
	if (lc->lc_out != NULL) {
		uint64_t count = lc->lc_written;

		if (fwrite(lc_end, sizeof(lc_end), 1, lc->lc_out) != 1 ||
		    fwrite(&count, sizeof(count), 1, lc->lc_out) != 1)
			lc_write_failed(lc);
		if (fclose(lc->lc_out) != 0)
			lc_write_failed(lc);
		if (lc->lc_write_errno == 0 &&
		    rename(lc->lc_tmp, lc->lc_path) == -1)
			lc_write_failed(lc);
		if (lc->lc_write_errno != 0) {
			lc_warn(&lc->lc_diags, lc->lc_tmp, "cannot write the load "
			    "cache: %s; the next %s reads the files the "
			    "old one lacks", strerror(lc->lc_write_errno),
			    lc_next(lc));
			(void)unlink(lc->lc_tmp);
		}
	}
	diag_append(diags, &lc->lc_diags);
	diag_free(&lc->lc_diags);
	free(lc->lc_tmp);
	for (size_t i = 0; i < lc->lc_nheld_fresh; i++)
		loadcache_record_free(&lc->lc_held_fresh[i]);
	free(lc->lc_held_fresh);
	free(lc->lc_held);
	if (lc->lc_map != NULL) {
		strmap_free(&lc->lc_index);
		munmap((void *)lc->lc_map, lc->lc_map_len);
	}
	free(lc->lc_path);
	free(lc);
}

/* ---- Records found ---------------------------------------------------- */

/*
 * The record for `path` whose checksum holds, *body its bytes after the
 * path, *rec the whole record; false if there is none (or it is damaged,
 * which is counted).
 */
static bool
lc_find(struct loadcache *lc, const char *path, struct lc_in *body,
    struct loadcache_record *rec)
{
	const unsigned char	*raw;
	uint32_t		 len, crc;
	size_t			 skip = strlen(path) + 1;

	if (lc->lc_map == NULL ||
	    (raw = strmap_get(&lc->lc_index, path)) == NULL)
		return false;
	memcpy(&len, raw, 4);
	memcpy(&crc, raw + 4, 4);
	if ((uint32_t)crc32(0L, raw + LC_RECORD_HEAD, len) != crc) {
		atomic_fetch_add(&lc->lc_damaged, 1);
		return false;
	}
	*rec = (struct loadcache_record){ raw, LC_RECORD_HEAD + len, false };
	*body = (struct lc_in){ raw + LC_RECORD_HEAD + skip, len - skip,
	    false };
	return true;
}

static void
lc_damaged(struct loadcache *lc, struct loadcache_record *rec)
{
	atomic_fetch_add(&lc->lc_damaged, 1);
	memset(rec, 0, sizeof(*rec));
}

/* ---- Customer files --------------------------------------------------- */

static struct ynode *
lc_node(struct lc_in *in, const char *path, unsigned depth)
{
	struct ynode	*n;
	uint8_t		 kind = lc_u8(in);
	uint32_t	 count;

	if (in->in_bad || kind > YNODE_MAPPING || depth > YTREE_MAX_DEPTH) {
		in->in_bad = true;
		return NULL;
	}
	n = xcalloc(1, sizeof(*n));
	n->yn_kind = (enum ynode_kind)kind;
	n->yn_plain = lc_u8(in) != 0;
	n->yn_pos.sp_file = path;
	n->yn_pos.sp_line = lc_u32(in);
	n->yn_pos.sp_col = lc_u32(in);
	count = lc_u32(in);
	if (kind == YNODE_SCALAR) {
		const unsigned char *p = lc_take(in, count);

		if (p == NULL || memchr(p, '\0', count) != NULL) {
			in->in_bad = true;
			ytree_free(n);
			return NULL;
		}
		n->yn_value = xstrndup((const char *)p, count);
		n->yn_len = count;
		return n;
	}
	if (in->in_bad || count > in->in_left / LC_NODE_MIN ||
	    (kind == YNODE_MAPPING && count % 2 != 0)) {
		in->in_bad = true;
		ytree_free(n);
		return NULL;
	}
	if (count > 0)
		n->yn_items = xcalloc(count, sizeof(*n->yn_items));
	for (uint32_t i = 0; i < count; i++) {
		n->yn_items[i] = lc_node(in, path, depth + 1);
		if (n->yn_items[i] == NULL) {
			ytree_free(n);
			return NULL;
		}
		n->yn_count++;
	}
	return n;
}

bool
loadcache_customer(struct loadcache *lc, const char *path,
    const struct stamp *st, bool link, struct ynode **root,
    struct loadcache_record *rec)
{
	struct lc_in	in;
	struct stamp	cached;
	bool		cached_link;

	*root = NULL;
	if (!lc_find(lc, path, &in, rec))
		return false;
	lc_stamp(&in, &cached);
	cached_link = lc_u8(&in) != 0;
	if (in.in_bad) {
		lc_damaged(lc, rec);
		return false;
	}
	if (!stamp_equal(&cached, st) || cached_link != link) {
		memset(rec, 0, sizeof(*rec));
		return false;
	}
	if (in.in_left >= 1 && in.in_p[0] == LC_NODE_EMPTY) {
		(void)lc_take(&in, 1);
	} else if ((*root = lc_node(&in, path, 0)) == NULL) {
		lc_damaged(lc, rec);
		return false;
	}
	if (in.in_left != 0) {
		ytree_free(*root);
		*root = NULL;
		lc_damaged(lc, rec);
		return false;
	}
	return true;
}

static void
lc_put_node(struct lc_out *out, const struct ynode *n)
{
	lc_put_u8(out, (uint8_t)n->yn_kind);
	lc_put_u8(out, n->yn_plain);
	lc_put_u32(out, n->yn_pos.sp_line);
	lc_put_u32(out, n->yn_pos.sp_col);
	if (n->yn_kind == YNODE_SCALAR) {
		lc_put_u32(out, (uint32_t)n->yn_len);
		lc_put(out, n->yn_value, n->yn_len);
		return;
	}
	lc_put_u32(out, (uint32_t)n->yn_count);
	for (size_t i = 0; i < n->yn_count; i++)
		lc_put_node(out, n->yn_items[i]);
}

void
loadcache_customer_encode(struct loadcache_record *rec, const char *path,
    const struct stamp *st, bool link, const struct ynode *root)
{
	struct lc_out out;

	lc_record_begin(&out);
	lc_put_str(&out, path);
	lc_put_stamp(&out, st);
	lc_put_u8(&out, link);
	if (root == NULL)
		lc_put_u8(&out, LC_NODE_EMPTY);
	else
		lc_put_node(&out, root);
	lc_record_end(&out, rec);
}

/* ---- Certificate pairs ------------------------------------------------ */

bool
loadcache_cert(struct loadcache *lc, const char *chain_file,
    const char *key_file, const struct stamp *chain_st,
    struct loadcache_pair *pair, struct loadcache_record *rec)
{
	struct lc_in	in;
	uint32_t	nnames;

	memset(pair, 0, sizeof(*pair));
	if (!lc_find(lc, chain_file, &in, rec))
		return false;
	pair->lp_chain_file = chain_file;
	pair->lp_key_file = lc_str(&in, false);
	lc_stamp(&in, &pair->lp_chain_stamp);
	lc_stamp(&in, &pair->lp_key_stamp);
	if (in.in_bad) {
		lc_damaged(lc, rec);
		return false;
	}
	if (strcmp(pair->lp_key_file, key_file) != 0 ||
	    !stamp_equal(&pair->lp_chain_stamp, chain_st)) {
		memset(rec, 0, sizeof(*rec));
		return false;
	}
	pair->lp_ecdsa = lc_u8(&in) != 0;
	pair->lp_not_before = (time_t)(int64_t)lc_u64(&in);
	pair->lp_not_after = (time_t)(int64_t)lc_u64(&in);
	pair->lp_serial = lc_str(&in, true);
	pair->lp_chain_count = lc_u32(&in);
	pair->lp_chain_len = lc_u32(&in);
	pair->lp_chain = lc_take(&in, pair->lp_chain_len);
	nnames = lc_u32(&in);
	if (in.in_bad || pair->lp_chain_count == 0 ||
	    pair->lp_chain_len == 0 || nnames > in.in_left / 2) {
		lc_damaged(lc, rec);
		return false;
	}
	if (nnames > 0)
		pair->lp_names = xcalloc(nnames, sizeof(*pair->lp_names));
	for (uint32_t i = 0; i < nnames; i++)
		pair->lp_names[i] = lc_str(&in, false);
	pair->lp_nnames = nnames;
	if (in.in_bad || in.in_left != 0) {
		free(pair->lp_names);
		memset(pair, 0, sizeof(*pair));
		lc_damaged(lc, rec);
		return false;
	}
	return true;
}

void
loadcache_cert_encode(struct loadcache_record *rec,
    const struct loadcache_pair *pair)
{
	struct lc_out out;

	lc_record_begin(&out);
	lc_put_str(&out, pair->lp_chain_file);
	lc_put_str(&out, pair->lp_key_file);
	lc_put_stamp(&out, &pair->lp_chain_stamp);
	lc_put_stamp(&out, &pair->lp_key_stamp);
	lc_put_u8(&out, pair->lp_ecdsa);
	lc_put_u64(&out, (uint64_t)(int64_t)pair->lp_not_before);
	lc_put_u64(&out, (uint64_t)(int64_t)pair->lp_not_after);
	lc_put_str(&out, pair->lp_serial);
	lc_put_u32(&out, (uint32_t)pair->lp_chain_count);
	lc_put_u32(&out, (uint32_t)pair->lp_chain_len);
	lc_put(&out, pair->lp_chain, pair->lp_chain_len);
	lc_put_u32(&out, (uint32_t)pair->lp_nnames);
	for (size_t i = 0; i < pair->lp_nnames; i++)
		lc_put_str(&out, pair->lp_names[i]);
	lc_record_end(&out, rec);
}
