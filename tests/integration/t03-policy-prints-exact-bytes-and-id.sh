# SPDX-License-Identifier: GPL-2.0-or-later
# policy prints the exact bytes served (CRLF on every line, canonical order,
# no blank line) and --id prints the first 32 hex digits of their SHA-256;
# identical policies share one id and any change to the policy changes it.
. "$TOP/tests/integration/lib.sh"

cat > c.yaml <<'YAML'
policies:
  shared:
    mode: enforce
    mx: [MX1.Example.NET, "*.backup.example.net"]
    max_age: 1209600
domains:
  one.example: shared
  two.example: shared
  three.example:
    mode: enforce
    mx: [mx1.example.net, "*.backup.example.net"]
    max_age: 1209600
  four.example:
    policy: shared
    mode: testing
  bücher.example: shared
YAML

hostd policy -c c.yaml one.example
expect_rc 0
printf 'version: STSv1\r\nmode: enforce\r\nmx: mx1.example.net\r\nmx: *.backup.example.net\r\nmax_age: 1209600\r\n' > expected
cmp out expected || fail "body differs: $(od -c out)"
want=$(sha256sum < expected | cut -c1-32)

hostd policy --id -c c.yaml one.example
expect_eq "$(cat out)" "$want" "id of one.example"
for d in two.example three.example xn--bcher-kva.example bücher.example; do
	hostd policy --id -c c.yaml "$d"
	expect_rc 0
	expect_eq "$(cat out)" "$want" "identical policy of $d"
done

hostd policy --id -c c.yaml four.example
[ "$(cat out)" != "$want" ] || fail "a different mode kept the id"
four_id=$(cat out)
hostd policy -c c.yaml four.example
expect_in out "mode: testing"
expect_eq "$(sha256sum < out | cut -c1-32)" "$four_id" "id of four.example"

hostd policy -c c.yaml nowhere.example
expect_rc 1
expect_in err "nowhere.example is not configured"
