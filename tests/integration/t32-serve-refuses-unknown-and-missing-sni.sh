# SPDX-License-Identifier: GPL-2.0-or-later
# A handshake for a name the daemon has no policy for, or without SNI at
# all, is aborted with the unrecognized_name alert (112) and no certificate
# is sent, never one for another name; the refusal is logged, a name with
# control bytes in it escaped (\xNN), so that it cannot forge log lines. A
# served name still works before and after, in any letter case (SNI is
# case-insensitive).
. "$TOP/tests/integration/lib.sh"

# A certificate for a name the configuration does not serve.
mkpki pki mta-sts.unconfigured.example
install_cert pki/certs/mta-sts.unconfigured.example certs/mta-sts.unconfigured.example
fixture_daemon one.example

expect_eq "$(https mta-sts.one.example /.well-known/mta-sts.txt)" "200 1" "the served name"

# refused S_CLIENT-OPTIONS...: the handshake ends with alert 112, no certificate.
refused() {
	rc=0
	echo | timeout 10 openssl s_client -connect "127.0.0.1:$port" \
	    -CAfile ca.crt "$@" > s.out 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || fail "s_client $* succeeded: $(cat s.out)"
	expect_in s.out "SSL alert number 112"
	expect_in s.out "unrecognized name"
	expect_not_in s.out "BEGIN CERTIFICATE"
	expect_not_in s.out "Server certificate"
}
for v in -tls1_3 -tls1_2; do
	refused $v -servername mta-sts.unknown.example
	refused $v -servername mta-sts.unconfigured.example
	refused $v -servername one.example
	refused $v -servername x.mta-sts.one.example
	refused $v -noservername
done
expect_in daemon.log "handshake refused: no policy for the name 'mta-sts.unknown.example'"
expect_in daemon.log "handshake refused: no policy for the name 'mta-sts.unconfigured.example'"
expect_in daemon.log "handshake refused: no server name (SNI)"

# A ClientHello (TLS 1.2) whose SNI name holds a line break and an escape
# sequence: one log line, with them escaped; the daemon answers with the
# alert and closes.
python3 - "$port" <<'PY' || fail "a ClientHello with control bytes in its SNI"
import os, socket, struct, sys
def ext(kind, body):
    return struct.pack("!HH", kind, len(body)) + body
name = b"x\ninfo: forged line \x1b[31m"
sni = struct.pack("!BH", 0, len(name)) + name
hello = (b"\x03\x03" + os.urandom(32) + b"\x00" +
         struct.pack("!H", 2) + b"\xc0\x2b" + b"\x01\x00")
exts = (ext(0, struct.pack("!H", len(sni)) + sni) +
        ext(10, b"\x00\x02\x00\x17") + ext(11, b"\x01\x00") +
        ext(13, b"\x00\x02\x04\x03"))
hello += struct.pack("!H", len(exts)) + exts
hs = b"\x01" + struct.pack("!I", len(hello))[1:] + hello
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(b"\x16\x03\x01" + struct.pack("!H", len(hs)) + hs)
reply = s.recv(100)
assert reply[:1] == b"\x15" and reply[-1:] == b"\x70", reply
PY
expect_in daemon.log "handshake refused: no policy for the name 'x\\x0ainfo:\\x20forged\\x20line\\x20\\x1b[31m'"
expect_not_in daemon.log "$(printf '\033')"
if grep -q '^info: forged' daemon.log; then
	fail "a forged log line: $(grep '^info: forged' daemon.log)"
fi

# curl too: the handshake fails, nothing is served.
rc=0
curl -sS --max-time 10 --resolve "mta-sts.unknown.example:$port:127.0.0.1" \
    --cacert ca.crt -o body "https://mta-sts.unknown.example:$port/.well-known/mta-sts.txt" \
    2> curl.err || rc=$?
expect_eq "$rc" 35 "curl exit status for an unknown name (SSL connect error)"
expect_in curl.err "unrecognized name"

expect_eq "$(https MTA-STS.One.Example /.well-known/mta-sts.txt)" "200 1" "the served name in upper case"
expect_eq "$(https mta-sts.one.example /.well-known/mta-sts.txt)" "200 1" "the served name after the refusals"
expect_clean_stop
