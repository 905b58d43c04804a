# SPDX-License-Identifier: GPL-2.0-or-later
# The real servers the doctor is checked against, for tests and the
# benchmark: nsd (authoritative DNS) and postfix (SMTP with STARTTLS), each
# on its standard port inside a network namespace the caller made with
# doctor_netns. Sourced after lib.sh; files go to the current directory
# ($T), processes to $daemon_pids, which lib.sh stops at exit.

require_tools nsd postfix unshare ip python3

# doctor_netns ADDRESS...: run the calling script again in a network
# namespace of its own, with loopback up and ADDRESSES on it (postfix
# listens only on addresses an interface has).
doctor_netns() {
	if [ "${DOCTOR_NETNS:-}" != 1 ]; then
		exec unshare --net env DOCTOR_NETNS=1 sh "$0"
	fi
	ip link set lo up
	for _a in "$@"; do
		ip addr add "$_a/32" dev lo
	done
}

# zone NAME < RECORDS: zones/NAME.zone with its SOA and NS ($DNS) and the
# records given, for nsd_serve.
zone() {
	mkdir -p zones
	{
		echo "\$ORIGIN $1."
		echo "\$TTL 60"
		echo "@ IN SOA ns.$1. hostmaster.$1. 1 3600 600 86400 60"
		echo "@ IN NS ns.$1."
		echo "ns IN A $DNS"
		cat
	} > "zones/$1.zone"
	printf 'zone:\n  name: %s\n  zonefile: %s.zone\n' "$1" "$1" >> nsd.zones
}

# dns_ready NAME: nsd answers a TXT query for NAME with NOERROR.
dns_ready() {
	python3 - "$DNS" "$1" <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.5)
q = bytes.fromhex("abcd01000001000000000000")
for label in sys.argv[2].split("."):
    q += bytes([len(label)]) + label.encode()
q += b"\x00\x00\x10\x00\x01"
s.sendto(q, (sys.argv[1], 53))
assert s.recvfrom(512)[0][3] & 0x0f == 0
PY
}

# nsd_serve NAME: nsd on $DNS:53 with every zone made by `zone`, once it
# answers for NAME.
nsd_serve() {
	cat > nsd.conf <<CONF
server:
  ip-address: $DNS
  port: 53
  username: ""
  chroot: ""
  zonesdir: "$T/zones"
  database: ""
  pidfile: "$T/nsd.pid"
  xfrdfile: "$T/xfrd.state"
  zonelistfile: "$T/zone.list"
  logfile: "$T/nsd.log"
remote-control:
  control-enable: no
$(cat nsd.zones)
CONF
	nsd-checkconf nsd.conf || fail "nsd.conf does not check"
	for _z in zones/*.zone; do
		nsd-checkzone "$(basename "$_z" .zone)" "$_z" >/dev/null ||
		    fail "$_z does not load"
	done
	nsd -d -c nsd.conf 2>>nsd.log &
	daemon_pids="$daemon_pids $!"
	wait_for 10 dns_ready "$1" || { cat nsd.log; fail "nsd does not answer"; }
}

# smtp_ready ADDRESS: an SMTP greeting on ADDRESS port 25.
smtp_ready() {
	python3 - "$1" <<'PY'
import socket, sys
s = socket.create_connection((sys.argv[1], 25), timeout=1)
assert s.recv(512).startswith(b"220")
PY
}

# postfix_serve ADDRESS=PEM=NAME...: one postfix, an smtpd on port 25 of
# each ADDRESS with STARTTLS, the key and chain of PEM and the host name
# NAME. It delivers nothing; its log is maillog.
postfix_serve() {
	chmod 755 "$T"		# the postfix user reads its configuration
	mkdir -p pf pfq pfd
	chown postfix pfd
	_ifs= _services=
	for _s in "$@"; do
		_addr=${_s%%=*} _rest=${_s#*=}
		_ifs="$_ifs${_ifs:+, }$_addr"
		_services="$_services$_addr:smtp inet n - n - - smtpd -o smtpd_tls_chain_files=$T/${_rest%%=*} -o myhostname=${_rest#*=}
"
	done
	cat > pf/main.cf <<CONF
compatibility_level = 3.6
queue_directory = $T/pfq
data_directory = $T/pfd
mail_owner = postfix
setgid_group = postdrop
inet_interfaces = $_ifs
inet_protocols = ipv4
mydestination =
local_recipient_maps =
smtpd_relay_restrictions = reject
smtpd_tls_security_level = may
maillog_file_prefixes = $T
maillog_file = $T/maillog
CONF
	cat > pf/master.cf <<CONF
$_services
postlog   unix-dgram n - n - 1 postlogd
proxymap  unix - - n - - proxymap
anvil     unix - - n - 1 anvil
tlsmgr    unix - - n 1000? 1 tlsmgr
CONF
	postfix -c "$T/pf" check >>pf.log 2>&1 || { cat pf.log; fail "postfix check"; }
	postfix -c "$T/pf" start-fg >>pf.log 2>&1 &
	daemon_pids="$daemon_pids $!"
	for _s in "$@"; do
		wait_for 20 smtp_ready "${_s%%=*}" || {
			cat pf.log maillog
			fail "postfix does not answer on ${_s%%=*}"
		}
	done
	# The pid above is postfix's script; its master must be stopped too,
	# or it outlives the test.
	_mp=$(tr -d ' \n' < "$T/pfq/pid/master.pid" 2>/dev/null || true)
	[ -z "$_mp" ] || daemon_pids="$daemon_pids $_mp"
}
