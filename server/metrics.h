/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The metrics and health listener: Prometheus text exposition at /metrics
 * and /healthz, on addresses meant for 127.0.0.1 or a private network.
 */
#ifndef MTA_STS_METRICS_H
#define MTA_STS_METRICS_H

#include <stddef.h>

struct config;
struct server;
struct metrics;

/* Bind the configured addresses (before privileges are dropped); NULL
 * when the listener is off or on error (then `err` says why). */
struct metrics	*metrics_bind(const struct config *, char *err, size_t errlen);
int		 metrics_start(struct metrics *, struct server *);
void		 metrics_stop(struct metrics *);

#endif
