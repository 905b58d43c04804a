/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Logging, after OpenBSD's log.c: log_warn appends strerror(errno),
 * log_warnx does not; fatal/fatalx exit and are only for start-up or
 * impossible states. One write(2) per line, so threads never interleave.
 */
#ifndef MTA_STS_LOG_H
#define MTA_STS_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../config/config.h"

void	log_init(enum log_target, enum log_level);
void	log_set_level(enum log_level);
void	log_set_access(bool);
bool	log_access_enabled(void);
int	log_enabled(enum log_level);
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_access(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_msg(enum log_level, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	log_vmsg(enum log_level, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));
/*
 * Text from a client, for a log line: printable ASCII as it is, any other
 * byte (and the double quote and backslash) as \xNN, so that no client can
 * start a line of its own or send escape sequences; cut to fit `size`.
 */
const char *log_clean(char *out, size_t size, const char *in, size_t len);
/*
 * At debug level, where start-up and reload time and memory go: "STAGE:
 * WHAT in N ms, resident M MiB", the time since *since_us (clock_us()), which
 * becomes now.
 */
void	log_phase(const char *stage, const char *what, uint64_t *since_us);
struct diag_list;
/* Configuration and certificate problems, each at its own level. */
void	log_diags(const struct diag_list *);
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
