# SPDX-License-Identifier: GPL-2.0-or-later
# Files caught half-written or left broken never take a served policy away:
# - the main YAML written in two parts, the second ~0.5 s after the first
#   (longer than the 200 ms debounce, so the daemon reads the first half):
#   the reload is refused, the log names the file and the line where the
#   text stops, the old policies stay served; once the rest is written the
#   new policy is served; the main file is read alone both times (its
#   include patterns and templates are as they were);
# - a customer file left with a YAML syntax error: the customer's old
#   policy stays served as long as the file is broken (and everyone else's),
#   the log names the file and line; once fixed, the new policy is served
#   (an invalid value instead of a syntax error: t73);
# - a new customer's broken file holds up nobody else's change;
# - a customer file changed in the burst that caught the main file
#   half-written is read once the main file is mended.
. "$TOP/tests/integration/lib.sh"

# main ONE_MX: the main file, one.example with these mx.
main() {
	daemon_yaml --include 'domains.d/*.yaml' \
	    one.example="{mode: enforce, mx: [$1], max_age: 1209600}" two.example
}
# five.example's certificate is there for the customer who comes later.
fixture_prepare five.example
fixture_daemon --no-start \
    one.example='{mode: enforce, mx: [mx1.one.example], max_age: 1209600}' \
    two.example --customer three.example=testing --customer four.example=testing
mkdir staged
main "mx1.one.example, mx2.one.example" > staged/cfg.yaml
for n in three four five; do
	domains_yaml "$n.example=enforce" > "staged/$n.yaml"
done
one_old=$(config_id cfg.yaml one.example)
two=$(config_id cfg.yaml two.example)
three_old=$(config_id cfg.yaml three.example)
one_new=$(config_id staged/cfg.yaml one.example)
three_new=$(config_id staged/three.yaml three.example)
four_new=$(config_id staged/four.yaml four.example)
five=$(config_id staged/five.yaml five.example)

daemon_start
expect_eq "$(served_id mta-sts.one.example)" "$one_old" "one.example at start"
expect_eq "$(served_id mta-sts.three.example)" "$three_old" "three.example at start"
# expect_others WHAT: the domains not under test are served as they were.
expect_others() {
	expect_eq "$(served_id mta-sts.two.example)" "$two" "two.example $1"
}

# ---- the main file, written in two parts
cut=$(grep -bo 'mx2\.one' staged/cfg.yaml | cut -d: -f1)
cut_line=$(($(head -c "$cut" staged/cfg.yaml | wc -l) + 1))
mark=$(log_mark)
head -c "$cut" staged/cfg.yaml > cfg.yaml
t0=$(now_ms)
await_log 2 "$mark" 'reload refused'
expect_log_since "$mark" "error: cfg\.yaml:($cut_line|$((cut_line + 1))):[0-9]+: YAML syntax"
expect_eq "$(served_id mta-sts.one.example)" "$one_old" "one.example with the main file half-written"
expect_eq "$(served_id mta-sts.three.example)" "$three_old" "three.example with the main file half-written"
expect_others "with the main file half-written"
while [ $(($(now_ms) - t0)) -lt 500 ]; do sleep 0.05; done
tail -c "+$((cut + 1))" staged/cfg.yaml >> cfg.yaml
cmp cfg.yaml staged/cfg.yaml || fail "the two parts do not make the file"
expect_served 3 "$one_new" served_id mta-sts.one.example
expect_others "after the main file was completed"
# Its templates and include patterns are as they were: the main file was
# read alone, refused and then taken, without reading the others again.
expect_log_since "$mark" 'reload refused: .*cfg\.yaml has errors'
expect_no_log_since "$mark" 'reading every file'

# ---- a customer file left with a YAML syntax error
mark=$(log_mark)
printf 'domains:\n  three.example:\n    mode: enforce\n    mx: [mx.three.example\n    max_age: 1209600\n' > domains.d/three.yaml
await_log 2 "$mark" 'reload refused.*mta-sts\.three\.example'
expect_log_since "$mark" 'error: domains\.d/three\.yaml:5:[0-9]+: YAML syntax'
expect_steady 2 "$three_old" served_id mta-sts.three.example
expect_eq "$(served_id mta-sts.one.example)" "$one_new" "one.example with three.yaml broken"
expect_others "with three.yaml broken"
cp staged/three.yaml domains.d/three.yaml
expect_served 3 "$three_new" served_id mta-sts.three.example

# ---- a new customer's broken file holds up nobody else
mark=$(log_mark)
domains_yaml five.example=enforcing > domains.d/five.yaml
cp staged/four.yaml domains.d/four.yaml
expect_served 3 "$four_new" served_id mta-sts.four.example
expect_log_since "$mark" "error: domains\.d/five\.yaml:2:[0-9]+: five\.example: mode 'enforcing'"
expect_unrecognized mta-sts.five.example
cp staged/five.yaml domains.d/five.yaml
expect_served 3 "$five" served_id mta-sts.five.example
expect_eq "$(served_id mta-sts.one.example)" "$one_new" "one.example at the end"
expect_eq "$(served_id mta-sts.three.example)" "$three_new" "three.example at the end"
expect_others "at the end"

# ---- a customer file changed in the same burst as the main file caught
# half-written: refused, it is read once the main file is mended, although
# the mended main file alone is named then
domains_yaml four.example=testing > staged/four-testing.yaml
four_testing=$(config_id staged/four-testing.yaml four.example)
cp cfg.yaml staged/cfg-whole.yaml
cut=$(grep -bo 'mx2\.one' staged/cfg-whole.yaml | cut -d: -f1)
mark=$(log_mark)
cp staged/four-testing.yaml domains.d/four.yaml
head -c "$cut" staged/cfg-whole.yaml > cfg.yaml
t0=$(now_ms)
await_log 2 "$mark" 'reload refused'
expect_eq "$(served_id mta-sts.four.example)" "$four_new" "four.example while the main file is half-written"
while [ $(($(now_ms) - t0)) -lt 500 ]; do sleep 0.05; done
tail -c "+$((cut + 1))" staged/cfg-whole.yaml >> cfg.yaml
expect_served 3 "$four_testing" served_id mta-sts.four.example
expect_no_log_since "$mark" 'reading every file'
expect_eq "$(served_id mta-sts.one.example)" "$one_new" "one.example after the main file was mended"
expect_clean_stop
