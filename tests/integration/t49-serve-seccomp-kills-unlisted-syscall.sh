# SPDX-License-Identifier: GPL-2.0-or-later
# A system call outside the allow-list kills the whole daemon. The test
# build (seccomp-test/mta-sts-hostd next to the binary under test, which
# `make integration` builds) has a thread, started before the filter and so
# covered only because the filter is synchronised onto every thread, that on
# SIGUSR1 tries to run a program (execve): the daemon serves a policy with
# the filter in every thread, and after SIGUSR1 it is gone, killed by
# SIGSYS (exit status 128 + 31 under --foreground), with no program run.
# The binary under test has no such trigger.
. "$TOP/tests/integration/lib.sh"

test_bin=$(dirname "$MTA_STS_HOSTD")/seccomp-test/mta-sts-hostd
[ -x "$test_bin" ] ||
	fail "$test_bin is not built: make $(basename "$(dirname "$MTA_STS_HOSTD")")/seccomp-test/mta-sts-hostd (make integration builds it)"
! grep -qF "test build: SIGUSR1" "$MTA_STS_HOSTD" ||
	fail "$MTA_STS_HOSTD contains the test build's trigger"
grep -qF "test build: SIGUSR1" "$test_bin" ||
	fail "$test_bin has no trigger"

fixture_daemon --no-start one.example
MTA_STS_HOSTD=$test_bin
daemon_start
expect_in daemon.log "test build: SIGUSR1 makes a thread call execve"
expect_eq "$(https mta-sts.one.example /.well-known/mta-sts.txt)" "200 1" "GET from the test build"
expect_in body "mode: enforce"
for s in /proc/"$daemon_pid"/task/*/status; do
	expect_eq "$(awk '$1 == "Seccomp:" { print $2 }' "$s")" 2 "Seccomp: in $s"
done
# main, two workers and the trigger's thread (ThreadSanitizer's own, in
# that build, is stopped before the privileges are dropped)
expect_eq "$(awk '$1 == "Threads:" { print $2 }' "/proc/$daemon_pid/status")" 4 "threads"

daemon_signal USR1
daemon_await_exit 10 "the forbidden system call"
rc=0
wait "$daemon_pid" || rc=$?
expect_eq "$rc" 159 "exit status (128 + SIGSYS)"
! port_accepts "$port" || fail "something still accepts on $port"
