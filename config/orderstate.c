/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "orderstate.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "stamp.h"
#include "xalloc.h"

#define ORDERSTATE_MAGIC	"mta-sts-hostd certificate orders 1"
/* A message kept per name: the client's error line, trimmed. */
#define ORDERSTATE_MESSAGE_MAX	400

static const char *const order_result_names[] = {
	[ORDER_NONE] = "none",
	[ORDER_ISSUED] = "issued",
	[ORDER_FAILED] = "failed",
	[ORDER_WAITING_DNS] = "waiting-dns",
	[ORDER_ORDERING] = "ordering",
};

const char *
order_result_name(enum order_result r)
{
	return order_result_names[r];
}

void
orderstate_init(struct orderstate *os, const char *path)
{
	memset(os, 0, sizeof(*os));
	os->os_path = xstrdup(path);
	os->os_lockfd = -1;
	os->os_heldfd = -1;
	os->os_index.sm_borrowed = true;
}

/* The file as it was last read or written, no longer known. */
static void
orderstate_let_go(struct orderstate *os)
{
	if (os->os_heldfd != -1)
		close(os->os_heldfd);
	os->os_heldfd = -1;
}

/* The file as it is now, `fd`, read or written: kept open, so that its
 * inode is not another file's while its stamp is compared. */
static void
orderstate_hold(struct orderstate *os, int fd)
{
	struct stat st;

	orderstate_let_go(os);
	if (fstat(fd, &st) == -1 ||
	    (os->os_heldfd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) == -1)
		return;
	os->os_held = stamp_of(&st);
}

/*
 * Is the file at the path still the one last read or written? Asked of
 * the file opened, not of a stat(2) of its path: on NFS an open revalidates
 * the name and the attributes with the server (close-to-open), where a
 * stat may answer from the client's attribute cache, which would miss
 * another replica's save for seconds.
 */
static bool
orderstate_unchanged(const struct orderstate *os)
{
	struct stat	st;
	struct stamp	now;
	int		fd;
	bool		same;

	if (os->os_heldfd == -1 ||
	    (fd = open(os->os_path, O_RDONLY | O_CLOEXEC)) == -1)
		return false;
	same = fstat(fd, &st) == 0;
	close(fd);
	if (!same)
		return false;
	now = stamp_of(&st);
	return stamp_equal(&now, &os->os_held);
}

static void
orderstate_entry_free(struct order_entry *e)
{
	free(e->oe_name);
	free(e->oe_claim_by);
	free(e->oe_message);
	free(e);
}

/* Everything but the path and the lock. */
static void
orderstate_clear(struct orderstate *os)
{
	for (size_t i = 0; i < os->os_count; i++)
		orderstate_entry_free(os->os_entries[i]);
	free(os->os_entries);
	os->os_entries = NULL;
	os->os_count = 0;
	strmap_free(&os->os_index);
	os->os_index.sm_borrowed = true;
	free(os->os_orders);
	os->os_orders = NULL;
	os->os_norders = 0;
	memset(&os->os_counts, 0, sizeof(os->os_counts));
}

void
orderstate_free(struct orderstate *os)
{
	orderstate_unlock(os);
	orderstate_let_go(os);
	orderstate_clear(os);
	free(os->os_path);
	os->os_path = NULL;
}

struct order_entry *
orderstate_get(struct orderstate *os, const char *name, bool create)
{
	struct order_entry *e = strmap_get(&os->os_index, name);

	if (e != NULL || !create)
		return e;
	e = xcalloc(1, sizeof(*e));
	e->oe_name = xstrdup(name);
	os->os_entries = xgrow(os->os_entries, os->os_count,
	    sizeof(*os->os_entries));
	os->os_entries[os->os_count++] = e;
	(void)strmap_put(&os->os_index, e->oe_name, e);
	return e;
}

size_t
orderstate_orders_since(struct orderstate *os, time_t now, unsigned window)
{
	size_t old = 0;

	while (old < os->os_norders && os->os_orders[old] < now - (time_t)window)
		old++;
	if (old > 0) {
		memmove(os->os_orders, os->os_orders + old,
		    (os->os_norders - old) * sizeof(*os->os_orders));
		os->os_norders -= old;
	}
	return os->os_norders;
}

