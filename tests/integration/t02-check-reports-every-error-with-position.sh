# SPDX-License-Identifier: GPL-2.0-or-later
# check reports every error of every file in one run, each with
# file:line:column and the domain it is about, keeps the valid domains
# servable, and exits 1.
. "$TOP/tests/integration/lib.sh"

mkdir customers
cat > main.yaml <<'YAML'
server:
  listen: ["127.0.0.1:8443"]
  wrokers: 2
policies:
  shared:
    mode: enforce
    mx: [mx1.hoster.example]
    max_age: 1209600
domains:
  good.example: shared
  bad-mode.example:
    mode: Enforce
    mx: [mx.bad-mode.example]
  bad-age.example:
    policy: shared
    max_age: 40000000
  under_score.example: shared
include: [customers/*.yaml]
YAML
cat > customers/a.yaml <<'YAML'
domains:
  customer-a.example: shared
  no-mx.example:
    mode: none
YAML
cat > customers/b.yaml <<'YAML'
domains:
  customer-b.example:
    policy: missing-template
  good.example: shared
YAML

hostd check --skip-certificates -c main.yaml
expect_rc 1
expect_in err "main.yaml:3:3: error: unknown key 'wrokers' in server"
expect_in err "main.yaml:12:11: error: bad-mode.example: mode 'Enforce' is not one of enforce, testing, none"
expect_in err "main.yaml:16:14: error: bad-age.example: max_age is 40000000; it must be from 0 to 31557600"
expect_in err "main.yaml:17:3: error: domain: 'under_score.example' contains '_'"
expect_in err "customers/a.yaml:3:3: error: no-mx.example: no 'mx': every policy needs at least one mx pattern"
expect_in err "customers/b.yaml:3:13: error: customer-b.example: policy template 'missing-template' is not defined"
expect_in err "customers/b.yaml:4:3: error: good.example: the domain is already defined at main.yaml:10:3"
# good.example and customer-a.example are still served.
expect_in err "6 domains (2 servable)"
expect_in err "7 errors"
hostd policy -c main.yaml good.example
expect_rc 0
expect_in out "mx: mx1.hoster.example"
hostd policy -c main.yaml bad-age.example
expect_rc 1
expect_in err "bad-age.example cannot be served"

# Errors come in the order of files and lines: main file first, then the
# included files in name order.
grep -n 'error:' err | cut -d: -f2 > order
expect_eq "$(tr '\n' ' ' < order)" "main.yaml main.yaml main.yaml main.yaml customers/a.yaml customers/b.yaml customers/b.yaml " "order"

# A glob that also matches the main file (under another spelling of its
# path) does not read it a second time.
mkdir self
cat > self/main.yaml <<'YAML'
domains:
  self.example: {mode: testing, mx: [mx.self.example], max_age: 86400}
include: ["*.yaml"]
YAML
cat > self/other.yaml <<'YAML'
domains:
  other.example: {mode: testing, mx: [mx.other.example], max_age: 86400}
YAML
hostd check --skip-certificates -c ./self/../self/main.yaml
expect_rc 0
expect_in out "2 domains (2 servable)"
expect_in out "2 files (certificates not checked); 0 errors"
