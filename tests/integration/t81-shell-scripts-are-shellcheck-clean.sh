# The hooks operators install, and the project's own tools, are POSIX sh
# that shellcheck finds nothing wrong with.
. "$TOP/tests/integration/lib.sh"

shellcheck -s sh "$TOP"/acme-hooks/* "$TOP/tests/tools/mkpki" \
    "$TOP/examples/demo/run" > report 2>&1 || {
	cat report
	fail "shellcheck found problems"
}
