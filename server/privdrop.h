/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef MTA_STS_PRIVDROP_H
#define MTA_STS_PRIVDROP_H

#include <stddef.h>

/*
 * Become `user`:`group` for good (setgroups, setresgid, setresuid) and make
 * the process undumpable, since it holds private keys. Does nothing when not
 * started as root. Returns -1 with a message in `err` on failure.
 */
int	privdrop(const char *user, const char *group, char *err, size_t);
/*
 * Give up every capability: once the sockets are bound, a daemon started
 * by systemd with CAP_NET_BIND_SERVICE needs it no more.
 */
int	privdrop_capabilities(char *err, size_t);

#endif
