/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon: what `mta-sts-hostd serve` runs.
 */
#ifndef MTA_STS_SERVE_H
#define MTA_STS_SERVE_H

#include <stdbool.h>

/*
 * Load `config_path`, bind, drop privileges and serve until SIGTERM or
 * SIGINT. Unless `foreground`, detach once serving, the parent's exit
 * status saying whether the daemon started. Returns the exit status once
 * stopped; start-up failures end the process with a message.
 */
int	serve_run(const char *config_path, bool foreground);

#endif
