# SPDX-License-Identifier: GPL-2.0-or-later
# Started the way the systemd unit starts it, as the service user with an
# ambient CAP_NET_BIND_SERVICE, the daemon binds a port below 1024 and then
# holds no capability at all; started as root, it ends the same way.
. "$TOP/tests/integration/lib.sh"

[ "$(id -u)" = 0 ] || { echo "skipped: needs root"; exit 0; }
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
fixture_daemon --no-start a.example

caps_of() {
	for t in /proc/"$1"/task/*; do
		grep -E '^Cap(Inh|Prm|Eff|Bnd|Amb):' "$t/status" |
		    grep -Ev 'CapBnd' | awk '{ print $2 }'
	done | sort -u
}

daemon_start cfg.yaml setpriv --reuid=nobody --regid=nogroup --clear-groups \
    --inh-caps=+net_bind_service --ambient-caps=+net_bind_service
expect_good_client "started as the service user" a.example
expect_eq "$(caps_of "$daemon_pid")" "0000000000000000" "capabilities (service user)"
expect_eq "$(awk '/^Uid:/ { print $2 $3 $4 $5 }' "/proc/$daemon_pid/status")" \
    "65534655346553465534" "uid"
expect_clean_stop

daemon_start
expect_good_client "started as root" a.example
expect_eq "$(caps_of "$daemon_pid")" "0000000000000000" "capabilities (started as root)"
