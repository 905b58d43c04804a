/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "limit.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../config/xalloc.h"

/* Buckets are fixed: the number of distinct addresses is not. */
#define ADDR_BUCKETS	4096

struct addr_entry {
	struct addr_entry	*ae_next;
	unsigned char		 ae_addr[16];	/* IPv4 as v4-mapped IPv6 */
	unsigned		 ae_count;
};

struct limit_table {
	pthread_mutex_t		 at_lock;
	unsigned		 at_limit;
	struct addr_entry	*at_buckets[ADDR_BUCKETS];
};

struct limit_table *
limit_table_new(unsigned limit)
{
	struct limit_table *t = xcalloc(1, sizeof(*t));

	pthread_mutex_init(&t->at_lock, NULL);
	t->at_limit = limit;
	return t;
}

void
limit_table_free(struct limit_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < ADDR_BUCKETS; i++) {
		struct addr_entry *e = t->at_buckets[i], *next;

		for (; e != NULL; e = next) {
			next = e->ae_next;
			free(e);
		}
	}
	pthread_mutex_destroy(&t->at_lock);
	free(t);
}

static void
limit_key(const struct sockaddr *sa, unsigned char key[16])
{
	if (sa->sa_family == AF_INET6) {
		memcpy(key, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
		return;
	}
	memset(key, 0, 10);
	key[10] = key[11] = 0xff;
	memcpy(key + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
}

static size_t
limit_bucket(const unsigned char key[16])
{
	uint32_t h = 2166136261u;

	for (int i = 0; i < 16; i++)
		h = (h ^ key[i]) * 16777619u;
	return h % ADDR_BUCKETS;
}

bool
limit_acquire(struct limit_table *t, const struct sockaddr *sa)
{
	unsigned char		 key[16];
	struct addr_entry	*e;
	size_t			 b;
	bool			 ok = true;

	limit_key(sa, key);
	b = limit_bucket(key);
	pthread_mutex_lock(&t->at_lock);
	for (e = t->at_buckets[b]; e != NULL; e = e->ae_next)
		if (memcmp(e->ae_addr, key, 16) == 0)
			break;
	if (e == NULL) {
		e = xcalloc(1, sizeof(*e));
		memcpy(e->ae_addr, key, 16);
		e->ae_next = t->at_buckets[b];
		t->at_buckets[b] = e;
	}
	if (e->ae_count >= t->at_limit)
		ok = false;
	else
		e->ae_count++;
	pthread_mutex_unlock(&t->at_lock);
	return ok;
}

void
limit_release(struct limit_table *t, const struct sockaddr *sa)
{
	unsigned char		  key[16];
	struct addr_entry	**pp, *e;

	limit_key(sa, key);
	pthread_mutex_lock(&t->at_lock);
	for (pp = &t->at_buckets[limit_bucket(key)]; (e = *pp) != NULL;
	    pp = &e->ae_next) {
		if (memcmp(e->ae_addr, key, 16) != 0)
			continue;
		if (--e->ae_count == 0) {
			*pp = e->ae_next;
			free(e);
		}
		break;
	}
	pthread_mutex_unlock(&t->at_lock);
}
