# The certificate directory removed (rm -rf) and, a moment later, recreated
# with new certificates (copied in as a whole): while it is gone the reload
# is refused and the old certificates are still served; once it is back the
# new ones are served without a signal, and the watch follows the new
# directory: a later certificate change inside it is picked up too.
. "$TOP/tests/integration/lib.sh"

mkpki pki
for i in 1 2 3; do
	mkpki pki --out "a$i" mta-sts.a.example
	mkpki pki --out "b$i" mta-sts.b.example
done
cp pki/ca.crt ca.crt
# certdir DIR I: DIR with the I-th certificates of a and b.
certdir() {
	mkdir -p "$1"
	for n in a b; do
		cp "pki/certs/$n$2.crt" "$1/mta-sts.$n.example.crt"
		cp "pki/certs/$n$2.key" "$1/mta-sts.$n.example.key"
	done
}
certdir certs 1
certdir staged 2
mkdir probe
service_readable certs staged pki
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
# serial NI: the serial of pki/certs/NI.crt.
serial() {
	file_serial "pki/certs/$1.crt"
}

daemon_start
expect_eq "$(served_serial mta-sts.a.example)" "$(serial a1)" "a at start"

# ---- removed
mark=$(log_mark)
rm -rf certs
await_log 2 "$mark" 'reload refused'
expect_steady 1.5 "$(serial a1)" served_serial mta-sts.a.example
expect_eq "$(served_id mta-sts.a.example)" "$id_a" "a's policy with the directory gone"
expect_eq "$(served_serial mta-sts.b.example)" "$(serial b1)" "b with the directory gone"

# ---- recreated
t0=$(now_ms)
cp -rp staged certs
expect_served 3 "$(serial a2)" served_serial mta-sts.a.example
echo "recreated: new certificate served $(($(now_ms) - t0)) ms after the copy"
expect_eq "$(served_serial mta-sts.b.example)" "$(serial b2)" "b after the directory came back"
expect_eq "$(served_id mta-sts.a.example)" "$id_a" "a's policy after the directory came back"

# ---- a later change inside the new directory
mark=$(log_mark)
t0=$(now_ms)
cp -p pki/certs/a3.key certs/.a3.key
cp -p pki/certs/a3.crt certs/.a3.crt
mv certs/.a3.key certs/mta-sts.a.example.key
mv certs/.a3.crt certs/mta-sts.a.example.crt
expect_served 3 "$(serial a3)" served_serial mta-sts.a.example
echo "then: new certificate served $(($(now_ms) - t0)) ms after it was renamed in"
expect_eq "$(served_serial mta-sts.b.example)" "$(serial b2)" "b at the end"
proc_alive "$daemon_pid" || fail "the daemon died"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
