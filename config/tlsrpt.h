/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TLS-RPT (RFC 8460) reporting URIs and the _smtp._tls record. */
#ifndef MTA_STS_TLSRPT_H
#define MTA_STS_TLSRPT_H

#include <stdbool.h>

#include "strvec.h"

/* Far beyond any real address; keeps one URI from filling a record. */
#define TLSRPT_URI_MAX	1024

/* Check one rua URI; on error *why says what is wrong (caller frees). */
bool	 tlsrpt_uri_check(const char *uri, char **why);
/* "v=TLSRPTv1; rua=URI,URI" (caller frees). */
char	*tlsrpt_record(const struct strvec *rua);

#endif
