# SPDX-License-Identifier: GPL-2.0-or-later
# A SIGHUP that arrives while the daemon is still reading its files (at a
# million customers that takes minutes: an ACME hook may renew meanwhile)
# does not end the process: the daemon finishes starting, serves, and then
# reloads. Here 50,000 customer files make the reading last long enough
# for the signal to land in it.
. "$TOP/tests/integration/lib.sh"

fixture_daemon --no-start --customer one.example
python3 - <<'PY'
for i in range(50000):
    with open(f"domains.d/empty{i:05d}.yaml", "w") as f:
        f.write("domains: {}\n")
PY
daemon_trap
"$MTA_STS_HOSTD" serve --foreground -c cfg.yaml 2>>daemon.log &
daemon_pid=$!
daemon_pids="$daemon_pids $daemon_pid"
sleep 0.1
grep -q 'started:' daemon.log && fail "started before the signal: too few files to test this"
daemon_signal HUP
wait_for 20 port_accepts "$port" || {
	tail -5 daemon.log >&2
	fail "the daemon did not start after a SIGHUP while it read its files"
}
expect_policy mta-sts.one.example policies/one.example
await_log 10 0 'SIGHUP: reloading'
await_log 10 0 'reload.*serving 1 of 1 domains|nothing (has )?changed|as they were'
expect_in daemon.log 'started: serving 1 of 1 domains'
expect_clean_stop
