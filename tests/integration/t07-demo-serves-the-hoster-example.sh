# SPDX-License-Identifier: GPL-2.0-or-later
# make demo's script: a throwaway CA, a certificate per hoster example domain,
# and the daemon serving their policies over verified HTTPS.
. "$TOP/tests/integration/lib.sh"

port=$(free_port)
DEMO_PORT=$port "$TOP/examples/demo/run" "$MTA_STS_HOSTD" "$T/demo" \
    > demo.out 2> demo.err &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
wait_for 30 curl -s -o /dev/null --cacert demo/pki/ca.crt \
    --resolve mta-sts.florist.example:$port:127.0.0.1 \
    "https://mta-sts.florist.example:$port/.well-known/mta-sts.txt" ||
	fail "the demo did not start: $(cat demo.out demo.err)"
expect_in demo.out "curl --cacert $T/demo/pki/ca.crt"
for d in bakery.example florist.example garage.example lawyers.example \
    xn--bcher-kva.example; do
	curl -sS --cacert demo/pki/ca.crt \
	    --resolve "mta-sts.$d:$port:127.0.0.1" \
	    "https://mta-sts.$d:$port/.well-known/mta-sts.txt" > got
	"$MTA_STS_HOSTD" policy -c demo/mta-sts-hostd.yaml "$d" > want
	cmp got want || fail "$d: served body differs"
done
kill -INT $pid
wait $pid || fail "the demo daemon did not stop cleanly on Ctrl-C"
trap - EXIT
expect_in demo.err "stopped"
