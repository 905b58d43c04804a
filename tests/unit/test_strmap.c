/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The string map (config/strmap.c) that reloads look files and names up
 * in: every operation checked against a plain array over many random
 * steps, so that deletion's backward shift is exercised through long
 * probe runs and table growth.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../config/strmap.h"
#include "unit.h"

#define KEYS	700
#define STEPS	20000

TEST_NO_LEAK(strmap, agrees_with_a_plain_array)
{
	struct strmap	 sm = { 0 };
	void		*ref[KEYS] = { 0 };
	size_t		 count = 0;
	uint64_t	 rng = 0x9e3779b97f4a7c15ULL;
	char		 key[32];

	for (int step = 0; step < STEPS; step++) {
		size_t	 k;
		void	*want, *got;

		(void)unit_xorshift(&rng);
		k = (size_t)(rng % KEYS);
		snprintf(key, sizeof(key), "mta-sts.c%zu.example", k);
		want = (void *)(uintptr_t)(step + 1);
		if ((rng >> 32) % 3 != 0) {
			got = strmap_put(&sm, key, want);
			cr_assert_eq(got, ref[k], "step %d: put %s", step, key);
			count += ref[k] == NULL;
			ref[k] = want;
		} else {
			got = strmap_del(&sm, key);
			cr_assert_eq(got, ref[k], "step %d: del %s", step, key);
			count -= ref[k] != NULL;
			ref[k] = NULL;
		}
		cr_assert_eq(sm.sm_count, count, "step %d", step);
		if (step % 1000 == 0 || step == STEPS - 1) {
			size_t		 seen = 0, pos = 0;
			const char	*name;
			void		*value;

			for (size_t i = 0; i < KEYS; i++) {
				snprintf(key, sizeof(key),
				    "mta-sts.c%zu.example", i);
				cr_assert_eq(strmap_get(&sm, key), ref[i],
				    "step %d: get %s", step, key);
			}
			while (strmap_next(&sm, &pos, &name, &value)) {
				size_t i = strtoul(name + 9, NULL, 10);

				cr_assert_eq(value, ref[i], "step %d: %s",
				    step, name);
				seen++;
			}
			cr_assert_eq(seen, count, "step %d: the walk", step);
		}
	}
	strmap_free(&sm);
	cr_assert_null(strmap_get(&sm, "anything"));
}

/*
 * A map that borrows its keys from its values: each value holds its key,
 * a put that replaces a value takes the new value's key (the old value is
 * freed at once, so a key left pointing into it is read after free under
 * AddressSanitizer), and the map frees none of them.
 */
struct owned {
	char	ow_key[32];
};

TEST_NO_LEAK(strmap, borrows_keys_from_values)
{
	struct strmap	 sm = { .sm_borrowed = true };
	struct owned	*ref[KEYS] = { 0 };
	uint64_t	 rng = 0x2545f4914f6cdd1dULL;
	char		 key[32];

	for (int step = 0; step < STEPS; step++) {
		struct owned	*ow;
		size_t		 k;

		(void)unit_xorshift(&rng);
		k = (size_t)(rng % KEYS);
		snprintf(key, sizeof(key), "mta-sts.c%zu.example", k);
		if ((rng >> 32) % 3 != 0) {
			ow = malloc(sizeof(*ow));
			memcpy(ow->ow_key, key, sizeof(key));
			cr_assert_eq(strmap_put(&sm, ow->ow_key, ow), ref[k],
			    "step %d: put %s", step, key);
			free(ref[k]);
			ref[k] = ow;
		} else {
			cr_assert_eq(strmap_del(&sm, key), ref[k],
			    "step %d: del %s", step, key);
			free(ref[k]);
			ref[k] = NULL;
		}
		if (step % 1000 == 0 || step == STEPS - 1) {
			for (size_t i = 0; i < KEYS; i++) {
				snprintf(key, sizeof(key),
				    "mta-sts.c%zu.example", i);
				cr_assert_eq(strmap_get(&sm, key), ref[i],
				    "step %d: get %s", step, key);
			}
		}
	}
	strmap_free_with(&sm, free);
	cr_assert(sm.sm_borrowed, "a freed map still borrows");
}
