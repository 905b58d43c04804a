# SPDX-License-Identifier: GPL-2.0-or-later
# SIGTERM with connections open (idle keep-alive ones, one in the middle of
# a request, one stalled in its handshake) makes the daemon close them and
# exit 0 within a few seconds; the idle ones see the connection closed.
# The access log has exactly one line per request: client address and port,
# SNI name, method, path, status and the body bytes sent.
. "$TOP/tests/integration/lib.sh"

fixture_daemon one.example \
    two.example='{mode: testing, mx: [mx.two.example], max_age: 604800}'
one_len=$(wc -c < policies/one.example | tr -d ' ')
two_len=$(wc -c < policies/two.example | tr -d ' ')

# ---- requests, each with its expected access line
: > expected
# req NAME STATUS BYTES METHOD PATH [CURL OPTIONS...]; BYTES - is the body's size.
req() {
	name=$1 st=$2 bytes=$3 method=$4 p=$5
	shift 5
	got=$(https "$name" "$p" -w '%{http_code} %{local_port}\n' "$@")
	expect_eq "${got% *}" "$st" "$method $p on $name"
	[ "$bytes" != - ] || bytes=$(wc -c < body | tr -d ' ')
	echo "127.0.0.1:${got#* } $name \"$method $p\" $st $bytes" >> expected
}
req mta-sts.one.example 200 "$one_len" GET /.well-known/mta-sts.txt
req mta-sts.two.example 200 "$two_len" GET /.well-known/mta-sts.txt
req mta-sts.one.example 200 0 HEAD /.well-known/mta-sts.txt -I
req mta-sts.one.example 404 - GET /missing
req mta-sts.two.example 405 - POST /.well-known/mta-sts.txt -d x=1
req mta-sts.one.example 421 - GET /.well-known/mta-sts.txt -H "Host: mta-sts.two.example"
# The 404's body is not empty: the bytes logged are the bytes sent.
[ "$(sed -n 4p expected | awk '{ print $NF }')" -gt 0 ] || fail "empty 404 body"

# ---- connections left open, then SIGTERM
python3 - "$port" > clients.out 2>&1 <<'PY' &
import os, socket, ssl, sys, time
port = int(sys.argv[1])
ctx = ssl.create_default_context(cafile="ca.crt")
def tls():
    return ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=20),
        server_hostname="mta-sts.one.example")
idle = []
for _ in range(3):
    c = tls()
    c.sendall(b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.one.example\r\n\r\n")
    buf = b""
    deadline = time.monotonic() + 10
    while not buf.endswith(b"max_age: 1209600\r\n"):
        assert time.monotonic() < deadline, "no full response: %r" % buf
        d = c.recv(4096)
        assert d, "closed: %r" % buf
        buf += d
    idle.append(c)
partial = tls()
partial.sendall(b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta")
stalled = socket.create_connection(("127.0.0.1", port), timeout=20)
stalled.sendall(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")
open("clients.ready", "w").close()
for c, what in [(c, "idle") for c in idle] + [(partial, "partial"), (stalled, "stalled")]:
    try:
        d = c.recv(100)
    except (ssl.SSLError, ConnectionResetError) as e:
        d = repr(e).encode()
    print("%s:" % what, d)
PY
clients=$!
daemon_pids="$daemon_pids $clients"	# stopped on exit, whatever happens
wait_for 10 test -e clients.ready ||
	fail "the clients did not connect: $(cat clients.out)"
daemon_stop 10
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
echo "stopped in $daemon_stop_ms ms with 5 connections open"
[ "$daemon_stop_ms" -le 3000 ] || fail "SIGTERM took $daemon_stop_ms ms"
await_child "$clients" 5 "the clients (the daemon has exited)" clients.out
expect_eq "$(grep -c "^idle: b''$" clients.out)" 3 "idle connections closed cleanly"
expect_in daemon.log "shutting down"
expect_in daemon.log "info: stopped"

# ---- the access log: one line per request, and these are they
grep ' access: ' daemon.log | sed 's/^[^ ]* access: //; s/ [0-9.]*ms$//' > access
expect_eq "$(wc -l < access | tr -d ' ')" 9 "access lines (6 requests, 3 from the idle clients)"
head -6 access > access.curl
diff expected access.curl > access.diff || fail "access lines differ: $(cat access.diff)"
grep ' access: ' daemon.log | head -6 | grep -qvE ' access: 127\.0\.0\.1:[0-9]+ mta-sts\.(one|two)\.example "[A-Z]+ /[^ "]*" [0-9]{3} [0-9]+ [0-9]+\.[0-9]{3}ms$' &&
	fail "an access line in another format: $(grep ' access: ' daemon.log)"
true
