# SPDX-License-Identifier: GPL-2.0-or-later
# The main YAML replaced by rename (written to a temporary file in the same
# directory, then renamed over it, as sed -i, install and most editors do;
# and vim's way: the old file renamed to a backup, a new one written): new
# TLS connections get the new policy, byte for byte, less than a second
# after the rename; the other domain and the certificates are unchanged.
. "$TOP/tests/integration/lib.sh"

fixture_one_versions

# replace V HOW: put versions/vV.yaml in place of cfg.yaml, by HOW
# (rename: a temporary file renamed over it; backup: vim's default), and
# wait for its policy.
replace() {
	inode=$(stat -c %i cfg.yaml)
	t0=$(now_ms)
	case $2 in
	rename) replace_file "versions/v$1.yaml" cfg.yaml ;;
	backup)
		mv cfg.yaml cfg.yaml~
		cp "versions/v$1.yaml" cfg.yaml
		rm cfg.yaml~
		;;
	esac
	expect_one_version "$1" "$t0" "$2 $1"
	[ "$(stat -c %i cfg.yaml)" != "$inode" ] || fail "$2 $1: the same inode"
}
replace 2 rename
replace 3 rename
replace 1 rename
replace 2 backup
grep -E 'reloaded in' daemon.log
expect_clean_stop
