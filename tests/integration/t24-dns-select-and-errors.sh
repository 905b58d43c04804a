# SPDX-License-Identifier: GPL-2.0-or-later
# Domains named on the command line are the only ones emitted, in every
# format, and in delegation mode only the shared records they use come with
# them; names are matched after normalisation (case, U-labels) and a name
# given twice is emitted once. An unknown domain exits 1 naming it. A domain
# with an error (max_age above 31557600, a name that is not a host name) is
# left out, named on stderr with file:line:col, the others still emitted,
# exit 1; so do errors outside any domain. Bad --format, --output-dir or
# --server with the wrong format, and an unwritable --output-dir, exit 2.
. "$TOP/tests/integration/lib.sh"

cat >deleg.yaml <<EOF
dns:
  policy_host:
    addresses: ["2001:db8::10"]
  tlsrpt:
    rua: [mailto:tlsrpt@hoster.example]
  delegation:
    zone: policies.hoster.example
$(hoster_yaml)
domains:
  alpha.example: hoster-mx
  gamma.example: hoster-mx
  delta.example: hoster-testing
  beta.example:
    policy: hoster-mx
    max_age: 2419200
$(own_yaml)
  direct.example:
    policy: hoster-mx
    delegate: false
  parent.example: hoster-testing
$(shop_yaml hoster-mx)
  bücher.example: hoster-testing
EOF

# names FILE: the owner names of the records in bind output, absolute.
names() {
	awk '/^\$ORIGIN/ { o = $2; next } /^[;$]/ || NF == 0 { next }
	    { print ($1 ~ /\.$/ ? $1 : $1 "." o) }' "$1" | sort -u | tr '\n' ' '
}
# zones FILE: the "; zone" headers of bind output.
zones() {
	sed -n 's/^; zone //p' "$1" | tr '\n' ' '
}

# ---- everything, for reference
hostd dns -c deleg.yaml
expect_rc 0 "all domains"
expect_eq "$(zones out)" "policies.hoster.example alpha.example beta.example delta.example direct.example gamma.example own.example parent.example xn--bcher-kva.example " "all zones"

# ---- one delegated domain: its records and its template's shared record only
hostd dns -c deleg.yaml alpha.example
expect_rc 0 "alpha.example"
[ ! -s err ] || fail "stderr: $(cat err)"
expect_eq "$(zones out)" "policies.hoster.example alpha.example " "zones for alpha.example"
expect_eq "$(names out)" "_mta-sts.alpha.example. _smtp._tls.alpha.example. hoster-mx._mta-sts.policies.hoster.example. mta-sts.alpha.example. " "records for alpha.example"

# Two domains on one template: one shared record. A domain with its own
# policy brings its own shared record. Named twice: emitted once.
hostd dns -c deleg.yaml gamma.example alpha.example own.example gamma.example
expect_rc 0 "gamma, alpha, own, gamma"
expect_eq "$(grep -c '^hoster-mx\._mta-sts ' out)" 1 "shared hoster-mx records"
expect_eq "$(grep -c '^_mta-sts ' out)" 3 "_mta-sts records for three domains"
expect_eq "$(zones out)" "policies.hoster.example alpha.example gamma.example own.example " "zones"
expect_eq "$(names out)" "_mta-sts.alpha.example. _mta-sts.gamma.example. _mta-sts.own.example. _smtp._tls.alpha.example. _smtp._tls.gamma.example. _smtp._tls.own.example. hoster-mx._mta-sts.policies.hoster.example. mta-sts.alpha.example. mta-sts.gamma.example. mta-sts.own.example. own.example._mta-sts.policies.hoster.example. " "records"

# A domain that does not delegate: no hoster zone at all.
hostd dns -c deleg.yaml direct.example
expect_rc 0 "direct.example"
expect_eq "$(zones out)" "direct.example " "zones for direct.example"
expect_not_in out "policies.hoster.example"

