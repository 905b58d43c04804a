/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The pool that loads spread over the processors (config/pool.c): every
 * piece is done exactly once, whether there are few (done on the calling
 * thread) or many, and the calling thread waits for all of them.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "../../config/pool.h"
#include "unit.h"

struct pieces {
	atomic_uint	*p_done;
	pthread_t	 p_caller;
	atomic_size_t	 p_elsewhere;	/* pieces done off the caller */
};

static void
piece(void *arg, size_t i)
{
	struct pieces *p = arg;

	atomic_fetch_add(&p->p_done[i], 1);
	if (!pthread_equal(pthread_self(), p->p_caller))
		atomic_fetch_add(&p->p_elsewhere, 1);
}

static void
run(size_t n, bool may_spread)
{
	struct pieces	p = { .p_caller = pthread_self() };

	p.p_done = calloc(n + 1, sizeof(*p.p_done));
	atomic_init(&p.p_elsewhere, 0);
	pool_run(n, piece, &p);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(atomic_load(&p.p_done[i]), 1,
		    "%zu pieces: piece %zu done %u times", n, i,
		    atomic_load(&p.p_done[i]));
	cr_assert_eq(atomic_load(&p.p_done[n]), 0, "a piece past the end");
	if (!may_spread)
		cr_assert_eq(atomic_load(&p.p_elsewhere), 0,
		    "%zu pieces started threads", n);
	free(p.p_done);
}

TEST_NO_LEAK(pool, every_piece_once)
{
	run(0, false);
	run(1, false);
	run(17, false);		/* a reload of a few files: no thread */
	run(255, false);
	run(256, true);
	run(257, true);
	run(100003, true);	/* not a multiple of the runs handed out */
}
