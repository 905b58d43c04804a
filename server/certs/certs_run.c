/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * One pass of `certs run`. The names due (certs_plan.c) that are not
 * backing off from a failure and not claimed by another pass are taken
 * new customers first, then by renewal time, a few at a time:
 *
 *	1. their mta-sts.<domain> is checked to point at this deployment
 *	   (the doctor's policy-host check): a name that does not is not
 *	   ordered (the validation would fail and count against the CA's
 *	   limits) but waits for DNS, checked again after a back-off; and
 *	   the daemon's ACME listener must answer for it (certs_probe.c),
 *	   else it is not ordered and backs off as a failure would;
 *	2. under the state file's lock, the others are claimed while the
 *	   order budget (acme order_limit: N orders per sliding window) has
 *	   room, each claim spending one order of it;
 *	3. the client orders each, one at a time; an order is a success only
 *	   if the install directory then holds a new certificate for it;
 *	4. under the lock again, the results: a failure backs the name off
 *	   (acme retry: from min, doubling, up to max).
 *
 * One failing name never holds the others up; no chunk is started after
 * acme pass_time, and each client run is bounded by acme order_timeout.
 * At the end the pass counts what is pending, waiting and failing into the
 * state file, for `certs status` and the daemon's metrics.
 */
#include "certs_internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../config/xalloc.h"
#include "../doctor/doctor.h"

/* Names taken at a time: the pass looks at its clock between chunks. */
#define CERTS_CHUNK		8
/* A claim outlives the client runs of its chunk by this much. */
#define CERTS_CLAIM_SLACK	60
/* A client run's longest: acme order_timeout and the time to stop it. */
#define CERTS_RUN_GRACE		10

/* A name of the chunk in hand. */
struct certs_item {
	struct certs_name	*it_name;
	enum doctor_status	 it_dns;
	char			*it_dns_message;
	int			 it_probe;	/* certs_probe_check() */
	char			*it_probe_message;
	bool			 it_claimed;
	time_t			 it_claimed_at;	/* the claim's end, its stamp */
	bool			 it_ordered;	/* the client ran for it */
	enum order_result	 it_prev;	/* before the claim */
	unsigned		 it_prev_failures;
	struct certs_order	 it_order;
};

struct certs_pass {
	const struct certs_options *ps_opt;
	const struct acme_settings *ps_acme;
	struct certs_plan	 ps_plan;
	struct orderstate	 ps_state;
	struct doctor_hostcheck	*ps_hosts;
	struct certs_probe	*ps_probe;
	char			*ps_owner;	/* "host:pid", for claims */
	time_t			 ps_start;
	size_t			 ps_ordered, ps_failed, ps_waiting;
	bool			 ps_budget_spent;
	bool			 ps_out_of_time;
	/* A fault of the pass, not of a name (no resolver, no listener, no
	 * client): said on stderr; the pass stops and blames no name. */
	bool			 ps_broken;
};

static time_t
certs_run_now(void)
{
	return time(NULL);
}

/* ---- Which names, in which order --------------------------------------- */

/*
 * Which names go first: a renewal that is getting late (less than half its
 * window left), then customers waiting for their first certificate, then
 * the other renewals, then names that failed or waited for DNS before
 * (customers who may never point here must not hold the fleet's renewals
 * up); in each, the earliest due first.
 */
static int
certs_run_tier(const struct certs_pass *ps, const struct certs_name *nm)
{
	const struct order_entry *e = orderstate_get(
	    (struct orderstate *)&ps->ps_state, nm->nm_host, false);

	if (e != NULL && (e->oe_result == ORDER_FAILED ||
	    e->oe_result == ORDER_WAITING_DNS))
		return 3;
	if (nm->nm_cert == NULL)
		return 1;
	return nm->nm_cert->crt_not_after - ps->ps_start <
	    (time_t)ps->ps_acme->acme_renew_before / 2 ? 0 : 2;
}

struct certs_ranked {
	struct certs_name	*rk_name;
	int			 rk_tier;
};

static int
certs_run_order_cmp(const void *a, const void *b)
{
	const struct certs_ranked *x = a, *y = b;

	if (x->rk_tier != y->rk_tier)
		return x->rk_tier < y->rk_tier ? -1 : 1;
	if (x->rk_name->nm_renew_at != y->rk_name->nm_renew_at)
		return x->rk_name->nm_renew_at < y->rk_name->nm_renew_at ?
		    -1 : 1;
	return strcmp(x->rk_name->nm_host, y->rk_name->nm_host);
}

/* Is the entry free to be taken: due, not backing off, not claimed? */
static bool
certs_run_takeable(const struct order_entry *e, time_t now)
{
	if (e == NULL)
		return true;
	if (e->oe_result == ORDER_ORDERING && e->oe_claim_until > now)
		return false;
	return e->oe_next <= now;
}

static struct certs_name **
certs_run_candidates(struct certs_pass *ps, size_t *countp)
{
	struct certs_ranked	 *rank;
	struct certs_name	**list;
	size_t			  n = 0;

	rank = xcalloc(ps->ps_plan.pl_count + 1, sizeof(*rank));
	for (size_t i = 0; i < ps->ps_plan.pl_count; i++) {
		struct certs_name *nm = &ps->ps_plan.pl_names[i];

		if (nm->nm_need == CERTS_NEED_NONE ||
		    !certs_run_takeable(orderstate_get(&ps->ps_state,
		    nm->nm_host, false), ps->ps_start))
			continue;
		rank[n].rk_name = nm;
		rank[n++].rk_tier = certs_run_tier(ps, nm);
	}
	qsort(rank, n, sizeof(*rank), certs_run_order_cmp);
	list = xcalloc(n + 1, sizeof(*list));
	for (size_t i = 0; i < n; i++)
		list[i] = rank[i].rk_name;
	free(rank);
	*countp = n;
	return list;
}

/* ---- DNS first --------------------------------------------------------- */

struct certs_dns_job {
	struct certs_pass	*dj_pass;
	struct certs_item	*dj_items;
	size_t			 dj_count;
	size_t			 dj_next;
	pthread_mutex_t		 dj_lock;
};

static void *
certs_run_dns_worker(void *arg)
{
	struct certs_dns_job *dj = arg;

	for (;;) {
		struct certs_item	*it;
		size_t			 i;

		pthread_mutex_lock(&dj->dj_lock);
		i = dj->dj_next++;
		pthread_mutex_unlock(&dj->dj_lock);
		if (i >= dj->dj_count)
			return NULL;
		it = &dj->dj_items[i];
		it->it_dns = doctor_hostcheck_run(dj->dj_pass->ps_hosts,
		    it->it_name->nm_dom->dom_name, &it->it_dns_message);
		if (it->it_dns == DOC_OK)
			it->it_probe = certs_probe_check(dj->dj_pass->ps_probe,
			    it->it_name->nm_host, &it->it_probe_message);
	}
}

static void
certs_run_dns(struct certs_pass *ps, struct certs_item *items, size_t n)
{
	struct certs_dns_job	dj = { .dj_pass = ps, .dj_items = items,
				    .dj_count = n };
	pthread_t		threads[CERTS_CHUNK];
	size_t			want = ps->ps_opt->opt_jobs, started = 0;

	if (want > n)
		want = n;
	if (want > CERTS_CHUNK)
		want = CERTS_CHUNK;
	pthread_mutex_init(&dj.dj_lock, NULL);
	while (started + 1 < want && pthread_create(&threads[started], NULL,
	    certs_run_dns_worker, &dj) == 0)
		started++;
	certs_run_dns_worker(&dj);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_destroy(&dj.dj_lock);
}

/* ---- Claims and results, under the lock -------------------------------- */

/* rc, with what went wrong said first. */
static int
certs_run_said(int rc, char *why)
{
	if (rc == -1)
		fprintf(stderr, "mta-sts-hostd certs: %s\n",
		    why != NULL ? why : "an unknown error");
	free(why);
	return rc;
}

static int
certs_run_lock(struct certs_pass *ps)
{
	char *why = NULL;

	return certs_run_said(orderstate_lock(&ps->ps_state, &why), why);
}

static int
certs_run_save(struct certs_pass *ps)
{
	char *why = NULL;

	return certs_run_said(orderstate_save_unlock(&ps->ps_state, &why),
	    why);
}

static void
certs_run_set_message(struct order_entry *e, char *message)
{
	free(e->oe_message);
	e->oe_message = message;
}

static void
certs_run_backoff(struct certs_pass *ps, struct order_entry *e,
    enum order_result result, time_t now)
{
	e->oe_failures = e->oe_result == result ? e->oe_failures + 1 : 1;
	e->oe_result = result;
	e->oe_last = now;
	e->oe_next = now + certs_plan_backoff(ps->ps_acme, e->oe_name,
	    e->oe_failures);
}

/*
 * Faults of the pass rather than of its names: the listener cannot be
 * reached, or every lookup of a chunk of several failed (the resolver).
 * Said, and the pass stops before it blames any name.
 */
static bool
certs_run_pass_fault(struct certs_pass *ps, struct certs_item *items,
    size_t n)
{
	size_t unknown = 0;

	for (size_t i = 0; i < n; i++) {
		if (items[i].it_dns == DOC_OK && items[i].it_probe == -1) {
			fprintf(stderr, "mta-sts-hostd certs: %s; no name is "
			    "ordered until it answers\n",
			    items[i].it_probe_message);
			return ps->ps_broken = true;
		}
		unknown += items[i].it_dns == DOC_UNKNOWN;
	}
	if (n < 2 || unknown < n)
		return false;
	fprintf(stderr, "mta-sts-hostd certs: every DNS lookup of %zu names "
	    "failed (%s): is the resolver working? The pass stops\n", n,
	    items[0].it_dns_message);
	return ps->ps_broken = true;
}

/*
 * The chunk's DNS and listener results recorded and its names claimed
 * while the budget lasts; names another pass took meanwhile are left to
 * it. The claims last until the chunk's client runs can all have ended.
 */
static int
certs_run_claim(struct certs_pass *ps, struct certs_item *items, size_t n)
{
	struct orderstate	*os = &ps->ps_state;
	const struct acme_settings *acme = ps->ps_acme;
	time_t			 now = certs_run_now();
	size_t			 claimed = 0;
	char			 when[64];

	if (certs_run_pass_fault(ps, items, n))
		return 0;
	if (certs_run_lock(ps) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct certs_item	*it = &items[i];
		const char		*host = it->it_name->nm_host;
		struct order_entry	*e = orderstate_get(os, host, false);

		/* Taken by another pass since the plan was made. */
		if (!certs_run_takeable(e, now) ||
		    (e != NULL && e->oe_last >= ps->ps_start))
			continue;
		e = orderstate_get(os, host, true);
		if (it->it_dns != DOC_OK) {
			certs_run_backoff(ps, e, ORDER_WAITING_DNS, now);
			certs_run_set_message(e, it->it_dns_message);
			it->it_dns_message = NULL;
			ps->ps_waiting++;
			certs_plan_time(e->oe_next, when, sizeof(when));
			printf("%s: waiting for DNS: %s; checked again after "
			    "%s\n", host, e->oe_message, when);
			continue;
		}
		if (it->it_probe != 1) {
			certs_run_backoff(ps, e, ORDER_FAILED, now);
			certs_run_set_message(e, it->it_probe_message);
			it->it_probe_message = NULL;
			ps->ps_failed++;
			certs_plan_time(e->oe_next, when, sizeof(when));
			printf("%s: %s; next attempt after %s\n", host,
			    e->oe_message, when);
			continue;
		}
		if (orderstate_orders_since(os, now, acme->acme_order_window) +
		    claimed >= acme->acme_order_limit) {
			ps->ps_budget_spent = true;
			continue;
		}
		it->it_claimed = true;
		it->it_prev = e->oe_result;
		it->it_prev_failures = e->oe_failures;
		e->oe_result = ORDER_ORDERING;
		e->oe_last = now;
		free(e->oe_claim_by);
		e->oe_claim_by = xstrdup(ps->ps_owner);
		claimed++;
	}
	/*
	 * Each claim spends an order of the budget, stamped at the end of the
	 * claim: whenever within it the client places the order, every pass
	 * counts it until a window after that (the result moves the stamp to
	 * when the run ended).
	 */
	for (size_t i = 0; i < n; i++) {
		struct certs_item *it = &items[i];

		if (!it->it_claimed)
			continue;
		it->it_claimed_at = now + (time_t)claimed *
		    (acme->acme_order_timeout + CERTS_RUN_GRACE) +
		    CERTS_CLAIM_SLACK;
		orderstate_get(os, it->it_name->nm_host, false)->oe_claim_until =
		    it->it_claimed_at;
		orderstate_add_order(os, it->it_claimed_at);
	}
	return certs_run_save(ps);
}

/* Did the client leave a new certificate for the name where the daemon
 * reads it? `before` is the one served when the pass began, or NULL. */
static bool
certs_run_installed(struct certs_pass *ps, const char *host,
    const struct cert *before, char **why)
{
	const char		*dir = ps->ps_acme->acme_install_dir;
	char			*chain = xasprintf("%s/%s.crt", dir, host);
	char			*key = xasprintf("%s/%s.key", dir, host);
	struct certset		 set = { 0 };
	struct diag_list	 diags = { 0 };
	const struct cert	*c;
	bool			 ok = false;

	if (!cert_load_pair(&set, chain, key, &diags, certs_run_now()))
		*why = diags.dl_count > 0 ? xasprintf("%s: %s", chain,
		    diags.dl_items[0].d_msg) : xasprintf("%s: cannot be used",
		    chain);
	else {
		certset_index(&set);
		c = certset_cover(&set, host, certs_run_now());
		if (c == NULL)
			*why = xasprintf("%s does not cover %s", chain, host);
		else if (before != NULL && before->crt_not_after >=
		    c->crt_not_after && strcmp(before->crt_serial,
		    c->crt_serial) == 0)
			*why = xasprintf("%s is still the old certificate "
			    "(serial %s)", chain, c->crt_serial);
		else
			ok = true;
	}
	if (!ok) {
		char *w = *why;

		*why = xasprintf("the client succeeded, but no new certificate "
		    "was installed: %s (check acme hooks and "
		    "install_directory)", w);
		free(w);
	}
	certset_free(&set);
	diag_free(&diags);
	free(chain);
	free(key);
	return ok;
}

static bool
certs_run_out_of_time(struct certs_pass *ps)
{
	if (certs_run_now() - ps->ps_start >= (time_t)ps->ps_acme->acme_pass_time)
		ps->ps_out_of_time = true;
	return ps->ps_out_of_time;
}

static void
certs_run_order(struct certs_pass *ps, struct certs_item *it)
{
	const struct certs_name	*nm = it->it_name;
	char			*why = NULL;

	if (ps->ps_broken || certs_run_out_of_time(ps))
		return;		/* its claim is given back unused */
	certs_client_order(ps->ps_opt->opt_cfg, nm->nm_host, &it->it_order);
	if (it->it_order.or_fatal) {
		fprintf(stderr, "mta-sts-hostd certs: %s; the pass stops\n",
		    it->it_order.or_message);
		ps->ps_broken = true;
		return;
	}
	it->it_ordered = true;
	if (it->it_order.or_ok &&
	    !certs_run_installed(ps, nm->nm_host, nm->nm_cert, &why)) {
		it->it_order.or_ok = false;
		free(it->it_order.or_message);
		it->it_order.or_message = why;
	}
}

/*
 * The chunk's results, under the lock. A claim another pass has taken over
 * (ours lapsed) is left to it. Each order's stamp in the budget moves to
 * when its client run ended, which is no earlier than when the CA counted
 * it; a claim not used gives its stamp back.
 */
static int
certs_run_record(struct certs_pass *ps, struct certs_item *items, size_t n)
{
	struct orderstate	*os = &ps->ps_state;
	time_t			 now = certs_run_now();
	char			 when[64];

	if (certs_run_lock(ps) == -1)
		return -1;
	for (size_t i = 0; i < n; i++) {
		struct certs_item	*it = &items[i];
		struct order_entry	*e;

		if (!it->it_claimed)
			continue;
		orderstate_remove_order(os, it->it_claimed_at);
		if (it->it_ordered)
			orderstate_add_order(os, now);
		e = orderstate_get(os, it->it_name->nm_host, true);
		if (e->oe_result != ORDER_ORDERING || e->oe_claim_by == NULL ||
		    strcmp(e->oe_claim_by, ps->ps_owner) != 0)
			continue;
		e->oe_claim_until = 0;
		free(e->oe_claim_by);
		e->oe_claim_by = NULL;
		/* The failures in a row go on from before the claim. */
		e->oe_result = it->it_prev;
		e->oe_failures = it->it_prev_failures;
		if (!it->it_ordered)
			continue;
		if (it->it_order.or_ok) {
			e->oe_result = ORDER_ISSUED;
			e->oe_failures = 0;
			e->oe_last = now;
			e->oe_next = 0;
			certs_run_set_message(e, NULL);
			ps->ps_ordered++;
			printf("%s: certificate ordered and installed\n",
			    e->oe_name);
			continue;
		}
		certs_run_backoff(ps, e, ORDER_FAILED, now);
		certs_run_set_message(e, it->it_order.or_message);
		it->it_order.or_message = NULL;
		ps->ps_failed++;
		certs_plan_time(e->oe_next, when, sizeof(when));
		printf("%s: the order failed (%u in a row): %s; next attempt "
		    "after %s\n", e->oe_name, e->oe_failures,
		    e->oe_message != NULL ? e->oe_message : "no reason given",
		    when);
	}
	return certs_run_save(ps);
}

/* ---- The pass ---------------------------------------------------------- */

static int
certs_run_chunk(struct certs_pass *ps, struct certs_name **names, size_t n)
{
	struct certs_item	items[CERTS_CHUNK];
	bool			claimed = false;
	int			rc;

	memset(items, 0, sizeof(items));
	for (size_t i = 0; i < n; i++)
		items[i].it_name = names[i];
	certs_run_dns(ps, items, n);
	rc = certs_run_claim(ps, items, n);
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (items[i].it_claimed) {
			certs_run_order(ps, &items[i]);
			claimed = true;
		}
	if (rc == 0 && claimed)
		rc = certs_run_record(ps, items, n);
	for (size_t i = 0; i < n; i++) {
		free(items[i].it_dns_message);
		free(items[i].it_probe_message);
		free(items[i].it_order.or_message);
	}
	return rc;
}

/* The budget left now, read under the lock; -1 if it cannot be read. */
static long
certs_run_budget(struct certs_pass *ps)
{
	size_t used;

	if (certs_run_lock(ps) == -1)
		return -1;
	used = orderstate_orders_since(&ps->ps_state, certs_run_now(),
	    ps->ps_acme->acme_order_window);
	orderstate_unlock(&ps->ps_state);
	return used >= ps->ps_acme->acme_order_limit ? 0 :
	    (long)(ps->ps_acme->acme_order_limit - used);
}

static int
certs_run_counts(struct certs_pass *ps)
{
	struct order_counts	oc;
	size_t			used;

	if (certs_run_lock(ps) == -1)
		return -1;
	certs_plan_count(&ps->ps_plan, &ps->ps_state, &oc);
	/* A pass over some names counts only those: keep the last whole
	 * count but for its time. */
	if (ps->ps_opt->opt_nnames == 0)
		ps->ps_state.os_counts = oc;
	/* Orders that succeeded before this pass looked at the certificates
	 * are in them: the state keeps only what they do not say. */
	orderstate_forget_issued(&ps->ps_state, ps->ps_start);
	used = orderstate_orders_since(&ps->ps_state, certs_run_now(),
	    ps->ps_acme->acme_order_window);
	if (certs_run_save(ps) == -1)
		return -1;
	printf("certs: %zu ordered, %zu failed, %zu waiting for DNS; now "
	    "%zu pending, %zu ordering elsewhere, %zu waiting for DNS, %zu "
	    "failing; order budget: %zu of %u used in the last %us%s%s\n",
	    ps->ps_ordered, ps->ps_failed, ps->ps_waiting, oc.oc_pending,
	    oc.oc_ordering, oc.oc_waiting_dns, oc.oc_failing, used,
	    ps->ps_acme->acme_order_limit, ps->ps_acme->acme_order_window,
	    ps->ps_budget_spent ? " (spent: the rest waits for a later pass)" :
	    "", ps->ps_out_of_time ? "; stopped at acme pass_time" : "");
	return 0;
}

static char *
certs_run_owner(void)
{
	char host[256];

	if (gethostname(host, sizeof(host)) == -1)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	host[strcspn(host, " \t\n")] = '\0';
	return xasprintf("%s:%ld", host, (long)getpid());
}

int
certs_run(const struct certs_options *opt)
{
	const struct config	*cfg = opt->opt_cfg;
	struct certs_pass	 ps = { .ps_opt = opt,
				    .ps_acme = &cfg->cfg_acme };
	struct certs_name	**cand = NULL;
	size_t			  ncand = 0, next = 0;
	char			 *why = NULL;
	int			  rc = CERTS_EXIT_FAILED;

	if (ps.ps_acme->acme_client == ACME_CLIENT_NONE) {
		fprintf(stderr, "mta-sts-hostd certs: acme client is not set: "
		    "nothing orders certificates (set it to certbot or lego)\n");
		return CERTS_EXIT_FAILED;
	}
	ps.ps_start = certs_run_now();
	ps.ps_owner = certs_run_owner();
	orderstate_init(&ps.ps_state, ps.ps_acme->acme_state);
	if (certs_plan_make(&ps.ps_plan, opt, ps.ps_start) == -1)
		goto out;
	diag_print(&ps.ps_plan.pl_diags, stderr);
	ps.ps_hosts = doctor_hostcheck_open(cfg, opt->opt_resolver,
	    opt->opt_timeout_ms, &why);
	if (ps.ps_hosts == NULL) {
		fprintf(stderr, "mta-sts-hostd certs: %s\n", why);
		goto out;
	}
	if (!certs_client_found(cfg, &why)) {
		fprintf(stderr, "mta-sts-hostd certs: %s\n", why);
		goto out;
	}
	ps.ps_probe = certs_probe_open(cfg, &why);
	if (why != NULL) {
		fprintf(stderr, "mta-sts-hostd certs: %s\n", why);
		goto out;
	}
	if (certs_run_lock(&ps) == -1)
		goto out;
	cand = certs_run_candidates(&ps, &ncand);
	orderstate_unlock(&ps.ps_state);
	while (next < ncand) {
		long	budget = certs_run_budget(&ps);
		size_t	n;

		if (budget == -1)
			goto out;
		if (budget == 0) {
			ps.ps_budget_spent = true;
			break;
		}
		if (ps.ps_broken || certs_run_out_of_time(&ps))
			break;
		n = ncand - next < CERTS_CHUNK ? ncand - next : CERTS_CHUNK;
		if ((size_t)budget < n)
			n = (size_t)budget;
		if (certs_run_chunk(&ps, cand + next, n) == -1)
			goto out;
		next += n;
	}
	if (certs_run_counts(&ps) == 0 && !ps.ps_broken)
		rc = 0;
out:
	fflush(stdout);
	free(why);
	free(cand);
	certs_probe_close(ps.ps_probe);
	doctor_hostcheck_close(ps.ps_hosts);
	orderstate_free(&ps.ps_state);
	certs_plan_free(&ps.ps_plan);
	free(ps.ps_owner);
	return rc;
}
