# SPDX-License-Identifier: GPL-2.0-or-later
# A renewal that writes the new key 1.5 s before the new certificate: while
# the key does not match the certificate, the reload is refused (the log
# names the key file and says the name would no longer be served) and the
# old certificate, with its old key, is still served; once the certificate
# is written the new serial is served. Done with files rewritten in place,
# then with files renamed into place.
. "$TOP/tests/integration/lib.sh"

cert_versions a.example 1 2 3
install_cert pki/certs/a1 certs/mta-sts.a.example
fixture_daemon a.example b.example
id_a=$(policy_id policies/a.example)
serial_b=$(file_serial certs/mta-sts.b.example.crt)
expect_eq "$(served_serial mta-sts.a.example)" "$(file_serial pki/certs/a1.crt)" "a at start"

# put HOW EXT N: pki/certs/aN.EXT written as certs/mta-sts.a.example.EXT,
# by HOW: inplace (rewritten) or rename (a new file renamed over it).
put() {
	case $1 in
	inplace) cat "pki/certs/a$3.$2" > "certs/mta-sts.a.example.$2" ;;
	rename)
		cp -p "pki/certs/a$3.$2" "certs/.new.$2"
		mv "certs/.new.$2" "certs/mta-sts.a.example.$2"
		;;
	esac
}
# renew FROM TO HOW: key aTO written (by HOW), 1.5 s of the old certificate
# aFROM, then certificate aTO and its serial within 3 s.
renew() {
	old=$(file_serial "pki/certs/a$1.crt")
	new=$(file_serial "pki/certs/a$2.crt")
	mark=$(log_mark)
	put "$3" key "$2"
	t0=$(now_ms)
	await_log 2 "$mark" 'reload refused.*mta-sts\.a\.example would no longer be served'
	expect_log_since "$mark" 'error: ([^ ]*/)?certs/mta-sts\.a\.example\.key: the private key does not match the certificate in ([^ ]*/)?certs/mta-sts\.a\.example\.crt'
	# The old pair, verified by curl, until 1.5 s after the key changed.
	while [ $(($(now_ms) - t0)) -lt 1500 ]; do
		expect_eq "$(served_serial mta-sts.a.example)" "$old" "a between key and certificate ($3)"
		expect_eq "$(served_id mta-sts.a.example)" "$id_a" "a's policy between key and certificate ($3)"
		sleep 0.2
	done
	put "$3" crt "$2"
	t0=$(now_ms)
	expect_served 3 "$new" served_serial mta-sts.a.example
	echo "$3: new certificate served $(($(now_ms) - t0)) ms after it was written"
	expect_eq "$(served_id mta-sts.a.example)" "$id_a" "a's policy with the new certificate ($3)"
	expect_eq "$(served_serial mta-sts.b.example)" "$serial_b" "b after a's renewal ($3)"
}
renew 1 2 inplace
renew 2 3 rename
expect_clean_stop
