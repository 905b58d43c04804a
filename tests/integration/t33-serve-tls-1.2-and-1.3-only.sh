# SPDX-License-Identifier: GPL-2.0-or-later
# TLS 1.2 and TLS 1.3 handshakes both succeed and verify, with an ECDSA and
# an RSA certificate; a TLS 1.1 (or older) client is refused with the
# protocol_version alert and gets no certificate.
. "$TOP/tests/integration/lib.sh"

mkpki pki --rsa mta-sts.rsa.example
fixture_daemon ec.example rsa.example

for name in mta-sts.ec.example mta-sts.rsa.example; do
	for v in 1.2 1.3; do
		echo | timeout 10 openssl s_client -tls$(echo $v | tr . _) \
		    -connect "127.0.0.1:$port" -servername "$name" \
		    -CAfile ca.crt -verify_return_error -verify_hostname "$name" \
		    > s.out 2>&1 || fail "TLS $v to $name: $(cat s.out)"
		expect_in s.out "New, TLSv$v, Cipher is"
		expect_in s.out "Verify return code: 0 (ok)"
		expect_eq "$(https $name /.well-known/mta-sts.txt --tlsv$v --tls-max $v -v 2> curl.err)" "200 1" "curl TLS $v to $name"
		expect_in curl.err "SSL connection using TLSv$v"
	done
	for v in -tls1_1 -tls1; do
		rc=0
		# SECLEVEL=0 so the client really offers the old version.
		echo | timeout 10 openssl s_client $v -cipher 'DEFAULT:@SECLEVEL=0' \
		    -connect "127.0.0.1:$port" -servername "$name" -CAfile ca.crt \
		    > s.out 2>&1 || rc=$?
		[ "$rc" -ne 0 ] || fail "$v to $name succeeded: $(cat s.out)"
		expect_not_in s.out "no protocols available"
		expect_in s.out "SSL alert number 70"
		expect_not_in s.out "BEGIN CERTIFICATE"
	done
done
[ "$(grep -c 'handshake failed' daemon.log)" -ge 4 ] ||
	fail "the refused handshakes are not logged: $(cat daemon.log)"
expect_clean_stop
