# SPDX-License-Identifier: GPL-2.0-or-later
# Exit codes scripts rely on: 0 valid (warnings allowed), 1 errors or, with
# --strict, warnings; 2 for a usage error. A missing file is an error naming it.
. "$TOP/tests/integration/lib.sh"

cat > warn.yaml <<'YAML'
domains:
  short.example:
    mode: enforce
    mx: [mx.short.example]
    max_age: 3600
YAML
hostd check --skip-certificates -c warn.yaml
expect_rc 0
expect_in err "warn.yaml:5:14: warning: short.example: max_age 3600 is less than a day"
hostd check --skip-certificates --strict -c warn.yaml
expect_rc 1

hostd check --skip-certificates -c does-not-exist.yaml
expect_rc 1
expect_in err "does-not-exist.yaml: error: cannot open: No such file or directory"

printf 'domains: [unclosed\n' > broken.yaml
hostd check --skip-certificates -c broken.yaml
expect_rc 1
expect_in err "broken.yaml:2:1: error: YAML syntax"

hostd check --bogus
expect_rc 2
hostd frobnicate
expect_rc 2
# No command is `serve`: with a configuration that cannot be read, it
# refuses to start.
hostd --foreground -c does-not-exist.yaml
expect_rc 1
expect_in err "does-not-exist.yaml: cannot open"
expect_in err "cannot start"
hostd help
expect_rc 0
expect_in out "usage: mta-sts-hostd"
hostd version
expect_rc 0
expect_in out "mta-sts-hostd "
expect_in out "wolfSSL"
