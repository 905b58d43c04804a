/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The state file of certificate orders (config/orderstate.c): what a pass
 * saves, the next reads back exactly (messages with any byte but NUL);
 * the order budget counts whole seconds so that orders are never closer
 * than the window; the metrics read the counts line alone; and a broken
 * file is refused with its name and line, never read as an empty state
 * (which would reset the budget).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../config/orderstate.h"
#include "../../config/xalloc.h"
#include "unit.h"

TestSuite(orderstate, .init = unit_setup, .fini = unit_teardown);

TEST_NO_LEAK(orderstate, saved_state_reads_back_whole)
{
	char			*path = unit_path("certs.state"), *why = NULL;
	struct orderstate	 os;
	struct order_entry	*e;
	const char		*msg = "lego exited with 1: \"Detail:\" 100% "
	    "broken\ttab\r\nnext line \x01\x7f - end";

	orderstate_init(&os, path);
	cr_assert_eq(orderstate_lock(&os, &why), 0, "%s", why);
	cr_assert_eq(os.os_count, 0);
	e = orderstate_get(&os, "mta-sts.a.example", true);
	e->oe_result = ORDER_FAILED;
	e->oe_last = 1800000000;
	e->oe_next = 1800000900;
	e->oe_failures = 3;
	e->oe_message = xstrdup(msg);
	e = orderstate_get(&os, "mta-sts.b.example", true);
	e->oe_result = ORDER_ORDERING;
	e->oe_claim_until = 1800000360;
	e->oe_claim_by = xstrdup("host-1:4242");
	cr_assert_eq(orderstate_get(&os, "mta-sts.a.example", true),
	    orderstate_get(&os, "mta-sts.a.example", false));
	orderstate_add_order(&os, 1800000100);
	orderstate_add_order(&os, 1800000000);	/* another host's, earlier */
	os.os_counts = (struct order_counts){ .oc_time = 1800000200,
	    .oc_pending = 7, .oc_ordering = 1, .oc_waiting_dns = 2,
	    .oc_failing = 1 };
	cr_assert_eq(orderstate_save_unlock(&os, &why), 0, "%s", why);
	cr_assert_eq(os.os_lockfd, -1);
	orderstate_free(&os);

	orderstate_init(&os, path);
	cr_assert_eq(orderstate_read(&os, &why), 0, "%s", why);
	cr_assert_eq(os.os_count, 2);
	e = orderstate_get(&os, "mta-sts.a.example", false);
	cr_assert_not_null(e);
	cr_assert_eq(e->oe_result, ORDER_FAILED);
	cr_assert_eq(e->oe_last, 1800000000);
	cr_assert_eq(e->oe_next, 1800000900);
	cr_assert_eq(e->oe_failures, 3);
	cr_assert_str_eq(e->oe_message, msg);
	cr_assert_null(e->oe_claim_by);
	e = orderstate_get(&os, "mta-sts.b.example", false);
	cr_assert_eq(e->oe_result, ORDER_ORDERING);
	cr_assert_eq(e->oe_claim_until, 1800000360);
	cr_assert_str_eq(e->oe_claim_by, "host-1:4242");
	cr_assert_null(e->oe_message);
	cr_assert_eq(os.os_norders, 2);
	cr_assert_eq(os.os_orders[0], 1800000000);
	cr_assert_eq(os.os_orders[1], 1800000100);
	cr_assert_eq(os.os_counts.oc_pending, 7);
	orderstate_free(&os);
	free(path);
}

TEST_NO_LEAK(orderstate, budget_window_in_whole_seconds)
{
	char			*path = unit_path("certs.state");
	struct orderstate	 os;

	orderstate_init(&os, path);
	for (int i = 0; i < 10; i++)
		orderstate_add_order(&os, 1000 + i);
	/* An order at second 1000 still counts through second 1000 + 60:
	 * whatever fraction of it the order was made at, the next is at
	 * least 60 s later. */
	cr_assert_eq(orderstate_orders_since(&os, 1060, 60), 10);
	cr_assert_eq(orderstate_orders_since(&os, 1061, 60), 9);
	cr_assert_eq(orderstate_orders_since(&os, 1069, 60), 1);
	cr_assert_eq(orderstate_orders_since(&os, 1070, 60), 0);
	orderstate_free(&os);
	free(path);
}