# A subdomain in its parent's zone: not the parent's own records.
hostd dns -c deleg.yaml shop.parent.example
expect_rc 0 "shop.parent.example"
expect_eq "$(zones out)" "policies.hoster.example parent.example " "zones for shop.parent.example"
expect_eq "$(names out)" "_mta-sts.shop.parent.example. _smtp._tls.shop.parent.example. hoster-mx._mta-sts.policies.hoster.example. mta-sts.shop.parent.example. " "records for shop.parent.example"

# Names are normalised: case, and a U-label selects its A-label.
hostd dns -c deleg.yaml ALPHA.Example
expect_rc 0 "ALPHA.Example"
expect_in out '$ORIGIN alpha.example.'
hostd dns -c deleg.yaml bücher.example
expect_rc 0 "bücher.example"
expect_eq "$(names out)" "_mta-sts.xn--bcher-kva.example. _smtp._tls.xn--bcher-kva.example. hoster-testing._mta-sts.policies.hoster.example. mta-sts.xn--bcher-kva.example. " "records for bücher.example"
hostd dns -c deleg.yaml xn--bcher-kva.example
expect_rc 0 "xn--bcher-kva.example"
expect_in out '$ORIGIN xn--bcher-kva.example.'

# The other formats select the same way.
hostd dns -c deleg.yaml --format nsupdate beta.example
expect_rc 0 "nsupdate beta.example"
expect_eq "$(grep '^zone ' out | tr '\n' ' ')" "zone policies.hoster.example. zone beta.example. " "nsupdate zones"
expect_eq "$(grep -c '^update add ' out)" 4 "nsupdate records for beta.example"
expect_in out "update add beta.example._mta-sts.policies.hoster.example. 300 IN TXT"
expect_not_in out "hoster-mx"
hostd dns -c deleg.yaml --format json delta.example
expect_rc 0 "json delta.example"
python3 -c '
import json, sys
doc = json.load(open("out"))
assert [d["domain"] for d in doc["domains"]] == ["delta.example"]
recs = [r["name"] for z in doc["zones"] for r in z["records"]]
assert sorted(recs) == ["_mta-sts.delta.example", "_smtp._tls.delta.example",
    "hoster-testing._mta-sts.policies.hoster.example", "mta-sts.delta.example"], recs
' || fail "json selection of delta.example"

# ---- an unknown domain: exit 1 with a message; the known ones still out.
hostd dns -c deleg.yaml nosuch.example
expect_rc 1 "an unknown domain"
expect_in err "nosuch.example is not configured in deleg.yaml"
expect_not_in out "\$ORIGIN"
hostd dns -c deleg.yaml nosuch.example own.example
expect_rc 1 "an unknown and a known domain"
expect_in err "nosuch.example is not configured"
expect_in out '$ORIGIN own.example.'
hostd dns -c deleg.yaml --format json nosuch.example
expect_rc 1 "an unknown domain, json"
python3 -c 'import json; json.load(open("out"))' || fail "json output with an unknown domain"
# Not a domain name at all: a usage error.
hostd dns -c deleg.yaml "bad..example"
expect_rc 2 "a malformed domain name"
[ -s err ] || fail "no message for a malformed domain name"

# ---- one invalid domain among valid ones
cat >invalid.yaml <<'EOF'
dns:
  policy_host:
    cname: mta-sts.hoster.example
policies:
  hoster-mx:
    mode: enforce
    mx: [mx1.hoster.example]
domains:
  good.example: hoster-mx
  bad.example:
    policy: hoster-mx
    max_age: 31557601
  other.example:
    mode: none
    mx: [mx.other.example]
EOF
line=$(grep -n 'max_age: 31557601' invalid.yaml | cut -d: -f1)
col=$(sed -n "${line}p" invalid.yaml | awk '{ print index($0, "31557601") }')
for format in bind nsupdate json; do
	hostd dns -c invalid.yaml --format $format
	expect_rc 1 "one invalid domain, $format"
	expect_in err "invalid.yaml:$line:$col: error: bad.example: max_age is 31557601"
	expect_in err "1 domain left out"
	expect_not_in out "bad.example"
	expect_in out "good.example"
	expect_in out "other.example"
