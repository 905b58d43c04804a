/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The typed readers of the configuration loader (yamlread.h): every value
 * in the YAML files goes through one of these, so a value of the wrong kind
 * gets the same message wherever it stands, with its position.
 */
#include "yamlread.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "name.h"

void
yread_error(struct loader *ld, const struct ynode *n, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	diag_vadd(&ld->ld_cfg->cfg_diags, DIAG_ERROR, &n->yn_pos, ld->ld_subject,
	    fmt, ap);
	va_end(ap);
}

void
yread_warn(struct loader *ld, const struct srcpos *pos, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	diag_vadd(&ld->ld_cfg->cfg_diags, DIAG_WARNING, pos, ld->ld_subject,
	    fmt, ap);
	va_end(ap);
}

size_t
yread_errors(const struct loader *ld)
{
	return ld->ld_cfg->cfg_diags.dl_errors;
}

/* ---- Scalars ---------------------------------------------------------- */

const char *
yread_scalar(struct loader *ld, const struct ynode *n, const char *what)
{
	if (n->yn_kind != YNODE_SCALAR || ytree_is_null(n)) {
		yread_error(ld, n, "%s must be a single value, not %s", what,
		    ytree_kind_name(n));
		return NULL;
	}
	return n->yn_value;
}

int
yread_uint(struct loader *ld, const struct ynode *n, const char *what,
    unsigned long min, unsigned long max, unsigned long *out)
{
	const char	*s = yread_scalar(ld, n, what);
	unsigned long	 v;
	char		*end;

	if (s == NULL)
		return -1;
	/* strtoul() would take "-1", " 1" and "+1". */
	if (s[0] < '0' || s[0] > '9') {
		yread_error(ld, n, "%s must be a whole number, not '%s'", what,
		    s);
		return -1;
	}
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0') {
		yread_error(ld, n, "%s must be a whole number, not '%s'", what,
		    s);
		return -1;
	}
	if (errno == ERANGE || v < min || v > max) {
		yread_error(ld, n, "%s is %s; it must be from %lu to %lu", what,
		    s, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

/*
 * A duration: whole seconds, or a whole number of s, m, h or d ("90",
 * "15m", "3h", "30d"), from min to max seconds.
 */
int
yread_duration(struct loader *ld, const struct ynode *n, const char *what,
    unsigned long min, unsigned long max, unsigned long *out)
{
	static const struct {
		char		unit;
		unsigned long	seconds;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	const char	*s = yread_scalar(ld, n, what);
	unsigned long	 v, mult = 1;
	char		*end;

	if (s == NULL)
		return -1;
	errno = 0;
	v = s[0] >= '0' && s[0] <= '9' ? strtoul(s, &end, 10) : 0;
	if (s[0] < '0' || s[0] > '9')
		end = (char *)s;
	else if (*end != '\0' && end[1] == '\0')
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (*end == units[i].unit) {
				mult = units[i].seconds;
				end++;
				break;
			}
	if (end == s || *end != '\0') {
		yread_error(ld, n, "%s must be a duration (seconds, or a whole "
		    "number of s, m, h or d: 90, 15m, 3h, 30d), not '%s'",
		    what, s);
		return -1;
	}
	if (errno == ERANGE || v > max / mult || v * mult < min ||
	    v * mult > max) {
		yread_error(ld, n, "%s is %s; it must be from %lus to %lus",
		    what, s, min, max);
		return -1;
	}
	*out = v * mult;
	return 0;
}

int
yread_bool(struct loader *ld, const struct ynode *n, const char *what,
    bool *out)
{
	const char *s = yread_scalar(ld, n, what);

	if (s == NULL)
		return -1;
	if (strcmp(s, "true") == 0)
		*out = true;
	else if (strcmp(s, "false") == 0)
		*out = false;
	else {
		yread_error(ld, n, "%s must be true or false, not '%s'", what,
		    s);
		return -1;
	}
	return 0;
}

char *
yread_name(struct loader *ld, const struct ynode *n, const char *what,
    int flags)
{
	const char	*s = yread_scalar(ld, n, what);
	char		*canon, *why;

	if (s == NULL)
		return NULL;
	canon = name_normalize(s, flags, &why);
	if (canon == NULL) {
		yread_error(ld, n, "%s: %s", what, why);
		free(why);
	}
	return canon;
}

int
yread_list(struct loader *ld, struct ynode *n, const char *what,
    struct ynode ***items, size_t *count)
{
	if (n->yn_kind == YNODE_SEQUENCE) {
		*items = n->yn_items;
		*count = n->yn_count;
		return 0;
	}
	if (n->yn_kind == YNODE_SCALAR && !ytree_is_null(n)) {
		/* No items array: yread_list_item() returns the node itself. */
		*items = NULL;
		*count = 1;
		return 0;
	}
	yread_error(ld, n, "%s must be a list, not %s", what,
	    ytree_kind_name(n));
	return -1;
}

struct ynode *
yread_list_item(struct ynode *list, struct ynode **items, size_t i)
{
	return items == NULL ? list : items[i];
}

/* ---- Mappings --------------------------------------------------------- */

/*
 * YAML wants unique keys but libyaml does not check: a repeated key would
 * be read twice and the last one would win unnoticed.
 */
static int
yread_key_unique(struct loader *ld, const struct ynode *map, size_t i,
    const char *section)
{
	const struct ynode *k = ytree_map_key(map, i);

	for (size_t j = 0; j < i; j++) {
		const struct ynode *prev = ytree_map_key(map, j);

		if (prev->yn_kind == YNODE_SCALAR &&
		    strcmp(prev->yn_value, k->yn_value) == 0) {
			yread_error(ld, k, "duplicate key '%s' in %s "
			    "(first at line %u)", k->yn_value, section,
			    prev->yn_pos.sp_line);
			return -1;
		}
	}
	return 0;
}

/* A misspelt key is an error, not ignored: it names the keys expected. */
static void
yread_key_unknown(struct loader *ld, const struct ynode *k,
    const char *section, const struct yread_key *keys)
{
	char			 expected[512] = "";
	size_t			 off = 0;
	const struct yread_key	*yk;

	for (yk = keys; yk->yk_name != NULL && off < sizeof(expected); yk++)
		off += (size_t)snprintf(expected + off, sizeof(expected) - off,
		    "%s%s", yk == keys ? "" : ", ", yk->yk_name);
	yread_error(ld, k, "unknown key '%s' in %s; expected one of: %s",
	    k->yn_value, section, expected);
}

void
yread_walk(struct loader *ld, struct ynode *map, const char *section,
    const struct yread_key *keys, void *obj)
{
	if (ytree_is_null(map))
		return;
	if (map->yn_kind != YNODE_MAPPING) {
		yread_error(ld, map, "%s must be a mapping of keys to values, "
		    "not %s", section, ytree_kind_name(map));
		return;
	}
	for (size_t i = 0; i < ytree_map_size(map); i++) {
		struct ynode		*k = ytree_map_key(map, i);
		const struct yread_key	*yk;

		if (k->yn_kind != YNODE_SCALAR) {
			yread_error(ld, k, "a key in %s must be a plain name",
			    section);
			continue;
		}
		if (yread_key_unique(ld, map, i, section) == -1)
			continue;
		for (yk = keys; yk->yk_name != NULL; yk++)
			if (strcmp(yk->yk_name, k->yn_value) == 0)
				break;
		if (yk->yk_name == NULL) {
			yread_key_unknown(ld, k, section, keys);
			continue;
		}
		yk->yk_read(ld, ytree_map_value(map, i), obj);
	}
}
