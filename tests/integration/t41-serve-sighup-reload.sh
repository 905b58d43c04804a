# SPDX-License-Identifier: GPL-2.0-or-later
# SIGHUP reloads: after a policy file changes, new connections get the new
# body (the bytes `policy` prints for the new file). A YAML syntax error,
# in an included file or in the main file, followed by SIGHUP is logged with
# its file and line, and the previous policies stay served; the next SIGHUP
# after the fix serves the fixed file.
. "$TOP/tests/integration/lib.sh"

# The policies: one.example's three versions, two.example's (which stays).
mkdir staged
domains_yaml one.example='{mode: enforce, mx: [mx1.one.example, mx2.one.example], max_age: 1209600}' \
    > staged/one.v2.yaml
domains_yaml one.example='{mode: none, mx: [mx1.one.example], max_age: 86400}' \
    > staged/one.v3.yaml
for v in 2 3; do
	policy_body staged/one.v$v.yaml one.example > staged/one.v$v
done
fixture_daemon --no-start \
    --customer one.example='{mode: testing, mx: [mx1.one.example], max_age: 604800}' \
    --customer two.example
cmp -s policies/one.example staged/one.v2 && fail "the new policy is the old one"
cp cfg.yaml cfg.good
daemon_start
reloaded='reloaded.* serving 2 of 2 domains'
refused='reload (failed|refused)'
# A SIGHUP reload waited for 10 s. (The daemon may also reload by itself
# when it sees the files change; those reloads read the same files.)
hup() {
	hup_reload 10 "$1"
}
# served ONE: new connections get ONE for one.example, and two.example's
# policy as it was.
served() {
	expect_policy mta-sts.one.example "$1"
	expect_policy mta-sts.two.example policies/two.example
}
served policies/one.example

# ---- a changed policy file
cat staged/one.v2.yaml > domains.d/one.yaml
hup "$reloaded"
served staged/one.v2

# ---- a YAML syntax error in the included file
printf 'domains:\n  one.example: [\n    mode: none\n' > domains.d/one.yaml
hup "$refused"
expect_in daemon.log "domains.d/one.yaml:4:1: YAML syntax"
served staged/one.v2

# ---- the same in the main file
printf 'server: {listen: ["127.0.0.1:%s"\ncertificates: [}\n' "$port" > cfg.yaml
hup "$refused"
expect_in daemon.log "cfg.yaml:2:"
served staged/one.v2

# ---- fixed: the next SIGHUP serves it
cp cfg.good cfg.yaml
cat staged/one.v3.yaml > domains.d/one.yaml
hup "$reloaded"
served staged/one.v3
[ "$(grep -cE "$refused" daemon.log)" -ge 2 ] || fail "refused reloads not logged"
expect_clean_stop
