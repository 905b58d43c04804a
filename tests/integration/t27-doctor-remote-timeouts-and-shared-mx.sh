# SPDX-License-Identifier: GPL-2.0-or-later
# `doctor --remote` checks a domain without a configuration, from the
# policy it fetches; --no-smtp leaves STARTTLS out; a lookup the resolver
# refuses is reported as a failed lookup, not as a missing record; a
# resolver that never answers costs at most the timeout per query; an MX host shared by many
# domains is probed once; usage errors exit 3 (UNKNOWN); a terminal gets a
# progress line.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/doctor-world.sh"

remote() {
	hostd doctor --remote --resolver "$DNS" --cafile ca.crt --timeout 5 "$@"
}

# The fetched policy stands in for the configuration.
remote --format json good.example
expect_rc 0 "doctor --remote good.example"
python3 - out <<'PY' || fail "remote good.example: see above"
import json, sys
[dom] = json.load(open(sys.argv[1]))["domains"]
assert dom["configured"] is False and dom["policy_id"] is None, dom
st = {c["check"]: c["status"] for c in dom["checks"]}
assert st == {"sts-record": "ok", "policy-host": "ok", "policy-fetch": "ok",
              "mx-match": "ok", "smtp-starttls": "ok", "tlsrpt-record": "ok",
              "policy-sanity": "ok"}, st
PY
remote mxdrift.example
expect_rc 2 "doctor --remote mxdrift.example"
expect_in out "MX mx.other.example matches no mx pattern of the policy"
remote nowhere.good.example
expect_rc 2 "doctor --remote nowhere.good.example"
expect_in out "_mta-sts.nowhere.good.example has no TXT record starting with v=STSv1"
expect_in out "mta-sts.nowhere.good.example: no A or AAAA record"
# A lookup that fails (nsd refuses a zone it does not serve, which the
# resolver library answers as SERVFAIL) is reported as a failed lookup, not
# as a missing record.
remote unserved.example
expect_rc 2 "doctor --remote unserved.example"
expect_in out "_mta-sts.unserved.example TXT: the resolver answered SERVFAIL"
expect_in out "mta-sts.unserved.example could not be looked up"
expect_not_in out "has no TXT record"
expect_not_in out "no A or AAAA record"
expect_not_in out "has no address"

# With dns.policy_host.cname, mta-sts.<domain> must lead to the addresses
# of that host, through a CNAME or not.
sed 's/policy_host: {addresses: \[.*\]}/policy_host: {cname: mta-sts.hoster.example}/' \
    cfg.yaml > cname.yaml
grep -q "cname: mta-sts.hoster.example" cname.yaml || fail "cname.yaml"
for d in customer.example good.example; do
	hostd doctor -c cname.yaml --resolver "$DNS" --cafile ca.crt --no-smtp "$d"
	expect_rc 0 "doctor with policy_host.cname: $d"
done
hostd doctor -c cname.yaml --resolver "$DNS" --cafile ca.crt --no-smtp elsewhere.example
expect_rc 2 "doctor with policy_host.cname: elsewhere.example"
expect_in out "127.0.0.99 is not this deployment (mta-sts.hoster.example: $WEB)"
expect_in out "publish mta-sts.elsewhere.example. CNAME mta-sts.hoster.example."

# --no-smtp: the wrong MX certificate is not looked at.
doctor --no-smtp wrongname.example
expect_rc 0 "doctor --no-smtp wrongname.example"
expect_in out "not checked (--no-smtp)"

# A resolver that takes queries and never answers.
python3 - <<'PY' &
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.54", 53)); s.settimeout(120)
end = time.time() + 120
while time.time() < end:
    try:
        s.recvfrom(512)
    except OSError:
        break
PY
daemon_pids="$daemon_pids $!"
sleep 0.5
start=$(date +%s)
hostd doctor -c cfg.yaml --resolver 127.0.0.54 --timeout 1 good.example
took=$(($(date +%s) - start))
expect_rc 2 "doctor with a silent resolver"
expect_in out "no answer within 1000 ms"
# Five queries (TXT, A, AAAA, MX, TXT), a second each at most.
[ "$took" -le 8 ] || fail "a silent resolver took $took s"

# Every domain, 4 at a time: mx1.good.example serves seven of them and is
# connected to once, and so is each other MX host postfix answers for
# (mx.other.example and a.b.wild.example on .25, mx.wrongname.example on
# .26, the latter shared by two domains): 4 connections for 11 domains.
smtp_connects() {
	grep -v disconnect maillog | grep -c "connect from" || true
}
before=$(smtp_connects)
doctor --jobs 4
expect_rc 2 "doctor over every domain"
connects_are() {
	[ $(($(smtp_connects) - before)) -eq "$1" ]
}
wait_for 5 connects_are 4 ||
    fail "$(($(smtp_connects) - before)) SMTP connections, expected 4"

# A testing policy whose MX hosts all pass: ready for enforce, and with
# --state the doctor knows for how long.
doctor ready.example
expect_rc 0 "doctor ready.example"
expect_in out "ready for enforce once the TLS-RPT reports are clean too"
doctor --state state ready.example
expect_rc 0 "doctor --state, first run"
expect_in out "mode testing for 0 days, every MX host passing so far"
now=$(date +%s)
grep -qx "ready.example testing [0-9]*" state || fail "state: $(cat state)"
since=$(awk '{print $3}' state)
[ $((now - since)) -le 60 ] || fail "state: since $since, now $now"
echo "ready.example testing $((now - 20 * 86400))" > state
doctor --state state ready.example
expect_rc 0 "doctor --state after 20 days"
expect_in out "mode testing for 20 days, and every MX host passes what enforce demands: time to enforce"
expect_in out "serve mode: enforce first, then publish its id"
expect_eq "$(awk '{print $3}' state)" "$((now - 20 * 86400))" "the state keeps when testing began"
echo "ready.example enforce $((now - 20 * 86400))" > state
doctor --state state ready.example
expect_in out "mode testing for 0 days"
echo "garbage" > state
doctor --state state ready.example
expect_rc 3 "doctor with a broken state file"
expect_in err "state:1: not 'domain mode since'"

# Usage errors: UNKNOWN.
hostd doctor --remote
expect_rc 3 "doctor --remote without a domain"
hostd doctor -c cfg.yaml --timeout 0
expect_rc 3 "doctor --timeout 0"
hostd doctor -c cfg.yaml unconfigured.example
expect_rc 3 "doctor for a domain not in the configuration"
expect_in err "unconfigured.example is not in the configuration"

# On a terminal, a progress line on standard error.
script -qfec "$MTA_STS_HOSTD doctor -c cfg.yaml --resolver $DNS --cafile ca.crt --timeout 5 --no-smtp >/dev/null" tty.log >/dev/null 2>&1 || true
expect_in tty.log "domains checked"
