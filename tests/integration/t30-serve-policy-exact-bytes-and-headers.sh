# SPDX-License-Identifier: GPL-2.0-or-later
# GET https://mta-sts.<domain>/.well-known/mta-sts.txt, verified by curl
# against the test CA, returns 200 with exactly the bytes `policy` prints
# (CRLF lines) whose SHA-256 starts with the id, Content-Type text/plain,
# the right Content-Length and no Location; HEAD returns the same headers and
# no body. An ECDSA and an RSA certificate both work.
. "$TOP/tests/integration/lib.sh"

mkpki pki --rsa mta-sts.two.example
fixture_daemon \
    one.example='{mode: enforce, mx: [mx1.hoster.example, "*.backup.hoster.example"], max_age: 1209600}' \
    two.example='{mode: testing, mx: [mail.two.example]}'

for d in one.example two.example; do
	expected=policies/$d
	hostd policy --id -c cfg.yaml "$d"
	id=$(cat out)

	expect_eq "$(https "mta-sts.$d" /.well-known/mta-sts.txt)" "200 1" "GET for $d"
	cmp body "$expected" || fail "$d: body differs: $(od -c body | head)"
	expect_eq "$(sha256sum < body | cut -c1-32)" "$id" "id of the served body of $d"
	[ "$(tr -d '\r' < body | wc -l)" -eq "$(grep -c "$(printf '\r')\$" body)" ] ||
		fail "$d: a line without CRLF"
	expect_eq "$(head -1 headers | tr -d '\r')" "HTTP/1.1 200 OK" "status line for $d"
	expect_eq "$(header Content-Type)" "text/plain" "Content-Type for $d"
	expect_eq "$(header Content-Length)" "$(wc -c < "$expected" | tr -d ' ')" "Content-Length for $d"
	expect_eq "$(header Location)" "" "Location for $d"
	expect_eq "$(grep -ci '^location:' headers || true)" 0 "Location header for $d"

	expect_eq "$(https "mta-sts.$d" /.well-known/mta-sts.txt -I)" "200 1" "HEAD for $d"
	# With -I curl writes the headers where the body would go: nothing
	# may follow them.
	cmp -s body headers || fail "$d: HEAD returned a body: $(od -c body | tail -5)"
	expect_eq "$(header Content-Type)" "text/plain" "HEAD Content-Type for $d"
	expect_eq "$(header Content-Length)" "$(wc -c < "$expected" | tr -d ' ')" "HEAD Content-Length for $d"
	expect_not_in headers "ocation:"
done

# Over a raw connection too: HEAD sends headers and not one byte more.
python3 - "$port" <<'PY' || fail "HEAD over a raw TLS connection"
import socket, ssl, sys, time
ctx = ssl.create_default_context(cafile="ca.crt")
s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5),
    server_hostname="mta-sts.one.example")
s.sendall(b"HEAD /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.one.example\r\nConnection: close\r\n\r\n")
data = b""
deadline = time.monotonic() + 10
while True:
    assert time.monotonic() < deadline, "no end of the response"
    d = s.recv(4096)
    if not d:
        break
    data += d
head, sep, rest = data.partition(b"\r\n\r\n")
assert sep and head.startswith(b"HTTP/1.1 200 "), data
assert rest == b"", rest
PY
expect_clean_stop
