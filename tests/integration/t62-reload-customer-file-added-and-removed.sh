# SPDX-License-Identifier: GPL-2.0-or-later
# Customers come and go as files in an included domains.d/: a new
# customer's file (its certificate dropped into the certificate directory
# first) is served within seconds, without a signal; a customer file that
# arrives before its certificate is served once the certificate arrives; a
# deleted customer file makes that name refused with the unrecognized_name
# alert while every other customer is still served.
. "$TOP/tests/integration/lib.sh"

# Two customers at first; the certificates of the next two kept aside.
mkpki pki mta-sts.three.example mta-sts.four.example
mkdir staged
for n in three four; do
	domains_yaml "$n.example={mode: enforce, mx: [mx.$n.example, backup.$n.example], max_age: 1209600}" \
	    > "staged/$n.yaml"
done
fixture_daemon --no-start --customer one.example --customer two.example
# (config_id checks the id a client computes from the body against the one
# `policy --id` prints.)
for n in one two; do
	eval "id_$n=\$(config_id cfg.yaml $n.example)"
done
for n in three four; do
	eval "id_$n=\$(config_id staged/$n.yaml $n.example)"
done

# drop_cert NAME: the certificate and key for NAME, installed as the ACME
# hooks do (temporary names, then renames; key 0640 root:nogroup).
drop_cert() {
	install_cert "pki/certs/mta-sts.$1.example" "certs/mta-sts.$1.example"
}
# expect_all_served NAME...: each customer's policy is served.
expect_all_served() {
	for n in "$@"; do
		eval "want=\$id_$n"
		expect_eq "$(served_id "mta-sts.$n.example")" "$want" "$n.example"
	done
}

# Made before the start: a directory made later is an event that reloads
# every file, and the test is of a reload that reads the link alone.
mkdir elsewhere
daemon_start
expect_all_served one two
expect_unrecognized mta-sts.three.example

# ---- a new customer: the certificate first, then the file
drop_cert three
mark=$(log_mark)
t0=$(now_ms)
cp staged/three.yaml domains.d/three.yaml
expect_served 3 "$id_three" served_id mta-sts.three.example
echo "three.example served $(($(now_ms) - t0)) ms after its file"
expect_eq "$(served_serial mta-sts.three.example)" "$(file_serial certs/mta-sts.three.example.crt)" "certificate of three"
expect_all_served one two three
await_log 1 "$mark" 'reloaded in .*serving 3 of 3 domains \(1 added, 0 removed'

# ---- a new customer whose file comes before its certificate
mark=$(log_mark)
cp staged/four.yaml domains.d/four.yaml
await_log 3 "$mark" 'reloaded in .*serving 3 of 4 domains'
expect_log_since "$mark" 'four\.example: no valid certificate covers mta-sts\.four\.example'
expect_unrecognized mta-sts.four.example
expect_all_served one two three
t0=$(now_ms)
drop_cert four
expect_served 3 "$id_four" served_id mta-sts.four.example
echo "four.example served $(($(now_ms) - t0)) ms after its certificate"
expect_all_served one two three four

# ---- a customer file that is a symlink into another directory: once it
# is served, an edit of its target in place is seen (the daemon watches the
# target's directory as well as the link's, from the reload that read it)
domains_yaml "four.example={mode: testing, mx: [mx.four.example], max_age: 86400}" \
    > elsewhere/four.yaml
id_four_testing=$(config_id elsewhere/four.yaml four.example)
rm domains.d/four.yaml
ln -s "$PWD/elsewhere/four.yaml" domains.d/four.yaml
expect_served 3 "$id_four_testing" served_id mta-sts.four.example
domains_yaml "four.example={mode: enforce, mx: [mx.four.example], max_age: 86400}" \
    > elsewhere/four.new
id_four_enforce=$(config_id elsewhere/four.new four.example)
cat elsewhere/four.new > elsewhere/four.yaml
expect_served 3 "$id_four_enforce" served_id mta-sts.four.example
echo "four.example's symlinked file edited in place: served"
id_four=$id_four_enforce

# ---- a customer leaves: its file is deleted
mark=$(log_mark)
t0=$(now_ms)
rm domains.d/two.yaml
expect_served 3 'failed:*unrecognized name*' served_id mta-sts.two.example
echo "two.example refused $(($(now_ms) - t0)) ms after its file was deleted"
expect_unrecognized mta-sts.two.example
expect_all_served one three four
await_log 1 "$mark" 'reloaded in .*serving 3 of 3 domains \(0 added, 1 removed'
expect_clean_stop
