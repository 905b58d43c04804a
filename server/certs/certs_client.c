/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The ACME client does the protocol: certbot (certonly, webroot, its
 * deploy hook) or lego (run, HTTP-01 into the webroot, its run hook), with
 * the account, the CA and the directories of the configuration's acme:
 * section. One client run at a time per client directory (certbot locks
 * its directories and fails a second run at once): passes, and replicas
 * sharing the directory, wait for each other's. A run longer than acme
 * order_timeout is stopped, the client's whole process group with it.
 */
#include "certs_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../config/strvec.h"
#include "../../config/xalloc.h"

/* What is kept of the client's output: its last words say what failed. */
#define CERTS_OUTPUT_MAX	(64 * 1024)
/* After SIGTERM, the client has this long before SIGKILL. */
#define CERTS_KILL_GRACE_MS	5000

static void
certs_client_arg(struct strvec *argv, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
certs_client_arg(struct strvec *argv, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strvec_push(argv, xvasprintf(fmt, ap));
	va_end(ap);
}

static void
certs_client_argv(const struct config *cfg, const char *host, bool renewal,
    struct strvec *argv)
{
	const struct acme_settings *acme = &cfg->cfg_acme;
	const char *dir = acme->acme_client_dir;

	if (acme->acme_client == ACME_CLIENT_LEGO) {
		certs_client_arg(argv, "lego");
		certs_client_arg(argv, "--accept-tos");
		certs_client_arg(argv, "--email=%s", acme->acme_email);
		certs_client_arg(argv, "--server=%s",
		    acme->acme_directory_url);
		certs_client_arg(argv, "--path=%s", dir);
		certs_client_arg(argv, "--key-type=ec256");
		certs_client_arg(argv, "--http");
		certs_client_arg(argv, "--http.webroot=%s",
		    acme->acme_webroot);
		certs_client_arg(argv, "--domains=%s", host);
		/* `run` orders a new certificate whether or not one exists. */
		certs_client_arg(argv, "run");
		certs_client_arg(argv, "--run-hook=%s/lego-hook",
		    acme->acme_hooks);
		return;
	}
	certs_client_arg(argv, "certbot");
	certs_client_arg(argv, "certonly");
	certs_client_arg(argv, "--non-interactive");
	certs_client_arg(argv, "--agree-tos");
	certs_client_arg(argv, "--server=%s", acme->acme_directory_url);
	certs_client_arg(argv, "--config-dir=%s/config", dir);
	certs_client_arg(argv, "--work-dir=%s/work", dir);
	certs_client_arg(argv, "--logs-dir=%s/logs", dir);
	if (acme->acme_email != NULL)
		certs_client_arg(argv, "--email=%s", acme->acme_email);
	else
		certs_client_arg(argv, "--register-unsafely-without-email");
	certs_client_arg(argv, "--webroot");
	certs_client_arg(argv, "--webroot-path=%s", acme->acme_webroot);
	certs_client_arg(argv, "--cert-name=%s", host);
	certs_client_arg(argv, "--domains=%s", host);
	certs_client_arg(argv, "--key-type=ecdsa");
	/* This pass decided that it is due, not certbot. */
	if (renewal)
		certs_client_arg(argv, "--force-renewal");
	certs_client_arg(argv, "--deploy-hook=%s/certbot-deploy-hook",
	    acme->acme_hooks);
}

long long
certs_client_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The client's directory and its lock, held until the fd is closed. */
static int
certs_client_lock(const char *dir, char **why)
{
	struct flock	 fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	char		*path;
	int		 fd;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST) {
		*why = xasprintf("%s: cannot create: %s", dir, strerror(errno));
		return -1;
	}
	path = xasprintf("%s/.mta-sts-hostd-certs.lock", dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd == -1)
		*why = xasprintf("%s: cannot open: %s", path, strerror(errno));
	while (fd != -1 && fcntl(fd, F_OFD_SETLKW, &fl) == -1) {
		if (errno == EINTR)
			continue;
		*why = xasprintf("%s: cannot lock: %s", path, strerror(errno));
		close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

/* The line of the output that says what failed: certbot's last
 * "Detail:", else the last line that speaks of an error, else the last. */
static char *
certs_client_reason(const char *out)
{
	const char	*pick[3] = { NULL, NULL, NULL };
	size_t		 pick_len[3] = { 0, 0, 0 };
	const char	*line = out;

	while (*line != '\0') {
		size_t		 len = strcspn(line, "\n");
		const char	*p = line;
		size_t		 plen;
		int		 k;

		while (p < line + len && (*p == ' ' || *p == '\t'))
			p++;
		plen = (size_t)(line + len - p);
		k = strncmp(p, "Detail:", 7) == 0 ? 0 :
		    memmem(p, plen, "rror", 4) != NULL ? 1 : 2;
		if (plen > 0) {
			pick[k] = p;
			pick_len[k] = plen;
		}
		line += len + (line[len] == '\n');
	}
	for (size_t k = 0; k < 3; k++)
		if (pick[k] != NULL)
			return xstrndup(pick[k], pick_len[k]);
	return NULL;
}

/* Run argv with its output into `out` (the last CERTS_OUTPUT_MAX bytes),
 * for at most timeout_s; the exit status, or -1 with *why. */
static int
certs_client_spawn(const struct config *cfg, char *const argv[],
    unsigned timeout_s, char **out, char **why)
{
	const struct acme_settings *acme = &cfg->cfg_acme;
	long long	 deadline = certs_client_ms() + timeout_s * 1000LL;
	char		*buf = xmalloc(CERTS_OUTPUT_MAX + 1);
	size_t		 len = 0;
	bool		 killed = false;
	int		 pfd[2], status;
	pid_t		 pid;

	if (pipe2(pfd, O_CLOEXEC) == -1) {
		*why = xasprintf("pipe: %s", strerror(errno));
		free(buf);
		return -1;
	}
	if ((pid = fork()) == -1) {
		*why = xasprintf("fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		free(buf);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);

		(void)setpgid(0, 0);
		if (null == -1 || dup2(null, 0) == -1 ||
		    dup2(pfd[1], 1) == -1 || dup2(pfd[1], 2) == -1)
			_exit(127);
		setenv("MTA_STS_HOSTD_CERT_DIR", acme->acme_install_dir, 1);
		setenv("MTA_STS_HOSTD_GROUP", cfg->cfg_group, 1);
		execvp(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	(void)setpgid(pid, pid);
	close(pfd[1]);
	for (;;) {
		struct pollfd	 p = { .fd = pfd[0], .events = POLLIN };
		long long	 left = deadline - certs_client_ms();
		char		 chunk[4096];
		ssize_t		 n;

		if (left <= 0) {
			if (killed)
				break;
			(void)kill(-pid, SIGTERM);
			killed = true;
			deadline = certs_client_ms() + CERTS_KILL_GRACE_MS;
			continue;
		}
		if (poll(&p, 1, left > 1000 ? 1000 : (int)left) <= 0)
			continue;
		if ((n = read(pfd[0], chunk, sizeof(chunk))) <= 0) {
			if (n == -1 && errno == EINTR)
				continue;
			break;
		}
		if ((size_t)n > CERTS_OUTPUT_MAX)
			n = CERTS_OUTPUT_MAX;
		if (len + (size_t)n > CERTS_OUTPUT_MAX) {
			size_t drop = len + (size_t)n - CERTS_OUTPUT_MAX;

			memmove(buf, buf + drop, len - drop);
			len -= drop;
		}
		memcpy(buf + len, chunk, (size_t)n);
		len += (size_t)n;
	}
	close(pfd[0]);
	(void)kill(-pid, SIGKILL);	/* its hooks and helpers too */
	while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
		;
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0' || buf[i] == '\r')
			buf[i] = buf[i] == '\r' ? '\n' : ' ';
	*out = buf;
	if (killed) {
		*why = xasprintf("%s did not finish in %us (acme "
		    "order_timeout): stopped", argv[0], timeout_s);
		return -1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status);
}

void
certs_client_order(const struct config *cfg, const char *host, bool renewal,
    struct certs_order *order)
{
	const struct acme_settings *acme = &cfg->cfg_acme;
	struct strvec	 argv = { 0 };
	char		*out = NULL, *why = NULL;
	int		 lockfd, status;

	memset(order, 0, sizeof(*order));
	if ((lockfd = certs_client_lock(acme->acme_client_dir, &why)) == -1) {
		order->or_message = why;
		return;
	}
	certs_client_argv(cfg, host, renewal, &argv);
	strvec_push(&argv, NULL);
	status = certs_client_spawn(cfg, argv.sv_items, acme->acme_order_timeout,
	    &out, &why);
	close(lockfd);
	if (status == 0)
		order->or_ok = true;
	else if (why != NULL)
		order->or_message = why;
	else {
		char *reason = out != NULL ? certs_client_reason(out) : NULL;

		order->or_message = xasprintf("%s exited with %d%s%s",
		    argv.sv_items[0], status, reason != NULL ? ": " : "",
		    reason != NULL ? reason : "");
		free(reason);
	}
	if (!order->or_ok && out != NULL && *out != '\0')
		fprintf(stderr, "%s: %s output:\n%s%s", host,
		    argv.sv_items[0], out,
		    out[strlen(out) - 1] != '\n' ? "\n" : "");
	free(out);
	strvec_free(&argv);
}
