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
