#!/usr/bin/env bash
# Builds the real kube-apiserver, kubectl and etcd that the integration tests and
# `npm run cluster:up` run. Nothing ships these for Debian or npm and there is no
# container engine, so they come from Go modules (test/harness/cluster/bin-src/go.mod pins
# the versions). The result is cached under .cache/k8s-<k8s>-etcd-<etcd>/, keyed by
# version, so a second run is a no-op that returns at once.
#
# Prints the binary directory on stdout; progress goes to stderr.
# Env: GO (go binary; default: `go` on PATH, else /usr/local/go/bin/go).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
src="$here/bin-src"

# One source of truth for the versions: the wrapper module's require lines.
mod_version() {
  awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$src/go.mod"
}
k8s_version="$(mod_version k8s.io/kubernetes)"
etcd_version="$(mod_version go.etcd.io/etcd/server/v3)"
if [[ -z "$k8s_version" || -z "$etcd_version" ]]; then
  echo "build-binaries: cannot read the versions from $src/go.mod" >&2
  exit 1
fi

bin_dir="$repo/.cache/k8s-$k8s_version-etcd-$etcd_version"
stamp="$bin_dir/.complete"

is_cached() {
  [[ -f "$stamp" && -x "$bin_dir/kube-apiserver" && -x "$bin_dir/kubectl" && -x "$bin_dir/etcd" ]]
}
if is_cached; then
  echo "build-binaries: cached in $bin_dir" >&2
  echo "$bin_dir"
  exit 0
fi

# Test runs and `cluster:up` may call this at the same time on a fresh machine:
# one builds, the others wait for it and then find the cache filled.
mkdir -p "$repo/.cache"
exec 9>"$bin_dir.lock"
if ! flock -n 9; then
  echo "build-binaries: another build is running; waiting for it" >&2
  flock 9
fi
if is_cached; then
  echo "build-binaries: built meanwhile in $bin_dir" >&2
  echo "$bin_dir"
  exit 0
fi

# shellcheck source=scripts/go-build-env.sh
source "$repo/scripts/go-build-env.sh"
go_build_env build-binaries "$repo"

# Stamp the same version fields the Kubernetes release build sets, so /version and
# `kubectl version` report the real release instead of v0.0.0-master.
minor="${k8s_version#v1.}"
minor="${minor%%.*}"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitCommit= -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done

echo "build-binaries: building kube-apiserver, kubectl $k8s_version and etcd $etcd_version with $("$go_bin" version) (cold: several minutes on 2 cores)" >&2
start=$SECONDS
tmp="$bin_dir.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

# One invocation for the three: they share most of their packages (apimachinery,
# client-go, grpc, the etcd client), which are then compiled once.
(
  cd "$src"
  "$go_bin" build -trimpath -tags selinux,notest -ldflags "$ldflags" -o "$tmp/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kubectl \
    go.etcd.io/etcd/server/v3
)
# go names the binary of a .../server/v3 main package after "server".
mv "$tmp/server" "$tmp/etcd"
"$tmp/kube-apiserver" --version >&2
"$tmp/etcd" --version >&2

rm -rf "$bin_dir"
mv "$tmp" "$bin_dir"
trap - EXIT
touch "$stamp"
echo "build-binaries: built in $((SECONDS - start)) s into $bin_dir" >&2
echo "$bin_dir"
