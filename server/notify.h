/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Telling the service manager what the daemon is doing (sd_notify): ready
 * once the first snapshot serves and the sockets are bound, reloading and
 * ready again around each reload, stopping at shutdown. Without a service
 * manager (no NOTIFY_SOCKET) these do nothing.
 */
#ifndef MTA_STS_NOTIFY_H
#define MTA_STS_NOTIFY_H

void	notify_ready(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void	notify_reloading(void);
void	notify_stopping(void);

#endif
