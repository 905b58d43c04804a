# Files caught half-written or left broken never take a served policy away:
# - the main YAML written in two parts, the second ~0.5 s after the first
#   (longer than the 200 ms debounce, so the daemon reads the first half):
#   the reload is refused, the log names the file and the line where the
#   text stops, the old policies stay served; once the rest is written the
#   new policy is served;
# - a customer file left with a YAML syntax error: the customer's old
#   policy stays served as long as the file is broken (and everyone else's),
#   the log names the file and line; once fixed, the new policy is served
#   (an invalid value instead of a syntax error: t73);
# - a new customer's broken file holds up nobody else's change.
. "$TOP/tests/integration/lib.sh"

mkpki .
mkpki . mta-sts.one.example mta-sts.two.example mta-sts.three.example \
    mta-sts.four.example mta-sts.five.example
service_readable certs
mkdir probe domains.d staged
port=$(free_port)
# main ONE_MX: the main file, one.example with these mx.
main() {
	server_yaml
	cat <<YAML
certificates: [{directory: certs}]
include: [domains.d/*.yaml]
domains:
  one.example: {mode: enforce, mx: [$1], max_age: 1209600}
  two.example: {mode: enforce, mx: [mx.two.example], max_age: 1209600}
YAML
}
# customer NAME MODE MX: a customer file.
customer() {
	printf 'domains:\n  %s.example:\n    mode: %s\n    mx: [%s]\n    max_age: 1209600\n' "$1" "$2" "$3"
}
main mx1.one.example > cfg.yaml
customer three testing mx.three.example > domains.d/three.yaml
customer four testing mx.four.example > domains.d/four.yaml
main "mx1.one.example, mx2.one.example" > staged/cfg.yaml
customer three enforce mx.three.example > staged/three.yaml
customer four enforce mx.four.example > staged/four.yaml
customer five enforce mx.five.example > staged/five.yaml
# policy_of CONFIG DOMAIN VAR: VAR gets the id of DOMAIN's policy in CONFIG.
policy_of() {
	hostd policy -c "$1" "$2"
	expect_rc 0
	eval "$3=\$(policy_id out)"
}
policy_of cfg.yaml one.example one_old
policy_of cfg.yaml two.example two
policy_of cfg.yaml three.example three_old
policy_of cfg.yaml four.example four_old
policy_of staged/cfg.yaml one.example one_new
mkdir x
cp staged/three.yaml staged/four.yaml staged/five.yaml x/
printf 'include: [x/*.yaml]\n' > x.yaml
policy_of x.yaml three.example three_new
policy_of x.yaml four.example four_new
policy_of x.yaml five.example five
rm -r x x.yaml

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
customer five enforcing mx.five.example > domains.d/five.yaml
cp staged/four.yaml domains.d/four.yaml
expect_served 3 "$four_new" served_id mta-sts.four.example
expect_log_since "$mark" "error: domains\.d/five\.yaml:3:[0-9]+: five\.example: mode 'enforcing'"
expect_unrecognized mta-sts.five.example
cp staged/five.yaml domains.d/five.yaml
expect_served 3 "$five" served_id mta-sts.five.example
expect_eq "$(served_id mta-sts.one.example)" "$one_new" "one.example at the end"
expect_eq "$(served_id mta-sts.three.example)" "$three_new" "three.example at the end"
expect_others "at the end"
proc_alive "$daemon_pid" || fail "the daemon died"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
