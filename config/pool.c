/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

/* Fewer pieces than this are done on the calling thread alone: a reload
 * of a few files does not start threads. */
#define POOL_MIN_PIECES	256
/* Pieces are handed out in runs of this many: one atomic step per run. */
#define POOL_RUN	16
#define POOL_THREADS_MAX 16

struct pool {
	void		(*p_fn)(void *, size_t);
	void		 *p_arg;
	size_t		  p_count;
	atomic_size_t	  p_next;
};

static void *
pool_work(void *arg)
{
	struct pool	*p = arg;
	size_t		 i, end;

	while ((i = atomic_fetch_add(&p->p_next, POOL_RUN)) < p->p_count) {
		end = i + POOL_RUN < p->p_count ? i + POOL_RUN : p->p_count;
		for (; i < end; i++)
			p->p_fn(p->p_arg, i);
	}
	return NULL;
}

static size_t
pool_threads(size_t n)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < POOL_MIN_PIECES || cpus < 2)
		return 1;
	return cpus > POOL_THREADS_MAX ? POOL_THREADS_MAX : (size_t)cpus;
}

void
pool_run(size_t n, void (*fn)(void *arg, size_t i), void *arg)
{
	struct pool	p = { .p_fn = fn, .p_arg = arg, .p_count = n };
	pthread_t	threads[POOL_THREADS_MAX];
	size_t		want = pool_threads(n), started = 0;

	atomic_init(&p.p_next, 0);
	/* A thread that cannot start leaves its share to the others. */
	while (started + 1 < want &&
	    pthread_create(&threads[started], NULL, pool_work, &p) == 0)
		started++;
	pool_work(&p);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
}
