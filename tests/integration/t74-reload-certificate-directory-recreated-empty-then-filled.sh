# The certificate directory removed, then recreated the way a person or a
# script does it: `mkdir` first (the daemon reloads, finds no certificate
# and refuses), the certificates copied in a second later. The copy into the
# new directory is a change like any other: the new certificates are served
# without a signal ("the next change retries"), which needs the daemon to
# watch the new directory although the reload that saw it was refused.
. "$TOP/tests/integration/lib.sh"

mkpki pki
for i in 1 2; do
	mkpki pki --out "a$i" mta-sts.a.example
done
cp pki/ca.crt ca.crt
mkdir certs probe
cp pki/certs/a1.crt certs/mta-sts.a.example.crt
cp pki/certs/a1.key certs/mta-sts.a.example.key
service_readable certs pki
port=$(free_port)
{
	server_yaml
	cat <<'YAML'
certificates: [{directory: certs}]
domains:
  a.example: {mode: enforce, mx: [mx.a.example], max_age: 1209600}
YAML
} > cfg.yaml
old=$(file_serial pki/certs/a1.crt)
new=$(file_serial pki/certs/a2.crt)

daemon_start
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
proc_alive "$daemon_pid" || fail "the daemon died"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
