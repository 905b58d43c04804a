# Helpers shared by the integration tests. Each test runs in its own empty
# directory ($T) with $MTA_STS_HOSTD naming the binary and $TOP the source tree.
set -eu

# The tests' Python clients import tlsclient.py from here.
PYTHONPATH="$TOP/tests/integration${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONPATH

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

# daemon_await_exit SECONDS WHAT: wait until $daemon_pid has exited, or fail
# saying it outlived WHAT by SECONDS (with daemon.log, if there is one).
daemon_await_exit() {
	_i=0
	while proc_alive "$daemon_pid"; do
		_i=$((_i + 1))
		[ "$_i" -lt $(($1 * 10)) ] || {
			[ ! -f daemon.log ] || cat daemon.log >&2
			fail "the daemon did not exit within $1 s of $2"
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
	daemon_await_exit "$_limit" SIGTERM
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

# ---- Reload tests (t6x, t7x): what a TLS client gets before and after a
# change to the files, polled for a bounded time.

# now_ms: milliseconds since the epoch.
now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# service_readable PATH...: the daemon re-reads files as nobody:nogroup
# after start-up, as the ACME hooks install them: directories traversable,
# keys (*.key, privkey*.pem) mode 0640 group nogroup, other files 0644.
# Symlinks are left alone; $T itself is made traversable.
service_readable() {
	chmod 755 "$T"
	for _p in "$@"; do
		find "$_p" -type d -exec chmod 755 {} +
		find "$_p" -type f \( -name '*.key' -o -name 'privkey*.pem' \) \
		    -exec chgrp nogroup {} + -exec chmod 640 {} +
		find "$_p" -type f ! -name '*.key' ! -name 'privkey*.pem' \
		    -exec chmod 644 {} +
	done
}

# policy_id FILE: the id of a policy body, the first 32 hex digits of the
# SHA-256 of its exact bytes.
policy_id() {
	sha256sum < "$1" | cut -c1-32
}

# served_id NAME: what a new TLS connection for NAME gets (the certificate
# verified against ca.crt): the policy id of the body (left in probe/body),
# "status N" for another status, or "failed: <curl's error>". What the
# probes write goes to probe/, so that polling makes no change in a
# directory the daemon watches (which would hold its reload back); make
# probe/ before starting the daemon, for the same reason.
served_id() {
	mkdir -p probe
	_code=$(curl -sS --max-time 5 --resolve "$1:$port:127.0.0.1" \
	    --cacert ca.crt -o probe/body -w '%{http_code}' \
	    "https://$1:$port/.well-known/mta-sts.txt" 2> probe/err) || {
		echo "failed: $(tr '\n' ' ' < probe/err)"
		return 0
	}
	if [ "$_code" = 200 ]; then
		policy_id probe/body
	else
		echo "status $_code"
	fi
}

# served_serial NAME: the serial of the certificate a handshake for NAME
# gets ("serial=..."), or "no certificate" when the handshake fails.
served_serial() {
	_s=$(timeout 5 openssl s_client -connect "127.0.0.1:$port" \
	    -servername "$1" </dev/null 2>/dev/null |
	    openssl x509 -noout -serial 2>/dev/null) || true
	echo "${_s:-no certificate}"
}

# file_serial CERT: the serial of a certificate file, as served_serial.
file_serial() {
	openssl x509 -in "$1" -noout -serial
}

# seconds_ms SECONDS: SECONDS (maybe with a fraction) in milliseconds.
seconds_ms() {
	awk -v s="$1" 'BEGIN { printf "%d\n", s * 1000 }'
}

# await SECONDS PATTERN COMMAND...: run COMMAND until its output matches the
# shell PATTERN, SECONDS at most. $await_got is the last output, $await_ms
# the time it took. Returns 1 on time-out.
await() {
	_limit=$(seconds_ms "$1") _pat=$2
	shift 2
	_t0=$(now_ms)
	while :; do
		await_got=$("$@" 2>&1) || true
		await_ms=$(($(now_ms) - _t0))
		# shellcheck disable=SC2254
		case $await_got in
		$_pat) return 0 ;;
		esac
		[ "$await_ms" -lt "$_limit" ] || return 1
		sleep 0.05
	done
}

# expect_served SECONDS PATTERN COMMAND...: await, or fail saying what was
# served instead (and the end of the daemon's log).
expect_served() {
	_what="$3 $4"
	await "$@" || {
		tail -20 daemon.log >&2
		fail "$_what: after $await_ms ms still '$await_got', expected '$2'"
	}
}

# expect_steady SECONDS WANT COMMAND...: COMMAND prints WANT every time over
# SECONDS (checked about every 0.25 s).
expect_steady() {
	_limit=$(seconds_ms "$1") _want=$2
	shift 2
	_t0=$(now_ms)
	while [ $(($(now_ms) - _t0)) -lt "$_limit" ]; do
		_got=$("$@" 2>&1) || true
		[ "$_got" = "$_want" ] || {
			tail -20 daemon.log >&2
			fail "$1 $2: after $(($(now_ms) - _t0)) ms got '$_got', expected '$_want' all along"
		}
		sleep 0.25
	done
}

# expect_unrecognized NAME: a handshake for NAME is refused with the
# unrecognized_name alert (112) and no certificate is sent.
expect_unrecognized() {
	_rc=0
	mkdir -p probe
	timeout 10 openssl s_client -connect "127.0.0.1:$port" \
	    -servername "$1" -CAfile ca.crt </dev/null > probe/s.out 2>&1 ||
	    _rc=$?
	[ "$_rc" -ne 0 ] ||
	    fail "the handshake for $1 succeeded: $(cat probe/s.out)"
	expect_in probe/s.out "SSL alert number 112"
	expect_not_in probe/s.out "BEGIN CERTIFICATE"
}

# log_mark: the number of lines in daemon.log now, for log_since/await_log.
log_mark() {
	wc -l < daemon.log | tr -d ' '
}

# log_since MARK: the lines daemon.log got after log_mark printed MARK.
log_since() {
	tail -n "+$(($1 + 1))" daemon.log
}

# log_count_since MARK REGEX: how many of those lines match REGEX (ERE).
log_count_since() {
	log_since "$1" | grep -cE -- "$2" || true
}

# await_log SECONDS MARK REGEX: wait until a line logged after MARK matches
# the extended REGEX, or fail showing those lines.
await_log() {
	await "$1" '[1-9]*' log_count_since "$2" "$3" || {
		log_since "$2" >&2
		fail "no line matching '$3' in the daemon's log within $1 s"
	}
}

# expect_log_since MARK REGEX: a line logged after MARK matches REGEX.
expect_log_since() {
	[ "$(log_count_since "$1" "$2")" -gt 0 ] || {
		log_since "$1" >&2
		fail "no line matching '$2' in the daemon's log"
	}
}

# expect_no_log_since MARK REGEX: no line logged after MARK matches REGEX.
expect_no_log_since() {
	[ "$(log_count_since "$1" "$2")" -eq 0 ] || {
		log_since "$1" >&2
		fail "unexpected line matching '$2' in the daemon's log"
	}
}

# one_domain_yaml: server_yaml, certificates in certs/, and one.example in
# enforce mode.
one_domain_yaml() {
	server_yaml
	cat <<'YAML'
certificates: [{directory: certs}]
domains:
  one.example: {mode: enforce, mx: [mx.one.example], max_age: 1209600}
YAML
}

# serve_one_domain: a throwaway PKI with mta-sts.one.example, the daemon
# serving one_domain_yaml on a free $port, and the policy in ./expected.
serve_one_domain() {
	mkpki .
	mkpki . mta-sts.one.example
	port=$(free_port)
	one_domain_yaml > cfg.yaml
	daemon_start
	hostd policy -c cfg.yaml one.example
	mv out expected
}

# two_domain_yaml MODE MX: server_yaml, certificates in certs/, and two
# domains: one.example with the given policy, two.example fixed (the reload
# tests change one and check the other stays).
two_domain_yaml() {
	server_yaml
	cat <<YAML
certificates: [{directory: certs}]
domains:
  one.example: {mode: $1, mx: [$2], max_age: 604800}
  two.example: {mode: enforce, mx: [mx.two.example], max_age: 1209600}
YAML
}