TEST_NO_LEAK(orderstate, metrics_read_the_counts_line)
{
	char			*path = unit_path("certs.state");
	struct order_counts	 oc;

	cr_assert_eq(orderstate_read_counts(path, &oc), -1, "no file");
	unit_write("certs.state", "mta-sts-hostd certificate orders 1\n"
	    "order 5\n");
	cr_assert_eq(orderstate_read_counts(path, &oc), -1, "no counts");
	unit_write("certs.state", "mta-sts-hostd certificate orders 1\n"
	    "counts 1800000000 pending=12 ordering=0 waiting-dns=3 "
	    "failing=4\n"
	    "name mta-sts.a.example issued 1 0 0 0 - -\n");
	cr_assert_eq(orderstate_read_counts(path, &oc), 0);
	cr_assert_eq(oc.oc_time, 1800000000);
	cr_assert_eq(oc.oc_ordering, 0);
	cr_assert_eq(oc.oc_pending, 12);
	cr_assert_eq(oc.oc_waiting_dns, 3);
	cr_assert_eq(oc.oc_failing, 4);
	free(path);
}

/* Each line that must be refused, after a good first line. */
static const char *const broken_lines[] = {
	"name mta-sts.a.example issued 1 0 0 0 -\n",		/* a field short */
	"name mta-sts.a.example finished 1 0 0 0 - -\n",	/* result */
	"name mta-sts.a.example issued -1 0 0 0 - -\n",
	"name mta-sts.a.example issued 1 x 0 0 - -\n",
	"name mta-sts.a.example issued 1 0 9999999 0 - -\n",	/* failures */
	"name mta-sts.a.example failed 1 0 1 0 - bad %4\n",	/* escape */
	"name mta-sts.a.example failed 1 0 1 0 - nul %00 in it\n",
	"name  issued 1 0 0 0 - -\n",				/* no name */
	"order soon\n",
	"counts 5 pending=x\n",
	"counts 5 pending=-1 ordering=0 waiting-dns=0 failing=0\n",
	"counts 5 pending=1 ordering=0 waiting-dns=0 failing=0 pending=2\n",
	"counts 5 pending=1 ordering=0 waiting-dns=0\n",	/* one short */
	"counts 5 pending=1x ordering=0 waiting-dns=0 failing=0\n",
	"something else\n",
	"name mta-sts.a.example issued 1 0 0 0 - -\n"
	"name mta-sts.a.example issued 2 0 0 0 - -\n",		/* twice */
};

TEST_NO_LEAK(orderstate, broken_file_refused_with_its_line)
{
	char *path = unit_path("certs.state");

	for (size_t i = 0; i < UNIT_COUNT(broken_lines); i++) {
		struct orderstate	 os;
		char			*text, *why = NULL, *where;

		unit_case = broken_lines[i];
		text = xasprintf("mta-sts-hostd certificate orders 1\n"
		    "order 7\n%s", broken_lines[i]);
		unit_write("certs.state", text);
		orderstate_init(&os, path);
		cr_assert_eq(orderstate_lock(&os, &why), -1, CASE);
		where = xasprintf("%s:%d:", path,
		    strchr(broken_lines[i], '\n')[1] != '\0' ? 4 : 3);
		cr_assert(why != NULL && strstr(why, where) == why,
		    "case %s: the message is %s", unit_case, why);
		cr_assert_eq(os.os_lockfd, -1, CASE);
		cr_assert_eq(os.os_count, 0, CASE);
		cr_assert_eq(os.os_norders, 0, CASE);
		free(where);
		free(why);
		free(text);
		orderstate_free(&os);
	}
	unit_write("certs.state", "orders\n");
	{
		struct orderstate	 os;
		char			*why = NULL;

		orderstate_init(&os, path);
		cr_assert_eq(orderstate_read(&os, &why), -1);
		cr_assert(strstr(why, "not a certificate order state file"),
		    "%s", why);
		free(why);
		orderstate_free(&os);
	}
	free(path);
}

/* The entry of `name` in `path`'s state as a fresh reader sees it. */
static enum order_result
result_in_file(const char *path, const char *name, bool *present)
{
	struct orderstate	 os;
	struct order_entry	*e;
	enum order_result	 r = ORDER_NONE;
	char			*why = NULL;

	orderstate_init(&os, path);
	cr_assert_eq(orderstate_read(&os, &why), 0, "%s", why);
	e = orderstate_get(&os, name, false);
	*present = e != NULL;
	if (e != NULL)
		r = e->oe_result;
	orderstate_free(&os);
	return r;
}

/* `from` replaced by `to`, of its length, in the file itself. */
static void
overwrite(const char *path, const char *from, const char *to)
{
	char	 text[4096], *at;
	FILE	*fp = fopen(path, "r");
	size_t	 n;
	int	 fd;

	cr_assert_not_null(fp, "%s", path);
	n = fread(text, 1, sizeof(text) - 1, fp);
	fclose(fp);
	text[n] = '\0';

	cr_assert_eq(strlen(from), strlen(to));
	cr_assert_not_null(at = strstr(text, from), "%s", text);
	cr_assert_neq(fd = open(path, O_WRONLY), -1);
	cr_assert_eq(pwrite(fd, to, strlen(to), at - text),
	    (ssize_t)strlen(to));
	close(fd);
}

