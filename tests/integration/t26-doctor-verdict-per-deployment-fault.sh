# SPDX-License-Identifier: GPL-2.0-or-later
# `doctor` against a real deployment (nsd, the daemon, postfix with
# STARTTLS) in a network namespace: each kind of fault gets its exact
# verdict and Nagios exit code (0 OK, 1 warning, 2 critical), and the
# correct domains, one of them with its _mta-sts a CNAME to the hoster's
# record, pass every check.
. "$TOP/tests/integration/lib.sh"
. "$TOP/tests/integration/doctor-world.sh"

verdict good.example 0 sts-record=ok policy-host=ok policy-fetch=ok \
    mx-match=ok@mx1.good.example smtp-starttls=ok@mx1.good.example \
    tlsrpt-record=ok policy-sanity=ok
verdict customer.example 0 sts-record=ok policy-host=ok policy-fetch=ok \
    mx-match=ok smtp-starttls=ok tlsrpt-record=ok
expect_in out "through the CNAME to shared._mta-sts.hoster.example"
expect_in out "mta-sts.customer.example: $WEB (through the CNAME to mta-sts.hoster.example)"

# A zone under .test, served by the resolver given: asked there, not taken
# for absent by a resolver library that answers .test itself (RFC 6761).
verdict lab.test 0 sts-record=ok policy-host=ok policy-fetch=ok \
    mx-match=ok@mx1.good.example tlsrpt-record=ok

verdict elsewhere.example 2 policy-host=critical policy-fetch=critical@127.0.0.99
expect_in out "mta-sts.elsewhere.example resolves to 127.0.0.99, and 127.0.0.99 is not this deployment (dns.policy_host.addresses: $WEB)"
expect_in out "publish mta-sts.elsewhere.example. A $WEB"

verdict twotxt.example 2 sts-record=critical policy-fetch=ok
expect_in out "has 2 TXT records starting with v=STSv1"

verdict stale.example 2 sts-record=critical policy-fetch=ok
expect_in out "has id=20240101000000, the policy served has id=$(id_of stale.example)"
expect_in out "update _mta-sts.stale.example TXT to"

verdict nohost.example 2 policy-host=critical policy-fetch=skipped sts-record=ok
expect_in out "publish mta-sts.nohost.example. A $WEB"

verdict notlsrpt.example 1 tlsrpt-record=warning sts-record=ok policy-fetch=ok
expect_in out 'publish _smtp._tls.notlsrpt.example. TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@hoster.example\"'

verdict mxdrift.example 2 mx-match=ok@mx1.good.example mx-match=critical@mx.other.example
expect_in out "add 'mx: mx.other.example' to the policy"

# "*." stands for exactly one label: a.b.wild.example is not covered.
verdict wild.example 2 mx-match=critical@a.b.wild.example \
    mx-pattern=warning@*.wild.example

verdict wrongname.example 2 mx-match=ok@mx.wrongname.example \
    smtp-starttls=critical@mx.wrongname.example
expect_in out "is not valid for mx.wrongname.example"
expect_in out "a sender will not deliver to it"

# The same MX in testing mode: senders deliver and report.
verdict trial.example 1 mx-match=ok smtp-starttls=warning@mx.wrongname.example
expect_in out "senders deliver anyway and report the failure"

# An MX that accepts and never speaks: no sender gets through, which the
# doctor says once the timeout has passed.
verdict slowmx.example 2 mx-match=ok smtp-starttls=critical@mx.slowmx.example
expect_in out "mx.slowmx.example [127.0.0.27]: timed out waiting for the server"

# Every domain at once, as a monitoring check: the worst verdict, one block
# per domain and a summary.
LC_ALL=C.UTF-8 doctor
expect_rc 2 "doctor over every domain"
expect_in out "doctor: 14 domains: 4 OK, 2 WARNING, 8 CRITICAL"
expect_in out "good.example: OK (enforce, id $(id_of good.example))"
expect_in out "stale.example: CRITICAL"
expect_in out "  ✓ _mta-sts TXT"
expect_in out "  ✗ policy host"
expect_in out "  ! TLS-RPT"
