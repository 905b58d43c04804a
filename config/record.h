/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The TXT records a sender reads before it fetches a policy: _mta-sts
 * (RFC 8461 section 3.1) and _smtp._tls (RFC 8460 section 3), parsed the way
 * senders parse them, so what is published can be checked against what is
 * configured.
 */
#ifndef MTA_STS_RECORD_H
#define MTA_STS_RECORD_H

#include <stdbool.h>

#include "policy.h"
#include "strvec.h"

#define RECORD_STS_VERSION	"v=STSv1"
#define RECORD_TLSRPT_VERSION	"v=TLSRPTv1"
/* RFC 8461 3.1: an id is 1 to 32 letters and digits. */
#define RECORD_STS_ID_MAX	32

/*
 * Does the TXT text start with the version? Senders discard the other
 * records at the name before they count the rest (exactly one must remain).
 */
bool	record_is_sts(const char *txt);
bool	record_is_tlsrpt(const char *txt);

/*
 * Parse a record that record_is_*() accepted. On success the id (or the
 * rua URIs, appended to `rua`) is stored; on error *why says what is wrong
 * (the caller frees it) and nothing is stored.
 */
bool	record_sts_parse(const char *txt, char id[RECORD_STS_ID_MAX + 1],
	    char **why);
bool	record_tlsrpt_parse(const char *txt, struct strvec *rua, char **why);

#endif