done
python3 -c '
import json
doc = json.load(open("out"))
assert sorted(d["domain"] for d in doc["domains"]) == ["good.example", "other.example"], doc["domains"]
' || fail "json with an invalid domain"
# The bad one selected: exit 1, nothing for it.
hostd dns -c invalid.yaml bad.example
expect_rc 1 "the invalid domain selected"
expect_in err "invalid.yaml:$line:$col: error: bad.example"
expect_not_in out "bad.example"
# Only valid ones selected: their output is complete, exit 0.
hostd dns -c invalid.yaml good.example
expect_rc 0 "a valid domain selected next to an invalid one"
expect_in out '$ORIGIN good.example.'
expect_not_in out "other.example"

# A domain name that is not a host name: reported, left out, exit 1.
cat >badname.yaml <<'EOF'
domains:
  good.example:
    mode: testing
    mx: [mx.good.example]
  bad_name.example:
    mode: testing
    mx: [mx.good.example]
EOF
hostd dns -c badname.yaml
expect_rc 1 "an invalid domain name in the configuration"
expect_in err "badname.yaml:5:3: error:"
expect_in err "bad_name.example"
expect_in out '$ORIGIN good.example.'
expect_not_in out "bad_name"

# An error outside any domain (a TTL) still makes the configuration invalid.
cat >badttl.yaml <<'EOF'
dns:
  ttl:
    tlsrpt: 2147483648
  tlsrpt:
    rua: [mailto:tlsrpt@hoster.example]
domains:
  good.example:
    mode: testing
    mx: [mx.good.example]
EOF
hostd dns -c badttl.yaml
expect_rc 1 "a TTL out of range"
expect_in err "badttl.yaml:3:13: error:"
hostd dns -c badttl.yaml good.example
expect_rc 1 "a TTL out of range, domain selected"

# A configuration that cannot be read.
hostd dns -c "$T/missing.yaml"
expect_rc 1 "a missing configuration file"
expect_in err "missing.yaml"

# ---- --server becomes nsupdate's "server ADDRESS [PORT]"
for arg in 127.0.0.1:5300=127.0.0.1_5300 127.0.0.1=127.0.0.1 '[::1]:5353=::1_5353' \
    '[::1]=::1' ::1=::1 ns1.hoster.example:53=ns1.hoster.example_53; do
	hostd dns -c deleg.yaml --format nsupdate --server "${arg%%=*}" alpha.example
	expect_rc 0 "--server ${arg%%=*}"
	expect_eq "$(sed -n 2p out)" "server $(echo "${arg#*=}" | tr _ ' ')" "--server ${arg%%=*}"
done

# ---- usage errors: exit 2, nothing on stdout
mkdir zones
usage() {
	hostd dns -c deleg.yaml "$@"
	expect_rc 2 "dns $*"
	[ -s err ] || fail "no message for dns $*"
	[ ! -s out ] || fail "dns $* wrote to stdout"
}
usage --format xml
expect_in err "format 'xml' is not bind, nsupdate or json"
usage --format nsupdate --output-dir "$T/zones"
expect_in err "--output-dir goes with --format bind"
usage --output-dir "$T/zones" --format nsupdate
usage --format json --output-dir "$T/zones"
usage --server 127.0.0.1:5300
usage --format bind --server 127.0.0.1
usage --format nsupdate --server 127.0.0.1:
usage --format nsupdate --server '[::1'
usage --format nsupdate --server 127.0.0.1:abc
usage --format nsupdate --server 127.0.0.1:65536
usage --format nsupdate --server '[::1]:0'
usage --format nsupdate --server ''
expect_in err "is not ADDRESS[:PORT]"
usage --no-such-option
[ -z "$(ls zones)" ] || fail "a usage error wrote zone files"

# An --output-dir that cannot be written: exit 2, no stray files.
hostd dns -c deleg.yaml --output-dir "$T/does-not-exist"
expect_rc 2 "a missing --output-dir"
expect_in err "does-not-exist"
chmod 500 zones
if [ ! -w zones ]; then	# root writes anyway
	hostd dns -c deleg.yaml --output-dir "$T/zones"
	expect_rc 2 "a read-only --output-dir"
fi
chmod 700 zones
