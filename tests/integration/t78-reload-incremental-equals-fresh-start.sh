# SPDX-License-Identifier: GPL-2.0-or-later
# A reload serves exactly what a fresh start on the same files would serve.
# A hoster's files (cfg.yaml with two policy templates, a customer file per
# customer in domains.d/, a certificate and key per name in certs/) go
# through a seeded random sequence of changes under a running daemon:
# customer files added (one domain or two), edited in place, renamed over,
# rewritten unchanged, emptied, deleted, a domain moved from one file to
# another, a file made not YAML or given an invalid value and fixed later,
# a new customer's file broken from the start; certificates installed,
# renewed (key then certificate, as the ACME hooks do), their key replaced
# a reload or more before the certificate, deleted; a template of cfg.yaml
# changed. After each change has settled (its reload logged, then 300 ms
# without another), a daemon started afresh on a copy of cfg.yaml with
# another port is asked for every name of the pool and one never
# configured, over TLS with that SNI: the handshake refused, or the
# certificate, status and body of /.well-known/mta-sts.txt. Then:
# - the fresh daemon serves what the files say (the driver's model of
#   them: each policy body rendered, each certificate the installed one),
#   and logs as many errors at start as the files have;
# - the running daemon serves what the fresh one serves, name for name,
#   but for a name served before that an error (about it, or about its
#   file) would take away: that name keeps what it served, with the
#   certificate installed now when only its file is in error (a new
#   customer's broken file takes nothing away, so there it matches the
#   fresh start; a customer file deleted is no error, so its names go
#   even while their key and certificate do not match);
# - the reload's line says so: the summary with the counts the change
#   makes, or, with names kept, refused when nothing else changed.
# reload_equivalence.py makes the changes, keeps the model and compares.
# RELOAD_EQ_SEED and RELOAD_EQ_OPS choose the sequence and its length (the
# seed is printed; a failure names the change, with both values).
. "$TOP/tests/integration/lib.sh"

require_tools python3 openssl
drv="$TOP/tests/integration/reload_equivalence.py"
seed=${RELOAD_EQ_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
ops=${RELOAD_EQ_OPS:-90}
echo "seed $seed, $ops changes" \
    "(RELOAD_EQ_SEED=$seed RELOAD_EQ_OPS=$ops to repeat)"

# Three certificates for each name of the pool (pki/certs/alpha1..3 for
# mta-sts.alpha.example), installed and replaced as the sequence goes.
mkpki pki
for d in $(python3 "$drv" pool); do
	cert_versions "$d" 1 2 3
done
# The fresh daemons' configuration and log go to fresh/, made now, so that
# nothing appears later where the daemon watches.
mkdir -p fresh certs domains.d
service_readable pki certs
port=$(free_port)
python3 "$drv" init "$port" "$seed" || fail "the initial files"
daemon_start

python3 "$drv" run "$MTA_STS_HOSTD" "$port" "$seed" "$ops" &
driver=$!
daemon_pids="$daemon_pids $driver"
wait "$driver" ||
    fail "seed $seed: the running daemon, the fresh one and the files disagree"
expect_clean_stop
