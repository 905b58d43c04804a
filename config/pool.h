/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Independent pieces of one load (a file to read and parse each) spread
 * over the machine's processors. A million certificates or customer files
 * are a million pieces that share nothing until they are put together in
 * order, which the caller does after pool_run() returns.
 */
#ifndef MTA_STS_POOL_H
#define MTA_STS_POOL_H

#include <stddef.h>

/*
 * Call fn(arg, i) once for every i below n, on up to one thread per online
 * processor (the calling thread is one of them) and only when there are
 * enough pieces to pay for the threads; returns when every call has. The
 * calls run in no particular order and must touch nothing but piece i and
 * what stays unchanged until pool_run() returns.
 */
void	pool_run(size_t n, void (*fn)(void *arg, size_t i), void *arg);

#endif