void
orderstate_add_order(struct orderstate *os, time_t t)
{
	size_t i = os->os_norders;

	os->os_orders = xgrow(os->os_orders, os->os_norders,
	    sizeof(*os->os_orders));
	/* Kept in order: passes on other hosts may add theirs earlier. */
	while (i > 0 && os->os_orders[i - 1] > t) {
		os->os_orders[i] = os->os_orders[i - 1];
		i--;
	}
	os->os_orders[i] = t;
	os->os_norders++;
}

void
orderstate_forget_issued(struct orderstate *os, time_t t)
{
	size_t kept = 0;

	for (size_t i = 0; i < os->os_count; i++) {
		struct order_entry *e = os->os_entries[i];

		if (e->oe_result == ORDER_ISSUED && e->oe_last < t) {
			(void)strmap_del(&os->os_index, e->oe_name);
			orderstate_entry_free(e);
		} else
			os->os_entries[kept++] = e;
	}
	os->os_count = kept;
}

void
orderstate_remove_order(struct orderstate *os, time_t t)
{
	for (size_t i = 0; i < os->os_norders; i++)
		if (os->os_orders[i] == t) {
			memmove(os->os_orders + i, os->os_orders + i + 1,
			    (os->os_norders - i - 1) * sizeof(*os->os_orders));
			os->os_norders--;
			return;
		}
}

/* ---- The file's lines ------------------------------------------------- */

static char *
orderstate_escape(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t	 n = strnlen(s, ORDERSTATE_MESSAGE_MAX);
	char	*out = xmalloc(3 * n + 1), *p = out;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '%') {
			*p++ = '%';
			*p++ = hex[c >> 4];
			*p++ = hex[c & 15];
		} else
			*p++ = (char)c;
	}
	*p = '\0';
	return out;
}

static int
orderstate_hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* In place; -1 for a broken escape. */
static int
orderstate_unescape(char *s)
{
	char *out = s;

	for (; *s != '\0'; s++) {
		int hi, lo;

		if (*s != '%') {
			*out++ = *s;
			continue;
		}
		if ((hi = orderstate_hex(s[1])) == -1 ||
		    (lo = orderstate_hex(s[2])) == -1 || (hi == 0 && lo == 0))
			return -1;
		*out++ = (char)(hi << 4 | lo);
		s += 2;
	}
	*out = '\0';
	return 0;
}

static int
orderstate_time(const char *s, time_t *out)
{
	char		*end;
	long long	 v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno != 0)
		return -1;
	*out = (time_t)v;
	return 0;
}

static int
orderstate_counts_line(char *line, struct order_counts *oc)
{
	static const char *const keys[] = {
		"pending=", "ordering=", "waiting-dns=", "failing=",
	};
	size_t	*const fields[] = {
		&oc->oc_pending, &oc->oc_ordering, &oc->oc_waiting_dns,
		&oc->oc_failing,
	};
	char	*save, *f;
	char	*time_s = strtok_r(line, " ", &save);
	unsigned seen = 0;

	if (time_s == NULL || orderstate_time(time_s, &oc->oc_time) == -1)
		return -1;
	while ((f = strtok_r(NULL, " ", &save)) != NULL) {
		size_t	 k = 0;
		char	*end;
		unsigned long long v;

		while (k < 4 && strncmp(f, keys[k], strlen(keys[k])) != 0)
			k++;
		if (k == 4 || (seen & 1u << k))
			return -1;
		f += strlen(keys[k]);
		errno = 0;
		v = strtoull(f, &end, 10);
		if (*f < '0' || *f > '9' || *end != '\0' || errno != 0)
			return -1;
		*fields[k] = (size_t)v;
		seen |= 1u << k;
	}
	return seen == 15 ? 0 : -1;
}

