# SPDX-License-Identifier: GPL-2.0-or-later
# The watcher reloads for the files the configuration is made of and for
# nothing else in the same directories: a log file appended to, a state
# file replaced by rename, an editor's swap and backup files, and a dotfile
# in the certificate directory cause no reload; then a customer file
# written through a temporary dotfile and renamed into place, and a
# certificate installed the same way, each cause one.
. "$TOP/tests/integration/lib.sh"

fixture_daemon --customer one.example two.example
reloads() { grep -c 'files changed: reloading' daemon.log || true; }
before=$(reloads)

# Files next to the configuration and the customer files that are not
# configuration: none of them is a reason to reload.
i=0
while [ "$i" -lt 20 ]; do
	echo "line $i" >> doctor.log
	echo "{\"n\": $i}" > .state.json.tmp && mv .state.json.tmp state.json
	echo "x" > .cfg.yaml.swp
	echo "x" > domains.d/one.yaml~
	echo "x" > domains.d/README
	echo "x" > certs/.installing.crt
	i=$((i + 1))
	sleep 0.05
done
rm -f .cfg.yaml.swp domains.d/one.yaml~ certs/.installing.crt
# A reload comes at most a second after the first change: wait longer.
sleep 2
expect_eq "$(reloads)" "$before" "reloads after writing files that are not configuration"

# A new customer, written as an editor or a deployment tool would.
mkpki pki mta-sts.three.example
install_cert pki/certs/mta-sts.three.example certs/mta-sts.three.example
domains_yaml three.example > domains.d/.three.yaml.tmp
mv domains.d/.three.yaml.tmp domains.d/three.yaml
id=$(config_id domains.d/three.yaml three.example)
expect_served 10 "$id" served_id mta-sts.three.example
[ "$(reloads)" -gt "$before" ] || fail "no reload for the new customer"
expect_good_client "after the new customer" one.example
