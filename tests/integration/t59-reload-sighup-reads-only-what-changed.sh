# SPDX-License-Identifier: GPL-2.0-or-later
# SIGHUP with customer files and a flat certificate directory: every file
# is looked at and only what changed since it was read is read again, so
# a million customers reload in seconds. Changes no inotify event announces
# are found: a customer file rewritten through a descriptor that stays open
# (no IN_CLOSE_WRITE), a certificate and key rewritten in place the same
# way. The summary line counts exactly those; a SIGHUP with nothing changed
# counts nothing; neither reads every file. A customer file deleted just
# before SIGHUP is found gone. A changed main file is read alone when only
# its settings changed (they apply); when its templates changed, the
# customer files that name them get their new policies, and no
# certificate is read; when it names
# other files (another include pattern), only what the pattern matches;
# other TLS-RPT addresses read no customer file, another delegation zone
# only those that say delegate: true.
. "$TOP/tests/integration/lib.sh"

cert_versions b.example 2
fixture_daemon --customer a.example=testing --customer b.example \
    --customer c.example
id_a_old=$(config_id domains.d/a.yaml a.example)
id_b=$(config_id domains.d/b.yaml b.example)
id_c=$(config_id domains.d/c.yaml c.example)
domains_yaml a.example > probe/a-new.yaml
id_a_new=$(config_id probe/a-new.yaml a.example)
[ "$id_a_old" != "$id_a_new" ] || fail "a's two policies are the same"
serial_c=$(served_serial mta-sts.c.example)
expect_eq "$(served_id mta-sts.a.example)" "$id_a_old" "a's policy at start"

# rewrite_open FILE NEW...: each FILE gets NEW's bytes through a
# descriptor that stays open while the test goes on (no close event).
rewrite_open() {
	python3 - "$@" <<'PY' &
import sys, time
args = sys.argv[1:]
files = []
for dst, src in zip(args[0::2], args[1::2]):
    new = open(src, "rb").read()
    f = open(dst, "r+b")
    f.truncate(0)
    f.write(new)
    f.flush()
    files.append(f)
open("probe/written", "w").close()
time.sleep(8)
PY
	writer=$!
	daemon_pids="$daemon_pids $writer"
	wait_for 5 test -f probe/written || fail "the writer did not write"
	rm -f probe/written
}
# stop_writer: the descriptors closed (an event: its reload may follow).
stop_writer() {
	kill "$writer" 2>/dev/null || true
	wait "$writer" 2>/dev/null || true
}

# ---- a's policy and b's certificate, changed without an event
rewrite_open domains.d/a.yaml probe/a-new.yaml \
    certs/mta-sts.b.example.key pki/certs/b2.key \
    certs/mta-sts.b.example.crt pki/certs/b2.crt
cmp -s certs/mta-sts.b.example.crt pki/certs/b2.crt ||
	fail "b's certificate was not rewritten"
sleep 1		# no event: nothing may have been reloaded
expect_eq "$(served_id mta-sts.a.example)" "$id_a_old" "a's policy before SIGHUP"
hup_reload 5
expect_log_since "$mark" 'reload: 6 customer and certificate files looked at, 2 new, changed or gone'
expect_log_since "$mark" 'reloaded in .*: serving 3 of 3 domains \(0 added, 0 removed, 1 policies and 1 certificates changed\), 3 certificate files \(1 new, 1 gone\)'
expect_no_log_since "$mark" 'reading every file'
expect_eq "$(served_id mta-sts.a.example)" "$id_a_new" "a's policy after SIGHUP"
expect_eq "$(served_serial mta-sts.b.example)" "$(file_serial pki/certs/b2.crt)" "b's certificate after SIGHUP"
expect_eq "$(served_id mta-sts.b.example)" "$id_b" "b's policy"
expect_eq "$(served_id mta-sts.c.example)" "$id_c" "c's policy"
expect_eq "$(served_serial mta-sts.c.example)" "$serial_c" "c's certificate"
echo "changed without events: reloaded $hup_ms ms after SIGHUP"
stop_writer

# ---- nothing changed: nothing counted, nothing read
sleep 1		# the writer's close is an event: let its reload pass
hup_reload 5
expect_log_since "$mark" 'reload: 6 customer and certificate files looked at, 0 new, changed or gone'
expect_log_since "$mark" 'reloaded in .*: serving 3 of 3 domains \(0 added, 0 removed, 0 policies and 0 certificates changed\), 3 certificate files \(0 new, 0 gone\)'
expect_no_log_since "$mark" 'reading every file'

