# A handshake for a name the daemon has no policy for, or without SNI at
# all, is aborted with the unrecognized_name alert (112) and no certificate
# is sent, never one for another name; the refusal is logged. A served name
# still works before and after, in any letter case (SNI is case-insensitive).
. "$TOP/tests/integration/lib.sh"

mkpki .
mkpki . mta-sts.one.example
# A certificate for a name the configuration does not serve.
mkpki . mta-sts.unconfigured.example
port=$(free_port)
one_domain_yaml > cfg.yaml
daemon_start

expect_eq "$(https mta-sts.one.example /.well-known/mta-sts.txt)" "200 1" "the served name"

# refused S_CLIENT-OPTIONS...: the handshake ends with alert 112, no certificate.
refused() {
	rc=0
	echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
	    -CAfile ca.crt "$@" > s.out 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || fail "s_client $* succeeded: $(cat s.out)"
	expect_in s.out "SSL alert number 112"
	expect_in s.out "unrecognized name"
	expect_not_in s.out "BEGIN CERTIFICATE"
	expect_not_in s.out "Server certificate"
}
for v in -tls1_3 -tls1_2; do
	refused $v -servername mta-sts.unknown.example
	refused $v -servername mta-sts.unconfigured.example
	refused $v -servername one.example
	refused $v -servername x.mta-sts.one.example
	refused $v -noservername
done
expect_in daemon.log "handshake refused: no policy for the name 'mta-sts.unknown.example'"
expect_in daemon.log "handshake refused: no policy for the name 'mta-sts.unconfigured.example'"
expect_in daemon.log "handshake refused: no server name (SNI)"

# curl too: the handshake fails, nothing is served.
rc=0
curl -sS --max-time 10 --resolve "mta-sts.unknown.example:$port:127.0.0.1" \
    --cacert ca.crt -o body "https://mta-sts.unknown.example:$port/.well-known/mta-sts.txt" \
    2> curl.err || rc=$?
expect_eq "$rc" 35 "curl exit status for an unknown name (SSL connect error)"
expect_in curl.err "unrecognized name"

expect_eq "$(https MTA-STS.One.Example /.well-known/mta-sts.txt)" "200 1" "the served name in upper case"
expect_eq "$(https mta-sts.one.example /.well-known/mta-sts.txt)" "200 1" "the served name after the refusals"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
