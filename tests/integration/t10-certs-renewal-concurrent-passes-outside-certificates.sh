# SPDX-License-Identifier: GPL-2.0-or-later
# `certs run` with lego against pebble (its mock DNS pointing every name
# here), and certificates that are not all its own:
# - renew.example's certificate is inside its renewal window (80 days old,
#   10 left): a pass renews it; later.example's (10 days old, 80 left) is
#   not touched; every name is served afterwards with the certificate the
#   scheduler chose, checked over TLS;
# - wild.example is covered by a wildcard certificate in the same directory
#   with 5 days left: someone else's, not ordered;
# - secret.example's certificate comes from a cert-manager Secret mounted
#   as a directory (tls.crt + tls.key, kubelet's ..data symlink swap) in the
#   certificate directory: served, reported as from elsewhere, never
#   ordered, not even with 5 days left; the Secret's renewal (a ..data swap)
#   is served without a restart;
# - six new customers and two passes started at once on one state file,
#   right after their files land (before the daemon may have read them):
#   each name is ordered exactly once, by one of them;
# - a name the daemon does not serve (in a configuration it does not read)
#   is not ordered: its ACME listener answers 404 for the probe, and no
#   order reaches pebble.
. "$TOP/tests/integration/lib.sh"

daemon_trap
pebble_start

# aged_cert NAME DAYS_AGO DAYS_LEFT OUT: a certificate for NAME from the
# test CA, issued DAYS_AGO days ago and expiring in DAYS_LEFT days, in
# OUT.crt and OUT.key (Debian's python3-cryptography).
aged_cert() {
	/usr/bin/python3 - "$@" <<'PY'
import datetime, sys
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
name, ago, left, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
ca_key = serialization.load_pem_private_key(open("pki/ca.key", "rb").read(), None)
ca = x509.load_pem_x509_certificate(open("pki/ca.crt", "rb").read())
key = ec.generate_private_key(ec.SECP256R1())
now = datetime.datetime.utcnow()
cert = (x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
        .issuer_name(ca.subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=ago))
        .not_valid_after(now + datetime.timedelta(days=left))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(ca_key, hashes.SHA256()))
open(out + ".crt", "wb").write(cert.public_bytes(serialization.Encoding.PEM))
open(out + ".key", "wb").write(key.private_bytes(serialization.Encoding.PEM,
    serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
PY
}
# kube_secret DIR TS CERT: the kubelet's atomic update of Secret volume DIR
# with CERT.crt and CERT.key as tls.crt and tls.key.
kube_secret() {
	mkdir -p "$1/..$2"
	cp "$3.crt" "$1/..$2/tls.crt"
	cp "$3.key" "$1/..$2/tls.key"
	chgrp nogroup "$1/..$2/tls.key"
	chmod 640 "$1/..$2/tls.key"
	chmod 755 "$1/..$2"
	ln -s "..$2" "$1/..data_tmp"
	mv -T "$1/..data_tmp" "$1/..data"
	for f in tls.crt tls.key; do
		[ -L "$1/$f" ] || ln -s "..data/$f" "$1/$f"
	done
}
# test_serial DOMAIN: the serial served for DOMAIN, verified against the
# test CA.
test_serial() {
	timeout 5 openssl s_client -connect "127.0.0.1:$port" \
	    -servername "mta-sts.$1" -CAfile pki/ca.crt -verify_return_error \
	    </dev/null 2>/dev/null | openssl x509 -noout -serial 2>/dev/null
}
file_serial_of() {
	openssl x509 -noout -serial -in "$1"
}

mkdir -p webroot
chmod 755 webroot
fixture_prepare
aged_cert mta-sts.renew.example 80 10 pki/certs/renew-old
aged_cert mta-sts.later.example 10 80 pki/certs/later
aged_cert '*.wild.example' 85 5 pki/certs/wild
aged_cert mta-sts.secret.example 85 5 pki/certs/secret1
aged_cert mta-sts.secret.example 1 89 pki/certs/secret2
install_cert pki/certs/renew-old certs/mta-sts.renew.example
install_cert pki/certs/later certs/mta-sts.later.example
install_cert pki/certs/wild certs/wild.example
kube_secret certs/secret-example 2026_12_07_1 pki/certs/secret1
service_readable certs
fixture_daemon --no-certs --customer later.example='{policy: hoster}' \
    --yaml "acme: {listen: [\"127.0.0.1:$http01\"], webroot: webroot,
  client: lego, directory_url: \"$pebble_url\", email: hostmaster@hoster.example,
  client_directory: $T/lego, hooks: $TOP/acme-hooks, state: $T/certs.state}" \
    --yaml 'dns: {policy_host: {addresses: [127.0.0.1]}}' \
    --yaml 'policies: {hoster: {mode: enforce, mx: [mx.hoster.example], max_age: 1209600}}' \
    renew.example='{policy: hoster}' secret.example='{policy: hoster}' \
    wild.example='{policy: hoster}'
await_http "http://127.0.0.1:$http01/"
expect_eq "$(test_serial renew.example)" "$(file_serial_of pki/certs/renew-old.crt)" "renew.example before"
expect_eq "$(test_serial secret.example)" "$(file_serial_of pki/certs/secret1.crt)" "secret.example from the Secret"

