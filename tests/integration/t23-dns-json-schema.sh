# SPDX-License-Identifier: GPL-2.0-or-later
# `dns --format json` is valid JSON (python3's json module) with the
# documented structure: schema "mta-sts-hostd.dns/1", domains[] (domain,
# policy_id, mode, max_age, template, zone, delegated, policy_url),
# delegation_zone, zones[] (zone, records[] of name, ttl, class, type, data,
# purpose, domain), no other keys, each value of the right type. Its records
# are exactly those of the bind output (and of the nsupdate output), zone by
# zone, the long TLS-RPT text unsplit; each policy_id is `policy --id`, and
# each domain's _mta-sts record carries it, directly or through the hoster's
# shared record. Direct mode, delegation mode, a selection, an empty result.
. "$TOP/tests/integration/lib.sh"

dns_rua

# Everything but dns: is shared by both configurations.
cat >domains.part <<EOF
$(hoster_yaml)
domains:
  alpha.example: hoster-mx
  gamma.example: hoster-testing
$(beta_yaml)
  own.example:
    mode: none
    mx: [mail.own.example]
    max_age: 86400
  direct.example:
    policy: hoster-mx
    delegate: false
    tlsrpt:
      rua: []
$(shop_yaml hoster-testing)
EOF
{
	cat <<EOF
dns:
  ttl: {policy_id: 300, tlsrpt: 7200, policy_host: 1800}
  policy_host:
    addresses: [192.0.2.10, "2001:db8::10"]
  tlsrpt:
    rua: [mailto:tlsrpt@hoster.example]
EOF
	cat domains.part
} >direct.yaml
{
	cat <<EOF
dns:
  policy_host:
    cname: mta-sts.hoster.example
  tlsrpt:
    rua: [mailto:tlsrpt@hoster.example, "https://tlsrpt.hoster.example/report"]
  delegation:
    zone: policies.hoster.example
EOF
	cat domains.part
} >deleg.yaml

# check.py JSON BIND NSUPDATE IDS: IDS has "domain id" lines from `policy --id`.
cat >check.py <<'PY'
import json, re, sys

def die(msg):
    sys.exit('FAIL: ' + msg)

doc = json.load(open(sys.argv[1]))
ids = dict(l.split() for l in open(sys.argv[4]) if l.strip())

def keys(obj, want, what):
    if not isinstance(obj, dict) or set(obj) != set(want):
        die('%s has keys %s, expected %s' % (what, sorted(obj) if isinstance(obj, dict) else obj, sorted(want)))

def typed(v, types, what):
    if not isinstance(v, types) or (isinstance(v, bool) and bool not in (types if isinstance(types, tuple) else (types,))):
        die('%s is %r' % (what, v))

keys(doc, ['schema', 'domains', 'delegation_zone', 'zones'], 'the document')
if doc['schema'] != 'mta-sts-hostd.dns/1':
    die('schema is %r' % doc['schema'])
typed(doc['domains'], list, 'domains')
typed(doc['zones'], list, 'zones')
dz = doc['delegation_zone']
if dz is not None:
    typed(dz, str, 'delegation_zone')

domains = {}
for d in doc['domains']:
    keys(d, ['domain', 'policy_id', 'mode', 'max_age', 'template', 'zone', 'delegated', 'policy_url'], 'a domain')
    name = d['domain']
    typed(name, str, 'domain')
    if name in domains:
        die('%s is listed twice' % name)
    domains[name] = d
    typed(d['policy_id'], str, name + ' policy_id')
    if not re.fullmatch(r'[0-9a-f]{32}', d['policy_id']):
        die('%s policy_id %r is not 32 hex digits' % (name, d['policy_id']))
    if d['policy_id'] != ids.get(name):
        die('%s policy_id %s, policy --id says %s' % (name, d['policy_id'], ids.get(name)))
    if d['mode'] not in ('enforce', 'testing', 'none'):
        die('%s mode %r' % (name, d['mode']))
    typed(d['max_age'], int, name + ' max_age')
    if d['template'] is not None:
        typed(d['template'], str, name + ' template')
    typed(d['zone'], str, name + ' zone')
    if name != d['zone'] and not name.endswith('.' + d['zone']):
        die('%s is not in its zone %s' % (name, d['zone']))
    typed(d['delegated'], bool, name + ' delegated')
    if d['delegated'] and dz is None:
        die('%s is delegated without a delegation zone' % name)
    if d['policy_url'] != 'https://mta-sts.%s/.well-known/mta-sts.txt' % name:
        die('%s policy_url %r' % (name, d['policy_url']))
