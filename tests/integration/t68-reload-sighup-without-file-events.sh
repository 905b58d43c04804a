# SPDX-License-Identifier: GPL-2.0-or-later
# SIGHUP reloads at once, whether or not inotify saw anything: a policy
# rewritten through a descriptor that stays open (no close, so no
# IN_CLOSE_WRITE), and a certificate changed by flipping a directory
# symlink in a directory the daemon does not watch; each followed at once by
# SIGHUP. The first connection after the reload's log line gets the new
# policy / certificate, with no polling and no debounce delay.
. "$TOP/tests/integration/lib.sh"

# a.example's certificate outside the certificate directory, named through
# a directory symlink: other/link -> d1, later d2.
cert_versions a.example 1 2
install_cert pki/certs/a1 other/d1/a
install_cert pki/certs/a2 other/d2/a
ln -s d1 other/link
fixture_prepare b.example
daemon_yaml --include 'domains.d/*.yaml' \
    --certs "{directory: certs}, {cert: $T/other/link/a.crt, key: $T/other/link/a.key}" \
    > cfg.yaml
mkdir domains.d
# Both domains in one customer file, which a.example's new policy replaces.
domains_yaml a.example='{mode: testing, mx: [mx.a.example], max_age: 604800}' \
    b.example > domains.d/ab.yaml
domains_yaml a.example b.example > new.yaml
id_old=$(config_id cfg.yaml a.example)
id_b=$(config_id cfg.yaml b.example)
id_new=$(config_id new.yaml a.example)
[ "$id_old" != "$id_new" ] || fail "the two policies are the same"

daemon_start
expect_eq "$(served_id mta-sts.a.example)" "$id_old" "a's policy at start"
expect_eq "$(served_serial mta-sts.a.example)" "$(file_serial pki/certs/a1.crt)" "a's certificate at start"

# ---- the policy, through a descriptor kept open
python3 - domains.d/ab.yaml new.yaml <<'PY' &
import sys, time
new = open(sys.argv[2], "rb").read()
f = open(sys.argv[1], "r+b")
f.truncate(0)
f.write(new)
f.flush()
open("probe/written", "w").close()
time.sleep(5)		# still open while the test looks
f.close()
PY
writer=$!
daemon_pids="$daemon_pids $writer"	# stopped with the daemon if we fail
wait_for 5 test -f probe/written || fail "the writer did not write"
cmp -s domains.d/ab.yaml new.yaml || fail "the file does not hold the new policy"
hup_reload 2
expect_eq "$(served_id mta-sts.a.example)" "$id_new" "a's policy right after SIGHUP"
echo "policy: reloaded $hup_ms ms after SIGHUP"
expect_eq "$(served_id mta-sts.b.example)" "$id_b" "b's policy"
kill "$writer" 2>/dev/null || true
wait "$writer" 2>/dev/null || true

# ---- the certificate, by a symlink flipped where nothing is watched
ln -sfn d2 other/link
hup_reload 2
expect_eq "$(served_serial mta-sts.a.example)" "$(file_serial pki/certs/a2.crt)" "a's certificate right after SIGHUP"
echo "certificate: reloaded $hup_ms ms after SIGHUP"
expect_eq "$(served_id mta-sts.a.example)" "$id_new" "a's policy with the new certificate"

# ---- a burst of signals: each one answered, the daemon still serving
for _ in 1 2 3 4 5; do
	hup_reload 2
done
expect_eq "$(served_id mta-sts.a.example)" "$id_new" "a's policy after 5 more SIGHUPs"
expect_clean_stop
