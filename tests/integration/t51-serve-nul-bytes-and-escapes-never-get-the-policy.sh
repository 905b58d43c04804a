# SPDX-License-Identifier: GPL-2.0-or-later
# Client bytes that a C string would cut short never select a name or a
# path they do not spell out:
# (1) a ClientHello whose server_name is "mta-sts.one.example\0anything"
#     gets the unrecognized_name alert (112), not that name's certificate,
#     and the log shows the whole name, escaped;
# (2) a raw NUL byte in the request target or in a header field is a 400
#     and a closed connection;
# (3) the target is compared as sent, without decoding %XX: "%00", "%2f"
#     and "%2e" forms of the policy's path are 404s;
# (4) a query string is ignored, as static web servers do: the policy.
. "$TOP/tests/integration/lib.sh"

fixture_daemon one.example
name=mta-sts.one.example

# hello NAME: send a TLS 1.2 ClientHello with server_name NAME ("\0" for a
# NUL byte) and print the first record's type and, for an alert, its
# description ("22" is a handshake: the server answered with its hello).
hello() {
	python3 - "$port" "$1" <<'PY'
import os, socket, struct, sys
name = sys.argv[2].encode().replace(b"\\0", b"\0")
sni = struct.pack("!BH", 0, len(name)) + name
sni = struct.pack("!H", len(sni)) + sni
exts = struct.pack("!HH", 0, len(sni)) + sni
groups = struct.pack("!H", 4) + struct.pack("!HH", 0x1d, 0x17)
exts += struct.pack("!HH", 10, len(groups)) + groups
sigs = struct.pack("!H", 4) + struct.pack("!HH", 0x0403, 0x0804)
exts += struct.pack("!HH", 13, len(sigs)) + sigs
suites = struct.pack("!HHH", 0xc02b, 0xc02f, 0xcca9)
body = struct.pack("!H", 0x0303) + os.urandom(32) + b"\x00"
body += struct.pack("!H", len(suites)) + suites + b"\x01\x00"
body += struct.pack("!H", len(exts)) + exts
hs = b"\x01" + struct.pack("!I", len(body))[1:] + body
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(struct.pack("!BHH", 22, 0x0301, len(hs)) + hs)
data = b""
while len(data) < 7:
    d = s.recv(4096)
    if not d:
        break
    data += d
if len(data) >= 7 and data[0] == 21:
    print("alert", data[6])
elif data:
    print(data[0])
else:
    print("closed")
PY
}

# (1)
expect_eq "$(hello "$name")" 22 "the name itself"
expect_eq "$(hello "$name\\0anything")" "alert 112" "the name, a NUL and more"
expect_eq "$(hello "$name\\0")" "alert 112" "the name and a NUL"
expect_in daemon.log "no policy for the name '$name\\x00anything'"

# request BYTES: send BYTES (printf format) over TLS for $name and print
# the status line of the answer.
request() {
	# shellcheck disable=SC2059
	printf "$1" | timeout 10 openssl s_client -quiet -connect \
	    "127.0.0.1:$port" -servername "$name" 2>/dev/null |
	    head -n 1 | tr -d '\r'
}
# get PATH: a GET of PATH (its backslash escapes as printf's, % as is).
get() {
	_path=$(printf '%s' "$1" | sed 's/%/%%/g')
	request "GET $_path HTTP/1.1\r\nHost: $name\r\nConnection: close\r\n\r\n"
}

# (2)
expect_eq "$(get '/.well-known/mta-sts.txt\000')" "HTTP/1.1 400 Bad Request" \
    "a NUL at the end of the path"
expect_eq "$(get '/.well-known/mta-sts.txt\000.html')" \
    "HTTP/1.1 400 Bad Request" "a NUL inside the path"
expect_eq "$(request "GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: $name\\000.evil\r\nConnection: close\r\n\r\n")" \
    "HTTP/1.1 400 Bad Request" "a NUL in the Host field"
expect_eq "$(request "GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: $name\r\nX-A: a\\000b\r\nConnection: close\r\n\r\n")" \
    "HTTP/1.1 400 Bad Request" "a NUL in another field"

# (3)
for path in '/.well-known/mta-sts.txt%00' '/.well-known/mta-sts.txt%00.html' \
    '/.well-known%2fmta-sts.txt' '/%2ewell-known/mta-sts.txt' \
    '/.well-known/mta-sts%2etxt'; do
	expect_eq "$(get "$path")" "HTTP/1.1 404 Not Found" "$path"
done
expect_in daemon.log '"GET /.well-known/mta-sts.txt%00" 404'

# (4)
expect_eq "$(https "$name" '/.well-known/mta-sts.txt?x=1')" "200 1" \
    "a query string"
cmp -s body policies/one.example || fail "the policy with a query string differs"

# And the plain request still gets the policy, on a connection of its own.
expect_eq "$(https "$name" /.well-known/mta-sts.txt)" "200 1" "the policy"
cmp -s body policies/one.example || fail "the policy differs"
