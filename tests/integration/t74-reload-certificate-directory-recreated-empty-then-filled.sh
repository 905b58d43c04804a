# SPDX-License-Identifier: GPL-2.0-or-later
# The certificate directory removed (the daemon reloads, finds no
# certificate and refuses), then recreated the way a person or a script
# does it: `mkdir` first, the certificates copied in a second later. The copy into the
# new directory is a change like any other: the new certificates are served
# without a signal ("the next change retries"), which needs the daemon to
# watch the new directory although the reload that saw it was refused.
# Events that name a directory, not a file, make the daemon look at every
# file (a stat each, as SIGHUP does) and read only what changed, not read
# every file again: a directory made next to the configuration, which
# nothing names, changes nothing.
. "$TOP/tests/integration/lib.sh"

cert_versions a.example 1 2
install_cert pki/certs/a1 certs/mta-sts.a.example
old=$(file_serial pki/certs/a1.crt)
new=$(file_serial pki/certs/a2.crt)
fixture_daemon a.example
expect_eq "$(served_serial mta-sts.a.example)" "$old" "a at start"
mark=$(log_mark)
rm -rf certs
await_log 2 "$mark" 'reload refused'
expect_log_since "$mark" 'reload: 0 customer and certificate files looked at, 1 new, changed or gone'
expect_no_log_since "$mark" 'reading every file'
mark=$(log_mark)
mkdir certs
chmod 755 certs
# Nothing new to read: the name stays kept as it was.
await_log 2 "$mark" 'reloaded in|reload refused'
expect_no_log_since "$mark" 'reading every file'
expect_steady 1 "$old" served_serial mta-sts.a.example
t0=$(now_ms)
cp -p pki/certs/a2.crt certs/mta-sts.a.example.crt
cp -p pki/certs/a2.key certs/mta-sts.a.example.key
await 3 "$new" served_serial mta-sts.a.example || {
	log_since "$mark" >&2
	fail "the certificates copied into the recreated directory are not served after 3 s (still $await_got)"
}
echo "new certificate served $(($(now_ms) - t0)) ms after the copy"
sleep 0.5	# the copy's reload passes
mark=$(log_mark)
mkdir state
await_log 2 "$mark" 'reloaded in'
expect_log_since "$mark" 'reload: 1 customer and certificate files looked at, 0 new, changed or gone'
expect_log_since "$mark" 'reloaded in .*: serving 1 of 1 domains \(0 added, 0 removed, 0 policies and 0 certificates changed\)'
expect_no_log_since "$mark" 'reading every file'
expect_eq "$(served_serial mta-sts.a.example)" "$new" "a after a directory made beside"
expect_clean_stop
