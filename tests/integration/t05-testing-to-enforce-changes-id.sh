# SPDX-License-Identifier: GPL-2.0-or-later
# The testing-to-enforce example: only mode and max_age change between the
# two steps, and the published id changes with them.
. "$TOP/tests/integration/lib.sh"

ex=$TOP/examples/testing-to-enforce
"$MTA_STS_HOSTD" policy -c "$ex/step1-testing.yaml" shop.example > one
"$MTA_STS_HOSTD" policy -c "$ex/step2-enforce.yaml" shop.example > two
expect_in one "mode: testing"
expect_in two "mode: enforce"
diff one two > d || true
expect_eq "$(grep -c '^[<>]' d)" 4 "changed lines"
expect_in d "< mode: testing"
expect_in d "< max_age: 86400"

"$MTA_STS_HOSTD" dns -c "$ex/step1-testing.yaml" > dns1
"$MTA_STS_HOSTD" dns -c "$ex/step2-enforce.yaml" > dns2
id1=$("$MTA_STS_HOSTD" policy --id -c "$ex/step1-testing.yaml" shop.example)
id2=$("$MTA_STS_HOSTD" policy --id -c "$ex/step2-enforce.yaml" shop.example)
[ "$id1" != "$id2" ] || fail "the id did not change"
expect_in dns1 "\"v=STSv1; id=$id1\""
expect_in dns2 "\"v=STSv1; id=$id2\""
