# SPDX-License-Identifier: GPL-2.0-or-later
# Reloads under load: a load generator (2 threads, a new TLS connection for
# every request, bounded in time and count) runs while the test makes 50
# reloads by renaming one of two versions of a customer file into place,
# each reload awaited in the log. Not one request fails: every answer is
# 200 with exactly one of the two bodies; both bodies are seen; afterwards
# the body served is the last one written.
. "$TOP/tests/integration/lib.sh"

fixture_daemon --no-start \
    --customer a.example='{mode: testing, mx: [mx.a.example], max_age: 604800}'
mkdir staged
cp domains.d/a.yaml staged/v1.yaml
domains_yaml a.example='{mode: enforce, mx: [mx1.a.example, mx2.a.example], max_age: 1209600}' \
    > staged/v2.yaml
for v in 1 2; do
	policy_body "staged/v$v.yaml" a.example > "staged/body$v"
done
reloads=50

daemon_start
expect_policy mta-sts.a.example staged/body1 "policy at start"

# The load: until probe/stop exists, 20 s or 100000 requests at most.
python3 - "$port" mta-sts.a.example ca.crt staged/body1 staged/body2 \
    probe/stop 20 100000 > probe/load.json 2> probe/load.err <<'PY' &
import json, os, socket, ssl, sys, threading, time

port, name, ca = int(sys.argv[1]), sys.argv[2], sys.argv[3]
bodies = [open(sys.argv[4], "rb").read(), open(sys.argv[5], "rb").read()]
stop_file, deadline = sys.argv[6], time.monotonic() + float(sys.argv[7])
max_requests = int(sys.argv[8])
ctx = ssl.create_default_context(cafile=ca)
lock = threading.Lock()
stats = {"requests": 0, "body1": 0, "body2": 0, "failed": 0, "failures": []}
request = ("GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: %s\r\n"
           "Connection: close\r\n\r\n" % name).encode()

def one():
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname=name) as s:
            s.sendall(request)
            data = b""
            while b"\r\n\r\n" not in data:
                chunk = s.recv(65536)
                if not chunk:
                    raise Exception("closed before the headers: %r" % data)
                data += chunk
            head, _, body = data.partition(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            length = None
            for h in lines[1:]:
                k, _, v = h.partition(b":")
                if k.strip().lower() == b"content-length":
                    length = int(v.strip())
            if length is None:
                raise Exception("no Content-Length: %r" % head)
            while len(body) < length:
                chunk = s.recv(65536)
                if not chunk:
                    raise Exception("closed in the body: %r" % data)
                body += chunk
    if not lines[0].startswith(b"HTTP/1.1 200 "):
        raise Exception("status %r" % lines[0])
    if body == bodies[0]:
        return "body1"
    if body == bodies[1]:
        return "body2"
    raise Exception("unexpected body %r" % body)

def worker():
    while True:
        with lock:
            if (stats["requests"] >= max_requests or
                    time.monotonic() > deadline or os.path.exists(stop_file)):
                return
            stats["requests"] += 1
        try:
            what = one()
        except Exception as e:
            with lock:
                stats["failed"] += 1
                if len(stats["failures"]) < 10:
                    stats["failures"].append(repr(e))
            continue
        with lock:
            stats[what] += 1

start = time.monotonic()
threads = [threading.Thread(target=worker) for _ in range(2)]
for t in threads:
    t.start()
for t in threads:
    t.join()
stats["seconds"] = round(time.monotonic() - start, 2)
json.dump(stats, sys.stdout)
PY
loader=$!
daemon_pids="$daemon_pids $loader"	# stopped with the daemon if we fail
sleep 0.5
mark0=$(log_mark)
t0=$(now_ms)
i=0
while [ "$i" -lt "$reloads" ]; do
	i=$((i + 1))
	v=$((i % 2 + 1))
	mark=$(log_mark)
	replace_file "staged/v$v.yaml" domains.d/a.yaml
	await_log 3 "$mark" 'reloaded in'
done
reload_s=$(($(now_ms) - t0))
: > probe/stop
await_child "$loader" 30 "the load generator" probe/load.err
cat probe/load.json
echo
echo "$reloads reloads in $reload_s ms"
# field NAME: a number from the load generator's report.
field() {
	python3 -c 'import json, sys; print(json.load(open("probe/load.json"))[sys.argv[1]])' "$1"
}
requests=$(field requests)
[ "$(field failed)" -eq 0 ] || fail "$(field failed) of $requests requests failed: $(field failures)"
[ "$requests" -ge 200 ] || fail "only $requests requests during the reloads"
if [ "$(field body1)" -eq 0 ] || [ "$(field body2)" -eq 0 ]; then
	fail "not both bodies seen: $(cat probe/load.json)"
fi
expect_eq "$(($(field body1) + $(field body2)))" "$requests" "requests answered with one of the two bodies"
[ "$(log_count_since "$mark0" 'reloaded in')" -ge "$reloads" ] ||
	fail "fewer than $reloads reloads logged"
expect_no_log_since "$mark0" 'reload refused'
last=$((reloads % 2 + 1))
expect_policy mta-sts.a.example "staged/body$last" \
    "the body after the reloads (v$last, last written)"
expect_clean_stop
