# SIGHUP reloads: after a policy file changes, new connections get the new
# body (the bytes `policy` prints for the new file). A YAML syntax error,
# in an included file or in the main file, followed by SIGHUP is logged with
# its file and line, and the previous policies stay served; the next SIGHUP
# after the fix serves the fixed file.
. "$TOP/tests/integration/lib.sh"

mkpki .
mkpki . mta-sts.one.example mta-sts.two.example
# The daemon re-reads everything as nobody:nogroup: keys readable by the
# group, as the ACME hooks install them.
chmod 755 "$T"
chgrp nogroup certs/*.key
chmod 640 certs/*.key
port=$(free_port)
{
	server_yaml
	cat <<'YAML'
certificates: [{directory: certs}]
include: [domains.d/*.yaml]
YAML
} > cfg.yaml
cp cfg.yaml cfg.good
mkdir domains.d
cat > domains.d/one.yaml <<'YAML'
domains:
  one.example:
    mode: testing
    mx: [mx1.one.example]
    max_age: 604800
YAML
cat > domains.d/two.yaml <<'YAML'
domains:
  two.example: {mode: enforce, mx: [mx.two.example], max_age: 1209600}
YAML

# expect_body DOMAIN FILE: a new connection gets exactly FILE.
expect_body() {
	expect_eq "$(https "mta-sts.$1" /.well-known/mta-sts.txt)" "200 1" "GET for $1 ($2)"
	cmp -s body "$2" || fail "$1: served $(od -c body | head -3), expected $2: $(od -c "$2" | head -3)"
}
# reload_and_wait REGEX: SIGHUP, then wait (10 s at most) until the log
# shows that reload's outcome: a line matching REGEX after the last
# "SIGHUP: reloading". (The daemon may also reload by itself when it sees
# the files change; those reloads read the same files.)
reload_and_wait() {
	before=$(grep -c 'SIGHUP: reloading' daemon.log || true)
	daemon_signal HUP
	n=0
	until [ "$(grep -c 'SIGHUP: reloading' daemon.log || true)" -gt "$before" ] &&
	    awk -v re="$1" '/SIGHUP: reloading/ { seen = 0; next }
		$0 ~ re { seen = 1 } END { exit !seen }' daemon.log; do
		n=$((n + 1))
		[ "$n" -lt 100 ] || fail "no '$1' in the log 10 s after SIGHUP: $(cat daemon.log)"
		sleep 0.1
	done
}
reloaded='reloaded.* serving 2 of 2 domains'
refused='reload (failed|refused)'

hostd policy -c cfg.yaml one.example
mv out one.v1
hostd policy -c cfg.yaml two.example
mv out two
daemon_start
expect_body one.example one.v1
expect_body two.example two

# ---- a changed policy file
cat > domains.d/one.yaml <<'YAML'
domains:
  one.example:
    mode: enforce
    mx: [mx1.one.example, mx2.one.example]
    max_age: 1209600
YAML
hostd policy -c cfg.yaml one.example
mv out one.v2
cmp -s one.v1 one.v2 && fail "the new policy is the old one"
reload_and_wait "$reloaded"
expect_body one.example one.v2
expect_body two.example two

# ---- a YAML syntax error in the included file
printf 'domains:\n  one.example: [\n    mode: none\n' > domains.d/one.yaml
reload_and_wait "$refused"
expect_in daemon.log "domains.d/one.yaml:4:1: YAML syntax"
expect_body one.example one.v2
expect_body two.example two

# ---- the same in the main file
printf 'server: {listen: ["127.0.0.1:%s"\ncertificates: [}\n' "$port" > cfg.yaml
reload_and_wait "$refused"
expect_in daemon.log "cfg.yaml:2:"
expect_body one.example one.v2
expect_body two.example two

# ---- fixed: the next SIGHUP serves it
cp cfg.good cfg.yaml
cat > domains.d/one.yaml <<'YAML'
domains:
  one.example:
    mode: none
    mx: [mx1.one.example]
    max_age: 86400
YAML
hostd policy -c cfg.yaml one.example
mv out one.v3
reload_and_wait "$reloaded"
expect_body one.example one.v3
expect_body two.example two
[ "$(grep -cE "$refused" daemon.log)" -ge 2 ] || fail "refused reloads not logged"
proc_alive "$daemon_pid" || fail "the daemon died"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
