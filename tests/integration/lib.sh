# SPDX-License-Identifier: GPL-2.0-or-later
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

# require_tools TOOL...: fail naming the first TOOL that is not installed.
require_tools() {
	for _rt_tool in "$@"; do
		command -v "$_rt_tool" >/dev/null ||
		    fail "$_rt_tool is not installed"
	done
}

# sanitizer: the sanitizer $MTA_STS_HOSTD is built with: asan (with UBSan),
# tsan, or nothing. Memory and thread counts of a daemon built with one are
# not a normal daemon's.
sanitizer() {
	if grep -qa __asan_init "$MTA_STS_HOSTD"; then
		echo asan
	elif grep -qa __tsan_init "$MTA_STS_HOSTD"; then
		echo tsan
	fi
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
	_wf_limit=$1
	shift
	_wf_i=0
	while ! "$@" >/dev/null 2>&1; do
		_wf_i=$((_wf_i + 1))
		[ "$_wf_i" -lt $((_wf_limit * 10)) ] || return 1
		sleep 0.1
	done
}

# ---- A real ACME server ---------------------------------------------------

# pebble_start: Debian's pebble on loopback, with pebble-challtestsrv as
# its DNS server (every name 127.0.0.1 unless chal_a says otherwise). Sets
# pebble_url (its directory), dns (the DNS port, for --resolver), chal (the
# mock DNS's management port), http01 (where pebble validates HTTP-01) and
# writes pebble-root.pem (the root it issues under). Call daemon_trap first:
# both are stopped at the end like the daemon.
pebble_start() {
	mkpki pki localhost	# pebble's own API certificate
	dns=$(free_port) chal=$(free_port) _pb_api=$(free_port)
	_pb_mgmt=$(free_port) http01=$(free_port)
	pebble-challtestsrv -defaultIPv4 127.0.0.1 -defaultIPv6 "" \
	    -dns01 "127.0.0.1:$dns" -http01 "" -https01 "" -tlsalpn01 "" \
	    -management "127.0.0.1:$chal" > challtestsrv.log 2>&1 &
	daemon_pids="$daemon_pids $!"
	cat > pebble.json <<JSON
{"pebble": {"listenAddress": "127.0.0.1:$_pb_api",
  "managementListenAddress": "127.0.0.1:$_pb_mgmt",
  "certificate": "$T/pki/certs/localhost.crt",
  "privateKey": "$T/pki/certs/localhost.key",
  "httpPort": $http01, "tlsPort": 5001,
  "ocspResponderURL": "", "externalAccountBindingRequired": false}}
JSON
	PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 \
	    pebble -config pebble.json -dnsserver "127.0.0.1:$dns" \
	    > pebble.log 2>&1 &
	daemon_pids="$daemon_pids $!"
	pebble_url="https://localhost:$_pb_api/dir"
	wait_for 20 curl -s --cacert pki/ca.crt "$pebble_url" ||
		fail "pebble did not start: $(cat pebble.log)"
	curl -s --cacert pki/ca.crt "https://localhost:$_pb_mgmt/roots/0" \
	    > pebble-root.pem
	grep -q "BEGIN CERTIFICATE" pebble-root.pem || fail "no pebble root"
	# certbot (requests) and lego trust pebble's API through these.
	export REQUESTS_CA_BUNDLE="$T/pki/ca.crt" LEGO_CA_CERTIFICATES="$T/pki/ca.crt"
}

