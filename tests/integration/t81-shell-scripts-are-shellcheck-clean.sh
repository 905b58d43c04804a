# SPDX-License-Identifier: GPL-2.0-or-later
# The hooks operators install, and the project's own tools (the PKI and demo
# scripts, the integration tests' runner and lib.sh, which every test
# sources), are POSIX sh that shellcheck finds nothing wrong with.
. "$TOP/tests/integration/lib.sh"

shellcheck -s sh "$TOP"/acme-hooks/* "$TOP/tests/tools/mkpki" \
    "$TOP/examples/demo/run" "$TOP/tests/integration/run" \
    "$TOP/tests/integration/lib.sh" > report 2>&1 || {
	cat report
	fail "shellcheck found problems"
}
