# SPDX-License-Identifier: GPL-2.0-or-later
# 1000 reloads (SIGHUP, each awaited in the log) of a configuration with 50
# domains, each with its own certificate, with requests in between: the
# daemon's resident memory (VmRSS) grows by less than 2 MiB between the
# 100th and the 1000th reload, every reload succeeds, and the daemon still
# serves every domain. Under AddressSanitizer (whose quarantine makes RSS
# meaningless, so the bound is not checked) LeakSanitizer reports no leak
# when the daemon exits after SIGTERM; under ThreadSanitizer, whose shadow
# memory and history grow with the work done, the bound is not checked
# either.
. "$TOP/tests/integration/lib.sh"

ndomains=50
reloads=1000
rss_bound_kib=2048
set --
i=0
while [ "$i" -lt "$ndomains" ]; do
	set -- "$@" "d$i.example={mode: enforce, mx: [mx$((i % 7)).hoster.example], max_age: 1209600}"
	i=$((i + 1))
done
fixture_daemon --no-start "$@"
asan=0
[ "$(sanitizer)" != asan ] || asan=1
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1
export ASAN_OPTIONS

daemon_start
expect_in daemon.log "started: serving $ndomains of $ndomains domains, $ndomains certificates"

# The driver: SIGHUP, wait for that reload's summary line, and again; a TLS
# request every 10 reloads; VmRSS after reloads 1, 100, 500 and 1000.
# At most 240 s.
python3 - "$daemon_pid" daemon.log "$reloads" "$port" "$ndomains" ca.crt \
    > probe/rss 2> probe/driver.err <<'PY' || fail "the reload driver failed: $(cat probe/driver.err)"
import os, signal, socket, ssl, sys, time

pid, log, n, port, ndomains, ca = (int(sys.argv[1]), sys.argv[2],
    int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
ctx = ssl.create_default_context(cafile=ca)
deadline = time.monotonic() + 240
f = open(log, "rb")
f.seek(0, 2)
buf, seen = b"", 0

def rss():
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1])

def get(i):
    name = "mta-sts.d%d.example" % (i % ndomains)
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname=name) as s:
            s.sendall(b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: "
                      + name.encode() + b"\r\nConnection: close\r\n\r\n")
            data = s.recv(4096)
    if not data.startswith(b"HTTP/1.1 200 "):
        sys.exit("request %d for %s: %r" % (i, name, data[:100]))

start = time.monotonic()
for i in range(1, n + 1):
    os.kill(pid, signal.SIGHUP)
    while seen < i:
        if time.monotonic() > deadline:
            sys.exit("reload %d not logged within 240 s" % i)
        chunk = f.read()
        if not chunk:
            time.sleep(0.001)
            continue
        buf += chunk
        lines = buf.split(b"\n")
        buf = lines.pop()
        for line in lines:
            if b"reload refused" in line:
                sys.exit("reload %d refused: %r" % (i, line))
            if b"reloaded in" in line:
                seen += 1
    if i % 10 == 0:
        get(i)
    if i in (1, 100, 500, n):
        print(i, rss(), flush=True)
print("seconds", round(time.monotonic() - start, 1))
PY
cat probe/rss
rss100=$(awk '$1 == 100 { print $2 }' probe/rss)
rss1000=$(awk -v n="$reloads" '$1 == n { print $2 }' probe/rss)
growth=$((rss1000 - rss100))
echo "VmRSS after 100 reloads: $rss100 KiB, after $reloads: $rss1000 KiB, growth $growth KiB (AddressSanitizer: $asan)"
[ "$(grep -c 'reloaded in' daemon.log)" -ge "$reloads" ] || fail "fewer than $reloads reloads logged"
awk '/reloaded in/ { sub(/.*reloaded in /, ""); sub(/ ms.*/, ""); v = $0 + 0; n++; s += v; if (v > m) m = v }
    END { printf "reload time: mean %.2f ms, max %.1f ms over %d reloads\n", s / n, m, n }' daemon.log
if [ -z "$(sanitizer)" ]; then
	[ "$growth" -lt "$rss_bound_kib" ] ||
		fail "VmRSS grew by $growth KiB between reload 100 and $reloads (bound $rss_bound_kib KiB)"
fi
i=0
while [ "$i" -lt "$ndomains" ]; do
	case $(served_id "mta-sts.d$i.example") in
	[0-9a-f]*) ;;
	*) fail "d$i.example not served after the reloads: $(served_id "mta-sts.d$i.example")" ;;
	esac
	i=$((i + 5))
done
proc_alive "$daemon_pid" || fail "the daemon died"
daemon_stop 30
expect_not_in daemon.log "LeakSanitizer"
expect_not_in daemon.log "ERROR: AddressSanitizer"
expect_not_in daemon.log "runtime error:"
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
