/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <errno.h>
#include <linux/capability.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef __SANITIZE_THREAD__
#include <sanitizer/common_interface_defs.h>
#endif

#include "privdrop.h"

int
privdrop(const char *user, const char *group, char *err, size_t errlen)
{
	struct passwd	*pw;
	struct group	*gr;
	struct rlimit	 core = { 0, 0 };

	/* No core file may carry a private key out of the process. */
	setrlimit(RLIMIT_CORE, &core);
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	if (geteuid() != 0)
		return 0;
	if ((pw = getpwnam(user)) == NULL) {
		snprintf(err, errlen, "user '%s' does not exist: create it "
		    "(adduser --system --group %s) or set server.user", user,
		    user);
		return -1;
	}
	if ((gr = getgrnam(group)) == NULL) {
		snprintf(err, errlen, "group '%s' does not exist: create it "
		    "or set server.group", group);
		return -1;
	}
	if (pw->pw_uid == 0 || gr->gr_gid == 0) {
		snprintf(err, errlen, "server.user and server.group must not "
		    "be root");
		return -1;
	}
	if (setgroups(1, &gr->gr_gid) == -1 ||
	    setresgid(gr->gr_gid, gr->gr_gid, gr->gr_gid) == -1 ||
	    setresuid(pw->pw_uid, pw->pw_uid, pw->pw_uid) == -1) {
		snprintf(err, errlen, "cannot become %s:%s: %s", user, group,
		    strerror(errno));
		return -1;
	}
	/* Leaving root must be for good. */
	if (setuid(0) != -1 || seteuid(0) != -1) {
		snprintf(err, errlen, "root privileges could be regained");
		return -1;
	}
	return 0;
}

int
privdrop_capabilities(char *err, size_t errlen)
{
	struct __user_cap_header_struct	hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct	data[2] = { { 0 }, { 0 } };

	/*
	 * Capabilities are a thread's: capset(2) drops the caller's alone.
	 * The daemon has no other thread here (the loading threads are
	 * joined), but ThreadSanitizer's runtime keeps one of its own from the
	 * first thread started on: told that a sandbox comes, it stops it.
	 */
#ifdef __SANITIZE_THREAD__
	__sanitizer_sandbox_on_notify(&(__sanitizer_sandbox_arguments){ 0 });
#endif
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1 &&
	    errno != EINVAL) {
		snprintf(err, errlen, "cannot clear ambient capabilities: %s",
		    strerror(errno));
		return -1;
	}
	/* glibc has no wrapper; libcap would be a dependency for one call. */
	if (syscall(SYS_capset, &hdr, data) == -1) {
		snprintf(err, errlen, "cannot drop capabilities: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}
