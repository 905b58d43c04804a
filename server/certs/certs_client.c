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
#include <spawn.h>
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

static const char *
certs_client_program(const struct config *cfg)
{
	return cfg->cfg_acme.acme_client == ACME_CLIENT_LEGO ? "lego" :
	    "certbot";
}

static void
certs_client_argv(const struct config *cfg, const char *host,
    struct strvec *argv)
{
	const struct acme_settings *acme = &cfg->cfg_acme;
	const char *dir = acme->acme_client_dir;

	if (acme->acme_client == ACME_CLIENT_LEGO) {
		certs_client_arg(argv, "%s", certs_client_program(cfg));
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
	certs_client_arg(argv, "%s", certs_client_program(cfg));
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
	/* This pass decided that it is due, not certbot (whose lineage may
	 * be fresh while the installed copy is gone). */
	certs_client_arg(argv, "--force-renewal");
	certs_client_arg(argv, "--deploy-hook=%s/certbot-deploy-hook",
	    acme->acme_hooks);
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

/* Keep the last CERTS_OUTPUT_MAX bytes of the output. */
static void
certs_client_keep(char *buf, size_t *len, const char *chunk, size_t n)
{
	if (n > CERTS_OUTPUT_MAX) {
		chunk += n - CERTS_OUTPUT_MAX;
		n = CERTS_OUTPUT_MAX;
	}
	if (*len + n > CERTS_OUTPUT_MAX) {
		size_t drop = *len + n - CERTS_OUTPUT_MAX;

		memmove(buf, buf + drop, *len - drop);
		*len -= drop;
	}
	memcpy(buf + *len, chunk, n);
	*len += n;
}

/* The environment of a client run: ours, with the hooks' settings. */
static char **
certs_client_env(const struct config *cfg)
{
	extern char	**environ;
	size_t		  n = 0, k = 0;
	char		**env;

	while (environ[n] != NULL)
		n++;
	env = xcalloc(n + 3, sizeof(*env));
	for (size_t i = 0; i < n; i++)
		if (strncmp(environ[i], "MTA_STS_HOSTD_CERT_DIR=", 23) != 0 &&
		    strncmp(environ[i], "MTA_STS_HOSTD_GROUP=", 20) != 0)
			env[k++] = xstrdup(environ[i]);
	env[k++] = xasprintf("MTA_STS_HOSTD_CERT_DIR=%s",
	    cfg->cfg_acme.acme_install_dir);
	env[k++] = xasprintf("MTA_STS_HOSTD_GROUP=%s", cfg->cfg_group);
	return env;
}

/*
 * Run argv (its own process group, standard input /dev/null, its output
 * into `out`, the last CERTS_OUTPUT_MAX bytes) for at most timeout_s: the
 * exit status, or -1 with *why. When the client exits, what its group left
 * behind (a hook's stray child holding the pipe) is killed.
 */
static int
certs_client_spawn(const struct config *cfg, char *const argv[],
    unsigned timeout_s, char **out, char **why)
{
	long long		 deadline = certs_ms() +
				    timeout_s * 1000LL;
	char			*buf = xmalloc(CERTS_OUTPUT_MAX + 1);
	char			**env = certs_client_env(cfg);
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t	 attr;
	size_t			 len = 0;
	bool			 killed = false, exited = false, eof = false;
	int			 pfd[2], status = 0, rc;
	pid_t			 pid;

	*out = buf;
	buf[0] = '\0';
	if (pipe2(pfd, O_CLOEXEC) == -1) {
		*why = xasprintf("pipe: %s", strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], 2);
	/* Nothing else of this process (the resolver's sockets) goes along. */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, env);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(pfd[1]);
	if (rc != 0) {
		*why = xasprintf("cannot run %s: %s", argv[0], strerror(rc));
		close(pfd[0]);
		goto out;
	}
	while (!exited) {
		/* After EOF, poll() only waits: its exit is awaited. */
		struct pollfd	 p = { .fd = eof ? -1 : pfd[0],
				    .events = POLLIN };
		long long	 left = deadline - certs_ms();
		char		 chunk[4096];
		ssize_t		 n;
		pid_t		 w;

		if ((w = waitpid(pid, &status, WNOHANG)) == pid) {
			exited = true;
			break;
		}
		if (w == -1 && errno != EINTR) {
			*why = xasprintf("waiting for %s: %s", argv[0],
			    strerror(errno));
			break;
		}
		if (left <= 0) {
			if (killed)
				break;
			(void)kill(-pid, SIGTERM);
			killed = true;
			deadline = certs_ms() + CERTS_KILL_GRACE_MS;
			continue;
		}
		if (poll(&p, 1, left > 100 ? 100 : (int)left) <= 0 || eof)
			continue;
		if ((n = read(pfd[0], chunk, sizeof(chunk))) > 0)
			certs_client_keep(buf, &len, chunk, (size_t)n);
		else if (n == 0 || errno != EINTR)
			eof = true;
	}
	/* What the client wrote just before it exited. */
	for (;;) {
		char	chunk[4096];
		ssize_t	n;

		if (fcntl(pfd[0], F_SETFL, O_NONBLOCK) == -1 ||
		    (n = read(pfd[0], chunk, sizeof(chunk))) <= 0)
			break;
		certs_client_keep(buf, &len, chunk, (size_t)n);
	}
	close(pfd[0]);
	(void)kill(-pid, SIGKILL);	/* its hooks and helpers too */
	if (!exited)
		while (waitpid(pid, &status, 0) == -1 && errno == EINTR)
			;
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (buf[i] == '\0' || buf[i] == '\r')
			buf[i] = buf[i] == '\r' ? '\n' : ' ';
	if (killed && *why == NULL)
		*why = xasprintf("%s did not finish in %us (acme "
		    "order_timeout): stopped", argv[0], timeout_s);
out:
	for (size_t i = 0; env[i] != NULL; i++)
		free(env[i]);
	free(env);
	if (*why != NULL)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) :
	    128 + WTERMSIG(status);
}

