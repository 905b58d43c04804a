# SPDX-License-Identifier: GPL-2.0-or-later
# The system call allow-list is on by default and covers every thread of
# the daemon (Seccomp: 2 in each /proc/PID/task/*/status: the workers, the
# ACME and metrics listeners' threads, the main thread); under it the
# daemon serves policies, ACME challenges and metrics, and reloads both on a
# file change (inotify) and on SIGHUP, serving the new policy each time. A
# reload that turns `server.seccomp` off says it needs a restart and the
# filter stays; restarted with `seccomp: false`, no thread has a filter.
. "$TOP/tests/integration/lib.sh"

fixture_prepare one.example
mkdir staged
mkdir -p webroot/.well-known/acme-challenge
mport=$(free_port)
aport=$(free_port)
token=LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0
printf '%s.key-authorization' "$token" > "webroot/.well-known/acme-challenge/$token"
chmod -R 755 webroot
# config SECCOMP MODE
config() {
	daemon_yaml --server "seccomp: $1" \
	    --yaml "metrics: {listen: [\"127.0.0.1:$mport\"]}" \
	    --yaml "acme: {listen: [\"127.0.0.1:$aport\"], webroot: webroot}" \
	    one.example="$2"
}
config true testing > cfg.yaml
for mode in enforce none; do
	config true "$mode" > "staged/$mode.yaml"
	config_id "staged/$mode.yaml" one.example > "staged/$mode.id"
done
config false none > staged/off.yaml

# seccomp_modes: the Seccomp: field of every thread, distinct values.
seccomp_modes() {
	for _s in /proc/"$daemon_pid"/task/*/status; do
		awk '$1 == "Seccomp:" { print $2 }' "$_s"
	done | sort -u | tr '\n' ' ' | sed 's/ $//'
}
threads() {
	awk '$1 == "Threads:" { print $2 }' "/proc/$daemon_pid/status"
}
# side_listeners: an ACME challenge and a metrics scrape are answered.
side_listeners() {
	expect_eq "$(curl -s -o probe/acme -w '%{http_code}' \
	    -H 'Host: mta-sts.one.example' \
	    "http://127.0.0.1:$aport/.well-known/acme-challenge/$token")" 200 \
	    "ACME challenge ($1)"
	expect_in probe/acme "$token.key-authorization"
	curl -sf "http://127.0.0.1:$mport/metrics" > probe/metrics ||
		fail "metrics scrape ($1)"
	expect_in probe/metrics "mta_sts_domains_served 1"
}

daemon_start
expect_in daemon.log "system call allow-list installed"
await_http "http://127.0.0.1:$mport/healthz" -f
# main, two workers, and a thread for each side listener at least
[ "$(threads)" -ge 5 ] || fail "$(threads) threads, expected at least 5"
expect_eq "$(seccomp_modes)" 2 "Seccomp: of every thread"
expect_eq "$(https mta-sts.one.example /.well-known/mta-sts.txt)" "200 1" "GET under the filter"
expect_in body "mode: testing"
side_listeners "at start"

# A file change: the watcher's reload reads the files under the filter.
replace_file staged/enforce.yaml cfg.yaml
expect_served 5 "$(cat staged/enforce.id)" served_id mta-sts.one.example

# SIGHUP.
cp staged/none.yaml cfg.yaml
hup_reload 5
expect_served 5 "$(cat staged/none.id)" served_id mta-sts.one.example
expect_no_log_since "$mark" 'reload refused'
proc_alive "$daemon_pid" || fail "the daemon died reloading"
expect_eq "$(seccomp_modes)" 2 "Seccomp: after the reloads"
side_listeners "after the reloads"

# Turning it off needs a restart: the filter stays.
config_replace staged/off.yaml 5
expect_log_since "$mark" 'warning: reload: the new seccomp setting takes effect at the next restart'
expect_eq "$(seccomp_modes)" 2 "Seccomp: after a reload turned it off"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM, under the filter"

mark=$(log_mark)
daemon_start
await_http "http://127.0.0.1:$mport/healthz" -f
expect_eq "$(seccomp_modes)" 0 "Seccomp: with seccomp: false"
expect_no_log_since "$mark" "allow-list installed"
expect_eq "$(https mta-sts.one.example /.well-known/mta-sts.txt)" "200 1" "GET without the filter"
expect_in body "mode: none"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM, without the filter"
