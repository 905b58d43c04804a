# SPDX-License-Identifier: GPL-2.0-or-later
# Request smuggling shapes: two Content-Length headers, or Content-Length
# with Transfer-Encoding, get one 400 and the connection closed (RFC 9112
# 6.1, 6.3); what was smuggled behind them is never answered.
. "$TOP/tests/integration/lib.sh"

fixture_daemon --workers 1 --yaml 'limits: {idle_timeout: 5}' a.example
expect_good_client "at the start" a.example

python3 - "$port" <<'PY'
import socket, ssl, sys, time
from tlsclient import connect
port = int(sys.argv[1])
smuggled = (b"GET /smuggled HTTP/1.1\r\nHost: mta-sts.a.example\r\n"
            b"Content-Length: 0\r\n\r\n")
host = b"Host: mta-sts.a.example\r\n"
cases = {
    "two lengths, 0 then N": b"GET /.well-known/mta-sts.txt HTTP/1.1\r\n" + host +
        b"Content-Length: 0\r\nContent-Length: %d\r\n\r\n" % len(smuggled) + smuggled,
    "two lengths, N then 0": b"GET /.well-known/mta-sts.txt HTTP/1.1\r\n" + host +
        b"Content-Length: %d\r\nContent-Length: 0\r\n\r\n" % len(smuggled) + smuggled,
    "length and chunked on GET": b"GET /.well-known/mta-sts.txt HTTP/1.1\r\n" + host +
        b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + smuggled,
    "chunked and length on POST": b"POST /.well-known/mta-sts.txt HTTP/1.1\r\n" + host +
        b"Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n0\r\n\r\n" + smuggled,
}
for name, req in cases.items():
    with connect(port, "mta-sts.a.example") as s:
        s.sendall(req)
        got = b""
        deadline = time.monotonic() + 4
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except (ssl.SSLError, ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            got += chunk
        else:
            raise SystemExit("%s: the connection stayed open" % name)
    assert got.count(b"HTTP/1.1 ") == 1, (name, got)
    assert got.startswith(b"HTTP/1.1 400 ") or got.startswith(b"HTTP/1.1 405 "), (name, got)
    assert b"/smuggled" not in got and b" 404 " not in got, (name, got)
    print("ok:", name, got.split(b"\r\n", 1)[0].decode())
PY
expect_not_in daemon.log "/smuggled"
