# SPDX-License-Identifier: GPL-2.0-or-later
# Under a service manager (NOTIFY_SOCKET), the daemon says READY=1 once it
# serves, RELOADING=1 then READY=1 around a reload, and STOPPING=1 when it
# stops: the sd_notify protocol read from a real AF_UNIX datagram socket.
. "$TOP/tests/integration/lib.sh"

# The daemon started by the service manager below, not by daemon_start.
fixture_daemon --no-start --workers 1 a.example

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
d = subprocess.Popen([binary, "serve", "--foreground", "-c", "cfg.yaml"],
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