/*
 * Two passes on one file: each lock sees what the other saved, whether
 * the other renamed a new file into place or the file was written in
 * place; a pass that finds the file as it left it keeps its own state.
 */
TEST_NO_LEAK(orderstate, a_lock_sees_every_change_of_another_pass)
{
	char			*path = unit_path("certs.state"), *why = NULL;
	struct orderstate	 a, b;
	bool			 present;

	orderstate_init(&a, path);
	orderstate_init(&b, path);
	cr_assert_eq(orderstate_lock(&a, &why), 0, "%s", why);
	orderstate_get(&a, "mta-sts.a.example", true)->oe_result =
	    ORDER_FAILED;
	cr_assert_eq(orderstate_save_unlock(&a, &why), 0, "%s", why);

	cr_assert_eq(orderstate_lock(&b, &why), 0, "%s", why);
	cr_assert_not_null(orderstate_get(&b, "mta-sts.a.example", false));
	orderstate_get(&b, "mta-sts.b.example", true)->oe_result =
	    ORDER_WAITING_DNS;
	cr_assert_eq(orderstate_save_unlock(&b, &why), 0, "%s", why);

	/* a's next lock reads b's file. */
	cr_assert_eq(orderstate_lock(&a, &why), 0, "%s", why);
	cr_assert_not_null(orderstate_get(&a, "mta-sts.b.example", false));
	orderstate_unlock(&a);

	/* Written in place, to the same size, by someone else (a later
	 * clock tick than a's read): read again. */
	usleep(20000);
	overwrite(path, "waiting-dns 0 0 0 ", "waiting-dns 0 0 7 ");
	cr_assert_eq(orderstate_lock(&a, &why), 0, "%s", why);
	cr_assert_eq(orderstate_get(&a, "mta-sts.b.example",
	    false)->oe_failures, 7);
	orderstate_unlock(&a);

	/* As a left it: a's state as it is (nothing read). */
	orderstate_get(&a, "mta-sts.b.example", false)->oe_failures = 8;
	cr_assert_eq(orderstate_lock(&a, &why), 0, "%s", why);
	cr_assert_eq(orderstate_get(&a, "mta-sts.b.example",
	    false)->oe_failures, 8);
	orderstate_unlock(&a);
	cr_assert_eq(result_in_file(path, "mta-sts.b.example", &present),
	    ORDER_WAITING_DNS);

	orderstate_free(&a);
	orderstate_free(&b);
	free(path);
}

/* An order that succeeded is dropped once a later pass began: the
 * certificate says the rest; the others stay. */
TEST_NO_LEAK(orderstate, succeeded_orders_are_forgotten_after_their_pass)
{
	char			*path = unit_path("certs.state"), *why = NULL;
	struct orderstate	 os;
	const char		*names[] = { "mta-sts.a.example",
				    "mta-sts.b.example", "mta-sts.c.example",
				    "mta-sts.d.example" };
	bool			 present;

	orderstate_init(&os, path);
	cr_assert_eq(orderstate_lock(&os, &why), 0, "%s", why);
	for (size_t i = 0; i < 4; i++)
		orderstate_get(&os, names[i], true)->oe_last = 1000;
	orderstate_get(&os, names[0], false)->oe_result = ORDER_ISSUED;
	orderstate_get(&os, names[1], false)->oe_result = ORDER_FAILED;
	orderstate_get(&os, names[2], false)->oe_result = ORDER_ISSUED;
	orderstate_get(&os, names[2], false)->oe_last = 2000;
	orderstate_get(&os, names[3], false)->oe_result = ORDER_WAITING_DNS;
	orderstate_forget_issued(&os, 2000);
	cr_assert_eq(os.os_count, 3);
	cr_assert_null(orderstate_get(&os, names[0], false));
	cr_assert_eq(orderstate_save_unlock(&os, &why), 0, "%s", why);
	orderstate_free(&os);
	cr_assert_eq(result_in_file(path, names[0], &present), ORDER_NONE);
	cr_assert(!present);
	cr_assert_eq(result_in_file(path, names[1], &present), ORDER_FAILED);
	cr_assert_eq(result_in_file(path, names[2], &present), ORDER_ISSUED);
	cr_assert_eq(result_in_file(path, names[3], &present),
	    ORDER_WAITING_DNS);
	free(path);
}
