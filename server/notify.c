/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "notify.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <systemd/sd-daemon.h>

#include "log.h"

void
notify_ready(const char *fmt, ...)
{
	char	status[256];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(status, sizeof(status), fmt, ap);
	va_end(ap);
	if (sd_notifyf(0, "READY=1\nSTATUS=%s", status) < 0)
		log_warnx("cannot notify the service manager");
}

void
notify_reloading(void)
{
	struct timespec ts;

	/* MONOTONIC_USEC lets systemd (253 and later) tie READY to this. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
	    (unsigned long long)ts.tv_sec * 1000000 +
	    (unsigned long long)ts.tv_nsec / 1000);
}

void
notify_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}
