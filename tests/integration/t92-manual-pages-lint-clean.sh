# SPDX-License-Identifier: GPL-2.0-or-later
# The manual pages mta-sts-hostd(8) and mta-sts-hostd.yaml(5) build with
# scdoc, are clean under `mandoc -T lint`, render with mandoc and man, and
# document what the code accepts: every key of every table the configuration
# loader reads (config/sections.c, domains.c, files.c), the ranges and defaults of `limits`, every
# command of the usage and every long option of the commands.
. "$TOP/tests/integration/lib.sh"

pages="mta-sts-hostd.8 mta-sts-hostd.yaml.5"

# Built here from the sources, not taken from a build directory, so the test
# is the same under `make integration` and with BUILD=build/asan.
for p in $pages; do
	scdoc < "$TOP/packaging/man/$p.scd" > "$p" 2> "$p.scdoc" || {
		cat "$p.scdoc"
		fail "scdoc cannot build $p"
	}
	[ -s "$p" ] || fail "scdoc built an empty $p"
done

# mandoc -T lint: nothing at level warning or above. Style messages are
# checked too, with one kind left out: "input text line longer than 80
# bytes". scdoc writes each source line as one roff line and expands the
# markup on it (*x* becomes \fBx\fR, every full stop gets a \&), so source
# lines kept within 80 columns come out longer; roff fills text anyway, so
# the length of an input line never shows in the rendered page.
for p in $pages; do
	mandoc -T lint -W warning "$p" > "$p.lint" 2>&1 || true
	[ ! -s "$p.lint" ] || {
		cat "$p.lint"
		fail "mandoc -T lint -W warning complains about $p"
	}
	mandoc -T lint -W style "$p" 2>&1 |
		grep -v 'STYLE: input text line longer than 80 bytes' \
		> "$p.style" || true
	[ ! -s "$p.style" ] || {
		cat "$p.style"
		fail "mandoc -T lint -W style complains about $p"
	}
done

# Rendered text without overstriking (bold is X\bX, underline _\bX), wide
# enough that no term line wraps.
bs=$(printf '\b')
for p in $pages; do
	mandoc -T utf8 -O width=200 "$p" > "$p.raw" 2> "$p.err" ||
		{ cat "$p.err"; fail "mandoc -T utf8 cannot render $p"; }
	sed "s/.$bs//g" "$p.raw" > "$p.txt"
	for section in NAME SYNOPSIS DESCRIPTION 'SEE ALSO'; do
		grep -qx "$section" "$p.txt" ||
			fail "$p has no $section section"
	done
	if command -v man > /dev/null 2>&1; then
		MANPAGER=cat MANWIDTH=80 man -l "./$p" > "$p.man" 2> "$p.manerr" ||
			{ cat "$p.manerr"; fail "man -l cannot render $p"; }
		[ ! -s "$p.manerr" ] ||
			{ cat "$p.manerr"; fail "man -l complains about $p"; }
		sed "s/.$bs//g" "$p.man" | grep -q '^NAME' ||
			fail "man -l rendered no NAME section for $p"
	fi
done
for section in COMMANDS SIGNALS FILES 'EXIT STATUS' ENVIRONMENT EXAMPLES; do
	grep -qx "$section" mta-sts-hostd.8.txt ||
		fail "mta-sts-hostd.8 has no $section section"
done

# has_term PAGE TERM: TERM begins a line of PAGE's text (a definition-list
# term), followed by a space, a comma or the end of the line.
has_term() {
	awk -v t="$2" '{
		sub(/^ +/, "")
		if (substr($0, 1, length(t)) == t) {
			c = substr($0, length(t) + 1, 1)
			if (c == "" || c == " " || c == ",") { found = 1; exit }
		}
	} END { exit !found }' "$1.txt"
}

# term_line PAGE TERM: the first line that has_term matches.
term_line() {
	awk -v t="$2" '{
		sub(/^ +/, "")
		if (substr($0, 1, length(t)) == t) {
			c = substr($0, length(t) + 1, 1)
			if (c == "" || c == " " || c == ",") { print; exit }
		}
	} ' "$1.txt"
}

# Every key of every `{ "name", reader }` table of the configuration loader
# (struct yread_key, in config/) is a term of mta-sts-hostd.yaml(5), named by
# its path: the table says where the key sits in the file. A new table fails
# here until it is mapped (and documented).
for f in "$TOP"/config/*.c; do
	sed -n '/^static const struct yread_key [a-z_]*\[\] = {/,/^};/{
		s/^static const struct yread_key \([a-z_]*\)\[\].*/table \1/p
		s/^[[:space:]]*{ "\([a-z_]*\)", [a-z_]* },.*/key \1/p
	}' "$f"
