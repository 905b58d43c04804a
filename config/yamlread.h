/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Typed readers over the YAML tree (yamltree.h) for the configuration
 * loader: one value, a whole number in a range, true or false, a host name,
 * a list, and the walk over a mapping that refuses duplicate and unknown
 * keys. Every reader is told what the value is ("max_age") so its message
 * names it, and reports at the node's position for the current domain or
 * template. Errors follow the convention in config_internal.h.
 */
#ifndef MTA_STS_YAMLREAD_H
#define MTA_STS_YAMLREAD_H

#include <stdbool.h>
#include <stddef.h>

#include "config_internal.h"
#include "diag.h"
#include "yamltree.h"

/* One key of a YAML mapping and the function that reads its value. */
struct yread_key {
	const char	*yk_name;
	void		(*yk_read)(struct loader *, struct ynode *, void *);
};

void		 yread_error(struct loader *, const struct ynode *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
void		 yread_warn(struct loader *, const struct srcpos *,
		    const char *, ...) __attribute__((format(printf, 3, 4)));
/* Errors so far: compared before and after to tell whether a part failed. */
size_t		 yread_errors(const struct loader *);

const char	*yread_scalar(struct loader *, const struct ynode *,
		    const char *what);
int		 yread_uint(struct loader *, const struct ynode *,
		    const char *what, unsigned long min, unsigned long max,
		    unsigned long *);
int		 yread_duration(struct loader *, const struct ynode *,
		    const char *what, unsigned long min, unsigned long max,
		    unsigned long *);
int		 yread_bool(struct loader *, const struct ynode *,
		    const char *what, bool *);
/* Canonical form from name_normalize(); `flags` are enum name_flags. */
char		*yread_name(struct loader *, const struct ynode *,
		    const char *what, int flags);
/*
 * A list, or one value standing for a list of one; its items are
 * yread_list_item(n, *items, i) for i below *count.
 */
int		 yread_list(struct loader *, struct ynode *, const char *what,
		    struct ynode ***items, size_t *count);
struct ynode	*yread_list_item(struct ynode *list, struct ynode **items,
		    size_t i);
/*
 * Each key of `map` read by its entry in `keys` (ended by a NULL name),
 * given `obj`. `section` names the mapping in messages. A null value is an
 * empty mapping.
 */
void		 yread_walk(struct loader *, struct ynode *map,
		    const char *section, const struct yread_key *keys,
		    void *obj);

#endif
