# SPDX-License-Identifier: GPL-2.0-or-later
# Hostile slow clients, with limits.handshake_timeout, idle_timeout and
# request_timeout 2.
# (1) Slowloris: the TLS handshake done, then a request's headers trickled
#     one byte every 0.5 s, then silence mid-headers: while it trickles
#     others are served at once, and the connection is closed about
#     request_timeout after the request's first byte (nothing, or a 4xx, sent
#     back).
# (2) A ClientHello trickled one byte every 0.25 s: closed about
#     handshake_timeout after the connect, with no byte sent back, while
#     others are served at once.
# (A trickle that never pauses is t88's.)
. "$TOP/tests/integration/lib.sh"

fixture_daemon --yaml 'limits: {handshake_timeout: 2, idle_timeout: 2, request_timeout: 2}' one.example

# good_client: curl (verified, resolved to 127.0.0.1) gets 200 with the
# exact policy in under a second; prints the time taken.
good_client() {
	_got=$(https mta-sts.one.example /.well-known/mta-sts.txt \
	    -w '%{http_code} %{time_total}\n' | tail -1)
	expect_eq "${_got%% *}" 200 "a good client while a hostile one is active"
	cmp -s body policies/one.example || fail "a good client got another body"
	awk -v t="${_got#* }" 'BEGIN { exit !(t < 1) }' ||
	    fail "a good client was served in ${_got#* } s"
	echo "${_got#* }"
}
# good_clients N PAUSE: N good clients, PAUSE seconds apart, their times
# added to good.times.
good_clients() {
	i=0
	while [ $i -lt "$1" ]; do
		good_client >> good.times
		sleep "$2"
		i=$((i + 1))
	done
}

# ---- (1) slowloris: trickled headers, then silence
python3 - "$port" > slowloris.out 2>&1 <<'PY' &
import socket, ssl, sys, time
port = int(sys.argv[1])
ctx = ssl.create_default_context(cafile="ca.crt")
c = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5),
    server_hostname="mta-sts.one.example")
req = b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.one.example\r\n"
c.settimeout(0.5)
# 3 bytes over about 1.5 s (less than idle_timeout): open throughout.
first = time.monotonic()
for i in range(3):
    c.send(req[i:i + 1])
    last = time.monotonic()
    try:
        d = c.recv(4096)
        sys.exit("closed or answered while trickling, after byte %d: %r" % (i, d))
    except socket.timeout:
        pass
c.settimeout(10)
got = b""
try:
    while True:
        d = c.recv(4096)
        if not d:
            break
        got += d
except (ConnectionResetError, ssl.SSLError):
    pass
took = time.monotonic() - first
assert got == b"" or got.startswith(b"HTTP/1.1 4"), "got %r" % got[:200]
assert 1.8 <= took <= 3.5, "closed %.2f s after the first byte" % took
print("slowloris: closed %.2f s after the request's first byte, got %r"
      % (took, got.split(b"\r\n")[0]))
PY
slow=$!
sleep 1
good_clients 8 0.5
await_child "$slow" 20 slowloris slowloris.out
cat slowloris.out

# ---- (2) a ClientHello trickled byte by byte
python3 - "$port" > hello.out 2>&1 <<'PY' &
import socket, ssl, sys, time
port = int(sys.argv[1])
ctx = ssl.create_default_context(cafile="ca.crt")
i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
obj = ctx.wrap_bio(i, o, server_hostname="mta-sts.one.example")
try:
    obj.do_handshake()
except ssl.SSLWantReadError:
    pass
hello = o.read()
assert len(hello) > 100, hello
s = socket.create_connection(("127.0.0.1", port), timeout=5)
start = time.monotonic()
s.settimeout(0.25)
n, got, why = 0, b"", None
while time.monotonic() - start < 10 and n < len(hello):
    try:
        s.send(hello[n:n + 1])
        n += 1
    except OSError as e:
        why = repr(e)
        break
    try:
        got = s.recv(100)
        why = "end of stream"
        break
    except socket.timeout:
        pass
    except OSError as e:
        why = repr(e)
        break
took = time.monotonic() - start
assert why is not None, "still open after %.2f s and %d bytes" % (took, n)
assert got == b"", "got %r" % got
assert 1.8 <= took <= 3.5, "closed after %.2f s" % took
print("trickled ClientHello: closed after %.2f s, %d of %d bytes sent (%s)"
      % (took, n, len(hello), why))
PY
slow=$!
sleep 0.3
good_clients 4 0.3
await_child "$slow" 20 "trickled ClientHello" hello.out
cat hello.out
echo "good clients during both: $(wc -l < good.times | tr -d ' '), slowest $(sort -n good.times | tail -1) s"
expect_eq "$(grep -c 'handshake timed out' daemon.log)" 1 "timed-out handshakes logged"

expect_clean_stop