if sorted(domains) != sorted(ids):
    die('domains %s, expected %s' % (sorted(domains), sorted(ids)))

TYPES = {'policy-id': 'TXT', 'policy-id-alias': 'CNAME', 'shared-policy-id': 'TXT',
         'tls-rpt': 'TXT', 'policy-host': ('CNAME', 'A', 'AAAA')}
records, zone_names = {}, []
for z in doc['zones']:
    keys(z, ['zone', 'records'], 'a zone')
    typed(z['zone'], str, 'zone')
    typed(z['records'], list, z['zone'] + ' records')
    if not z['records']:
        die('zone %s has no records' % z['zone'])
    zone_names.append(z['zone'])
    for r in z['records']:
        keys(r, ['name', 'ttl', 'class', 'type', 'data', 'purpose', 'domain'], 'a record')
        typed(r['name'], str, 'name')
        typed(r['ttl'], int, r['name'] + ' ttl')
        typed(r['data'], str, r['name'] + ' data')
        if not r['name'].endswith('.' + z['zone']) or r['name'].endswith('.'):
            die('%s is not a name in zone %s without the final dot' % (r['name'], z['zone']))
        if r['class'] != 'IN' or r['purpose'] not in TYPES or r['type'] not in TYPES[r['purpose']]:
            die('%s: class %s type %s purpose %s' % (r['name'], r['class'], r['type'], r['purpose']))
        if (r['domain'] is None) != (r['purpose'] == 'shared-policy-id'):
            die('%s: domain %r with purpose %s' % (r['name'], r['domain'], r['purpose']))
        if r['domain'] is not None:
            if r['domain'] not in domains or domains[r['domain']]['zone'] != z['zone']:
                die('%s: domain %r is not one listed in zone %s' % (r['name'], r['domain'], z['zone']))
            prefix = {'policy-id': '_mta-sts.', 'policy-id-alias': '_mta-sts.',
                      'tls-rpt': '_smtp._tls.', 'policy-host': 'mta-sts.'}[r['purpose']]
            if r['name'] != prefix + r['domain']:
                die('%s is not the %s name of %s' % (r['name'], r['purpose'], r['domain']))
        elif z['zone'] != dz:
            die('shared record %s outside the delegation zone' % r['name'])
        records.setdefault(r['name'], []).append(r)
# Zones: the hoster zone first when used, then by name, each listed once.
rest = zone_names[1:] if dz is not None and zone_names[:1] == [dz] else zone_names
if rest != sorted(set(rest)) or dz in rest:
    die('zone order %s' % zone_names)

# Each domain's id is published: directly, or by the shared record its
# CNAME names; the TXT is "v=STSv1; id=<policy_id>" exactly.
for name, d in domains.items():
    own = records.get('_mta-sts.' + name, [])
    if len(own) != 1:
        die('_mta-sts.%s has %d records' % (name, len(own)))
    r = own[0]
    if d['delegated']:
        if r['type'] != 'CNAME' or not r['data'].endswith('._mta-sts.' + dz):
            die('delegated %s: %r' % (name, r))
        shared = records.get(r['data'], [])
        if len(shared) != 1 or shared[0]['purpose'] != 'shared-policy-id':
            die('%s: the CNAME target %s is not one shared record' % (name, r['data']))
        r = shared[0]
    if r['type'] != 'TXT' or r['data'] != 'v=STSv1; id=' + d['policy_id']:
        die('%s publishes %r' % (name, r))
used = {r['data'] for rs in records.values() for r in rs if r['purpose'] == 'policy-id-alias'}
for rs in records.values():
    for r in rs:
        if r['purpose'] == 'shared-policy-id' and r['name'] not in used:
            die('shared record %s is used by no listed domain' % r['name'])