# chal_a NAME [ADDRESS]: the mock DNS answers NAME with ADDRESS, or again
# with its default (127.0.0.1) without one.
chal_a() {
	if [ $# -gt 1 ]; then
		curl -sf -d "{\"host\": \"$1.\", \"addresses\": [\"$2\"]}" \
		    "http://127.0.0.1:$chal/add-a" >/dev/null
	else
		curl -sf -d "{\"host\": \"$1.\"}" \
		    "http://127.0.0.1:$chal/clear-a" >/dev/null
	fi || fail "pebble-challtestsrv refused the change of $1"
}

# pebble_fetch DOMAIN: the policy of DOMAIN from the daemon on $port, over
# TLS verified against pebble's root alone.
pebble_fetch() {
	curl -sS --cacert pebble-root.pem \
	    --resolve "mta-sts.$1:$port:127.0.0.1" \
	    "https://mta-sts.$1:$port/.well-known/mta-sts.txt"
}
# pebble_serial DOMAIN: the serial of the certificate served for it.
pebble_serial() {
	timeout 5 openssl s_client -connect "127.0.0.1:$port" \
	    -servername "mta-sts.$1" -CAfile pebble-root.pem </dev/null \
	    2>/dev/null | openssl x509 -noout -serial 2>/dev/null
}
# pebble_served DOMAIN: wait (bounded) until its policy is served over TLS
# verified against pebble's root, equal to policies/DOMAIN.
pebble_served() {
	_ps_i=0
	until pebble_fetch "$1" > got 2>/dev/null && [ -s got ]; do
		_ps_i=$((_ps_i + 1))
		[ $_ps_i -lt 50 ] ||
			fail "$1 not served: $(tail -5 daemon.log)"
		sleep 0.1
	done
	cmp got "policies/$1" || fail "$1: the served policy differs"
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

# daemon_start [CONFIG [COMMAND...]]: run `serve --foreground` on CONFIG
# (cfg.yaml), its log appended to daemon.log, and wait (10 s at most) until
# $port accepts. COMMAND, when given, runs the daemon (setpriv ... runs
# "$MTA_STS_HOSTD" serve ...). Sets $daemon_pid.
daemon_start() {
	daemon_trap
	_ds_cfg=${1:-cfg.yaml}
	[ $# -eq 0 ] || shift
	_ds_started=$(grep -c ' started: serving' daemon.log 2>/dev/null || true)
	"$@" "$MTA_STS_HOSTD" serve --foreground -c "$_ds_cfg" 2>>daemon.log &
	daemon_pid=$!
	daemon_pids="$daemon_pids $daemon_pid"
	_i=0
	# The port accepts once it is bound, before start-up is over: wait for
	# the line that says it is, too.
	until port_accepts "$port" &&
	    [ "$(grep -c ' started: serving' daemon.log || true)" -gt "${_ds_started:-0}" ]; do
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
# shellcheck disable=SC2034 # for the tests
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

# expect_clean_stop [SECONDS]: the daemon is still running, and SIGTERM
# makes it exit with status 0 (daemon_stop SECONDS).
expect_clean_stop() {
	proc_alive "$daemon_pid" || {
		tail -20 daemon.log >&2
		fail "the daemon died"
	}
	daemon_stop "$@"
	expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
}

# await_child PID SECONDS WHAT [LOG]: wait for the test's background
# process PID to end, SECONDS at most (then it is killed and the test
# fails), and fail if it ended with another status than 0, showing LOG.
await_child() {
	_ac_i=0
	while proc_alive "$1"; do
		_ac_i=$((_ac_i + 1))
		[ "$_ac_i" -lt $(($2 * 10)) ] || {
			kill "$1" 2>/dev/null || true
			fail "$3: still running after $2 s"
		}
		sleep 0.1
	done
	wait "$1" || {
		[ -z "${4:-}" ] || cat "$4" >&2
		fail "$3 failed"
	}
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

# await_http URL [CURL OPTIONS...]: wait (10 s at most) until URL answers
# (a listener of the daemon's is up), or fail with the daemon's log.
await_http() {
	_ah_url=$1
	shift
	wait_for 10 curl -s -o /dev/null "$@" "$_ah_url" || {
		cat daemon.log >&2
		fail "no answer from $_ah_url"
	}
}

# ---- Fixtures: the files and the daemon most tests start from.
#
# pki/ holds the test CA (pki/ca.crt, pki/ca.key) and every certificate
# issued (pki/certs/NAME.crt and .key), ./ca.crt a copy of the CA for the
# clients; certs/ is the certificate directory of the configuration, with
# certificates installed from pki/certs/; probe/ is where the clients write
# (see served_id); cfg.yaml is the configuration, policies/DOMAIN the body
# each domain's policy had when the daemon started.

# domains_yaml SPEC...: a domains: section (a customer file), a domain for
# each SPEC, DOMAIN[=POLICY]: POLICY is a YAML flow mapping used as it is
# ({mode: testing, mx: [mx1.a.example], max_age: 86400}) or a mode (a word:
# {mode: WORD, mx: [mx.DOMAIN], max_age: 1209600}); without it the policy
# is {mode: enforce, mx: [mx.DOMAIN], max_age: 1209600}.
domains_yaml() {
	echo "domains:"
	for _dy_spec in "$@"; do
		_dy_d=${_dy_spec%%=*}
		case $_dy_spec in
		*=\{*) echo "  $_dy_d: ${_dy_spec#*=}" ;;
		*=*) echo "  $_dy_d: {mode: ${_dy_spec#*=}, mx: [mx.$_dy_d], max_age: 1209600}" ;;
		*) echo "  $_dy_d: {mode: enforce, mx: [mx.$_dy_d], max_age: 1209600}" ;;
		esac
	done
}

# daemon_yaml [OPTION...] [SPEC...]: a configuration: the server section
# (127.0.0.1:$port, user nobody, group nogroup, 2 workers), what the
# options add, certificates: [{directory: certs}] and domains_yaml SPEC...
# (no domains: without a SPEC). Options, each with a value:
#   --port N        listen on 127.0.0.1:N, not $port
#   --user U:G      run as user U, group G
#   --workers N     N workers
#   --server LINE   one more key of the server section ('seccomp: false')
#   --yaml TEXT     top-level YAML after the server section ('limits: {...}')
#   --include GLOB  include: [GLOB]
#   --certs LIST    certificates: [LIST]
# --server and --yaml may be given more than once.
daemon_yaml() {
	_dy_port=$port _dy_user=nobody _dy_group=nogroup _dy_workers=2
	_dy_server='' _dy_top='' _dy_include='' _dy_certs='{directory: certs}'
	while [ $# -gt 0 ]; do
		case $1 in
		--port) _dy_port=$2 ;;
		--user) _dy_user=${2%%:*} _dy_group=${2#*:} ;;
		--workers) _dy_workers=$2 ;;
		--server) _dy_server="$_dy_server  $2
" ;;
		--yaml) _dy_top="$_dy_top$2
" ;;
		--include) _dy_include=$2 ;;
		--certs) _dy_certs=$2 ;;
		*) break ;;
		esac
		shift 2
	done
	printf 'server:\n  listen: ["127.0.0.1:%s"]\n  user: %s\n  group: %s\n  workers: %s\n%s%s' \
	    "$_dy_port" "$_dy_user" "$_dy_group" "$_dy_workers" "$_dy_server" \
	    "$_dy_top"
	[ -z "$_dy_include" ] || echo "include: [$_dy_include]"
	echo "certificates: [$_dy_certs]"
	[ $# -eq 0 ] || domains_yaml "$@"
}

