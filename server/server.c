/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the threads of the daemon hand each other through struct server:
 * the snapshot in service and the session ticket keys (see server.h).
 */
#include "server.h"

#include <time.h>

#include "snapshot.h"

/*
 * The lock guards the pointer and the reference taken with it: without
 * it, a reload could free the snapshot between the load and the ref. It
 * is taken when a worker is woken, by the side listeners' requests, by a
 * reload and a key rotation, never per request or handshake.
 */
struct snapshot *
server_snapshot(struct server *srv)
{
	struct snapshot *snap;

	pthread_mutex_lock(&srv->srv_lock);
	snap = snapshot_ref(srv->srv_snap);
	pthread_mutex_unlock(&srv->srv_lock);
	return snap;
}

struct snapshot *
server_publish(struct server *srv, struct snapshot *snap)
{
	struct snapshot *old;

	pthread_mutex_lock(&srv->srv_lock);
	old = srv->srv_snap;
	srv->srv_snap = snap;
	pthread_mutex_unlock(&srv->srv_lock);
	return old;
}

void
server_tickets(struct server *srv, struct ticket_keys *keys)
{
	pthread_mutex_lock(&srv->srv_lock);
	*keys = srv->srv_tickets;
	pthread_mutex_unlock(&srv->srv_lock);
}

int
server_load_tickets(struct server *srv, const char *path, char *err,
    size_t errlen)
{
	struct ticket_keys	keys = { 0 };
	int			rc;

	/* Read outside the lock: the workers copy the keys under it. */
	if ((rc = ticket_keys_load(&keys, path, err, errlen)) == 0) {
		pthread_mutex_lock(&srv->srv_lock);
		ticket_keys_wipe(&srv->srv_tickets);
		srv->srv_tickets = keys;
		pthread_mutex_unlock(&srv->srv_lock);
	}
	ticket_keys_wipe(&keys);
	return rc;
}

int
server_rotate_tickets(struct server *srv, time_t now)
{
	int rc;

	pthread_mutex_lock(&srv->srv_lock);
	rc = ticket_keys_rotate(&srv->srv_tickets, now);
	pthread_mutex_unlock(&srv->srv_lock);
	return rc;
}
