/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `doctor --state FILE`: since when each domain has had its current mode,
 * across runs, so the doctor can tell a policy that has been in testing for
 * weeks with every MX passing (time for enforce) from one that just started.
 * One line per domain, "domain mode since" (Unix seconds), replaced
 * atomically after each run.
 */
#include "doctor_check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../config/xalloc.h"

struct doctor_history_entry {
	char			*he_domain;
	enum policy_mode	 he_mode;
	time_t			 he_since;
};

static int
doctor_history_cmp(const void *a, const void *b)
{
	const struct doctor_history_entry *x = a, *y = b;

	return strcmp(x->he_domain, y->he_domain);
}

bool
doctor_history_load(struct doctor_history *h, const char *path, char **why)
{
	FILE	*fp;
	char	 line[512];
	size_t	 lineno = 0;

	memset(h, 0, sizeof(*h));
	h->dh_path = path;
	if ((fp = fopen(path, "re")) == NULL) {
		if (errno == ENOENT)
			return true;	/* the first run */
		*why = xasprintf("%s: %s", path, strerror(errno));
		return false;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		char		 domain[256], mode[16];
		long long	 since;
		struct doctor_history_entry *e;

		lineno++;
		if (sscanf(line, "%255s %15s %lld", domain, mode, &since) != 3) {
			*why = xasprintf("%s:%zu: not 'domain mode since'",
			    path, lineno);
			fclose(fp);
			doctor_history_free(h);
			return false;
		}
		h->dh_entries = xreallocarray(h->dh_entries, h->dh_count + 1,
		    sizeof(*h->dh_entries));
		e = &h->dh_entries[h->dh_count];
		if (policy_mode_parse(mode, &e->he_mode) != 0)
			continue;	/* a mode of a later version */
		e->he_domain = xstrdup(domain);
		e->he_since = (time_t)since;
		h->dh_count++;
	}
	fclose(fp);
	qsort(h->dh_entries, h->dh_count, sizeof(*h->dh_entries),
	    doctor_history_cmp);
	return true;
}

time_t
doctor_history_since(const struct doctor_history *h, const char *domain,
    enum policy_mode mode, time_t now)
{
	struct doctor_history_entry	 key = { .he_domain = (char *)domain };
	struct doctor_history_entry	*e;

	if (h == NULL || h->dh_path == NULL)
		return 0;
	if (h->dh_count == 0)
		return now;
	e = bsearch(&key, h->dh_entries, h->dh_count, sizeof(*e),
	    doctor_history_cmp);
	return e != NULL && e->he_mode == mode ? e->he_since : now;
}

bool
doctor_history_save(const struct doctor_history *h,
    const struct doctor_domain *dm, size_t n, char **why)
{
	char	*tmp = xasprintf("%s.tmp", h->dh_path);
	FILE	*fp = fopen(tmp, "we");
	bool	 ok;

	if (fp == NULL) {
		*why = xasprintf("%s: %s", tmp, strerror(errno));
		free(tmp);
		return false;
	}
	for (size_t i = 0; i < n; i++)
		if (dm[i].dm_mode_since != 0)
			fprintf(fp, "%s %s %lld\n", dm[i].dm_name,
			    policy_mode_name(dm[i].dm_mode),
			    (long long)dm[i].dm_mode_since);
	ok = fflush(fp) == 0 && fsync(fileno(fp)) == 0;
	ok = fclose(fp) == 0 && ok;
	if (ok && rename(tmp, h->dh_path) != 0)
		ok = false;
	if (!ok) {
		*why = xasprintf("%s: %s", h->dh_path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return ok;
}

void
doctor_history_free(struct doctor_history *h)
{
	for (size_t i = 0; i < h->dh_count; i++)
		free(h->dh_entries[i].he_domain);
	free(h->dh_entries);
	h->dh_entries = NULL;
	h->dh_count = 0;
}
