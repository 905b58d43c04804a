# SPDX-License-Identifier: GPL-2.0-or-later
# The main file gets another include pattern and certificate directory, or
# loses one: the customer files and certificates that the change adds or
# takes away are read (or withdrawn) as if inotify had named them, with no
# whole load, and the new directories are watched from then on while those
# no longer named are not. What is served after each step is what a fresh
# start on the same files serves. A certificate directory of certbot
# lineages still needs the whole load, which says so.
. "$TOP/tests/integration/lib.sh"

fixture_daemon --no-start --customer a.example --customer b.example
# Customers and certificates the configuration does not name yet.
mkdir more.d more-certs
mkpki pki mta-sts.c.example mta-sts.e.example mta-sts.f.example \
    mta-sts.g.example mta-sts.h.example mta-sts.i.example
for d in c e; do
	install_cert "pki/certs/mta-sts.$d.example" "more-certs/mta-sts.$d.example"
	domains_yaml "$d.example=testing" > "more.d/$d.yaml"
done
service_readable more-certs
id_a=$(config_id domains.d/a.yaml a.example)
id_b=$(config_id domains.d/b.yaml b.example)
id_c=$(config_id more.d/c.yaml c.example)
id_e=$(config_id more.d/e.yaml e.example)
grep -q '^include: \[domains.d/\*.yaml\]$' cfg.yaml || fail "no include line"
grep -q '^certificates: \[{directory: certs}\]$' cfg.yaml ||
	fail "no certificates line"
# sources INCLUDE CERTS: cfg.yaml's include patterns and certificate
# sources replaced (the reload it makes awaited, and not refused).
sources_yaml() {
	sed -e "s|^include: .*|include: [$1]|" \
	    -e "s|^certificates: .*|certificates: [$2]|" cfg.yaml > probe/cfg.yaml
}
sources() {
	sources_yaml "$@"
	config_replace probe/cfg.yaml 10
}
# expect_delta ADDED REMOVED CERTS NEW GONE: the reload read no whole load
# and its summary says so many names added and removed, certificate files
# in all, new and gone.
expect_delta() {
	expect_no_log_since "$mark" 'reading every file'
	expect_log_since "$mark" "reloaded in .*\\($1 added, $2 removed, 0 policies and 0 certificates changed\\), $3 certificate files \\($4 new, $5 gone\\)"
}
daemon_start

# ---- a second pattern and a second certificate directory: their files
# read, the rest left as it is
sources 'domains.d/*.yaml, more.d/*.yaml' '{directory: certs}, {directory: more-certs}'
expect_delta 2 0 4 2 0
for d in a b c e; do
	eval "want=\$id_$d"
	expect_eq "$(served_id "mta-sts.$d.example")" "$want" "$d's policy"
done
expect_eq "$(served_serial mta-sts.c.example)" \
    "$(file_serial pki/certs/mta-sts.c.example.crt)" "c's certificate"

# ---- the new directories are watched: a customer added there is served
install_cert pki/certs/mta-sts.f.example more-certs/mta-sts.f.example
domains_yaml f.example > probe/f.yaml
replace_file probe/f.yaml more.d/f.yaml
id_f=$(config_id more.d/f.yaml f.example)
expect_served 5 "$id_f" served_id mta-sts.f.example

# ---- the first pattern and directory gone: their names go, no error
sources 'more.d/*.yaml' '{directory: more-certs}'
expect_delta 0 2 3 0 2
expect_unrecognized mta-sts.a.example
expect_unrecognized mta-sts.b.example
expect_eq "$(served_id mta-sts.c.example)" "$id_c" "c's policy"
expect_eq "$(served_id mta-sts.f.example)" "$id_f" "f's policy"