# install_cert FROM TO: the certificate FROM.crt and its key FROM.key
# installed as TO.crt and TO.key the way the ACME hooks do it: copied to
# temporary names in TO's directory (made if missing), the key 0640 group
# nogroup and the certificate 0644, then renamed into place, the key first.
install_cert() {
	_ic_tmp=$(dirname "$2")/.installing
	mkdir -p "${_ic_tmp%/*}"
	cp "$1.key" "$_ic_tmp.key"
	cp "$1.crt" "$_ic_tmp.crt"
	chgrp nogroup "$_ic_tmp.key"
	chmod 640 "$_ic_tmp.key"
	chmod 644 "$_ic_tmp.crt"
	mv "$_ic_tmp.key" "$2.key"
	mv "$_ic_tmp.crt" "$2.crt"
}

# cert_versions DOMAIN N...: certificates for mta-sts.DOMAIN, one for each
# N, in pki/certs/LABEL<N>.crt and .key (LABEL: DOMAIN's first label, so
# a1, a2 for a.example), to install and replace while the daemon runs.
cert_versions() {
	_cv_d=$1
	shift
	for _cv_n in "$@"; do
		mkpki pki --out "${_cv_d%%.*}$_cv_n" "mta-sts.$_cv_d"
	done
}

# fixture_prepare [DOMAIN...]: what a daemon test needs before its
# configuration, made once however often it is called: the test CA in pki/
# and ./ca.crt; for each DOMAIN a certificate for mta-sts.DOMAIN in certs/
# (issued into pki/certs/ unless it is there, installed unless certs/ has
# one already); certs/ and probe/; pki/ and certs/ readable by the service
# user (service_readable); and $port, a free port unless the test set one.
fixture_prepare() {
	mkpki pki
	cp pki/ca.crt ca.crt
	mkdir -p certs probe
	_fp_new=
	for _fp_d in "$@"; do
		[ -f "pki/certs/mta-sts.$_fp_d.crt" ] ||
		    [ -f "certs/mta-sts.$_fp_d.crt" ] ||
		    _fp_new="$_fp_new mta-sts.$_fp_d"
	done
	# shellcheck disable=SC2086 # names without blanks
	[ -z "$_fp_new" ] || mkpki pki $_fp_new
	for _fp_d in "$@"; do
		[ -f "certs/mta-sts.$_fp_d.crt" ] ||
		    install_cert "pki/certs/mta-sts.$_fp_d" "certs/mta-sts.$_fp_d"
	done
	service_readable pki certs
	[ -n "${port:-}" ] || port=$(free_port)
}

