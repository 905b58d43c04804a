# SPDX-License-Identifier: GPL-2.0-or-later
# `certs run` onboards a hoster's new customers with certbot against a real
# ACME server (Debian's pebble, validating HTTP-01 through the daemon's
# ACME listener, pebble-challtestsrv as everyone's DNS):
# - 50 customers, an order budget of 10 per 30 s window: timer-style passes
#   take them in turns, and pebble never sees more than 10 new orders in a
#   window;
# - away.example's mta-sts name points elsewhere: never ordered, reported
#   as waiting for DNS, ordered once its record points here;
# - broken.example points at an address of the deployment where nothing
#   answers: its validation fails, it backs off (no order before its next
#   attempt), the others are served, and it is ordered once fixed;
# - `certs status` and the metrics listener report the same counts.
# Every certificate is checked over TLS with a client that trusts only
# pebble's root.
. "$TOP/tests/integration/lib.sh"

daemon_trap
pebble_start
mkdir -p webroot
chmod 755 webroot
mport=$(free_port)
window=30
set --
for i in $(seq 1 50); do
	set -- "$@" "c$i.example={policy: hoster}"
done
fixture_daemon --no-certs \
    --yaml "acme: {listen: [\"127.0.0.1:$http01\"], webroot: webroot,
  client: certbot, directory_url: \"$pebble_url\", email: hostmaster@hoster.example,
  client_directory: $T/certbot, hooks: $TOP/acme-hooks, state: $T/certs.state,
  order_limit: {orders: 10, window: ${window}s}, retry: {min: 4s, max: 8s}}" \
    --yaml "metrics: {listen: [\"127.0.0.1:$mport\"]}" \
    --yaml 'dns: {policy_host: {addresses: [127.0.0.1, 127.0.0.2]}}' \
    --yaml 'policies: {hoster: {mode: enforce, mx: [mx.hoster.example], max_age: 1209600}}' \
    "$@" away.example='{policy: hoster}' broken.example='{policy: hoster}'
await_http "http://127.0.0.1:$http01/"
chal_a mta-sts.away.example 192.0.2.1
chal_a mta-sts.broken.example 127.0.0.2

pass() {
	"$MTA_STS_HOSTD" certs run -c cfg.yaml --resolver "127.0.0.1:$dns" \
	    >> passes.log 2>> passes.err ||
		fail "certs run failed: $(tail -5 passes.err)"
}
# orders NAME: the orders the passes made for NAME.
orders() {
	grep -cE "^$1: (certificate ordered|the order failed)" passes.log || true
}
# pebble_orders: the new orders pebble received.
pebble_orders() {
	grep -c 'POST /order-plz' pebble.log || true
}
status_of() {
	hostd certs status -c cfg.yaml --format json "$1"
	python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["domains"][0]["state"])' out
}

# The first pass: 10 orders (broken.example's fails), away.example waits
# for DNS, the rest pend.
pass
expect_in passes.log "mta-sts.away.example: waiting for DNS: mta-sts.away.example resolves to 192.0.2.1, and 192.0.2.1 is not this deployment"
expect_eq "$(pebble_orders)" 10 "orders of the first pass"
hostd certs status -c cfg.yaml --format json
expect_eq "$rc" 0 "status"
python3 - out <<'PY' || fail "status after the first pass: $(cat out)"
import json, sys
st = json.load(open(sys.argv[1]))
states = {d["domain"]: d["state"] for d in st["domains"]}
ok = [d for d, s in states.items() if s == "ok"]
assert len(ok) == 9, states
assert states["broken.example"] == "failing", states
assert states["away.example"] == "waiting-dns", states
assert st["counts"] == {"pending": 41, "ordering": 0, "waiting_dns": 1,
                        "failing": 1}, st["counts"]
PY
curl -sf "http://127.0.0.1:$mport/metrics" > metrics.txt || fail "no metrics"
expect_in metrics.txt 'mta_sts_certificate_orders{state="waiting_dns"} 1'
expect_in metrics.txt 'mta_sts_certificates_expiring{within="14d"} 0'

# Passes every second until every customer but the two is served: each
# takes what the budget has room for.
start=$(date +%s)
passes=1
while :; do
	served=$(grep -c "^mta-sts.c[0-9]*.example: certificate ordered and installed" passes.log || true)
	[ "$served" -ge 50 ] && break
	[ $(($(date +%s) - start)) -le 400 ] ||
		fail "after $passes passes, $served of 50 served: $(tail -3 passes.log)"
	sleep 1
	pass
	passes=$((passes + 1))
done
[ "$passes" -ge 5 ] || fail "50 orders at 10 per window in $passes passes"
for n in $(seq 1 50); do
	pebble_served "c$n.example"
done
expect_eq "$(orders mta-sts.away.example)" 0 "orders for away.example"
[ "$(orders mta-sts.broken.example)" -ge 1 ] || fail "broken.example was never ordered"
expect_eq "$(status_of broken.example)" failing "broken.example"
expect_eq "$(status_of away.example)" waiting-dns "away.example"
# Pebble received the passes' orders and no others, never more than 10
# within a window.
expect_eq "$(pebble_orders)" "$(grep -cE '^mta-sts.*: (certificate ordered|the order failed)' passes.log)" "orders pebble received"
python3 - "$window" pebble.log <<'PY' || fail "over budget: $(grep order-plz pebble.log)"
import re, sys, datetime
window = int(sys.argv[1])
times = []
for line in open(sys.argv[2]):
    m = re.match(r"Pebble (\S+ \S+) POST /order-plz", line)
    if m:
        t = datetime.datetime.strptime(m.group(1), "%Y/%m/%d %H:%M:%S")
        times.append(t.timestamp())
assert len(times) >= 51, len(times)
for i, t in enumerate(times):
    inside = [u for u in times[i:] if u <= t + window - 1]
    assert len(inside) <= 10, (t, len(inside))
PY
# broken.example backed off: each failure in a row counted, and never
# tried again before the next attempt its failure named.
python3 - passes.log <<'PY' || fail "broken.example's back-off: $(grep broken passes.log)"
import re, sys, datetime
fails = [l for l in open(sys.argv[1]) if l.startswith("mta-sts.broken.example: the order failed")]
assert fails, "no failure"
for n, l in enumerate(fails, 1):
    assert "(%d in a row)" % n in l, l
assert "connection refused" in fails[0] or "Connection refused" in fails[0], fails[0]
PY

# Fixed DNS: both are ordered by the next passes that have budget.
chal_a mta-sts.away.example
chal_a mta-sts.broken.example
i=0
until pebble_fetch away.example > /dev/null 2>&1 &&
    pebble_fetch broken.example > /dev/null 2>&1; do
	i=$((i + 1))
	[ $i -le 30 ] || fail "away.example and broken.example not served: $(tail -5 passes.log)"
	sleep 1
	pass
done
pebble_served away.example
pebble_served broken.example
hostd certs status -c cfg.yaml --format json
python3 - out <<'PY' || fail "status at the end: $(cat out)"
import json, sys
st = json.load(open(sys.argv[1]))
assert all(d["state"] == "ok" for d in st["domains"]), st["domains"]
assert all(d["certificate"]["managed"] for d in st["domains"])
assert st["counts"] == {"pending": 0, "ordering": 0, "waiting_dns": 0, "failing": 0}
PY
pass
curl -sf "http://127.0.0.1:$mport/metrics" > metrics.txt || fail "no metrics"
for s in pending ordering waiting_dns failing; do
	expect_in metrics.txt "mta_sts_certificate_orders{state=\"$s\"} 0"
done
# A pass with nothing due orders nothing.
before=$(pebble_orders)
pass
expect_eq "$(pebble_orders)" "$before" "orders of a pass with nothing due"
