# SPDX-License-Identifier: GPL-2.0-or-later
# Each of 301 names gets its own certificate, chosen by SNI: ECDSA and RSA
# keys, exact names and *.<domain> wildcards, each with a serial of its own,
# checked by curl (verifying against the test CA, so the subjectAltName
# covers the name) over TLS 1.3 and TLS 1.2 in one process each. One name
# has a chain through an intermediate: the full chain is sent (two
# certificates) and verifies with only the root as CAfile. 301 pairs are
# more than the 256 from which loading spreads over the processors, so the
# parallel load (and, in the ThreadSanitizer pass, its threads) is what
# serves them.
. "$TOP/tests/integration/lib.sh"

N=300
mkpki pki
# Keys are made once and shared; every name still has a certificate of its
# own. RSA key generation is what would make this slow.
mkdir keys
for k in ec1 ec2 ec3; do
	openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
	    -out keys/$k.key 2>/dev/null
done
for k in rsa1 rsa2; do
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out keys/$k.key 2>/dev/null
done
mkdir certs
: > expected
i=1
while [ "$i" -le "$N" ]; do
	d=$(printf 'd%03d.example' "$i")
	# Every third an RSA key, every fourth a wildcard certificate.
	case $((i % 3)) in
	0) key=rsa$((i % 2 + 1)) kind=rsa ;;
	*) key=ec$((i % 3)) kind=ecdsa ;;
	esac
	if [ $((i % 4)) -eq 0 ]; then
		san="*.$d" file="wild.$d"
	else
		san="mta-sts.$d" file="mta-sts.$d"
	fi
	serial=$(printf '%x' $((0x10000000 + i)))
	openssl req -x509 -new -key keys/$key.key -CA pki/ca.crt -CAkey pki/ca.key \
	    -set_serial "0x$serial" -days 30 -subj "/CN=$san" \
	    -addext "subjectAltName=DNS:$san" \
	    -addext "basicConstraints=CA:FALSE" \
	    -addext "extendedKeyUsage=serverAuth" \
	    -out "certs/$file.crt" 2>/dev/null || fail "cannot issue $san"
	cp keys/$key.key "certs/$file.key"
	echo "mta-sts.$d $serial DNS:$san $kind" >> expected
	i=$((i + 1))
done
# The chain through an intermediate.
mkpki pki --intermediate mta-sts.chain.example
install_cert pki/certs/mta-sts.chain.example certs/mta-sts.chain.example
expect_eq "$(grep -c 'BEGIN CERTIFICATE' certs/mta-sts.chain.example.crt)" 2 "certificates in the chain file"
echo "mta-sts.chain.example $(openssl x509 -in certs/mta-sts.chain.example.crt -noout -serial | cut -d= -f2 | tr A-F a-f) DNS:mta-sts.chain.example ecdsa" >> expected
expect_eq "$(wc -l < expected | tr -d ' ')" $((N + 1)) "names"

# Every name's domain, each with {mode: enforce, mx: [mx.DOMAIN], ...}.
# shellcheck disable=SC2046 # names without blanks
fixture_daemon --no-certs $(sed 's/^[^.]*\.//; s/ .*//' expected)
expect_in daemon.log "serving $((N + 1)) of $((N + 1)) domains, $((N + 1)) certificates"

# check TLS-OPTIONS...: one curl process fetches every name's policy and
# reports each leaf certificate; each must be that name's own.
check() {
	awk -v port="$port" '{
		printf "url = \"https://%s:%s/.well-known/mta-sts.txt\"\n", $1, port
		printf "resolve = \"%s:%s:127.0.0.1\"\noutput = \"/dev/null\"\n", $1, port
	}' expected > curl.cfg
	rc=0
	curl -sS --max-time 120 --cacert ca.crt "$@" -K curl.cfg \
	    -w '== %{url_effective} %{http_code} %{ssl_verify_result} %{num_connects}\n%{certs}' \
	    > certs.out 2> curl.err || rc=$?
	[ "$rc" -eq 0 ] || fail "curl $*: exit $rc: $(head -5 curl.err)"
	python3 - "$port" <<'PY' || fail "certificates over curl $*"
