# A served domain's entry given an invalid value (a customer file saying
# `mode: enforcing`, or a bad mx in the main file) is an error that would
# take a served name away: the reload is refused, the log names the file and
# line, and the domain's previous policy stays served (with every other
# domain's) for as long as the file is wrong; once fixed, the new policy is
# served. (README: "when with errors present a name served now would no
# longer be served" the reload is refused.)
. "$TOP/tests/integration/lib.sh"

mkpki .
mkpki . mta-sts.one.example mta-sts.two.example mta-sts.four.example
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
main mx.one.example > cfg.yaml
customer four testing mx.four.example > domains.d/four.yaml
customer four enforce mx.four.example > staged/four.yaml
main "mx.one.example, mx2.one.example" > staged/cfg.yaml
# policy_of CONFIG DOMAIN VAR: VAR gets the id of DOMAIN's policy in CONFIG.
policy_of() {
	hostd policy -c "$1" "$2"
	expect_rc 0
	eval "$3=\$(policy_id out)"
}
policy_of cfg.yaml one.example one_old
policy_of cfg.yaml two.example two
policy_of cfg.yaml four.example four_old
policy_of staged/cfg.yaml one.example one_new
mkdir x
cp staged/four.yaml x/
printf 'include: [x/*.yaml]\n' > x.yaml
policy_of x.yaml four.example four_new
rm -r x x.yaml

daemon_start
expect_eq "$(served_id mta-sts.four.example)" "$four_old" "four.example at start"

# ---- a customer file with an invalid mode
mark=$(log_mark)
customer four enforcing mx.four.example > domains.d/four.yaml
await_log 2 "$mark" 'files changed'
expect_steady 2 "$four_old" served_id mta-sts.four.example
expect_log_since "$mark" "error: domains\.d/four\.yaml:3:[0-9]+: four\.example: mode 'enforcing'"
expect_log_since "$mark" 'reload refused.*mta-sts\.four\.example'
expect_eq "$(served_id mta-sts.one.example)" "$one_old" "one.example with four.yaml wrong"
expect_eq "$(served_id mta-sts.two.example)" "$two" "two.example with four.yaml wrong"
cp staged/four.yaml domains.d/four.yaml
expect_served 3 "$four_new" served_id mta-sts.four.example

# ---- a domain of the main file with an invalid mx
mark=$(log_mark)
main "mx.one.example, mx_2.one.example" > cfg.yaml
await_log 2 "$mark" 'files changed'
expect_steady 2 "$one_old" served_id mta-sts.one.example
expect_log_since "$mark" "error: cfg\.yaml:9:[0-9]+: one\.example"
expect_log_since "$mark" 'reload refused.*mta-sts\.one\.example'
expect_eq "$(served_id mta-sts.two.example)" "$two" "two.example with one.example wrong"
cp staged/cfg.yaml cfg.yaml
expect_served 3 "$one_new" served_id mta-sts.one.example
expect_eq "$(served_id mta-sts.four.example)" "$four_new" "four.example at the end"
proc_alive "$daemon_pid" || fail "the daemon died"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
