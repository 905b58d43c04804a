/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: host name normalisation (with and without a wildcard
 * label allowed), pattern matching of the results, and TLS-RPT URI checks,
 * all on a NUL-terminated copy of the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../config/name.h"
#include "../../config/tlsrpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*s, *plain, *wild, *why = NULL;

	s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';

	plain = name_normalize(s, 0, &why);
	free(why);
	why = NULL;
	wild = name_normalize(s, NAME_WILDCARD, &why);
	free(why);
	why = NULL;
	if (plain != NULL)
		(void)name_pattern_match(plain, plain);
	if (wild != NULL) {
		(void)name_pattern_match(wild, "mx.example.com");
		if (plain != NULL)
			(void)name_pattern_match(wild, plain);
	}
	(void)name_is_label(s);
	free(plain);
	free(wild);

	if (!tlsrpt_uri_check(s, &why))
		free(why);
	free(s);
	return 0;
}
