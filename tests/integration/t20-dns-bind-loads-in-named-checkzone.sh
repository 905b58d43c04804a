# SPDX-License-Identifier: GPL-2.0-or-later
# `dns --output-dir` writes one bind snippet per zone; each, $INCLUDEd into a
# minimal zone with SOA and NS, loads in named-checkzone without a warning,
# and the loaded zone (named-checkzone -D) holds exactly the expected records:
# TTLs, types, exact TXT text (the long TLS-RPT split into 255-byte strings
# and reassembled), _mta-sts ids equal to `policy --id`. Direct mode and
# hoster delegation mode.
. "$TOP/tests/integration/lib.sh"

require_tools named-checkzone

# A long TLS-RPT rua for beta.example: four URIs, more than 255 characters
# in the record.
dns_rua

cat >direct.yaml <<EOF
dns:
  ttl:
    policy_id: 300
    tlsrpt: 7200
    policy_host: 1800
  policy_host:
    addresses: [192.0.2.10, "2001:DB8:0:0::10"]
  tlsrpt:
    rua:
      - mailto:tlsrpt@hoster.example
$(hoster_yaml 86400)
domains:
  alpha.example: hoster-mx
$(beta_yaml)
  own.example:
    mode: testing
    mx: [mail.own.example, "*.backup.own.example"]
    max_age: 604800
  parent.example: hoster-testing
$(shop_yaml hoster-mx)
EOF

cat >deleg.yaml <<EOF
dns:
  ttl:
    policy_id: 600
    tlsrpt: 3600
    policy_host: 900
  policy_host:
    cname: mta-sts.hoster.example
  tlsrpt:
    rua:
      - mailto:tlsrpt@hoster.example
  delegation:
    zone: policies.hoster.example
$(hoster_yaml 86400)
domains:
  alpha.example: hoster-mx
  gamma.example: hoster-mx
  delta.example: hoster-testing
$(beta_yaml)
$(own_yaml)
  direct.example:
    policy: hoster-mx
    delegate: false
$(shop_yaml hoster-testing)
EOF

# The loaded records (zone_records.py --strings): "OWNER TTL TYPE RDATA"
# lines, absolute owners, TXT as "NSTRINGS TEXT" with the strings
# concatenated; SOA, NS and the glue of the wrapper left out.