# ---- a customer file deleted and SIGHUP at once, before the burst of
# events settles: the look finds it gone
rm domains.d/c.yaml
hup_reload 5
expect_log_since "$mark" 'reload: 5 customer and certificate files looked at, 1 new, changed or gone'
expect_log_since "$mark" 'reloaded in .*: serving 2 of 2 domains \(0 added, 1 removed'
expect_unrecognized mta-sts.c.example
expect_eq "$(served_id mta-sts.b.example)" "$id_b" "b's policy"

# ---- the main file changed (no event either), a comment and a setting:
# read alone, the rest looked at; the setting applies (debug lines)
{ sed 's/^server:$/server:\n  log_level: debug/' cfg.yaml
  echo "# a comment"; } > probe/cfg.yaml
grep -q 'log_level: debug' probe/cfg.yaml || fail "no log_level in the main file"
rewrite_open cfg.yaml probe/cfg.yaml
hup_reload 5
expect_log_since "$mark" 'reload: 5 customer and certificate files looked at, 1 new, changed or gone'
expect_log_since "$mark" 'reloaded in .*: serving 2 of 2 domains \(0 added, 0 removed, 0 policies and 0 certificates changed\)'
expect_no_log_since "$mark" 'reading every file'
expect_eq "$(served_id mta-sts.a.example)" "$id_a_new" "a's policy after the main file alone"
expect_log_since "$mark" 'debug: .*for mta-sts.a.example'
stop_writer

# ---- a template added to the main file, and a's file made to use it
# (no event either): the main file read first, then every customer file
# with its templates; the certificates as they were
spare() {
	echo "policies: {spare: {mode: $1, mx: [mx.spare.example], max_age: 1209600}}"
}
# expect_delta_reload READ ID WHAT: of the 5 files, READ new or changed,
# a's policy (now ID) the one change, nothing read by a whole load.
expect_delta_reload() {
	expect_log_since "$mark" "reload: 5 customer and certificate files looked at, $1 new, changed or gone"
	expect_log_since "$mark" 'reloaded in .*: serving 2 of 2 domains \(0 added, 0 removed, 1 policies and 0 certificates changed\)'
	expect_no_log_since "$mark" 'reading every file'
	expect_eq "$(served_id mta-sts.a.example)" "$2" "a's policy $3"
	expect_eq "$(served_id mta-sts.b.example)" "$id_b" "b's policy"
	stop_writer
}
{ spare testing; echo "domains: {a.example: spare}"; } > probe/spare-testing.yaml
{ spare enforce; echo "domains: {a.example: spare}"; } > probe/spare-enforce.yaml
id_spare_testing=$(config_id probe/spare-testing.yaml a.example)
id_spare_enforce=$(config_id probe/spare-enforce.yaml a.example)
{ cat cfg.yaml; spare testing; } > probe/cfg.yaml
echo "domains: {a.example: spare}" > probe/a-spare.yaml
sleep 1		# the writer's close is an event: let its reload pass
rewrite_open cfg.yaml probe/cfg.yaml domains.d/a.yaml probe/a-spare.yaml
hup_reload 5
expect_delta_reload 2 "$id_spare_testing" "from the new template"

# ---- the template changed in the main file alone: a's file, unchanged,
# names it and nothing else, so it gets the new policy without a read
sleep 1
sed 's/spare: {mode: testing/spare: {mode: enforce/' cfg.yaml > probe/cfg.yaml
rewrite_open cfg.yaml probe/cfg.yaml
hup_reload 5
expect_log_since "$mark" "reload: templates changed: 1 customer files given their template's new policy, 0 read again"
expect_delta_reload 1 "$id_spare_enforce" "after its template changed"

# ---- another include pattern: only the file it matches is read (c's,
# whose certificate stayed)
mkdir more.d
domains_yaml c.example > more.d/c.yaml
id_c_more=$(config_id more.d/c.yaml c.example)
# A directory made beside the main file is an event (it could be a
# certificate directory): let its reload pass before the main file changes
# without one, or that reload finds the change before SIGHUP does.
sleep 1
sed 's|^include: \[\(.*\)\]$|include: [\1, more.d/*.yaml]|' cfg.yaml > probe/cfg.yaml
grep -q 'more.d' probe/cfg.yaml || fail "no second include pattern"
rewrite_open cfg.yaml probe/cfg.yaml
hup_reload 5
expect_log_since "$mark" 'reload: 5 customer and certificate files looked at, 1 new, changed or gone'
expect_log_since "$mark" 'reloaded in .*: serving 3 of 3 domains \(1 added, 0 removed, 0 policies and 0 certificates changed\)'
expect_no_log_since "$mark" 'reading every file'
expect_eq "$(served_id mta-sts.c.example)" "$id_c_more" "c's policy from the new pattern"
expect_eq "$(served_id mta-sts.a.example)" "$id_spare_enforce" "a's policy"
stop_writer

