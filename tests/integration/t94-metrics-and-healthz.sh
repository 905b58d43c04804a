# SPDX-License-Identifier: GPL-2.0-or-later
# The metrics listener serves Prometheus text that promtool accepts, its
# counters move as requests, refused handshakes and reloads happen, the
# per-domain fetch counter survives a reload, and /healthz fails when no
# configured domain can be served.
. "$TOP/tests/integration/lib.sh"

# Scrapes go to probe/: a file written in the configuration's directory
# would make the daemon reload and throw the reload counter off.
mport=$(free_port)
fixture_daemon --yaml "metrics: {listen: [\"127.0.0.1:$mport\"]}" \
    --no-cert nocert.example a.example \
    nocert.example='{mode: enforce, mx: [mx.a.example], max_age: 1209600}'
await_http "http://127.0.0.1:$mport/healthz" -f

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
	curl -s -o /dev/null -w '%{http_code}' --cacert ca.crt \
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
expect_eq "$expiry" "$(date -d "$(openssl x509 -in certs/mta-sts.a.example.crt -noout -enddate | cut -d= -f2)" +%s)" "expiry"
[ "$(value 'mta_sts_last_reload_success_timestamp_seconds')" -gt 0 ] ||
	fail "no start time"

# A reload: counted, and the fetch counter carries over.
daemon_signal HUP
i=0
until scrape && [ "$(value 'mta_sts_reloads_total')" = 1 ]; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "the reload was not counted"; sleep 0.1
done
expect_eq "$(value 'mta_sts_policy_fetches_total{domain="a.example"}')" 3 "fetches after reload"
expect_eq "$(value 'mta_sts_reload_failures_total')" 0 "reload failures"

# A new metrics address needs a restart: said so, and the old one stays.
other=$(free_port)
sed "s/127.0.0.1:$mport/127.0.0.1:$other/" cfg.yaml > cfg.new && mv cfg.new cfg.yaml
chmod 644 cfg.yaml
daemon_signal HUP
i=0
until grep -q "new acme and metrics settings take effect at the next restart" daemon.log; do
	i=$((i + 1)); [ $i -lt 50 ] || fail "no restart note: $(tail -3 daemon.log)"; sleep 0.1
done
expect_eq "$(curl -s -o health -w '%{http_code}' "http://127.0.0.1:$mport/healthz")" 200 healthz
expect_in health "ok: serving 1 of 2 domains"
expect_eq "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$mport/other")" 404 other

expect_clean_stop

# Domains configured and none of them servable: unhealthy.
mkdir empty
sed -e 's|directory: certs|directory: empty|' \
    -e "s/127.0.0.1:$other/127.0.0.1:$mport/" cfg.yaml > d.yaml
chmod 644 d.yaml
daemon_start d.yaml
await_http "http://127.0.0.1:$mport/healthz"
expect_eq "$(curl -s -o health -w '%{http_code}' "http://127.0.0.1:$mport/healthz")" 503 "healthz"
expect_in health "no domain is served (of 2 configured)"
