# SPDX-License-Identifier: GPL-2.0-or-later
# End to end against a real ACME server: Debian's pebble (with its mock DNS
# pointing every name at 127.0.0.1) validates HTTP-01 through the daemon's
# ACME listener; certbot (--webroot, deploy hook) and lego (--http.webroot,
# run hook) obtain certificates for new customer domains; the hooks install
# them; the running daemon picks them up; a TLS client that trusts only
# pebble's root fetches each domain's policy. A forced renewal is picked up
# the same way, without a restart.
. "$TOP/tests/integration/lib.sh"

daemon_trap	# pebble's processes are stopped at the end like the daemon
pebble_start

# The daemon: two customer domains, no certificate for either yet.
mkdir -p webroot
chmod 755 webroot
fixture_daemon --no-certs \
    --yaml "acme: {listen: [\"127.0.0.1:$http01\"], webroot: webroot}" \
    --yaml 'policies: {hoster: {mode: enforce, mx: [mx.hoster.example], max_age: 1209600}}' \
    new.example='{policy: hoster}' other.example='{policy: hoster}'
await_http "http://127.0.0.1:$http01/"
hostd names --missing -c cfg.yaml
expect_eq "$(cat out | tr '\n' ' ')" "mta-sts.new.example mta-sts.other.example " "names"

export MTA_STS_HOSTD_CERT_DIR=$T/certs MTA_STS_HOSTD_GROUP=nogroup
# certbot, --webroot and the deploy hook.
certbot_run() {
	certbot "$@" --non-interactive \
	    --agree-tos --register-unsafely-without-email \
	    --server "$pebble_url" --config-dir "$T/le/config" \
	    --work-dir "$T/le/work" --logs-dir "$T/le/logs" > certbot.log 2>&1 ||
		fail "certbot $1 failed: $(tail -20 certbot.log)"
}
certbot_run certonly --webroot -w "$T/webroot" -d mta-sts.new.example \
    --deploy-hook "$TOP/acme-hooks/certbot-deploy-hook"
[ -f certs/mta-sts.new.example.crt ] || fail "the deploy hook installed nothing"
pebble_served new.example
expect_in daemon.log "acme: answered the challenge"
first=$(pebble_serial new.example)
[ -n "$first" ] || fail "no certificate served for mta-sts.new.example"

certbot_run renew --force-renewal --no-random-sleep-on-renew
i=0
while [ "$(pebble_serial new.example)" = "$first" ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "the renewed certificate was not picked up"
	sleep 0.1
done
pebble_served new.example

# lego, --http.webroot and the run hook.
lego --accept-tos --email hostmaster@example.net \
    --server "$pebble_url" --path "$T/lego" \
    --http --http.webroot "$T/webroot" -d mta-sts.other.example \
    run --run-hook "$TOP/acme-hooks/lego-hook" > lego.log 2>&1 ||
	fail "lego failed: $(tail -20 lego.log)"
pebble_served other.example

hostd names --missing -c cfg.yaml
expect_eq "$(cat out)" "" "nothing missing"
# Every name was issued by pebble, through the listener.
for d in new.example other.example; do
	timeout 5 openssl s_client -connect "127.0.0.1:$port" -servername "mta-sts.$d" \
	    -CAfile pebble-root.pem </dev/null 2>/dev/null > s_client.out
	expect_in s_client.out "Verify return code: 0 (ok)"
	expect_in s_client.out "i:CN = Pebble Intermediate"
done
[ "$(grep -c 'acme: answered the challenge' daemon.log)" -ge 3 ] ||
	fail "fewer than 3 challenges answered: $(grep acme: daemon.log)"
