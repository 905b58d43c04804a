# SPDX-License-Identifier: GPL-2.0-or-later
# Every per-zone snippet of `dns --output-dir`, $INCLUDEd into a minimal zone
# with SOA and NS, is accepted by NSD's zone parser (nsd-checkzone), and the
# records NSD loaded (nsd-checkzone -p) are exactly the ones the generator
# lists for that zone in its JSON output, the split TLS-RPT TXT reassembled.
# Direct mode (IPv6-only policy host) and hoster delegation mode.
# NSD's parser supports $INCLUDE (checked below: a missing include fails), so
# the snippets are included exactly as an operator would, not concatenated.
. "$TOP/tests/integration/lib.sh"

require_tools nsd-checkzone

dns_rua

cat >direct.yaml <<EOF
dns:
  policy_host:
    addresses: ["2001:db8:0:1::53"]
  tlsrpt:
    rua: [mailto:tlsrpt@hoster.example]
policies:
  hoster-mx:
    mode: enforce
    mx: [mx1.hoster.example, "*.mx.hoster.example"]
    max_age: 1209600
domains:
  alpha.example: hoster-mx
$(beta_yaml)
  own.example:
    mode: none
    mx: [mail.own.example]
$(shop_yaml hoster-mx)
  www.shop.parent.example:
    mode: testing
    mx: [mail.parent.example]
    zone: parent.example
EOF

cat >deleg.yaml <<EOF
dns:
  ttl: {policy_id: 120, tlsrpt: 86400, policy_host: 43200}
  policy_host:
    cname: mta-sts.hoster.example
  tlsrpt:
    rua: [mailto:tlsrpt@hoster.example]
  delegation:
    zone: hoster.example
policies:
  hoster-mx:
    mode: enforce
    mx: [mx1.hoster.example]
    max_age: 1209600
domains:
  alpha.example: hoster-mx
  gamma.example: hoster-mx
$(beta_yaml)
$(own_yaml)
$(shop_yaml hoster-mx)
EOF

# What NSD loaded, as "OWNER TTL TYPE RDATA" lines: zone_records.py.

# The generator's own list of a zone's records, in the same form.
cat >fromjson.py <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
zone = [z for z in doc['zones'] if z['zone'] == sys.argv[2]][0]
out = []
for r in zone['records']:
    data = r['data'] + '.' if r['type'] == 'CNAME' else r['data']
    out.append('%s. %d %s %s' % (r['name'], r['ttl'], r['type'], data))
print('\n'.join(sorted(out)))
PY

for mode in direct deleg; do
	mkdir "$mode"
	hostd dns -c "$mode.yaml" --output-dir "$T/$mode"
	expect_rc 0 "dns --output-dir ($mode)"
	hostd dns -c "$mode.yaml" --format json
	expect_rc 0 "dns --format json ($mode)"
	mv out "$mode.json"
	zones=$(python3 -c 'import json,sys; print(" ".join(z["zone"] for z in json.load(open(sys.argv[1]))["zones"]))' "$mode.json")
	files=$(cd "$mode" && ls | sed 's/\.zone$//' | sort | tr '\n' ' ')
	expect_eq "$files" "$(echo $zones | tr ' ' '\n' | sort | tr '\n' ' ')" \
	    "one file per zone ($mode)"
	for zone in $zones; do
		db=$mode-$zone.db
		cat >"$db" <<EOF
\$ORIGIN $zone.
\$TTL 86400
@	IN SOA	ns1 hostmaster 1 3600 600 604800 300
@	IN NS	ns1
ns1	IN AAAA	2001:db8::53
\$INCLUDE $T/$mode/$zone.zone
EOF
		rc=0
		nsd-checkzone "$zone" "$db" >"$db.out" 2>&1 || rc=$?
		[ "$rc" -eq 0 ] || { cat "$db.out" "$mode/$zone.zone"; fail "nsd-checkzone rejects $mode/$zone.zone"; } >&2
		expect_eq "$(cat "$db.out")" "zone $zone is ok" "nsd-checkzone $mode/$zone"
		nsd-checkzone -p "$zone" "$db" 2>&1 >"$db.print" | grep . && fail "nsd-checkzone -p $zone wrote to stderr"
		python3 "$TOP/tests/integration/zone_records.py" <"$db.print" >"$db.got" ||
		    fail "bad records in $mode/$zone.zone"
		python3 fromjson.py "$mode.json" "$zone" >"$db.want"
		cmp -s "$db.got" "$db.want" || {
			echo "--- NSD loaded"; cat "$db.got"; echo "--- generator lists"; cat "$db.want"
			fail "NSD loaded other records from $mode/$zone.zone than the generator lists"
		} >&2
	done
done

# The split record did reach NSD as several strings of at most 255 bytes.
grep -q '^_smtp.*TXT.*" "' direct-beta.example.db.print ||
    fail "NSD did not see the long TLS-RPT record as several strings"
expect_in direct-beta.example.db.got "_smtp._tls.beta.example. 3600 TXT v=TLSRPTv1; rua=$RUA"
expect_in direct-parent.example.db.got "mta-sts.www.shop.parent.example. 3600 AAAA 2001:db8:0:1::53"
expect_in deleg-hoster.example.db.got "hoster-mx._mta-sts.hoster.example. 120 TXT v=STSv1; id=$("$MTA_STS_HOSTD" policy -c deleg.yaml --id alpha.example)"

# $INCLUDE is really processed: a missing snippet makes NSD fail.
sed "s|^\\\$INCLUDE .*|\$INCLUDE $T/direct/missing.zone|" direct-alpha.example.db >missing.db
rc=0
nsd-checkzone alpha.example missing.db >missing.out 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "nsd-checkzone ignores a missing \$INCLUDE file"
