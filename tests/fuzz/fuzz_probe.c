/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: what `doctor` reads from servers it does not control:
 * an HTTP response to the policy fetch (status, headers, chunked bodies) and
 * DNS rdata of each type it asks for (TXT strings, MX names, addresses).
 * The first byte picks the rdata type; the rest is both inputs.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../server/doctor/doctor_dns.h"
#include "../../server/doctor/doctor_probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int	 types[] = { DDNS_TYPE_A, DDNS_TYPE_AAAA,
	    DDNS_TYPE_MX, DDNS_TYPE_TXT };
	struct doctor_https_fetch hf;
	char			*buf, *rd;

	if (size == 0)
		return 0;
	rd = doctor_dns_rdata(types[data[0] % 4], data + 1, size - 1);
	free(rd);

	buf = malloc(size);
	if (buf == NULL)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = '\0';
	memset(&hf, 0, sizeof(hf));
	doctor_probe_parse_response(buf, size - 1, &hf);
	if (hf.hf_body != NULL && hf.hf_body_len > size)
		abort();	/* a body never grows */
	doctor_probe_https_free(&hf);
	free(buf);
	return 0;
}