# ---- other TLS-RPT addresses: no domain serves them, no customer file is
# read. Another delegation zone serves nothing differently either: only
# the files that say `delegate: true` are read (with no zone, that is an
# error; a zone mends it).
# main_settings LINE: the main file rewritten (probe/cfg.yaml, no event),
# SIGHUP, and LINE logged, nothing served changed.
main_settings() {
	rewrite_open cfg.yaml probe/cfg.yaml
	hup_reload 5
	expect_log_since "$mark" "reload: $1"
	expect_log_since "$mark" 'reloaded in .*: serving 3 of 3 domains \(0 added, 0 removed, 0 policies and 0 certificates changed\)'
	expect_no_log_since "$mark" 'reading every file'
	expect_eq "$(served_id mta-sts.a.example)" "$id_spare_enforce" "a's policy"
	expect_eq "$(served_id mta-sts.c.example)" "$id_c_more" "c's policy"
	stop_writer
	sleep 1
}
sleep 1
{ cat cfg.yaml
  echo 'dns: {tlsrpt: {rua: ["mailto:reports@hoster.example"]}}'; } > probe/cfg.yaml
main_settings "the TLS-RPT addresses changed, which no domain serves: no customer file read"
cp cfg.yaml probe/cfg-no-zone.yaml
sed 's|^dns: {|dns: {delegation: {zone: policies.hoster.example}, |' cfg.yaml > probe/cfg.yaml
grep -q 'delegation' probe/cfg.yaml || fail "no delegation zone"
cp probe/cfg.yaml probe/cfg-zone.yaml
main_settings "the delegation zone changed: 0 customer files say delegate: true and are read again"
# c's domain asks for delegation (its policy as it was), then the zone
# goes: c's file alone is read, its error said, and c kept as served
domains_yaml 'c.example={mode: enforce, mx: [mx.c.example], max_age: 1209600, delegate: true}' > probe/c-delegate.yaml
mv probe/c-delegate.yaml more.d/c.yaml
hup_reload 5
expect_eq "$(served_id mta-sts.c.example)" "$id_c_more" "c's policy with delegate: true"
sleep 1
rewrite_open cfg.yaml probe/cfg-no-zone.yaml
hup_reload 5 'reload refused'
expect_log_since "$mark" "reload: the delegation zone changed: 1 customer files say delegate: true and are read again"
expect_log_since "$mark" 'more.d/c.yaml:2:[0-9]*: c.example: delegate: true needs a hoster zone'
expect_log_since "$mark" 'reload refused: with the errors above, mta-sts.c.example would no longer be served'
expect_eq "$(served_id mta-sts.c.example)" "$id_c_more" "c's policy, kept"
stop_writer
sleep 1
rewrite_open cfg.yaml probe/cfg-zone.yaml
hup_reload 5
expect_log_since "$mark" 'reloaded in .*: serving 3 of 3 domains \(0 added, 0 removed, 0 policies and 0 certificates changed\)'
expect_no_log_since "$mark" 'needs a hoster zone'
stop_writer
sleep 1

# ---- a template changed and an include pattern taken away at once: a's
# file gets the new template, c's (no template: the template change does
# not concern it) goes with its pattern
sed -e 's/spare: {mode: enforce/spare: {mode: testing/' \
    -e 's|^include: \[\(.*\), more.d/\*.yaml\]$|include: [\1]|' cfg.yaml > probe/cfg.yaml
grep -q 'more.d' probe/cfg.yaml && fail "more.d is still included"
rewrite_open cfg.yaml probe/cfg.yaml
hup_reload 5
expect_log_since "$mark" "reload: templates changed: 1 customer files given their template's new policy, 0 read again"
expect_log_since "$mark" 'reloaded in .*: serving 2 of 2 domains \(0 added, 1 removed, 1 policies and 0 certificates changed\)'
expect_no_log_since "$mark" 'reading every file'
expect_eq "$(served_id mta-sts.a.example)" "$id_spare_testing" "a's policy"
expect_unrecognized mta-sts.c.example
stop_writer
expect_clean_stop