done > keys
nkeys=0
missing=
while read -r kind name; do
	if [ "$kind" = table ]; then
		case $name in
		files_main_keys | files_include_keys) prefixes=- ;;
		sections_server_keys) prefixes=server. ;;
		sections_limit_keys) prefixes=limits. ;;
		sections_cert_keys) prefixes='certificates[].' ;;
		sections_dns_keys) prefixes=dns. ;;
		sections_ttl_keys) prefixes=dns.ttl. ;;
		sections_policy_host_keys) prefixes=dns.policy_host. ;;
		domains_tlsrpt_keys) prefixes='dns.tlsrpt. domains.domain.tlsrpt.' ;;
		sections_delegation_keys) prefixes=dns.delegation. ;;
		sections_acme_keys) prefixes=acme. ;;
		sections_order_limit_keys) prefixes=acme.order_limit. ;;
		sections_retry_keys) prefixes=acme.retry. ;;
		sections_metrics_keys) prefixes=metrics. ;;
		domains_template_keys) prefixes=policies.template. ;;
		domains_domain_keys) prefixes=domains.domain. ;;
		*) fail "config/ has a key table $name this test does not know: map it to its place in the file here" ;;
		esac
		continue
	fi
	nkeys=$((nkeys + 1))
	for prefix in $prefixes; do
		[ "$prefix" = - ] && prefix=
		has_term mta-sts-hostd.yaml.5 "$prefix$name" ||
			missing="$missing $prefix$name"
	done
done < keys
# The extraction itself must have worked: the loader reads some 50 keys.
[ "$nkeys" -ge 40 ] ||
	{ cat keys; fail "found only $nkeys keys in config/"; }
grep -qx 'key include' keys || fail "no top-level keys found in config/files.c"
[ -z "$missing" ] ||
	fail "keys the loader accepts but mta-sts-hostd.yaml(5) does not document:$missing"
echo "mta-sts-hostd.yaml.5: all $nkeys keys of the loader documented"

# The limits: range from SECTIONS_LIMIT_READER(field, "key", min, max),
# default from the section's defaults and config/config.h, both on the key's
# term line.
tr '\n' ' ' < "$TOP/config/sections.c" |
	grep -o 'SECTIONS_LIMIT_READER([a-z_]*,[[:space:]]*"[a-z_]*",[[:space:]]*[0-9]*,[[:space:]]*[0-9]*)' |
	sed 's/SECTIONS_LIMIT_READER([a-z_]*,[[:space:]]*"\([a-z_]*\)",[[:space:]]*\([0-9]*\),[[:space:]]*\([0-9]*\))/\1 \2 \3/' \
	> limits
[ "$(wc -l < limits)" -ge 5 ] || { cat limits; fail "limits not found in config/sections.c"; }
while read -r key min max; do
	macro=$(tr '\n' ' ' < "$TOP/config/sections.c" |
	    grep -o "\.lim_$key =[[:space:]]*[A-Z_]*" | sed 's/.*[[:space:]]//')
	default=$(sed -n "s/^#define[[:space:]]*${macro}[[:space:]]*\([0-9]*\).*/\1/p" \
	    "$TOP/config/config.h")
	[ -n "$default" ] || fail "no default found for limits.$key"
	line=$(term_line mta-sts-hostd.yaml.5 "limits.$key")
	case $line in
	*"$min to $max"*"default $default"*) ;;
	*) fail "limits.$key is $min to $max, default $default in the code; the page says: $line" ;;
	esac
done < limits

# Every command the binary lists in its usage (`help`) is a term of the
# COMMANDS section of mta-sts-hostd(8).
"$MTA_STS_HOSTD" help | sed -n 's/^  \([a-z][a-z]*\)\( .*\)\{0,1\}$/\1/p' |
	sort -u > commands
[ "$(wc -l < commands)" -ge 8 ] ||
	{ cat commands; fail "found only $(wc -l < commands) commands in the usage"; }
sed -n '/^COMMANDS$/,/^[A-Z]/p' mta-sts-hostd.8.txt > commands.8.txt
while read -r cmd; do
	has_term commands.8 "$cmd" ||
		fail "command '$cmd' of the usage is not in COMMANDS of mta-sts-hostd(8)"
done < commands

# Every long option of the commands appears in mta-sts-hostd(8).
sed -n 's/.*{ "\([a-z-]*\)", [a-z]*_argument,.*/\1/p' \
    "$TOP"/server/cli/cmd_*.c | sort -u > options
[ -s options ] || fail "no long options found in server/cli/cmd_*.c"
while read -r opt; do
	grep -qE -- "--$opt([^a-z-]|\$)" mta-sts-hostd.8.txt ||
		fail "option --$opt is not in mta-sts-hostd(8)"
done < options
echo "mta-sts-hostd.8: $(wc -l < commands) commands, $(wc -l < options) options documented"
