# SPDX-License-Identifier: GPL-2.0-or-later
# A served domain's entry given an invalid value (a customer file saying
# `mode: enforcing`, or a bad mx in the main file) is an error that would
# take a served name away: the reload is refused, the log names the file and
# line, and the domain's previous policy stays served (with every other
# domain's) for as long as the file is wrong; once fixed, the new policy is
# served. (README: "when with errors present a name served now would no
# longer be served" the reload is refused.)
. "$TOP/tests/integration/lib.sh"

# main ONE_MX: the main file, one.example with these mx (on line 9).
main() {
	daemon_yaml --include 'domains.d/*.yaml' \
	    one.example="{mode: enforce, mx: [$1], max_age: 1209600}" two.example
}
# cfg.yaml as main mx.one.example writes it.
fixture_daemon --no-start one.example two.example --customer four.example=testing
mkdir staged
domains_yaml four.example=enforce > staged/four.yaml
main "mx.one.example, mx2.one.example" > staged/cfg.yaml
one_old=$(config_id cfg.yaml one.example)
two=$(config_id cfg.yaml two.example)
four_old=$(config_id cfg.yaml four.example)
one_new=$(config_id staged/cfg.yaml one.example)
four_new=$(config_id staged/four.yaml four.example)

daemon_start
expect_eq "$(served_id mta-sts.four.example)" "$four_old" "four.example at start"

# ---- a customer file with an invalid mode
mark=$(log_mark)
domains_yaml four.example=enforcing > domains.d/four.yaml
await_log 2 "$mark" 'files changed'
expect_steady 2 "$four_old" served_id mta-sts.four.example
expect_log_since "$mark" "error: domains\.d/four\.yaml:2:[0-9]+: four\.example: mode 'enforcing'"
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
expect_clean_stop