# The bind output: zone by zone, records with absolute owners, TXT joined.
bind, zone, origin = {}, None, None
tok = re.compile(r'"((?:[^"\\]|\\.)*)"|(\S+)')
for line in open(sys.argv[2]):
    line = line.rstrip('\n')
    m = re.fullmatch(r'; zone (\S+)', line)
    if m:
        zone = m.group(1)
        bind[zone] = []
        continue
    if not line or line.startswith(';'):
        continue
    if line.startswith('$ORIGIN '):
        origin = line.split()[1]
        continue
    t = tok.findall(line)
    owner = t[0][1]
    owner = origin if owner == '@' else owner if owner.endswith('.') else owner + '.' + origin
    ttl, cls, typ = t[1][1], t[2][1], t[3][1]
    if typ == 'TXT':
        data = ''.join(re.sub(r'\\(.)', r'\1', q) for q, w in t[4:])
    else:
        data = ' '.join(w for q, w in t[4:])
        if typ == 'CNAME':
            # A target without the final dot is relative to $ORIGIN.
            data = data[:-1] if data.endswith('.') else data + '.' + origin.rstrip('.')
    bind[zone].append((owner.rstrip('.'), int(ttl), cls, typ, data))

# The nsupdate output: "zone" then "update add" lines, also joined.
nsup, zone = {}, None
for line in open(sys.argv[3]):
    line = line.rstrip('\n')
    if line.startswith('zone '):
        zone = line.split()[1].rstrip('.')
        nsup[zone] = []
    elif line.startswith('update add '):
        t = tok.findall(line[len('update add '):])
        typ = t[3][1]
        if typ == 'TXT':
            data = ''.join(q for q, w in t[4:])
        else:
            data = ' '.join(w for q, w in t[4:]).rstrip('.') if typ == 'CNAME' else ' '.join(w for q, w in t[4:])
        nsup[zone].append((t[0][1].rstrip('.'), int(t[1][1]), t[2][1], typ, data))

jsonrec = {z['zone']: [(r['name'], r['ttl'], r['class'], r['type'], r['data']) for r in z['records']]
           for z in doc['zones']}
for what, other in (('bind', bind), ('nsupdate', nsup)):
    if list(other) != zone_names:
        die('%s zones %s, JSON zones %s' % (what, list(other), zone_names))
    for z in zone_names:
        if sorted(other[z]) != sorted(jsonrec[z]):
            die('zone %s: %s records\n  %s\nJSON records\n  %s' % (z, what,
                '\n  '.join(map(str, other[z])), '\n  '.join(map(str, jsonrec[z]))))
print('%d domains, %d zones, %d records' % (len(domains), len(zone_names), sum(map(len, jsonrec.values()))))
PY

