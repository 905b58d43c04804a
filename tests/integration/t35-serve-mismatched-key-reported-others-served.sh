# A certificate whose key file holds another key is reported in the log,
# naming the key file and the certificate, and is not used: its name is
# refused, and every other domain is served.
. "$TOP/tests/integration/lib.sh"

mkpki .
mkpki . mta-sts.one.example mta-sts.two.example
mkpki . --rsa mta-sts.three.example
mkpki . mta-sts.bad.example
mkpki . --out other mta-sts.other.example
cp certs/other.key certs/mta-sts.bad.example.key
rm certs/other.crt certs/other.key
port=$(free_port)
{
	server_yaml
	cat <<'YAML'
certificates: [{directory: certs}]
domains:
  one.example: {mode: enforce, mx: [mx.one.example], max_age: 1209600}
  two.example: {mode: enforce, mx: [mx.two.example], max_age: 1209600}
  three.example: {mode: enforce, mx: [mx.three.example], max_age: 1209600}
  bad.example: {mode: enforce, mx: [mx.bad.example], max_age: 1209600}
YAML
} > cfg.yaml
daemon_start

expect_in daemon.log "certs/mta-sts.bad.example.key: the private key does not match the certificate in"
expect_in daemon.log "certs/mta-sts.bad.example.crt"
expect_in daemon.log "bad.example: no valid certificate covers mta-sts.bad.example"
expect_in daemon.log "serving 3 of 4 domains, 3 certificates"

rc=0
echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
    -servername mta-sts.bad.example -CAfile ca.crt > s.out 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "a handshake for the name with the wrong key succeeded"
expect_in s.out "SSL alert number 112"
expect_not_in s.out "BEGIN CERTIFICATE"
for d in one two three; do
	expect_eq "$(https mta-sts.$d.example /.well-known/mta-sts.txt)" "200 1" "$d.example"
	expect_in body "mx: mx.$d.example"
done
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
