# SPDX-License-Identifier: GPL-2.0-or-later
# Oversized names and renegotiation, while a good client is served:
# (1) a ClientHello whose SNI is 254 to 16,000 bytes (no host name is longer
#     than 253) is refused at once with the unrecognized_name alert, and one
#     whose handshake message is larger than TLS allows (60,000 bytes of
#     SNI) is closed at once; the log line of a refusal is bounded;
# (2) a Host header of 10,000 bytes (under the 16 KiB header limit) is a
#     421 (it is not the TLS server name), one of 20,000 bytes a 431;
# (3) a TLS 1.2 client that asks to renegotiate gets a fatal
#     unexpected_message alert and no second handshake; on TLS 1.3 a KeyUpdate is fine and the connection goes on.
# The daemon's resident memory afterwards stays within 2 MiB of before.
. "$TOP/tests/integration/lib.sh"

fixture_daemon one.example
rss() {
	sed -n 's/^VmRSS: *\([0-9]*\) kB/\1/p' "/proc/$daemon_pid/status"
}
expect_good_client "at the start"
rss_before=$(rss)

# (1)
for n in 254 300 1000 5000 16000; do
	expect_eq "$("$TOP/tests/tools/clienthello" "$port" $n)" "alert 2 112" \
	    "a ClientHello with $n bytes of SNI"
done
expect_eq "$("$TOP/tests/tools/clienthello" "$port" 60000)" closed \
    "a ClientHello with 60000 bytes of SNI"
expect_good_client "after oversized SNI"
longest=$(awk '{ if (length($0) > n) n = length($0) } END { print n }' daemon.log)
# log.c cuts a line at LOG_LINE_MAX (2048) bytes, its prefix aside.
[ "$longest" -le 2112 ] || fail "a log line of $longest bytes"

# (2)
host_status() {
	python3 - "$port" "$1" <<'PY'
import socket, ssl, sys
port, size = int(sys.argv[1]), int(sys.argv[2])
ctx = ssl.create_default_context(cafile="ca.crt")
c = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5),
                    server_hostname="mta-sts.one.example")
c.sendall(b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: " +
          b"h" * size + b"\r\nConnection: close\r\n\r\n")
print(c.recv(64).split(b"\r\n")[0].decode())
PY
}
expect_eq "$(host_status 10000)" "HTTP/1.1 421 Misdirected Request" "a Host of 10000 bytes"
got=$(host_status 20000)
expect_eq "${got%% *} $(echo "$got" | cut -d' ' -f2)" "HTTP/1.1 431" "a Host of 20000 bytes"
expect_good_client "after oversized Host"

# (3) s_client's "R" command renegotiates (its commands work without -ign_eof).
start=$(date +%s)
{ sleep 1; echo R; sleep 3; } | timeout 10 openssl s_client -tls1_2 -msg \
    -connect "127.0.0.1:$port" -servername mta-sts.one.example \
    -CAfile ca.crt > reneg.out 2>&1 || true
expect_in reneg.out "RENEGOTIATING"
hellos=$(grep -c "Handshake .*, ServerHello$" reneg.out || true)
[ "$hellos" -eq 1 ] || fail "a second handshake: $hellos ServerHellos"
# The second ClientHello is answered with a fatal alert, nothing else.
expect_in reneg.out "fatal unexpected_message"
[ $(($(date +%s) - start)) -le 6 ] || fail "the renegotiating client was not closed at once"
# On TLS 1.3, "K" sends a KeyUpdate; a request after it is answered.
{ sleep 1; echo K; sleep 1
  printf 'GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.one.example\r\nConnection: close\r\n\r\n'
  sleep 1; } | timeout 10 openssl s_client -tls1_3 -connect "127.0.0.1:$port" \
    -servername mta-sts.one.example -CAfile ca.crt > keyupdate.out 2>&1 || true
expect_in keyupdate.out "KEYUPDATE"
expect_in keyupdate.out "HTTP/1.1 200 OK"
expect_good_client "after renegotiation"

rss_after=$(rss)
[ $((rss_after - rss_before)) -le 2048 ] ||
    fail "RSS grew from $rss_before to $rss_after kB"
echo "RSS $rss_before kB before, $rss_after kB after"
