# Customers come and go as files in an included domains.d/: a new
# customer's file (its certificate dropped into the certificate directory
# first) is served within seconds, without a signal; a customer file that
# arrives before its certificate is served once the certificate arrives; a
# deleted customer file makes that name refused with the unrecognized_name
# alert while every other customer is still served.
. "$TOP/tests/integration/lib.sh"

mkpki pki
mkpki pki mta-sts.one.example mta-sts.two.example mta-sts.three.example \
    mta-sts.four.example
cp pki/ca.crt ca.crt
mkdir certs domains.d probe
for n in one two; do
	cp "pki/certs/mta-sts.$n.example.crt" "pki/certs/mta-sts.$n.example.key" certs/
done
service_readable certs pki
port=$(free_port)
{
	server_yaml
	cat <<'YAML'
certificates: [{directory: certs}]
include: [domains.d/*.yaml]
YAML
} > cfg.yaml
# customer NAME MX: a customer file.
customer() {
	printf 'domains:\n  %s.example:\n    mode: enforce\n    mx: [%s]\n    max_age: 1209600\n' "$1" "$2"
}
customer one mx.one.example > domains.d/one.yaml
customer two mx.two.example > domains.d/two.yaml
mkdir staged
for n in three four; do
	customer "$n" "mx.$n.example, backup.$n.example" > "staged/$n.yaml"
done
for n in one two three four; do
	if [ -f "domains.d/$n.yaml" ]; then c=cfg.yaml; else c=staged/$n.yaml; fi
	hostd policy -c "$c" "$n.example"
	expect_rc 0
	eval "id_$n=\$(policy_id out)"
done
# Checked by a second path: the id a client computes from the body is the
# one `policy --id` prints.
hostd policy --id -c cfg.yaml one.example
expect_eq "$(cat out)" "$id_one" "policy --id of one.example"

# drop_cert NAME: the certificate and key for NAME, installed as the ACME
# hooks do (a temporary name, then a rename; key 0640 root:nogroup).
drop_cert() {
	for ext in crt key; do
		cp -p "pki/certs/mta-sts.$1.example.$ext" "certs/.tmp.$1.$ext"
		mv "certs/.tmp.$1.$ext" "certs/mta-sts.$1.example.$ext"
	done
}
# expect_all_served NAME...: each customer's policy is served.
expect_all_served() {
	for n in "$@"; do
		eval "want=\$id_$n"
		expect_eq "$(served_id "mta-sts.$n.example")" "$want" "$n.example"
	done
}

daemon_start
expect_all_served one two
expect_unrecognized mta-sts.three.example

# ---- a new customer: the certificate first, then the file
drop_cert three
mark=$(log_mark)
t0=$(now_ms)
cp staged/three.yaml domains.d/three.yaml
expect_served 3 "$id_three" served_id mta-sts.three.example
echo "three.example served $(($(now_ms) - t0)) ms after its file"
expect_eq "$(served_serial mta-sts.three.example)" "$(file_serial certs/mta-sts.three.example.crt)" "certificate of three"
expect_all_served one two three
await_log 1 "$mark" 'reloaded in .*serving 3 of 3 domains \(1 added, 0 removed'

# ---- a new customer whose file comes before its certificate
mark=$(log_mark)
cp staged/four.yaml domains.d/four.yaml
await_log 3 "$mark" 'reloaded in .*serving 3 of 4 domains'
expect_log_since "$mark" 'four\.example: no valid certificate covers mta-sts\.four\.example'
expect_unrecognized mta-sts.four.example
expect_all_served one two three
t0=$(now_ms)
drop_cert four
expect_served 3 "$id_four" served_id mta-sts.four.example
echo "four.example served $(($(now_ms) - t0)) ms after its certificate"
expect_all_served one two three four

# ---- a customer leaves: its file is deleted
mark=$(log_mark)
t0=$(now_ms)
rm domains.d/two.yaml
expect_served 3 'failed:*unrecognized name*' served_id mta-sts.two.example
echo "two.example refused $(($(now_ms) - t0)) ms after its file was deleted"
expect_unrecognized mta-sts.two.example
expect_all_served one three four
await_log 1 "$mark" 'reloaded in .*serving 3 of 3 domains \(0 added, 1 removed'
proc_alive "$daemon_pid" || fail "the daemon died"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
