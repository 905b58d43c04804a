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

enum ddns_status {
	DDNS_OK,		/* data, in da_data */
	DDNS_NODATA,		/* the name exists, no record of the type */
	DDNS_NXDOMAIN,		/* the name does not exist */
	DDNS_FAIL,		/* SERVFAIL, REFUSED, timeout, ...: da_why */
};

struct ddns_answer {
	enum ddns_status	 da_status;
	/* TXT: the strings of each record joined; MX: the host ("" for a
	 * null MX); A/AAAA: the address as text. */
	struct strvec		 da_data;
	char			*da_canon;	/* the CNAME target, or NULL */
	char			*da_why;	/* for DDNS_FAIL */
};

struct ddns;

/* `resolver` is "ADDRESS[:PORT]" / "[IPv6]:PORT", or NULL for the
 * system's (/etc/resolv.conf). NULL with *why on error. */
struct ddns	*ddns_open(const char *resolver, unsigned timeout_ms,
		    char **why);
void		 ddns_close(struct ddns *);

/* Safe to call from several threads at once. */
void		 ddns_query(struct ddns *, const char *name, int type,
		    struct ddns_answer *);
void		 ddns_answer_free(struct ddns_answer *);
const char	*ddns_type_name(int type);
/* One record's rdata as da_data holds it; NULL if it cannot be read. */
char		*ddns_rdata(int type, const unsigned char *, size_t);

#endif
