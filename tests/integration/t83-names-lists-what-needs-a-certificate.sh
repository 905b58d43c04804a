# SPDX-License-Identifier: GPL-2.0-or-later
# names lists the mta-sts.<domain> names of the configured domains: all of
# them, only those without a valid certificate, or those also expiring
# within N days (30 by default), as plain names or as certbot, lego and
# dehydrated arguments.
. "$TOP/tests/integration/lib.sh"

mkpki pki
mkpki pki --days 90 mta-sts.fine.example
mkpki pki --days 10 mta-sts.soon.example
mkpki pki --expired mta-sts.old.example
cat > c.yaml <<'YAML'
certificates: [{directory: pki/certs}]
policies:
  p: {mode: enforce, mx: [mx.hoster.example], max_age: 1209600}
domains:
  fine.example: p
  soon.example: p
  old.example: p
  new.example: p
  bücher.example: p
  broken.example: {mode: sometimes, mx: [mx.hoster.example]}
YAML

hostd names -c c.yaml
expect_rc 1
expect_in err "broken.example: mode 'sometimes'"
expect_eq "$(cat out | tr '\n' ' ')" "mta-sts.fine.example mta-sts.new.example mta-sts.old.example mta-sts.soon.example mta-sts.xn--bcher-kva.example " "all"

hostd names --missing -c c.yaml
expect_eq "$(cat out | tr '\n' ' ')" "mta-sts.new.example mta-sts.old.example mta-sts.xn--bcher-kva.example " "missing"

hostd names --expiring -c c.yaml
expect_eq "$(cat out | tr '\n' ' ')" "mta-sts.new.example mta-sts.old.example mta-sts.soon.example mta-sts.xn--bcher-kva.example " "expiring in 30 days"
hostd names --expiring --days 100 -c c.yaml
expect_in out "mta-sts.fine.example"
hostd names --expiring --days 5 -c c.yaml
expect_not_in out "mta-sts.soon.example"

hostd names --missing --format certbot -c c.yaml
expect_eq "$(head -n 1 out)" "--cert-name mta-sts.new.example -d mta-sts.new.example" "certbot"
hostd names --missing --format lego -c c.yaml
expect_eq "$(head -n 1 out)" "-d mta-sts.new.example" "lego"
hostd names --missing --format dehydrated -c c.yaml
expect_eq "$(head -n 1 out)" "mta-sts.new.example" "dehydrated"

hostd names --missing --expiring -c c.yaml
expect_rc 2
hostd names --format nginx -c c.yaml
expect_rc 2
