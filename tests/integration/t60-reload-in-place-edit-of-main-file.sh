# SPDX-License-Identifier: GPL-2.0-or-later
# The main YAML edited in place (truncated and rewritten, the same inode, as
# `vi` with backupcopy or `cat > file` do): new TLS connections get the new
# policy, byte for byte, less than a second after the write, without a
# signal; the other domain's policy and every certificate stay as they were.
. "$TOP/tests/integration/lib.sh"

fixture_one_versions
inode=$(stat -c %i cfg.yaml)

# edit V: rewrite cfg.yaml in place with versions/vV.yaml and wait for its
# policy.
edit() {
	t0=$(now_ms)
	cat "versions/v$1.yaml" > cfg.yaml
	expect_one_version "$1" "$t0" "edit $1"
	expect_eq "$(stat -c %i cfg.yaml)" "$inode" "the file was edited in place"
}
edit 2
edit 3
edit 1
grep -E 'reloaded in' daemon.log
expect_clean_stop
