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

		rng ^= rng << 13;
		rng ^= rng >> 7;
		rng ^= rng << 17;
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
