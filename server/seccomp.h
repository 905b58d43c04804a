/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The system call allow-list (seccomp, through libseccomp). `serve` installs
 * it once start-up is over: sockets bound, keys loaded, privileges and
 * capabilities dropped, and before the first thread starts, so that every
 * thread runs under it. A system call outside the list kills the process.
 * `server.seccomp: false` leaves it out (valgrind and other tools that work
 * inside the process, a C library that starts using a new system call).
 */
#ifndef MTA_STS_SECCOMP_H
#define MTA_STS_SECCOMP_H

#include <stddef.h>

/* Returns -1 with a message in `err` when the filter cannot be installed. */
int	seccomp_install(char *err, size_t errlen);

#endif
