# A certificate directory that is not in the configuration's directory
# (/etc/mta-sts-hostd/mta-sts-hostd.yaml naming /var/lib/.../tls, here
# etc/ and srv/tls) removed and recreated with new certificates: once it is
# back, the new certificates are served without a signal (the daemon has to
# notice a directory it was built from coming back, wherever it is).
. "$TOP/tests/integration/lib.sh"

mkpki pki
for i in 1 2; do
	mkpki pki --out "a$i" mta-sts.a.example
done
cp pki/ca.crt ca.crt
mkdir -p etc srv/tls staged probe
cp pki/certs/a1.crt srv/tls/mta-sts.a.example.crt
cp pki/certs/a1.key srv/tls/mta-sts.a.example.key
cp pki/certs/a2.crt staged/mta-sts.a.example.crt
cp pki/certs/a2.key staged/mta-sts.a.example.key
service_readable srv staged pki etc
port=$(free_port)
{
	server_yaml
	cat <<YAML
certificates: [{directory: $T/srv/tls}]
domains:
  a.example: {mode: enforce, mx: [mx.a.example], max_age: 1209600}
YAML
} > etc/cfg.yaml
old=$(file_serial pki/certs/a1.crt)
new=$(file_serial pki/certs/a2.crt)

daemon_start etc/cfg.yaml
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
proc_alive "$daemon_pid" || fail "the daemon died"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
