# SPDX-License-Identifier: GPL-2.0-or-later
# With limits.handshake_timeout 2, a client that sends half a ClientHello
# and stalls is disconnected after about 2 seconds (not before, not much
# later), and a client that connects and sends nothing likewise; while they
# stall, other clients are served at once.
. "$TOP/tests/integration/lib.sh"

fixture_daemon --yaml 'limits: {handshake_timeout: 2}' one.example

python3 - "$port" <<'PY' || fail "stalled handshakes"
import os, socket, ssl, sys, time
port = int(sys.argv[1])
def stall(partial):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    if partial:
        # A handshake record announcing a 512-byte ClientHello, and only
        # its first 43 bytes.
        s.sendall(b"\x16\x03\x01\x02\x00" + b"\x01\x00\x01\xfc\x03\x03" + os.urandom(32))
    return s, time.monotonic()
stalled = [stall(True), stall(False)]
# Others are served during the stall, each at once.
ctx = ssl.create_default_context(cafile="ca.crt")
for i in range(5):
    t = time.monotonic()
    c = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5),
        server_hostname="mta-sts.one.example")
    c.sendall(b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.one.example\r\nConnection: close\r\n\r\n")
    resp = b""
    while True:
        assert time.monotonic() - t < 5, "no end of the response"
        d = c.recv(4096)
        if not d:
            break
        resp += d
    c.close()
    assert resp.startswith(b"HTTP/1.1 200 "), resp[:100]
    assert time.monotonic() - t < 1, "served in %.2f s" % (time.monotonic() - t)
    time.sleep(0.2)
assert time.monotonic() - stalled[0][1] < 1.5, "the clients took too long"
for (s, start), what in zip(stalled, ("half a ClientHello", "nothing")):
    try:
        d = s.recv(100)
    except ConnectionResetError:
        d = b""
    took = time.monotonic() - start
    assert d == b"", "%s: got %r" % (what, d)
    assert 1.8 <= took <= 3.5, "%s: closed after %.2f s" % (what, took)
    print("%s: closed after %.2f s" % (what, took))
PY
expect_eq "$(grep -c 'handshake timed out' daemon.log)" 2 "timed-out handshakes logged"
expect_eq "$(grep -c '"GET /.well-known/mta-sts.txt" 200' daemon.log)" 5 "requests served during the stall"
expect_clean_stop
