/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * libFuzzer target: the YAML tree builder on arbitrary bytes. Everything it
 * returns (tree and diagnostics) is freed before the next input.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../config/diag.h"
#include "../../config/yamltree.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag_list	 diags = { 0 };
	struct ynode		*root;
	bool			 failed = false;

	root = ytree_parse("fuzz.yaml", data, size, &diags, &failed);
	if (root != NULL) {
		/* Touch the accessors the loader uses on mappings. */
		if (root->yn_kind == YNODE_MAPPING) {
			size_t n = ytree_map_size(root);
			for (size_t i = 0; i < n; i++) {
				(void)ytree_map_key(root, i);
				(void)ytree_is_null(ytree_map_value(root, i));
			}
		}
		(void)ytree_kind_name(root);
	}
	ytree_free(root);
	diag_free(&diags);
	return 0;
}