# ---- what the directories no longer named hold is not looked at: a
# customer written there reloads nothing
install_cert pki/certs/mta-sts.g.example more-certs/mta-sts.g.example
sleep 1		# its certificate's reload (a name no domain has) passes
mark=$(log_mark)
domains_yaml g.example > probe/g.yaml
replace_file probe/g.yaml domains.d/g.yaml
sleep 1.5
expect_no_log_since "$mark" 'reloaded in|reload refused'
expect_unrecognized mta-sts.g.example

# ---- both back: a, b and g, whose file came meanwhile, served
sources 'domains.d/*.yaml, more.d/*.yaml' '{directory: more-certs}, {directory: certs}'
expect_delta 3 0 6 2 0
id_g=$(config_id domains.d/g.yaml g.example)
for d in a b c e f g; do
	eval "want=\$id_$d"
	expect_eq "$(served_id "mta-sts.$d.example")" "$want" "$d's policy"
done

# ---- a flat directory that holds a lineage of its own (a directory with
# fullchain.pem and privkey.pem): the whole load reads it, and says why;
# taken away again, its certificate goes with it (the refusal rule keeps
# the name, whose domain is still configured)
mkdir -p sub-certs/mta-sts.i.example
cp pki/certs/mta-sts.i.example.crt sub-certs/mta-sts.i.example/fullchain.pem
cp pki/certs/mta-sts.i.example.key sub-certs/mta-sts.i.example/privkey.pem
service_readable sub-certs
domains_yaml i.example > more.d/i.yaml
id_i=$(config_id more.d/i.yaml i.example)
sleep 1		# the customer file's reload passes (no certificate yet)
sources 'domains.d/*.yaml, more.d/*.yaml' '{directory: more-certs}, {directory: certs}, {directory: sub-certs}'
expect_log_since "$mark" 'reload: a certificate directory of certbot lineages was added: reading every file'
expect_eq "$(served_id mta-sts.i.example)" "$id_i" "i's policy"
sources_yaml 'domains.d/*.yaml, more.d/*.yaml' '{directory: more-certs}, {directory: certs}'
mark=$(log_mark)
replace_file probe/cfg.yaml cfg.yaml
await_log 10 "$mark" 'reload refused'
expect_log_since "$mark" 'mta-sts.i.example would no longer be served'
expect_no_log_since "$mark" 'reading every file'
expect_eq "$(served_id mta-sts.i.example)" "$id_i" "i's policy, kept"
mark=$(log_mark)
rm more.d/i.yaml
await_log 5 "$mark" 'reloaded in'
expect_unrecognized mta-sts.i.example

# ---- a directory of certbot lineages: the whole load, which says why
mkdir -p le/live/mta-sts.h.example
cp pki/certs/mta-sts.h.example.crt le/live/mta-sts.h.example/fullchain.pem
cp pki/certs/mta-sts.h.example.key le/live/mta-sts.h.example/privkey.pem
service_readable le
domains_yaml h.example > more.d/h.yaml
sleep 1		# the customer file's reload passes (no certificate yet)
sources 'domains.d/*.yaml, more.d/*.yaml' '{directory: more-certs}, {directory: certs}, {directory: le}'
expect_log_since "$mark" 'reload: a certificate directory of certbot lineages was added: reading every file'
id_h=$(config_id more.d/h.yaml h.example)
expect_eq "$(served_id mta-sts.h.example)" "$id_h" "h's policy"

# ---- what the running daemon serves is what a fresh start serves
for d in a b c e f g h; do
	eval "want_$d=\$(served_id mta-sts.$d.example)"
	eval "serial_$d=\$(served_serial mta-sts.$d.example)"
done
expect_clean_stop
daemon_start
for d in a b c e f g h; do
	eval "want=\$want_$d serial=\$serial_$d"
	expect_eq "$(served_id "mta-sts.$d.example")" "$want" "$d's policy after a fresh start"
	expect_eq "$(served_serial "mta-sts.$d.example")" "$serial" "$d's certificate after a fresh start"
done
expect_clean_stop
