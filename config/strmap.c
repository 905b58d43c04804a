/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "strmap.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define STRMAP_MIN_SLOTS	16

/* FNV-1a: keys are short, and its quality is enough at half load. */
uint64_t
strmap_hash(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static struct strmap_slot *
strmap_find(const struct strmap *sm, const char *key, uint64_t hash)
{
	size_t i;

	if (sm->sm_slots == NULL)
		return NULL;
	for (i = hash & sm->sm_mask; sm->sm_slots[i].sms_key != NULL;
	    i = (i + 1) & sm->sm_mask)
		if (sm->sm_slots[i].sms_hash == hash &&
		    strcmp(sm->sm_slots[i].sms_key, key) == 0)
			return &sm->sm_slots[i];
	return NULL;
}

void *
strmap_get(const struct strmap *sm, const char *key)
{
	struct strmap_slot *s = strmap_find(sm, key,
	    strmap_hash(key, strlen(key)));

	return s != NULL ? s->sms_value : NULL;
}

static void
strmap_place(struct strmap *sm, struct strmap_slot slot)
{
	size_t i = slot.sms_hash & sm->sm_mask;

	while (sm->sm_slots[i].sms_key != NULL)
		i = (i + 1) & sm->sm_mask;
	sm->sm_slots[i] = slot;
}

/* The slots made `size` (a power of two), every entry placed again. */
static void
strmap_resize(struct strmap *sm, size_t size)
{
	struct strmap_slot	*old = sm->sm_slots;
	size_t			 n = old != NULL ? sm->sm_mask + 1 : 0;

	sm->sm_slots = xcalloc(size, sizeof(*sm->sm_slots));
	sm->sm_mask = size - 1;
	for (size_t i = 0; i < n; i++)
		if (old[i].sms_key != NULL)
			strmap_place(sm, old[i]);
	free(old);
}

static void
strmap_grow(struct strmap *sm)
{
	strmap_resize(sm, sm->sm_slots != NULL ? 2 * (sm->sm_mask + 1) :
	    STRMAP_MIN_SLOTS);
}

void
strmap_reserve(struct strmap *sm, size_t n)
{
	size_t size = STRMAP_MIN_SLOTS;

	/* At most half full, as a put keeps it. */
	while (size / 2 < n)
		size *= 2;
	if (sm->sm_slots == NULL || size > sm->sm_mask + 1)
		strmap_resize(sm, size);
}

void *
strmap_put(struct strmap *sm, const char *key, void *value)
{
	uint64_t		 hash = strmap_hash(key, strlen(key));
	struct strmap_slot	*s = strmap_find(sm, key, hash);
	void			*old;

	if (s != NULL) {
		old = s->sms_value;
		s->sms_value = value;
		if (sm->sm_borrowed)
			s->sms_key = (char *)key;
		return old;
	}
	if (sm->sm_slots == NULL || 2 * (sm->sm_count + 1) > sm->sm_mask + 1)
		strmap_grow(sm);
	strmap_place(sm, (struct strmap_slot){
	    sm->sm_borrowed ? (char *)key : xstrdup(key), value, hash });
	sm->sm_count++;
	return NULL;
}

void *
strmap_del(struct strmap *sm, const char *key)
{
	struct strmap_slot	*s = strmap_find(sm, key,
	    strmap_hash(key, strlen(key)));
	size_t			 hole, i;
	void			*value;

	if (s == NULL)
		return NULL;
	value = s->sms_value;
	if (!sm->sm_borrowed)
		free(s->sms_key);
	hole = (size_t)(s - sm->sm_slots);
	sm->sm_slots[hole].sms_key = NULL;
	/* Backward shift: an entry after the hole moves into it unless its
	 * home slot lies cyclically in (hole, i]. */
	for (i = (hole + 1) & sm->sm_mask; sm->sm_slots[i].sms_key != NULL;
	    i = (i + 1) & sm->sm_mask) {
		size_t home = sm->sm_slots[i].sms_hash & sm->sm_mask;

		if (((i - home) & sm->sm_mask) >= ((i - hole) & sm->sm_mask)) {
			sm->sm_slots[hole] = sm->sm_slots[i];
			sm->sm_slots[i].sms_key = NULL;
			hole = i;
		}
	}
	sm->sm_count--;
	return value;
}

bool
strmap_next(const struct strmap *sm, size_t *pos, const char **key,
    void **value)
{
	if (sm->sm_slots == NULL)
		return false;
	for (; *pos <= sm->sm_mask; (*pos)++) {
		const struct strmap_slot *s = &sm->sm_slots[*pos];

		if (s->sms_key != NULL) {
			*key = s->sms_key;
			*value = s->sms_value;
			(*pos)++;
			return true;
		}
	}
	return false;
}

void
strmap_free_with(struct strmap *sm, void (*free_value)(void *))
{
	if (sm->sm_slots != NULL)
		for (size_t i = 0; i <= sm->sm_mask; i++)
			if (sm->sm_slots[i].sms_key != NULL)
				free_value(sm->sm_slots[i].sms_value);
	strmap_free(sm);
}

void
strmap_free(struct strmap *sm)
{
	bool borrowed = sm->sm_borrowed;

	if (sm->sm_slots != NULL && !borrowed)
		for (size_t i = 0; i <= sm->sm_mask; i++)
			free(sm->sm_slots[i].sms_key);
	free(sm->sm_slots);
	memset(sm, 0, sizeof(*sm));
	sm->sm_borrowed = borrowed;
}
