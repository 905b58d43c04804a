# SPDX-License-Identifier: GPL-2.0-or-later
# A client that pipelines past max_requests_per_connection (20) and reads
# slowly, with a small receive window: when the daemon is done it still
# gets all 20 answers, then close_notify and the end of the stream, never a
# reset: the daemon shuts its side, drops what the client still sends, and
# closes only once the client has (or after its linger time). A client that
# keeps sending after the last answer is closed within that linger time.
. "$TOP/tests/integration/lib.sh"

fixture_daemon --yaml 'limits: {max_requests_per_connection: 20}' one.example

python3 - "$port" <<'PY' || fail "answers lost at the close (see above)"
import socket, ssl, sys, time
from tlsclient import responses
port = int(sys.argv[1])
expected = open("policies/one.example", "rb").read()
req = (b"GET /.well-known/mta-sts.txt HTTP/1.1\r\n"
       b"Host: mta-sts.one.example\r\n\r\n")
for attempt in range(5):
    raw = socket.socket()
    # A small window: most of the answers wait in the daemon's send
    # buffer while it is done with the connection.
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    raw.connect(("127.0.0.1", port))
    c = ssl.create_default_context(cafile="ca.crt").wrap_socket(
        raw, server_hostname="mta-sts.one.example")
    c.sendall(req * 2000)
    time.sleep(0.5)
    buf, end, state = b"", time.monotonic() + 10, "open"
    c.settimeout(1)
    while time.monotonic() < end:
        try:
            d = c.recv(1024)
        except socket.timeout:
            continue
        except (ConnectionResetError, ssl.SSLError) as e:
            state = "reset: %r" % e
            break
        if not d:
            state = "eof"
            break
        buf += d
        time.sleep(0.005)       # a slow reader
    rs, rest = responses(buf)
    assert len(rs) == 20 and rest == b"", (attempt, len(rs), state, rest[:80])
    assert all(r[0] == b"HTTP/1.1 200 OK" and r[2] == expected for r in rs)
    assert rs[-1][1].get(b"connection") == b"close", rs[-1][1]
    assert state == "eof", state
    c.close()
print("20 answers and a clean end, 5 times")
PY

# A client that goes on sending is closed within the linger time (2 s).
python3 - "$port" <<'PY' || fail "a client sending after the last answer"
import socket, ssl, sys, time
port = int(sys.argv[1])
c = ssl.create_default_context(cafile="ca.crt").wrap_socket(
    socket.create_connection(("127.0.0.1", port), timeout=5),
    server_hostname="mta-sts.one.example")
c.sendall(b"GET /x HTTP/1.1\r\nHost: mta-sts.one.example\r\n"
          b"Connection: close\r\n\r\n")
c.recv(4096)
raw = c.unwrap() if False else c
t = time.monotonic()
try:
    while time.monotonic() - t < 10:
        c.sendall(b"x" * 1024)
        time.sleep(0.01)
except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
    pass
took = time.monotonic() - t
assert took < 4, "still open %.1f s after the last answer" % took
print("closed %.1f s after the last answer while the client kept sending" % took)
PY
expect_good_client "after"
