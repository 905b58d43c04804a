# SPDX-License-Identifier: GPL-2.0-or-later
# The load cache of `certs` (acme.cache_directory): a pass writes it, in
# files of its own, and takes from it every customer file and certificate
# pair that did not change; `certs status` reads it and never writes it.
# Whatever it holds, `certs status` answers what it answers without it: a
# certificate renewed, a key that no longer matches its certificate, a
# customer removed and one added. A handful of changes does not make a
# pass write the whole cache again; a damaged cache, or one another user
# wrote, is said and costs only reads.
. "$TOP/tests/integration/lib.sh"

require_tools certbot
mkdir -p ccache
fixture_daemon --no-start \
    --yaml "acme: {client: certbot, install_directory: certs, state: $T/certs.state,
  cache_directory: $T/ccache}" \
    --customer a.example --customer b.example --customer c.example \
    --customer d.example
sed 's/cache_directory: .*}/cache_directory: false}/' cfg.yaml > plain.yaml
grep -q 'cache_directory: false' plain.yaml || fail "plain.yaml: $(cat plain.yaml)"

# answers CONFIG: what `certs status --format json` says of each domain,
# one line each (the time of the report left out).
answers() {
	hostd certs status -c "$1" --format json
	expect_rc 0 "certs status -c $1"
	cp err status.err
	python3 - out <<'PY' || fail "certs status: $(cat out)"
import json, sys
for d in json.load(open(sys.argv[1]))["domains"]:
    c = d["certificate"] or {}
    print(d["domain"], d["state"], c.get("serial"), c.get("not_after"),
          c.get("managed"), c.get("renew_at"))
PY
}
# expect_same_answers WHAT: with the cache as without it.
expect_same_answers() {
	answers plain.yaml > want
	answers cfg.yaml > got
	cmp -s want got || fail "$1: with the cache: $(cat got); without: $(cat want)"
}
pass() {
	hostd certs run -c cfg.yaml --resolver 127.0.0.1:9
	expect_rc 0 "certs run"
	cp out pass.out
}
cache_files() {
	ls -A ccache | tr '\n' ' '
}

# Before any pass: the report reads no cache and writes none.
expect_same_answers "before any pass"
expect_in want "a.example ok "
expect_eq "$(cache_files)" "" "files after a report"

# The first pass reads everything and writes the cache, root's alone.
pass
expect_in pass.out "certs: customer files: 0 from the load cache $T/ccache/certs-customer-files.cache, 4 read"
expect_in pass.out "certs: certificate pairs: 0 from the load cache $T/ccache/certs-certificates.cache, 4 read"
expect_eq "$(cache_files)" "certs-certificates.cache certs-customer-files.cache " "files after a pass"
expect_eq "$(stat -c '%a %U' ccache/certs-customer-files.cache ccache/certs-certificates.cache | tr '\n' ' ')" \
    "600 root 600 root " "the cache's files"
pass
expect_in pass.out "certs: customer files: 4 from the load cache $T/ccache/certs-customer-files.cache, 0 read"
expect_in pass.out "certs: certificate pairs: 4 from the load cache $T/ccache/certs-certificates.cache, 0 read"
expect_same_answers "from the cache"
expect_eq "$(cat status.err)" "" "what the report said"

# b.example renewed (another certificate, 60 days), c.example's key
# replaced by one that does not match, d.example removed, e.example added.
old_b=$(grep '^b.example ' want)
mkpki pki --days 60 --out renewed mta-sts.b.example
install_cert pki/certs/renewed certs/mta-sts.b.example
mkpki pki --out stray mta-sts.c.example
cp pki/certs/stray.key certs/mta-sts.c.example.key.new
mv certs/mta-sts.c.example.key.new certs/mta-sts.c.example.key
rm domains.d/d.yaml
mkpki pki mta-sts.e.example
install_cert pki/certs/mta-sts.e.example certs/mta-sts.e.example
domains_yaml e.example > domains.d/e.yaml
expect_same_answers "after the changes"
grep -q '^b.example ok ' got && ! grep -qxF "$old_b" got ||
	fail "b.example's renewal is not seen: $(cat got)"
expect_in got "c.example pending None"
expect_not_in got "d.example"
expect_in got "e.example ok "

# A pass reads what changed, and leaves the cache as it is for so few.
inode=$(stat -c %i ccache/certs-certificates.cache)
for i in 1 2; do
	pass
	expect_in pass.out "certs: customer files: 3 from the load cache $T/ccache/certs-customer-files.cache, 1 read"
	expect_in pass.out "certs: certificate pairs: 2 from the load cache $T/ccache/certs-certificates.cache, 3 read"
done
expect_eq "$(stat -c %i ccache/certs-certificates.cache)" "$inode" "the cache was written again"
expect_same_answers "after the passes"

# A damaged record: said, naming the cache, and that pair read again.
cp ccache/certs-certificates.cache good.cache
size=$(stat -c %s good.cache)
printf 'X' | dd of=ccache/certs-certificates.cache bs=1 seek=$((size / 2)) \
    conv=notrunc status=none
expect_same_answers "with a damaged record"
expect_in status.err "$T/ccache/certs-certificates.cache"
expect_in status.err "damaged"
cp good.cache ccache/certs-certificates.cache

# Another user's cache is not taken: the report ignores it, a pass writes
# its own.
chown nobody ccache/certs-customer-files.cache
expect_same_answers "with another user's cache"
expect_in status.err "$T/ccache/certs-customer-files.cache: warning: the load cache belongs to another user (uid $(id -u nobody)); it is ignored"
expect_not_in status.err "written anew"
pass
expect_in err "the load cache belongs to another user (uid $(id -u nobody)); it is ignored and written anew"
expect_in pass.out "certs: customer files: 0 from the load cache $T/ccache/certs-customer-files.cache, 4 read"
expect_eq "$(stat -c %U ccache/certs-customer-files.cache)" root "owner after the pass"
pass
expect_in pass.out "certs: customer files: 4 from the load cache $T/ccache/certs-customer-files.cache, 0 read"