# nstrings TEXT: how many 255-byte strings TEXT needs.
nstrings() {
	echo $(( (${#1} + 254) / 255 ))
}

# check_zone DIR ZONE: wrap DIR/ZONE.zone, load it, compare its records with
# the expected "OWNER TTL TYPE RDATA" lines on stdin.
check_zone() {
	dir=$1 zone=$2
	[ -f "$T/$dir/$zone.zone" ] || fail "$dir/$zone.zone was not written"
	cat >"$dir-$zone.db" <<EOF
\$TTL 86400
@	IN SOA	ns1.$zone. hostmaster.$zone. 1 3600 600 604800 300
@	IN NS	ns1.$zone.
ns1	IN A	192.0.2.53
\$INCLUDE $T/$dir/$zone.zone
EOF
	rc=0
	named-checkzone -k fail -i full "$zone" "$dir-$zone.db" \
	    >"$dir-$zone.check" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] || { cat "$dir-$zone.check" "$T/$dir/$zone.zone"; fail "named-checkzone rejects $dir/$zone.zone"; } >&2
	printf 'zone %s/IN: loaded serial 1\nOK\n' "$zone" >"$dir-$zone.ok"
	cmp -s "$dir-$zone.check" "$dir-$zone.ok" || {
		cat "$dir-$zone.check"; fail "named-checkzone warns about $dir/$zone.zone"
	} >&2
	named-checkzone -D -s full -o - "$zone" "$dir-$zone.db" 2>/dev/null \
	    >"$dir-$zone.dump" || fail "named-checkzone -D $zone"
	python3 "$TOP/tests/integration/zone_records.py" --strings \
	    <"$dir-$zone.dump" >"$dir-$zone.got" || fail "bad records in $zone"
	sort >"$dir-$zone.want"
	cmp -s "$dir-$zone.got" "$dir-$zone.want" || {
		echo "--- records loaded from $dir/$zone.zone"; cat "$dir-$zone.got"
		echo "--- expected"; cat "$dir-$zone.want"
		diff "$dir-$zone.want" "$dir-$zone.got"
		fail "zone $zone from $dir holds other records than expected"
	} >&2
}

# getid VAR CONFIG DOMAIN: VAR becomes the id of the policy the daemon
# serves (config_id: `policy --id`, checked against the body's SHA-256).
getid() {
	eval "$1=\$(config_id \"\$2\" \"\$3\")"
}

# ---- direct mode: each customer zone publishes its own _mta-sts TXT.
mkdir direct
hostd dns -c direct.yaml --output-dir "$T/direct"
expect_rc 0 "dns --output-dir, direct mode"
[ ! -s out ] || fail "--output-dir printed records on stdout"
expect_eq "$(cd direct && ls | tr '\n' ' ')" \
    "alpha.example.zone beta.example.zone own.example.zone parent.example.zone " \
    "one file per zone, nothing else"
grep -q '"v=TLSRPTv1; rua=mailto:tls-reports[^"]*" "' direct/beta.example.zone ||
    fail "the long TLS-RPT record is not split into several strings"

for d in alpha.example beta.example own.example parent.example shop.parent.example; do
	getid "id_$(echo "$d" | tr .- __)" direct.yaml "$d"
done
# The same template gives the same policy, so the same id.
expect_eq "$id_alpha_example" "$id_shop_parent_example" "same template, same id"
[ "$id_alpha_example" != "$id_beta_example" ] || fail "an override did not change the id"

# direct DOMAIN ID [TLSRPT]: DOMAIN's records in direct mode: its own TXT
# with ID, the TLS-RPT record (TLSRPT, the hoster's unless given) and the
# policy host's addresses.
direct() {
	tls=${3:-$HOSTER_TLSRPT}
	echo "_mta-sts.$1. 300 TXT 1 v=STSv1; id=$2"
	echo "_smtp._tls.$1. 7200 TXT $(nstrings "$tls") $tls"
	echo "mta-sts.$1. 1800 A 192.0.2.10"
	echo "mta-sts.$1. 1800 AAAA 2001:db8::10"
}
direct alpha.example "$id_alpha_example" | check_zone direct alpha.example
direct beta.example "$id_beta_example" "$LONG_TLSRPT" |
    check_zone direct beta.example
direct own.example "$id_own_example" | check_zone direct own.example
# Two domains in one zone: the parent itself and a subdomain.
{
	direct parent.example "$id_parent_example"
	direct shop.parent.example "$id_shop_parent_example"
} | check_zone direct parent.example

# ---- delegation mode: customers CNAME _mta-sts to the hoster zone, which
# holds one TXT per template and one per domain with a policy of its own.
mkdir deleg
hostd dns -c deleg.yaml --output-dir "$T/deleg"
expect_rc 0 "dns --output-dir, delegation mode"
expect_eq "$(cd deleg && ls | tr '\n' ' ')" \
    "alpha.example.zone beta.example.zone delta.example.zone direct.example.zone gamma.example.zone own.example.zone parent.example.zone policies.hoster.example.zone " \
    "one file per zone, the hoster zone included"

for d in alpha.example gamma.example delta.example beta.example own.example direct.example shop.parent.example; do
	getid "did_$(echo "$d" | tr .- __)" deleg.yaml "$d"
done
expect_eq "$did_alpha_example" "$did_gamma_example" "same template, same id"
expect_eq "$did_delta_example" "$did_shop_parent_example" "same template, same id"

H=policies.hoster.example
check_zone deleg $H <<EOF
hoster-mx._mta-sts.$H. 600 TXT 1 v=STSv1; id=$did_alpha_example
hoster-testing._mta-sts.$H. 600 TXT 1 v=STSv1; id=$did_delta_example
beta.example._mta-sts.$H. 600 TXT 1 v=STSv1; id=$did_beta_example
own.example._mta-sts.$H. 600 TXT 1 v=STSv1; id=$did_own_example
EOF
# delegated DOMAIN STS [TLSRPT]: DOMAIN's records in delegation mode:
# _mta-sts with STS (a CNAME to the hoster's record or, not delegated, the
# TXT itself), the TLS-RPT record (TLSRPT, the hoster's unless given) and
# mta-sts a CNAME to the hoster's policy host.
delegated() {
	tls=${3:-$HOSTER_TLSRPT}
	echo "_mta-sts.$1. 600 $2"
	echo "_smtp._tls.$1. 3600 TXT $(nstrings "$tls") $tls"
	echo "mta-sts.$1. 900 CNAME mta-sts.hoster.example."
}
for d in alpha gamma; do
	delegated "$d.example" "CNAME hoster-mx._mta-sts.$H." |
	    check_zone deleg "$d.example"
done
delegated delta.example "CNAME hoster-testing._mta-sts.$H." |
    check_zone deleg delta.example
delegated beta.example "CNAME beta.example._mta-sts.$H." "$LONG_TLSRPT" |
    check_zone deleg beta.example
delegated own.example "CNAME own.example._mta-sts.$H." |
    check_zone deleg own.example
# delegate: false publishes the id itself.
delegated direct.example "TXT 1 v=STSv1; id=$did_direct_example" |
    check_zone deleg direct.example
delegated shop.parent.example "CNAME hoster-testing._mta-sts.$H." |
    check_zone deleg parent.example

# Running again replaces the files in place and leaves no temporary file.
hostd dns -c deleg.yaml --output-dir "$T/deleg"
expect_rc 0 "dns --output-dir a second time"
expect_eq "$(cd deleg && ls | grep -c -v '\.zone$' || true)" 0 "files other than *.zone"
