# SPDX-License-Identifier: GPL-2.0-or-later
# The plain-HTTP ACME listener answers GET /.well-known/acme-challenge/TOKEN
# from the webroot for configured mta-sts.<domain> hosts (with or without a
# certificate yet) and nothing else: bad tokens, path tricks, symlinks,
# dotfiles, other hosts, other paths and methods all get 404, never a
# redirect and never a policy.
. "$TOP/tests/integration/lib.sh"

acme=$(free_port)
mkdir -p webroot/.well-known/acme-challenge
# The daemon reads the webroot as nobody.
chmod -R 755 webroot
# new.example has no certificate yet.
fixture_daemon --workers 1 \
    --yaml "acme: {listen: [\"127.0.0.1:$acme\"], webroot: webroot}" \
    --no-cert new.example a.example \
    new.example='{mode: testing, mx: [mx.a.example], max_age: 86400}'
await_http "http://127.0.0.1:$acme/"

ch=webroot/.well-known/acme-challenge
tok=LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0
printf '%s.9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI' "$tok" > "$ch/$tok"
printf 'secret' > "$ch/.hidden"
printf 'secret' > webroot/outside
ln -s ../../outside "$ch/link"

# get HOST PATH [curl options]: prints the status, body in body.
get() {
	h=$1 p=$2
	shift 2
	curl -s -o body -w '%{http_code} %{redirect_url}' -H "Host: $h" "$@" \
	    "http://127.0.0.1:$acme$p"
}

expect_eq "$(get mta-sts.a.example "/.well-known/acme-challenge/$tok")" "200 " "token"
expect_eq "$(cat body)" "$(cat "$ch/$tok")" "key authorization"
# A configured domain without a certificate yet: that is the point.
expect_eq "$(get mta-sts.new.example:80 "/.well-known/acme-challenge/$tok")" "200 " "new domain"
expect_eq "$(get MTA-STS.A.EXAMPLE "/.well-known/acme-challenge/$tok")" "200 " "case"
curl -sI -H "Host: mta-sts.a.example" "http://127.0.0.1:$acme/.well-known/acme-challenge/$tok" > head
expect_in head "200 OK"

for bad in "/.well-known/acme-challenge/.hidden" \
    "/.well-known/acme-challenge/link" \
    "/.well-known/acme-challenge/../../outside" \
    "/.well-known/acme-challenge/..%2F..%2Foutside" \
    "/.well-known/acme-challenge/a.b" \
    "/.well-known/acme-challenge/" \
    "/.well-known/acme-challenge/$(printf 'A%.0s' $(seq 200))" \
    "/.well-known/acme-challenge/nonexistent" \
    "/.well-known/mta-sts.txt" "/" "/outside"; do
	expect_eq "$(get mta-sts.a.example "$bad" --path-as-is)" "404 " "$bad"
	expect_not_in body secret
	expect_not_in body "version: STSv1"
done
expect_eq "$(get mta-sts.unknown.example "/.well-known/acme-challenge/$tok")" "404 " "unknown host"
expect_eq "$(get a.example "/.well-known/acme-challenge/$tok")" "404 " "bare domain"
expect_eq "$(get mta-sts.a.example "/.well-known/acme-challenge/$tok" -X POST -d x)" "404 " "POST"
expect_in daemon.log "listening on 127.0.0.1:$acme for ACME HTTP-01 challenges"
expect_in daemon.log "acme: answered the challenge $tok for mta-sts.a.example"
