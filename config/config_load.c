/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_load(): a configuration, step by step, each step in a file of its
 * own (config_internal.h names them): the defaults and the files read
 * (sections.c, files.c, domains.c), then every domain resolved against its
 * template (resolve.c), then the diagnostics in file and line order.
 */
#include "config.h"

#include "config_internal.h"
#include "xalloc.h"

struct config *
config_load(const char *path)
{
	struct config	*cfg = xcalloc(1, sizeof(*cfg));
	struct loader	 ld = { .ld_cfg = cfg };
	size_t		 errors_before;

	cfg->cfg_path = xstrdup(path);
	sections_defaults(cfg);
	files_read(&ld, path);
	/* If the files hold errors, they may be why no domain was read. */
	errors_before = cfg->cfg_diags.dl_errors;
	sections_finish(cfg);
	resolve_domains(&ld);
	if (cfg->cfg_ndomains == 0 && errors_before == 0) {
		struct srcpos pos = { .sp_file = cfg->cfg_path };

		diag_add(&cfg->cfg_diags, DIAG_WARNING, &pos, NULL,
		    "no domains are configured: add them under 'domains:' "
		    "or in an included file");
	}
	diag_sort(&cfg->cfg_diags, &cfg->cfg_files);
	return cfg;
}
