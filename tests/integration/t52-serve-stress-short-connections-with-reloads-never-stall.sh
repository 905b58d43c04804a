# SPDX-License-Identifier: GPL-2.0-or-later
# Many short connections at once, each with its handshake written in small
# pieces over several TCP segments and one to three pipelined requests,
# while the daemon reloads every 50 ms (SIGHUP) and the main file is
# renamed over by an editor every 250 ms: every answer is the policy, and no
# step of any connection (the handshake, each answer) waits a second or
# more. Bounded: 1500 connections or 60 s. make bench runs it longer
# (BENCH_ONLY=stress).
. "$TOP/tests/integration/lib.sh"

fixture_daemon one.example

"$TOP/tests/tools/stress" "$port" mta-sts.one.example policies/one.example \
    --threads 12 --connections 1500 --seconds 60 --stall 1 \
    --reload-pid "$daemon_pid" --reload-every 0.05 > stress.sighup ||
	{ cat stress.sighup; fail "stalls or failures with SIGHUP reloads"; }
cat stress.sighup
"$TOP/tests/tools/stress" "$port" mta-sts.one.example policies/one.example \
    --threads 12 --connections 1500 --seconds 60 --stall 1 \
    --reload-file cfg.yaml --reload-every 0.25 > stress.edit ||
	{ cat stress.edit; fail "stalls or failures with edits of the main file"; }
cat stress.edit
# The reloads happened, and none was refused.
[ "$(grep -c 'reloaded in' daemon.log)" -ge 20 ] ||
	fail "only $(grep -c 'reloaded in' daemon.log) reloads"
expect_not_in daemon.log "reload refused"
proc_alive "$daemon_pid" || fail "the daemon died"
