# SPDX-License-Identifier: GPL-2.0-or-later
# Each ACME client hook, called as its client calls it, installs the chain
# and key into the daemon's certificate directory (key 0640 root:group, no
# temporary file left), and the running daemon serves the new certificate
# without a restart.
. "$TOP/tests/integration/lib.sh"

hooks=$TOP/acme-hooks
fixture_daemon --workers 1 a.example
expect_eq "$(served_serial mta-sts.a.example)" \
    "$(file_serial certs/mta-sts.a.example.crt)" "the certificate at start"

export MTA_STS_HOSTD_CERT_DIR=$T/certs MTA_STS_HOSTD_GROUP=nogroup
# renew NAME: a new certificate for mta-sts.a.example in pki/certs/NAME.*
renew() {
	mkpki pki --out "$1" mta-sts.a.example
	want=$(file_serial "pki/certs/$1.crt")
}
# expect_installed HOOK: within 3 s the daemon serves the new certificate,
# which HOOK installed with the right modes and no temporary file left.
expect_installed() {
	expect_served 3 "$want" served_serial mta-sts.a.example
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
expect_installed certbot

# dehydrated: deploy_cert DOMAIN KEYFILE CERTFILE FULLCHAINFILE CHAINFILE TS
renew dehydrated
"$hooks/dehydrated-hook" deploy_challenge mta-sts.a.example token value
"$hooks/dehydrated-hook" deploy_cert mta-sts.a.example \
    "$T/pki/certs/dehydrated.key" "$T/pki/certs/dehydrated.crt" \
    "$T/pki/certs/dehydrated.crt" "$T/pki/ca.crt" 1700000000
expect_installed dehydrated

# lego: LEGO_CERT_DOMAIN, LEGO_CERT_PATH, LEGO_CERT_KEY_PATH.
renew lego
LEGO_CERT_DOMAIN=mta-sts.a.example LEGO_CERT_PATH=$T/pki/certs/lego.crt \
LEGO_CERT_KEY_PATH=$T/pki/certs/lego.key "$hooks/lego-hook"
expect_installed lego

# acme.sh --reloadcmd: Le_Domain, CERT_FULLCHAIN_PATH, CERT_KEY_PATH.
renew acmesh
Le_Domain=mta-sts.a.example CERT_FULLCHAIN_PATH=$T/pki/certs/acmesh.crt \
CERT_KEY_PATH=$T/pki/certs/acmesh.key "$hooks/acme.sh-reloadcmd"
expect_installed acme.sh

# The fallback reload command runs when set.
renew fallback
MTA_STS_HOSTD_RELOAD="kill -HUP $daemon_pid; touch $T/reloaded" \
    "$hooks/mta-sts-hostd-install" mta-sts.a.example \
    pki/certs/fallback.crt pki/certs/fallback.key
[ -f reloaded ] || fail "MTA_STS_HOSTD_RELOAD did not run"
expect_installed fallback

# A name with a slash is refused.
if "$hooks/mta-sts-hostd-install" ../evil pki/certs/fallback.crt \
    pki/certs/fallback.key 2>/dev/null; then
	fail "a name with a slash was accepted"
fi
expect_in daemon.log "reloaded in"
