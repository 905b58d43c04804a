# The restart notes compare with what the running process uses: `listen`,
# `user`/`group`, `workers` and `limits` changed (logged as taking effect at
# the next restart), then changed back to the values the daemon runs with:
# that reload says nothing about a restart (nothing would change), while the
# daemon keeps serving on its port with the new policy.
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
config "$port2" daemon daemon 3 500 enforce > staged/changed.yaml
config "$port" nobody nogroup 2 1000 none > staged/back.yaml
hostd policy -c staged/back.yaml a.example
id_back=$(policy_id out)

daemon_start
# install FILE: rename FILE over cfg.yaml and wait for the reload.
install_config() {
	mark=$(log_mark)
	cp "$1" .cfg.yaml.new
	mv .cfg.yaml.new cfg.yaml
	await_log 3 "$mark" 'reloaded in|reload refused'
	expect_no_log_since "$mark" 'reload refused'
}
install_config staged/changed.yaml
[ "$(log_count_since "$mark" 'take effect at the next restart')" -eq 3 ] ||
	fail "expected 3 restart notes: $(log_since "$mark")"
install_config staged/back.yaml
expect_eq "$(served_id mta-sts.a.example)" "$id_back" "the policy after going back"
port_accepts "$port" || fail "no longer listening on 127.0.0.1:$port"
expect_no_log_since "$mark" 'take effect at the next restart'
proc_alive "$daemon_pid" || fail "the daemon died"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
