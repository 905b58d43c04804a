# SPDX-License-Identifier: GPL-2.0-or-later
# `serve` without --foreground returns 0 only once the daemon accepts on its
# port (the very first connection attempt after it returns succeeds), and the
# detached daemon, in a session of its own, keeps serving; a daemon that
# cannot start (its port taken) makes `serve` return 1.
. "$TOP/tests/integration/lib.sh"

fixture_daemon --no-start one.example
daemon_trap

# find_daemon: the pid of a daemon started on this test's configuration.
find_daemon() {
	for d in /proc/[0-9]*; do
		[ -r "$d/cmdline" ] || continue
		if tr '\0' ' ' < "$d/cmdline" 2>/dev/null |
		    grep -qF -- "serve -c $T/cfg.yaml"; then
			echo "${d#/proc/}"
		fi
	done
}

port_accepts "$port" && fail "port $port is in use already"
rc=0
timeout 20 "$MTA_STS_HOSTD" serve -c "$T/cfg.yaml" > out 2> err || rc=$?
# Whatever happened, stop what was started.
daemon_pids=$(find_daemon)
expect_eq "$rc" 0 "serve's exit status: $(cat err)"
port_accepts "$port" || fail "serve returned before the port accepted"
[ -n "$daemon_pids" ] || fail "no daemon running after serve returned"
expect_eq "$(echo $daemon_pids | wc -w)" 1 "daemons running"
daemon_pid=$daemon_pids
[ ! -s out ] || fail "serve wrote to stdout: $(cat out)"

# Detached: not our child, a session leader of its own, still serving.
[ "$(awk '{ print $4 }' /proc/$daemon_pid/stat)" != "$$" ] || fail "the daemon is the shell's child"
expect_eq "$(awk '{ print $6 }' /proc/$daemon_pid/stat)" "$daemon_pid" "session id of the daemon"
i=0
while [ $i -lt 5 ]; do
	expect_eq "$(https mta-sts.one.example /.well-known/mta-sts.txt)" "200 1" "GET $i from the detached daemon"
	expect_in body "mx: mx.one.example"
	sleep 0.2
	i=$((i + 1))
done

# A second one on the same port cannot listen: serve says so by its status.
rc=0
timeout 20 "$MTA_STS_HOSTD" serve -c "$T/cfg.yaml" > out2 2> err2 || rc=$?
daemon_pids=$(find_daemon)
expect_eq "$rc" 1 "serve's exit status when the port is taken"
expect_in err2 "cannot listen on 127.0.0.1:$port: the address is in use"
expect_eq "$(find_daemon)" "$daemon_pid" "daemons running after the failed start"

kill -TERM "$daemon_pid"
daemon_await_exit 10 SIGTERM
port_accepts "$port" && fail "the port still accepts after the daemon exited"
true
