# SPDX-License-Identifier: GPL-2.0-or-later
# A certificate whose key file holds another key is reported in the log,
# naming the key file and the certificate, and is not used: its name is
# refused, and every other domain is served.
. "$TOP/tests/integration/lib.sh"

mkpki pki --rsa mta-sts.three.example
mkpki pki mta-sts.bad.example
mkpki pki --out other mta-sts.other.example
cp pki/certs/other.key pki/certs/mta-sts.bad.example.key
fixture_daemon one.example two.example three.example bad.example

expect_in daemon.log "certs/mta-sts.bad.example.key: the private key does not match the certificate in"
expect_in daemon.log "certs/mta-sts.bad.example.crt"
expect_in daemon.log "bad.example: no valid certificate covers mta-sts.bad.example"
expect_in daemon.log "serving 3 of 4 domains, 3 certificates"
expect_unrecognized mta-sts.bad.example
for d in one two three; do
	expect_eq "$(https mta-sts.$d.example /.well-known/mta-sts.txt)" "200 1" "$d.example"
	expect_in body "mx: mx.$d.example"
done
expect_clean_stop
