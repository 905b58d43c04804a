# SPDX-License-Identifier: GPL-2.0-or-later
# The world the doctor tests check, built inside a network namespace of the
# test's own (so every server is on its standard port): nsd serving one zone
# per test domain on 127.0.0.53:53, the daemon serving their policies on
# 127.0.0.10:443, and postfix with STARTTLS on 127.0.0.25:25 (a certificate
# for mx1.good.example) and 127.0.0.26:25 (a certificate for other.example,
# the wrong name for the MX that points there). Sourced after lib.sh: the
# test runs itself again inside the namespace first.
#
#   domain             what is wrong with it
#   good.example          nothing
#   customer.example      nothing; _mta-sts is a CNAME to the hoster's record,
#                         mta-sts a CNAME to the hoster's policy host
#   twotxt.example        a second v=STSv1 TXT record
#   stale.example         the TXT id is an old policy's
#   nohost.example        no A record for mta-sts.nohost.example
#   notlsrpt.example      no _smtp._tls record (the configuration has a rua)
#   mxdrift.example       an MX (mx.other.example) that no mx pattern matches
#   wild.example          mx: *.wild.example, MX a.b.wild.example (two labels)
#   wrongname.example     enforce; the MX's certificate names other.example
#   trial.example         testing; the same MX as wrongname.example
#   slowmx.example        its MX accepts connections and never speaks
#   ready.example         nothing; testing, with every MX passing
#   elsewhere.example     mta-sts points at an address that is not the daemon
#   lab.test              nothing, under a special-use TLD (RFC 6761) that a
#                         resolver library answers itself unless told not to

. "$TOP/tests/integration/doctor-servers.sh"
doctor_netns 127.0.0.25 127.0.0.26

DNS=127.0.0.53
WEB=127.0.0.10
DOMAINS="good.example customer.example twotxt.example stale.example nohost.example
notlsrpt.example mxdrift.example wild.example wrongname.example trial.example
slowmx.example ready.example elsewhere.example lab.test"

# ---- certificates: the daemon's, and the two MX hosts'
mkpki .
for d in $DOMAINS; do
	mkpki . "mta-sts.$d"
done
mkdir -p mx
mkpki . mx1.good.example other.example
mv certs/mx1.good.example.* certs/other.example.* mx/
cat mx/mx1.good.example.key mx/mx1.good.example.crt > mx/good.pem
cat mx/other.example.key mx/other.example.crt > mx/wrong.pem

# ---- the configuration, and the daemon
port=443
cat > cfg.yaml <<YAML
server:
  listen: ["$WEB:443", "127.0.0.1:443"]
  user: nobody
  group: nogroup
  workers: 1
certificates: [{directory: certs}]
dns:
  policy_host: {addresses: [$WEB]}
  tlsrpt: {rua: ["mailto:tlsrpt@hoster.example"]}
  delegation: {zone: hoster.example}
policies:
  shared: {mode: enforce, mx: [mx1.good.example], max_age: 1209600}
domains:
  good.example: {policy: shared, delegate: false}
  customer.example: shared
  twotxt.example: {policy: shared, delegate: false}
  stale.example: {policy: shared, delegate: false}
  nohost.example: {policy: shared, delegate: false}
  notlsrpt.example: {policy: shared, delegate: false}
  mxdrift.example: {policy: shared, delegate: false}
  wild.example: {mode: enforce, mx: ["*.wild.example"], max_age: 1209600, delegate: false}
  wrongname.example: {mode: enforce, mx: [mx.wrongname.example], max_age: 1209600, delegate: false}
  trial.example: {mode: testing, mx: [mx.wrongname.example], max_age: 1209600, delegate: false}
  slowmx.example: {mode: enforce, mx: [mx.slowmx.example], max_age: 1209600, delegate: false}
  ready.example: {mode: testing, mx: [mx1.good.example], max_age: 1209600, delegate: false}
  elsewhere.example: {policy: shared, delegate: false}
  lab.test: {policy: shared, delegate: false}
YAML
daemon_start

# ---- the zones, one per domain, and nsd
id_of() {
	"$MTA_STS_HOSTD" policy -c cfg.yaml --id "$1"
}
# std_zone DOMAIN MX < MORE: a domain with nothing wrong, and MORE records.
std_zone() {
	{
		echo "_mta-sts IN TXT \"v=STSv1; id=$(id_of "$1")\""
		echo "mta-sts IN A $WEB"
		echo "@ IN MX 10 $2."
		echo "_smtp._tls IN TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@hoster.example\""
		cat
	} | zone "$1"
}
echo "mx1 IN A 127.0.0.25" | std_zone good.example mx1.good.example
zone hoster.example <<ZONE
shared._mta-sts IN TXT "v=STSv1; id=$(id_of customer.example)"
mta-sts IN A $WEB
ZONE
zone customer.example <<ZONE
_mta-sts IN CNAME shared._mta-sts.hoster.example.
mta-sts IN CNAME mta-sts.hoster.example.
@ IN MX 10 mx1.good.example.
_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@hoster.example"
ZONE
echo '_mta-sts IN TXT "v=STSv1; id=20240101000000"' |
    std_zone twotxt.example mx1.good.example
