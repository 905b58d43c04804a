/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The table from each configured name (mta-sts.<domain>) to its host: a
 * hash table in pages that snapshots share. A reload clones the table in
 * service (a reference to each page, not a copy of a million slots) and
 * changes the clone: only the pages it writes are copied, so a reload that
 * changes one customer costs a page, and two snapshots hold one fleet.
 *
 * Open addressing with linear probing, at most half full; deletion by
 * backward shift. Built and changed by one thread (reload), read by any
 * once published; pages and hosts are freed with their last reference, on
 * whichever thread drops it.
 */
#ifndef MTA_STS_HOSTTAB_H
#define MTA_STS_HOSTTAB_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct host;

/* 512 slots, 4 KiB: a million names make 4,096 pages to share. */
#define HOSTTAB_PAGE_SHIFT	9
#define HOSTTAB_PAGE_SLOTS	(1u << HOSTTAB_PAGE_SHIFT)

struct hosttab_page {
	atomic_uint	 hp_refs;	/* tables holding it */
	struct host	*hp_slots[HOSTTAB_PAGE_SLOTS];
};

struct hosttab {
	struct hosttab_page	**ht_pages;
	size_t			  ht_npages;
	size_t			  ht_mask;	/* slots - 1 */
	size_t			  ht_count;
};

void		 hosttab_init(struct hosttab *, size_t expected);
/* A table sharing every page of `src`: O(pages). */
void		 hosttab_clone(struct hosttab *, const struct hosttab *src);
const struct host *hosttab_get(const struct hosttab *, const char *name,
		    size_t len);
/* Put `h` (its reference passes to the table) in place of the host of the
 * same name, if any, whose reference the table drops. */
void		 hosttab_put(struct hosttab *, struct host *);
/* Take the host of that name out; false if there is none. */
bool		 hosttab_del(struct hosttab *, const char *name, size_t len);
/* Each host in turn: start with *pos = 0; NULL at the end. */
const struct host *hosttab_next(const struct hosttab *, size_t *pos);
void		 hosttab_free(struct hosttab *);

#endif
