#!/usr/bin/env bash
# Copies the generated CRDs (crds/generated, the single source) into the Helm
# chart's crds/ and the kustomize base. deploy/test/crds-sync.int.test.ts fails
# when a copy differs, so run this after `make gen-crds`.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
for dest in "$repo/deploy/helm/ovn-evpn/crds" "$repo/deploy/kustomize/base/crds"; do
  mkdir -p "$dest"
  rm -f "$dest"/*.yaml
  cp "$repo"/crds/generated/*.yaml "$dest/"
done
echo "sync-crds: copied $(find "$repo/crds/generated" -name '*.yaml' | wc -l) CRDs" >&2
