/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The doctor's DNS: libunbound, either forwarding to a given resolver or to
 * the system's, with a time limit on every query. CNAMEs are followed as
 * senders follow them, and the name the data was found at is reported.
 */
#ifndef MTA_STS_DOCTOR_DNS_H
#define MTA_STS_DOCTOR_DNS_H

#include <stdbool.h>

#include "../../config/strvec.h"

#define DDNS_TYPE_A	1
#define DDNS_TYPE_MX	15
#define DDNS_TYPE_TXT	16
#define DDNS_TYPE_AAAA	28

enum doctor_dns_status {
	DDNS_OK,		/* data, in da_data */
	DDNS_NODATA,		/* the name exists, no record of the type */
	DDNS_NXDOMAIN,		/* the name does not exist */
	DDNS_FAIL,		/* SERVFAIL, REFUSED, timeout, ...: da_why */
};

struct doctor_dns_answer {
	enum doctor_dns_status	 da_status;
	/* TXT: the strings of each record joined; MX: the host ("" for a
	 * null MX); A/AAAA: the address as text. */
	struct strvec		 da_data;
	char			*da_canon;	/* the CNAME target, or NULL */
	char			*da_why;	/* for DDNS_FAIL */
};

struct doctor_resolver;

/* `resolver` is "ADDRESS[:PORT]" / "[IPv6]:PORT", or NULL for the
 * system's (/etc/resolv.conf). NULL with *why on error. */
struct doctor_resolver *doctor_dns_open(const char *resolver,
	    unsigned timeout_ms, char **why);
void	doctor_dns_close(struct doctor_resolver *);

/* Safe to call from several threads at once. */
void	doctor_dns_query(struct doctor_resolver *, const char *name, int type,
	    struct doctor_dns_answer *);
void	doctor_dns_answer_free(struct doctor_dns_answer *);
/*
 * The A and AAAA records of `name` appended to `out`, the CNAME target in
 * *canon unless canon is NULL: DDNS_OK if either has data, else DDNS_FAIL
 * (with *why) if a query failed, else DDNS_NODATA or DDNS_NXDOMAIN.
 */
enum doctor_dns_status doctor_dns_addresses(struct doctor_resolver *,
	    const char *name, struct strvec *out, char **canon, char **why);
const char *doctor_dns_type_name(int type);
/* One record's rdata as da_data holds it; NULL if it cannot be read. */
char	*doctor_dns_rdata(int type, const unsigned char *, size_t);

#endif
