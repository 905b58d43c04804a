#include "reload.h"

#include <stdlib.h>
#include <string.h>

#include "../config/xalloc.h"
#include "snapshot.h"

static bool
reload_same_cert(const struct cert *a, const struct cert *b)
{
	return strcmp(a->crt_serial, b->crt_serial) == 0 &&
	    strcmp(a->crt_file, b->crt_file) == 0;
}

static int
reload_cert_cmp(const void *a, const void *b)
{
	const struct cert *x = *(const struct cert *const *)a;
	const struct cert *y = *(const struct cert *const *)b;
	int c = strcmp(x->crt_file, y->crt_file);

	return c != 0 ? c : strcmp(x->crt_serial, y->crt_serial);
}

static const struct cert **
reload_sorted_certs(const struct certset *set)
{
	const struct cert **v = xcalloc(set->cs_count, sizeof(*v));

	for (size_t i = 0; i < set->cs_count; i++)
		v[i] = &set->cs_certs[i];
	if (set->cs_count > 1)
		qsort(v, set->cs_count, sizeof(*v), reload_cert_cmp);
	return v;
}

void
snapshot_diff(const struct snapshot *old, const struct snapshot *cur,
    struct snapshot_diff *sd)
{
	const struct cert	**a, **b;
	size_t			  i = 0, j = 0;

	memset(sd, 0, sizeof(*sd));
	for (size_t k = 0; k < cur->snap_nhosts; k++) {
		const struct host *h = &cur->snap_hosts[k];
		const struct host *o = snapshot_lookup(old, h->h_name,
		    h->h_name_len);

		if (o == NULL)
			sd->sd_added++;
		else {
			if (strcmp(o->h_domain->dom_id, h->h_domain->dom_id) != 0)
				sd->sd_policies++;
			if (!reload_same_cert(o->h_cert, h->h_cert))
				sd->sd_certificates++;
		}
	}
	for (size_t k = 0; k < old->snap_nhosts; k++) {
		const struct host *o = &old->snap_hosts[k];

		if (snapshot_lookup(cur, o->h_name, o->h_name_len) == NULL)
			sd->sd_removed++;
	}
	/* Certificate files: a merge of the two sets sorted by file and serial. */
	a = reload_sorted_certs(&old->snap_certs);
	b = reload_sorted_certs(&cur->snap_certs);
	while (i < old->snap_certs.cs_count || j < cur->snap_certs.cs_count) {
		int c = i == old->snap_certs.cs_count ? 1 :
		    j == cur->snap_certs.cs_count ? -1 :
		    reload_cert_cmp(&a[i], &b[j]);

		if (c < 0) {
			sd->sd_certs_removed++;
			i++;
		} else if (c > 0) {
			sd->sd_certs_added++;
			j++;
		} else {
			i++;
			j++;
		}
	}
	free(a);
	free(b);
}
