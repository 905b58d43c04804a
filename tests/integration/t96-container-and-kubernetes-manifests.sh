# SPDX-License-Identifier: GPL-2.0-or-later
# The Kubernetes manifests render (kubectl kustomize, offline), run the
# daemon as non-root with a read-only root filesystem, no capability and
# /healthz probes on the metrics port the ConfigMap's configuration opens;
# that configuration is valid. The image's root filesystem, assembled as the
# Containerfile does (the binary and the libraries it loads, no shell), runs
# under chroot as uid 65532 and serves a policy.
. "$TOP/tests/integration/lib.sh"

k8s=$TOP/packaging/kubernetes
kubectl kustomize "$k8s" > rendered.yaml 2> kustomize.err ||
	{ cat kustomize.err; fail "kubectl kustomize failed"; }

python3 - rendered.yaml <<'PY'
import sys, yaml
docs = {d["kind"]: d for d in yaml.safe_load_all(open(sys.argv[1]))}
assert set(docs) == {"ConfigMap", "Deployment", "Service"}, docs.keys()
pod = docs["Deployment"]["spec"]["template"]["spec"]
psc = pod["securityContext"]
assert psc["runAsNonRoot"] is True and psc["runAsUser"] != 0, psc
c = pod["containers"][0]
sc = c["securityContext"]
assert sc["readOnlyRootFilesystem"] is True, sc
assert sc["allowPrivilegeEscalation"] is False, sc
assert sc["capabilities"]["drop"] == ["ALL"], sc
ports = {p["name"]: p["containerPort"] for p in c["ports"]}
for probe in ("readinessProbe", "livenessProbe"):
    assert c[probe]["httpGet"] == {"path": "/healthz", "port": "metrics"}, c[probe]
mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
assert all(m.get("readOnly") for m in c["volumeMounts"]), c["volumeMounts"]
vols = {v["name"]: v for v in pod["volumes"]}
assert vols["config"]["configMap"]["name"] == docs["ConfigMap"]["metadata"]["name"]
assert "secret" in vols["certs"]
cfg = yaml.safe_load(docs["ConfigMap"]["data"]["mta-sts-hostd.yaml"])
# What the configuration opens is what the pod declares and probes.
assert cfg["server"]["listen"][0].endswith(":%d" % ports["https"]), cfg
assert cfg["acme"]["listen"][0].endswith(":%d" % ports["acme"]), cfg
assert cfg["metrics"]["listen"][0].endswith(":%d" % ports["metrics"]), cfg
assert cfg["certificates"][0]["directory"] == mounts["certs"], cfg
svc = {p["name"]: p for p in docs["Service"]["spec"]["ports"]}
assert svc["https"]["port"] == 443 and svc["https"]["targetPort"] == "https"
open("configmap.yaml", "w").write(docs["ConfigMap"]["data"]["mta-sts-hostd.yaml"])
PY
hostd check --skip-certificates -c configmap.yaml
expect_rc 0

# The image's root filesystem, as the Containerfile assembles it.
[ "$(id -u)" = 0 ] || { echo "skipped the chroot part: needs root"; exit 0; }
grep -q '^FROM scratch' "$TOP/packaging/container/Containerfile" ||
	fail "the final stage is not FROM scratch"
grep -q '^USER 65532:65532' "$TOP/packaging/container/Containerfile" ||
	fail "the image does not run as 65532"
root=$T/rootfs
mkdir -p "$root/usr/sbin" "$root/etc/mta-sts-hostd" \
    "$root/var/lib/mta-sts-hostd/certs" "$root/tmp"
cp "$MTA_STS_HOSTD" "$root/usr/sbin/mta-sts-hostd"
for lib in $(ldd "$MTA_STS_HOSTD" | grep -o '/[^ ]*'); do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done
[ ! -e "$root/bin/sh" ] || fail "the image has a shell"
# What a container runtime provides in /dev.
mkdir -p "$root/dev"
mknod -m 666 "$root/dev/null" c 1 3
mknod -m 666 "$root/dev/urandom" c 1 9
mknod -m 666 "$root/dev/random" c 1 8
port=$(free_port)
sed -e "s/0.0.0.0:8443\", \"\\[::\\]:8443/127.0.0.1:$port/" \
    -e '/acme:/,/webroot/d' -e '/metrics:/,/listen/d' configmap.yaml \
    > "$root/etc/mta-sts-hostd/mta-sts-hostd.yaml"
"$TOP/tests/tools/mkpki" pki
"$TOP/tests/tools/mkpki" pki mta-sts.customer.example
cp pki/certs/mta-sts.customer.example.* "$root/var/lib/mta-sts-hostd/certs/"
chown -R 0:65532 "$root/var/lib/mta-sts-hostd/certs"
chmod 750 "$root/var/lib/mta-sts-hostd/certs"
chmod 640 "$root"/var/lib/mta-sts-hostd/certs/*
chmod 755 "$T" "$root"
chroot --userspec=65532:65532 --groups=65532 "$root" \
    /usr/sbin/mta-sts-hostd serve --foreground \
    -c /etc/mta-sts-hostd/mta-sts-hostd.yaml 2> daemon.log &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
wait_for 10 curl -sf -o got --cacert pki/ca.crt \
    --resolve "mta-sts.customer.example:$port:127.0.0.1" \
    "https://mta-sts.customer.example:$port/.well-known/mta-sts.txt" ||
	fail "the image's filesystem does not serve: $(cat daemon.log)"
expect_in got "mx: mx1.hoster.example"