# check CONFIG [DOMAIN...]: run the three formats and check.py.
check() {
	cfg=$1
	shift
	hostd dns -c "$cfg" --format json "$@"
	expect_rc 0 "dns --format json -c $cfg $*"
	[ ! -s err ] || fail "dns --format json wrote to stderr: $(cat err)"
	mv out "$cfg.json"
	hostd dns -c "$cfg" "$@"
	expect_rc 0 "dns -c $cfg $*"
	mv out "$cfg.bind"
	hostd dns -c "$cfg" --format nsupdate "$@"
	expect_rc 0 "dns --format nsupdate -c $cfg $*"
	mv out "$cfg.nsupdate"
	: >"$cfg.ids"
	if [ $# -eq 0 ]; then
		set -- alpha.example gamma.example beta.example own.example direct.example shop.parent.example
	fi
	for d in "$@"; do
		hostd policy -c "$cfg" --id "$d"
		expect_rc 0 "policy --id $d"
		echo "$d $(cat out)" >>"$cfg.ids"
	done
	python3 check.py "$cfg.json" "$cfg.bind" "$cfg.nsupdate" "$cfg.ids" >check.out 2>&1 || {
		cat check.out; echo "--- $cfg.json"; cat "$cfg.json"; fail "$cfg.json does not check"
	} >&2
}

check direct.yaml
# A few values pinned down, beyond the structure.
python3 - direct.yaml.json "$RUA" <<'PY' || fail "direct.yaml.json values"
import json, sys
doc = json.load(open(sys.argv[1]))
d = {x['domain']: x for x in doc['domains']}
assert doc['delegation_zone'] is None, doc['delegation_zone']
assert [z['zone'] for z in doc['zones']] == ['alpha.example', 'beta.example', 'direct.example', 'gamma.example', 'own.example', 'parent.example']
assert d['alpha.example']['template'] == 'hoster-mx' and d['alpha.example']['max_age'] == 1209600
assert d['beta.example']['template'] == 'hoster-mx' and d['beta.example']['max_age'] == 2419200
assert d['gamma.example']['max_age'] == 604800 and d['gamma.example']['mode'] == 'testing'
assert d['own.example']['template'] is None and d['own.example']['mode'] == 'none'
assert d['shop.parent.example']['zone'] == 'parent.example'
assert not any(x['delegated'] for x in d.values())
recs = {(r['name'], r['type']): r for z in doc['zones'] for r in z['records']}
assert recs[('_smtp._tls.beta.example', 'TXT')]['data'] == 'v=TLSRPTv1; rua=' + sys.argv[2]
assert recs[('_smtp._tls.beta.example', 'TXT')]['ttl'] == 7200
assert recs[('mta-sts.own.example', 'AAAA')] == {'name': 'mta-sts.own.example', 'ttl': 1800, 'class': 'IN',
    'type': 'AAAA', 'data': '2001:db8::10', 'purpose': 'policy-host', 'domain': 'own.example'}
# An empty rua list: no TLS-RPT record for direct.example.
assert ('_smtp._tls.direct.example', 'TXT') not in recs
PY

check deleg.yaml
python3 - deleg.yaml.json <<'PY' || fail "deleg.yaml.json values"
import json, sys
doc = json.load(open(sys.argv[1]))
d = {x['domain']: x for x in doc['domains']}
assert doc['delegation_zone'] == 'policies.hoster.example'
assert doc['zones'][0]['zone'] == 'policies.hoster.example'
assert {r['name'] for r in doc['zones'][0]['records']} == {
    'hoster-mx._mta-sts.policies.hoster.example', 'hoster-testing._mta-sts.policies.hoster.example',
    'beta.example._mta-sts.policies.hoster.example', 'own.example._mta-sts.policies.hoster.example'}
assert all(r['ttl'] == 300 for r in doc['zones'][0]['records'])
assert d['direct.example']['delegated'] is False
assert all(x['delegated'] for n, x in d.items() if n != 'direct.example')
recs = {(r['name'], r['type']): r for z in doc['zones'] for r in z['records']}
assert recs[('_smtp._tls.alpha.example', 'TXT')]['data'] == \
    'v=TLSRPTv1; rua=mailto:tlsrpt@hoster.example,https://tlsrpt.hoster.example/report'
assert recs[('mta-sts.alpha.example', 'CNAME')]['data'] == 'mta-sts.hoster.example'
PY

# A selection: only those domains, and only the shared records they use.
check deleg.yaml gamma.example beta.example
python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
assert sorted(d["domain"] for d in doc["domains"]) == ["beta.example", "gamma.example"], doc["domains"]
assert [z["zone"] for z in doc["zones"]] == ["policies.hoster.example", "beta.example", "gamma.example"]
' deleg.yaml.json || fail "the selection in JSON"

# Only a direct domain selected: the hoster zone is not listed at all.
check deleg.yaml direct.example
python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
assert [z["zone"] for z in doc["zones"]] == ["direct.example"], doc["zones"]
assert doc["delegation_zone"] == "policies.hoster.example"
' deleg.yaml.json || fail "a direct domain in delegation mode"

# Nothing to emit (an unknown domain): still a valid, empty document.
hostd dns -c deleg.yaml --format json unknown.example
expect_rc 1 "an unknown domain"
python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc == {"schema": "mta-sts-hostd.dns/1", "domains": [], "delegation_zone": "policies.hoster.example", "zones": []}, doc
' out || { cat out; fail "the empty JSON document"; } >&2
