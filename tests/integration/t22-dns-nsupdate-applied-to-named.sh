# SPDX-License-Identifier: GPL-2.0-or-later
# `dns --format nsupdate --server ADDR:PORT` piped into nsupdate(1) with a
# TSIG key updates a real named: dig then returns the _mta-sts TXT whose id is
# `policy --id` and the first 32 hex digits of the SHA-256 of the served
# body, the TLS-RPT TXT and the mta-sts A/AAAA or CNAME. In delegation mode
# the customer _mta-sts is a CNAME that named resolves, within its own zones,
# to the hoster's shared TXT. A changed policy changes the id in DNS, and
# every update replaces the old records: exactly one v=STSv1 TXT per name,
# and a TXT that becomes a CNAME (and A/AAAA that become a CNAME) are gone.
. "$TOP/tests/integration/lib.sh"

require_tools named nsupdate dig tsig-keygen

dns_rua
H=policies.hoster.example

# templates_and_domains MX: what both modes' configurations share, with
# the template's mx list MX.
templates_and_domains() {
	cat <<EOF
policies:
  hoster-mx:
    mode: enforce
    mx: [$1]
    max_age: 1209600
domains:
  alpha.example: hoster-mx
$(beta_yaml)
$(own_yaml)
$(shop_yaml hoster-mx)
EOF
}

# direct.yaml, with the template's mx list given as $1.
write_direct() {
	cat >direct.yaml <<EOF
dns:
  policy_host:
    addresses: [192.0.2.10, "2001:db8::10"]
  tlsrpt:
    rua: [mailto:tlsrpt@hoster.example]
$(templates_and_domains "$1")
EOF
}

# deleg.yaml: the same domains delegated to the hoster zone; $1 as above.
write_deleg() {
	cat >deleg.yaml <<EOF
dns:
  ttl: {policy_id: 60}
  policy_host:
    cname: mta-sts.hoster.example
  tlsrpt:
    rua: [mailto:tlsrpt@hoster.example]
  delegation:
    zone: $H
$(templates_and_domains "$1")
EOF
}

