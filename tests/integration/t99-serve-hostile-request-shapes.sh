# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile request shapes on TLS connections (each a fresh connection, reads
# bounded in time), while a good client (curl) is served in between.
# (4) Smuggling shapes that get exactly one response and nothing else:
#     POST with Content-Length and Transfer-Encoding together is one 400
#     with "Connection: close", then the end of the stream (the bytes after
#     it are never answered); GET with a body (Content-Length covering a
#     whole second request) is exactly one 200 with the policy, the body is
#     never answered as a request.
#     (GET with both Content-Length and Transfer-Encoding and two different
#     Content-Length headers are t89's.)
# (4b) HTTP/1.1 without Host (RFC 9112 3.2): exactly one response, a 400
#     with "Connection: close", then the end of the stream, also when a
#     good request follows in the same write (it is never answered); each
#     has an access line with the 400. HTTP/1.0 without Host is served (200).
# (5) The HTTP/2 connection preface after the handshake: 505 and the end of
#     the stream, at once.
# (6) 1000 pipelined GETs in one write (max_requests_per_connection 1500):
#     1000 responses, in order, each 200 with the exact policy, and the
#     connection still open afterwards; with max_requests_per_connection
#     100 instead, 100 responses, the last with "Connection: close", then
#     the end of the stream.
. "$TOP/tests/integration/lib.sh"

# serve N: the daemon with max_requests_per_connection N.
serve() {
	fixture_daemon \
	    --yaml "limits: {idle_timeout: 5, max_requests_per_connection: $1}" \
	    one.example
}
serve 1500

# shapes: the python part, with helpers; $1 says which part.
shapes() {
	python3 - "$port" "$@" <<'PY'
import re, socket, ssl, sys, time
from tlsclient import connect, read, responses
port, part = int(sys.argv[1]), sys.argv[2]
expected = open("policies/one.example", "rb").read()
H = b"Host: mta-sts.one.example\r\n"
P = b"/.well-known/mta-sts.txt"

def conn():
    return connect(port, "mta-sts.one.example")

if part == "smuggling":
    # POST with Content-Length 4 and chunked: one 400, then the end.
    c = conn()
    t = time.monotonic()
    c.sendall(b"POST " + P + b" HTTP/1.1\r\n" + H +
        b"Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\nGET /smuggled HTTP/1.1\r\n" + H + b"\r\n")
    buf, state = read(c, 3)
    rs, rest = responses(buf)
    assert [r[0] for r in rs] == [b"HTTP/1.1 400 Bad Request"], buf
    assert rs[0][1].get(b"connection") == b"close", buf
    assert rest == b"" and state == "eof", (rest, state)
    print("CL+TE on POST: one 400 and closed after %.2f s"
          % (time.monotonic() - t))
    # GET whose Content-Length covers a whole second request: one 200.
    c = conn()
    t = time.monotonic()
    inner = b"GET /smuggled HTTP/1.1\r\n" + H + b"\r\n"
    c.sendall(b"GET " + P + b" HTTP/1.1\r\n" + H +
        b"Content-Length: %d\r\n\r\n" % len(inner) + inner)
    buf, state = read(c, 3)
    rs, rest = responses(buf)
    assert [r[0] for r in rs] == [b"HTTP/1.1 200 OK"], buf
    assert rs[0][2] == expected and rest == b"", buf
    print("body on GET: one 200, then %s (%.2f s)"
          % (state, time.monotonic() - t))
elif part == "nohost":
    bare = b"GET " + P + b" HTTP/1.1\r\n\r\n"
    for what, data in (("alone", bare),
                       ("with a good request behind it",
                        bare + b"GET " + P + b" HTTP/1.1\r\n" + H + b"\r\n")):
        c = conn()
        c.sendall(data)
        buf, state = read(c, 3)
        # Status lines, wherever they start: a header block sent twice
        # would be two.
        assert len(re.findall(rb"(?:^|\n)HTTP/1\.\d \d{3} ", buf)) == 1, \
            (what, buf)
        rs, rest = responses(buf)
        assert [r[0] for r in rs] == [b"HTTP/1.1 400 Bad Request"], (what, buf)
        assert rs[0][1].get(b"connection") == b"close", (what, buf)
        assert b"Host" in rs[0][2], (what, buf)
        assert rest == b"" and state == "eof", (what, rest, state)
        print("HTTP/1.1 without Host, %s: one 400, then the end" % what)
    c = conn()
    c.sendall(b"GET " + P + b" HTTP/1.0\r\n\r\n")
    buf, state = read(c, 3)
    rs, rest = responses(buf)
    assert [r[0] for r in rs] == [b"HTTP/1.1 200 OK"], buf
    assert rs[0][2] == expected and rest == b"", buf
    print("HTTP/1.0 without Host: 200 with the policy, then %s" % state)
elif part == "h2":
    c = conn()
    t = time.monotonic()
    c.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
              b"\x00\x00\x00\x04\x00\x00\x00\x00\x00")
    buf, state = read(c, 3)
    took = time.monotonic() - t
    rs, rest = responses(buf)
    assert [r[0] for r in rs] == [b"HTTP/1.1 505 HTTP Version Not Supported"], buf
    assert state == "eof" and rest == b"" and took < 1, (state, rest, took)
    print("HTTP/2 preface: 505 and closed after %.2f s" % took)
