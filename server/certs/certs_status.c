/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * `certs status`: per domain, the certificate served and when it expires,
 * where it comes from (ours, from the install directory, or from
 * elsewhere), and the order state: ok, pending, ordering, waiting for DNS,
 * failing (with the client's error), and the next attempt. Read-only: it
 * takes no lock and writes nothing.
 */
#include "certs_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../config/json.h"

/* When a due name will next be tried: now for one that waits for a pass. */
static time_t
certs_status_next(const struct certs_name *nm, const struct order_entry *e,
    enum certs_state st, time_t now)
{
	if (st == CERTS_OK)
		return nm->nm_renew_at;
	if (st == CERTS_ORDERING || e == NULL || e->oe_next <= now)
		return now;
	return e->oe_next;
}

static void
certs_status_json_time(FILE *fp, const char *key, time_t t)
{
	char buf[32];

	certs_plan_time(t, buf, sizeof(buf));
	fprintf(fp, ", \"%s\": ", key);
	json_string(fp, t != 0 ? buf : NULL);
}

static void
certs_status_json(const struct certs_plan *pl, struct orderstate *os,
    const struct order_counts *oc)
{
	char when[32];

	certs_plan_time(pl->pl_now, when, sizeof(when));
	printf("{\"time\": \"%s\", \"counts\": {\"pending\": %zu, "
	    "\"ordering\": %zu, \"waiting_dns\": %zu, \"failing\": %zu}, "
	    "\"domains\": [", when, oc->oc_pending, oc->oc_ordering,
	    oc->oc_waiting_dns, oc->oc_failing);
	for (size_t i = 0; i < pl->pl_count; i++) {
		const struct certs_name		*nm = &pl->pl_names[i];
		const struct order_entry	*e;
		enum certs_state		 st;

		e = orderstate_get(os, nm->nm_host, false);
		st = certs_plan_state(nm, e, pl->pl_now);
		printf("%s\n  {\"domain\": ", i > 0 ? "," : "");
		json_string(stdout, nm->nm_dom->dom_name);
		printf(", \"name\": ");
		json_string(stdout, nm->nm_host);
		printf(", \"state\": \"%s\", \"certificate\": ",
		    certs_plan_state_name(st));
		if (nm->nm_cert != NULL) {
			printf("{\"file\": ");
			json_string(stdout, nm->nm_cert->crt_file);
			printf(", \"serial\": \"%s\", \"managed\": %s",
			    nm->nm_cert->crt_serial,
			    nm->nm_managed ? "true" : "false");
			certs_status_json_time(stdout, "not_after",
			    nm->nm_cert->crt_not_after);
			certs_status_json_time(stdout, "renew_at",
			    nm->nm_managed ? nm->nm_renew_at : 0);
			printf("}");
		} else
			printf("null");
		printf(", \"failures\": %u", e != NULL &&
		    (st == CERTS_FAILING || st == CERTS_WAITING_DNS) ?
		    e->oe_failures : 0);
		certs_status_json_time(stdout, "last_attempt",
		    e != NULL ? e->oe_last : 0);
		certs_status_json_time(stdout, "next_attempt",
		    st == CERTS_OK && !nm->nm_managed ? 0 :
		    certs_status_next(nm, e, st, pl->pl_now));
		printf(", \"message\": ");
		json_string(stdout, e != NULL && st != CERTS_OK ?
		    e->oe_message : NULL);
		printf("}");
	}
	printf("\n]}\n");
}

static void
certs_status_text(const struct certs_plan *pl, struct orderstate *os,
    const struct order_counts *oc)
{
	printf("%-32s %-11s %-20s %-20s %s\n", "DOMAIN", "STATE", "EXPIRES",
	    "NEXT", "DETAIL");
	for (size_t i = 0; i < pl->pl_count; i++) {
		const struct certs_name		*nm = &pl->pl_names[i];
		const struct order_entry	*e;
		enum certs_state		 st;
		char				 exp[32], next[32];
		const char			*detail = "";

		e = orderstate_get(os, nm->nm_host, false);
		st = certs_plan_state(nm, e, pl->pl_now);
		certs_plan_time(nm->nm_cert != NULL ?
		    nm->nm_cert->crt_not_after : 0, exp, sizeof(exp));
		certs_plan_time(st == CERTS_OK && !nm->nm_managed ? 0 :
		    certs_status_next(nm, e, st, pl->pl_now), next,
		    sizeof(next));
		if (st != CERTS_OK && e != NULL && e->oe_message != NULL)
			detail = e->oe_message;
		else if (nm->nm_cert != NULL && !nm->nm_managed)
			detail = "certificate from elsewhere";
		else if (nm->nm_cert == NULL)
			detail = "no certificate";
		printf("%-32s %-11s %-20s %-20s %s\n", nm->nm_dom->dom_name,
		    certs_plan_state_name(st), exp, next, detail);
	}
	printf("\n%zu domains: %zu pending, %zu ordering, %zu waiting for "
	    "DNS, %zu failing\n", pl->pl_count, oc->oc_pending,
	    oc->oc_ordering, oc->oc_waiting_dns, oc->oc_failing);
}

int
certs_status(const struct certs_options *opt)
{
	struct certs_plan	pl;
	struct orderstate	os;
	struct order_counts	oc;
	char			*why = NULL;

	orderstate_init(&os, opt->opt_cfg->cfg_acme.acme_state);
	if (orderstate_read(&os, &why) == -1) {
		fprintf(stderr, "mta-sts-hostd certs: %s\n", why);
		free(why);
		orderstate_free(&os);
		return CERTS_EXIT_FAILED;
	}
	if (certs_plan_make(&pl, opt, time(NULL)) == -1) {
		orderstate_free(&os);
		return CERTS_EXIT_FAILED;
	}
	diag_print(&pl.pl_diags, stderr);
	certs_plan_count(&pl, &os, &oc);
	if (opt->opt_json)
		certs_status_json(&pl, &os, &oc);
	else
		certs_status_text(&pl, &os, &oc);
	certs_plan_free(&pl);
	orderstate_free(&os);
	return 0;
}
