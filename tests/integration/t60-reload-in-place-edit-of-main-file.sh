# The main YAML edited in place (truncated and rewritten, the same inode, as
# `vi` with backupcopy or `cat > file` do): new TLS connections get the new
# policy, byte for byte, less than a second after the write, without a
# signal; the other domain's policy and every certificate stay as they were.
. "$TOP/tests/integration/lib.sh"

mkpki .
mkpki . mta-sts.one.example mta-sts.two.example
service_readable certs
port=$(free_port)
for v in 1 2 3; do
	case $v in
	1) two_domain_yaml testing mx.one.example ;;
	2) two_domain_yaml enforce "mx1.one.example, mx2.one.example" ;;
	3) two_domain_yaml none mx.one.example ;;
	esac > "v$v.yaml"
	hostd policy -c "v$v.yaml" one.example
	expect_rc 0
	mv out "one.v$v"
	eval "id$v=\$(policy_id one.v$v)"
done
hostd policy -c v1.yaml two.example
mv out two.body
two_id=$(policy_id two.body)
cp v1.yaml cfg.yaml
mkdir probe
chmod 644 cfg.yaml
inode=$(stat -c %i cfg.yaml)

daemon_start
expect_eq "$(served_id mta-sts.one.example)" "$id1" "one.example before the edit"
cmp probe/body one.v1 || fail "one.example: not the bytes of one.v1"
expect_eq "$(served_id mta-sts.two.example)" "$two_id" "two.example before the edit"
serial_one=$(served_serial mta-sts.one.example)
expect_eq "$serial_one" "$(file_serial certs/mta-sts.one.example.crt)" "certificate of mta-sts.one.example"

# edit V: rewrite cfg.yaml in place with vV.yaml and wait for its policy.
edit() {
	t0=$(now_ms)
	cat "v$1.yaml" > cfg.yaml
	eval "want=\$id$1"
	expect_served 3 "$want" served_id mta-sts.one.example
	delay=$(($(now_ms) - t0))
	cmp probe/body "one.v$1" || fail "edit $1: not the bytes of one.v$1"
	expect_eq "$(stat -c %i cfg.yaml)" "$inode" "the file was edited in place"
	echo "edit $1: new policy served $delay ms after the write"
	[ "$delay" -lt 1000 ] || fail "edit $1: the new policy took $delay ms (over 1 s)"
	expect_eq "$(served_id mta-sts.two.example)" "$two_id" "two.example after edit $1"
	expect_eq "$(served_serial mta-sts.one.example)" "$serial_one" "certificate after edit $1"
}
edit 2
edit 3
edit 1
grep -E 'reloaded in' daemon.log
proc_alive "$daemon_pid" || fail "the daemon died"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
