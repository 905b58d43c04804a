# SPDX-License-Identifier: GPL-2.0-or-later
# Request size limits (each request on a fresh TLS connection, reads bounded
# in time): a request line and headers of up to 16 KiB with up to 100
# fields get their answer (200), right up to the limit, where libmicrohttpd
# 0.9.75 used to be left no room for it and closed the connection unanswered;
# one byte or one field more is one 431 with "Connection: close", then the
# end of the stream; a request line over 16 KiB is one 414; a request far
# over the limits (a few KiB short of libmicrohttpd's memory) is closed, and
# logged; a good client is served after all of it.
. "$TOP/tests/integration/lib.sh"

fixture_daemon one.example

python3 - "$port" <<'PY' || fail "request size limits"
import sys
from tlsclient import connect, read
port = int(sys.argv[1])
expected = open("policies/one.example", "rb").read()
START = b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.one.example\r\n"
LIMIT, FIELDS = 16 * 1024, 100

def exchange(req):
    """The whole answer to REQ, and whether the daemon ended the stream."""
    c = connect(port, "mta-sts.one.example")
    c.sendall(req)
    buf, state = read(c, 2)
    return buf, state == "eof"

def sized(total):
    """A GET whose request line and headers are TOTAL bytes: one padding
    header fills it up."""
    pad = total - len(START) - len(b"X-Pad: \r\n\r\n")
    return START + b"X-Pad: " + b"p" * pad + b"\r\n\r\n"

def fields(n):
    """A GET with N fields: Host and N - 1 more."""
    return START + b"".join(b"X-F%d: v\r\n" % i for i in range(n - 1)) + b"\r\n"

def served(what, req):
    buf, _ = exchange(req)
    assert buf.startswith(b"HTTP/1.1 200 OK\r\n"), (what, buf[:200])
    assert buf.endswith(b"\r\n\r\n" + expected), (what, buf[-200:])

def refused(what, req, status):
    buf, eof = exchange(req)
    head, _, body = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    assert lines[0] == status, (what, buf[:300])
    assert b"Connection: close" in lines, (what, head)
    assert buf.count(b"HTTP/1.1 ") == 1 and eof, (what, buf, eof)

for total in (1000, LIMIT - 400, LIMIT - 300, LIMIT - 200, LIMIT - 100, LIMIT):
    served("%d bytes" % total, sized(total))
refused("%d bytes" % (LIMIT + 1), sized(LIMIT + 1),
        b"HTTP/1.1 431 Request Header Fields Too Large")
served("%d fields" % FIELDS, fields(FIELDS))
refused("%d fields" % (FIELDS + 1), fields(FIELDS + 1),
        b"HTTP/1.1 431 Request Header Fields Too Large")
refused("a request line over the limit",
        b"GET /" + b"a" * LIMIT + b" HTTP/1.1\r\nHost: mta-sts.one.example\r\n\r\n",
        b"HTTP/1.1 414 URI Too Long")
for what, req in (("%d bytes" % (LIMIT + 6500), sized(LIMIT + 6500)),
                  ("310 fields", fields(310))):
    buf, eof = exchange(req)
    assert buf == b"" and eof, (what, buf[:200], eof)
print("limits of %d bytes and %d fields hold" % (LIMIT, FIELDS))
PY
expect_eq "$(log_count_since 0 'request far over the size limits: closed')" 2 \
    "log lines of the requests far over the limits"
expect_good_client "after all that"
expect_clean_stop
