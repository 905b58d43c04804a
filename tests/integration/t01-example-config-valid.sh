# SPDX-License-Identifier: GPL-2.0-or-later
# The shipped example configuration and every example setup are valid, with
# no warning, and serve the domains they describe.
. "$TOP/tests/integration/lib.sh"

hostd check --skip-certificates -c "$TOP/mta-sts-hostd.yaml.example"
expect_rc 0
expect_in out "3 domains (3 servable)"
expect_in out "0 errors, 0 warnings"

n=0
for cfg in "$TOP"/examples/*/mta-sts-hostd.yaml "$TOP"/examples/*/step*.yaml; do
	hostd check --skip-certificates --strict -c "$cfg"
	expect_rc 0 "$cfg"
	expect_in out "0 errors, 0 warnings"
	n=$((n + 1))
done
[ "$n" -ge 4 ] || fail "only $n example configurations found"

hostd check --skip-certificates -c "$TOP/examples/hoster/mta-sts-hostd.yaml"
expect_in out "5 domains (5 servable)"
hostd policy -c "$TOP/examples/hoster/mta-sts-hostd.yaml" bücher.example
expect_rc 0
expect_in out "mx: mx1.mail.hoster.example"
