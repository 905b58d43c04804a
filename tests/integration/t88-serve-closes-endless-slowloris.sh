# SPDX-License-Identifier: GPL-2.0-or-later
# A client that trickles its request headers one byte at a time, each byte
# sooner than idle_timeout, is closed once request_timeout has passed since
# the request's first byte (every byte is activity, so the idle timeout
# alone would never fire); a good client is served meanwhile, and
# keep-alive clients that pause between requests are not affected.
. "$TOP/tests/integration/lib.sh"

fixture_daemon --workers 1 --yaml 'limits: {idle_timeout: 2, request_timeout: 2, handshake_timeout: 2}' a.example
expect_good_client "at the start" a.example

python3 - "$port" <<'PY'
import socket, ssl, subprocess, sys, time
from tlsclient import connect
port = int(sys.argv[1])
def conn():
    return connect(port, "mta-sts.a.example")

# The endless trickle: a byte every 0.5 s, for at most 10 s.
s = conn()
headers = (b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.a.example\r\n"
           + b"X-Slow: " + b"a" * 200)
start = time.monotonic()
closed_after = None
for i, b in enumerate(headers):
    if time.monotonic() - start > 10:
        break
    try:
        s.sendall(bytes([b]))
        s.settimeout(0.5)
        data = s.recv(1024)
        if data == b"":
            closed_after = time.monotonic() - start
            break
        raise SystemExit("the trickling client got an answer: %r" % data)
    except socket.timeout:
        pass
    except (ssl.SSLError, ConnectionResetError, BrokenPipeError, OSError):
        closed_after = time.monotonic() - start
        break
    if i == 3:
        # A good client is served while the trickle goes on.
        r = subprocess.run(["curl", "-sf", "-o", "/dev/null", "-w", "%{http_code}",
            "--cacert", "ca.crt", "--resolve", "mta-sts.a.example:%d:127.0.0.1" % port,
            "https://mta-sts.a.example:%d/.well-known/mta-sts.txt" % port],
            capture_output=True, timeout=10)
        assert r.stdout == b"200", r
assert closed_after is not None, "still open after %.1f s" % (time.monotonic() - start)
assert 1.8 <= closed_after <= 4.0, "closed after %.2f s" % closed_after
print("trickle closed after %.2f s" % closed_after)

# Keep-alive with pauses shorter than idle_timeout between whole requests
# stays open: the limit is per request, not per connection.
k = conn()
req = b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.a.example\r\n\r\n"
for i in range(4):
    k.sendall(req)
    k.settimeout(3)
    data = b""
    while b"max_age" not in data:
        chunk = k.recv(4096)
        assert chunk, "keep-alive closed after %d requests" % i
        data += chunk
    assert data.startswith(b"HTTP/1.1 200 "), data
    time.sleep(1.5)
print("keep-alive with pauses: 4 requests over 6 s")
PY
expect_in daemon.log "request not complete after 2 s: closed"