/* "NAME RESULT LAST NEXT FAILURES CLAIM-UNTIL CLAIM-BY MESSAGE" */
static int
orderstate_name_line(struct orderstate *os, char *line)
{
	char			*f[8], *rest = line;
	struct order_entry	*e;
	unsigned long		 failures;
	time_t			 last, next, claim;
	int			 result = -1;
	char			*end;

	for (size_t i = 0; i < 7; i++) {
		f[i] = rest;
		if ((rest = strchr(rest, ' ')) == NULL)
			return -1;
		*rest++ = '\0';
	}
	f[7] = rest;
	for (size_t i = 0; i < sizeof(order_result_names) /
	    sizeof(order_result_names[0]); i++)
		if (strcmp(f[1], order_result_names[i]) == 0)
			result = (int)i;
	errno = 0;
	failures = strtoul(f[4], &end, 10);
	if (f[0][0] == '\0' || result == -1 || *end != '\0' || errno != 0 ||
	    f[4][0] < '0' || f[4][0] > '9' || failures > 1000000 ||
	    orderstate_time(f[2], &last) == -1 ||
	    orderstate_time(f[3], &next) == -1 ||
	    orderstate_time(f[5], &claim) == -1 ||
	    (strcmp(f[7], "-") != 0 && orderstate_unescape(f[7]) == -1) ||
	    orderstate_get(os, f[0], false) != NULL)
		return -1;
	e = orderstate_get(os, f[0], true);
	e->oe_result = (enum order_result)result;
	e->oe_last = last;
	e->oe_next = next;
	e->oe_failures = (unsigned)failures;
	e->oe_claim_until = claim;
	e->oe_claim_by = strcmp(f[6], "-") != 0 ? xstrdup(f[6]) : NULL;
	e->oe_message = strcmp(f[7], "-") != 0 ? xstrdup(f[7]) : NULL;
	return 0;
}

static int
orderstate_parse(struct orderstate *os, FILE *fp, char **why)
{
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 len;
	unsigned	 lineno = 0;
	int		 rc = 0;

	while ((len = getline(&line, &cap, fp)) != -1) {
		time_t t;

		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (lineno == 1) {
			if (strcmp(line, ORDERSTATE_MAGIC) == 0)
				continue;
			rc = -1;
		} else if (line[0] == '\0')
			continue;
		else if (strncmp(line, "counts ", 7) == 0)
			rc = os->os_counts.oc_time != 0 ? -1 :
			    orderstate_counts_line(line + 7, &os->os_counts);
		else if (strncmp(line, "order ", 6) == 0) {
			rc = orderstate_time(line + 6, &t);
			if (rc == 0)
				orderstate_add_order(os, t);
		} else if (strncmp(line, "name ", 5) == 0)
			rc = orderstate_name_line(os, line + 5);
		else
			rc = -1;
		if (rc == -1) {
			*why = xasprintf("%s:%u: %s", os->os_path, lineno,
			    lineno == 1 ? "not a certificate order state file" :
			    "a broken line; move the file away to start over "
			    "(the order budget then starts from nothing)");
			break;
		}
	}
	if (rc == 0 && ferror(fp)) {
		*why = xasprintf("%s: cannot read: %s", os->os_path,
		    strerror(errno));
		rc = -1;
	}
	free(line);
	return rc;
}

int
orderstate_read(struct orderstate *os, char **why)
{
	FILE	*fp;
	int	 rc;

	orderstate_clear(os);
	orderstate_let_go(os);
	if ((fp = fopen(os->os_path, "re")) == NULL) {
		if (errno == ENOENT)
			return 0;
		*why = xasprintf("%s: cannot open: %s", os->os_path,
		    strerror(errno));
		return -1;
	}
	rc = orderstate_parse(os, fp, why);
	if (rc == 0)
		orderstate_hold(os, fileno(fp));
	fclose(fp);
	if (rc == -1)
		orderstate_clear(os);
	return rc;
}

int
orderstate_lock(struct orderstate *os, char **why)
{
	struct flock	 fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char		*lock = xasprintf("%s.lock", os->os_path);
	int		 fd;

	fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd == -1) {
		*why = xasprintf("%s: cannot open: %s", lock, strerror(errno));
		free(lock);
		return -1;
	}
	while (fcntl(fd, F_OFD_SETLKW, &fl) == -1) {
		if (errno == EINTR)
			continue;
		*why = xasprintf("%s: cannot lock: %s", lock, strerror(errno));
		close(fd);
		free(lock);
		return -1;
	}
	free(lock);
	os->os_lockfd = fd;
	/* Another pass saves under the lock: unchanged, nothing to read. */
	if (orderstate_unchanged(os))
		return 0;
	if (orderstate_read(os, why) == -1) {
		orderstate_unlock(os);
		return -1;
	}
	return 0;
}

