/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "log.h"

#include "../config/diag.h"
#include "../config/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* Longer lines are cut: a log line is for a person to read. */
#define LOG_LINE_MAX	2048

/*
 * The logger's settings: written by the main thread (at start-up, when
 * the daemon detaches, on reload), read by every thread for every line.
 * Atomics, each read on its own: a line logged during a reload may go by
 * the old setting or the new, and no lock is taken for it.
 */
static _Atomic enum log_target	log_target = LOG_TARGET_STDERR;
static _Atomic enum log_level	log_level = LOG_LEVEL_INFO;
static atomic_bool		log_access_on = true;

static enum log_level
log_level_now(void)
{
	return atomic_load_explicit(&log_level, memory_order_relaxed);
}

static const char *const log_level_names[] = {
	[LOG_LEVEL_ERROR] = "error",
	[LOG_LEVEL_WARNING] = "warning",
	[LOG_LEVEL_INFO] = "info",
	[LOG_LEVEL_DEBUG] = "debug",
};

void
log_init(enum log_target target, enum log_level level)
{
	/* syslog is open before any thread can see the target say so. */
	if (target == LOG_TARGET_SYSLOG)
		openlog("mta-sts-hostd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	atomic_store_explicit(&log_target, target, memory_order_release);
	log_set_level(level);
}

void
log_set_level(enum log_level level)
{
	atomic_store_explicit(&log_level, level, memory_order_relaxed);
}

void
log_set_access(bool on)
{
	atomic_store_explicit(&log_access_on, on, memory_order_relaxed);
}

bool
log_access_enabled(void)
{
	return atomic_load_explicit(&log_access_on, memory_order_relaxed) &&
	    LOG_LEVEL_INFO <= log_level_now();
}

int
log_enabled(enum log_level level)
{
	return level <= log_level_now();
}

static void
log_write(enum log_level level, const char *tag, const char *msg)
{
	static const int prio[] = {
		[LOG_LEVEL_ERROR] = LOG_ERR, [LOG_LEVEL_WARNING] = LOG_WARNING,
		[LOG_LEVEL_INFO] = LOG_INFO, [LOG_LEVEL_DEBUG] = LOG_DEBUG,
	};
	char		line[LOG_LINE_MAX + 64];
	struct timespec	ts;
	struct tm	tm;
	int		n;

	if (atomic_load_explicit(&log_target, memory_order_acquire) ==
	    LOG_TARGET_SYSLOG) {
		syslog(prio[level], "%s: %s", tag, msg);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(line, sizeof(line),
	    "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s: %s\n",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, tag, msg);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	/* A failed write to stderr has nowhere to be reported. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

void
log_vmsg(enum log_level level, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX];

	if (level > log_level_now())
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_write(level, log_level_names[level], msg);
}

static void log_verrno(enum log_level, int, const char *, va_list)
    __attribute__((format(printf, 3, 0)));

static void
log_verrno(enum log_level level, int err, const char *fmt, va_list ap)
{
	char msg[LOG_LINE_MAX];
	int n;

	if (level > log_level_now())
		return;
	n = vsnprintf(msg, sizeof(msg), fmt, ap);
	if (n >= 0 && (size_t)n < sizeof(msg))
		snprintf(msg + n, sizeof(msg) - (size_t)n, ": %s",
		    strerror(err));
	log_write(level, log_level_names[level], msg);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	int	err = errno;
	va_list	ap;

	va_start(ap, fmt);
	log_verrno(LOG_LEVEL_WARNING, err, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_DEBUG, fmt, ap);
	va_end(ap);
}

/* Access lines have their own tag so they can be filtered apart. */
void
log_access(const char *fmt, ...)
{
	char	msg[LOG_LINE_MAX];
	va_list	ap;

	if (!log_access_enabled())
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_write(LOG_LEVEL_INFO, "access", msg);
}

const char *
log_clean(char *out, size_t size, const char *in, size_t len)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 5 < size; i++) {
		unsigned char ch = (unsigned char)in[i];

		if (ch < 0x21 || ch > 0x7e || ch == '"' || ch == '\\')
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", ch);
		else
			out[o++] = (char)ch;
	}
	out[o] = '\0';
	return out;
}

void
log_diags(const struct diag_list *dl)
{
	for (size_t i = 0; i < dl->dl_count; i++) {
		const struct diag	*d = &dl->dl_items[i];
		char			 where[512] = "";

		if (d->d_file != NULL && d->d_line > 0)
			snprintf(where, sizeof(where), "%s:%u:%u: ", d->d_file,
			    d->d_line, d->d_col);
		else if (d->d_file != NULL)
			snprintf(where, sizeof(where), "%s: ", d->d_file);
		log_msg(d->d_severity == DIAG_ERROR ? LOG_LEVEL_ERROR :
		    LOG_LEVEL_WARNING, "%s%s%s%s", where,
		    d->d_subject ? d->d_subject : "", d->d_subject ? ": " : "",
		    d->d_msg);
	}
}

void
fatal(const char *fmt, ...)
{
	int	err = errno;
	va_list	ap;

	va_start(ap, fmt);
	log_verrno(LOG_LEVEL_ERROR, err, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	log_vmsg(LOG_LEVEL_ERROR, fmt, ap);
	va_end(ap);
	exit(1);
}

/* Resident memory in MiB, from /proc/self/statm; -1 if unknown. */
static double
log_resident_mib(void)
{
	char		 buf[128];
	unsigned long	 size, resident;
	ssize_t		 n;
	int		 fd;

	if ((fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%lu %lu", &size, &resident) != 2)
		return -1;
	return (double)resident * (double)sysconf(_SC_PAGESIZE) /
	    (1024.0 * 1024.0);
}

void
log_phase(const char *stage, const char *what, uint64_t *since_us)
{
	uint64_t now = clock_us();

	if (log_enabled(LOG_LEVEL_DEBUG))
		log_debug("%s: %s in %.1f ms, resident %.0f MiB", stage, what,
		    (double)(now - *since_us) / 1000.0, log_resident_mib());
	*since_us = now;
}
