/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The DNS records that go with a configuration: the _mta-sts TXT with each
 * policy's id, TLS-RPT, the mta-sts.<domain> policy host, and for hosters the
 * shared records in their own zone with the CNAMEs customers publish.
 * Records are built once into zones, then written in one of three formats.
 */
#ifndef MTA_STS_DNS_H
#define MTA_STS_DNS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

/* RFC 1035 3.3: one character-string holds at most 255 bytes. */
#define DNS_TXT_CHUNK	255

enum dns_rtype {
	DNS_RTYPE_TXT,
	DNS_RTYPE_CNAME,
	DNS_RTYPE_A,
	DNS_RTYPE_AAAA,
};

enum dns_purpose {
	DNS_PURPOSE_POLICY_ID,		/* _mta-sts.<domain> TXT */
	DNS_PURPOSE_POLICY_ID_ALIAS,	/* _mta-sts.<domain> CNAME to the hoster */
	DNS_PURPOSE_SHARED_POLICY_ID,	/* the hoster's shared TXT */
	DNS_PURPOSE_TLSRPT,		/* _smtp._tls.<domain> TXT */
	DNS_PURPOSE_POLICY_HOST,	/* mta-sts.<domain> CNAME or A/AAAA */
};

struct dns_record {
	char			*dr_name;	/* absolute, without the final dot */
	const char		*dr_origin;	/* $ORIGIN of its section */
	uint32_t		 dr_ttl;
	enum dns_rtype		 dr_type;
	char			*dr_data;	/* TXT text unquoted, or target/address */
	enum dns_purpose	 dr_purpose;
	const char		*dr_domain;	/* the customer domain, NULL if shared */
};

struct dns_zone {
	char			*dz_name;
	struct dns_record	*dz_records;
	size_t			 dz_count;
};

struct dns_set {
	struct dns_zone		*ds_zones;	/* hoster zone first, then by name */
	size_t			 ds_count;
};

enum dns_format {
	DNS_FORMAT_BIND,
	DNS_FORMAT_NSUPDATE,
	DNS_FORMAT_JSON,
};

/*
 * Records for the valid domains of `cfg` (all of them when `names` is NULL).
 * Domains that are not valid are left out: they would publish an id for a
 * policy the daemon does not serve.
 */
void		 dns_build(struct dns_set *, const struct config *,
		    const struct domain *const *domains, size_t ndomains);
void		 dns_free(struct dns_set *);

const char	*dns_rtype_name(enum dns_rtype);
const char	*dns_purpose_name(enum dns_purpose);

void		 dns_write_bind(FILE *, const struct dns_zone *, size_t nzones,
		    const char *source);
/* `server` is "ADDRESS" or "ADDRESS PORT", or NULL to leave it to nsupdate. */
void		 dns_write_nsupdate(FILE *, const struct dns_set *,
		    const char *server);
void		 dns_write_json(FILE *, const struct dns_set *,
		    const struct config *, const struct domain *const *,
		    size_t ndomains);

#endif