zone stale.example <<ZONE
_mta-sts IN TXT "v=STSv1; id=20240101000000"
mta-sts IN A $WEB
@ IN MX 10 mx1.good.example.
_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@hoster.example"
ZONE
zone nohost.example <<ZONE
_mta-sts IN TXT "v=STSv1; id=$(id_of nohost.example)"
@ IN MX 10 mx1.good.example.
_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@hoster.example"
ZONE
zone notlsrpt.example <<ZONE
_mta-sts IN TXT "v=STSv1; id=$(id_of notlsrpt.example)"
mta-sts IN A $WEB
@ IN MX 10 mx1.good.example.
ZONE
echo "@ IN MX 20 mx.other.example." | std_zone mxdrift.example mx1.good.example
echo "mx IN A 127.0.0.25" | zone other.example
echo "a.b IN A 127.0.0.25" | std_zone wild.example a.b.wild.example
echo "mx IN A 127.0.0.26" | std_zone wrongname.example mx.wrongname.example
std_zone trial.example mx.wrongname.example < /dev/null
echo "mx IN A 127.0.0.27" | std_zone slowmx.example mx.slowmx.example
std_zone ready.example mx1.good.example < /dev/null
zone elsewhere.example <<ZONE
_mta-sts IN TXT "v=STSv1; id=$(id_of elsewhere.example)"
mta-sts IN A 127.0.0.99
@ IN MX 10 mx1.good.example.
_smtp._tls IN TXT "v=TLSRPTv1; rua=mailto:tlsrpt@hoster.example"
ZONE

std_zone lab.test mx1.good.example < /dev/null

nsd_serve _mta-sts.good.example

# ---- postfix: STARTTLS on both MX addresses, nothing delivered
postfix_serve 127.0.0.25=mx/good.pem=mx1.good.example \
    127.0.0.26=mx/wrong.pem=mx.wrongname.example

# ---- a silent MX on 127.0.0.27:25: accepts, reads, never answers
python3 - <<'PY' &
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.27", 25)); s.listen(16)
held = []
deadline = time.time() + 300
while time.time() < deadline:
    s.settimeout(deadline - time.time())
    try:
        held.append(s.accept()[0])
    except OSError:
        break
PY
daemon_pids="$daemon_pids $!"
silent_ready() {
	python3 -c 'import socket; socket.create_connection(("127.0.0.27", 25), timeout=1).close()'
}
wait_for 10 silent_ready || fail "the silent MX does not listen"

# doctor ARGS...: the doctor against this world.
doctor() {
	hostd doctor -c cfg.yaml --resolver "$DNS" --cafile ca.crt \
	    --timeout 5 "$@"
}

# verdict DOMAIN RC CHECK=STATUS[@SUBJECT]...: `doctor --format json
# DOMAIN` exits RC with the matching status for the domain and the run, has
# each CHECK named with that STATUS (for that SUBJECT), and no check worse
# than RC says.
verdict() {
	_d=$1 _rc=$2
	shift 2
	doctor --format json "$_d"
	cp out "doctor-$_d.json"
	expect_rc "$_rc" "doctor $_d"
	python3 - out "$_d" "$_rc" "$@" <<'PY' || fail "doctor $_d: see above"
import json, sys
doc = json.load(open(sys.argv[1]))
d, rc, want = sys.argv[2], int(sys.argv[3]), sys.argv[4:]
names = ["ok", "warning", "critical"]
assert doc["schema"] == "mta-sts-hostd.doctor/1", doc["schema"]
assert doc["status"] == names[rc], (doc["status"], names[rc])
[dom] = doc["domains"]
assert dom["domain"] == d and dom["status"] == names[rc], dom["status"]
bad = []
for w in want:
    check, _, rest = w.partition("=")
    status, _, subject = rest.partition("@")
    if not any(c["check"] == check and c["status"] == status and
               (not subject or c["subject"] == subject) for c in dom["checks"]):
        bad.append(w)
bad += [c["check"] + " is " + c["status"] for c in dom["checks"]
        if c["status"] in names and names.index(c["status"]) > rc]
if bad:
    print(d + ": expected", bad, file=sys.stderr)
    json.dump(dom, sys.stderr, indent=1)
    sys.exit(1)
PY
}
