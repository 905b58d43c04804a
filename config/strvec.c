/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "strvec.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void
strvec_push(struct strvec *sv, char *s)
{
	sv->sv_items = xgrow(sv->sv_items, sv->sv_count,
	    sizeof(*sv->sv_items));
	sv->sv_items[sv->sv_count++] = s;
}

bool
strvec_contains(const struct strvec *sv, const char *s)
{
	for (size_t i = 0; i < sv->sv_count; i++)
		if (strcmp(sv->sv_items[i], s) == 0)
			return true;
	return false;
}

bool
strvec_equal(const struct strvec *a, const struct strvec *b)
{
	if (a->sv_count != b->sv_count)
		return false;
	for (size_t i = 0; i < a->sv_count; i++)
		if (strcmp(a->sv_items[i], b->sv_items[i]) != 0)
			return false;
	return true;
}

void
strvec_copy(struct strvec *dst, const struct strvec *src)
{
	for (size_t i = 0; i < src->sv_count; i++)
		strvec_push(dst, xstrdup(src->sv_items[i]));
}

void
strvec_free(struct strvec *sv)
{
	for (size_t i = 0; i < sv->sv_count; i++)
		free(sv->sv_items[i]);
	free(sv->sv_items);
	sv->sv_items = NULL;
	sv->sv_count = 0;
}
