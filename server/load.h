/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The configuration and the certificates it names, read side by side. At a
 * million customers both take tens of seconds, most of it in system calls
 * and waiting for the disk, and neither needs the other: the main file
 * alone says where the certificates are.
 */
#ifndef MTA_STS_LOAD_H
#define MTA_STS_LOAD_H

#include <time.h>

struct certcache;
struct certset;
struct config;
struct diag_list;
struct watcher;

/*
 * config_load(path), and certset_load() of what it names into `certs` and
 * `cert_diags`, the pairs kept in `cc`. The directories read are watched
 * (`wa`, may be NULL) before they are read, so that a change meanwhile
 * waits in the queue. When the configuration has global errors, `certs`
 * is empty and no certificate is kept: the caller refuses it.
 */
struct config	*load_config_and_certs(const char *path, struct watcher *wa,
		    struct certcache *cc, time_t now, struct certset *certs,
		    struct diag_list *cert_diags);

#endif
