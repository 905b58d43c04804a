# Settings that only a restart can apply: a reload that changes `listen`
# and `user`/`group` logs that each takes effect at the next restart, still
# applies the rest of the change (the new policy is served), and the daemon
# keeps listening where it was, as the user it was (the new port stays
# closed). The same for `workers` and `limits`. (Changing them back: t76.)
. "$TOP/tests/integration/lib.sh"

mkpki .
mkpki . mta-sts.a.example
service_readable certs
mkdir probe staged
port=$(free_port)
port2=$(free_port)
while [ "$port2" = "$port" ]; do port2=$(free_port); done
# config LISTEN_PORT USER GROUP WORKERS MAX_CONNECTIONS MODE
config() {
	cat <<YAML
server:
  listen: ["127.0.0.1:$1"]
  user: $2
  group: $3
  workers: $4
limits:
  max_connections: $5
certificates: [{directory: certs}]
domains:
  a.example: {mode: $6, mx: [mx.a.example], max_age: 1209600}
YAML
}
config "$port" nobody nogroup 2 1000 testing > cfg.yaml
config "$port2" daemon daemon 2 1000 enforce > staged/listen-user.yaml
config "$port2" daemon daemon 3 500 enforce > staged/workers-limits.yaml
hostd policy -c staged/listen-user.yaml a.example
id_new=$(policy_id out)
uid=$(id -u nobody)

daemon_start
# install FILE: rename FILE over cfg.yaml and wait for the reload.
install_config() {
	mark=$(log_mark)
	cp "$1" .cfg.yaml.new
	mv .cfg.yaml.new cfg.yaml
	await_log 3 "$mark" 'reloaded in|reload refused'
	expect_no_log_since "$mark" 'reload refused'
}
# expect_same_process: still listening on $port only, every thread nobody.
expect_same_process() {
	port_accepts "$port" || fail "no longer listening on 127.0.0.1:$port"
	! port_accepts "$port2" || fail "listening on the new port $port2 without a restart"
	for status in /proc/"$daemon_pid"/task/*/status; do
		expect_eq "$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "$status")" "$uid $uid $uid $uid" "Uid in $status"
	done
	expect_eq "$(awk '$1 == "Threads:" { print $2 }' "/proc/$daemon_pid/status")" 3 "threads (main and 2 workers)"
}

# ---- listen, user and group
install_config staged/listen-user.yaml
expect_log_since "$mark" 'warning: reload: the new listen addresses take effect at the next restart'
expect_log_since "$mark" 'warning: reload: the new user and group take effect at the next restart'
expect_no_log_since "$mark" 'workers and limits'
expect_eq "$(served_id mta-sts.a.example)" "$id_new" "the new policy on the old port"
expect_same_process

# ---- workers and limits
install_config staged/workers-limits.yaml
expect_log_since "$mark" 'warning: reload: new workers and limits take effect at the next restart'
expect_same_process

proc_alive "$daemon_pid" || fail "the daemon died"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
