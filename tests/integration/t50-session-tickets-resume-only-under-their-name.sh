# SPDX-License-Identifier: GPL-2.0-or-later
# Session tickets resume a TLS 1.2 or 1.3 session under the name they were
# issued for, and give a full handshake under any other name (RFC 6066 3).
. "$TOP/tests/integration/lib.sh"

fixture_daemon a.example b.example

# connect VERSION NAME [openssl options]: prints New/Reused and the subject.
connect() {
	v=$1 name=$2
	shift 2
	# Stay connected a moment: TLS 1.3 tickets come after the handshake.
	(sleep 0.5; echo) | timeout 10 openssl s_client "$v" \
	    -connect "127.0.0.1:$port" -servername "$name" -CAfile ca.crt \
	    "$@" 2>/dev/null | grep -E '^(New|Reused),|^subject=|lifetime hint'
}

for v in -tls1_3 -tls1_2; do
	rm -f sess
	connect "$v" mta-sts.a.example -sess_out sess > first
	expect_in first "New, TLSv1"
	expect_in first "lifetime hint: 3600"
	[ -s sess ] || fail "$v: no session ticket was issued"
	connect "$v" mta-sts.a.example -sess_in sess > again
	expect_in again "Reused, TLSv1"
	connect "$v" mta-sts.b.example -sess_in sess > other
	expect_in other "New, TLSv1"
	expect_in other "subject=CN = mta-sts.b.example"
done
