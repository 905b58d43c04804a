# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package: `make deb` builds it (normal build flags, also when the
# suite runs under AddressSanitizer) and lintian finds no error; apt installs
# it without a running systemd; it ships the binary, the unit (enabled), the
# certificate pass's service, timer and path unit (not enabled), the
# configuration as a valid conffile, an empty domains.d/, the ACME hooks and
# both manual pages, and creates the system account and
# /var/lib/mta-sts-hostd/{certs,acme} with the right owners and modes. A
# customer file and a certificate installed by the packaged hook are served,
# by the packaged daemon started as the unit starts it (service user, ambient
# CAP_NET_BIND_SERVICE), byte for byte, and a second customer is picked up
# without a restart. After apt-get purge nothing of the package is left but
# the system account, which Debian practice keeps (README.Debian); the test
# then removes the account too if it created it, so the machine is left as
# it was found, down to the list of installed packages.
. "$TOP/tests/integration/lib.sh"

[ "$(id -u)" = 0 ] || { echo "skipped: needs root (installs a package)"; exit 0; }
command -v apt-get >/dev/null || { echo "skipped: not a Debian system"; exit 0; }

pkg=mta-sts-hostd
etc=/etc/mta-sts-hostd
conf=$etc/mta-sts-hostd.yaml
lib=/var/lib/mta-sts-hostd
sbin=/usr/sbin/mta-sts-hostd
hooks=/usr/share/mta-sts-hostd/acme-hooks
unit=/lib/systemd/system/mta-sts-hostd.service
wants=/etc/systemd/system/multi-user.target.wants/mta-sts-hostd.service

# status PKG: dpkg's status word for a package ("" when dpkg never saw it).
status() {
	dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true
}
# Never purge somebody's real installation.
case $(status "$pkg") in
"" | not-installed) ;;
*) fail "$pkg is installed here ($(status "$pkg")): this test installs and purges it; remove it first" ;;
esac

# One run at a time: the package and build/deb are machine- and tree-wide.
mkdir -p "$TOP/build"
exec 9>"$TOP/build/.t93.lock"
flock -w 200 9 || fail "another run of this test holds $TOP/build/.t93.lock"

had_user=no had_group=no
getent passwd "$pkg" >/dev/null && had_user=yes
getent group "$pkg" >/dev/null && had_group=yes
dpkg-query -W -f='${Package}:${Architecture} ${db:Status-Status}\n' |
    sort > packages.before

export DEBIAN_FRONTEND=noninteractive
apt_get() {
	timeout 150 apt-get -y -o DPkg::Lock::Timeout=60 "$@"
}

