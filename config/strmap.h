/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A hash map from strings (paths, names) to pointers: what a reload looks
 * up once per file or name, at a million of them, in constant time.
 * Open addressing with linear probing, at most half full, and deletion by
 * backward shift, so that no tombstone ever slows a lookup down.
 */
#ifndef MTA_STS_STRMAP_H
#define MTA_STS_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	char		*sms_key;	/* NULL: empty */
	void		*sms_value;
	uint64_t	 sms_hash;
};

struct strmap {
	struct strmap_slot	*sm_slots;
	size_t			 sm_mask;	/* slots - 1 */
	size_t			 sm_count;
	/*
	 * Set before the first put: the keys are not copied but borrowed
	 * from the values (a certificate's path, a file's), which must keep
	 * them unchanged for as long as they are in the map. A put that
	 * replaces a value takes the key it is given, the new value's.
	 * At a million entries, that is a million strings not kept twice.
	 */
	bool			 sm_borrowed;
};

uint64_t	 strmap_hash(const char *, size_t);
void		*strmap_get(const struct strmap *, const char *key);
/* Sets key to value (the key is copied, or borrowed: sm_borrowed);
 * returns the value it replaces. */
void		*strmap_put(struct strmap *, const char *key, void *value);
/* Room for `n` entries, so that putting them never grows the map. */
void		 strmap_reserve(struct strmap *, size_t n);
/* Removes key; returns its value, or NULL. */
void		*strmap_del(struct strmap *, const char *key);
/*
 * Each entry in turn: start with *pos = 0; false at the end. The map must
 * not change during the walk.
 */
bool		 strmap_next(const struct strmap *, size_t *pos,
		    const char **key, void **value);
/* The map's own memory; the values are the caller's. */
void		 strmap_free(struct strmap *);
/* The map, and each value through `free_value`. */
void		 strmap_free_with(struct strmap *, void (*free_value)(void *));

#endif