void
orderstate_unlock(struct orderstate *os)
{
	if (os->os_lockfd != -1)
		close(os->os_lockfd);	/* releases the lock */
	os->os_lockfd = -1;
}

static int
orderstate_write(const struct orderstate *os, FILE *fp)
{
	const struct order_counts *oc = &os->os_counts;

	fprintf(fp, "%s\n", ORDERSTATE_MAGIC);
	if (oc->oc_time != 0)
		fprintf(fp, "counts %lld pending=%zu ordering=%zu "
		    "waiting-dns=%zu failing=%zu\n", (long long)oc->oc_time,
		    oc->oc_pending, oc->oc_ordering, oc->oc_waiting_dns,
		    oc->oc_failing);
	for (size_t i = 0; i < os->os_norders; i++)
		fprintf(fp, "order %lld\n", (long long)os->os_orders[i]);
	for (size_t i = 0; i < os->os_count; i++) {
		const struct order_entry	*e = os->os_entries[i];
		char				*msg = NULL;

		if (e->oe_message != NULL)
			msg = orderstate_escape(e->oe_message);
		fprintf(fp, "name %s %s %lld %lld %u %lld %s %s\n", e->oe_name,
		    order_result_names[e->oe_result], (long long)e->oe_last,
		    (long long)e->oe_next, e->oe_failures,
		    (long long)e->oe_claim_until,
		    e->oe_claim_by != NULL ? e->oe_claim_by : "-",
		    msg != NULL && *msg != '\0' ? msg : "-");
		free(msg);
	}
	return fflush(fp) == EOF || ferror(fp) || fsync(fileno(fp)) == -1 ?
	    -1 : 0;
}

static void
orderstate_sync_dir(const char *path)
{
	const char	*slash = strrchr(path, '/');
	char		*dir = slash == NULL ? xstrdup(".") :
			    xstrndup(path, slash == path ? 1 :
			    (size_t)(slash - path));
	int		 fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd != -1) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

int
orderstate_save_unlock(struct orderstate *os, char **why)
{
	char	*tmp = xasprintf("%s.new", os->os_path);
	FILE	*fp = NULL;
	int	 fd, rc = -1;

	/* Only the holder of the lock writes this name. */
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW,
	    0644);
	if (fd == -1 || (fp = fdopen(fd, "w")) == NULL)
		*why = xasprintf("%s: cannot create: %s", tmp, strerror(errno));
	else if (orderstate_write(os, fp) == -1)
		*why = xasprintf("%s: cannot write: %s", tmp, strerror(errno));
	else if (rename(tmp, os->os_path) == -1)
		*why = xasprintf("%s: cannot rename into place: %s",
		    os->os_path, strerror(errno));
	else {
		/* The rename itself to the disk: a budget that forgot its
		 * newest orders after a power cut would spend them again. */
		orderstate_sync_dir(os->os_path);
		/* Its stamp after the rename, which may change its ctime. */
		orderstate_hold(os, fileno(fp));
		rc = 0;
	}
	if (rc == -1)
		orderstate_let_go(os);
	if (fp != NULL)
		fclose(fp);
	else if (fd != -1)
		close(fd);
	if (rc == -1)
		(void)unlink(tmp);
	free(tmp);
	orderstate_unlock(os);
	return rc;
}

int
orderstate_read_counts(const char *path, struct order_counts *oc)
{
	char	 buf[512];
	FILE	*fp;
	int	 rc = -1;

	memset(oc, 0, sizeof(*oc));
	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	if (fgets(buf, sizeof(buf), fp) != NULL &&
	    strcmp(buf, ORDERSTATE_MAGIC "\n") == 0 &&
	    fgets(buf, sizeof(buf), fp) != NULL &&
	    strncmp(buf, "counts ", 7) == 0) {
		buf[strcspn(buf, "\n")] = '\0';
		rc = orderstate_counts_line(buf + 7, oc);
	}
	fclose(fp);
	if (rc == -1)
		errno = ENOENT;
	return rc;
}
