/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The paged table of hosts that snapshots share (server/hosttab.c): a
 * clone changed by many random puts and deletes agrees with a plain array
 * at every step, while the table it was cloned from still holds exactly
 * what it held; pages are copied only where written; every host is freed
 * with its last reference (the leak check of TEST_NO_LEAK under ASan).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../../server/hosttab.h"
#include "../../server/snapshot.h"
#include "unit.h"

#define NAMES	3000
#define STEPS	20000

static const struct host *
get(const struct hosttab *ht, size_t i)
{
	char name[64];

	snprintf(name, sizeof(name), "mta-sts.c%zu.example", i);
	return hosttab_get(ht, name, strlen(name));
}

static void
expect_same(const struct hosttab *ht, struct host *const *ref, size_t count,
    const char *what)
{
	size_t			 seen = 0, pos = 0;
	const struct host	*h;

	for (size_t i = 0; i < NAMES; i++)
		cr_assert_eq(get(ht, i), ref[i], "%s: name %zu", what, i);
	while ((h = hosttab_next(ht, &pos)) != NULL)
		seen++;
	cr_assert_eq(seen, count, "%s: the walk", what);
	cr_assert_eq(ht->ht_count, count, "%s: the count", what);
}

TEST_NO_LEAK(hosttab, clones_change_apart_and_agree_with_an_array)
{
	struct hosttab	 base, clone;
	struct host	*ref_base[NAMES] = { 0 }, *ref[NAMES] = { 0 };
	size_t		 count = 0, base_count, shared = 0;
	uint64_t	 rng = 0x2545f4914f6cdd1dULL;
	char		 domain[64];

	hosttab_init(&base, 0);
	/* A thousand names in the table in service. */
	for (size_t i = 0; i < 1000; i++) {
		snprintf(domain, sizeof(domain), "c%zu.example", i);
		ref_base[i] = host_new(domain, NULL, NULL);
		hosttab_put(&base, host_ref(ref_base[i]));
	}
	base_count = 1000;
	memcpy(ref, ref_base, sizeof(ref));
	count = base_count;
	hosttab_clone(&clone, &base);
	for (int step = 0; step < STEPS; step++) {
		size_t i;

		(void)unit_xorshift(&rng);
		i = (size_t)(rng % NAMES);
		snprintf(domain, sizeof(domain), "c%zu.example", i);
		if ((rng >> 40) % 3 != 0) {
			struct host *h = host_new(domain, NULL, NULL);

			hosttab_put(&clone, h);
			count += ref[i] == NULL;
			ref[i] = h;
		} else {
			char name[96];

			snprintf(name, sizeof(name), "mta-sts.%s", domain);
			cr_assert_eq(hosttab_del(&clone, name, strlen(name)),
			    ref[i] != NULL, "step %d: del %s", step, name);
			count -= ref[i] != NULL;
			ref[i] = NULL;
		}
		if (step % 2000 == 0) {
			expect_same(&clone, ref, count, "the clone");
			expect_same(&base, ref_base, base_count, "the base");
		}
	}
	expect_same(&clone, ref, count, "the clone at the end");
	expect_same(&base, ref_base, base_count, "the base at the end");
	hosttab_free(&clone);
	for (size_t i = 0; i < 1000; i++)
		host_unref(ref_base[i]);
	/* One put copies one page; the others stay shared. */
	hosttab_clone(&clone, &base);
	snprintf(domain, sizeof(domain), "c%d.example", 1);
	hosttab_put(&clone, host_new(domain, NULL, NULL));
	for (size_t p = 0; p < clone.ht_npages; p++)
		shared += clone.ht_pages[p] == base.ht_pages[p];
	cr_assert_eq(shared, clone.ht_npages - 1, "%zu of %zu pages shared",
	    shared, clone.ht_npages);
	hosttab_free(&clone);
	hosttab_free(&base);
}
