# The metrics listener serves Prometheus text that promtool accepts, its
# counters move as requests, refused handshakes and reloads happen, the
# per-domain fetch counter survives a reload, and /healthz fails when no
# configured domain can be served.
. "$TOP/tests/integration/lib.sh"

"$TOP/tests/tools/mkpki" pki
"$TOP/tests/tools/mkpki" pki mta-sts.a.example
chgrp nogroup pki/certs/*.key
chmod 640 pki/certs/*.key
chmod 755 . pki pki/certs
port=$(free_port)
mport=$(free_port)
cat > c.yaml <<YAML
server: {listen: ["127.0.0.1:$port"], user: nobody, group: nogroup, workers: 2}
metrics: {listen: ["127.0.0.1:$mport"]}
certificates: [{directory: pki/certs}]
domains:
  a.example: {mode: enforce, mx: [mx.a.example], max_age: 1209600}
  nocert.example: {mode: enforce, mx: [mx.a.example], max_age: 1209600}
YAML
chmod 644 c.yaml
# Scrapes go to probe/: a file written in the configuration's directory
# would make the daemon reload and throw the reload counter off.
mkdir probe
"$MTA_STS_HOSTD" serve --foreground -c c.yaml 2> daemon.log &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
wait_for 10 curl -sf -o /dev/null "http://127.0.0.1:$mport/healthz" ||
	fail "no metrics listener: $(cat daemon.log)"

scrape() {
	curl -sf "http://127.0.0.1:$mport/metrics" > probe/metrics ||
		fail "scrape failed"
	promtool check metrics < probe/metrics > probe/promtool.out 2>&1 ||
		{ cat probe/promtool.out; fail "promtool rejected the metrics"; }
}
# value 'SERIES': the sample of one series in the last scrape.
value() {
	awk -v s="$1" '$1 == s { print $2 }' probe/metrics
}

get() {
	curl -s -o /dev/null -w '%{http_code}' --cacert pki/ca.crt \
	    --resolve "mta-sts.a.example:$port:127.0.0.1" \
	    "https://mta-sts.a.example:$port$1"
}
for i in 1 2 3; do expect_eq "$(get /.well-known/mta-sts.txt)" 200; done
expect_eq "$(get /nothing)" 404
echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" \
    -servername mta-sts.unknown.example >/dev/null 2>&1 || true
echo | timeout 5 openssl s_client -connect "127.0.0.1:$port" \
    -noservername >/dev/null 2>&1 || true

scrape
expect_eq "$(value 'mta_sts_http_requests_total{status="200"}')" 3 "200s"
expect_eq "$(value 'mta_sts_http_requests_total{status="404"}')" 1 "404s"
expect_eq "$(value 'mta_sts_policy_fetches_total{domain="a.example"}')" 3 "fetches"
expect_eq "$(value 'mta_sts_tls_handshakes_total')" 4 "handshakes"
expect_eq "$(value 'mta_sts_tls_handshake_failures_total{reason="unknown_name"}')" 1 "unknown"
expect_eq "$(value 'mta_sts_tls_handshake_failures_total{reason="no_sni"}')" 1 "no sni"
expect_eq "$(value 'mta_sts_domains_configured')" 2 "configured"
expect_eq "$(value 'mta_sts_domains_served')" 1 "served"
expect_eq "$(value 'mta_sts_certificates')" 1 "certificates"
expect_eq "$(value 'mta_sts_reloads_total')" 0 "reloads"
expiry=$(value 'mta_sts_certificate_expiry_timestamp_seconds{domain="a.example"}')
expect_eq "$expiry" "$(date -d "$(openssl x509 -in pki/certs/mta-sts.a.example.crt -noout -enddate | cut -d= -f2)" +%s)" "expiry"
[ "$(value 'mta_sts_last_reload_success_timestamp_seconds')" -gt 0 ] ||
	fail "no start time"

# A reload: counted, and the fetch counter carries over.
kill -HUP $pid
i=0
until scrape && [ "$(value 'mta_sts_reloads_total')" = 1 ]; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "the reload was not counted"; sleep 0.1
done
expect_eq "$(value 'mta_sts_policy_fetches_total{domain="a.example"}')" 3 "fetches after reload"
expect_eq "$(value 'mta_sts_reload_failures_total')" 0 "reload failures"

# A new metrics address needs a restart: said so, and the old one stays.
other=$(free_port)
sed "s/127.0.0.1:$mport/127.0.0.1:$other/" c.yaml > c.new && mv c.new c.yaml
chmod 644 c.yaml
kill -HUP $pid
i=0
until grep -q "new acme and metrics settings take effect at the next restart" daemon.log; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "no restart note: $(tail -3 daemon.log)"; sleep 0.1
done
expect_eq "$(curl -s -o health -w '%{http_code}' "http://127.0.0.1:$mport/healthz")" 200 healthz
expect_in health "ok: serving 1 of 2 domains"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/other")" 404 other

kill $pid
wait $pid || fail "the daemon did not stop cleanly"

# Domains configured and none of them servable: unhealthy.
mkdir empty
sed -e 's|directory: pki/certs|directory: empty|' \
    -e "s/127.0.0.1:$other/127.0.0.1:$mport/" c.yaml > d.yaml
chmod 644 d.yaml
"$MTA_STS_HOSTD" serve --foreground -c d.yaml 2> daemon2.log &
pid=$!
wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$mport/healthz" ||
	fail "no metrics listener: $(cat daemon2.log)"
expect_eq "$(curl -s -o health -w '%{http_code}' "http://127.0.0.1:$mport/healthz")" 503 "healthz"
expect_in health "no domain is served (of 2 configured)"
