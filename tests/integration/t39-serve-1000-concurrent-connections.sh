# SPDX-License-Identifier: GPL-2.0-or-later
# 1000 TLS connections open at the same time (every handshake done before
# any request is sent) each get 200 with the exact policy bytes, within a
# bounded time; the access log has a line for each.
. "$TOP/tests/integration/lib.sh"

N=1000
fixture_daemon --yaml 'limits: {max_connections: 3000, max_connections_per_address: 2000}' \
    one.example

python3 - "$port" "$N" <<'PY' || fail "$N concurrent connections"
import asyncio, resource, ssl, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
expected = open("policies/one.example", "rb").read()
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
if soft < n + 100:
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 100), hard))
ctx = ssl.create_default_context(cafile="ca.crt")
OPEN_LIMIT, TOTAL_LIMIT = 60, 120

async def client(ready, go):
    r, w = await asyncio.open_connection("127.0.0.1", port, ssl=ctx,
        server_hostname="mta-sts.one.example")
    ready.append(1)
    await go.wait()
    w.write(b"GET /.well-known/mta-sts.txt HTTP/1.1\r\n"
            b"Host: mta-sts.one.example\r\nConnection: close\r\n\r\n")
    data = await r.read()
    w.close()
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.split(b"\r\n")[0] == b"HTTP/1.1 200 OK", head[:60]
    assert body == expected, body[:80]

async def main():
    ready, go = [], asyncio.Event()
    t0 = time.monotonic()
    tasks = [asyncio.create_task(client(ready, go)) for _ in range(n)]
    while len(ready) < n and time.monotonic() - t0 < OPEN_LIMIT:
        if any(t.done() for t in tasks):
            break
        await asyncio.sleep(0.02)
    opened = time.monotonic() - t0
    all_open = len(ready)
    go.set()
    done, pending = await asyncio.wait(tasks, timeout=TOTAL_LIMIT - opened)
    for t in pending:
        t.cancel()
    total = time.monotonic() - t0
    errors = [t.exception() for t in done if t.exception() is not None]
    ok = len(done) - len(errors)
    print("%d of %d open at once after %.2f s; %d answered 200 with the "
          "policy in %.2f s" % (all_open, n, opened, ok, total))
    for e in errors[:5]:
        print("error:", repr(e))
    assert all_open == n and ok == n and not pending

asyncio.run(main())
PY
expect_eq "$(grep -c 'access: .* mta-sts.one.example "GET /.well-known/mta-sts.txt" 200 ' daemon.log)" "$N" "access lines"
expect_clean_stop
