# SPDX-License-Identifier: GPL-2.0-or-later
# check reports, per domain, the certificate that covers mta-sts.<domain> and
# its days to expiry, and fails naming every domain that no valid
# certificate covers (none at all, expired, key not matching).
. "$TOP/tests/integration/lib.sh"

mkpki pki
mkpki pki mta-sts.exact.example
mkpki pki --rsa mta-sts.rsa.example
mkpki pki --wildcard wild.example
mkpki pki --expired mta-sts.old.example
mkpki pki --days 5 mta-sts.soon.example
mkpki pki mta-sts.mismatch.example
mkpki pki --out other mta-sts.other.example
cp pki/certs/other.key pki/certs/mta-sts.mismatch.example.key

cat > c.yaml <<'YAML'
certificates:
  - directory: pki/certs
policies:
  p: {mode: enforce, mx: [mx.hoster.example], max_age: 1209600}
domains:
  exact.example: p
  rsa.example: p
  wild.example: p
  old.example: p
  soon.example: p
  mismatch.example: p
  missing.example: p
YAML

hostd check -c c.yaml
expect_rc 1
expect_in out "exact.example: mta-sts.exact.example: ECDSA certificate $T/pki/certs/mta-sts.exact.example.crt, expires"
expect_in out "rsa.example: mta-sts.rsa.example: RSA certificate"
expect_in out "wild.example: mta-sts.wild.example: ECDSA certificate $T/pki/certs/wild.example.crt"
grep -q "exact.example: .* (29 days)\|exact.example: .* (30 days)" out || fail "days to expiry: $(cat out)"
expect_in err "pki/certs/mta-sts.old.example.crt: warning: the certificate expired on"
expect_in err "c.yaml:9:3: error: old.example: no valid certificate covers mta-sts.old.example"
expect_in err "pki/certs/mta-sts.mismatch.example.key: error: the private key does not match the certificate in $T/pki/certs/mta-sts.mismatch.example.crt"
expect_in err "c.yaml:11:3: error: mismatch.example: no valid certificate covers"
expect_in err "c.yaml:12:3: error: missing.example: no valid certificate covers mta-sts.missing.example"
grep -Eq "c.yaml:10:3: warning: soon.example: the certificate for mta-sts.soon.example expires in [45] days" err ||
	fail "no expiry warning for soon.example: $(cat err)"
expect_in err "7 domains (4 servable)"
expect_in err "4 errors, 2 warnings (not valid)"

# With every domain covered and no broken file it passes.
mkdir good
cp pki/certs/mta-sts.exact.example.* good/
cat > ok.yaml <<'YAML'
certificates: [{directory: good}]
domains:
  exact.example: {mode: testing, mx: [mx.hoster.example], max_age: 86400}
YAML
hostd check -c ok.yaml
expect_rc 0
expect_in out "1 domain (1 servable)"
