# SPDX-License-Identifier: GPL-2.0-or-later
# Only GET and HEAD of /.well-known/mta-sts.txt succeed. Another path is 404;
# POST, PUT, DELETE and OPTIONS are 405 with "Allow: GET, HEAD"; a Host header
# naming another host than the TLS server name is 421, the right name with a
# port is 200; an oversized request line or header block is a 4xx (414, 431)
# and the connection is answered, not left hanging. No response is ever a
# redirect, and the daemon keeps serving after all of it.
. "$TOP/tests/integration/lib.sh"

fixture_daemon one.example two.example
: > statuses

# status EXPECTED WHAT PATH [CURL OPTIONS...]: a request to mta-sts.one.example.
status() {
	want=$1 what=$2 p=$3
	shift 3
	got=$(https mta-sts.one.example "$p" -w '%{http_code} %{time_total}\n' "$@" | head -1)
	echo "$got" >> statuses
	expect_eq "${got%% *}" "$want" "$what"
	grep -qi '^location:' headers && fail "$what: a Location header"
	true
}

status 200 "the policy" /.well-known/mta-sts.txt
for p in / /other /.well-known /.well-known/ /.well-known/mta-sts.txt/ \
    /.well-known/MTA-STS.TXT /.well-known/mta-sts.txt.bak //.well-known/mta-sts.txt; do
	status 404 "GET $p" "$p"
	expect_eq "$(header Content-Type)" "text/plain" "Content-Type of the 404"
done
for m in POST PUT DELETE OPTIONS PATCH; do
	status 405 "$m" /.well-known/mta-sts.txt -X $m
	expect_eq "$(header Allow)" "GET, HEAD" "Allow header of the 405 to $m"
	status 405 "$m with a body" /.well-known/mta-sts.txt -X $m --data-binary 'x=1'
	expect_eq "$(header Allow)" "GET, HEAD" "Allow header of the 405 to $m with a body"
done
status 421 "Host of another served name" /.well-known/mta-sts.txt -H "Host: mta-sts.two.example"
status 421 "Host of an unknown name" /.well-known/mta-sts.txt -H "Host: www.example.com"
status 421 "Host naming the domain, not mta-sts.<domain>" /.well-known/mta-sts.txt -H "Host: one.example"
status 200 "Host with port 443" /.well-known/mta-sts.txt -H "Host: mta-sts.one.example:443"
status 200 "Host with the port" /.well-known/mta-sts.txt -H "Host: mta-sts.one.example:$port"
status 200 "Host in upper case" /.well-known/mta-sts.txt -H "Host: MTA-STS.ONE.EXAMPLE"
expect_in body "mx: mx.one.example"

long=$(python3 -c 'print("a" * 20000)')
got=$(https mta-sts.one.example "/$long" -w '%{http_code} %{time_total}\n' | head -1)
echo "$got" >> statuses
case ${got%% *} in 4??) ;; *) fail "oversized request line: status ${got%% *}" ;; esac
expect_eq "${got%% *}" 414 "oversized request line"
got=$(https mta-sts.one.example /.well-known/mta-sts.txt -H "X-Big: $long" -w '%{http_code} %{time_total}\n' | head -1)
echo "$got" >> statuses
case ${got%% *} in 4??) ;; *) fail "oversized headers: status ${got%% *}" ;; esac
expect_eq "${got%% *}" 431 "oversized headers"
got=$(https mta-sts.one.example /.well-known/mta-sts.txt -w '%{http_code} %{time_total}\n' \
    $(i=0; while [ $i -lt 400 ]; do printf ' -H X-H%d:%s' $i 0123456789012345678901234567890123456789; i=$((i + 1)); done) | head -1)
echo "$got" >> statuses
case ${got%% *} in 4??) ;; *) fail "400 header lines: status ${got%% *}" ;; esac

# Every answer came at once (curl's --max-time is 10 s), none was a redirect.
awk '$2 > 5 { print "slow: " $0; bad = 1 } $1 ~ /^3/ { print "redirect: " $0; bad = 1 }
    END { exit bad }' statuses || fail "$(cat statuses)"
expect_eq "$(wc -l < statuses | tr -d " ")" 28 "requests made"

expect_eq "$(https mta-sts.one.example /.well-known/mta-sts.txt)" "200 1" "the policy after all that"
expect_clean_stop
