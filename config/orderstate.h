/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state of certificate orders (`mta-sts-hostd certs`): one file that
 * every pass shares, replicas on shared storage included. Per name, the
 * last attempt, its result, when the next may be made and how many failed
 * in a row, and the claim of a pass ordering it now; the times of the
 * account's recent orders (the order budget); the counts of the last pass,
 * which the daemon's metrics read.
 *
 * A pass changes it only under a lock (an open file description lock on
 * "<file>.lock", which NFS carries too): lock, read, change, save, unlock,
 * in short steps, so that passes interleave but never claim one name
 * twice. It is written whole beside the old one and renamed into place;
 * a lock that finds the file this process read or wrote last (opened
 * again: the same inode, held open, and the same stamp) does not read it
 * again. It holds
 * what is not in the certificates: names in flight, failing or waiting
 * for DNS; a name's entry for an order that succeeded is dropped once a
 * later pass looked at the certificates (orderstate_forget_issued).
 *
 * The file is text, a line each:
 *
 *	mta-sts-hostd certificate orders 1
 *	counts TIME pending=N ordering=N waiting-dns=N failing=N
 *	order TIME
 *	name NAME RESULT LAST NEXT FAILURES CLAIM-UNTIL CLAIM-BY MESSAGE
 *
 * times in Unix seconds, "-" for no claim owner or message, the message
 * %-escaped (control characters, "%").
 */
#ifndef MTA_STS_ORDERSTATE_H
#define MTA_STS_ORDERSTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "stamp.h"
#include "strmap.h"

enum order_result {
	ORDER_NONE,		/* never tried */
	ORDER_ISSUED,		/* the last order installed a certificate */
	ORDER_FAILED,		/* the client failed: oe_message says why */
	ORDER_WAITING_DNS,	/* the name does not point here yet */
	ORDER_ORDERING,		/* claimed by a pass until oe_claim_until */
};

struct order_entry {
	char			*oe_name;	/* mta-sts.<domain> */
	enum order_result	 oe_result;
	time_t			 oe_last;	/* the last attempt, or 0 */
	time_t			 oe_next;	/* no attempt before, or 0 */
	unsigned		 oe_failures;	/* in a row, of oe_result */
	time_t			 oe_claim_until;
	char			*oe_claim_by;	/* "host:pid", or NULL */
	char			*oe_message;	/* or NULL */
};

/* What the last pass counted, over every configured name. */
struct order_counts {
	time_t	oc_time;	/* 0: no pass has counted yet */
	size_t	oc_pending;	/* due, to be ordered */
	size_t	oc_ordering;
	size_t	oc_waiting_dns;
	size_t	oc_failing;
};

struct orderstate {
	char			*os_path;
	int			 os_lockfd;	/* -1: not locked */
	struct order_entry	**os_entries;
	size_t			 os_count;
	struct strmap		 os_index;	/* name -> entry, borrowed */
	time_t			*os_orders;	/* recent orders, oldest first */
	size_t			 os_norders;
	struct order_counts	 os_counts;
	/* The file as last read or written, held open, and its stamp: a
	 * lock that finds it unchanged does not read it again. */
	int			 os_heldfd;
	struct stamp		 os_held;
};

const char	*order_result_name(enum order_result);

/* An empty state for the file at `path` (read by orderstate_read or
 * orderstate_lock). */
void		 orderstate_init(struct orderstate *, const char *path);
/*
 * Take the lock (waiting for another pass's) and read the file as it is
 * now; a file that does not exist yet is an empty state. -1 with *why
 * (to free) if it cannot be locked or read, or a line is broken (the file
 * and line named): the caller must not order what it cannot count.
 */
int		 orderstate_lock(struct orderstate *, char **why);
/* Write the state and release the lock; -1 with *why if the file could
 * not be written (the lock is released all the same). */
int		 orderstate_save_unlock(struct orderstate *, char **why);
/* The lock released without saving: change nothing that is not to be
 * saved, since the next lock keeps the state as it is while the file is
 * unchanged. */
void		 orderstate_unlock(struct orderstate *);
/* Read without the lock, for a report. */
int		 orderstate_read(struct orderstate *, char **why);
/* The entry of `name`, made (ORDER_NONE) if `create`; else NULL. */
struct order_entry *orderstate_get(struct orderstate *, const char *name,
		    bool create);
/* The orders that count at `now`: those stamped at now - window or later
 * (whole seconds, so never fewer than `window` seconds apart; a claim's
 * stamp is the end of the claim, ahead of now). Older ones are forgotten. */
size_t		 orderstate_orders_since(struct orderstate *, time_t now,
		    unsigned window);
void		 orderstate_add_order(struct orderstate *, time_t);
/* The entries of names whose last order succeeded before `t` dropped. */
void		 orderstate_forget_issued(struct orderstate *, time_t t);
/* One order made at `t` taken back (it was not made, or moves). */
void		 orderstate_remove_order(struct orderstate *, time_t t);
void		 orderstate_free(struct orderstate *);

/* The counts line alone, for the metrics: 0, or -1 (errno) if there is no
 * file or it has no counts. Reads the first lines only. */
int		 orderstate_read_counts(const char *path, struct order_counts *);

#endif
