# SPDX-License-Identifier: GPL-2.0-or-later
# The load cache (server.cache_directory): a start writes what it parsed of
# every customer file and certificate pair, and the next start takes from
# it the files that did not change and reads the others. Whatever the
# cache holds, the daemon serves what a start without it serves: a
# customer file edited in place (same size, same mtime) and a certificate
# renewed between two starts are read again, and a damaged record, a
# cache cut short or one that is no cache are said and cost only reads.
. "$TOP/tests/integration/lib.sh"

mkdir -p cache
chmod 700 cache
fixture_daemon --no-start --server "cache_directory: cache" \
    --customer a.example=testing --customer b.example --customer c.example
sed '/cache_directory/d' cfg.yaml > plain.yaml
sed 's/cache_directory: .*/cache_directory: false/' cfg.yaml > off.yaml
chmod 644 plain.yaml off.yaml

# state: what a client gets for each name, the policy id and the
# certificate's serial, one line each.
state() {
	for _d in a.example b.example c.example; do
		echo "$_d $(served_id "mta-sts.$_d") $(served_serial "mta-sts.$_d")"
	done
}

# start_on CONFIG: the daemon started on CONFIG with a fresh log;
# stop_it: stopped cleanly.
start_on() {
	: > daemon.log
	daemon_start "$1"
}
stop_it() {
	expect_clean_stop 10
}

# expect_counts CUSTOMERS PAIRS: the start's log says how many customer
# files and certificate pairs came from the cache and how many were read
# ("HITS READ" each).
expect_counts() {
	expect_in daemon.log "customer files: ${1% *} from the load cache $T/cache/customer-files.cache, ${1#* } read"
	expect_in daemon.log "certificate pairs: ${2% *} from the load cache $T/cache/certificates.cache, ${2#* } read"
}

# A start without the cache: what every other start must serve.
start_on plain.yaml
expect_not_in daemon.log "load cache"
want=$(state)
echo "$want" | grep -q "a.example $(config_id domains.d/a.yaml a.example) serial=" ||
	fail "a.example is not served at the start: $want"
stop_it
[ ! -e cache/customer-files.cache ] || fail "a start without the cache wrote one"

# First start: nothing in the cache, everything read, the cache written,
# for the daemon's eyes only.
start_on cfg.yaml
expect_counts "0 3" "0 3"
expect_eq "$(state)" "$want" "first start with the cache"
stop_it
expect_eq "$(stat -c %a cache/customer-files.cache cache/certificates.cache | tr '\n' ' ')" \
    "600 600 " "the cache files' modes"
inodes=$(stat -c %i cache/*.cache)

# Second start: everything from the cache; nothing changed, nothing written.
start_on cfg.yaml
expect_counts "3 0" "3 0"
expect_eq "$(state)" "$want" "second start, everything from the cache"
stop_it
expect_eq "$(stat -c %i cache/*.cache)" "$inodes" "the cache after a start that read nothing"

# Between two starts: a.example's file edited in place with the same size
# and its mtime put back (only its ctime changes), c.example's certificate
# renewed.
python3 - domains.d/a.yaml <<'PY'
import os, sys
path = sys.argv[1]
st = os.stat(path)
text = open(path).read()
new = text.replace("testing", "enforce")
assert len(new) == len(text) and new != text
with open(path, "r+") as f:
    f.write(new)
os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
assert os.stat(path).st_mtime_ns == st.st_mtime_ns
PY
cert_versions c.example 2
install_cert pki/certs/c2 certs/mta-sts.c.example
start_on plain.yaml
want=$(state)
stop_it
echo "$want" | grep -q "a.example $(config_id domains.d/a.yaml a.example) " ||
	fail "a.example's edit is not served: $want"
echo "$want" | grep -q "c.example .* $(file_serial certs/mta-sts.c.example.crt)" ||
	fail "c.example's renewal is not served: $want"
start_on cfg.yaml
expect_counts "2 1" "2 1"
expect_eq "$(state)" "$want" "a start after an edit in place and a renewal"
stop_it

# Damage. One byte of a record (b.example's chain, in the middle of the
# certificates' cache): that pair is read, and the start says so.
python3 - cache/certificates.cache certs/mta-sts.b.example.crt <<'PY'
import ssl, sys
cache, pem = sys.argv[1], sys.argv[2]
der = ssl.PEM_cert_to_DER_cert(open(pem).read())
data = bytearray(open(cache, "rb").read())
at = data.find(der)
assert at > 0, "the chain is not in the cache"
data[at + len(der) // 2] ^= 0x5a
open(cache, "wb").write(data)
PY
start_on cfg.yaml
expect_in daemon.log "certificates.cache: 1 record of the load cache was damaged: its files were read instead"
expect_counts "3 0" "2 1"
expect_eq "$(state)" "$want" "a start with a damaged record"
stop_it

# The customers' cache cut short (a write that never finished), then
# replaced by something that is no cache: ignored whole, said, rewritten.
truncate -s -10 cache/customer-files.cache
start_on cfg.yaml
expect_in daemon.log "customer-files.cache: the load cache is cut short (its writing was interrupted); it is ignored and written anew"
expect_counts "0 3" "3 0"
expect_eq "$(state)" "$want" "a start with the cache cut short"
stop_it
echo "not a cache at all, but long enough to look at" > cache/customer-files.cache
start_on cfg.yaml
expect_in daemon.log "customer-files.cache: the load cache is not a load cache; it is ignored and written anew"
expect_counts "0 3" "3 0"
expect_eq "$(state)" "$want" "a start with no cache in the cache's place"
stop_it

# Written whole again by those starts: everything from it.
start_on cfg.yaml
expect_counts "3 0" "3 0"
expect_eq "$(state)" "$want" "a start after the damage was written over"
stop_it

# Under systemd, with no cache_directory: the service's CacheDirectory=
# (in $CACHE_DIRECTORY); `cache_directory: false`: none, not even that.
export CACHE_DIRECTORY="$T/cache"
start_on plain.yaml
expect_counts "3 0" "3 0"
expect_eq "$(state)" "$want" "a start in systemd's cache directory"
stop_it
start_on off.yaml
expect_not_in daemon.log "load cache"
expect_eq "$(state)" "$want" "a start with the cache off"
stop_it
unset CACHE_DIRECTORY
