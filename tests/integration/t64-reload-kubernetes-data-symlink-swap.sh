# SPDX-License-Identifier: GPL-2.0-or-later
# Kubernetes ConfigMap and Secret volumes, as the kubelet's atomic writer
# lays them out: the files in a timestamped ..<ts>/ directory, ..data -> it,
# and top-level symlinks NAME -> ..data/NAME. An update writes a new ..<ts>/,
# points a ..data_tmp symlink at it, renames that over ..data, adds the
# top-level symlinks of new files and removes the old directory. The daemon
# (configuration and certificate directory both such volumes) serves the
# new policy after a ConfigMap update and the new certificate after a Secret
# update, without a restart or signal; then a new domain whose certificate
# and configuration arrive in two updates.
. "$TOP/tests/integration/lib.sh"

cert_versions a.example 1 2
cert_versions b.example 1
fixture_prepare
mkdir config tls
# config_yaml DOMAIN...: the ConfigMap's file.
config_yaml() {
	daemon_yaml --certs "{directory: $T/tls}" "$@"
}
# kube_update VOLUME TS FILE...: the kubelet's atomic update of VOLUME with
# FILEs (copied from wherever they are, under their base names).
kube_update() {
	vol=$1 ts=..2026_11_23_$2
	shift 2
	old=$(readlink "$vol/..data" || true)
	mkdir "$vol/$ts"
	for f in "$@"; do
		cp "$f" "$vol/$ts/"
		case $f in
		*.key) chgrp nogroup "$vol/$ts/${f##*/}"; chmod 640 "$vol/$ts/${f##*/}" ;;
		*) chmod 644 "$vol/$ts/${f##*/}" ;;
		esac
	done
	chmod 755 "$vol/$ts"
	ln -s "$ts" "$vol/..data_tmp"
	mv -T "$vol/..data_tmp" "$vol/..data"
	for f in "$@"; do
		[ -L "$vol/${f##*/}" ] || ln -s "..data/${f##*/}" "$vol/${f##*/}"
	done
	[ -z "$old" ] || rm -rf "${vol:?}/$old"
}
mkdir staged
config_yaml a.example=testing > staged/mta-sts-hostd.yaml
cp pki/certs/a1.crt staged/mta-sts.a.example.crt
cp pki/certs/a1.key staged/mta-sts.a.example.key
kube_update config 19_00_00.000000001 staged/mta-sts-hostd.yaml
kube_update tls 19_00_00.000000002 staged/mta-sts.a.example.crt staged/mta-sts.a.example.key
chmod 755 config tls
id_a1=$(config_id config/mta-sts-hostd.yaml a.example)
mkdir v2 v3
config_yaml a.example > v2/mta-sts-hostd.yaml
id_a2=$(config_id v2/mta-sts-hostd.yaml a.example)
[ "$id_a1" != "$id_a2" ] || fail "the two policies are the same"
config_yaml a.example b.example > v3/mta-sts-hostd.yaml
id_b=$(config_id v3/mta-sts-hostd.yaml b.example)
serial_a1=$(file_serial pki/certs/a1.crt)
serial_a2=$(file_serial pki/certs/a2.crt)

daemon_start config/mta-sts-hostd.yaml
expect_eq "$(served_id mta-sts.a.example)" "$id_a1" "a.example at start"
expect_eq "$(served_serial mta-sts.a.example)" "$serial_a1" "certificate at start"

# ---- a ConfigMap update: the new policy
t0=$(now_ms)
kube_update config 19_10_00.000000001 v2/mta-sts-hostd.yaml
expect_served 3 "$id_a2" served_id mta-sts.a.example
echo "ConfigMap update: new policy served $(($(now_ms) - t0)) ms after the ..data swap"
expect_eq "$(served_serial mta-sts.a.example)" "$serial_a1" "certificate after the ConfigMap update"

# ---- a Secret update: the new certificate
cp pki/certs/a2.crt staged/mta-sts.a.example.crt
cp pki/certs/a2.key staged/mta-sts.a.example.key
t0=$(now_ms)
kube_update tls 19_20_00.000000001 staged/mta-sts.a.example.crt staged/mta-sts.a.example.key
expect_served 3 "$serial_a2" served_serial mta-sts.a.example
echo "Secret update: new certificate served $(($(now_ms) - t0)) ms after the ..data swap"
expect_eq "$(served_id mta-sts.a.example)" "$id_a2" "policy after the Secret update"

# ---- a new domain: its certificate (a new file in the Secret), then the
# ConfigMap naming it
cp pki/certs/b1.crt staged/mta-sts.b.example.crt
cp pki/certs/b1.key staged/mta-sts.b.example.key
kube_update tls 19_30_00.000000001 staged/mta-sts.a.example.crt staged/mta-sts.a.example.key \
    staged/mta-sts.b.example.crt staged/mta-sts.b.example.key
mark=$(log_mark)
await_log 3 "$mark" 'reloaded in .*2 certificate files'
kube_update config 19_40_00.000000001 v3/mta-sts-hostd.yaml
expect_served 3 "$id_b" served_id mta-sts.b.example
expect_eq "$(served_serial mta-sts.b.example)" "$(file_serial pki/certs/b1.crt)" "certificate of b"
expect_eq "$(served_id mta-sts.a.example)" "$id_a2" "a.example at the end"
expect_eq "$(served_serial mta-sts.a.example)" "$serial_a2" "a's certificate at the end"
expect_no_log_since 0 'reload refused'
expect_clean_stop