elif part == "pipeline":
    n, limit = int(sys.argv[3]), int(sys.argv[4])
    c = conn()
    t = time.monotonic()
    c.sendall((b"GET " + P + b" HTTP/1.1\r\n" + H + b"\r\n") * n)
    want = min(n, limit)
    buf, rs, state = b"", [], "open"
    c.settimeout(0.2)
    end = time.monotonic() + 20
    while len(rs) < want and time.monotonic() < end:
        try:
            d = c.recv(65536)
        except socket.timeout:
            continue
        except (ConnectionResetError, ssl.SSLError):
            state = "eof"
            break
        if not d:
            state = "eof"
            break
        buf += d
        got, buf = responses(buf)
        rs += got
    took = time.monotonic() - t
    assert len(rs) == want, "%d responses of %d in %.2f s (%s)" % (len(rs), want, took, state)
    for i, (line, hdr, body) in enumerate(rs):
        assert line == b"HTTP/1.1 200 OK" and body == expected, (i, line, body)
    more, state = read(c, 1.5)
    assert more == b"", more[:200]
    if n < limit:
        assert state == "open", "closed after %d responses" % n
        assert all(h.get(b"connection") != b"close" for _, h, _ in rs)
    else:
        assert state == "eof", "still open after the %dth response" % limit
        assert rs[-1][1].get(b"connection") == b"close", rs[-1][1]
        assert all(h.get(b"connection") != b"close" for _, h, _ in rs[:-1])
    print("%d pipelined GETs (limit %d): %d responses in order in %.2f s, "
          "then %s" % (n, limit, len(rs), took, state))
PY
}

# ---- (4) smuggling shapes
shapes smuggling || fail "smuggling shapes"
expect_good_client "after the smuggling shapes"
expect_not_in daemon.log "/smuggled"

# ---- (4b) HTTP/1.1 without Host
mark=$(log_mark)
shapes nohost || fail "HTTP/1.1 without Host"
expect_good_client "after HTTP/1.1 without Host"
# One access line per Host-less HTTP/1.1 request, with its 400.
expect_eq "$(log_count_since "$mark" \
    'access: 127\.0\.0\.1:[0-9]+ mta-sts\.one\.example "GET /\.well-known/mta-sts\.txt" 400 [0-9]+ ')" \
    2 "access lines with the 400"

# ---- (5) HTTP/2 preface
shapes h2 || fail "HTTP/2 preface"
expect_good_client "after the HTTP/2 preface"

# ---- (6) 1000 pipelined GETs in one write, a good client served meanwhile
shapes pipeline 1000 1500 > pipeline.out 2>&1 &
pipe=$!
expect_good_client "during the pipelined GETs"
await_child "$pipe" 30 "1000 pipelined GETs" pipeline.out
cat pipeline.out
expect_clean_stop

# ... and at max_requests_per_connection 100: 100 responses, then the end.
serve 100
shapes pipeline 1000 100 || fail "1000 pipelined GETs with a limit of 100"
expect_good_client "after the pipelined GETs"
expect_clean_stop
