# SPDX-License-Identifier: GPL-2.0-or-later
# The shipped systemd unit passes systemd-analyze verify, and
# systemd-analyze security rates its exposure 1.5 or lower.
. "$TOP/tests/integration/lib.sh"

unit=$TOP/packaging/systemd/mta-sts-hostd.service
# The unit names the installed binary; verify it against the built one.
sed "s|/usr/sbin/mta-sts-hostd|$MTA_STS_HOSTD|" "$unit" > mta-sts-hostd.service
# The Documentation= man pages are not installed here.
systemd-analyze verify --man=no ./mta-sts-hostd.service > verify.log 2>&1 ||
	{ cat verify.log; fail "systemd-analyze verify failed"; }
[ ! -s verify.log ] || { cat verify.log; fail "systemd-analyze verify complained"; }

systemd-analyze security --offline=true ./mta-sts-hostd.service > security.log 2>&1 ||
	true
level=$(sed -n 's/.*Overall exposure level for mta-sts-hostd.service: \([0-9.]*\).*/\1/p' security.log)
[ -n "$level" ] || { cat security.log; fail "no exposure level"; }
awk -v l="$level" 'BEGIN { exit !(l <= 1.5) }' ||
	{ grep '✗' security.log; fail "exposure $level is above 1.5"; }
echo "exposure $level"
