# A renewal that writes the new key 1.5 s before the new certificate: while
# the key does not match the certificate, the reload is refused (the log
# names the key file and says the name would no longer be served) and the
# old certificate, with its old key, is still served; once the certificate
# is written the new serial is served. Done with files rewritten in place,
# then with files renamed into place.
. "$TOP/tests/integration/lib.sh"

mkpki pki
for i in 1 2 3; do
	mkpki pki --out "a$i" mta-sts.a.example
done
mkpki pki mta-sts.b.example
cp pki/ca.crt ca.crt
mkdir certs probe
cp pki/certs/a1.crt certs/mta-sts.a.example.crt
cp pki/certs/a1.key certs/mta-sts.a.example.key
cp pki/certs/mta-sts.b.example.crt pki/certs/mta-sts.b.example.key certs/
service_readable certs pki
port=$(free_port)
{
	server_yaml
	cat <<'YAML'
certificates: [{directory: certs}]
domains:
  a.example: {mode: enforce, mx: [mx.a.example], max_age: 1209600}
  b.example: {mode: enforce, mx: [mx.b.example], max_age: 1209600}
YAML
} > cfg.yaml
hostd policy -c cfg.yaml a.example
id_a=$(policy_id out)
serial_b=$(file_serial certs/mta-sts.b.example.crt)

daemon_start
expect_eq "$(served_serial mta-sts.a.example)" "$(file_serial pki/certs/a1.crt)" "a at start"

# renew FROM TO HOW: key aTO written (HOW: inplace or rename), 1.5 s of the
# old certificate aFROM, then certificate aTO and its serial within 3 s.
renew() {
	old=$(file_serial "pki/certs/a$1.crt")
	new=$(file_serial "pki/certs/a$2.crt")
	mark=$(log_mark)
	case $3 in
	inplace) cat "pki/certs/a$2.key" > certs/mta-sts.a.example.key ;;
	rename)
		cp -p "pki/certs/a$2.key" certs/.new.key
		mv certs/.new.key certs/mta-sts.a.example.key
		;;
	esac
	t0=$(now_ms)
	await_log 2 "$mark" 'reload refused.*mta-sts\.a\.example would no longer be served'
	expect_log_since "$mark" 'error: ([^ ]*/)?certs/mta-sts\.a\.example\.key: the private key does not match the certificate in ([^ ]*/)?certs/mta-sts\.a\.example\.crt'
	# The old pair, verified by curl, until 1.5 s after the key changed.
	while [ $(($(now_ms) - t0)) -lt 1500 ]; do
		expect_eq "$(served_serial mta-sts.a.example)" "$old" "a between key and certificate ($3)"
		expect_eq "$(served_id mta-sts.a.example)" "$id_a" "a's policy between key and certificate ($3)"
		sleep 0.2
	done
	case $3 in
	inplace) cat "pki/certs/a$2.crt" > certs/mta-sts.a.example.crt ;;
	rename)
		cp -p "pki/certs/a$2.crt" certs/.new.crt
		mv certs/.new.crt certs/mta-sts.a.example.crt
		;;
	esac
	t0=$(now_ms)
	expect_served 3 "$new" served_serial mta-sts.a.example
	echo "$3: new certificate served $(($(now_ms) - t0)) ms after it was written"
	expect_eq "$(served_id mta-sts.a.example)" "$id_a" "a's policy with the new certificate ($3)"
	expect_eq "$(served_serial mta-sts.b.example)" "$serial_b" "b after a's renewal ($3)"
}
renew 1 2 inplace
renew 2 3 rename
proc_alive "$daemon_pid" || fail "the daemon died"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
