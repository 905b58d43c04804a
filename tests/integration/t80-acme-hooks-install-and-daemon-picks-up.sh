# Each ACME client hook, called as its client calls it, installs the chain
# and key into the daemon's certificate directory (key 0640 root:group, no
# temporary file left), and the running daemon serves the new certificate
# without a restart.
. "$TOP/tests/integration/lib.sh"

hooks=$TOP/acme-hooks
mkpki=$TOP/tests/tools/mkpki
"$mkpki" pki
"$mkpki" pki mta-sts.a.example
mkdir certs
cp pki/certs/mta-sts.a.example.crt certs/
cp pki/certs/mta-sts.a.example.key certs/
chgrp nogroup certs/*.key
chmod 640 certs/*.key
chmod 755 . certs
port=$(free_port)
cat > c.yaml <<YAML
server: {listen: ["127.0.0.1:$port"], user: nobody, group: nogroup, workers: 1}
certificates: [{directory: certs}]
domains:
  a.example: {mode: enforce, mx: [mx.a.example], max_age: 1209600}
YAML
chmod 644 c.yaml
"$MTA_STS_HOSTD" serve --foreground -c c.yaml 2> daemon.log &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT

serial() {
	timeout 5 openssl s_client -connect "127.0.0.1:$port" \
	    -servername mta-sts.a.example -CAfile pki/ca.crt </dev/null \
	    2>/dev/null | openssl x509 -noout -serial 2>/dev/null
}
wait_for 10 serial || fail "the daemon did not start: $(cat daemon.log)"

export MTA_STS_HOSTD_CERT_DIR=$T/certs MTA_STS_HOSTD_GROUP=nogroup
# renew NAME: a new certificate for mta-sts.a.example in pki/certs/NAME.*
renew() {
	"$mkpki" pki --out "$1" mta-sts.a.example
	want=$(openssl x509 -in "pki/certs/$1.crt" -noout -serial)
}
expect_served() {
	i=0
	while [ "$(serial)" != "$want" ]; do
		i=$((i + 1))
		[ $i -lt 30 ] || fail "$1: still serving $(serial), not $want"
		sleep 0.1
	done
	[ "$(stat -c '%a %U %G' certs/mta-sts.a.example.key)" = "640 root nogroup" ] ||
		fail "$1: key installed as $(stat -c '%a %U %G' certs/mta-sts.a.example.key)"
	[ "$(stat -c '%a' certs/mta-sts.a.example.crt)" = 644 ] ||
		fail "$1: certificate mode $(stat -c '%a' certs/mta-sts.a.example.crt)"
	[ -z "$(ls -A certs | grep '^\.')" ] || fail "$1: temporary files left: $(ls -A certs)"
}

# certbot: RENEWED_LINEAGE is live/<name>/ with fullchain.pem and privkey.pem.
renew certbot
mkdir -p le/live/mta-sts.a.example
cp pki/certs/certbot.crt le/live/mta-sts.a.example/fullchain.pem
cp pki/certs/certbot.key le/live/mta-sts.a.example/privkey.pem
RENEWED_LINEAGE=$T/le/live/mta-sts.a.example \
RENEWED_DOMAINS=mta-sts.a.example "$hooks/certbot-deploy-hook"
expect_served certbot

# dehydrated: deploy_cert DOMAIN KEYFILE CERTFILE FULLCHAINFILE CHAINFILE TS
renew dehydrated
"$hooks/dehydrated-hook" deploy_challenge mta-sts.a.example token value
"$hooks/dehydrated-hook" deploy_cert mta-sts.a.example \
    "$T/pki/certs/dehydrated.key" "$T/pki/certs/dehydrated.crt" \
    "$T/pki/certs/dehydrated.crt" "$T/pki/ca.crt" 1700000000
expect_served dehydrated

# lego: LEGO_CERT_DOMAIN, LEGO_CERT_PATH, LEGO_CERT_KEY_PATH.
renew lego
LEGO_CERT_DOMAIN=mta-sts.a.example LEGO_CERT_PATH=$T/pki/certs/lego.crt \
LEGO_CERT_KEY_PATH=$T/pki/certs/lego.key "$hooks/lego-hook"
expect_served lego

# acme.sh --reloadcmd: Le_Domain, CERT_FULLCHAIN_PATH, CERT_KEY_PATH.
renew acmesh
Le_Domain=mta-sts.a.example CERT_FULLCHAIN_PATH=$T/pki/certs/acmesh.crt \
CERT_KEY_PATH=$T/pki/certs/acmesh.key "$hooks/acme.sh-reloadcmd"
expect_served acme.sh

# The fallback reload command runs when set.
renew fallback
MTA_STS_HOSTD_RELOAD="kill -HUP $pid; touch $T/reloaded" \
    "$hooks/mta-sts-hostd-install" mta-sts.a.example \
    pki/certs/fallback.crt pki/certs/fallback.key
[ -f reloaded ] || fail "MTA_STS_HOSTD_RELOAD did not run"
expect_served fallback

# A name with a slash is refused.
if "$hooks/mta-sts-hostd-install" ../evil pki/certs/fallback.crt \
    pki/certs/fallback.key 2>/dev/null; then
	fail "a name with a slash was accepted"
fi
expect_in daemon.log "reloaded in"
