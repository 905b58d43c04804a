# SPDX-License-Identifier: GPL-2.0-or-later
# The certificate directory removed, then recreated the way a person or a
# script does it: `mkdir` first (the daemon reloads, finds no certificate
# and refuses), the certificates copied in a second later. The copy into the
# new directory is a change like any other: the new certificates are served
# without a signal ("the next change retries"), which needs the daemon to
# watch the new directory although the reload that saw it was refused.
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
mark=$(log_mark)
mkdir certs
chmod 755 certs
await_log 2 "$mark" 'reload refused'
expect_steady 1 "$old" served_serial mta-sts.a.example
t0=$(now_ms)
cp -p pki/certs/a2.crt certs/mta-sts.a.example.crt
cp -p pki/certs/a2.key certs/mta-sts.a.example.key
await 3 "$new" served_serial mta-sts.a.example || {
	log_since "$mark" >&2
	fail "the certificates copied into the recreated directory are not served after 3 s (still $await_got)"
}
echo "new certificate served $(($(now_ms) - t0)) ms after the copy"
expect_clean_stop
