# SPDX-License-Identifier: GPL-2.0-or-later
# One TLS connection carries many requests: curl fetching several URLs
# connects once, and the access log shows one client port for all of them;
# 60 requests written at once (pipelined, about 5 KiB, more than the relay's
# buffer) over one python ssl socket get 60 responses in order, each the
# right one; and so do requests piped through `openssl s_client -quiet`.
. "$TOP/tests/integration/lib.sh"

fixture_daemon one.example

# ---- curl: five requests, one connection.
u=https://mta-sts.one.example:$port
curl -sS --max-time 10 --resolve "mta-sts.one.example:$port:127.0.0.1" \
    --cacert ca.crt -w '%{http_code} %{num_connects} %{local_port}\n' \
    -o b1 -o b2 -o b3 -o b4 -o b5 \
    $u/.well-known/mta-sts.txt $u/.well-known/mta-sts.txt $u/other \
    $u/.well-known/mta-sts.txt $u/.well-known/mta-sts.txt > curl.out
expect_eq "$(awk '{ printf "%s/%s ", $1, $2 }' curl.out)" "200/1 200/0 404/0 200/0 200/0 " "statuses/new connections"
expect_eq "$(awk '{ print $3 }' curl.out | sort -u | wc -l)" 1 "local ports used by curl"
for b in b1 b2 b4 b5; do
	cmp -s $b policies/one.example || fail "body $b differs"
done
client_port=$(head -1 curl.out | awk '{ print $3 }')
expect_eq "$(grep -c "access: 127.0.0.1:$client_port mta-sts.one.example " daemon.log)" 5 "access lines for the connection"

# ---- python: 60 pipelined requests, read back in order.
python3 - "$port" <<'PY' || fail "pipelined requests over one connection"
import random, socket, ssl, sys, time
port = int(sys.argv[1])
expected = open("policies/one.example", "rb").read()
random.seed(8461)
kinds = [random.choice(["get", "head", "404", "421"]) for _ in range(59)] + ["get"]
def request(i, kind):
    host = b"mta-sts.one.example"
    if kind == "get":
        line = b"GET /.well-known/mta-sts.txt"
    elif kind == "head":
        line = b"HEAD /.well-known/mta-sts.txt"
    elif kind == "404":
        line = b"GET /nothing-%d" % i
    else:
        line, host = b"GET /.well-known/mta-sts.txt", b"mta-sts.elsewhere.example"
    return line + b" HTTP/1.1\r\nHost: " + host + b"\r\nX-Seq: %d\r\n\r\n" % i
want = {"get": 200, "head": 200, "404": 404, "421": 421}
ctx = ssl.create_default_context(cafile="ca.crt")
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
    server_hostname="mta-sts.one.example")
data = b"".join(request(i, k) for i, k in enumerate(kinds))
assert len(data) > 4096, len(data)
s.sendall(data)
buf = b""
deadline = time.monotonic() + 10
def more():
    global buf
    assert time.monotonic() < deadline, "timed out"
    d = s.recv(65536)
    assert d, "connection closed after %d responses" % n
    buf += d
n = 0
for i, kind in enumerate(kinds):
    while b"\r\n\r\n" not in buf:
        more()
    head, _, buf = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    hdrs = dict(l.split(b": ", 1) for l in lines[1:])
    length = int(hdrs.get(b"Content-Length", b"0"))
    body_len = 0 if kind == "head" else length
    while len(buf) < body_len:
        more()
    body, buf = buf[:body_len], buf[body_len:]
    assert status == want[kind], "response %d (%s): status %d" % (i, kind, status)
    if kind == "get":
        assert body == expected, "response %d: body %r" % (i, body)
    if kind == "head":
        assert length == len(expected), "response %d: HEAD Content-Length %d" % (i, length)
    assert b"Connection" not in hdrs or hdrs[b"Connection"].lower() != b"close", \
        "response %d says Connection: close" % i
    n += 1
assert buf == b"", "extra bytes: %r" % buf[:100]
print("%d pipelined responses in order" % n)
PY

# ---- openssl s_client -quiet: ten requests in one write, the last closes.
{
	i=1
	while [ $i -lt 10 ]; do
		printf 'GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.one.example\r\n\r\n'
		i=$((i + 1))
	done
	printf 'GET /last HTTP/1.1\r\nHost: mta-sts.one.example\r\nConnection: close\r\n\r\n'
} > requests
timeout 10 openssl s_client -quiet -connect "127.0.0.1:$port" \
    -servername mta-sts.one.example -CAfile ca.crt < requests > responses 2> s.err ||
	fail "s_client -quiet did not finish: $(cat s.err)"
expect_eq "$(grep -a '^HTTP/1.1 ' responses | tr -d '\r' | awk '{ print $2 }' | tr '\n' ' ')" \
    "200 200 200 200 200 200 200 200 200 404 " "statuses through s_client"
expect_eq "$(grep -ac '^max_age: 1209600' responses)" 9 "policy bodies through s_client"
expect_clean_stop