# fixture_daemon [OPTION...] SPEC...: the daemon serving a domain for each
# SPEC (DOMAIN[=POLICY], see domains_yaml): fixture_prepare for the domains
# (so $port too), the configuration (cfg.yaml, daemon_yaml), each domain's
# policy body in policies/DOMAIN, then daemon_start ($daemon_pid). It may be
# called again, after daemon_stop, to restart with another configuration.
# Options, besides daemon_yaml's:
#   --customer SPEC   the domain in a customer file of its own,
#                     domains.d/LABEL.yaml (LABEL: its first label), which
#                     the configuration includes
#   --no-cert DOMAIN  no certificate for DOMAIN
#   --no-certs        no certificate for any domain (the test makes them)
#   --config FILE     the configuration in FILE, not cfg.yaml
#   --no-start        all of it but daemon_start
fixture_daemon() {
	_fd_cfg=cfg.yaml _fd_start=1 _fd_certs=1 _fd_nocert='' _fd_domains=''
	_fd_customers=''
	_fd_n=$#
	while [ "$_fd_n" -gt 0 ]; do
		_fd_take=1
		case $1 in
		--customer)
			_fd_customers="$_fd_customers
$2"
			_fd_domains="$_fd_domains ${2%%=*}" _fd_take=2 ;;
		--no-cert) _fd_nocert="$_fd_nocert $2 " _fd_take=2 ;;
		--no-certs) _fd_certs=0 ;;
		--config) _fd_cfg=$2 _fd_take=2 ;;
		--no-start) _fd_start=0 ;;
		--port | --user | --workers | --server | --yaml | --include | --certs)
			set -- "$@" "$1" "$2"; _fd_take=2 ;;
		--*) fail "fixture_daemon: unknown option $1" ;;
		*) set -- "$@" "$1"; _fd_domains="$_fd_domains ${1%%=*}" ;;
		esac
		shift "$_fd_take"
		_fd_n=$((_fd_n - _fd_take))
	done
	_fd_want=
	if [ "$_fd_certs" = 1 ]; then
		for _fd_d in $_fd_domains; do
			case $_fd_nocert in
			*" $_fd_d "*) ;;
			*) _fd_want="$_fd_want $_fd_d" ;;
			esac
		done
	fi
	# shellcheck disable=SC2086 # names without blanks
	fixture_prepare $_fd_want
	_fd_dir=$(dirname "$_fd_cfg")
	mkdir -p "$_fd_dir" policies
	if [ -n "$_fd_customers" ]; then
		mkdir -p "$_fd_dir/domains.d"
		echo "$_fd_customers" | while read -r _fd_spec; do
			[ -z "$_fd_spec" ] || domains_yaml "$_fd_spec" \
			    > "$_fd_dir/domains.d/${_fd_spec%%.*}.yaml"
		done
		set -- --include 'domains.d/*.yaml' "$@"
	fi
	daemon_yaml "$@" > "$_fd_cfg"
	chmod 644 "$_fd_cfg"
	for _fd_d in $_fd_domains; do
		policy_body "$_fd_cfg" "$_fd_d" > "policies/$_fd_d" || exit 1
	done
	[ "$_fd_start" = 0 ] || daemon_start "$_fd_cfg"
}

