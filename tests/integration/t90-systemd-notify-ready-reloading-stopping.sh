# Under a service manager (NOTIFY_SOCKET), the daemon says READY=1 once it
# serves, RELOADING=1 then READY=1 around a reload, and STOPPING=1 when it
# stops: the sd_notify protocol read from a real AF_UNIX datagram socket.
. "$TOP/tests/integration/lib.sh"

"$TOP/tests/tools/mkpki" pki
"$TOP/tests/tools/mkpki" pki mta-sts.a.example
chgrp nogroup pki/certs/*.key
chmod 640 pki/certs/*.key
chmod 755 . pki pki/certs
port=$(free_port)
cat > c.yaml <<YAML
server: {listen: ["127.0.0.1:$port"], user: nobody, group: nogroup, workers: 1}
certificates: [{directory: pki/certs}]
domains:
  a.example: {mode: enforce, mx: [mx.a.example], max_age: 1209600}
YAML
chmod 644 c.yaml

python3 - "$MTA_STS_HOSTD" "$T" "$port" <<'PY'
import os, signal, socket, subprocess, sys, time
binary, tmp, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
path = os.path.join(tmp, "notify")
sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
sock.bind(path)
os.chmod(path, 0o777)          # the daemon writes to it as nobody
sock.settimeout(10)
env = dict(os.environ, NOTIFY_SOCKET=path)
log = open(os.path.join(tmp, "daemon.log"), "w")
d = subprocess.Popen([binary, "serve", "--foreground", "-c", "c.yaml"],
                     stderr=log, env=env)
def message():
    data = sock.recv(4096).decode()
    return dict(l.split("=", 1) for l in data.split("\n") if "=" in l)
try:
    m = message()
    assert m.get("READY") == "1", m
    assert m.get("STATUS") == "serving 1 of 1 domains", m
    # Ready means serving: the port accepts at once.
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    d.send_signal(signal.SIGHUP)
    m = message()
    assert m.get("RELOADING") == "1" and "MONOTONIC_USEC" in m, m
    m = message()
    assert m.get("READY") == "1", m
    d.send_signal(signal.SIGTERM)
    m = message()
    assert m.get("STOPPING") == "1", m
    assert d.wait(timeout=10) == 0
finally:
    if d.poll() is None:
        d.kill()
PY