pass() {
	"$MTA_STS_HOSTD" certs run -c cfg.yaml --resolver "127.0.0.1:$dns" \
	    > "$1" 2>> passes.err || fail "certs run failed: $(tail -5 passes.err)"
}
state_of() {
	hostd certs status -c cfg.yaml --format json "$1"
	/usr/bin/python3 -c 'import json,sys; d = json.load(open("out"))["domains"][0]; print(d["state"], d["certificate"] and d["certificate"]["managed"])'
}
expect_eq "$(state_of renew.example)" "pending True" "renew.example, due"
expect_eq "$(state_of later.example)" "ok True" "later.example"
expect_eq "$(state_of secret.example)" "ok False" "secret.example, from elsewhere"
expect_eq "$(state_of wild.example)" "ok False" "wild.example, a wildcard"

# One pass renews renew.example alone.
pass pass1.log
expect_eq "$(grep -c 'certificate ordered and installed' pass1.log)" 1 "orders of the first pass: $(cat pass1.log)"
expect_in pass1.log "mta-sts.renew.example: certificate ordered and installed"
i=0
until [ -n "$(pebble_serial renew.example)" ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "renew.example's new certificate not served"
	sleep 0.1
done
pebble_served renew.example
expect_eq "$(test_serial later.example)" "$(file_serial_of pki/certs/later.crt)" "later.example after the pass"
expect_eq "$(test_serial secret.example)" "$(file_serial_of pki/certs/secret1.crt)" "secret.example after the pass"
expect_eq "$(test_serial wild.example)" "$(file_serial_of pki/certs/wild.crt)" "wild.example after the pass"
expect_eq "$(state_of renew.example)" "ok True" "renew.example, renewed"
expect_eq "$(state_of secret.example)" "ok False" "secret.example, still from elsewhere"

# The Secret renewed by cert-manager: a ..data swap, served without a signal.
kube_secret certs/secret-example 2026_12_07_2 pki/certs/secret2
rm -rf certs/secret-example/..2026_12_07_1
want=$(file_serial_of pki/certs/secret2.crt)
i=0
until [ "$(test_serial secret.example)" = "$want" ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "the Secret's new certificate was not served"
	sleep 0.1
done

# Six new customers; two passes at once.
for n in 1 2 3 4 5 6; do
	domains_yaml "n$n.example={policy: hoster}" > "domains.d/.n$n.yaml"
	mv "domains.d/.n$n.yaml" "domains.d/n$n.yaml"
done
orders_before=$(grep -c 'POST /order-plz' pebble.log)
pass pass2.log &
p2=$!
pass pass3.log &
p3=$!
wait $p2 || fail "the first concurrent pass failed"
wait $p3 || fail "the second concurrent pass failed"
for n in 1 2 3 4 5 6; do
	policy_body cfg.yaml "n$n.example" > "policies/n$n.example"
	expect_eq "$(cat pass2.log pass3.log | grep -c "^mta-sts.n$n.example: certificate ordered and installed")" 1 "orders of n$n.example ($(cat pass2.log pass3.log))"
	pebble_served "n$n.example"
done
expect_eq "$(($(grep -c 'POST /order-plz' pebble.log) - orders_before))" 6 "orders pebble received"
expect_eq "$(cat pass1.log pass2.log pass3.log | grep -c 'secret.example\|later.example\|wild.example')" 0 "passes touching certificates not due"
hostd certs status -c cfg.yaml --format json
/usr/bin/python3 - out <<'PY' || fail "status at the end: $(cat out)"
import json, sys
st = json.load(open(sys.argv[1]))
assert all(d["state"] == "ok" for d in st["domains"]), st["domains"]
assert [d["domain"] for d in st["domains"] if not d["certificate"]["managed"]] == ["secret.example", "wild.example"]
PY

# The daemon does not answer HTTP-01 for ghost.example: not ordered.
sed 's/^domains:$/domains:\n  ghost.example: {policy: hoster}/' cfg.yaml > cfg-ghost.yaml
grep -q ghost.example cfg-ghost.yaml || fail "no ghost in cfg-ghost.yaml"
orders_before=$(grep -c 'POST /order-plz' pebble.log)
"$MTA_STS_HOSTD" certs run -c cfg-ghost.yaml --resolver "127.0.0.1:$dns" \
    > pass4.log 2>> passes.err || fail "certs run failed: $(tail -5 passes.err)"
expect_in pass4.log "mta-sts.ghost.example: not ordered: the daemon's ACME listener (127.0.0.1:$http01) answers 404 for mta-sts.ghost.example"
expect_eq "$(grep -c 'POST /order-plz' pebble.log)" "$orders_before" "orders for ghost.example"
hostd certs status -c cfg-ghost.yaml --format json ghost.example
expect_in out '"state": "failing"'
expect_in daemon.log "acme: 404 for GET /.well-known/acme-challenge/mta-sts-hostd-probe-"
for f in webroot/.well-known/acme-challenge/mta-sts-hostd-probe-*; do
	[ ! -e "$f" ] || fail "the probe file $f was left in the webroot"
done

# Without the client's program on PATH the pass does not run (exit 3) and
# blames no name.
cp certs.state state.before
PATH=/nonexistent "$MTA_STS_HOSTD" certs run -c cfg-ghost.yaml \
    --resolver "127.0.0.1:$dns" > out 2> err && rc=0 || rc=$?
expect_eq "$rc" 3 "certs run without lego"
expect_in err "acme client lego: no lego program on PATH"
cmp certs.state state.before || fail "a pass that could not run changed the state"
