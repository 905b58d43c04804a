# SPDX-License-Identifier: GPL-2.0-or-later
# A FIFO where the daemon reads files (a customer file, a certificate or its
# key, the session ticket key file), left there by a broken upload tool or
# on purpose, would block open(2) for good: start-up would never finish and
# a reload would never return. Each is refused as not a regular file, with
# its path, and everything else is served; a reload that meets one goes
# through.
. "$TOP/tests/integration/lib.sh"

fixture_daemon --no-start --customer one.example --customer two.example
mkfifo domains.d/fifo.yaml certs/mta-sts.fifo.example.crt
cp -p certs/mta-sts.one.example.key certs/mta-sts.fifo.example.key
daemon_start
expect_policy mta-sts.one.example policies/one.example
expect_policy mta-sts.two.example policies/two.example
expect_in daemon.log 'error: domains.d/fifo.yaml: not a regular file'
expect_in daemon.log 'certs/mta-sts.fifo.example.crt: not a regular file'

# A reload that meets a new FIFO, with a real change beside it.
mkpki pki mta-sts.three.example
mark=$(log_mark)
mkfifo domains.d/fifo2.yaml
domains_yaml three.example > domains.d/.three.yaml
mv domains.d/.three.yaml domains.d/three.yaml
install_cert pki/certs/mta-sts.three.example certs/mta-sts.three.example
await_log 10 "$mark" 'reloaded.*serving 3 of 3 domains'
policy_body domains.d/three.yaml three.example > policies/three.example
expect_policy mta-sts.three.example policies/three.example
# SIGHUP looks at every file, the FIFOs too.
hup_reload 10 'reloaded in|as they were|nothing'
expect_policy mta-sts.one.example policies/one.example
expect_clean_stop

# The session ticket key file: the daemon refuses to start, at once, and
# says why.
mkfifo tickets.keys
daemon_yaml --server 'session_ticket_keys: tickets.keys' one.example > t.yaml
timeout 10 "$MTA_STS_HOSTD" serve --foreground -c t.yaml > out 2> err && rc=0 || rc=$?
[ "$rc" -ne 124 ] || fail "the daemon hung on a FIFO as its ticket key file"
expect_in err 'tickets.keys: not a regular file'
