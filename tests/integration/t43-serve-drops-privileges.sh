# SPDX-License-Identifier: GPL-2.0-or-later
# Started as root with user nobody and group nogroup, the serving daemon
# (every thread of it) has real, effective, saved and filesystem uid and gid
# of nobody/nogroup, no supplementary group but nogroup, and no
# capabilities; it still serves on the port it bound as root.
. "$TOP/tests/integration/lib.sh"

if [ "$(id -u)" -ne 0 ]; then
	echo "not root: nothing to drop, skipped"
	exit 0
fi
uid=$(id -u nobody)
gid=$(getent group nogroup | cut -d: -f3)
[ -n "$uid" ] && [ -n "$gid" ] || fail "no user nobody or group nogroup"

fixture_daemon one.example
expect_eq "$(https mta-sts.one.example /.well-known/mta-sts.txt)" "200 1" "the policy"

tasks=0
for status in /proc/"$daemon_pid"/task/*/status; do
	tasks=$((tasks + 1))
	expect_eq "$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "$status")" "$uid $uid $uid $uid" "Uid in $status"
	expect_eq "$(awk '$1 == "Gid:" { print $2, $3, $4, $5 }' "$status")" "$gid $gid $gid $gid" "Gid in $status"
	expect_eq "$(awk '$1 == "Groups:" { $1 = ""; print substr($0, 2) }' "$status")" "$gid" "Groups in $status"
	for cap in CapEff CapPrm CapAmb; do
		expect_eq "$(awk -v c="$cap:" '$1 == c { print $2 }' "$status")" 0000000000000000 "$cap in $status"
	done
done
# The main thread and two workers at least.
[ "$tasks" -ge 3 ] || fail "only $tasks threads"
expect_clean_stop
