# SPDX-License-Identifier: GPL-2.0-or-later
# A certificate directory that is not in the configuration's directory
# (/etc/mta-sts-hostd/mta-sts-hostd.yaml naming /var/lib/.../tls, here
# etc/ and srv/tls) removed and recreated with new certificates: once it is
# back, the new certificates are served without a signal (the daemon has to
# notice a directory it was built from coming back, wherever it is).
. "$TOP/tests/integration/lib.sh"

cert_versions a.example 1 2
install_cert pki/certs/a1 srv/tls/mta-sts.a.example
install_cert pki/certs/a2 staged/mta-sts.a.example
old=$(file_serial pki/certs/a1.crt)
new=$(file_serial pki/certs/a2.crt)
fixture_daemon --config etc/cfg.yaml --no-certs --certs "{directory: $T/srv/tls}" \
    a.example
expect_eq "$(served_serial mta-sts.a.example)" "$old" "a at start"
mark=$(log_mark)
rm -rf srv/tls
await_log 2 "$mark" 'reload refused'
expect_steady 1 "$old" served_serial mta-sts.a.example
mark=$(log_mark)
t0=$(now_ms)
cp -rp staged srv/tls
await 3 "$new" served_serial mta-sts.a.example || {
	log_since "$mark" >&2
	fail "the recreated certificate directory is not picked up after 3 s (still $await_got)"
}
echo "new certificate served $(($(now_ms) - t0)) ms after the directory came back"
expect_clean_stop
