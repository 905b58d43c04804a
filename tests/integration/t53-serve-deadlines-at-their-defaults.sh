# SPDX-License-Identifier: GPL-2.0-or-later
# The three deadlines at their defaults (no limits: section), each within
# a second, all four clients at once:
# (1) a TCP connection that never starts its handshake: closed 10 s after
#     it was accepted (handshake_timeout);
# (2) a TLS connection that completes its handshake and sends nothing:
#     closed 10 s after the handshake (idle_timeout);
# (3) one that gets an answer and then sends nothing: closed 10 s after the
#     answer (idle_timeout, between keep-alive requests);
# (4) one that trickles a request, a byte every half second, so that it is
#     never idle: closed 10 s after the request's first byte
#     (request_timeout), without an answer.
. "$TOP/tests/integration/lib.sh"

fixture_daemon one.example

python3 - "$port" > deadlines <<'PY'
import socket, sys, threading, time
import tlsclient

port, name = int(sys.argv[1]), "mta-sts.one.example"
out = {}

def closed_after(sock, start, limit=20):
    """Seconds from START until SOCK is closed by the daemon."""
    sock.settimeout(0.1)
    while time.monotonic() - start < limit:
        try:
            d = sock.recv(4096)
            if not d:
                break
        except socket.timeout:
            continue
        except OSError:
            break
    return time.monotonic() - start

def tcp_only():
    s = socket.create_connection(("127.0.0.1", port))
    out["handshake"] = closed_after(s, time.monotonic())

def idle_after_handshake():
    c = tlsclient.connect(port, name)
    out["idle"] = closed_after(c, time.monotonic())

def idle_after_answer():
    c = tlsclient.connect(port, name)
    c.sendall(("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: %s\r\n\r\n"
               % name).encode())
    buf, _ = b"", None
    while b"\r\n\r\n" not in buf:
        buf += c.recv(4096)
    out["answer"] = buf.split(b"\r\n")[0].decode()
    out["keepalive"] = closed_after(c, time.monotonic())

def trickle():
    c = tlsclient.connect(port, name)
    req = ("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: %s\r\nX-Slow: %s"
           % (name, "a" * 100)).encode()
    start = time.monotonic()
    got = b""
    c.settimeout(0.5)
    for b in req:
        try:
            c.sendall(bytes([b]))
        except OSError:
            break
        try:
            d = c.recv(4096)
            if not d:
                break
            got += d
        except socket.timeout:
            pass
        except OSError:
            break
        if time.monotonic() - start > 20:
            break
    out["request"] = time.monotonic() - start
    out["trickle_got"] = len(got)

ts = [threading.Thread(target=f) for f in
      (tcp_only, idle_after_handshake, idle_after_answer, trickle)]
for t in ts:
    t.start()
for t in ts:
    t.join()
for k in sorted(out):
    print(k, out[k] if isinstance(out[k], (int, str)) else "%.2f" % out[k])
PY
cat deadlines
within() {	# KEY LOW HIGH
	_v=$(sed -n "s/^$1 //p" deadlines)
	awk -v v="$_v" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v >= lo && v <= hi) }' ||
		fail "$1: closed after $_v s, expected $2 to $3 s"
}
within handshake 9.5 11
within idle 9.5 11
within keepalive 9.5 11
within request 9.5 11
expect_eq "$(sed -n 's/^answer //p' deadlines)" "HTTP/1.1 200 OK" "the answer"
expect_eq "$(sed -n 's/^trickle_got //p' deadlines)" 0 \
    "what the trickling client got"
expect_in daemon.log "request not complete after 10 s: closed"
