/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: what `doctor` parses from the outside world, as senders
 * parse it: _mta-sts and _smtp._tls TXT records, and policy bodies. A policy
 * that parses must render to a body that parses to the same policy.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../config/policy.h"
#include "../../config/record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_roundtrip(const struct policy *pol)
{
	struct policy	 again;
	char		*body, *why = NULL;
	size_t		 len;

	body = policy_render(pol, &len);
	if (!policy_parse(body, len, &again, &why))
		abort();	/* what we serve, we must read back */
	if (again.pol_mode != pol->pol_mode ||
	    again.pol_max_age != pol->pol_max_age ||
	    again.pol_mx.sv_count != pol->pol_mx.sv_count)
		abort();
	for (size_t i = 0; i < pol->pol_mx.sv_count; i++)
		if (strcmp(again.pol_mx.sv_items[i], pol->pol_mx.sv_items[i]))
			abort();
	policy_free(&again);
	free(body);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*s, *why = NULL, id[RECORD_STS_ID_MAX + 1];
	struct strvec	 rua = { 0 };
	struct policy	 pol;

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	if (record_is_sts(s) && !record_sts_parse(s, id, &why))
		free(why);
	why = NULL;
	if (record_is_tlsrpt(s) && !record_tlsrpt_parse(s, &rua, &why))
		free(why);
	why = NULL;
	strvec_free(&rua);

	if (policy_parse((const char *)data, size, &pol, &why)) {
		fuzz_roundtrip(&pol);
		policy_free(&pol);
	} else
		free(why);
	free(s);
	return 0;
}
