# SPDX-License-Identifier: GPL-2.0-or-later
# The restart notes compare with what the running process uses: `listen`,
# `user`/`group`, `workers` and `limits` changed (logged as taking effect at
# the next restart), then changed back to the values the daemon runs with:
# that reload says nothing about a restart (nothing would change), while the
# daemon keeps serving on its port with the new policy.
. "$TOP/tests/integration/lib.sh"

fixture_restart
restart_yaml "$port2" daemon:daemon 3 500 enforce > staged/changed.yaml
restart_yaml "$port" nobody:nogroup 2 1000 none > staged/back.yaml
id_back=$(config_id staged/back.yaml a.example)

daemon_start
config_replace staged/changed.yaml
[ "$(log_count_since "$mark" 'take effect at the next restart')" -eq 3 ] ||
	fail "expected 3 restart notes: $(log_since "$mark")"
config_replace staged/back.yaml
expect_eq "$(served_id mta-sts.a.example)" "$id_back" "the policy after going back"
port_accepts "$port" || fail "no longer listening on 127.0.0.1:$port"
expect_no_log_since "$mark" 'take effect at the next restart'
expect_clean_stop
