/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The allow-list admits what the daemon does once it has started, and
 * nothing else: serving (the workers' event loops, the relay, libmicrohttpd,
 * the ACME and metrics listeners), reloading (reading the configuration and
 * the certificates, inotify), logging (standard error, syslog's socket),
 * sd_notify, and the shutdown. Any other system call kills the whole
 * process, not only its thread: a worker that has been taken over must not
 * carry on. So does a call through another ABI than the native x86_64 one
 * (i386's int 0x80, x32), which the list does not speak for.
 *
 * Within the list, arguments narrow what start-up alone needed: after it,
 * files are only read, the only sockets made are AF_UNIX ones (the relay's
 * socketpairs, syslog, sd_notify), no memory becomes executable, and new
 * threads may start (libmicrohttpd's listeners start after the filter) but
 * no new process, nor any program.
 *
 * The systemd unit's SystemCallFilter stays as a second layer around it.
 */
#include "seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#ifdef MTA_STS_SECCOMP_TEST
#include <pthread.h>
#include <signal.h>
#include <unistd.h>
#endif

#include "log.h"

/* Allowed whatever the arguments. */
static const int seccomp_calls[] = {
	/* Memory, locks, threads' own set-up and end, every thread. */
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(rseq),
	SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* Signals: the main thread's signalfd, glibc's masks around clone
	 * and the handler it sets up at the first pthread_create. */
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(restart_syscall),
	/* Time, where the vDSO falls back to the kernel; wolfSSL's and the
	 * session tickets' randomness. */
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(time),
	SCMP_SYS(getrandom),
	/* syslog's LOG_PID; sd_notify's credentials. */
	SCMP_SYS(getpid), SCMP_SYS(getuid), SCMP_SYS(geteuid),
	SCMP_SYS(getgid), SCMP_SYS(getegid),
	/* Serving: event loops, connections, the relay's socketpairs,
	 * libmicrohttpd's sockets. */
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_ctl), SCMP_SYS(poll),
	SCMP_SYS(accept4), SCMP_SYS(read), SCMP_SYS(write),
	SCMP_SYS(recvfrom), SCMP_SYS(sendto), SCMP_SYS(sendmsg),
	SCMP_SYS(shutdown), SCMP_SYS(close), SCMP_SYS(fcntl),
	SCMP_SYS(setsockopt), SCMP_SYS(getsockopt), SCMP_SYS(getsockname),
	/* The ACME and metrics listeners' libmicrohttpd, which starts after
	 * the filter so that its threads are under it. */
	SCMP_SYS(epoll_create1),
	/* syslog's and sd_notify's sockets (AF_UNIX only, below); standard
	 * input and output onto /dev/null once detached. */
	SCMP_SYS(connect), SCMP_SYS(dup2),
	/* Reloading and the ACME webroot: reading files and directories,
	 * realpath (readlink, getcwd), glob (faccessat2, or faccessat before
	 * Linux 5.8), and the watches. */
	SCMP_SYS(newfstatat), SCMP_SYS(getdents64), SCMP_SYS(readlink),
	SCMP_SYS(getcwd), SCMP_SYS(faccessat2), SCMP_SYS(faccessat),
	SCMP_SYS(inotify_add_watch), SCMP_SYS(inotify_rm_watch),
#ifdef MTA_STS_SECCOMP_TEST
	/* The test trigger's thread waits in it (see below). */
	SCMP_SYS(rt_sigtimedwait),
#endif
#ifdef __SANITIZE_ADDRESS__
	/*
	 * The AddressSanitizer build only: a signal stack per thread and its
	 * stack bounds (sched_getaffinity, in pthread_getattr_np), thread ids
	 * in reports; at exit, LeakSanitizer's tracer, a process (clone
	 * without CLONE_THREAD) that makes the daemon traceable (prctl),
	 * attaches to every thread (ptrace, wait4) found in /proc/self/task
	 * (getdents, lseek, fstat) and reads its registers, while the daemon
	 * yields.
	 */
	SCMP_SYS(sigaltstack), SCMP_SYS(sched_getaffinity), SCMP_SYS(gettid),
	SCMP_SYS(clone), SCMP_SYS(prctl), SCMP_SYS(ptrace), SCMP_SYS(wait4),
	SCMP_SYS(getppid), SCMP_SYS(getdents), SCMP_SYS(lseek),
	SCMP_SYS(fstat), SCMP_SYS(sched_yield),
#endif
#ifdef __SANITIZE_THREAD__
	/* The ThreadSanitizer build only: its background thread sleeps, and
	 * its reports name threads, read their stack bounds and the maps. */
	SCMP_SYS(nanosleep), SCMP_SYS(gettid), SCMP_SYS(sched_getaffinity),
	SCMP_SYS(sched_yield),
	SCMP_SYS(fstat),
#endif
};

/* An int argument is the register's low half; the kernel ignores the rest. */
#define SECCOMP_INT_MASK	0xffffffffu

/* Allowed when one argument, masked, equals a value. */
struct seccomp_rule {
	int		sr_call;
	unsigned	sr_arg;
	uint64_t	sr_mask;
	uint64_t	sr_value;
};

static const struct seccomp_rule seccomp_rules[] = {
	/* Files are opened for reading only. */
	{ SCMP_SYS(openat), 2, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY },
	/* No memory becomes executable. */
	{ SCMP_SYS(mmap), 2, PROT_EXEC, 0 },
	{ SCMP_SYS(mprotect), 2, PROT_EXEC, 0 },
	/* New sockets are local ones: no connection out to the network. */
	{ SCMP_SYS(socket), 0, SECCOMP_INT_MASK, AF_UNIX },
	{ SCMP_SYS(socketpair), 0, SECCOMP_INT_MASK, AF_UNIX },
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	/* The sanitizer builds: their runtimes open files with open, not
	 * openat; their reports ask whether standard error is a terminal. */
	{ SCMP_SYS(open), 1, O_ACCMODE | O_CREAT | O_TRUNC, O_RDONLY },
	{ SCMP_SYS(ioctl), 1, SECCOMP_INT_MASK, TCGETS },
#endif
#ifndef __SANITIZE_ADDRESS__
	/* Threads, never a process. */
	{ SCMP_SYS(clone), 0, CLONE_THREAD, CLONE_THREAD },
	/* libmicrohttpd names its threads. */
	{ SCMP_SYS(prctl), 0, SECCOMP_INT_MASK, PR_SET_NAME },
#endif
};

#ifdef MTA_STS_SECCOMP_TEST
/*
 * The test build (make build/seccomp-test/mta-sts-hostd; never installed)
 * proves the filter: a thread started before it, so covered only because
 * the filter is synchronised onto every thread, waits for SIGUSR1 and then
 * tries to run a program, which no build allows.
 */
static void *
seccomp_test_trigger(void *arg)
{
	static char	 name[] = "true";
	char		*argv[] = { name, NULL };
	sigset_t	 usr1;
	int		 sig;

	(void)arg;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (sigwait(&usr1, &sig) == 0)
		execve("/bin/true", argv, environ);
	return NULL;
}

static int
seccomp_test_start(char *err, size_t errlen)
{
	sigset_t	usr1;
	pthread_t	t;

	/* Blocked everywhere, threads started later included, so that only
	 * the trigger's sigwait takes it. */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &usr1, NULL);
	if (pthread_create(&t, NULL, seccomp_test_trigger, NULL) != 0) {
		snprintf(err, errlen, "test build: cannot start the trigger");
		return -1;
	}
	pthread_detach(t);
	log_info("test build: SIGUSR1 makes a thread call execve");
	return 0;
}
#endif

static int
seccomp_fill(scmp_filter_ctx ctx, const char **what)
{
	int rc;

	*what = "seccomp_attr_set";
	/* Any thread that exists, not only this one (none should yet). */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0)
		return rc;
	*what = "seccomp_rule_add";
	for (size_t i = 0; i < sizeof(seccomp_calls) / sizeof(seccomp_calls[0]);
	    i++)
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, seccomp_calls[i],
		    0)) < 0)
			return rc;
	for (size_t i = 0; i < sizeof(seccomp_rules) / sizeof(seccomp_rules[0]);
	    i++) {
		const struct seccomp_rule *r = &seccomp_rules[i];

		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, r->sr_call, 1,
		    SCMP_CMP(r->sr_arg, SCMP_CMP_MASKED_EQ, r->sr_mask,
		    r->sr_value))) < 0)
			return rc;
	}
	/* glibc starts threads with clone3 first, whose flags a filter cannot
	 * see; told it does not exist, it uses clone. */
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3),
	    0);
}

