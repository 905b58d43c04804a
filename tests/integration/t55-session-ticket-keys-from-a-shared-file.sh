# SPDX-License-Identifier: GPL-2.0-or-later
# Replicas behind one address share server.session_ticket_keys: a ticket
# one daemon issued resumes on the other, TLS 1.3 and 1.2; after a
# rotation (a new first key, the old one kept second: the file replaced,
# picked up by the watcher) old tickets still resume and new ones are
# sealed with the new key; once the old key is gone they give a full
# handshake. Without the file each daemon has keys of its own, and a
# ticket of one does not resume on the other. A file that cannot be used
# is refused by `check` and at start-up, naming the file and line, and a
# reload with such a file keeps the keys in service.
. "$TOP/tests/integration/lib.sh"

fixture_prepare a.example
key() { openssl rand -base64 48; }
k1=$(key) k2=$(key)
printf '# first seals, all open\n%s\n' "$k1" > tickets.keys
chgrp nogroup tickets.keys
chmod 640 tickets.keys
port1=$port
port2=$(other_free_port "$port1")
fixture_daemon --server 'session_ticket_keys: tickets.keys' a.example
pid1=$daemon_pid
port=$port2
daemon_yaml --port "$port2" --server 'session_ticket_keys: tickets.keys' \
    a.example > cfg2.yaml
daemon_start cfg2.yaml
pid2=$daemon_pid
port=$port1

# ticket.py VERSION [--wait] FROM TO...: a ticket from the daemon on port
# FROM presented to each daemon TO, one line each: "reused" or "full".
# With --wait it prints "issued" once it holds the ticket and waits for a
# line on standard input first (the keys are rotated meanwhile).
cat > ticket.py <<'PY'
import socket, ssl, sys
args = sys.argv[1:]
v = {"1.3": ssl.TLSVersion.TLSv1_3, "1.2": ssl.TLSVersion.TLSv1_2}[args.pop(0)]
wait = args[0] == "--wait"
if wait:
    args.pop(0)
ctx = ssl.create_default_context(cafile="ca.crt")
ctx.minimum_version = ctx.maximum_version = v
name = "mta-sts.a.example"
def fetch(port, session=None):
    s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=5),
                        server_hostname=name, session=session)
    s.sendall(b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: " +
              name.encode() + b"\r\nConnection: close\r\n\r\n")
    while s.recv(4096):
        pass
    return s
first = fetch(int(args[0]))
if wait:
    print("issued", flush=True)
    sys.stdin.readline()
for port in args[1:]:
    again = fetch(int(port), first.session)
    print("reused" if again.session_reused else "full", flush=True)
PY
resume() { python3 ticket.py "$@"; }
for v in 1.3 1.2; do
	expect_eq "$(resume $v "$port1" "$port2")" reused "TLS $v: 1 to 2"
	expect_eq "$(resume $v "$port2" "$port1")" reused "TLS $v: 2 to 1"
done


# await_reloads N: wait until the two daemons' log has N reload lines.
reloads() { grep -c 'reloaded in' daemon.log || true; }
await_reloads() {
	await 10 "$1" reloads || fail "reloads: $(reloads), expected $1"
}

# Rotation: k2 seals, k1 still opens. A ticket issued by daemon 1 before
# the rotation resumes on daemon 2 after it.
mkfifo go
python3 ticket.py 1.2 --wait "$port1" "$port2" "$port2" < go > old.out &
client=$!
exec 3> go
await 10 issued cat old.out || fail "no ticket issued"
before=$(reloads)
printf '%s\n%s\n' "$k2" "$k1" > .tickets.keys.new
chgrp nogroup .tickets.keys.new
chmod 640 .tickets.keys.new
mv .tickets.keys.new tickets.keys
await_reloads $((before + 2))
echo >&3
exec 3>&-
await_child "$client" 20 "the client with the old ticket"
expect_eq "$(sed -n 2p old.out)" reused "a ticket sealed with the old key"
expect_eq "$(resume 1.3 "$port1" "$port2")" reused "TLS 1.3 after the rotation"

# The old key gone: a ticket sealed with it gets a full handshake.
python3 ticket.py 1.2 --wait "$port2" "$port1" < go > old2.out &
client=$!
exec 3> go
await 10 issued cat old2.out || fail "no ticket issued"
before=$(reloads)
printf '%s\n' "$(key)" > .tickets.keys.new
chgrp nogroup .tickets.keys.new
chmod 640 .tickets.keys.new
mv .tickets.keys.new tickets.keys
await_reloads $((before + 2))
echo >&3
exec 3>&-
await_child "$client" 20 "the client with the retired ticket"
expect_eq "$(sed -n 2p old2.out)" full "a ticket sealed with a key no longer in the file"

# A broken file: check names it, a reload keeps the keys in service.
cp tickets.keys good.keys
printf '%s\nnot base64 at all\n' "$(key)" > .tickets.keys.new
chgrp nogroup .tickets.keys.new
mv .tickets.keys.new tickets.keys
hostd check -c cfg.yaml --skip-certificates
expect_rc 1 "check with a broken key file"
expect_in err "tickets.keys:2: not the base64 of 48 bytes"
await 10 '*tickets.keys:2: not the base64*' cat daemon.log ||
	fail "the broken key file was not reported"
expect_in daemon.log "the session ticket keys in service stay"
expect_eq "$(resume 1.3 "$port1" "$port2")" reused "with the broken file"

# Without the file, two daemons do not resume each other's tickets.
cp good.keys tickets.keys
daemon_stop
daemon_pid=$pid1
daemon_stop
port=$port1
fixture_daemon --config own1.yaml a.example
port=$port2
daemon_yaml --port "$port2" a.example > own2.yaml
daemon_start own2.yaml
expect_eq "$(resume 1.3 "$port1" "$port2")" full "keys of their own"
expect_eq "$(resume 1.3 "$port1" "$port1")" reused "on the same daemon"