bool
certs_client_found(const struct config *cfg, char **why)
{
	const char	*prog = certs_client_program(cfg);
	const char	*path = getenv("PATH");
	char		*copy, *dir, *save;
	bool		 found = false;

	copy = xstrdup(path != NULL ? path : "/usr/bin:/bin");
	for (dir = strtok_r(copy, ":", &save); dir != NULL && !found;
	    dir = strtok_r(NULL, ":", &save)) {
		char *file = xasprintf("%s/%s", *dir != '\0' ? dir : ".",
		    prog);

		found = access(file, X_OK) == 0;
		free(file);
	}
	free(copy);
	if (!found)
		*why = xasprintf("acme client %s: no %s program on PATH "
		    "(install the %s package)", prog, prog, prog);
	return found;
}

void
certs_client_order(const struct config *cfg, const char *host,
    struct certs_order *order)
{
	const struct acme_settings *acme = &cfg->cfg_acme;
	struct strvec	 argv = { 0 };
	char		*out = NULL, *why = NULL;
	int		 lockfd, status;

	memset(order, 0, sizeof(*order));
	if ((lockfd = certs_client_lock(acme->acme_client_dir, &why)) == -1) {
		order->or_message = why;
		order->or_fatal = true;
		return;
	}
	certs_client_argv(cfg, host, &argv);
	strvec_push(&argv, NULL);
	status = certs_client_spawn(cfg, argv.sv_items, acme->acme_order_timeout,
	    &out, &why);
	close(lockfd);
	if (status == 0)
		order->or_ok = true;
	else if (why != NULL) {
		order->or_message = why;
		order->or_fatal = strncmp(why, "cannot run", 10) == 0 ||
		    strncmp(why, "pipe:", 5) == 0;
	}
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
