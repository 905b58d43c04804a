# `dns --output-dir` writes one bind snippet per zone; each, $INCLUDEd into a
# minimal zone with SOA and NS, loads in named-checkzone without a warning,
# and the loaded zone (named-checkzone -D) holds exactly the expected records:
# TTLs, types, exact TXT text (the long TLS-RPT split into 255-byte strings
# and reassembled), _mta-sts ids equal to `policy --id`. Direct mode and
# hoster delegation mode.
. "$TOP/tests/integration/lib.sh"

command -v named-checkzone >/dev/null || fail "named-checkzone is not installed"

# A long TLS-RPT rua: four URIs, more than 255 characters in the record.
RUA1=mailto:tls-reports-with-a-rather-long-local-part-for-testing@reports.beta.example
RUA2=mailto:second-mailbox-for-tls-reporting-purposes@backup-reports.beta.example
RUA3=https://reports.beta.example/tlsrpt/v1/submit/with/a/very/long/path/segment
RUA4=https://another-report-collector.beta.example/tls-rpt/upload
LONG_TLSRPT="v=TLSRPTv1; rua=$RUA1,$RUA2,$RUA3,$RUA4"
[ ${#LONG_TLSRPT} -gt 255 ] || fail "the long TLS-RPT record is only ${#LONG_TLSRPT} bytes"
HOSTER_TLSRPT="v=TLSRPTv1; rua=mailto:tlsrpt@hoster.example"

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
policies:
  hoster-mx:
    mode: enforce
    mx: [mx1.hoster.example, mx2.hoster.example]
    max_age: 1209600
  hoster-testing:
    mode: testing
    mx: [mx1.hoster.example]
    max_age: 86400
domains:
  alpha.example: hoster-mx
  beta.example:
    policy: hoster-mx
    max_age: 2419200
    tlsrpt:
      rua:
        - $RUA1
        - $RUA2
        - $RUA3
        - $RUA4
  own.example:
    mode: testing
    mx: [mail.own.example, "*.backup.own.example"]
    max_age: 604800
  parent.example: hoster-testing
  shop.parent.example:
    policy: hoster-mx
    zone: parent.example
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
policies:
  hoster-mx:
    mode: enforce
    mx: [mx1.hoster.example, mx2.hoster.example]
    max_age: 1209600
  hoster-testing:
    mode: testing
    mx: [mx1.hoster.example]
    max_age: 86400
domains:
  alpha.example: hoster-mx
  gamma.example: hoster-mx
  delta.example: hoster-testing
  beta.example:
    policy: hoster-mx
    max_age: 2419200
    tlsrpt:
      rua:
        - $RUA1
        - $RUA2
        - $RUA3
        - $RUA4
  own.example:
    mode: testing
    mx: [mail.own.example]
  direct.example:
    policy: hoster-mx
    delegate: false
  shop.parent.example:
    policy: hoster-testing
    zone: parent.example
EOF

# Master-file records to "OWNER TTL TYPE RDATA" lines, absolute owners,
# TXT as "NSTRINGS TEXT" with the strings concatenated; SOA, NS and the glue
# of the wrapper left out. Reads named-checkzone -D and nsd-checkzone -p.
cat >norm.py <<'PY'
import re, sys
origin, owner, out = None, None, []
token = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')
def unescape(s):
    return re.sub(r'\\(\d{3}|.)', lambda m: chr(int(m.group(1))) if m.group(1).isdigit() else m.group(1), s)
paren = False
for line in sys.stdin:
    line = line.rstrip('\n')
    if paren:
        paren = ')' not in line
        continue
    if not line.strip() or line.lstrip().startswith(';'):
        continue
    if line.startswith('$ORIGIN'):
        origin = line.split()[1]
        continue
    toks = [(q, w) for q, w in token.findall(line)]
    if not line[0].isspace():
        name = toks.pop(0)[1]
        if name == '@':
            name = origin
        elif not name.endswith('.'):
            name = name + '.' + origin
        owner = name
    ttl = cls = None
    while toks and toks[0][1] and (toks[0][1].isdigit() or toks[0][1] == 'IN'):
        w = toks.pop(0)[1]
        if w == 'IN':
            cls = w
        else:
            ttl = w
    rtype = toks.pop(0)[1]
    if '(' in line and ')' not in line:
        paren = True
    if rtype in ('SOA', 'NS') or owner.startswith('ns1.'):
        continue
    if rtype == 'TXT':
        strings = [unescape(q) for q, w in toks]
        for s in strings[:-1]:
            if len(s) != 255:
                sys.exit('%s: a TXT string that is not the last is %d bytes' % (owner, len(s)))
        if any(len(s) > 255 for s in strings):
            sys.exit('%s: a TXT string is longer than 255 bytes' % owner)
        data = '%d %s' % (len(strings), ''.join(strings))
    else:
        data = ' '.join(w for q, w in toks)
    out.append('%s %s %s %s' % (owner.lower(), ttl, rtype, data))
print('\n'.join(sorted(out)))
PY

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
	python3 norm.py <"$dir-$zone.dump" >"$dir-$zone.got" || fail "bad records in $zone"
	sort >"$dir-$zone.want"
	cmp -s "$dir-$zone.got" "$dir-$zone.want" || {
		echo "--- records loaded from $dir/$zone.zone"; cat "$dir-$zone.got"
		echo "--- expected"; cat "$dir-$zone.want"
		diff "$dir-$zone.want" "$dir-$zone.got"
		fail "zone $zone from $dir holds other records than expected"
	} >&2
}

# getid VAR CONFIG DOMAIN: VAR becomes the id of the policy the daemon serves.
getid() {
	hostd policy -c "$2" --id "$3"
	expect_rc 0 "policy --id $3"
	grep -qE '^[0-9a-f]{32}$' out || fail "policy --id $3 printed '$(cat out)'"
	eval "$1=\$(cat out)"
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

check_zone direct alpha.example <<EOF
_mta-sts.alpha.example. 300 TXT 1 v=STSv1; id=$id_alpha_example
_smtp._tls.alpha.example. 7200 TXT 1 $HOSTER_TLSRPT
mta-sts.alpha.example. 1800 A 192.0.2.10
mta-sts.alpha.example. 1800 AAAA 2001:db8::10
EOF
check_zone direct beta.example <<EOF
_mta-sts.beta.example. 300 TXT 1 v=STSv1; id=$id_beta_example
_smtp._tls.beta.example. 7200 TXT $(nstrings "$LONG_TLSRPT") $LONG_TLSRPT
mta-sts.beta.example. 1800 A 192.0.2.10
mta-sts.beta.example. 1800 AAAA 2001:db8::10
EOF
check_zone direct own.example <<EOF
_mta-sts.own.example. 300 TXT 1 v=STSv1; id=$id_own_example
_smtp._tls.own.example. 7200 TXT 1 $HOSTER_TLSRPT
mta-sts.own.example. 1800 A 192.0.2.10
mta-sts.own.example. 1800 AAAA 2001:db8::10
EOF
# Two domains in one zone: the parent itself and a subdomain.
check_zone direct parent.example <<EOF
_mta-sts.parent.example. 300 TXT 1 v=STSv1; id=$id_parent_example
_smtp._tls.parent.example. 7200 TXT 1 $HOSTER_TLSRPT
mta-sts.parent.example. 1800 A 192.0.2.10
mta-sts.parent.example. 1800 AAAA 2001:db8::10
_mta-sts.shop.parent.example. 300 TXT 1 v=STSv1; id=$id_shop_parent_example
_smtp._tls.shop.parent.example. 7200 TXT 1 $HOSTER_TLSRPT
mta-sts.shop.parent.example. 1800 A 192.0.2.10
mta-sts.shop.parent.example. 1800 AAAA 2001:db8::10
EOF

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
check_zone deleg alpha.example <<EOF
_mta-sts.alpha.example. 600 CNAME hoster-mx._mta-sts.$H.
_smtp._tls.alpha.example. 3600 TXT 1 $HOSTER_TLSRPT
mta-sts.alpha.example. 900 CNAME mta-sts.hoster.example.
EOF
check_zone deleg gamma.example <<EOF
_mta-sts.gamma.example. 600 CNAME hoster-mx._mta-sts.$H.
_smtp._tls.gamma.example. 3600 TXT 1 $HOSTER_TLSRPT
mta-sts.gamma.example. 900 CNAME mta-sts.hoster.example.
EOF
check_zone deleg delta.example <<EOF
_mta-sts.delta.example. 600 CNAME hoster-testing._mta-sts.$H.
_smtp._tls.delta.example. 3600 TXT 1 $HOSTER_TLSRPT
mta-sts.delta.example. 900 CNAME mta-sts.hoster.example.
EOF
check_zone deleg beta.example <<EOF
_mta-sts.beta.example. 600 CNAME beta.example._mta-sts.$H.
_smtp._tls.beta.example. 3600 TXT $(nstrings "$LONG_TLSRPT") $LONG_TLSRPT
mta-sts.beta.example. 900 CNAME mta-sts.hoster.example.
EOF
check_zone deleg own.example <<EOF
_mta-sts.own.example. 600 CNAME own.example._mta-sts.$H.
_smtp._tls.own.example. 3600 TXT 1 $HOSTER_TLSRPT
mta-sts.own.example. 900 CNAME mta-sts.hoster.example.
EOF
# delegate: false publishes the id itself.
check_zone deleg direct.example <<EOF
_mta-sts.direct.example. 600 TXT 1 v=STSv1; id=$did_direct_example
_smtp._tls.direct.example. 3600 TXT 1 $HOSTER_TLSRPT
mta-sts.direct.example. 900 CNAME mta-sts.hoster.example.
EOF
check_zone deleg parent.example <<EOF
_mta-sts.shop.parent.example. 600 CNAME hoster-testing._mta-sts.$H.
_smtp._tls.shop.parent.example. 3600 TXT 1 $HOSTER_TLSRPT
mta-sts.shop.parent.example. 900 CNAME mta-sts.hoster.example.
EOF

# Running again replaces the files in place and leaves no temporary file.
hostd dns -c deleg.yaml --output-dir "$T/deleg"
expect_rc 0 "dns --output-dir a second time"
expect_eq "$(cd deleg && ls | grep -c -v '\.zone$' || true)" 0 "files other than *.zone"
