/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_load(): a configuration, step by step, each step in a file of its
 * own (config_internal.h names them): the defaults and the files read
 * (sections.c, files.c, domains.c), then every domain resolved against its
 * template (resolve.c), then the diagnostics in file and line order.
 */
#include "config.h"

#include <stdbool.h>
#include <string.h>

#include "config_internal.h"
#include "xalloc.h"

static struct config *
config_load_with(const char *path, bool includes, struct loadcache *lc)
{
	struct config	*cfg = xcalloc(1, sizeof(*cfg));
	struct loader	 ld = { .ld_cfg = cfg, .ld_main_only = !includes,
			    .ld_cache = lc };
	size_t		 errors_before;

	atomic_init(&cfg->cfg_refs, 1);
	cfg->cfg_path = xstrdup(path);
	sections_defaults(cfg);
	files_read(&ld, path);
	/* If the files hold errors, they may be why no domain was read. */
	errors_before = cfg->cfg_diags.dl_errors;
	sections_finish(cfg);
	resolve_domains(&ld);
	if (includes && cfg->cfg_ndomains == 0 && errors_before == 0) {
		struct srcpos pos = { .sp_file = cfg->cfg_path };

		diag_add(&cfg->cfg_diags, DIAG_WARNING, &pos, NULL,
		    "no domains are configured: add them under 'domains:' "
		    "or in an included file");
	}
	diag_sort(&cfg->cfg_diags, &cfg->cfg_files);
	return cfg;
}

struct config *
config_load(const char *path)
{
	return config_load_with(path, true, NULL);
}

struct config *
config_load_cached(const char *path, struct loadcache *lc)
{
	return config_load_with(path, true, lc);
}

struct config *
config_load_main(const char *path)
{
	return config_load_with(path, false, NULL);
}

/*
 * What config_load() reads from one included file, read again alone: the
 * same readers, and the same resolution against the main file's templates
 * and dns defaults, which are copied from `main`.
 */
struct config *
config_load_part(const struct config *main, const char *path)
{
	struct config	*cfg = xcalloc(1, sizeof(*cfg));
	struct loader	 ld = { .ld_cfg = cfg };

	atomic_init(&cfg->cfg_refs, 1);
	cfg->cfg_path = xstrdup(main->cfg_path);
	cfg->cfg_templates = xcalloc(main->cfg_ntemplates,
	    sizeof(*cfg->cfg_templates));
	for (size_t i = 0; i < main->cfg_ntemplates; i++) {
		struct policy_template		*t = &cfg->cfg_templates[i];
		const struct policy_template	*m = &main->cfg_templates[i];

		*t = *m;
		t->tpl_name = xstrdup(m->tpl_name);
		policy_copy(&t->tpl_policy, &m->tpl_policy);
	}
	cfg->cfg_ntemplates = main->cfg_ntemplates;
	strvec_copy(&cfg->cfg_dns.dns_rua, &main->cfg_dns.dns_rua);
	if (main->cfg_dns.dns_delegation_zone != NULL)
		cfg->cfg_dns.dns_delegation_zone =
		    xstrdup(main->cfg_dns.dns_delegation_zone);
	files_read_part(&ld, path);
	cfg->cfg_part_templates = cfg->cfg_ntemplates > main->cfg_ntemplates;
	resolve_domains(&ld);
	diag_sort(&cfg->cfg_diags, &cfg->cfg_files);
	return cfg;
}