/* What to do when the filter cannot go in. */
#define SECCOMP_ADVICE	"if a service manager's own filter refuses the " \
			"seccomp system call, allow it (systemd: " \
			"SystemCallFilter=seccomp); or set server.seccomp: false"

int
seccomp_install(char *err, size_t errlen)
{
	scmp_filter_ctx	 ctx;
	const char	*what = "seccomp_rule_add";
	int		 rc;

	if (seccomp_arch_native() != SCMP_ARCH_X86_64) {
		snprintf(err, errlen, "the system call allow-list is for x86_64 "
		    "only: set server.seccomp: false");
		return -1;
	}
#ifdef MTA_STS_SECCOMP_TEST
	if (seccomp_test_start(err, errlen) == -1)
		return -1;
#endif
	/* NULL also when libseccomp's probes of the seccomp call fail, or
	 * the kernel cannot kill a whole process (before 4.14). */
	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL) {
		snprintf(err, errlen, "cannot install the system call "
		    "allow-list: the seccomp system call is unusable here "
		    "(refused, not emulated as under valgrind, or a kernel "
		    "before 4.14); " SECCOMP_ADVICE);
		return -1;
	}
	if ((rc = seccomp_fill(ctx, &what)) >= 0) {
		what = "seccomp_load";
		rc = seccomp_load(ctx);
	}
	seccomp_release(ctx);
	if (rc < 0) {
		snprintf(err, errlen, "cannot install the system call "
		    "allow-list: %s: %s; " SECCOMP_ADVICE, what, strerror(-rc));
		return -1;
	}
	log_info("system call allow-list installed: %zu calls, any other "
	    "ends the process",
	    sizeof(seccomp_calls) / sizeof(seccomp_calls[0]) +
	    sizeof(seccomp_rules) / sizeof(seccomp_rules[0]));
	return 0;
}
