/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * load_config_and_certs(): the main file read alone first (a millisecond),
 * then the certificates it names read on a thread of their own while the
 * customer files are read on this one. Each load spreads its files over
 * the processors already, but not evenly: the customer files are taken
 * into the configuration one by one on this thread, and a certificate
 * directory is listed and sorted before its pairs are parsed. Side by
 * side, each fills the other's gaps.
 *
 * The main file is read twice. If it changed in between and names other
 * certificate sources, the certificates are read again for what the
 * second reading says: the result is always that of one reading.
 */
#include "load.h"

#include <pthread.h>
#include <string.h>

#include "../config/cert.h"
#include "../config/config.h"
#include "log.h"
#include "watch.h"

struct load_certs {
	const struct config	*lc_cfg;
	struct certcache	*lc_cache;
	time_t			 lc_now;
	struct certset		*lc_certs;
	struct diag_list	*lc_diags;
};

static void *
load_certs_run(void *arg)
{
	struct load_certs *lc = arg;

	certset_load(lc->lc_certs, lc->lc_cfg, lc->lc_diags, lc->lc_now,
	    lc->lc_cache);
	return NULL;
}

static void
load_certs_drop(struct certset *certs, struct diag_list *diags)
{
	certset_free(certs);
	memset(certs, 0, sizeof(*certs));
	diag_free(diags);
}

struct config *
load_config_and_certs(const char *path, struct watcher *wa,
    struct certcache *cc, time_t now, struct certset *certs,
    struct diag_list *cert_diags)
{
	struct config		*main_cfg = config_load_main(path), *cfg;
	struct load_certs	 lc = { main_cfg, cc, now, certs, cert_diags };
	pthread_t		 thread;
	bool			 side = false;

	memset(certs, 0, sizeof(*certs));
	memset(cert_diags, 0, sizeof(*cert_diags));
	/* Without included files, the main file read again is all there is
	 * to do meanwhile: no thread for that. */
	if (config_global_errors(main_cfg) == 0 &&
	    main_cfg->cfg_includes.sv_count > 0) {
		if (wa != NULL)
			watch_set(wa, main_cfg);
		side = pthread_create(&thread, NULL, load_certs_run, &lc) == 0;
	}
	cfg = config_load(path);
	if (wa != NULL)
		watch_set(wa, cfg);
	if (side)
		pthread_join(thread, NULL);
	if (config_global_errors(cfg) > 0)
		load_certs_drop(certs, cert_diags);
	else if (!side || !config_sources_equal(main_cfg, cfg)) {
		if (side) {
			log_debug("%s changed while it was read: reading the "
			    "certificates it names now", path);
			load_certs_drop(certs, cert_diags);
		}
		certset_load(certs, cfg, cert_diags, now, cc);
	}
	config_free(main_cfg);
	return cfg;
}
