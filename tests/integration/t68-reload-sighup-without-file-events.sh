# SIGHUP reloads at once, whether or not inotify saw anything: a policy
# rewritten through a descriptor that stays open (no close, so no
# IN_CLOSE_WRITE), and a certificate changed by flipping a directory
# symlink in a directory the daemon does not watch; each followed at once by
# SIGHUP. The first connection after the reload's log line gets the new
# policy / certificate, with no polling and no debounce delay.
. "$TOP/tests/integration/lib.sh"

mkpki pki
mkpki pki --out a1 mta-sts.a.example
mkpki pki --out a2 mta-sts.a.example
mkpki pki mta-sts.b.example
cp pki/ca.crt ca.crt
mkdir -p probe domains.d certs other/d1 other/d2
cp pki/certs/mta-sts.b.example.crt pki/certs/mta-sts.b.example.key certs/
cp pki/certs/a1.crt other/d1/a.crt
cp pki/certs/a1.key other/d1/a.key
cp pki/certs/a2.crt other/d2/a.crt
cp pki/certs/a2.key other/d2/a.key
ln -s d1 other/link
service_readable certs other pki
port=$(free_port)
{
	server_yaml
	cat <<YAML
certificates:
  - {directory: certs}
  - {cert: $T/other/link/a.crt, key: $T/other/link/a.key}
include: [domains.d/*.yaml]
YAML
} > cfg.yaml
printf 'domains:\n  a.example: {mode: testing, mx: [mx.a.example], max_age: 604800}\n  b.example: {mode: enforce, mx: [mx.b.example], max_age: 1209600}\n' > domains.d/ab.yaml
printf 'domains:\n  a.example: {mode: enforce, mx: [mx.a.example], max_age: 1209600}\n  b.example: {mode: enforce, mx: [mx.b.example], max_age: 1209600}\n' > new.yaml
hostd policy -c cfg.yaml a.example
id_old=$(policy_id out)
hostd policy -c cfg.yaml b.example
id_b=$(policy_id out)
mkdir x
cp new.yaml x/
printf 'include: [x/*.yaml]\n' > x.yaml
hostd policy -c x.yaml a.example
id_new=$(policy_id out)
rm -r x x.yaml
[ "$id_old" != "$id_new" ] || fail "the two policies are the same"

daemon_start
expect_eq "$(served_id mta-sts.a.example)" "$id_old" "a's policy at start"
expect_eq "$(served_serial mta-sts.a.example)" "$(file_serial pki/certs/a1.crt)" "a's certificate at start"

# hup_now: SIGHUP, then wait (2 s at most) for that reload's summary line;
# $hup_ms is how long it took.
hup_now() {
	mark=$(log_mark)
	t0=$(now_ms)
	daemon_signal HUP
	await_log 2 "$mark" 'SIGHUP: reloading'
	await_log 2 "$mark" 'reloaded in'
	hup_ms=$(($(now_ms) - t0))
}

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
hup_now
expect_eq "$(served_id mta-sts.a.example)" "$id_new" "a's policy right after SIGHUP"
echo "policy: reloaded $hup_ms ms after SIGHUP"
expect_eq "$(served_id mta-sts.b.example)" "$id_b" "b's policy"
kill "$writer" 2>/dev/null || true
wait "$writer" 2>/dev/null || true

# ---- the certificate, by a symlink flipped where nothing is watched
ln -sfn d2 other/link
hup_now
expect_eq "$(served_serial mta-sts.a.example)" "$(file_serial pki/certs/a2.crt)" "a's certificate right after SIGHUP"
echo "certificate: reloaded $hup_ms ms after SIGHUP"
expect_eq "$(served_id mta-sts.a.example)" "$id_new" "a's policy with the new certificate"

# ---- a burst of signals: each one answered, the daemon still serving
for _ in 1 2 3 4 5; do
	hup_now
done
expect_eq "$(served_id mta-sts.a.example)" "$id_new" "a's policy after 5 more SIGHUPs"
proc_alive "$daemon_pid" || fail "the daemon died"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
