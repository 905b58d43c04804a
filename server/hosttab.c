/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "hosttab.h"

#include <stdlib.h>
#include <string.h>

#include "../config/strmap.h"
#include "../config/xalloc.h"
#include "host.h"

#define HOSTTAB_MIN_SLOTS	HOSTTAB_PAGE_SLOTS

static struct hosttab_page *
hosttab_page_new(void)
{
	struct hosttab_page *p = xcalloc(1, sizeof(*p));

	atomic_init(&p->hp_refs, 1);
	return p;
}

static void
hosttab_page_unref(struct hosttab_page *p)
{
	if (atomic_fetch_sub_explicit(&p->hp_refs, 1, memory_order_acq_rel)
	    != 1)
		return;
	for (size_t i = 0; i < HOSTTAB_PAGE_SLOTS; i++)
		host_unref(p->hp_slots[i]);
	free(p);
}

void
hosttab_init(struct hosttab *ht, size_t expected)
{
	size_t size = HOSTTAB_MIN_SLOTS;

	while (size < 2 * expected)
		size *= 2;
	ht->ht_npages = size >> HOSTTAB_PAGE_SHIFT;
	ht->ht_pages = xcalloc(ht->ht_npages, sizeof(*ht->ht_pages));
	for (size_t i = 0; i < ht->ht_npages; i++)
		ht->ht_pages[i] = hosttab_page_new();
	ht->ht_mask = size - 1;
	ht->ht_count = 0;
}

void
hosttab_clone(struct hosttab *ht, const struct hosttab *src)
{
	*ht = *src;
	ht->ht_pages = xcalloc(src->ht_npages, sizeof(*ht->ht_pages));
	for (size_t i = 0; i < src->ht_npages; i++) {
		ht->ht_pages[i] = src->ht_pages[i];
		atomic_fetch_add_explicit(&ht->ht_pages[i]->hp_refs, 1,
		    memory_order_relaxed);
	}
}

static inline struct host *
hosttab_slot(const struct hosttab *ht, size_t i)
{
	return ht->ht_pages[i >> HOSTTAB_PAGE_SHIFT]->hp_slots[i &
	    (HOSTTAB_PAGE_SLOTS - 1)];
}

/*
 * The slot `i` made writable: a page another table holds too is copied
 * first, with a reference to each of its hosts. A table's own pages (a
 * count of one) are written in place: no published table holds them.
 */
static struct host **
hosttab_writable(struct hosttab *ht, size_t i)
{
	struct hosttab_page **pp = &ht->ht_pages[i >> HOSTTAB_PAGE_SHIFT];

	if (atomic_load_explicit(&(*pp)->hp_refs, memory_order_acquire) > 1) {
		struct hosttab_page *copy = hosttab_page_new();

		memcpy(copy->hp_slots, (*pp)->hp_slots, sizeof(copy->hp_slots));
		for (size_t k = 0; k < HOSTTAB_PAGE_SLOTS; k++)
			if (copy->hp_slots[k] != NULL)
				host_ref(copy->hp_slots[k]);
		hosttab_page_unref(*pp);
		*pp = copy;
	}
	return &(*pp)->hp_slots[i & (HOSTTAB_PAGE_SLOTS - 1)];
}

static size_t
hosttab_home(const struct hosttab *ht, const char *name, size_t len)
{
	return strmap_hash(name, len) & ht->ht_mask;
}

/* The slot holding `name`, or the empty slot where it would go. */
static size_t
hosttab_find(const struct hosttab *ht, const char *name, size_t len)
{
	size_t		 i = hosttab_home(ht, name, len);
	const struct host *h;

	while ((h = hosttab_slot(ht, i)) != NULL) {
		if (h->h_name_len == len && memcmp(h->h_name, name, len) == 0)
			break;
		i = (i + 1) & ht->ht_mask;
	}
	return i;
}

const struct host *
hosttab_get(const struct hosttab *ht, const char *name, size_t len)
{
	return hosttab_slot(ht, hosttab_find(ht, name, len));
}

/* Twice the slots: every page new, every host referenced again. */
static void
hosttab_grow(struct hosttab *ht)
{
	struct hosttab	 old = *ht;
	size_t		 pos = 0;
	const struct host *h;

	hosttab_init(ht, 2 * old.ht_count + 2);
	while ((h = hosttab_next(&old, &pos)) != NULL) {
		size_t i = hosttab_find(ht, h->h_name, h->h_name_len);

		*hosttab_writable(ht, i) = host_ref((struct host *)h);
		ht->ht_count++;
	}
	hosttab_free(&old);
}

void
hosttab_put(struct hosttab *ht, struct host *h)
{
	size_t		  i = hosttab_find(ht, h->h_name, h->h_name_len);
	struct host	**slot;

	if (hosttab_slot(ht, i) == NULL && 2 * (ht->ht_count + 1) >
	    ht->ht_mask + 1) {
		hosttab_grow(ht);
		i = hosttab_find(ht, h->h_name, h->h_name_len);
	}
	slot = hosttab_writable(ht, i);
	if (*slot == NULL)
		ht->ht_count++;
	else
		host_unref(*slot);
	*slot = h;
}

bool
hosttab_del(struct hosttab *ht, const char *name, size_t len)
{
	size_t		 hole = hosttab_find(ht, name, len), i;
	struct host	*h = hosttab_slot(ht, hole);

	if (h == NULL)
		return false;
	*hosttab_writable(ht, hole) = NULL;
	host_unref(h);
	/* Backward shift: an entry after the hole moves into it unless its
	 * home lies cyclically in (hole, i]. */
	for (i = (hole + 1) & ht->ht_mask; (h = hosttab_slot(ht, i)) != NULL;
	    i = (i + 1) & ht->ht_mask) {
		size_t home = hosttab_home(ht, h->h_name, h->h_name_len);

		if (((i - home) & ht->ht_mask) >= ((i - hole) & ht->ht_mask)) {
			*hosttab_writable(ht, hole) = h;
			*hosttab_writable(ht, i) = NULL;
			hole = i;
		}
	}
	ht->ht_count--;
	return true;
}

const struct host *
hosttab_next(const struct hosttab *ht, size_t *pos)
{
	for (; *pos <= ht->ht_mask; (*pos)++) {
		const struct host *h = hosttab_slot(ht, *pos);

		if (h != NULL) {
			(*pos)++;
			return h;
		}
	}
	return NULL;
}

void
hosttab_free(struct hosttab *ht)
{
	for (size_t i = 0; i < ht->ht_npages; i++)
		hosttab_page_unref(ht->ht_pages[i]);
	free(ht->ht_pages);
	memset(ht, 0, sizeof(*ht));
}
