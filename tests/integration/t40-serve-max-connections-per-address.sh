# SPDX-License-Identifier: GPL-2.0-or-later
# With limits.max_connections_per_address 5, five connections from
# 127.0.0.1 are served; a sixth open at the same time is closed without a
# handshake or any response, and the five still work afterwards. Once one of
# them closes, a new connection is accepted again.
. "$TOP/tests/integration/lib.sh"

fixture_daemon --yaml 'limits: {max_connections_per_address: 5}' one.example

python3 - "$port" <<'PY' || fail "the per-address limit"
import socket, ssl, sys, time
port = int(sys.argv[1])
ctx = ssl.create_default_context(cafile="ca.crt")
def connect():
    return ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5),
        server_hostname="mta-sts.one.example")
def get(c):
    c.sendall(b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.one.example\r\n\r\n")
    buf = b""
    deadline = time.monotonic() + 10
    while b"\r\n\r\n" not in buf or not buf.endswith(b"max_age: 1209600\r\n"):
        assert time.monotonic() < deadline, "no full response: %r" % buf
        d = c.recv(4096)
        assert d, "closed: %r" % buf
        buf += d
    return buf.split(b"\r\n")[0]

five = [connect() for _ in range(5)]
for c in five:
    assert get(c) == b"HTTP/1.1 200 OK"

# The sixth: accepted by the kernel, then closed by the daemon before any
# TLS byte is sent back.
raw = socket.create_connection(("127.0.0.1", port), timeout=5)
try:
    raw.sendall(b"\x16\x03\x01\x00\x05hello")
    d = raw.recv(100)
except (ConnectionResetError, BrokenPipeError):
    d = b""
assert d == b"", "the sixth connection got %r" % d
raw.close()
try:
    sixth = connect()
except OSError as e:	# ssl.SSLError and ConnectionResetError are OSErrors
    print("sixth refused:", repr(e))
else:
    raise AssertionError("a sixth TLS handshake succeeded")

# The five still work, twice each.
for c in five + five:
    assert get(c) == b"HTTP/1.1 200 OK"

# One goes away: a new one gets its place (the close takes a moment).
five.pop().close()
deadline = time.monotonic() + 5
while True:
    try:
        c = connect()
        assert get(c) == b"HTTP/1.1 200 OK"
        break
    except (ssl.SSLError, ConnectionResetError, BrokenPipeError, AssertionError):
        assert time.monotonic() < deadline, "no connection accepted after one closed"
        time.sleep(0.1)
for c in five:
    assert get(c) == b"HTTP/1.1 200 OK"
PY
expect_clean_stop
# The refusal is logged, naming the client and the limit.
expect_in daemon.log "127.0.0.1:"
expect_in daemon.log "connection refused: max_connections_per_address (5) reached"