# ---- a named of our own: 127.0.0.1 only, no recursion, dynamic zones.
PORT=$(free_port)
[ -n "$PORT" ] || fail "no free port"
mkdir named
tsig-keygen -a hmac-sha256 mta-sts-test >named/update.key
ZONES="$H alpha.example beta.example own.example parent.example"
{
	cat <<EOF
include "$T/named/update.key";
options {
	directory "$T/named";
	pid-file "$T/named/named.pid";
	session-keyfile "$T/named/session.key";
	managed-keys-directory "$T/named";
	listen-on port $PORT { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	allow-query { 127.0.0.1; };
	notify no;
	dnssec-validation no;
	empty-zones-enable no;
};
controls { };
EOF
	for z in $ZONES; do
		printf 'zone "%s" { type primary; file "%s.db"; allow-update { key mta-sts-test; }; };\n' "$z" "$z"
		cat >"named/$z.db" <<EOF
\$TTL 3600
@	IN SOA	ns1 hostmaster 1 3600 600 604800 60
@	IN NS	ns1
ns1	IN A	192.0.2.53
EOF
	done
} >named/named.conf
named-checkconf named/named.conf || fail "named.conf is not valid"

named -g -4 -n 1 -c "$T/named/named.conf" >named/named.log 2>&1 &
NAMED_PID=$!
stop_named() {
	kill "$NAMED_PID" 2>/dev/null || return 0
	i=0
	while kill -0 "$NAMED_PID" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 "$NAMED_PID" 2>/dev/null || true
	wait "$NAMED_PID" 2>/dev/null || true
}
trap stop_named EXIT
trap 'exit 1' INT TERM HUP

# q TYPE NAME: the answer section, one "TYPE RDATA" line per record.
q() {
	timeout 10 dig @127.0.0.1 -p "$PORT" +norec +time=2 +tries=2 \
	    +noall +answer "$1" "$2" >dig.out || fail "dig $1 $2"
	sed 's/^[^[:space:]]*[[:space:]]*[0-9]*[[:space:]]*IN[[:space:]]*//; s/^\([A-Z]*\)[[:space:]]*/\1 /' dig.out
}
# txt NAME: the TXT records at NAME, strings joined, following CNAMEs the way
# a sender's resolver does. named without recursion does not follow a CNAME
# into another zone, even one it is authoritative for (lib/ns/query.c,
# query_getzonedb: the chain stays in the first zone unless the client may
# recurse), so a TXT query on a delegated name yields only the CNAME.
txt() {
	name=$1 hops=0
	while :; do
		q TXT "$name" >txt.ans
		if grep -q '^TXT' txt.ans; then
			sed -n 's/^TXT "//p' txt.ans | sed 's/" "//g; s/"$//'
			return 0
		fi
		name=$(sed -n 's/^CNAME //p' txt.ans | tail -n 1)
		[ -n "$name" ] || return 0
		hops=$((hops + 1))
		[ $hops -le 8 ] || fail "CNAME chain from $1 longer than 8"
	done
}
serving() {
	for z in $ZONES; do
		dig @127.0.0.1 -p "$PORT" +norec +time=1 +tries=1 +short SOA "$z" |
		    grep -q hostmaster || return 1
	done
}
wait_for 30 serving || { cat named/named.log; fail "named did not start serving"; } >&2

# apply CONFIG: the generator's output through nsupdate into named.
apply() {
	{ "$MTA_STS_HOSTD" dns -c "$1" --format nsupdate \
	    --server "127.0.0.1:$PORT" 2>gen.err; echo $? >gen.rc; } |
	    tee "$1.nsupdate" | timeout 60 nsupdate -t 10 -k "$T/named/update.key" \
	    >nsupdate.out 2>&1 || {
		cat "$1.nsupdate" nsupdate.out named/named.log; fail "nsupdate failed for $1"
	} >&2
	expect_eq "$(cat gen.rc)" 0 "dns --format nsupdate -c $1: $(cat gen.err)"
}

# (config_id CONFIG DOMAIN: `policy --id`, checked to be the first 32 hex
# digits of the SHA-256 of the exact body `policy` prints.)

# one_sts NAME ID: exactly one v=STSv1 TXT at NAME, and it carries ID.
one_sts() {
	txt "$1" >sts.txt
	expect_eq "$(grep -c '^v=STSv1' sts.txt || true)" 1 "v=STSv1 records at $1"
	expect_eq "$(grep '^v=STSv1' sts.txt)" "v=STSv1; id=$2" "TXT at $1"
}

# ---- direct mode
write_direct "mx1.hoster.example, mx2.hoster.example"
apply direct.yaml
for d in alpha.example beta.example own.example shop.parent.example; do
	id=$(config_id direct.yaml $d)
	one_sts "_mta-sts.$d" "$id"
	expect_eq "$(q CNAME "_mta-sts.$d")" "" "no CNAME at _mta-sts.$d in direct mode"
	expect_eq "$(q A "mta-sts.$d")" "A 192.0.2.10" "mta-sts.$d A"
	expect_eq "$(q AAAA "mta-sts.$d")" "AAAA 2001:db8::10" "mta-sts.$d AAAA"
	if [ $d = beta.example ]; then
		expect_eq "$(txt "_smtp._tls.$d")" "$LONG_TLSRPT" "TLS-RPT of $d"
	else
		expect_eq "$(txt "_smtp._tls.$d")" "$HOSTER_TLSRPT" "TLS-RPT of $d"
	fi
done
# The long record travelled as several strings.
q TXT _smtp._tls.beta.example | grep -q '" "' || fail "the long TLS-RPT TXT is one string"
old_alpha=$(config_id direct.yaml alpha.example)
old_own=$(config_id direct.yaml own.example)

# Applying the same configuration again changes nothing.
apply direct.yaml
one_sts _mta-sts.alpha.example "$old_alpha"

# A new mx in the template: new ids for its domains, old TXT replaced.
write_direct "mx1.hoster.example, mx2.hoster.example, mx3.hoster.example"
apply direct.yaml
for d in alpha.example beta.example shop.parent.example; do
	id=$(config_id direct.yaml $d)
	one_sts "_mta-sts.$d" "$id"
done
new_alpha=$(config_id direct.yaml alpha.example)
[ "$new_alpha" != "$old_alpha" ] || fail "adding an mx did not change the id"
one_sts _mta-sts.own.example "$old_own"

# ---- delegation mode, over the direct records
write_deleg "mx1.hoster.example, mx2.hoster.example"
apply deleg.yaml
for d in alpha.example beta.example own.example shop.parent.example; do
	id=$(config_id deleg.yaml $d)
	case $d in
	alpha.example|shop.parent.example) key=hoster-mx ;;
	*) key=$d ;;
	esac
	expect_eq "$(q CNAME "_mta-sts.$d")" "CNAME $key._mta-sts.$H." "_mta-sts.$d"
	one_sts "$key._mta-sts.$H" "$id"
	# A TXT query on the customer name starts with the CNAME (the direct
	# mode TXT is gone: a CNAME excludes other data), and following it
	# yields exactly one v=STSv1 record with the domain's id.
	q TXT "_mta-sts.$d" >chain
	expect_eq "$(sed -n 1p chain)" "CNAME $key._mta-sts.$H." "first answer to TXT _mta-sts.$d"
	expect_eq "$(grep -c '^CNAME' chain)" 1 "CNAMEs in the answer for _mta-sts.$d"
	[ "$(grep -c '^TXT' chain)" -le 1 ] || fail "several TXT for _mta-sts.$d"
	one_sts "_mta-sts.$d" "$id"
	expect_eq "$(q ANY "mta-sts.$d")" "CNAME mta-sts.hoster.example." "mta-sts.$d (A and AAAA replaced)"
