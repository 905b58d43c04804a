# SPDX-License-Identifier: GPL-2.0-or-later
# The certificate directory removed (rm -rf) and, a moment later, recreated
# with new certificates (copied in as a whole): while it is gone the reload
# is refused and the old certificates are still served; once it is back the
# new ones are served without a signal, and the watch follows the new
# directory: a later certificate change inside it is picked up too.
. "$TOP/tests/integration/lib.sh"

for n in a b; do
	cert_versions "$n.example" 1 2 3
	install_cert "pki/certs/${n}1" "certs/mta-sts.$n.example"
	install_cert "pki/certs/${n}2" "staged/mta-sts.$n.example"
done
fixture_daemon a.example b.example
id_a=$(policy_id policies/a.example)
# serial NI: the serial of pki/certs/NI.crt.
serial() {
	file_serial "pki/certs/$1.crt"
}

expect_eq "$(served_serial mta-sts.a.example)" "$(serial a1)" "a at start"

# ---- removed
mark=$(log_mark)
rm -rf certs
await_log 2 "$mark" 'reload refused'
expect_steady 1.5 "$(serial a1)" served_serial mta-sts.a.example
expect_eq "$(served_id mta-sts.a.example)" "$id_a" "a's policy with the directory gone"
expect_eq "$(served_serial mta-sts.b.example)" "$(serial b1)" "b with the directory gone"

# ---- recreated
t0=$(now_ms)
cp -rp staged certs
expect_served 3 "$(serial a2)" served_serial mta-sts.a.example
echo "recreated: new certificate served $(($(now_ms) - t0)) ms after the copy"
expect_eq "$(served_serial mta-sts.b.example)" "$(serial b2)" "b after the directory came back"
expect_eq "$(served_id mta-sts.a.example)" "$id_a" "a's policy after the directory came back"

# ---- a later change inside the new directory
t0=$(now_ms)
install_cert pki/certs/a3 certs/mta-sts.a.example
expect_served 3 "$(serial a3)" served_serial mta-sts.a.example
echo "then: new certificate served $(($(now_ms) - t0)) ms after it was renamed in"
expect_eq "$(served_serial mta-sts.b.example)" "$(serial b2)" "b at the end"
expect_clean_stop
