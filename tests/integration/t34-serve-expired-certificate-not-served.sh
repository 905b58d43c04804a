# SPDX-License-Identifier: GPL-2.0-or-later
# A domain whose only certificate has expired is not served: its name is
# refused with unrecognized_name (never the expired certificate), the log
# says which file expired and when, and the other domains are served.
. "$TOP/tests/integration/lib.sh"

mkpki pki --expired mta-sts.old.example
openssl x509 -checkend 0 -noout -in pki/certs/mta-sts.old.example.crt >/dev/null &&
	fail "mkpki --expired made a valid certificate"
fixture_daemon good.example old.example

expect_in daemon.log "certs/mta-sts.old.example.crt: the certificate expired on"
expect_in daemon.log "old.example: no valid certificate covers mta-sts.old.example"
expect_in daemon.log "serving 1 of 2 domains"
expect_unrecognized mta-sts.old.example
expect_eq "$(https mta-sts.good.example /.well-known/mta-sts.txt)" "200 1" "the other domain"
expect_clean_stop
