# SPDX-License-Identifier: GPL-2.0-or-later
# The project is GPL-2.0-or-later: COPYING holds the GPL version 2, every
# source file (C, shell, Python, the Makefile, the packaging's scripts and
# units, the manual pages' sources) says so in an SPDX-License-Identifier
# line among its first three, and debian/copyright (DEP-5) says the same.
. "$TOP/tests/integration/lib.sh"

tag='SPDX-License-Identifier: GPL-2.0-or-later'
grep -q 'GNU GENERAL PUBLIC LICENSE' "$TOP/COPYING" &&
    grep -q 'Version 2, June 1991' "$TOP/COPYING" ||
	fail "COPYING is not the GPL version 2"
expect_in "$TOP/packaging/debian/copyright" 'License: GPL-2+'
expect_not_in "$TOP/packaging/debian/copyright" 'not-yet-licensed'

command -v git >/dev/null 2>&1 && git -C "$TOP" rev-parse >/dev/null 2>&1 ||
	{ echo "not a git checkout: the file list comes from git"; exit 0; }
git -C "$TOP" ls-files > files
n=0
missing=
while read -r f; do
	case $f in tests/fuzz/corpus/*) continue ;; esac
	p=$TOP/$f
	case $f in
	*.c | *.h | *.sh | *.py | *.scd | *.service | *.sysusers | Makefile | \
	    */Containerfile | */rules) ;;
	*) head -c 2 "$p" | grep -q '^#!' || continue ;;
	esac
	n=$((n + 1))
	head -n 3 "$p" | grep -qF "$tag" || missing="$missing $f"
done < files
[ "$n" -ge 150 ] || fail "only $n source files found"
[ -z "$missing" ] || fail "no '$tag' line in:$missing"
echo "$n source files, each with its licence line"
