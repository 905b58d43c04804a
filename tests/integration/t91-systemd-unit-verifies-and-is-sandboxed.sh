# SPDX-License-Identifier: GPL-2.0-or-later
# The shipped systemd units pass systemd-analyze verify; systemd-analyze
# security rates the daemon's exposure 1.5 or lower, and that of the
# certificate pass (root, to install keys for the service group) 2.5 or
# lower.
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

# The certificate pass: its service, the timer and the path unit that
# start it.
for u in mta-sts-hostd-certs.service mta-sts-hostd-certs.timer \
    mta-sts-hostd-certs.path; do
	sed "s|/usr/sbin/mta-sts-hostd|$MTA_STS_HOSTD|" \
	    "$TOP/packaging/systemd/$u" > "$u"
done
systemd-analyze verify --man=no ./mta-sts-hostd-certs.service \
    ./mta-sts-hostd-certs.timer ./mta-sts-hostd-certs.path > verify.log 2>&1 ||
	{ cat verify.log; fail "systemd-analyze verify failed (certs units)"; }
[ ! -s verify.log ] || { cat verify.log; fail "systemd-analyze verify complained (certs units)"; }
expect_in mta-sts-hostd-certs.service "ExecStart=$MTA_STS_HOSTD certs run -c /etc/mta-sts-hostd/mta-sts-hostd.yaml"
expect_in mta-sts-hostd-certs.path "Unit=mta-sts-hostd-certs.service"
systemd-analyze security --offline=true ./mta-sts-hostd-certs.service \
    > security.log 2>&1 || true
level=$(sed -n 's/.*Overall exposure level for mta-sts-hostd-certs.service: \([0-9.]*\).*/\1/p' security.log)
[ -n "$level" ] || { cat security.log; fail "no exposure level (certs)"; }
awk -v l="$level" 'BEGIN { exit !(l <= 2.5) }' ||
	{ grep '✗' security.log; fail "certs exposure $level is above 2.5"; }
echo "certs exposure $level"
