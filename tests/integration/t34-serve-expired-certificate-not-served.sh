# A domain whose only certificate has expired is not served: its name is
# refused with unrecognized_name (never the expired certificate), the log
# says which file expired and when, and the other domains are served.
. "$TOP/tests/integration/lib.sh"

mkpki .
mkpki . mta-sts.good.example
mkpki . --expired mta-sts.old.example
openssl x509 -checkend 0 -noout -in certs/mta-sts.old.example.crt >/dev/null &&
	fail "mkpki --expired made a valid certificate"
port=$(free_port)
{
	server_yaml
	cat <<'YAML'
certificates: [{directory: certs}]
domains:
  good.example: {mode: enforce, mx: [mx.good.example], max_age: 1209600}
  old.example: {mode: enforce, mx: [mx.old.example], max_age: 1209600}
YAML
} > cfg.yaml
daemon_start

expect_in daemon.log "certs/mta-sts.old.example.crt: the certificate expired on"
expect_in daemon.log "old.example: no valid certificate covers mta-sts.old.example"
expect_in daemon.log "serving 1 of 2 domains"

rc=0
echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
    -servername mta-sts.old.example -CAfile ca.crt > s.out 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "a handshake for the expired name succeeded"
expect_in s.out "SSL alert number 112"
expect_not_in s.out "BEGIN CERTIFICATE"
expect_eq "$(https mta-sts.good.example /.well-known/mta-sts.txt)" "200 1" "the other domain"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