# Whatever happens: stop the daemon, purge the package, and remove the
# account if this test created it.
cleanup() {
	daemon_cleanup
	case $(status "$pkg") in
	"" | not-installed) ;;
	*) apt_get purge "$pkg" >>cleanup.log 2>&1 ||
		dpkg --purge "$pkg" >>cleanup.log 2>&1 || true ;;
	esac
	if [ "$had_user" = no ] && getent passwd "$pkg" >/dev/null; then
		userdel "$pkg" >>cleanup.log 2>&1 || true
	fi
	if [ "$had_group" = no ] && getent group "$pkg" >/dev/null; then
		groupdel "$pkg" >>cleanup.log 2>&1 || true
	fi
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- Build. The make variables of a calling make (BUILD=build/asan
# SANITIZE=1 in the ASan pass) must not reach the package build.
t0=$(now_ms)
(unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES BUILD SANITIZE
 make -C "$TOP" --no-print-directory deb) > build.log 2>&1 || {
	tail -40 build.log >&2
	fail "make deb failed"
}
version=$(dpkg-parsechangelog -l "$TOP/packaging/debian/changelog" -SVersion)
arch=$(dpkg --print-architecture)
deb=$TOP/build/${pkg}_${version}_${arch}.deb
[ -f "$deb" ] || fail "no $deb after make deb"
! grep -E '^E: ' build.log || fail "lintian errors"
grep -E '^[WE]: ' build.log >&2 || true
echo "built $deb in $(($(now_ms) - t0)) ms"

# ---- Install, without systemd running.
apt_get install --no-install-recommends "$deb" > install.log 2>&1 || {
	cat install.log >&2
	fail "apt-get install failed"
}
expect_eq "$(status "$pkg")" installed "package status after install"
expect_eq "$(dpkg-query -W -f='${Version}' "$pkg")" "$version" "installed version"
dpkg -L "$pkg" | grep -vx /. | sort > files.installed

# mode PATH: "MODE OWNER GROUP TYPE" of a path.
mode() {
	stat -c '%a %U %G %F' "$1"
}

# The binary: the normal build, not the ASan one.
expect_eq "$(mode "$sbin")" "755 root root regular file" "$sbin"
"$sbin" version > version.out 2>&1 || fail "$sbin version: $(cat version.out)"
expect_in version.out "${version%-*}"
! ldd "$sbin" | grep -E 'libasan|libubsan' ||
	fail "the packaged binary is built with the sanitizers"

# The unit, as shipped, and enabled.
expect_eq "$(mode "$unit")" "644 root root regular file" "$unit"
cmp "$unit" "$TOP/packaging/systemd/mta-sts-hostd.service" ||
	fail "the installed unit differs from packaging/systemd"
expect_eq "$(readlink "$wants")" "$unit" "the unit is enabled"
# The certificate pass's units, as shipped, and not enabled: they wait for
# acme.client.
for u in mta-sts-hostd-certs.service mta-sts-hostd-certs.timer \
    mta-sts-hostd-certs.path; do
	cmp "/lib/systemd/system/$u" "$TOP/packaging/systemd/$u" ||
		fail "the installed $u differs from packaging/systemd"
done
[ ! -e /etc/systemd/system/timers.target.wants/mta-sts-hostd-certs.timer ] ||
	fail "the certificate timer was enabled by the package"
[ ! -e /etc/systemd/system/paths.target.wants/mta-sts-hostd-certs.path ] ||
	fail "the certificate path unit was enabled by the package"

# The configuration: a conffile, valid as shipped, in the packaged layout.
expect_eq "$(mode "$etc")" "755 root root directory" "$etc"
expect_eq "$(mode "$conf")" "644 root root regular file" "$conf"
dpkg-query -W -f='${Conffiles}\n' "$pkg" > conffiles
expect_in conffiles " $conf "
expect_in "$conf" "directory: $lib/certs"
expect_in "$conf" "user: $pkg"
expect_in "$conf" "group: $pkg"
expect_in "$conf" "webroot: $lib/acme"
rc=0
"$sbin" check --skip-certificates -c "$conf" > out 2> err || rc=$?
expect_rc 0 "check --skip-certificates of the shipped configuration"
expect_in out "0 errors"
# With the (empty) certificate directory too: no domain, nothing missing.
rc=0
"$sbin" check -c "$conf" > out 2> err || rc=$?
expect_rc 0 "check of the shipped configuration"
expect_eq "$(mode "$etc/domains.d")" "755 root root directory" "$etc/domains.d"
expect_eq "$(ls -A "$etc/domains.d")" "" "domains.d is empty"

# The ACME hooks, as in acme-hooks/.
n=0
for h in "$TOP"/acme-hooks/*; do
	n=$((n + 1))
	b=$(basename "$h")
	expect_eq "$(mode "$hooks/$b")" "755 root root regular file" "$hooks/$b"
	cmp "$h" "$hooks/$b" || fail "$hooks/$b differs from acme-hooks/$b"
done
expect_eq "$(find "$hooks" -type f | wc -l)" "$n" "number of hooks"

# The manual pages, compressed, with the right names and sections.
for m in man8/mta-sts-hostd.8 man5/mta-sts-hostd.yaml.5; do
	f=/usr/share/man/$m.gz
	expect_eq "$(mode "$f")" "644 root root regular file" "$f"
	gzip -t "$f" || fail "$f is not gzip"
	name=$(basename "$m" | sed 's/\.[0-9]$//' | tr '[:lower:]' '[:upper:]')
	section=${m##*.}
	zcat "$f" | grep -m1 '^\.TH' > th || fail "$f has no .TH line"
	expect_eq "$(awk '{ gsub(/"/, ""); print $2, $3 }' th)" "$name $section" "$f .TH"
done

# The system account: a system uid, no login, no home, its own group.
getent passwd "$pkg" > passwd.ent || fail "no user $pkg"
getent group "$pkg" > group.ent || fail "no group $pkg"
uid=$(cut -d: -f3 passwd.ent)
gid=$(cut -d: -f3 group.ent)
[ "$uid" -lt 1000 ] || fail "user $pkg has uid $uid, not a system uid"
expect_eq "$(cut -d: -f4 passwd.ent)" "$gid" "primary group of $pkg"
expect_eq "$(cut -d: -f6 passwd.ent)" /nonexistent "home of $pkg"
expect_eq "$(cut -d: -f7 passwd.ent)" /usr/sbin/nologin "shell of $pkg"
[ -f /usr/lib/sysusers.d/mta-sts-hostd.conf ] || fail "no sysusers.d file"

# The state directories.
expect_eq "$(mode "$lib")" "755 root root directory" "$lib"
expect_eq "$(mode "$lib/certs")" "750 root $pkg directory" "$lib/certs"
expect_eq "$(mode "$lib/acme")" "755 root root directory" "$lib/acme"
dpkg-statoverride --list "$lib/certs" > override ||
	fail "no statoverride for $lib/certs"
expect_eq "$(cat override)" "root $pkg 750 $lib/certs" "statoverride"

# ---- Serve: a customer on 127.0.0.1, its certificate installed by the
# packaged hook, the packaged daemon started as the unit starts it.
port=$(free_port)
sed -i -e "s|\"0.0.0.0:443\"|\"127.0.0.1:$port\"|" -e '/"\[::\]:443"/d' \
    -e 's/^  workers: 0$/  workers: 1/' "$conf"
expect_in "$conf" "127.0.0.1:$port"
cat > "$etc/domains.d/customer.example.yaml" <<'YAML'
domains:
  customer.example:
    mode: enforce
    mx: [mx1.hoster.example, "*.backup.hoster.example"]
    max_age: 1209600
YAML
chmod 644 "$etc/domains.d/customer.example.yaml"
mkpki .
mkpki . mta-sts.customer.example mta-sts.second.example
"$hooks/mta-sts-hostd-install" mta-sts.customer.example \
    certs/mta-sts.customer.example.crt certs/mta-sts.customer.example.key ||
	fail "mta-sts-hostd-install failed"
expect_eq "$(mode "$lib/certs/mta-sts.customer.example.key")" \
    "640 root $pkg regular file" "installed key"
expect_eq "$(mode "$lib/certs/mta-sts.customer.example.crt")" \
    "644 root $pkg regular file" "installed certificate"
rc=0
"$sbin" check -c "$conf" > out 2> err || rc=$?
expect_rc 0 "check with the customer and its certificate"

mkdir -p probe
# As systemd would: the service user and group, no supplementary group, only
# CAP_NET_BIND_SERVICE (ambient), no new privileges, umask 0077, the unit's
# LimitNOFILE (as far as this machine's hard limit allows) and LimitCORE,
# and its CacheDirectory= (made the service user's, mode 0700, and named
# in $CACHE_DIRECTORY), where the daemon keeps its load cache.
cache=/var/cache/$pkg
grep -qx "CacheDirectory=$pkg" "$unit" || fail "the unit has no CacheDirectory=$pkg"
install -d -o "$pkg" -g "$pkg" -m 0700 "$cache"
nofile=$(awk '/^Max open files/ { print $5 }' /proc/self/limits)
case $nofile in
unlimited) nofile=65536 ;;
*) [ "$nofile" -le 65536 ] || nofile=65536 ;;
esac
(umask 077 && CACHE_DIRECTORY=$cache && export CACHE_DIRECTORY &&
    exec prlimit --nofile="$nofile" --core=0 -- setpriv --reuid="$pkg" --regid="$pkg" --clear-groups \
    --inh-caps=-all,+net_bind_service --ambient-caps=+net_bind_service \
    --no-new-privs \
    "$sbin" serve --foreground -c "$conf") 2>> daemon.log &
daemon_pid=$!
daemon_pids="$daemon_pids $daemon_pid"
i=0
until port_accepts "$port"; do
	proc_alive "$daemon_pid" || { cat daemon.log >&2; fail "the daemon exited at start"; }
	i=$((i + 1))
	[ "$i" -lt 100 ] || { cat daemon.log >&2; fail "not accepting on $port after 10 s"; }
	sleep 0.1
done
expect_eq "$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "/proc/$daemon_pid/status")" \
    "$uid $uid $uid $uid" "uid of the daemon"

printf 'version: STSv1\r\nmode: enforce\r\nmx: mx1.hoster.example\r\nmx: *.backup.hoster.example\r\nmax_age: 1209600\r\n' > expected
expect_eq "$(https mta-sts.customer.example /.well-known/mta-sts.txt)" "200 1" \
    "GET the policy of customer.example"
cmp body expected || fail "body differs: $(od -c body | head)"
expect_eq "$(header Content-Type)" "text/plain" "Content-Type"

# A second customer, added while it runs: the daemon (reading as the service
# user) picks the file and the hook-installed certificate up by itself.
"$hooks/mta-sts-hostd-install" mta-sts.second.example \
    certs/mta-sts.second.example.crt certs/mta-sts.second.example.key ||
	fail "mta-sts-hostd-install failed for the second customer"
printf 'domains:\n  second.example: {mode: testing, mx: [mail.second.example], max_age: 86400}\n' \
    > "$etc/domains.d/.second.tmp"
chmod 644 "$etc/domains.d/.second.tmp"
mv "$etc/domains.d/.second.tmp" "$etc/domains.d/second.example.yaml"
printf 'version: STSv1\r\nmode: testing\r\nmx: mail.second.example\r\nmax_age: 86400\r\n' > expected2
expect_served 10 "$(policy_id expected2)" served_id mta-sts.second.example
cmp probe/body expected2 || fail "second body differs: $(od -c probe/body | head)"

daemon_stop 10
expect_eq "$daemon_rc" 0 "exit status after SIGTERM"
expect_not_in daemon.log "error"
# The load cache, written by the service user for the next start.
expect_in daemon.log "customer files: 0 from the load cache $cache/customer-files.cache, 1 read"
expect_in daemon.log "certificate pairs: 0 from the load cache $cache/certificates.cache, 1 read"
expect_eq "$(stat -c '%a %U' "$cache/customer-files.cache" "$cache/certificates.cache" | tr '\n' ' ')" \
    "600 $pkg 600 $pkg " "the load cache's files"

# The certificate pass's own load cache, as systemd makes it for its unit
# (CacheDirectory=, root's): purge removes it too (the search below).
grep -qx "CacheDirectory=$pkg-certs" /lib/systemd/system/mta-sts-hostd-certs.service ||
	fail "the certs unit has no CacheDirectory=$pkg-certs"
install -d -m 0700 "/var/cache/$pkg-certs"
: > "/var/cache/$pkg-certs/certs-certificates.cache"

# ---- Purge.
apt_get purge "$pkg" > purge.log 2>&1 || { cat purge.log >&2; fail "apt-get purge failed"; }
case $(status "$pkg") in
"" | not-installed) ;;
*) fail "after purge the package is '$(status "$pkg")'" ;;
esac
# Every path the package had is gone, or belongs to another package (/etc,
# /usr/share/man/man8, ...).
while read -r p; do
	[ -e "$p" ] || [ -L "$p" ] || continue
	dpkg -S "$p" >/dev/null 2>&1 || fail "$p is left after purge"
done < files.installed
for p in "$etc" "$lib" "$wants" /usr/lib/sysusers.d/mta-sts-hostd.conf \
    /lib/systemd/system/mta-sts-hostd-certs.timer \
    /var/lib/systemd/deb-systemd-helper-enabled/mta-sts-hostd.service.dsh-also \
    /var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/mta-sts-hostd.service \
    /var/lib/systemd/deb-systemd-helper-masked/mta-sts-hostd.service; do
	if [ -e "$p" ] || [ -L "$p" ]; then fail "$p is left after purge"; fi
done
! dpkg-statoverride --list "$lib/certs" >/dev/null ||
	fail "the statoverride of $lib/certs is left after purge"
find /etc /lib /usr /var /run /opt /srv -xdev -name '*mta-sts-hostd*' \
    ! -path '/var/log/*' 2>/dev/null > left || true
[ ! -s left ] || fail "left after purge: $(cat left)"
# What stays, by Debian practice: the system account (files it owns may
# remain elsewhere; a reused uid would inherit them). dpkg's and apt's logs
# name the package too.
getent passwd "$pkg" >/dev/null || fail "purge removed the user $pkg (expected kept)"
getent group "$pkg" >/dev/null || fail "purge removed the group $pkg (expected kept)"

# Leave the machine as it was: the account too, if this test made it; and
# the same packages as before.
cleanup
[ "$had_user" = yes ] || ! getent passwd "$pkg" >/dev/null || fail "user $pkg not removed"
[ "$had_group" = yes ] || ! getent group "$pkg" >/dev/null || fail "group $pkg not removed"
dpkg-query -W -f='${Package}:${Architecture} ${db:Status-Status}\n' |
    sort > packages.after
cmp packages.before packages.after ||
	fail "installed packages changed: $(diff packages.before packages.after)"
echo "done in $(($(now_ms) - t0)) ms"
