# SPDX-License-Identifier: GPL-2.0-or-later
# A certificate that expires while the daemon runs stops being served with
# no file changing: at its notAfter the daemon looks at every name again,
# the name it served is refused with unrecognized_name (never the expired
# certificate), the log says why, and the other names, and a customer
# added afterwards, are served. Only the names of that certificate are
# looked at again: no file is read. A certificate that becomes valid while
# the daemon runs is served from its notBefore on, the same way. An expired certificate is no error that
# the refusal rule would keep a name for.
. "$TOP/tests/integration/lib.sh"

mkpki pki mta-sts.stay.example mta-sts.later.example
mkpki pki --seconds 8 mta-sts.brief.example
fixture_daemon --customer stay.example --customer brief.example
expires=$(openssl x509 -enddate -noout -in certs/mta-sts.brief.example.crt |
    sed 's/notAfter=//')
expires_s=$(date -d "$expires" +%s)
expect_eq "$(served_serial mta-sts.brief.example)" "$(file_serial certs/mta-sts.brief.example.crt)" "brief's certificate before it expires"
mark=$(log_mark)
# Wait for the notAfter (at most 10 s: it was made 8 s from then).
left=$((expires_s - $(date +%s)))
[ "$left" -le 10 ] || fail "the certificate expires in $left s"
[ "$left" -lt 0 ] || sleep "$left"
t0=$(now_ms)
expect_served 3 'failed:*unrecognized name*' served_id mta-sts.brief.example
echo "brief.example refused $(($(now_ms) - t0)) ms after its notAfter"
expect_log_since "$mark" 'a certificate began or ceased to be valid: reloading'
expect_log_since "$mark" 'reload: 1 certificates began or ceased to be valid: looking at their names again'
expect_log_since "$mark" 'reloaded in .*: serving 1 of 2 domains \(0 added, 1 removed, 0 policies and 0 certificates changed\)'
expect_no_log_since "$mark" 'reading every file'
expect_log_since "$mark" 'certs/mta-sts\.brief\.example\.crt: the certificate expired on'
expect_no_log_since "$mark" 'reload refused'
expect_eq "$(served_serial mta-sts.stay.example)" "$(file_serial certs/mta-sts.stay.example.crt)" "stay's certificate"
# A customer added afterwards is not held up by the expired one.
install_cert pki/certs/mta-sts.later.example certs/mta-sts.later.example
domains_yaml later.example > domains.d/.later.yaml
mv domains.d/.later.yaml domains.d/later.yaml
expect_served 3 "$(file_serial certs/mta-sts.later.example.crt)" served_serial mta-sts.later.example
expect_unrecognized mta-sts.brief.example
# A certificate not valid yet is not served, and is from its notBefore on,
# its names alone looked at again then.
mkpki pki --from-seconds 4 mta-sts.soon.example
begins=$(openssl x509 -startdate -noout -in pki/certs/mta-sts.soon.example.crt |
    sed 's/notBefore=//')
install_cert pki/certs/mta-sts.soon.example certs/mta-sts.soon.example
domains_yaml soon.example > domains.d/.soon.yaml
mv domains.d/.soon.yaml domains.d/soon.yaml
sleep 1
expect_unrecognized mta-sts.soon.example
mark=$(log_mark)
left=$(($(date -d "$begins" +%s) - $(date +%s)))
[ "$left" -le 4 ] || fail "the certificate begins in $left s"
[ "$left" -lt 0 ] || sleep "$left"
expect_served 3 "$(file_serial certs/mta-sts.soon.example.crt)" served_serial mta-sts.soon.example
expect_log_since "$mark" 'reload: 1 certificates began or ceased to be valid: looking at their names again'
expect_log_since "$mark" 'reloaded in .*: serving 3 of 4 domains \(1 added, 0 removed'
expect_no_log_since "$mark" 'reading every file'
expect_clean_stop
