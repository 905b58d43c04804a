# SPDX-License-Identifier: GPL-2.0-or-later
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

# Customers a and b; c's certificate there already, d's kept aside.
fixture_prepare c.example
mkpki pki mta-sts.d.example
cert_versions a.example 2
fixture_daemon --customer a.example=testing --customer b.example
# customer NAME MODE: a customer file.
customer() {
	domains_yaml "$1.example=$2"
}
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
install_cert pki/certs/a2 certs/mta-sts.a.example
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
	want=$(config_id cfg.yaml "$n.example")
	expect_eq "$(served_id "mta-sts.$n.example")" "$want" "$n's policy"
done
expect_clean_stop
