# SPDX-License-Identifier: GPL-2.0-or-later
# Pipelined requests are answered at once while other clients keep the
# worker woken on almost every turn. One worker; 120 connections at any time
# (in processes of their own) trickle a ClientHello a byte every 2 ms and
# never send a request, so nearly every epoll_wait returns an event and none
# is libmicrohttpd's; beside them two clients make short connections with
# one to three pipelined requests, while the daemon reloads every 50 ms
# (SIGHUP). No step of theirs may wait a second or more. libmicrohttpd holds
# the second and third request of such a connection in its ready list,
# which shows only in its timeout (0), not as an event of its descriptor: a
# worker that ran it only on that event, on a request it had just fed it or
# on a turn with no event at all left those answers waiting for seconds
# (16 stalls in 282 connections here; up to 8 s in the run that found it).
# Bounded: 8 s, whatever the machine's speed (a count of connections ended
# in 2.4 s here, too soon for the tricklers to show they were there all
# along). A sanitizer's build, several times slower on the same two cores
# as the tricklers, gets 3 s a step.
. "$TOP/tests/integration/lib.sh"

stall=1
[ -z "$(sanitizer)" ] || stall=3

# The tricklers and the clients all come from 127.0.0.1.
fixture_daemon --workers 1 --yaml 'limits:
  max_connections_per_address: 1000' one.example

"$TOP/tests/tools/stress" "$port" mta-sts.one.example policies/one.example \
    --threads 2 --connections 100000 --seconds 8 --stall $stall --tricklers 120 \
    --reload-pid "$daemon_pid" --reload-every 0.05 > stress.out ||
	{ cat stress.out; fail "stalls or failures beside trickled handshakes"; }
cat stress.out
# The tricklers were there all along.
n=$(sed -n 's/^\([0-9]*\) trickling connections.*/\1/p' stress.out)
[ "${n:-0}" -ge 500 ] || fail "only ${n:-0} trickling connections"
proc_alive "$daemon_pid" || fail "the daemon died"
