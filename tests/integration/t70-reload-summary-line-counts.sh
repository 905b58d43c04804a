# Each reload logs exactly one summary line, "reloaded in X ms: serving N
# of M domains (A added, R removed, P policies and C certificates changed),
# F certificate files (n new, g gone)", with the right numbers, a burst of
# file changes being one reload:
# - a new customer file and another customer's policy changed: 1 added, 1
#   policy changed;
# - a customer file deleted and another's certificate renewed: 1 removed,
#   1 certificate changed, 1 certificate file new and 1 gone;
# - a new customer with its certificate and one without: serving 3 of 4;
# - SIGHUP with nothing changed: all zero.
. "$TOP/tests/integration/lib.sh"

mkpki pki
mkpki pki mta-sts.a.example mta-sts.b.example mta-sts.c.example mta-sts.d.example
mkpki pki --out a2 mta-sts.a.example
cp pki/ca.crt ca.crt
mkdir certs probe domains.d staged
for n in a b c; do
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
# customer NAME MODE: a customer file.
customer() {
	printf 'domains:\n  %s.example: {mode: %s, mx: [mx.%s.example], max_age: 1209600}\n' "$1" "$2" "$1"
}
customer a testing > domains.d/a.yaml
customer b enforce > domains.d/b.yaml

daemon_start
expect_in daemon.log "started: serving 2 of 2 domains, 3 certificates"
# burst SUMMARY: after the changes just made, exactly one reload, whose
# summary line has SUMMARY (a fixed string) after "ms: "; $reload_ms is
# the time it reports.
burst() {
	await_log 3 "$mark" 'reloaded in|reload refused'
	sleep 1.3	# the longest a burst can be held back, and some
	expect_eq "$(log_count_since "$mark" 'reloaded in|reload refused')" 1 "reloads for one burst: $(log_since "$mark")"
	line=$(log_since "$mark" | grep 'reloaded in')
	case $line in
	*"ms: $1") ;;
	*) fail "summary line '$line', expected '... ms: $1'" ;;
	esac
	reload_ms=$(echo "$line" | sed 's/.*reloaded in \([0-9.]*\) ms.*/\1/')
	echo "reload took $reload_ms ms: $1"
}

# ---- one added, one policy changed
mark=$(log_mark)
customer c enforce > domains.d/c.yaml
customer a enforce > domains.d/a.yaml
burst "serving 3 of 3 domains (1 added, 0 removed, 1 policies and 0 certificates changed), 3 certificate files (0 new, 0 gone)"

# ---- one removed, one certificate renewed
mark=$(log_mark)
rm domains.d/b.yaml
cp -p pki/certs/a2.key certs/.a.key
cp -p pki/certs/a2.crt certs/.a.crt
mv certs/.a.key certs/mta-sts.a.example.key
mv certs/.a.crt certs/mta-sts.a.example.crt
burst "serving 2 of 2 domains (0 added, 1 removed, 0 policies and 1 certificates changed), 3 certificate files (1 new, 1 gone)"
expect_eq "$(served_serial mta-sts.a.example)" "$(file_serial pki/certs/a2.crt)" "a's renewed certificate"
expect_unrecognized mta-sts.b.example

# ---- a new customer with a certificate, one without
mark=$(log_mark)
cp -p pki/certs/mta-sts.d.example.crt pki/certs/mta-sts.d.example.key certs/
customer d enforce > domains.d/d.yaml
customer e enforce > domains.d/e.yaml
burst "serving 3 of 4 domains (1 added, 0 removed, 0 policies and 0 certificates changed), 4 certificate files (1 new, 0 gone)"
expect_log_since "$mark" 'e\.example: no valid certificate covers mta-sts\.e\.example'

# ---- SIGHUP, nothing changed
mark=$(log_mark)
daemon_signal HUP
burst "serving 3 of 4 domains (0 added, 0 removed, 0 policies and 0 certificates changed), 4 certificate files (0 new, 0 gone)"
for n in a c d; do
	# (policy's output in probe/, where a file written does not reload)
	want=$(cd probe && hostd policy -c ../cfg.yaml "$n.example" && policy_id out)
	expect_eq "$(served_id "mta-sts.$n.example")" "$want" "$n's policy"
done
proc_alive "$daemon_pid" || fail "the daemon died"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
