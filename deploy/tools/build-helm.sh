#!/usr/bin/env bash
# Builds the real helm CLI from its Go module (no Debian or npm package ships a
# current helm, and nothing outside the package registries can be downloaded).
# The binary is cached under .cache/helm-<version>/, keyed by version, so a
# second run is a no-op that returns at once. Go downloads and build artefacts
# stay in .cache/go (shared with test/harness/cluster/build-binaries.sh).
#
# Prints the helm binary's path on stdout; progress goes to stderr.
# Env: GO (go binary), HELM_VERSION (default below), GO_CACHE_ROOT (default .cache/go).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

version="${HELM_VERSION:-v4.3.1}"
major="${version%%.*}"
module="helm.sh/helm/$major"

out_dir="$repo/.cache/helm-$version"
helm="$out_dir/helm"
stamp="$out_dir/.complete"

if [[ -f "$stamp" && -x "$helm" ]]; then
  echo "build-helm: cached in $out_dir" >&2
  echo "$helm"
  exit 0
fi

mkdir -p "$repo/.cache"
# Parallel test files may call this at the same time on a fresh machine.
exec 9>"$out_dir.lock"
if ! flock -n 9; then
  echo "build-helm: another build is running; waiting for it" >&2
  flock 9
fi
if [[ -f "$stamp" && -x "$helm" ]]; then
  echo "$helm"
  exit 0
fi

# shellcheck source=scripts/go-build-env.sh
source "$repo/scripts/go-build-env.sh"
go_build_env build-helm "$repo"

tmp="$out_dir.tmp.$$"
rm -rf "$tmp"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

echo "build-helm: building helm $version with $("$go_bin" version)" >&2
start=$SECONDS
# `go install pkg@version` builds exactly the release's go.mod/go.sum (checked
# against the checksum database), with no wrapper module of ours in between.
GOBIN="$tmp" "$go_bin" install -trimpath \
  -ldflags "-s -w -X $module/internal/version.version=$version -X $module/internal/version.gitTreeState=clean" \
  "$module/cmd/helm@$version"
"$tmp/helm" version >&2

rm -rf "$out_dir"
mv "$tmp" "$out_dir"
trap - EXIT
touch "$stamp"
echo "build-helm: built in $((SECONDS - start)) s into $out_dir" >&2
echo "$helm"