import re, sys
port = sys.argv[1]
want = {}
for line in open("expected"):
    name, serial, san, kind = line.split()
    want[name] = (serial, san, kind)
seen = {}
cur = None
for line in open("certs.out", errors="replace"):
    line = line.rstrip("\n")
    m = re.match(r"== https://([^:/]+):\d+/\S* (\d+) (\d+) (\d+)$", line)
    if m:
        cur = m.group(1)
        assert cur not in seen, "twice: " + cur
        seen[cur] = {"status": m.group(2), "verify": m.group(3),
                     "connects": m.group(4), "serial": [], "san": [], "alg": []}
        continue
    if cur is None:
        continue
    for key, field in (("Serial Number:", "serial"),
                       ("X509v3 Subject Alternative Name:", "san"),
                       ("Public Key Algorithm:", "alg")):
        if line.startswith(key):
            seen[cur][field].append(line[len(key):].strip())
bad = []
for name, (serial, san, kind) in want.items():
    got = seen.get(name)
    if got is None:
        bad.append(name + ": no transfer")
        continue
    if got["status"] != "200" or got["verify"] != "0" or got["connects"] != "1":
        bad.append("%s: status %s verify %s connects %s" % (name, got["status"], got["verify"], got["connects"]))
    if not got["serial"] or got["serial"][0].lower().lstrip("0") != serial.lower().lstrip("0"):
        bad.append("%s: leaf serial %s, expected %s" % (name, got["serial"][:1], serial))
    if not got["san"] or got["san"][0] != san:
        bad.append("%s: leaf subjectAltName %s, expected %s" % (name, got["san"][:1], san))
    alg = "rsa" if got["alg"] and got["alg"][0] == "rsaEncryption" else "ecdsa"
    if alg != kind:
        bad.append("%s: %s key, expected %s" % (name, alg, kind))
if bad:
    print("\n".join(bad[:20]), file=sys.stderr)
    sys.exit(1)
print("%d names checked" % len(want))
PY
}
check --tlsv1.3
check --tlsv1.2 --tls-max 1.2

# The chain: leaf and intermediate sent; the root alone verifies it.
echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
    -servername mta-sts.chain.example -showcerts -CAfile ca.crt \
    -verify_return_error > chain.out 2>&1 || fail "s_client for the chain: $(cat chain.out)"
expect_eq "$(grep -c 'BEGIN CERTIFICATE' chain.out)" 2 "certificates sent for mta-sts.chain.example"
expect_in chain.out "Verify return code: 0 (ok)"
expect_in chain.out "i:CN = mta-sts-hostd throwaway intermediate"
expect_in chain.out "i:CN = mta-sts-hostd throwaway test CA"
# A client that cannot build the chain itself would fail without it.
openssl x509 -in certs/mta-sts.chain.example.crt > leaf-only.pem
openssl verify -CAfile ca.crt leaf-only.pem > /dev/null 2>&1 &&
	fail "the leaf verifies without the intermediate: the check proves nothing"

# openssl s_client too, over TLS 1.2, for an RSA wildcard and an ECDSA name.
for n in 12 13; do
	set -- $(sed -n "${n}p" expected)
	echo | timeout 10 openssl s_client -tls1_2 -connect "127.0.0.1:$port" \
	    -servername "$1" -CAfile ca.crt -verify_return_error \
	    -verify_hostname "$1" > s.out 2>&1 || fail "s_client $1: $(cat s.out)"
	expect_in s.out "Verify return code: 0 (ok)"
	openssl x509 -in s.out -noout -serial -ext subjectAltName > leaf.txt
	expect_in leaf.txt "serial=$(echo "$2" | tr a-f A-F)"
	expect_in leaf.txt "$3"
done
expect_clean_stop