# policy_body CONFIG DOMAIN: the exact bytes `policy` prints for DOMAIN in
# CONFIG (a configuration or a customer file), run in probe/ so that nothing
# changes where the daemon watches; a failure fails the test. Sets $_pb_cfg
# (CONFIG's absolute path).
policy_body() {
	case $1 in /*) _pb_cfg=$1 ;; *) _pb_cfg=$T/$1 ;; esac
	(mkdir -p "$T/probe" && cd "$T/probe" && hostd policy -c "$_pb_cfg" "$2" &&
	    expect_rc 0 "policy -c $1 $2" && cat out) || exit 1
}

# config_id CONFIG DOMAIN: the id of DOMAIN's policy in CONFIG, the first 32
# hex digits of the SHA-256 of policy_body, which `policy --id` must print
# too. Use it in an assignment (id=$(config_id ...)): a failure in $(...)
# stops the test only there.
config_id() {
	mkdir -p "$T/probe"
	policy_body "$1" "$2" > "$T/probe/policy" || exit 1
	_ci_id=$(policy_id "$T/probe/policy")
	(cd "$T/probe" && hostd policy --id -c "$_pb_cfg" "$2" &&
	    expect_rc 0 "policy --id -c $1 $2" &&
	    expect_eq "$(cat out)" "$_ci_id" "policy --id -c $1 $2, the SHA-256 of its body") ||
	    exit 1
	echo "$_ci_id"
}

# other_free_port PORT: a free port that is not PORT.
other_free_port() {
	for _ofp_i in 1 2 3 4 5 6 7 8 9 10; do
		_ofp_p=$(free_port)
		[ "$_ofp_p" = "$1" ] || { echo "$_ofp_p"; return 0; }
	done
	fail "no free port other than $1 (try $_ofp_i)"
}

# ---- Watching the daemon pick up a change.

# replace_file SRC DEST: DEST replaced by a copy of SRC the way editors and
# installers do it: written to a temporary file in DEST's directory (a
# dotfile, so that no glob includes it), then renamed over DEST.
replace_file() {
	_rf_tmp=$(dirname "$2")/.$(basename "$2").new
	cp "$1" "$_rf_tmp"
	mv "$_rf_tmp" "$2"
}

# config_replace SRC [SECONDS]: replace_file SRC cfg.yaml, then wait
# (SECONDS, 3 unless told) for the reload it makes, which must not be
# refused. $mark is the length of the log before the change.
config_replace() {
	mark=$(log_mark)
	replace_file "$1" cfg.yaml
	await_log "${2:-3}" "$mark" 'reloaded in|reload refused'
	expect_no_log_since "$mark" 'reload refused'
}

# hup_reload [SECONDS [REGEX]]: SIGHUP, then wait (SECONDS each, 5 unless
# told) until the log has that reload's "SIGHUP: reloading" and after it a
# line matching REGEX ('reloaded in' unless told). $mark is the length of
# the log before the signal, $hup_ms the time from the signal to the line.
# shellcheck disable=SC2034 # for the tests
hup_reload() {
	_hr_limit=${1:-5} _hr_re=${2:-reloaded in}
	mark=$(log_mark)
	_hr_t0=$(now_ms)
	daemon_signal HUP
	await_log "$_hr_limit" "$mark" 'SIGHUP: reloading'
	_hr_at=$(log_since "$mark" | grep -n 'SIGHUP: reloading' | head -1 |
	    cut -d: -f1)
	await_log "$_hr_limit" $((mark + _hr_at)) "$_hr_re"
	hup_ms=$(($(now_ms) - _hr_t0))
}

# expect_policy NAME FILE [WHAT]: a new TLS connection for NAME gets 200
# and exactly the bytes of FILE (left in probe/body, see served_id).
expect_policy() {
	_ep_got=$(served_id "$1")
	_ep_want=$(policy_id "$2")
	if [ "$_ep_got" != "$_ep_want" ] || ! cmp -s probe/body "$2"; then
		fail "${3:-$1}: served '$_ep_got' $(od -c probe/body | head -3), expected $2 ($_ep_want): $(od -c "$2" | head -3)"
	fi
}

# expect_good_client WHAT [DOMAIN]: a client on a connection of its own for
# mta-sts.DOMAIN (one.example) gets 200 with exactly policies/DOMAIN (in
# body, see https).
expect_good_client() {
	_gc_d=${2:-one.example}
	expect_eq "$(https "mta-sts.$_gc_d" /.well-known/mta-sts.txt)" "200 1" \
	    "a good client ($1)"
	cmp -s body "policies/$_gc_d" ||
	    fail "a good client got another body ($1)"
}

# ---- The main file's versions (t60, t61): one.example changes, two.example
# and every certificate stay.

# fixture_one_versions: versions/v1.yaml, v2.yaml and v3.yaml,
# configurations that differ in one.example's policy only (testing; enforce
# with two mx; none), one.example's body in versions/one.vN and
# two.example's in versions/two, and the daemon started on a copy of
# v1.yaml in cfg.yaml, serving those policies and certificates.
fixture_one_versions() {
	fixture_prepare one.example two.example
	mkdir -p versions
	for _ov_v in 1 2 3; do
		case $_ov_v in
		1) _ov_p='{mode: testing, mx: [mx.one.example], max_age: 604800}' ;;
		2) _ov_p='{mode: enforce, mx: [mx1.one.example, mx2.one.example], max_age: 604800}' ;;
		3) _ov_p='{mode: none, mx: [mx.one.example], max_age: 604800}' ;;
		esac
		daemon_yaml one.example="$_ov_p" two.example \
		    > "versions/v$_ov_v.yaml"
		policy_body "versions/v$_ov_v.yaml" one.example \
		    > "versions/one.v$_ov_v"
	done
	policy_body versions/v1.yaml two.example > versions/two
	cp versions/v1.yaml cfg.yaml
	chmod 644 cfg.yaml
	daemon_start
	expect_policy mta-sts.one.example versions/one.v1 "one.example at start"
	expect_policy mta-sts.two.example versions/two "two.example at start"
	expect_eq "$(served_serial mta-sts.one.example)" \
	    "$(file_serial certs/mta-sts.one.example.crt)" \
	    "certificate of mta-sts.one.example"
}

# expect_one_version V T0 WHAT: less than a second after T0 (now_ms before
# a change), new connections for mta-sts.one.example get versions/one.vV
# byte for byte, and two.example's policy and one's certificate are as
# they were.
expect_one_version() {
	expect_served 3 "$(policy_id "versions/one.v$1")" served_id \
	    mta-sts.one.example
	_eo_ms=$(($(now_ms) - $2))
	cmp probe/body "versions/one.v$1" ||
	    fail "$3: not the bytes of versions/one.v$1"
	echo "$3: new policy served $_eo_ms ms after the change"
	[ "$_eo_ms" -lt 1000 ] ||
	    fail "$3: the new policy took $_eo_ms ms (over 1 s)"
	expect_policy mta-sts.two.example versions/two "two.example after $3"
	expect_eq "$(served_serial mta-sts.one.example)" \
	    "$(file_serial certs/mta-sts.one.example.crt)" "certificate after $3"
}

# ---- The settings only a restart applies (t69, t76).

# restart_yaml LISTEN_PORT USER:GROUP WORKERS MAX_CONNECTIONS MODE: a
# configuration of a.example in MODE with these settings.
restart_yaml() {
	daemon_yaml --port "$1" --user "$2" --workers "$3" \
	    --yaml "limits: {max_connections: $4}" a.example="$5"
}

# fixture_restart: fixture_prepare for a.example, staged/, $port2 (a free
# port, not $port) and cfg.yaml, restart_yaml "$port" nobody:nogroup 2 1000
# testing, for the test to change.
# shellcheck disable=SC2034 # for the tests
fixture_restart() {
	fixture_prepare a.example
	mkdir -p staged
	port2=$(other_free_port "$port")
	restart_yaml "$port" nobody:nogroup 2 1000 testing > cfg.yaml
}

# ---- DNS tests (t2x): the hoster's templates and the domains they share.

# dns_rua: $RUA, beta.example's TLS-RPT report URIs (four, joined by
# commas), $LONG_TLSRPT, the record they make, long enough (over 255 bytes)
# to be split into several strings, and $HOSTER_TLSRPT, the hoster's record.
# shellcheck disable=SC2034 # for the tests
dns_rua() {
	RUA="mailto:tls-reports-with-a-rather-long-local-part-for-testing@reports.beta.example,"
	RUA="${RUA}mailto:second-mailbox-for-tls-reporting-purposes@backup-reports.beta.example,"
	RUA="${RUA}https://reports.beta.example/tlsrpt/v1/submit/with/a/very/long/path/segment,"
	RUA="${RUA}https://another-report-collector.beta.example/tls-rpt/upload"
	LONG_TLSRPT="v=TLSRPTv1; rua=$RUA"
	HOSTER_TLSRPT="v=TLSRPTv1; rua=mailto:tlsrpt@hoster.example"
	[ ${#LONG_TLSRPT} -gt 255 ] ||
	    fail "the long TLS-RPT record is only ${#LONG_TLSRPT} bytes"
}

# hoster_yaml [MAX_AGE]: the policies: of the hoster, the templates
# hoster-mx (enforce, mx1 and mx2.hoster.example, max_age 1209600) and
# hoster-testing (testing, mx1.hoster.example, max_age MAX_AGE if given).
hoster_yaml() {
	printf 'policies:\n  hoster-mx:\n    mode: enforce\n    mx: [mx1.hoster.example, mx2.hoster.example]\n    max_age: 1209600\n'
	printf '  hoster-testing:\n    mode: testing\n    mx: [mx1.hoster.example]\n'
	[ $# -eq 0 ] || echo "    max_age: $1"
}

# beta_yaml: beta.example's entry in domains:, the template hoster-mx with
# max_age 2419200 and the long TLS-RPT rua of dns_rua.
beta_yaml() {
	printf '  beta.example:\n    policy: hoster-mx\n    max_age: 2419200\n    tlsrpt:\n      rua:\n'
	echo "$RUA" | tr , '\n' | sed 's/^/        - /'
}

# shop_yaml TEMPLATE: shop.parent.example's entry in domains:, TEMPLATE's
# policy, in the zone parent.example.
shop_yaml() {
	printf '  shop.parent.example:\n    policy: %s\n    zone: parent.example\n' "$1"
}

# own_yaml: own.example's entry in domains:, a policy of its own (testing,
# mail.own.example).
own_yaml() {
	printf '  own.example:\n    mode: testing\n    mx: [mail.own.example]\n'
}
