# SPDX-License-Identifier: GPL-2.0-or-later
# Settings that only a restart can apply: a reload that changes `listen`
# and `user`/`group` logs that each takes effect at the next restart, still
# applies the rest of the change (the new policy is served), and the daemon
# keeps listening where it was, as the user it was (the new port stays
# closed). The same for `workers` and `limits`. (Changing them back: t76.)
. "$TOP/tests/integration/lib.sh"

fixture_restart
restart_yaml "$port2" daemon:daemon 2 1000 enforce > staged/listen-user.yaml
restart_yaml "$port2" daemon:daemon 3 500 enforce > staged/workers-limits.yaml
id_new=$(config_id staged/listen-user.yaml a.example)
uid=$(id -u nobody)

daemon_start
# expect_same_process: still listening on $port only, every thread nobody.
expect_same_process() {
	port_accepts "$port" || fail "no longer listening on 127.0.0.1:$port"
	! port_accepts "$port2" || fail "listening on the new port $port2 without a restart"
	for status in /proc/"$daemon_pid"/task/*/status; do
		expect_eq "$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "$status")" "$uid $uid $uid $uid" "Uid in $status"
	done
	# main and 2 workers (ThreadSanitizer's own, in that build, is
	# stopped before the privileges are dropped)
	expect_eq "$(awk '$1 == "Threads:" { print $2 }' "/proc/$daemon_pid/status")" 3 "threads (main and 2 workers)"
}

# ---- listen, user and group
config_replace staged/listen-user.yaml
expect_log_since "$mark" 'warning: reload: the new listen addresses take effect at the next restart'
expect_log_since "$mark" 'warning: reload: the new user and group take effect at the next restart'
expect_no_log_since "$mark" 'workers and limits'
expect_eq "$(served_id mta-sts.a.example)" "$id_new" "the new policy on the old port"
expect_same_process

# ---- workers and limits
config_replace staged/workers-limits.yaml
expect_log_since "$mark" 'warning: reload: new workers and limits take effect at the next restart'
expect_same_process

expect_clean_stop
