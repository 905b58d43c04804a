# The main YAML replaced by rename (written to a temporary file in the same
# directory, then renamed over it, as sed -i, install and most editors do;
# and vim's way: the old file renamed to a backup, a new one written): new
# TLS connections get the new policy, byte for byte, less than a second
# after the rename; the other domain and the certificates are unchanged.
. "$TOP/tests/integration/lib.sh"

mkpki .
mkpki . mta-sts.one.example mta-sts.two.example
service_readable certs
port=$(free_port)
mkdir versions
for v in 1 2 3; do
	case $v in
	1) two_domain_yaml testing mx.one.example ;;
	2) two_domain_yaml enforce "mx1.one.example, mx2.one.example" ;;
	3) two_domain_yaml none mx.one.example ;;
	esac > "versions/v$v.yaml"
	hostd policy -c "versions/v$v.yaml" one.example
	expect_rc 0
	mv out "versions/one.v$v"
	eval "id$v=\$(policy_id versions/one.v$v)"
done
hostd policy -c versions/v1.yaml two.example
mv out two.body
two_id=$(policy_id two.body)
cp versions/v1.yaml cfg.yaml
mkdir probe
chmod 644 cfg.yaml

daemon_start
expect_eq "$(served_id mta-sts.one.example)" "$id1" "one.example before"
expect_eq "$(served_id mta-sts.two.example)" "$two_id" "two.example before"
serial_one=$(served_serial mta-sts.one.example)
expect_eq "$serial_one" "$(file_serial certs/mta-sts.one.example.crt)" "certificate of mta-sts.one.example"

# replace V HOW: put versions/vV.yaml in place of cfg.yaml, by HOW
# (rename: a temporary file renamed over it; backup: vim's default), and
# wait for its policy.
replace() {
	inode=$(stat -c %i cfg.yaml)
	t0=$(now_ms)
	case $2 in
	rename)
		cp "versions/v$1.yaml" .cfg.yaml.tmp
		mv .cfg.yaml.tmp cfg.yaml
		;;
	backup)
		mv cfg.yaml cfg.yaml~
		cp "versions/v$1.yaml" cfg.yaml
		rm cfg.yaml~
		;;
	esac
	eval "want=\$id$1"
	expect_served 3 "$want" served_id mta-sts.one.example
	delay=$(($(now_ms) - t0))
	cmp probe/body "versions/one.v$1" || fail "$2 $1: not the bytes of one.v$1"
	[ "$(stat -c %i cfg.yaml)" != "$inode" ] || fail "$2 $1: the same inode"
	echo "$2 $1: new policy served $delay ms after the rename"
	[ "$delay" -lt 1000 ] || fail "$2 $1: the new policy took $delay ms (over 1 s)"
	expect_eq "$(served_id mta-sts.two.example)" "$two_id" "two.example after $2 $1"
	expect_eq "$(served_serial mta-sts.one.example)" "$serial_one" "certificate after $2 $1"
}
replace 2 rename
replace 3 rename
replace 1 rename
replace 2 backup
grep -E 'reloaded in' daemon.log
proc_alive "$daemon_pid" || fail "the daemon died"
daemon_stop
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
