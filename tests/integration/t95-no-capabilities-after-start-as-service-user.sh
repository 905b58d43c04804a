# Started the way the systemd unit starts it, as the service user with an
# ambient CAP_NET_BIND_SERVICE, the daemon binds a port below 1024 and then
# holds no capability at all; started as root, it ends the same way.
. "$TOP/tests/integration/lib.sh"

[ "$(id -u)" = 0 ] || { echo "skipped: needs root"; exit 0; }
"$TOP/tests/tools/mkpki" pki
"$TOP/tests/tools/mkpki" pki mta-sts.a.example
chgrp nogroup pki/certs/*.key
chmod 640 pki/certs/*.key
chmod 755 . pki pki/certs
# A free privileged port on 127.0.0.1.
port=$(python3 -c '
import socket
for p in range(600, 1000):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        s.close()')
[ -n "$port" ] || fail "no free port below 1024"
cat > c.yaml <<YAML
server: {listen: ["127.0.0.1:$port"], user: nobody, group: nogroup, workers: 2}
certificates: [{directory: pki/certs}]
domains:
  a.example: {mode: enforce, mx: [mx.a.example], max_age: 1209600}
YAML
chmod 644 c.yaml

caps_of() {
	for t in /proc/"$1"/task/*; do
		grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' "$t/status" |
		    grep -Ev 'CapBnd' | awk '{ print $2 }'
	done | sort -u
}

setpriv --reuid=nobody --regid=nogroup --clear-groups \
    --inh-caps=+net_bind_service --ambient-caps=+net_bind_service \
    "$MTA_STS_HOSTD" serve --foreground -c c.yaml 2> daemon.log &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
wait_for 10 curl -sf -o /dev/null --cacert pki/ca.crt \
    --resolve "mta-sts.a.example:$port:127.0.0.1" \
    "https://mta-sts.a.example:$port/.well-known/mta-sts.txt" ||
	fail "not serving on port $port: $(cat daemon.log)"
expect_eq "$(caps_of $pid)" "0000000000000000" "capabilities (service user)"
expect_eq "$(awk '/^Uid:/ { print $2 $3 $4 $5 }' /proc/$pid/status)" \
    "65534655346553465534" "uid"
kill $pid
wait $pid || fail "did not stop cleanly"

"$MTA_STS_HOSTD" serve --foreground -c c.yaml 2> daemon2.log &
pid=$!
wait_for 10 curl -sf -o /dev/null --cacert pki/ca.crt \
    --resolve "mta-sts.a.example:$port:127.0.0.1" \
    "https://mta-sts.a.example:$port/.well-known/mta-sts.txt" ||
	fail "not serving as root-started: $(cat daemon2.log)"
expect_eq "$(caps_of $pid)" "0000000000000000" "capabilities (started as root)"