done
expect_eq "$(txt _smtp._tls.beta.example)" "$LONG_TLSRPT" "TLS-RPT of beta.example"
expect_eq "$(txt _smtp._tls.alpha.example)" "$HOSTER_TLSRPT" "TLS-RPT of alpha.example"
d_old=$(config_id deleg.yaml alpha.example)
d_own=$(config_id deleg.yaml own.example)

# The template changes: only the hoster's shared record is updated, the
# customers' CNAMEs stay, and their TXT queries see the new id.
write_deleg "mx1.hoster.example, mx2.hoster.example, mx3.hoster.example"
apply deleg.yaml
d_new=$(config_id deleg.yaml alpha.example)
[ "$d_new" != "$d_old" ] || fail "adding an mx did not change the id"
one_sts "hoster-mx._mta-sts.$H" "$d_new"
one_sts _mta-sts.alpha.example "$d_new"
one_sts _mta-sts.shop.parent.example "$d_new"
one_sts "own.example._mta-sts.$H" "$d_own"
expect_eq "$(q CNAME _mta-sts.alpha.example)" "CNAME hoster-mx._mta-sts.$H." "_mta-sts.alpha.example"

# Back to direct mode: the CNAMEs become TXT records again.
apply direct.yaml
one_sts _mta-sts.alpha.example "$new_alpha"
expect_eq "$(q CNAME _mta-sts.alpha.example)" "" "CNAME replaced by a TXT"
expect_eq "$(q CNAME mta-sts.alpha.example)" "" "policy host CNAME replaced"
expect_eq "$(q A mta-sts.alpha.example)" "A 192.0.2.10" "mta-sts.alpha.example A"

# named is still up (nothing above crashed it) and stops cleanly.
kill -0 "$NAMED_PID" || fail "named died"
grep -q "update.*denied\|REFUSED" named/named.log && fail "an update was refused"
stop_named
trap - EXIT
exit 0
