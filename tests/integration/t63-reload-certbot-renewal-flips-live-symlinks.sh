# SPDX-License-Identifier: GPL-2.0-or-later
# A certbot renewal in the Let's Encrypt layout: the configuration names the
# letsencrypt directory; archive/<name>/ gets fullchainN.pem and privkeyN.pem
# and the live/<name>/ symlinks are flipped to them, either by `ln -sfn` or
# by renaming a new symlink over the old one. New connections get the new
# certificate (its serial), without a restart or signal, and the other
# lineage keeps its own; the policy is served throughout.
. "$TOP/tests/integration/lib.sh"

# issue NAME N: a certificate for NAME, through an intermediate (so that the
# full chain has two certificates), in pki/certs/NAME.N.*
issue() {
	mkpki pki --intermediate --out "$1.$2" "$1"
}
# certbot NAME N: certbot's files for renewal N of NAME (lineage made when
# N is 1): archive/NAME/{cert,chain,fullchain,privkey}N.pem.
certbot() {
	a=le/archive/$1
	mkdir -p "$a" "le/live/$1" le/renewal
	sed -n '1,/END CERTIFICATE/p' "pki/certs/$1.$2.crt" > "$a/cert$2.pem"
	sed '1,/END CERTIFICATE/d' "pki/certs/$1.$2.crt" > "$a/chain$2.pem"
	cp "pki/certs/$1.$2.crt" "$a/fullchain$2.pem"
	cp "pki/certs/$1.$2.key" "$a/privkey$2.pem"
	chmod 644 "$a/cert$2.pem" "$a/chain$2.pem" "$a/fullchain$2.pem"
	chgrp nogroup "$a/privkey$2.pem"
	chmod 640 "$a/privkey$2.pem"
}
for n in a b; do
	issue "mta-sts.$n.example" 1
	issue "mta-sts.$n.example" 2
	issue "mta-sts.$n.example" 3
	certbot "mta-sts.$n.example" 1
	for f in cert chain fullchain privkey; do
		ln -s "../../archive/mta-sts.$n.example/${f}1.pem" \
		    "le/live/mta-sts.$n.example/$f.pem"
	done
	echo "# renewal configuration" > "le/renewal/mta-sts.$n.example.conf"
done
service_readable le
fixture_daemon --no-certs --certs '{directory: le}' a.example b.example
for n in a b; do
	expect_eq "$(served_serial "mta-sts.$n.example")" \
	    "$(file_serial "pki/certs/mta-sts.$n.example.1.crt")" "$n before renewal"
	expect_policy "mta-sts.$n.example" "policies/$n.example" "policy of $n"
done

# renew NAME N HOW: certbot's renewal N of NAME, the live symlinks flipped
# by HOW (ln: ln -sfn, privkey first as certbot does; rename: a new symlink
# renamed over each); then NAME serves renewal N within 3 s.
renew() {
	certbot "$1" "$2"
	t0=$(now_ms)
	for f in cert chain privkey fullchain; do
		target=../../archive/$1/$f$2.pem
		case $3 in
		ln) ln -sfn "$target" "le/live/$1/$f.pem" ;;
		rename)
			ln -s "$target" "le/live/$1/.$f.pem.new"
			mv -T "le/live/$1/.$f.pem.new" "le/live/$1/$f.pem"
			;;
		esac
	done
	want=$(file_serial "pki/certs/$1.$2.crt")
	expect_served 3 "$want" served_serial "$1"
	echo "$1 renewal $2 ($3): new serial served $(($(now_ms) - t0)) ms after the symlinks flipped"
}
renew mta-sts.a.example 2 ln
expect_eq "$(served_serial mta-sts.b.example)" "$(file_serial pki/certs/mta-sts.b.example.1.crt)" "b after a's renewal"
renew mta-sts.b.example 2 rename
expect_eq "$(served_serial mta-sts.a.example)" "$(file_serial pki/certs/mta-sts.a.example.2.crt)" "a after b's renewal"
renew mta-sts.a.example 3 rename
renew mta-sts.b.example 3 ln
# The new chain is served whole and verifies: curl checks it against the root.
for n in a b; do
	expect_policy "mta-sts.$n.example" "policies/$n.example" \
	    "policy of $n after the renewals"
done
timeout 5 openssl s_client -connect "127.0.0.1:$port" -servername mta-sts.a.example \
    -showcerts </dev/null 2>/dev/null > probe/chain
expect_eq "$(grep -c 'BEGIN CERTIFICATE' probe/chain)" 2 "certificates in the served chain"
expect_no_log_since 0 'reload refused'
expect_clean_stop
