# Helpers shared by the integration tests. Each test runs in its own empty
# directory ($T) with $MTA_STS_HOSTD naming the binary and $TOP the source tree.
set -eu

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# hostd ARGS...: run the binary; stdout in out, stderr in err, status in $rc.
hostd() {
	rc=0
	"$MTA_STS_HOSTD" "$@" >out 2>err || rc=$?
}

expect_rc() {
	[ "$rc" -eq "$1" ] || {
		echo "--- stdout"; cat out; echo "--- stderr"; cat err
		fail "exit status $rc, expected $1 ($*)"
	} >&2
}

# expect_in FILE TEXT: FILE contains the fixed string TEXT.
expect_in() {
	grep -qF -- "$2" "$1" || {
		echo "--- $1"; cat "$1"
		fail "'$2' not found in $1"
	} >&2
}

expect_not_in() {
	! grep -qF -- "$2" "$1" || {
		echo "--- $1"; cat "$1"
		fail "'$2' unexpectedly found in $1"
	} >&2
}

expect_eq() {
	[ "$1" = "$2" ] || fail "got '$1', expected '$2'${3:+ ($3)}"
}

# A free TCP/UDP port on 127.0.0.1 (both protocols), for servers a test starts.
free_port() {
	python3 - <<'PY'
import socket
for _ in range(100):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        t.close(); continue
    t.close(); u.close(); print(port); break
PY
}

# wait_for SECONDS COMMAND...: retry until the command succeeds.
wait_for() {
	limit=$1
	shift
	i=0
	while ! "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -lt $((limit * 10)) ] || return 1
		sleep 0.1
	done
}

# ---- The HTTPS daemon (serve). Tests that start it use these helpers, so
# whatever happens (a failed assertion, set -e, the runner's timeout) the
# daemon is stopped when the test exits and nothing is left running.

# Processes this test started that must not outlive it.
daemon_pids=

# mkpki ARGS...: tests/tools/mkpki (a throwaway CA and certificates).
mkpki() {
	"$TOP/tests/tools/mkpki" "$@"
}

# proc_alive PID: the process exists and has not exited (a zombie has).
proc_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	_state=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
	[ -n "$_state" ] && [ "$_state" != Z ]
}

# port_accepts PORT: something on 127.0.0.1:PORT accepts a TCP connection.
port_accepts() {
	python3 - "$1" <<'PY'
import socket, sys
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
except OSError:
    sys.exit(1)
PY
}

# server_yaml: the server section of a daemon test's configuration, on $port.
server_yaml() {
	cat <<YAML
server:
  listen: ["127.0.0.1:$port"]
  user: nobody
  group: nogroup
  workers: 2
YAML
}

# daemon_cleanup: stop every daemon this test started (the EXIT trap).
daemon_cleanup() {
	for _p in $daemon_pids; do
		proc_alive "$_p" || continue
		kill -TERM "$_p" 2>/dev/null || continue
		_i=0
		while proc_alive "$_p" && [ "$_i" -lt 100 ]; do
			sleep 0.1
			_i=$((_i + 1))
		done
		proc_alive "$_p" && kill -KILL "$_p" 2>/dev/null
	done
	daemon_pids=
}

daemon_trap() {
	trap daemon_cleanup EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM
}

# daemon_start [CONFIG]: run `serve --foreground` on CONFIG (cfg.yaml), its
# log appended to daemon.log, and wait (10 s at most) until $port accepts.
# Sets $daemon_pid.
daemon_start() {
	daemon_trap
	"$MTA_STS_HOSTD" serve --foreground -c "${1:-cfg.yaml}" \
	    2>>daemon.log &
	daemon_pid=$!
	daemon_pids="$daemon_pids $daemon_pid"
	_i=0
	until port_accepts "$port"; do
		if ! proc_alive "$daemon_pid"; then
			cat daemon.log >&2
			fail "the daemon exited at start"
		fi
		_i=$((_i + 1))
		[ "$_i" -lt 100 ] || {
			cat daemon.log >&2
			fail "the daemon does not accept on 127.0.0.1:$port after 10 s"
		}
		sleep 0.1
	done
}

# daemon_stop [SECONDS]: SIGTERM, then wait (10 s unless told) for the exit;
# $daemon_rc gets the exit status and $daemon_stop_ms how long it took.
daemon_stop() {
	_limit=${1:-10}
	_start=$(date +%s%N)
	kill -TERM "$daemon_pid"
	_i=0
	while proc_alive "$daemon_pid"; do
		_i=$((_i + 1))
		[ "$_i" -lt $((_limit * 10)) ] || {
			cat daemon.log >&2
			fail "the daemon did not exit within $_limit s of SIGTERM"
		}
		sleep 0.1
	done
	daemon_stop_ms=$((($(date +%s%N) - _start) / 1000000))
	daemon_rc=0
	wait "$daemon_pid" || daemon_rc=$?
}

# daemon_signal SIGNAL: send a signal to the running daemon.
daemon_signal() {
	kill -"$1" "$daemon_pid"
}

# https NAME PATH [CURL OPTIONS...]: a request to https://NAME:$port/PATH
# resolved to 127.0.0.1 and verified against the test CA (ca.crt); the body
# goes to body, the headers to headers, and "STATUS CONNECTS" to stdout.
https() {
	_name=$1 _path=$2
	shift 2
	curl -sS --max-time 10 --resolve "$_name:$port:127.0.0.1" \
	    --cacert ca.crt -D headers -o body \
	    -w '%{http_code} %{num_connects}\n' "$@" \
	    "https://$_name:$port$_path"
}

# header NAME [FILE]: the value of a response header (last one, no CR).
header() {
	tr -d '\r' < "${2:-headers}" |
	    awk -v h="$1" 'BEGIN { h = tolower(h) ":" }
	    tolower(substr($0, 1, length(h))) == h { v = substr($0, length(h) + 1); sub(/^ */, "", v) }
	    END { print v }'
}
